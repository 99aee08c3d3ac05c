//! Maps between external string ids and dense `u32` indices.
//!
//! The ids live end to end in one string (an arena) with their end offsets, and the
//! hash table holds only indices: a million ids are three allocations, not two million,
//! which is most of what loading a large catalogue's ids costs.

use hashbrown::HashTable;
use std::hash::BuildHasher;

/// Seeded per process (as std's `RandomState`), much faster on short strings.
type Hasher = foldhash::fast::RandomState;

/// A bijection between external string ids (as users write them) and dense indices
/// `0..len()` (as the models use them). Indices are given in order of first insertion,
/// so the same input order always gives the same indices.
#[derive(Clone, Default)]
pub struct IdMap {
    /// Every id, end to end, in index order.
    bytes: String,
    /// The end offset of each id in `bytes` (id `i` starts where id `i - 1` ends).
    ends: Vec<usize>,
    /// Indices, hashed by their id.
    index: HashTable<u32>,
    hasher: Hasher,
}

/// Id `ix` of an arena (`ix` in range).
fn slice<'a>(bytes: &'a str, ends: &[usize], ix: usize) -> &'a str {
    let start = match ix {
        0 => 0,
        _ => ends.get(ix - 1).copied().unwrap_or(0),
    };
    let end = ends.get(ix).copied().unwrap_or(start);
    bytes.get(start..end).unwrap_or("")
}

impl PartialEq for IdMap {
    fn eq(&self, other: &Self) -> bool {
        self.ends == other.ends && self.bytes == other.bytes
    }
}

impl Eq for IdMap {}

impl std::fmt::Debug for IdMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
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

    /// An empty map with room for `n` ids (of about eight bytes each).
    pub fn with_capacity(n: usize) -> Self {
        IdMap {
            bytes: String::with_capacity(n.saturating_mul(8)),
            ends: Vec::with_capacity(n),
            index: HashTable::with_capacity(n),
            hasher: Hasher::default(),
        }
    }

    /// Appends `id`, which must be new (one hash, no lookup first: the fast path of
    /// loading a model's ids). Returns its index, or the id back as `Err` if mapped.
    pub fn push_new(&mut self, id: &str) -> Result<u32, String> {
        match self.insert(id) {
            (ix, true) => Ok(ix),
            (_, false) => Err(id.to_string()),
        }
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when no id is mapped.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The index of `id`, if mapped.
    pub fn get(&self, id: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(id);
        let (bytes, ends) = (&self.bytes, &self.ends);
        self.index
            .find(hash, |&ix| slice(bytes, ends, ix as usize) == id)
            .copied()
    }

    /// The index of `id`, inserting it at the end if new. Returns `(index, inserted)`.
    pub fn insert(&mut self, id: &str) -> (u32, bool) {
        let IdMap {
            bytes,
            ends,
            index,
            hasher,
        } = self;
        let hash = hasher.hash_one(id);
        match index.entry(
            hash,
            |&ix| slice(bytes, ends, ix as usize) == id,
            |&ix| hasher.hash_one(slice(bytes, ends, ix as usize)),
        ) {
            hashbrown::hash_table::Entry::Occupied(e) => (*e.get(), false),
            hashbrown::hash_table::Entry::Vacant(v) => {
                let ix = ends.len() as u32;
                v.insert(ix);
                bytes.push_str(id);
                ends.push(bytes.len());
                (ix, true)
            }
        }
    }

    /// The external id of index `ix`, if in range.
    pub fn name(&self, ix: u32) -> Option<&str> {
        let ix = ix as usize;
        (ix < self.ends.len()).then(|| slice(&self.bytes, &self.ends, ix))
    }

    /// All ids in index order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.ends.len()).map(|ix| slice(&self.bytes, &self.ends, ix))
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

    #[test]
    fn arena_keeps_ids_apart_through_growth() {
        let mut m = IdMap::with_capacity(2);
        let ids: Vec<String> = (0..5000).map(|i| format!("id{}", i * 7 % 5000)).collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(m.insert(id), (i as u32, true));
        }
        // "" and prefixes of other ids are distinct ids.
        assert_eq!(m.insert(""), (5000, true));
        assert_eq!(m.insert("id"), (5001, true));
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(m.get(id), Some(i as u32));
            assert_eq!(m.name(i as u32), Some(id.as_str()));
        }
        assert_eq!(m.get(""), Some(5000));
        assert_eq!(m.name(5001), Some("id"));
        assert_eq!(m.names().count(), 5002);
        assert_eq!(m.clone(), m);
        assert_ne!(
            IdMap::from_ids(["ab", "c"]).unwrap(),
            IdMap::from_ids(["a", "bc"]).unwrap()
        );
    }
}
