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
    /// Reads every `part-*.csv` of `dir` (columns `promoter_id`, `rank`, `item_id`; others
    /// ignored). A missing column, a bad rank or a quoted field is an error naming the
    /// file and line.
    pub fn load(dir: &Path) -> Result<Nightly, String> {
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("--candidates {}: {e}", dir.display()))?;
        let mut parts: Vec<std::path::PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                name.starts_with("part-") && name.ends_with(".csv")
            })
            .collect();
        parts.sort();
        if parts.is_empty() {
            return Err(format!(
                "--candidates {}: no part-*.csv files (write them with `kocrank rank --all --format csv --out DIR`)",
                dir.display()
            ));
        }
        let mut ranked: HashMap<String, Vec<(u32, String)>> = HashMap::new();
        for part in &parts {
            let text =
                std::fs::read_to_string(part).map_err(|e| format!("{}: {e}", part.display()))?;
            let mut lines = text.lines().enumerate();
            let header: Vec<&str> = lines
                .next()
                .map_or(Vec::new(), |(_, h)| h.split(',').collect());
            let col = |name: &str| {
                header.iter().position(|h| *h == name).ok_or_else(|| {
                    format!("{}: no column \"{name}\" in the header", part.display())
                })
            };
            let (p, r, i) = (col("promoter_id")?, col("rank")?, col("item_id")?);
            for (at, line) in lines {
                if line.is_empty() {
                    continue;
                }
                let at = at + 1;
                if line.contains('"') {
                    return Err(format!(
                        "{}:{at}: quoted fields are not supported",
                        part.display()
                    ));
                }
                let fields: Vec<&str> = line.split(',').collect();
                let field = |k: usize, name: &str| {
                    fields
                        .get(k)
                        .copied()
                        .ok_or_else(|| format!("{}:{at}: no value for \"{name}\"", part.display()))
                };
                let rank: u32 = field(r, "rank")?
                    .parse()
                    .map_err(|_| format!("{}:{at}: rank is not a whole number", part.display()))?;
                ranked
                    .entry(field(p, "promoter_id")?.to_string())
                    .or_default()
                    .push((rank, field(i, "item_id")?.to_string()));
            }
        }
        let lists = ranked
            .into_iter()
            .map(|(p, mut items)| {
                items.sort_by_key(|x| x.0);
                (p, items.into_iter().map(|x| x.1).collect())
            })
            .collect();
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
