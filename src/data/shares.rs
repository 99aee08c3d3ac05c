//! Shares: a promoter posted an item into one of her groups.

use super::ids::IdMap;

/// The share log, one row per post. Shares that led to no order are the negatives a
/// learned ranker needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shares {
    /// Promoter index per share.
    pub promoter: Vec<u32>,
    /// Item index per share.
    pub item: Vec<u32>,
    /// Share time (unix seconds).
    pub ts: Vec<i64>,
    /// Group index per share ([`super::orders::NO_ID`] when absent).
    pub group: Vec<u32>,
    /// External group ids.
    pub group_ids: IdMap,
}

impl Shares {
    /// Number of shares.
    pub fn len(&self) -> usize {
        self.promoter.len()
    }

    /// True when there is no share.
    pub fn is_empty(&self) -> bool {
        self.promoter.is_empty()
    }

    /// The rows whose `keep` predicate is true.
    pub fn filter(&self, mut keep: impl FnMut(usize) -> bool) -> Shares {
        let mut out = Shares {
            group_ids: self.group_ids.clone(),
            ..Shares::default()
        };
        for r in 0..self.len() {
            if keep(r) {
                out.promoter.push(self.promoter[r]);
                out.item.push(self.item[r]);
                out.ts.push(self.ts[r]);
                out.group.push(self.group[r]);
            }
        }
        out
    }
}
