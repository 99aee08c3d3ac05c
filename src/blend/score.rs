//! Scoring with a fitted blend: the candidate pool, the learner over the pool's
//! feature rows, and the fallback order of the candidates outside it.
//!
//! The components score every candidate; the pool is their top
//! `candidates_per_component` each plus her circle's past items and, where the blend
//! reads shares, the items she shared ([`pool_mask`]). Only
//! the pool's rows are built and passed through the learner; every other candidate is
//! listed below the pool's lowest score, in the order of the first component
//! ([`outside_pool_score`]). Training draws its pairs from the same pool
//! (see [`super::train`]), so the learner is only asked about what it learned on.

use super::features::{self, FeatureSource};
use super::{Blend, Contribution};
use crate::signals::{Context, Scorer};

/// A fitted blend with its components' scorers and the model's feature source: what
/// scores a promoter's candidates.
#[derive(Debug)]
pub(crate) struct BlendScorer<'a> {
    /// The learner, its standardisation, value and trust settings.
    pub blend: &'a Blend,
    /// The component scorers, in the order of `blend.config.components`.
    pub components: Vec<&'a dyn Scorer>,
    /// The catalogue, quality and repurchase statistics the features read.
    pub source: FeatureSource<'a>,
}

/// The candidate pool of one request and the learner's logits over it.
struct Pooled {
    /// Each component's scores of every candidate.
    scores: Vec<Vec<f32>>,
    /// Which candidates are in the pool.
    mask: Vec<bool>,
    /// The pool's positions in the candidates, in order.
    at: Vec<usize>,
    /// The pool's items.
    items: Vec<u32>,
    /// The learner's logit of each pool item.
    logits: Vec<f64>,
}

impl BlendScorer<'_> {
    /// The candidate pool of `candidates` for the context, and the learner over it.
    fn pooled(&self, ctx: &Context<'_>, candidates: &[u32]) -> Pooled {
        let b = self.blend;
        let d = features::width(self.components.len(), self.source.shares);
        let scores = features::component_scores(ctx, &self.components, candidates);
        let mask = pool_mask(
            candidates,
            &scores,
            b.config.candidates_per_component,
            ctx.history,
            ctx.shares,
        );
        let at: Vec<usize> = (0..candidates.len()).filter(|&j| mask[j]).collect();
        let items: Vec<u32> = at.iter().map(|&j| candidates[j]).collect();
        let gathered: Vec<Vec<f32>> = scores
            .iter()
            .map(|s| at.iter().map(|&j| s[j]).collect())
            .collect();
        let mut rows = vec![0f32; items.len() * d];
        features::compute(&self.source, ctx, &gathered, &items, &mut rows);
        b.standardise(&mut rows);
        let logits = b.fitted.logits(&rows, d);
        Pooled {
            scores,
            mask,
            at,
            items,
            logits,
        }
    }

    /// The blend's own `P̂(order)` of each of `candidates`: `σ(z)` of the learner's
    /// calibrated logit for a candidate in the pool, `None` for one outside it (the
    /// blend only orders those below the pool; it has no estimate for them).
    pub(crate) fn probabilities(&self, ctx: &Context<'_>, candidates: &[u32]) -> Vec<Option<f64>> {
        let pooled = self.pooled(ctx, candidates);
        let mut out = vec![None; candidates.len()];
        for (&j, &z) in pooled.at.iter().zip(&pooled.logits) {
            if let Some(o) = out.get_mut(j) {
                *o = Some(super::log_sigmoid(z).exp());
            }
        }
        out
    }

    /// Writes the blend's score of each of `candidates` into `out`: the learner's
    /// score inside the pool, the fallback order below it outside.
    pub(crate) fn score(&self, ctx: &Context<'_>, candidates: &[u32], out: &mut [f32]) {
        let b = self.blend;
        let Pooled {
            scores,
            mask,
            at,
            items,
            logits,
        } = self.pooled(ctx, candidates);
        let (catalog, quality) = (self.source.catalog, self.source.quality);
        let mut floor = f64::INFINITY;
        for ((&j, &z), &i) in at.iter().zip(&logits).zip(&items) {
            let value = b.value(catalog, i);
            let trust = b.trust_penalty(catalog, quality, i);
            let s = b.score_of_logit(z, value, trust);
            floor = floor.min(s);
            if let Some(o) = out.get_mut(j) {
                *o = s as f32;
            }
        }
        if at.len() == candidates.len() {
            return;
        }
        let floor = if floor.is_finite() { floor } else { 0.0 };
        let Some(first) = scores.first() else {
            for (o, &m) in out.iter_mut().zip(&mask) {
                if !m {
                    *o = outside_pool_score(floor, f32::NAN, 0.0, 0.0) as f32;
                }
            }
            return;
        };
        let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
        for &x in first {
            if x.is_finite() {
                lo = lo.min(x);
                hi = hi.max(x);
            }
        }
        for ((o, &m), &s) in out.iter_mut().zip(&mask).zip(first) {
            if !m {
                *o = outside_pool_score(floor, s, lo, hi) as f32;
            }
        }
    }

    /// The breakdown of item `item`'s score (see [`Blend::breakdown`]). An item
    /// outside the candidate pool gets one more line, `outside_pool`, the difference
    /// its fallback place makes.
    pub(crate) fn breakdown(&self, ctx: &Context<'_>, item: u32) -> Vec<Contribution> {
        let b = self.blend;
        let scores = features::component_scores(ctx, &self.components, &[item]);
        let mut raw = vec![0f32; features::width(self.components.len(), self.source.shares)];
        features::compute(&self.source, ctx, &scores, &[item], &mut raw);
        let mut row = raw.clone();
        b.standardise(&mut row);
        let (catalog, quality) = (self.source.catalog, self.source.quality);
        let value = b.value(catalog, item);
        let trust = b.trust_penalty(catalog, quality, item);
        let mut parts = b.breakdown(&raw, &row, value, trust);
        // Where the item actually lands: the blend over the whole catalogue.
        let all: Vec<u32> = (0..catalog.len() as u32).collect();
        let mut out = vec![0f32; all.len()];
        self.score(ctx, &all, &mut out);
        let actual = f64::from(out.get(item as usize).copied().unwrap_or(f32::NAN));
        let sum: f64 = parts.iter().map(|c| c.contribution).sum();
        if (actual - sum).abs() > 1e-3 * (1.0 + actual.abs()) {
            parts.push(Contribution {
                name: "outside_pool".into(),
                value: 1.0,
                contribution: actual - sum,
            });
        }
        parts
    }
}

/// Marks the candidate pool: the top `per_component` candidates of each component
/// (ties to the lower position) and the candidates in `history` or `shared` (her past
/// items and the items she shared). `scores[c][j]` is component `c`'s score of
/// `candidates[j]`.
pub fn pool_mask(
    candidates: &[u32],
    scores: &[Vec<f32>],
    per_component: usize,
    history: &[u32],
    shared: &[u32],
) -> Vec<bool> {
    let n = candidates.len();
    let mut mask = vec![false; n];
    if n <= per_component {
        mask.iter_mut().for_each(|m| *m = true);
        return mask;
    }
    for s in scores {
        // Scores that are not finite rank last (as f32::MIN), still before nothing.
        for (j, _) in crate::topk::select_positions(s, per_component) {
            if let Some(m) = mask.get_mut(j as usize) {
                *m = true;
            }
        }
    }
    if let Some(&max) = history.iter().chain(shared).max() {
        // Her past items as a bitset over item ids up to the largest: one bit test per
        // candidate instead of a hash.
        let mut bought = vec![0u64; max as usize / 64 + 1];
        for &i in history.iter().chain(shared) {
            bought[i as usize / 64] |= 1 << (i % 64);
        }
        for (m, &i) in mask.iter_mut().zip(candidates) {
            *m |= bought
                .get(i as usize / 64)
                .is_some_and(|w| w >> (i % 64) & 1 == 1);
        }
    }
    mask
}

/// The score of a candidate outside the pool: below `floor` (the pool's lowest
/// score), ordered by the first component's score `s` normalised over the candidates
/// to `[0, 1]` by `lo` and `hi`.
pub fn outside_pool_score(floor: f64, s: f32, lo: f32, hi: f32) -> f64 {
    let t = if hi > lo && s.is_finite() {
        f64::from((s - lo) / (hi - lo))
    } else {
        0.0
    };
    floor - 2.0 + t
}

#[cfg(test)]
mod tests {
    use super::pool_mask;

    #[test]
    fn the_pool_holds_each_components_top_her_past_items_and_her_shares() {
        let candidates: Vec<u32> = (10..20).collect();
        // One component ranking the later candidates first: its top 2 are 19 and 18.
        let scores = vec![(0..10).map(|j| j as f32).collect::<Vec<f32>>()];
        let pooled = |history: &[u32], shared: &[u32]| -> Vec<u32> {
            let mask = pool_mask(&candidates, &scores, 2, history, shared);
            candidates
                .iter()
                .zip(&mask)
                .filter(|(_, &m)| m)
                .map(|(&i, _)| i)
                .collect()
        };
        assert_eq!(pooled(&[], &[]), vec![18, 19]);
        assert_eq!(pooled(&[11], &[]), vec![11, 18, 19]);
        // Items outside the candidates (here 3) change nothing.
        assert_eq!(pooled(&[11], &[13, 13, 3]), vec![11, 13, 18, 19]);
        assert_eq!(pooled(&[], &[15]), vec![15, 18, 19]);
    }
}
