//! Shares: a promoter posted an item into one of her groups, or sent it to someone.
//!
//! A share log may name who received each share (`receiver_id`, as in the triplet
//! logs of share-to-earn platforms: sharer, receiver, item). A receiver is a promoter;
//! an item shared to her says something about what her own circle may buy, which the
//! `[events] received` weight turns into an interaction of hers
//! ([`crate::data::events`]).

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
    /// The promoter who received each share ([`super::orders::NO_ID`] when the log
    /// names none). Empty when no share names a receiver.
    pub receiver: Vec<u32>,
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

    /// The receiver of share `r`, when the log names one.
    pub fn receiver(&self, r: usize) -> Option<u32> {
        self.receiver
            .get(r)
            .copied()
            .filter(|&x| x != super::orders::NO_ID)
    }

    /// True when some share names a receiver.
    pub fn has_receivers(&self) -> bool {
        self.receiver.iter().any(|&x| x != super::orders::NO_ID)
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
                if let Some(&x) = self.receiver.get(r) {
                    out.receiver.push(x);
                }
            }
        }
        out
    }
}
