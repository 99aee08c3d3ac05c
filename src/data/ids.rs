//! Maps between external string ids and dense `u32` indices.

use std::collections::HashMap;

/// Seeded per process (as std's `RandomState`), much faster on short strings.
type Hasher = foldhash::fast::RandomState;

/// A bijection between external string ids (as users write them) and dense indices
/// `0..len()` (as the models use them). Indices are given in order of first insertion,
/// so the same input order always gives the same indices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdMap {
    names: Vec<Box<str>>,
    index: HashMap<Box<str>, u32, Hasher>,
}

impl IdMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a map from ids in order; `None` if an id repeats (then the first
    /// repeated id is returned as `Err`).
    pub fn from_ids<I, S>(ids: I) -> Result<Self, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let ids = ids.into_iter();
        let mut map = IdMap::with_capacity(ids.size_hint().0);
        for id in ids {
            map.push_new(id.as_ref())?;
        }
        Ok(map)
    }

    /// An empty map with room for `n` ids.
    pub fn with_capacity(n: usize) -> Self {
        IdMap {
            names: Vec::with_capacity(n),
            index: HashMap::with_capacity_and_hasher(n, Hasher::default()),
        }
    }

    /// Appends `id`, which must be new (one hash, no lookup first: the fast path of
    /// loading a model's ids). Returns its index, or the id back as `Err` if mapped.
    pub fn push_new(&mut self, id: &str) -> Result<u32, String> {
        let ix = self.names.len() as u32;
        let boxed: Box<str> = id.into();
        match self.index.entry(boxed) {
            std::collections::hash_map::Entry::Occupied(_) => Err(id.to_string()),
            std::collections::hash_map::Entry::Vacant(v) => {
                self.names.push(v.key().clone());
                v.insert(ix);
                Ok(ix)
            }
        }
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when no id is mapped.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The index of `id`, if mapped.
    pub fn get(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    /// The index of `id`, inserting it at the end if new. Returns `(index, inserted)`.
    pub fn insert(&mut self, id: &str) -> (u32, bool) {
        if let Some(&ix) = self.index.get(id) {
            return (ix, false);
        }
        let ix = self.names.len() as u32;
        let boxed: Box<str> = id.into();
        self.names.push(boxed.clone());
        self.index.insert(boxed, ix);
        (ix, true)
    }

    /// The external id of index `ix`, if in range.
    pub fn name(&self, ix: u32) -> Option<&str> {
        self.names.get(ix as usize).map(|s| &**s)
    }

    /// All ids in index order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.names.iter().map(|s| &**s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_is_idempotent_and_dense() {
        let mut m = IdMap::new();
        assert_eq!(m.insert("b"), (0, true));
        assert_eq!(m.insert("a"), (1, true));
        assert_eq!(m.insert("b"), (0, false));
        assert_eq!(m.len(), 2);
        assert_eq!(m.name(1), Some("a"));
        assert_eq!(m.name(2), None);
        assert_eq!(m.get("zz"), None);
    }

    #[test]
    fn from_ids_reports_duplicates() {
        assert_eq!(IdMap::from_ids(["x", "y", "x"]).unwrap_err(), "x");
        assert_eq!(IdMap::from_ids(["x", "y"]).unwrap().len(), 2);
    }
}
