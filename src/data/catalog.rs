//! The item catalogue, column by column.

use super::ids::IdMap;
use serde::{Deserialize, Serialize};

/// Who sells an item: the platform itself, or a marketplace merchant.
///
/// Self-operated items pay little or no commission; marketplace merchants set a
/// commission rate to attract promoters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seller {
    /// Sold and shipped by the platform (JD "self-operated").
    SelfOperated,
    /// Sold by a third-party merchant on the platform (POP).
    Marketplace,
}

impl Seller {
    /// Both kinds, in a fixed order (the codes of serialised forms).
    pub const ALL: [Seller; 2] = [Seller::SelfOperated, Seller::Marketplace];

    /// Parses `self_operated` or `marketplace` (case-insensitive).
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "self_operated" | "self-operated" | "self" => Ok(Seller::SelfOperated),
            "marketplace" | "pop" => Ok(Seller::Marketplace),
            other => Err(format!(
                "unknown seller \"{other}\" (expected self_operated or marketplace)"
            )),
        }
    }

    /// The name used in files: `self_operated` or `marketplace`.
    pub fn as_str(self) -> &'static str {
        match self {
            Seller::SelfOperated => "self_operated",
            Seller::Marketplace => "marketplace",
        }
    }
}

/// The category taxonomy: every prefix of every category path gets an id.
///
/// An item in `fresh/fruit/citrus` belongs to `fresh` (level 1), `fresh/fruit`
/// (level 2) and `fresh/fruit/citrus` (level 3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Taxonomy {
    /// Every prefix path, e.g. `fresh`, `fresh/fruit`.
    pub paths: IdMap,
    /// The depth (1..=3) of each path in `paths`.
    pub depth: Vec<u8>,
}

/// Maximum depth of a category path.
pub const MAX_CATEGORY_DEPTH: usize = 3;

/// Marks an absent category level in [`Catalog::category`].
pub const NO_CATEGORY: u32 = u32::MAX;

impl Taxonomy {
    /// Interns a category path and returns its level ids (absent levels are
    /// [`NO_CATEGORY`]); errors on an empty segment or more than three levels.
    ///
    /// A level whose name holds a `/` writes it `\/` (and a backslash `\\`):
    /// `frozen/ICE - CRUSHED\/CUBED` has two levels. Paths are stored as written.
    pub fn intern(&mut self, path: &str) -> Result<[u32; MAX_CATEGORY_DEPTH], String> {
        let path = path.trim();
        let segments: Vec<&str> = split_levels(path).into_iter().map(str::trim).collect();
        if segments.len() > MAX_CATEGORY_DEPTH {
            return Err(format!(
                "category \"{path}\" has {} levels; at most {MAX_CATEGORY_DEPTH} are allowed (e.g. fresh/fruit/citrus)",
                segments.len()
            ));
        }
        if segments.iter().any(|s| s.is_empty()) {
            return Err(format!("category \"{path}\" has an empty level"));
        }
        let mut out = [NO_CATEGORY; MAX_CATEGORY_DEPTH];
        let mut prefix = String::new();
        for (level, seg) in segments.iter().enumerate() {
            if level > 0 {
                prefix.push('/');
            }
            prefix.push_str(seg);
            let (id, inserted) = self.paths.insert(&prefix);
            if inserted {
                self.depth.push(level as u8 + 1);
            }
            out[level] = id;
        }
        Ok(out)
    }

    /// The level-1 ancestor of category `c` (itself at level 1).
    pub fn top(&self, c: u32) -> u32 {
        let path = self.paths.name(c).unwrap_or("");
        let top = split_levels(path).first().copied().unwrap_or(path);
        self.paths.get(top).unwrap_or(c)
    }

    /// Number of category paths (all levels).
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// True when there is no category.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

/// The levels of a category path: split at each `/` that no backslash escapes
/// (`a\/b/c` is `a\/b` and `c`). The levels keep their escapes, so joining them
/// with `/` gives the path back.
pub fn split_levels(path: &str) -> Vec<&str> {
    let mut out = Vec::with_capacity(MAX_CATEGORY_DEPTH);
    let (mut start, mut escaped) = (0, false);
    for (i, ch) in path.char_indices() {
        match ch {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '/' => {
                out.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&path[start..]);
    out
}

/// Escapes a level name for a category path: `/` becomes `\/` and `\` becomes `\\`.
///
/// ```
/// use kocrank::data::{escape_level, split_levels};
/// let path = format!("{}/{}", escape_level("frozen"), escape_level("ICE - CRUSHED/CUBED"));
/// assert_eq!(path, "frozen/ICE - CRUSHED\\/CUBED");
/// assert_eq!(split_levels(&path).len(), 2);
/// ```
pub fn escape_level(name: &str) -> String {
    name.replace('\\', "\\\\").replace('/', "\\/")
}

/// The catalogue: one entry per item, stored as columns indexed by the dense item index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    /// External item ids.
    pub ids: IdMap,
    /// Category level ids per item (level 1, 2, 3; absent levels are [`NO_CATEGORY`]).
    pub category: Vec<[u32; MAX_CATEGORY_DEPTH]>,
    /// All category paths.
    pub taxonomy: Taxonomy,
    /// Brand index per item into `brands` (index 0 is the empty brand, "unknown").
    pub brand: Vec<u32>,
    /// Brand names.
    pub brands: IdMap,
    /// Price in integer cents (≥ 0).
    pub price_cents: Vec<i64>,
    /// Positive reviews (≤ `reviews_total`).
    pub reviews_positive: Vec<u32>,
    /// All reviews.
    pub reviews_total: Vec<u32>,
    /// Commission rate paid to the promoter, a fraction in `[0, 1]`.
    pub commission_rate: Vec<f32>,
    /// Seller type.
    pub seller: Vec<Seller>,
    /// Whether the item can be ordered now.
    pub in_stock: Vec<bool>,
    /// Listing time (unix seconds), if known.
    pub listed_at: Vec<Option<i64>>,
}

impl Catalog {
    /// An empty catalogue (brand 0 = unknown).
    pub fn new() -> Self {
        let mut c = Catalog::default();
        c.brands.insert("");
        c
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when there is no item.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The level-1 category of item `i` (its top category).
    pub fn top_category(&self, i: u32) -> u32 {
        self.category.get(i as usize).map_or(NO_CATEGORY, |c| c[0])
    }

    /// The deepest category id of item `i`.
    pub fn leaf_category(&self, i: u32) -> u32 {
        self.category
            .get(i as usize)
            .and_then(|c| c.iter().rev().find(|&&x| x != NO_CATEGORY).copied())
            .unwrap_or(NO_CATEGORY)
    }

    /// Commission amount of item `i` in cents: `price × rate`.
    pub fn commission_cents(&self, i: u32) -> f64 {
        let i = i as usize;
        match (self.price_cents.get(i), self.commission_rate.get(i)) {
            (Some(&p), Some(&r)) => p as f64 * f64::from(r),
            _ => 0.0,
        }
    }

    /// The category path of item `i` (e.g. `fresh/fruit/citrus`).
    pub fn category_path(&self, i: u32) -> &str {
        self.taxonomy
            .paths
            .name(self.leaf_category(i))
            .unwrap_or("")
    }

    /// The brand name of item `i` (empty when unknown).
    pub fn brand_name(&self, i: u32) -> &str {
        self.brand
            .get(i as usize)
            .and_then(|&b| self.brands.name(b))
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxonomy_interns_prefixes() {
        let mut t = Taxonomy::default();
        let a = t.intern("fresh/fruit/citrus").unwrap();
        let b = t.intern("fresh/fruit").unwrap();
        assert_eq!(a[0], b[0]);
        assert_eq!(a[1], b[1]);
        assert_eq!(b[2], NO_CATEGORY);
        assert_eq!(t.len(), 3);
        assert_eq!(t.depth, vec![1, 2, 3]);
        assert!(t.intern("a/b/c/d").unwrap_err().contains("4 levels"));
        assert!(t.intern("a//c").unwrap_err().contains("empty level"));
        // An escaped slash stays inside its level.
        let e = t.intern(r"frozen/ICE - CRUSHED\/CUBED").unwrap();
        assert_ne!(e[1], NO_CATEGORY);
        assert_eq!(e[2], NO_CATEGORY);
        assert_eq!(t.paths.name(e[1]), Some(r"frozen/ICE - CRUSHED\/CUBED"));
        assert_eq!(t.top(e[1]), t.paths.get("frozen").unwrap());
        assert_eq!(split_levels(r"a\\/b"), vec![r"a\\", "b"]);
    }

    #[test]
    fn seller_parses() {
        assert_eq!(
            Seller::parse("Self_Operated").unwrap(),
            Seller::SelfOperated
        );
        assert!(Seller::parse("shop").is_err());
    }
}
