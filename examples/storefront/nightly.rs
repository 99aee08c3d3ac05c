//! The nightly candidate lists: each promoter's top N from the batch job
//! (`kocrank rank --model M --all --k 200 --format csv --out DIR`), re-ranked online.
//!
//! A request re-ranks her nightly list instead of the whole catalogue when she has one
//! and the request names no candidates itself: a few hundred items instead of every
//! item, with the live catalogue (stock, prices, commissions) and any recent orders of
//! the request applied. docs/serving.md measures what this costs in
//! recall.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use kocrank::Ranker;

/// Promoter id → her nightly item ids, best first.
#[derive(Debug, Default)]
pub struct Nightly {
    lists: HashMap<String, Vec<String>>,
    /// Nightly ids left out of requests because the snapshot did not know them.
    dropped: AtomicU64,
}

impl Nightly {
    /// Reads every `part-*.csv` of `dir` with the lean core's reader of kocrank's
    /// own part files ([`kocrank::batch::read_ranked_parts`]: quoted fields, errors
    /// naming the file, row and column).
    pub fn load(dir: &Path) -> Result<Nightly, String> {
        let lists = kocrank::batch::read_ranked_parts(dir)
            .map_err(|e| format!("--candidates {}: {e}", dir.display()))?;
        Ok(Nightly {
            lists,
            dropped: AtomicU64::new(0),
        })
    }

    /// Promoters with a list.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Nightly ids left out of requests so far because the snapshot did not know them
    /// (reported by `GET /healthz`; non-zero after a reload to another catalogue).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Her nightly items that the current snapshot still knows (a reload may have
    /// brought a model with another catalogue; the others are counted in
    /// [`Nightly::dropped`]), or `None` without a list.
    pub fn candidates(&self, promoter_id: &str, snapshot: &Ranker) -> Option<Vec<String>> {
        let ids = &snapshot.model().catalog().ids;
        self.lists.get(promoter_id).map(|items| {
            let known: Vec<String> = items
                .iter()
                .filter(|i| ids.get(i.as_str()).is_some())
                .cloned()
                .collect();
            let gone = (items.len() - known.len()) as u64;
            if gone > 0 {
                self.dropped.fetch_add(gone, Ordering::Relaxed);
            }
            known
        })
    }
}
