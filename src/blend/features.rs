//! Named features of (promoter, candidate) pairs, computed in bulk into a caller
//! buffer: item quality and economics, the promoter's own history with the item and its
//! category (recency, repurchase due-ness), listing age, and each component model's
//! score (`shared/DOMAIN.md` §5.2).

use crate::data::{Catalog, Seller};
use crate::signals::quality::Quality;
use crate::signals::repurchase::Repurchase;
use crate::signals::{Context, Scorer};
use std::collections::HashMap;

/// Features that do not come from a component model, in order.
pub const ITEM_FEATURES: [&str; 11] = [
    "quality",
    "log_reviews",
    "commission_rate",
    "log_commission",
    "self_operated",
    "log_price",
    "bought_before",
    "item_recency",
    "category_recency",
    "due",
    "new_listing",
];

const DAY: f64 = 86_400.0;

/// What the promoter's history says about one item and its leaf category.
#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    count: f32,
    last: i64,
}

/// Everything features are computed from, borrowed from a model.
#[derive(Debug, Clone, Copy)]
pub struct FeatureSource<'a> {
    /// The catalogue.
    pub catalog: &'a Catalog,
    /// Smoothed quality.
    pub quality: &'a Quality,
    /// Repeat-purchase statistics (cycles per category).
    pub repurchase: &'a Repurchase,
}

/// Number of features with `n_components` component scores.
pub fn width(n_components: usize) -> usize {
    ITEM_FEATURES.len() + n_components
}

/// Writes the features of every candidate into `out` (row-major,
/// `candidates.len() × width(components.len())`); component scores that are not finite
/// are written as NaN for the caller to impute.
///
/// # Panics
/// If `out` has the wrong length.
pub fn compute(
    src: &FeatureSource<'_>,
    ctx: &Context<'_>,
    components: &[&dyn Scorer],
    candidates: &[u32],
    out: &mut [f32],
    scratch: &mut Vec<f32>,
) {
    let d = width(components.len());
    assert_eq!(out.len(), candidates.len() * d, "feature buffer size");
    let c = src.catalog;
    let mut items: HashMap<u32, Seen> = HashMap::with_capacity(ctx.history.len());
    let mut leaves: HashMap<u32, Seen> = HashMap::new();
    for (&i, &ts) in ctx.history.iter().zip(ctx.history_ts) {
        let e = items.entry(i).or_default();
        e.count += 1.0;
        e.last = e.last.max(ts);
        let l = leaves.entry(c.leaf_category(i)).or_default();
        l.count += 1.0;
        l.last = l.last.max(ts);
    }
    for (row, &i) in out.chunks_exact_mut(d).zip(candidates) {
        let iu = i as usize;
        let price = c.price_cents.get(iu).copied().unwrap_or(0) as f64 / 100.0;
        let rate = f64::from(c.commission_rate.get(iu).copied().unwrap_or(0.0));
        let n_rev = f64::from(c.reviews_total.get(iu).copied().unwrap_or(0));
        let leaf = c.leaf_category(i);
        let seen = items.get(&i).copied();
        let seen_leaf = leaves.get(&leaf).copied();
        let days = |t: i64| ((ctx.now - t) as f64 / DAY).max(0.0);
        let cycle = f64::from(
            src.repurchase
                .median_cycle_days
                .get(leaf as usize)
                .copied()
                .unwrap_or(0.0),
        );
        let cycle = if cycle > 0.0 { cycle } else { 30.0 };
        let age = c.listed_at.get(iu).copied().flatten().map(days);
        let vals = [
            f64::from(src.quality.posterior.get(iu).copied().unwrap_or(0.0)),
            (1.0 + n_rev).ln(),
            rate,
            (1.0 + price * rate).ln(),
            if c.seller.get(iu) == Some(&Seller::SelfOperated) {
                1.0
            } else {
                0.0
            },
            (1.0 + price).ln(),
            seen.map_or(0.0, |s| f64::from(s.count).ln_1p()),
            seen.map_or(0.0, |s| (-days(s.last) / 30.0).exp()),
            seen_leaf.map_or(0.0, |s| (-days(s.last) / 30.0).exp()),
            seen.map_or(0.0, |s| 1.0 - (-days(s.last) / cycle).exp()),
            age.map_or(0.0, |a| (-a / 30.0).exp()),
        ];
        for (o, v) in row.iter_mut().zip(vals) {
            *o = v as f32;
        }
    }
    let n = candidates.len();
    scratch.resize(n, 0.0);
    for (k, comp) in components.iter().enumerate() {
        comp.score(ctx, candidates, &mut scratch[..n]);
        for (row, &s) in out.chunks_exact_mut(d).zip(scratch.iter()) {
            row[ITEM_FEATURES.len() + k] = if s.is_finite() { s } else { f32::NAN };
        }
    }
}
