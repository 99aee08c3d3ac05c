//! Ranking metrics for one promoter's list against the items her circle ordered in the
//! test window, and what the list shows beyond accuracy.
//!
//! With `L` the list, `L[k]` its item at 1-based position `k`, `R` the set of relevant
//! (ordered) items, `K` the cut-off and `disc(k) = 1 / log2(k + 1)`:
//!
//! * `Recall@K = |L[..K] ∩ R| / |R|`
//! * `HitRate@K = 1` if `L[..K] ∩ R ≠ ∅`, else 0
//! * `NDCG@K = DCG / IDCG`, `DCG = Σ_{k≤K, L[k]∈R} disc(k)`, `IDCG` the same sum over
//!   the first `min(|R|, K)` positions (binary gains)
//! * `MAP@K`: `AP@K = Σ_{k≤K, L[k]∈R} Precision@k / min(|R|, K)`
//! * `MRR@K = 1 / k*`, `k*` the position of the first relevant item within `K`
//!   (0 when there is none)
//! * `Commission@K = Σ_{i∈L[..K]∩R} comm(i)`, `comm(i)` the commission earned by the
//!   test orders of `i` (amount × commission rate, in currency units)
//! * `GMV@K`: the same with the amount paid, `gmv(i)`
//! * `ExpComm@K = Σ_{k≤K} disc(k) · comm(L[k])` (`shared/DOMAIN.md` §5.6): commission
//!   discounted by position, as a promoter who reads the list top-down earns it
//! * `RW-NDCG@K = Σ_{k≤K} disc(k) · gmv(L[k]) / Σ_{k≤K} disc(k) · gmv(I[k])`, `I` the
//!   relevant items by GMV, largest first (revenue-weighted NDCG; 0 when no relevant
//!   item has GMV)
//!
//! Beyond accuracy, over the shown items `S = L[..min(K, |L|)]` (0 for an empty list),
//! with training popularity `c(i)` (completed orders) over `N` orders and `n` items:
//!
//! * novelty `= mean_{i∈S} −log2 p(i)`, `p(i) = (c(i) + 1) / (N + n)` (mean
//!   self-information, Laplace-smoothed so an unseen item is finite)
//! * popularity percentile `= mean_{i∈S} pct(i)`, `pct(i) = (#{j: c(j) < c(i)} +
//!   (#{j: c(j) = c(i)} − 1) / 2) / (n − 1)` (mid-rank; 0 the rarest, 1 the most
//!   ordered item)
//! * diversity `= 1 − same / pairs`, the intra-list diversity by leaf category: `same`
//!   the pairs of `S` sharing a leaf category, `pairs = |S|(|S| − 1)/2` (0 below two
//!   items)
//! * self-operated share `= |{i∈S: seller(i) = self-operated}| / |S|`
//! * quality `= mean_{i∈S} q(i)`, `q` the smoothed positive-review rate
//!   ([`crate::signals::quality::Quality::posterior`])
//!
//! Means over promoters are taken over those with at least one relevant item.

use crate::data::{Catalog, Seller};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What the test orders of one relevant item were worth.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Value {
    /// Amount paid, in currency units.
    pub gmv: f64,
    /// Commission earned, in currency units.
    pub commission: f64,
}

/// Number of metrics in a [`ListMetrics`].
pub const N_METRICS: usize = 14;

/// Metrics of one list at one cut-off (or their mean over promoters). See the module
/// docs for each formula.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ListMetrics {
    /// Recall@K.
    pub recall: f64,
    /// NDCG@K (binary gains).
    pub ndcg: f64,
    /// AP@K.
    pub map: f64,
    /// HitRate@K.
    pub hit_rate: f64,
    /// MRR@K.
    pub mrr: f64,
    /// Commission@K, currency units.
    pub commission: f64,
    /// GMV@K, currency units.
    pub gmv: f64,
    /// ExpComm@K: position-discounted commission, currency units.
    pub exp_commission: f64,
    /// Revenue-weighted NDCG@K (gain = GMV of the item's test orders).
    pub rw_ndcg: f64,
    /// Mean self-information of the shown items, bits.
    pub novelty: f64,
    /// Mean training-popularity percentile of the shown items, in `[0, 1]`.
    pub popularity: f64,
    /// Intra-list diversity by leaf category, in `[0, 1]`.
    pub diversity: f64,
    /// Share of self-operated items shown, in `[0, 1]`.
    pub self_operated: f64,
    /// Mean smoothed positive-review rate of the shown items, in `[0, 1]`.
    pub quality: f64,
}

impl ListMetrics {
    /// The field names, in the order of [`ListMetrics::to_array`].
    pub const NAMES: [&'static str; N_METRICS] = [
        "recall",
        "ndcg",
        "map",
        "hit_rate",
        "mrr",
        "commission",
        "gmv",
        "exp_commission",
        "rw_ndcg",
        "novelty",
        "popularity",
        "diversity",
        "self_operated",
        "quality",
    ];

    /// The metrics as an array, in the order of [`ListMetrics::NAMES`].
    pub fn to_array(&self) -> [f64; N_METRICS] {
        [
            self.recall,
            self.ndcg,
            self.map,
            self.hit_rate,
            self.mrr,
            self.commission,
            self.gmv,
            self.exp_commission,
            self.rw_ndcg,
            self.novelty,
            self.popularity,
            self.diversity,
            self.self_operated,
            self.quality,
        ]
    }

    /// The inverse of [`ListMetrics::to_array`].
    pub fn from_array(a: [f64; N_METRICS]) -> ListMetrics {
        let [recall, ndcg, map, hit_rate, mrr, commission, gmv, exp_commission, rw_ndcg, novelty, popularity, diversity, self_operated, quality] =
            a;
        ListMetrics {
            recall,
            ndcg,
            map,
            hit_rate,
            mrr,
            commission,
            gmv,
            exp_commission,
            rw_ndcg,
            novelty,
            popularity,
            diversity,
            self_operated,
            quality,
        }
    }

    /// The metric called `name` (one of [`ListMetrics::NAMES`]).
    pub fn get(&self, name: &str) -> Option<f64> {
        let i = Self::NAMES.iter().position(|&n| n == name)?;
        self.to_array().get(i).copied()
    }

    /// Adds `other` field by field.
    pub fn add(&mut self, o: &ListMetrics) {
        let mut a = self.to_array();
        for (x, y) in a.iter_mut().zip(o.to_array()) {
            *x += y;
        }
        *self = ListMetrics::from_array(a);
    }

    /// Divides every field by `n` (no-op for `n = 0`).
    pub fn scale(&mut self, n: f64) {
        if n > 0.0 {
            *self = ListMetrics::from_array(self.to_array().map(|x| x / n));
        }
    }
}

/// `1 / log2(position + 1)` for 1-based `position`.
pub fn discount(position: usize) -> f64 {
    1.0 / ((position + 1) as f64).log2()
}

/// Relevance metrics of `list` (best first) at cut-off `k` against `relevant`: recall,
/// NDCG, MAP, hit rate, MRR, commission, GMV, ExpComm and RW-NDCG. The beyond-accuracy
/// fields stay 0 ([`ItemStats::fill`] sets them). An empty `relevant` or `k = 0`
/// gives all zeros.
///
/// ```
/// use kocrank::eval::metrics::{list_metrics, Value};
/// use std::collections::HashMap;
/// let relevant: HashMap<u32, Value> = [(7, Value { gmv: 10.0, commission: 1.0 })].into();
/// let m = list_metrics(&[3, 7, 9], &relevant, 3);
/// assert_eq!(m.recall, 1.0);
/// assert!((m.ndcg - 1.0 / 3f64.log2()).abs() < 1e-12);
/// assert_eq!(m.map, 0.5);
/// assert_eq!(m.mrr, 0.5);
/// assert_eq!(m.commission, 1.0);
/// assert!((m.exp_commission - 1.0 / 3f64.log2()).abs() < 1e-12);
/// ```
pub fn list_metrics(list: &[u32], relevant: &HashMap<u32, Value>, k: usize) -> ListMetrics {
    if relevant.is_empty() || k == 0 {
        return ListMetrics::default();
    }
    let mut m = ListMetrics::default();
    let mut hits = 0usize;
    let mut dcg = 0.0;
    let mut rw_dcg = 0.0;
    let mut ap = 0.0;
    for (pos0, item) in list.iter().take(k).enumerate() {
        if let Some(v) = relevant.get(item) {
            let d = discount(pos0 + 1);
            hits += 1;
            if hits == 1 {
                m.mrr = 1.0 / (pos0 + 1) as f64;
            }
            dcg += d;
            rw_dcg += d * v.gmv;
            ap += hits as f64 / (pos0 + 1) as f64;
            m.commission += v.commission;
            m.gmv += v.gmv;
            m.exp_commission += d * v.commission;
        }
    }
    let ideal = relevant.len().min(k);
    let idcg: f64 = (1..=ideal).map(discount).sum();
    let mut gains: Vec<f64> = relevant.values().map(|v| v.gmv).collect();
    gains.sort_by(|a, b| b.total_cmp(a));
    let rw_idcg: f64 = gains
        .iter()
        .take(k)
        .enumerate()
        .map(|(p, g)| discount(p + 1) * g)
        .sum();
    m.recall = hits as f64 / relevant.len() as f64;
    m.hit_rate = if hits > 0 { 1.0 } else { 0.0 };
    m.ndcg = if idcg > 0.0 { dcg / idcg } else { 0.0 };
    m.rw_ndcg = if rw_idcg > 0.0 { rw_dcg / rw_idcg } else { 0.0 };
    m.map = ap / ideal as f64;
    m
}

/// What the beyond-accuracy metrics need to know of each catalogue item: training
/// popularity, leaf category, seller and smoothed quality.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemStats {
    /// `−log2 p(i)` per item (see the module docs).
    pub self_information: Vec<f64>,
    /// Mid-rank popularity percentile per item, in `[0, 1]`.
    pub popularity_percentile: Vec<f64>,
    /// Leaf category per item.
    pub leaf_category: Vec<u32>,
    /// Whether each item is self-operated.
    pub self_operated: Vec<bool>,
    /// Smoothed positive-review rate per item.
    pub quality: Vec<f64>,
}

impl ItemStats {
    /// Builds the table from training order counts per item (`counts[i]`, one per
    /// catalogue item), the catalogue and the smoothed quality per item. Missing
    /// entries count as 0 orders and quality 0.
    ///
    /// ```
    /// use kocrank::eval::metrics::ItemStats;
    /// let catalog = kocrank::data::Catalog::new();
    /// let s = ItemStats::new(&[0, 1, 1, 5], &catalog, &[]);
    /// assert_eq!(s.popularity_percentile, vec![0.0, 0.5, 0.5, 1.0]);
    /// // p(3) = (5 + 1) / (7 + 4)
    /// assert!((s.self_information[3] + (6.0f64 / 11.0).log2()).abs() < 1e-12);
    /// ```
    pub fn new(counts: &[u64], catalog: &Catalog, quality: &[f32]) -> ItemStats {
        let n = counts.len();
        let total: f64 = counts.iter().map(|&c| c as f64).sum();
        let self_information = counts
            .iter()
            .map(|&c| -((c as f64 + 1.0) / (total + n as f64)).log2())
            .collect();
        let mut sorted: Vec<u64> = counts.to_vec();
        sorted.sort_unstable();
        let denom = n.saturating_sub(1).max(1) as f64;
        let popularity_percentile = counts
            .iter()
            .map(|c| {
                let less = sorted.partition_point(|x| x < c);
                let equal = sorted.partition_point(|x| x <= c) - less;
                (less as f64 + (equal.saturating_sub(1)) as f64 / 2.0) / denom
            })
            .collect();
        ItemStats {
            self_information,
            popularity_percentile,
            leaf_category: (0..n as u32).map(|i| catalog.leaf_category(i)).collect(),
            self_operated: (0..n)
                .map(|i| catalog.seller.get(i) == Some(&Seller::SelfOperated))
                .collect(),
            quality: (0..n)
                .map(|i| quality.get(i).map_or(0.0, |&q| f64::from(q)))
                .collect(),
        }
    }

    /// Sets the beyond-accuracy fields of `m` (novelty, popularity, diversity,
    /// self-operated share, quality) from the first `k` items of `list`.
    pub fn fill(&self, list: &[u32], k: usize, m: &mut ListMetrics) {
        let shown = &list[..list.len().min(k)];
        if shown.is_empty() {
            return;
        }
        let n = shown.len() as f64;
        let mean = |col: &[f64]| {
            shown
                .iter()
                .map(|&i| col.get(i as usize).copied().unwrap_or(0.0))
                .sum::<f64>()
                / n
        };
        m.novelty = mean(&self.self_information);
        m.popularity = mean(&self.popularity_percentile);
        m.quality = mean(&self.quality);
        m.self_operated = shown
            .iter()
            .filter(|&&i| self.self_operated.get(i as usize) == Some(&true))
            .count() as f64
            / n;
        let leaf = |i: u32| self.leaf_category.get(i as usize).copied();
        let (mut same, mut pairs) = (0usize, 0usize);
        for (a, &x) in shown.iter().enumerate() {
            for &y in &shown[a + 1..] {
                pairs += 1;
                if leaf(x) == leaf(y) {
                    same += 1;
                }
            }
        }
        m.diversity = if pairs > 0 {
            1.0 - same as f64 / pairs as f64
        } else {
            0.0
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(items: &[u32]) -> HashMap<u32, Value> {
        items
            .iter()
            .map(|&i| {
                (
                    i,
                    Value {
                        gmv: 2.0,
                        commission: 0.5,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn hand_computed_example() {
        // Relevant {1, 2, 5}; list [1, 3, 2, 4]; K = 4.
        let m = list_metrics(&[1, 3, 2, 4], &rel(&[1, 2, 5]), 4);
        assert!((m.recall - 2.0 / 3.0).abs() < 1e-12);
        let dcg = 1.0 + 1.0 / 4f64.log2();
        let idcg = 1.0 + 1.0 / 3f64.log2() + 1.0 / 4f64.log2();
        assert!((m.ndcg - dcg / idcg).abs() < 1e-12);
        assert!((m.map - (1.0 + 2.0 / 3.0) / 3.0).abs() < 1e-12);
        assert_eq!(m.hit_rate, 1.0);
        assert_eq!(m.mrr, 1.0);
        assert_eq!(m.gmv, 4.0);
        assert_eq!(m.commission, 1.0);
        // ExpComm = 0.5·1 + 0.5/log2(4) = 0.75.
        assert!((m.exp_commission - 0.75).abs() < 1e-12);
        // Equal gains: RW-NDCG equals binary NDCG.
        assert!((m.rw_ndcg - m.ndcg).abs() < 1e-12);
    }

    #[test]
    fn mrr_is_reciprocal_rank_of_first_hit() {
        let m = list_metrics(&[9, 8, 5, 1], &rel(&[1, 5]), 4);
        assert!((m.mrr - 1.0 / 3.0).abs() < 1e-12);
        let m = list_metrics(&[9, 8, 5, 1], &rel(&[1, 5]), 2);
        assert_eq!(m.mrr, 0.0);
    }

    #[test]
    fn revenue_weighted_ndcg_by_hand() {
        // gmv: item 1 → 10, item 2 → 30. List [1, 2]: DCG = 10 + 30/log2(3);
        // ideal order [2, 1]: IDCG = 30 + 10/log2(3).
        let r: HashMap<u32, Value> = [
            (
                1,
                Value {
                    gmv: 10.0,
                    commission: 1.0,
                },
            ),
            (
                2,
                Value {
                    gmv: 30.0,
                    commission: 6.0,
                },
            ),
        ]
        .into();
        let m = list_metrics(&[1, 2], &r, 2);
        let l3 = 3f64.log2();
        assert!((m.rw_ndcg - (10.0 + 30.0 / l3) / (30.0 + 10.0 / l3)).abs() < 1e-12);
        assert!((m.exp_commission - (1.0 + 6.0 / l3)).abs() < 1e-12);
        assert_eq!(list_metrics(&[2, 1], &r, 2).rw_ndcg, 1.0);
        // At K = 1 only the best gain is ideal: 10 / 30.
        assert!((list_metrics(&[1, 2], &r, 1).rw_ndcg - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn perfect_list_scores_one_and_cutoff_applies() {
        let m = list_metrics(&[5, 2, 1, 9], &rel(&[1, 2, 5]), 3);
        assert_eq!((m.recall, m.ndcg, m.map, m.hit_rate), (1.0, 1.0, 1.0, 1.0));
        let m = list_metrics(&[9, 8, 5], &rel(&[5]), 2);
        assert_eq!((m.recall, m.ndcg, m.hit_rate), (0.0, 0.0, 0.0));
    }

    #[test]
    fn bounded_in_unit_interval() {
        let r = rel(&[0, 4, 8, 12]);
        for k in 1..12 {
            let list: Vec<u32> = (0..k as u32).rev().collect();
            let m = list_metrics(&list, &r, k);
            for x in [m.recall, m.ndcg, m.map, m.hit_rate, m.mrr, m.rw_ndcg] {
                assert!((0.0..=1.0).contains(&x), "k={k} {m:?}");
            }
        }
    }

    fn stats() -> ItemStats {
        // Four items: orders 0, 1, 1, 5 (N = 7); leaves a, a, b, c; item 3
        // self-operated; quality 0.9, 0.8, 0.7, 0.6.
        ItemStats {
            self_information: [0u64, 1, 1, 5]
                .iter()
                .map(|&c| -((c as f64 + 1.0) / 11.0).log2())
                .collect(),
            popularity_percentile: vec![0.0, 0.5, 0.5, 1.0],
            leaf_category: vec![10, 10, 11, 12],
            self_operated: vec![false, false, false, true],
            quality: vec![0.9, 0.8, 0.7, 0.6],
        }
    }

    #[test]
    fn beyond_accuracy_by_hand() {
        let s = stats();
        let mut m = ListMetrics::default();
        s.fill(&[3, 0, 1, 2], 3, &mut m);
        // Shown: 3, 0, 1.
        let novelty =
            (-(6.0f64 / 11.0).log2() - (1.0f64 / 11.0).log2() - (2.0f64 / 11.0).log2()) / 3.0;
        assert!((m.novelty - novelty).abs() < 1e-12);
        assert!((m.popularity - 0.5).abs() < 1e-12);
        // Pairs (3,0) (3,1) (0,1): only (0,1) share leaf 10 → 1 − 1/3.
        assert!((m.diversity - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.self_operated - 1.0 / 3.0).abs() < 1e-12);
        assert!((m.quality - (0.6 + 0.9 + 0.8) / 3.0).abs() < 1e-12);
        let mut one = ListMetrics::default();
        s.fill(&[2], 5, &mut one);
        assert_eq!(one.diversity, 0.0);
        let mut none = ListMetrics::default();
        s.fill(&[], 5, &mut none);
        assert_eq!(none, ListMetrics::default());
    }

    #[test]
    fn stats_from_counts() {
        let c = Catalog::new();
        let s = ItemStats::new(&[3, 3, 3], &c, &[0.5]);
        assert_eq!(s.popularity_percentile, vec![0.5, 0.5, 0.5]);
        assert_eq!(s.quality, vec![0.5, 0.0, 0.0]);
        let one = ItemStats::new(&[4], &c, &[]);
        assert_eq!(one.popularity_percentile, vec![0.0]);
    }

    #[test]
    fn array_round_trip_and_names() {
        let m = ListMetrics::from_array(std::array::from_fn(|i| i as f64));
        assert_eq!(ListMetrics::from_array(m.to_array()), m);
        assert_eq!(m.get("mrr"), Some(4.0));
        assert_eq!(m.get("quality"), Some(13.0));
        assert_eq!(m.get("nope"), None);
    }
}
