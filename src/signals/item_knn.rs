//! Item-to-item collaborative filtering on the promoter × item order matrix
//! (`shared/DOMAIN.md` §4.2): items whose orders come from the same circles are
//! neighbours, and a promoter is offered the neighbours of what her circle bought.
//!
//! Let `X` be the promoter × item matrix of completed-order counts (`x_{p,i}` = order
//! lines of item `i` that promoter `p` brought; counts, not 0/1, as the values handed
//! to the `implicit` package's recommenders). A weighting turns `X` into `W`, with
//! `N` the number of promoters, `df(i)` the number of promoters with an order of `i`,
//! `idf(i) = ln N − ln(1 + df(i))`, `|p| = Σ_i x_{p,i}` and `avg` its mean over
//! promoters (as `implicit`'s `nearest_neighbours.py`):
//!
//! ```text
//! cosine   w_{p,i} = x_{p,i}
//! tfidf    w_{p,i} = √x_{p,i} · idf(i)                                   (Salton)
//! bm25     w_{p,i} = x_{p,i} (K1 + 1) / (K1 ((1 − B) + B |p| / avg) + x_{p,i}) · idf(i)
//!                                                                (Robertson's Okapi BM25)
//! ```
//!
//! Item similarities are dot products of the columns of `W`, over the promoters that
//! ordered both items (the sparse product `WᵀW`):
//!
//! ```text
//! cosine        sim(i, j) = w_i · w_j / (‖w_i‖ ‖w_j‖ + shrink)
//! tfidf, bm25   sim(i, j) = w_i · w_j
//! ```
//!
//! Each item keeps its `neighbours` most similar items (itself included, as in
//! `implicit`: a circle that keeps buying an item is offered it again), with positive
//! similarity, best first, ties by lower item index. The score of item `i` for
//! promoter `p` (Sarwar et al., "Item-based collaborative filtering", 2001) is
//!
//! ```text
//! cf(p, i) = Σ_{j ∈ hist(p)} w_{p,j} · sim(j, i),   w_{p,j} = Σ_{orders o of j} 2^(−age_o / half_life)
//! ```
//!
//! (each order counts 1 when the half-life is 0), computed from the request's history,
//! so orders that arrived after training are folded in without refitting. Items that
//! no history item points to score 0; among equal scores the more ordered item wins
//! (a tie-break of at most [`TIE_BREAK`]).
//!
//! # Cost
//! With `nnz` distinct (promoter, item) pairs, `K` neighbours and `n` items, fitting
//! takes `O(nnz)` memory besides the result (`n · K` pairs of `u32` + `f32`) and one
//! dense `f32` row of `n` per worker, and `O(Σ_p |row_p|²)` time (each promoter's
//! items are paired once per item), plus `O(n_touched log K)` per item for the
//! selection. Nothing is quadratic in the number of items or promoters as such; a
//! promoter with very many distinct items dominates the time. Scoring one promoter
//! takes `O(|hist| · K + |candidates|)`.

use super::csr::Csr;
use super::{Context, Scorer};
use crate::data::History;
use crate::signals::popularity::decay;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

/// Largest addition to a score that only orders items of otherwise equal score by
/// their training orders (`TIE_BREAK · n(i) / max_j n(j)`).
pub const TIE_BREAK: f32 = 1e-6;

/// Completed orders per item (from the count matrix's columns and values) and each
/// item's tie-break, `TIE_BREAK · n(i) / max_j n(j)`.
pub(crate) fn orders_and_ties(col: &[u32], val: &[f32], n_items: usize) -> (Vec<f64>, Vec<f32>) {
    let mut orders = vec![0f64; n_items];
    for (&i, &c) in col.iter().zip(val) {
        if let Some(o) = orders.get_mut(i as usize) {
            *o += f64::from(c);
        }
    }
    let max_orders = orders.iter().copied().fold(0.0, f64::max).max(1.0);
    let tie = orders
        .iter()
        .map(|&c| (f64::from(TIE_BREAK) * c / max_orders) as f32)
        .collect();
    (orders, tie)
}

/// How the promoter × item counts are weighted before item similarities are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// Raw counts, similarity normalised by the item norms (`implicit`'s
    /// `CosineRecommender`).
    Cosine,
    /// `√count · idf` (`implicit`'s `TFIDFRecommender`).
    Tfidf,
    /// Okapi BM25 with `bm25_k1`, `bm25_b` (`implicit`'s `BM25Recommender`).
    Bm25,
    /// RP3beta (Paudel et al. 2017; Dacrema et al. 2019): the three-step random walk
    /// item → promoter → item on the 0/1 order matrix, with the walk's end divided by
    /// its popularity, `sim(i, j) = deg(i)^−α · Σ_p deg(p)^−α · deg(j)^−β` over the
    /// promoters who ordered both, with `rp3_alpha`, `rp3_beta`. Strong on sparse logs.
    Rp3beta,
}

/// Settings of item-to-item CF.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ItemKnnConfig {
    /// Weighting of the order counts. Default `bm25`.
    pub weighting: Weighting,
    /// BM25 term-frequency saturation `K1`. Default 1.2 (as `implicit`).
    pub bm25_k1: f64,
    /// BM25 length normalisation `B`, in [0, 1]. Default 0.75 (as `implicit`).
    pub bm25_b: f64,
    /// Neighbours kept per item, in 1..=10000. Default 100.
    pub neighbours: usize,
    /// Half-life of a history order's weight at scoring time, in days; 0 turns the
    /// decay off (every order counts 1). Default 90.
    pub half_life_days: f64,
    /// Shrinkage added to the cosine denominator, in orders (Koren's shrunk
    /// similarity); only with `weighting = "cosine"`. Default 0.
    pub shrink: f64,
    /// RP3beta's exponent α on the walk's transition probabilities, in [0, 4]; only
    /// with `weighting = "rp3beta"`. Default 1.
    pub rp3_alpha: f64,
    /// RP3beta's popularity exponent β, in [0, 2]; only with `weighting = "rp3beta"`.
    /// Default 0.5.
    pub rp3_beta: f64,
}

impl Default for ItemKnnConfig {
    fn default() -> Self {
        ItemKnnConfig {
            weighting: Weighting::Bm25,
            bm25_k1: 1.2,
            bm25_b: 0.75,
            neighbours: 100,
            half_life_days: 90.0,
            shrink: 0.0,
            rp3_alpha: 1.0,
            rp3_beta: 0.5,
        }
    }
}

impl ItemKnnConfig {
    /// Checks the ranges.
    ///
    /// # Errors
    /// [`crate::ConfigError::OutOfRange`] for a value out of its range;
    /// [`crate::ConfigError::Conflict`] for a shrink with a weighting other than cosine.
    pub fn validate(&self) -> Result<(), crate::ConfigError> {
        use crate::error::check_range;
        check_range("item_knn.bm25_k1", self.bm25_k1, 0.0, 1e6, "[0, 1e6]")?;
        check_range("item_knn.bm25_b", self.bm25_b, 0.0, 1.0, "[0, 1]")?;
        check_range(
            "item_knn.neighbours",
            self.neighbours as f64,
            1.0,
            10_000.0,
            "[1, 10000]",
        )?;
        check_range(
            "item_knn.half_life_days",
            self.half_life_days,
            0.0,
            36_500.0,
            "[0, 36500] (0 = no decay)",
        )?;
        check_range("item_knn.shrink", self.shrink, 0.0, 1e9, "[0, 1e9]")?;
        check_range("item_knn.rp3_alpha", self.rp3_alpha, 0.0, 4.0, "[0, 4]")?;
        check_range("item_knn.rp3_beta", self.rp3_beta, 0.0, 2.0, "[0, 2]")?;
        if self.shrink > 0.0 && self.weighting != Weighting::Cosine {
            return Err(crate::ConfigError::Conflict(format!(
                "item_knn.shrink = {} applies to cosine only; set weighting = \"cosine\" or shrink = 0",
                self.shrink
            )));
        }
        Ok(())
    }
}

/// Fitted item-to-item CF: each item's neighbours as compressed sparse rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemKnn {
    /// Row pointers, `n_items + 1` of them: item `j`'s neighbours are
    /// `indptr[j]..indptr[j + 1]`.
    pub(crate) indptr: Vec<usize>,
    /// Neighbour item per entry, best first within a row.
    pub(crate) neighbour: Vec<u32>,
    /// `sim(j, neighbour)` per entry.
    pub(crate) sim: Vec<f32>,
    /// Tie-break per item, in `[0, TIE_BREAK]`.
    pub(crate) tie: Vec<f32>,
    /// History half-life at scoring time, in days (0 = off).
    pub(crate) half_life_days: f64,
}

/// Applies the weighting to a promoter × item count matrix in place.
fn weigh(m: &mut Csr, n_items: usize, cfg: &ItemKnnConfig) {
    let n_rows = m.n_rows();
    let mut df = vec![0u32; n_items];
    for &i in &m.col {
        df[i as usize] += 1;
    }
    let n = n_rows.max(1) as f64;
    let idf: Vec<f64> = df.iter().map(|&d| n.ln() - f64::from(d).ln_1p()).collect();
    match cfg.weighting {
        Weighting::Cosine => {}
        Weighting::Tfidf => {
            for (v, &i) in m.val.iter_mut().zip(&m.col) {
                *v = (f64::from(*v).sqrt() * idf[i as usize]) as f32;
            }
        }
        Weighting::Bm25 => {
            let len: Vec<f64> = (0..n_rows)
                .map(|r| m.row(r).1.iter().map(|&x| f64::from(x)).sum())
                .collect();
            let avg = (len.iter().sum::<f64>() / n).max(f64::MIN_POSITIVE);
            let (k1, b) = (cfg.bm25_k1, cfg.bm25_b);
            for (r, &len_r) in len.iter().enumerate() {
                let norm = (1.0 - b) + b * len_r / avg;
                let (a, e) = (m.ptr[r], m.ptr[r + 1]);
                for k in a..e {
                    let x = f64::from(m.val[k]);
                    let w = x * (k1 + 1.0) / (k1 * norm + x) * idf[m.col[k] as usize];
                    m.val[k] = w as f32;
                }
            }
        }
        Weighting::Rp3beta => {
            // 0/1 entries scaled by deg(p)^(−α/2) on both sides of the product, so
            // the dot of two item columns is Σ_p deg(p)^−α over shared promoters.
            for r in 0..n_rows {
                let (a, e) = (m.ptr[r], m.ptr[r + 1]);
                let w = ((e - a).max(1) as f64).powf(-cfg.rp3_alpha / 2.0) as f32;
                m.val[a..e].iter_mut().for_each(|v| *v = w);
            }
        }
    }
}

/// Per-walk end weights of RP3beta: `(deg(i)^−α, deg(i)^−β)` per item, from the
/// number of promoters who ordered it; `None` for the other weightings.
fn rp3_ends(by_item: &Csr, n_items: usize, cfg: &ItemKnnConfig) -> Option<(Vec<f32>, Vec<f32>)> {
    (cfg.weighting == Weighting::Rp3beta).then(|| {
        (0..n_items)
            .map(|i| {
                let d = (by_item.ptr[i + 1] - by_item.ptr[i]).max(1) as f64;
                (d.powf(-cfg.rp3_alpha) as f32, d.powf(-cfg.rp3_beta) as f32)
            })
            .unzip()
    })
}

/// Per-worker scratch of the similarity product: a dense row and the touched items.
struct Scratch {
    acc: Vec<f32>,
    seen: Vec<bool>,
    touched: Vec<u32>,
}

/// Best first, ties by lower item index.
fn better(a: &(u32, f32), b: &(u32, f32)) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

/// Items processed per parallel round, which bounds the per-item lists held at once.
const CHUNK: usize = 16_384;

impl ItemKnn {
    /// Fits the neighbour lists from the training orders over `n_items` items.
    ///
    /// Deterministic whatever the number of threads.
    ///
    /// # Examples
    /// ```
    /// use kocrank::signals::item_knn::{ItemKnn, ItemKnnConfig};
    /// let world = kocrank::synth::generate(kocrank::synth::Scale::Tiny, 1).unwrap();
    /// let knn = ItemKnn::fit(&world.dataset.history(), world.dataset.catalog().len(), &ItemKnnConfig::default());
    /// assert_eq!(knn.n_items(), world.dataset.catalog().len());
    /// ```
    pub fn fit(history: &History, n_items: usize, cfg: &ItemKnnConfig) -> ItemKnn {
        let mut by_promoter = Csr::counts(history, n_items);
        let (_, tie) = orders_and_ties(&by_promoter.col, &by_promoter.val, n_items);
        weigh(&mut by_promoter, n_items, cfg);
        let by_item = by_promoter.transpose(n_items);
        let norm: Vec<f32> = (0..n_items)
            .map(|i| {
                let ss: f64 = by_item.row(i).1.iter().map(|&v| f64::from(v).powi(2)).sum();
                ss.sqrt() as f32
            })
            .collect();
        let k = cfg.neighbours.max(1);
        let cosine = cfg.weighting == Weighting::Cosine;
        let shrink = cfg.shrink as f32;
        let rp3 = rp3_ends(&by_item, n_items, cfg);

        let one_item = |s: &mut Scratch, i: usize| -> Vec<(u32, f32)> {
            let (ps, ws) = by_item.row(i);
            for (&p, &w) in ps.iter().zip(ws) {
                let (js, us) = by_promoter.row(p as usize);
                for (&j, &u) in js.iter().zip(us) {
                    let ju = j as usize;
                    if !s.seen[ju] {
                        s.seen[ju] = true;
                        s.touched.push(j);
                    }
                    s.acc[ju] += w * u;
                }
            }
            let mut best: Vec<(u32, f32)> = Vec::with_capacity(s.touched.len());
            for &j in &s.touched {
                let ju = j as usize;
                let dot = s.acc[ju];
                s.acc[ju] = 0.0;
                s.seen[ju] = false;
                let sim = if cosine {
                    dot / (norm[i] * norm[ju] + shrink)
                } else if let Some((start, end)) = &rp3 {
                    dot * start[i] * end[ju]
                } else {
                    dot
                };
                if sim > 0.0 && sim.is_finite() {
                    best.push((j, sim));
                }
            }
            s.touched.clear();
            if best.len() > k {
                best.select_nth_unstable_by(k - 1, better);
                best.truncate(k);
            }
            best.sort_unstable_by(better);
            best
        };

        let mut indptr = Vec::with_capacity(n_items + 1);
        indptr.push(0usize);
        let mut neighbour = Vec::new();
        let mut sim = Vec::new();
        for start in (0..n_items).step_by(CHUNK) {
            let end = (start + CHUNK).min(n_items);
            let lists: Vec<Vec<(u32, f32)>> = (start..end)
                .into_par_iter()
                .map_init(
                    || Scratch {
                        acc: vec![0f32; n_items],
                        seen: vec![false; n_items],
                        touched: Vec::new(),
                    },
                    one_item,
                )
                .collect();
            for l in lists {
                neighbour.extend(l.iter().map(|x| x.0));
                sim.extend(l.iter().map(|x| x.1));
                indptr.push(neighbour.len());
            }
        }
        ItemKnn {
            indptr,
            neighbour,
            sim,
            tie,
            half_life_days: cfg.half_life_days,
        }
    }

    /// Number of items covered.
    pub fn n_items(&self) -> usize {
        self.tie.len()
    }

    /// Item `j`'s neighbours and their similarities, best first (empty when out of
    /// range).
    pub fn neighbours(&self, j: u32) -> (&[u32], &[f32]) {
        let j = j as usize;
        match (self.indptr.get(j), self.indptr.get(j + 1)) {
            (Some(&a), Some(&b)) => (&self.neighbour[a..b], &self.sim[a..b]),
            _ => (&[], &[]),
        }
    }

    /// Rebuilds a fitted model from its stored parts, checking every length and index.
    ///
    /// # Errors
    /// A message naming the first inconsistency.
    pub(crate) fn from_parts(
        indptr: Vec<usize>,
        neighbour: Vec<u32>,
        sim: Vec<f32>,
        tie: Vec<f32>,
        half_life_days: f64,
    ) -> Result<ItemKnn, String> {
        let n = tie.len();
        if indptr.len() != n + 1 {
            return Err(format!(
                "item_knn has {} row pointers for {n} items",
                indptr.len()
            ));
        }
        if sim.len() != neighbour.len() {
            return Err(format!(
                "item_knn has {} similarities for {} neighbours",
                sim.len(),
                neighbour.len()
            ));
        }
        let ok_ptr = indptr.first() == Some(&0)
            && indptr.windows(2).all(|w| w[0] <= w[1])
            && indptr.last() == Some(&neighbour.len());
        if !ok_ptr {
            return Err("item_knn row pointers are not monotonic from 0 to the entry count".into());
        }
        if let Some(bad) = neighbour.iter().find(|&&j| j as usize >= n) {
            return Err(format!(
                "item_knn names neighbour {bad}, beyond the {n} items"
            ));
        }
        if sim.iter().chain(&tie).any(|s| !s.is_finite()) {
            return Err("item_knn holds a non-finite similarity".into());
        }
        if !(0.0..=36_500.0).contains(&half_life_days) {
            return Err(format!(
                "item_knn half-life {half_life_days} is outside [0, 36500]"
            ));
        }
        Ok(ItemKnn {
            indptr,
            neighbour,
            sim,
            tie,
            half_life_days,
        })
    }
}

thread_local! {
    /// Per-thread scoring scratch: a dense accumulator over items and the touched ones.
    static SCORE_SCRATCH: RefCell<(Vec<f64>, Vec<u32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

impl ItemKnn {
    fn score_with(
        &self,
        ctx: &Context<'_>,
        candidates: &[u32],
        out: &mut [f32],
        acc: &mut Vec<f64>,
        touched: &mut Vec<u32>,
    ) {
        let n = self.n_items();
        if acc.len() < n {
            acc.resize(n, 0.0);
        }
        let hl = self.half_life_days * 86_400.0;
        for (&j, &ts) in ctx.history.iter().zip(ctx.history_ts) {
            let w = if hl > 0.0 {
                decay(ctx.now - ts, hl)
            } else {
                1.0
            };
            let (is, ss) = self.neighbours(j);
            for (&i, &s) in is.iter().zip(ss) {
                let slot = &mut acc[i as usize];
                if *slot == 0.0 {
                    touched.push(i);
                }
                *slot += w * f64::from(s);
            }
        }
        for (o, &i) in out.iter_mut().zip(candidates) {
            *o = match self.tie.get(i as usize) {
                Some(&t) => acc[i as usize] as f32 + t,
                None => f32::NEG_INFINITY,
            };
        }
        for &i in touched.iter() {
            acc[i as usize] = 0.0;
        }
        touched.clear();
    }
}

impl Scorer for ItemKnn {
    fn name(&self) -> &'static str {
        "item_knn"
    }

    fn score(&self, ctx: &Context<'_>, candidates: &[u32], out: &mut [f32]) {
        assert_eq!(candidates.len(), out.len(), "one output slot per candidate");
        SCORE_SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut s) => {
                let (acc, touched) = &mut *s;
                self.score_with(ctx, candidates, out, acc, touched);
            }
            // Re-entered on this thread: use a fresh buffer.
            Err(_) => self.score_with(ctx, candidates, out, &mut Vec::new(), &mut Vec::new()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Channel, OrderStatus, Orders, NO_ID};

    /// Two groups of promoters buying disjoint items: promoters 0..4 buy items 0..4,
    /// promoters 4..8 buy items 4..8, each a different overlapping subset.
    fn blocks() -> History {
        let mut o = Orders::default();
        let mut push = |p: u32, i: u32, ts: i64| {
            o.promoter.push(p);
            o.item.push(i);
            o.ts.push(ts);
            o.quantity.push(1);
            o.amount_cents.push(100);
            o.status.push(OrderStatus::Completed);
            o.order_id.push(NO_ID);
            o.buyer.push(NO_ID);
            o.group.push(NO_ID);
        };
        for g in 0..2u32 {
            for p in 0..4u32 {
                for i in 0..4u32 {
                    if (p + i) % 4 != 3 {
                        push(g * 4 + p, g * 4 + i, i64::from(p * 10 + i));
                    }
                }
            }
        }
        // Item 0 is the most ordered item.
        push(1, 0, 100);
        o.history(8)
    }

    fn ctx<'a>(items: &'a [u32], ts: &'a [i64]) -> Context<'a> {
        Context {
            promoter: None,
            channel: Channel::Other,
            city_tier: 0,
            history: items,
            history_ts: ts,
            shares: &[],
            shares_ts: &[],
            now: 1_000,
            fold_in: true,
        }
    }

    fn all_weightings() -> Vec<ItemKnnConfig> {
        [Weighting::Cosine, Weighting::Tfidf, Weighting::Bm25]
            .into_iter()
            .map(|weighting| ItemKnnConfig {
                weighting,
                ..ItemKnnConfig::default()
            })
            .collect()
    }

    #[test]
    fn neighbours_stay_within_the_group() {
        let h = blocks();
        for cfg in all_weightings() {
            let knn = ItemKnn::fit(&h, 9, &cfg);
            for j in 0..8u32 {
                let (ns, ss) = knn.neighbours(j);
                assert!(!ns.is_empty(), "{cfg:?} item {j}");
                assert!(ns.iter().all(|&i| i / 4 == j / 4), "{cfg:?} {j}: {ns:?}");
                assert!(ss.windows(2).all(|w| w[0] >= w[1]), "best first {ss:?}");
            }
            // Item 8 was never ordered.
            assert!(knn.neighbours(8).0.is_empty());
        }
    }

    #[test]
    fn cosine_is_one_on_the_diagonal() {
        let knn = ItemKnn::fit(
            &blocks(),
            8,
            &ItemKnnConfig {
                weighting: Weighting::Cosine,
                ..ItemKnnConfig::default()
            },
        );
        for j in 0..8u32 {
            let (ns, ss) = knn.neighbours(j);
            let k = ns.iter().position(|&i| i == j).unwrap();
            assert!((ss[k] - 1.0).abs() < 1e-6, "{j}: {ss:?}");
            assert!(ss.iter().all(|&s| s <= 1.0 + 1e-6));
        }
    }

    #[test]
    fn every_weighting_ranks_the_group_first() {
        let h = blocks();
        let cands: Vec<u32> = (0..9).collect();
        for cfg in all_weightings() {
            let knn = ItemKnn::fit(&h, 9, &cfg);
            for (hist, group) in [(vec![5u32], 1u32), (vec![0, 2], 0)] {
                let ts = vec![900; hist.len()];
                let mut out = vec![0f32; cands.len()];
                knn.score(&ctx(&hist, &ts), &cands, &mut out);
                let inside = (0..8).filter(|i| i / 4 == group).map(|i| out[i as usize]);
                let outside = (0..9).filter(|i| i / 4 != group).map(|i| out[i as usize]);
                let worst_in = inside.fold(f32::INFINITY, f32::min);
                let best_out = outside.fold(f32::NEG_INFINITY, f32::max);
                assert!(worst_in > best_out, "{cfg:?} {hist:?}: {out:?}");
            }
        }
    }

    #[test]
    fn deterministic_and_thread_independent() {
        let h = blocks();
        let cfg = ItemKnnConfig::default();
        let a = ItemKnn::fit(&h, 8, &cfg);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| ItemKnn::fit(&h, 8, &cfg));
        assert_eq!(a, b);
    }

    #[test]
    fn empty_history_orders_by_popularity_and_unknown_is_neg_inf() {
        let knn = ItemKnn::fit(&blocks(), 8, &ItemKnnConfig::default());
        let mut out = [0f32; 3];
        knn.score(&ctx(&[], &[]), &[3, 0, 99], &mut out);
        assert!(out[1] > out[0] && out[1] <= TIE_BREAK, "{out:?}");
        assert_eq!(out[2], f32::NEG_INFINITY);
        // The scratch is left clean: a second call gives the same scores.
        let mut again = [0f32; 3];
        knn.score(&ctx(&[], &[]), &[3, 0, 99], &mut again);
        assert_eq!(out, again);
    }

    #[test]
    fn decay_weighs_recent_orders_more() {
        let knn = ItemKnn::fit(
            &blocks(),
            8,
            &ItemKnnConfig {
                half_life_days: 1.0,
                ..ItemKnnConfig::default()
            },
        );
        // An old order of group 0, a fresh one of group 1.
        let hist = [0u32, 5];
        let now = 10 * 86_400;
        let ts = [0, now];
        let mut c = ctx(&hist, &ts);
        c.now = now;
        let mut out = [0f32; 2];
        knn.score(&c, &[1, 6], &mut out);
        assert!(out[1] > 100.0 * out[0], "{out:?}");
    }

    #[test]
    fn config_is_checked() {
        assert!(ItemKnnConfig::default().validate().is_ok());
        let bad = ItemKnnConfig {
            neighbours: 0,
            ..ItemKnnConfig::default()
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("item_knn.neighbours"));
        let conflict = ItemKnnConfig {
            shrink: 10.0,
            ..ItemKnnConfig::default()
        };
        assert!(conflict
            .validate()
            .unwrap_err()
            .to_string()
            .contains("cosine"));
    }

    #[test]
    fn from_parts_rejects_bad_indices() {
        let knn = ItemKnn::fit(&blocks(), 8, &ItemKnnConfig::default());
        let mut nb = knn.neighbour.clone();
        nb[0] = 8;
        let e = ItemKnn::from_parts(
            knn.indptr.clone(),
            nb,
            knn.sim.clone(),
            knn.tie.clone(),
            90.0,
        )
        .unwrap_err();
        assert!(e.contains("neighbour 8"), "{e}");
        let e = ItemKnn::from_parts(vec![0], vec![], vec![], knn.tie.clone(), 90.0).unwrap_err();
        assert!(e.contains("row pointers"), "{e}");
    }
}
