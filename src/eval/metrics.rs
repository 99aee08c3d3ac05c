//! Ranking metrics for one promoter's list against the items her circle ordered in the
//! test window.
//!
//! With `L` the list, `R` the set of relevant (ordered) items and `K` the cut-off:
//!
//! * `Recall@K = |L[..K] ∩ R| / |R|`
//! * `HitRate@K = 1` if `L[..K] ∩ R ≠ ∅`, else 0
//! * `NDCG@K = DCG / IDCG`, `DCG = Σ_{k≤K, L[k]∈R} 1 / log2(k + 1)`, `IDCG` the same
//!   sum over the first `min(|R|, K)` positions (binary gains)
//! * `MAP@K`: `AP@K = Σ_{k≤K, L[k]∈R} Precision@k / min(|R|, K)`
//! * `Commission@K = Σ_{i∈L[..K]∩R} commission earned by the test orders of i` (in
//!   currency units: amount × commission rate / 100)
//! * `GMV@K`: the same with the amount paid
//!
//! Means over promoters are taken over those with at least one relevant item.

use serde::Serialize;
use std::collections::HashMap;

/// What the test orders of one relevant item were worth.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Value {
    /// Amount paid, in currency units.
    pub gmv: f64,
    /// Commission earned, in currency units.
    pub commission: f64,
}

/// Metrics of one list at one cut-off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ListMetrics {
    /// Recall@K.
    pub recall: f64,
    /// NDCG@K.
    pub ndcg: f64,
    /// AP@K.
    pub map: f64,
    /// HitRate@K.
    pub hit_rate: f64,
    /// Commission@K.
    pub commission: f64,
    /// GMV@K.
    pub gmv: f64,
}

impl ListMetrics {
    /// Adds `other` field by field.
    pub fn add(&mut self, o: &ListMetrics) {
        self.recall += o.recall;
        self.ndcg += o.ndcg;
        self.map += o.map;
        self.hit_rate += o.hit_rate;
        self.commission += o.commission;
        self.gmv += o.gmv;
    }

    /// Divides every field by `n` (no-op for `n = 0`).
    pub fn scale(&mut self, n: f64) {
        if n > 0.0 {
            self.recall /= n;
            self.ndcg /= n;
            self.map /= n;
            self.hit_rate /= n;
            self.commission /= n;
            self.gmv /= n;
        }
    }
}

/// `1 / log2(position + 1)` for 1-based `position`.
pub fn discount(position: usize) -> f64 {
    1.0 / ((position + 1) as f64).log2()
}

/// Metrics of `list` (best first) at cut-off `k` against `relevant`. A list with no
/// relevant item scores 0 everywhere; an empty `relevant` gives all zeros.
///
/// ```
/// use kocrank::eval::metrics::{list_metrics, Value};
/// use std::collections::HashMap;
/// let relevant: HashMap<u32, Value> = [(7, Value { gmv: 10.0, commission: 1.0 })].into();
/// let m = list_metrics(&[3, 7, 9], &relevant, 3);
/// assert_eq!(m.recall, 1.0);
/// assert!((m.ndcg - 1.0 / 3f64.log2()).abs() < 1e-12);
/// assert_eq!(m.map, 0.5);
/// assert_eq!(m.commission, 1.0);
/// ```
pub fn list_metrics(list: &[u32], relevant: &HashMap<u32, Value>, k: usize) -> ListMetrics {
    if relevant.is_empty() || k == 0 {
        return ListMetrics::default();
    }
    let mut m = ListMetrics::default();
    let mut hits = 0usize;
    let mut dcg = 0.0;
    let mut ap = 0.0;
    for (pos0, item) in list.iter().take(k).enumerate() {
        if let Some(v) = relevant.get(item) {
            hits += 1;
            dcg += discount(pos0 + 1);
            ap += hits as f64 / (pos0 + 1) as f64;
            m.commission += v.commission;
            m.gmv += v.gmv;
        }
    }
    let ideal = relevant.len().min(k);
    let idcg: f64 = (1..=ideal).map(discount).sum();
    m.recall = hits as f64 / relevant.len() as f64;
    m.hit_rate = if hits > 0 { 1.0 } else { 0.0 };
    m.ndcg = if idcg > 0.0 { dcg / idcg } else { 0.0 };
    m.map = ap / ideal as f64;
    m
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
        assert_eq!(m.gmv, 4.0);
        assert_eq!(m.commission, 1.0);
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
            for x in [m.recall, m.ndcg, m.map, m.hit_rate] {
                assert!((0.0..=1.0).contains(&x), "k={k} {m:?}");
            }
        }
    }
}
