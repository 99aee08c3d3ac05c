//! Repeat purchase: which categories are consumables that circles buy again, and which
//! are durables that, once bought, should not be shown again.
//!
//! The repeat-customer probability of a category (RCP, Bhagat et al., "Buy It Again",
//! KDD'18; `shared/DOMAIN.md` §4.3) is the share of (promoter, item) pairs in it that
//! were ordered more than once, shrunk toward the global share with strength `a`:
//! `RCP_c = (repeat_c + a·RCP) / (pairs_c + a)`. A category whose RCP is below
//! `durable_below` is treated as durable.

use crate::data::{Catalog, History, NO_CATEGORY};
use serde::{Deserialize, Serialize};

/// Settings of the repeat-purchase statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RepurchaseConfig {
    /// Categories with a repeat-customer probability below this are durables. Default 0.05.
    pub durable_below: f64,
    /// Shrinkage strength toward the global RCP, in (promoter, item) pairs. Default 10.
    pub prior_pairs: f64,
    /// Category paths (or their prefixes, e.g. `3c` or `appliance/kitchen`) that are
    /// durables whatever the data says. Default none.
    pub durable_categories: Vec<String>,
}

impl Default for RepurchaseConfig {
    fn default() -> Self {
        RepurchaseConfig {
            durable_below: 0.05,
            prior_pairs: 10.0,
            durable_categories: Vec::new(),
        }
    }
}

impl RepurchaseConfig {
    /// Checks the ranges.
    ///
    /// # Errors
    /// [`crate::ConfigError::OutOfRange`] when `durable_below` is outside [0, 1] or the
    /// prior is negative.
    pub fn validate(&self) -> Result<(), crate::ConfigError> {
        use crate::error::check_range;
        check_range(
            "repurchase.durable_below",
            self.durable_below,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "repurchase.prior_pairs",
            self.prior_pairs,
            0.0,
            1e12,
            "[0, 1e12]",
        )
    }
}

/// Repeat statistics per category (indexed by category id, all levels).
#[derive(Debug, Clone, PartialEq)]
pub struct Repurchase {
    /// Shrunk RCP per category id.
    pub rcp: Vec<f32>,
    /// Median days between repeat orders of the same item, per category id (NaN-free;
    /// 0 where no repeat was seen).
    pub median_cycle_days: Vec<f32>,
    /// RCP over all pairs.
    pub global_rcp: f32,
    /// Durable flag per category id.
    pub durable: Vec<bool>,
}

impl Repurchase {
    /// Counts repeat pairs in `history` by the leaf category of each item.
    pub fn fit(history: &History, catalog: &Catalog, cfg: &RepurchaseConfig) -> Repurchase {
        let n_cat = catalog.taxonomy.len();
        let mut pairs = vec![0f64; n_cat];
        let mut repeats = vec![0f64; n_cat];
        let mut gaps: Vec<Vec<f32>> = vec![Vec::new(); n_cat];
        let (mut all_pairs, mut all_repeats) = (0f64, 0f64);
        let mut buf: Vec<(u32, i64)> = Vec::new();
        for p in 0..history.n_promoters() as u32 {
            buf.clear();
            buf.extend(
                history
                    .items(p)
                    .iter()
                    .copied()
                    .zip(history.times(p).iter().copied()),
            );
            buf.sort_unstable();
            let mut s = 0;
            while s < buf.len() {
                let item = buf[s].0;
                let mut e = s + 1;
                while e < buf.len() && buf[e].0 == item {
                    e += 1;
                }
                let leaf = catalog.leaf_category(item);
                let repeated = e - s > 1;
                all_pairs += 1.0;
                if repeated {
                    all_repeats += 1.0;
                }
                if leaf != NO_CATEGORY {
                    // Count the pair at every level of its category path.
                    let levels = catalog
                        .category
                        .get(item as usize)
                        .copied()
                        .unwrap_or([NO_CATEGORY; 3]);
                    for c in levels.into_iter().filter(|&c| c != NO_CATEGORY) {
                        let c = c as usize;
                        if c < n_cat {
                            pairs[c] += 1.0;
                            if repeated {
                                repeats[c] += 1.0;
                                for w in buf[s..e].windows(2) {
                                    gaps[c].push(((w[1].1 - w[0].1) as f32 / 86_400.0).max(0.0));
                                }
                            }
                        }
                    }
                }
                s = e;
            }
        }
        let global = if all_pairs > 0.0 {
            all_repeats / all_pairs
        } else {
            0.0
        };
        let a = cfg.prior_pairs;
        let rcp: Vec<f32> = (0..n_cat)
            .map(|c| {
                let d = pairs[c] + a;
                if d > 0.0 {
                    ((repeats[c] + a * global) / d) as f32
                } else {
                    global as f32
                }
            })
            .collect();
        let median_cycle_days = gaps
            .iter_mut()
            .map(|g| {
                if g.is_empty() {
                    return 0.0;
                }
                g.sort_unstable_by(f32::total_cmp);
                g[g.len() / 2]
            })
            .collect();
        let named = |c: usize| {
            let path = catalog.taxonomy.paths.name(c as u32).unwrap_or("");
            cfg.durable_categories.iter().any(|d| {
                let d = d.trim_end_matches('/');
                path == d
                    || path
                        .strip_prefix(d)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
        };
        let durable = rcp
            .iter()
            .enumerate()
            .map(|(c, &r)| f64::from(r) < cfg.durable_below || named(c))
            .collect();
        Repurchase {
            rcp,
            median_cycle_days,
            global_rcp: global as f32,
            durable,
        }
    }

    /// Whether item `i` (by its leaf category) is a durable.
    pub fn is_durable(&self, catalog: &Catalog, i: u32) -> bool {
        let leaf = catalog.leaf_category(i);
        self.durable.get(leaf as usize).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DatasetBuilder, ItemRecord, OrderRecord};

    #[test]
    fn consumables_repeat_durables_do_not() {
        let mut b = DatasetBuilder::new();
        for (id, cat) in [("rice", "fresh/grain/rice"), ("phone", "3c/phone/phone")] {
            b.push_item(&ItemRecord {
                item_id: id,
                category: Some(cat),
                ..Default::default()
            })
            .unwrap();
        }
        for p in 0..100 {
            let pid = format!("p{p}");
            for t in 0..3 {
                b.push_order(&OrderRecord {
                    promoter_id: &pid,
                    item_id: "rice",
                    ts: 1_000_000 + t * 7 * 86_400,
                    ..Default::default()
                })
                .unwrap();
            }
            b.push_order(&OrderRecord {
                promoter_id: &pid,
                item_id: "phone",
                ts: 1_000_000,
                ..Default::default()
            })
            .unwrap();
        }
        let ds = b.finish().unwrap();
        let r = Repurchase::fit(&ds.history(), &ds.catalog, &RepurchaseConfig::default());
        assert!(!r.is_durable(&ds.catalog, 0));
        assert!(r.is_durable(&ds.catalog, 1));
        let rice_leaf = ds.catalog.leaf_category(0) as usize;
        assert!((r.median_cycle_days[rice_leaf] - 7.0).abs() < 1e-3);
        assert!(r.rcp.iter().all(|x| (0.0..=1.0).contains(x)));
        let cfg = RepurchaseConfig {
            durable_categories: vec!["fresh/grain".into()],
            ..Default::default()
        };
        let r = Repurchase::fit(&ds.history(), &ds.catalog, &cfg);
        assert!(
            r.is_durable(&ds.catalog, 0),
            "named categories are durables"
        );
    }
}
