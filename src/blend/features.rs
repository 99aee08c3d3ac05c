//! Named features of (promoter, candidate) pairs, computed in bulk into a caller
//! buffer (`shared/DOMAIN.md` §5.2):
//!
//! | feature | what |
//! |---|---|
//! | `quality`, `log_reviews` | smoothed positive-review rate, `ln(1 + reviews)` |
//! | `commission_rate`, `log_commission` | the rate, `ln(1 + price × rate)` |
//! | `self_operated`, `log_price` | seller type (1 / 0), `ln(1 + price)` |
//! | `bought_before` | `ln(1 + her circle's orders of the item)` |
//! | `item_recency`, `category_recency` | `e^(−days since her last order of the item / of its leaf category ÷ 30)` |
//! | `due` | `1 − e^(−days since her last order of the item ÷ the category's re-buy cycle)` |
//! | `new_listing` | `e^(−days listed ÷ 30)` |
//! | `activity` | `ln(1 + her circle's orders)` |
//! | `leaf_share`, `top_share`, `brand_share` | share of her orders in the item's leaf category, level-1 category, brand |
//! | `price_gap` | `|ln(1 + price) − mean ln(1 + price) of her orders|` (missing without history) |
//! | `shared_item`, `share_recency` | `ln(1 + her shares of the item)`, `e^(−days since she last shared it ÷ 30)` |
//! | `shared_leaf`, `shared_top` | share of her shares in the item's leaf category, level-1 category |
//! | `score_<model>` | each component model's score |
//!
//! The four share features are there only when the blend reads shares
//! ([`crate::blend::BlendConfig::share_memory`] above 0 and a log with shares): they read her
//! last shares ([`crate::signals::Context::shares`]), which reveal her circle's taste
//! where her orders are few.

use crate::data::{Catalog, Seller};
use crate::signals::quality::Quality;
use crate::signals::repurchase::Repurchase;
use crate::signals::{Context, Scorer};
use std::collections::HashMap;

/// Features that do not come from a component model, in order.
pub const ITEM_FEATURES: [&str; 16] = [
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
    "activity",
    "leaf_share",
    "top_share",
    "brand_share",
    "price_gap",
];

/// Features of her own shares, after [`ITEM_FEATURES`] when the blend reads shares.
pub const SHARE_FEATURES: [&str; 4] = ["shared_item", "share_recency", "shared_leaf", "shared_top"];

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
    /// Whether the rows carry [`SHARE_FEATURES`].
    pub shares: bool,
}

/// Number of features with `n_components` component scores, with or without the
/// share features.
pub fn width(n_components: usize, shares: bool) -> usize {
    ITEM_FEATURES.len() + if shares { SHARE_FEATURES.len() } else { 0 } + n_components
}

/// Scores `candidates` with each component: one vector per component, aligned with
/// `candidates`.
pub fn component_scores(
    ctx: &Context<'_>,
    components: &[&dyn Scorer],
    candidates: &[u32],
) -> Vec<Vec<f32>> {
    components
        .iter()
        .map(|c| {
            let mut v = vec![0f32; candidates.len()];
            c.score(ctx, candidates, &mut v);
            v
        })
        .collect()
}

/// Writes the features of every candidate into `out` (row-major,
/// `candidates.len() × width(components.len(), src.shares)`). `components[c][j]` is component
/// `c`'s score of `candidates[j]` (see [`component_scores`]); scores that are not
/// finite are written as NaN for the caller to impute.
///
/// # Panics
/// If `out` or a component's scores have the wrong length.
pub fn compute(
    src: &FeatureSource<'_>,
    ctx: &Context<'_>,
    components: &[Vec<f32>],
    candidates: &[u32],
    out: &mut [f32],
) {
    let d = width(components.len(), src.shares);
    let first_component = d - components.len();
    assert_eq!(out.len(), candidates.len() * d, "feature buffer size");
    let c = src.catalog;
    let mut items: HashMap<u32, Seen> = HashMap::with_capacity(ctx.history.len());
    let mut leaves: HashMap<u32, Seen> = HashMap::new();
    let mut tops: HashMap<u32, f32> = HashMap::new();
    let mut brands: HashMap<u32, f32> = HashMap::new();
    let mut log_price = 0f64;
    for (&i, &ts) in ctx.history.iter().zip(ctx.history_ts) {
        *tops.entry(c.top_category(i)).or_default() += 1.0;
        let brand = c.brand.get(i as usize).copied().unwrap_or(0);
        if brand != 0 {
            *brands.entry(brand).or_default() += 1.0;
        }
        log_price +=
            (1.0 + c.price_cents.get(i as usize).copied().unwrap_or(0) as f64 / 100.0).ln();
        let e = items.entry(i).or_default();
        e.count += 1.0;
        e.last = e.last.max(ts);
        let l = leaves.entry(c.leaf_category(i)).or_default();
        l.count += 1.0;
        l.last = l.last.max(ts);
    }
    let n_hist = ctx.history.len() as f64;
    let mean_log_price = if n_hist > 0.0 {
        log_price / n_hist
    } else {
        f64::NAN
    };
    let share = |count: Option<f32>| {
        if n_hist > 0.0 {
            f64::from(count.unwrap_or(0.0)) / n_hist
        } else {
            0.0
        }
    };
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
            n_hist.ln_1p(),
            share(seen_leaf.map(|s| s.count)),
            share(tops.get(&c.top_category(i)).copied()),
            match c.brand.get(iu).copied().unwrap_or(0) {
                0 => 0.0,
                b => share(brands.get(&b).copied()),
            },
            // NaN (imputed) for a promoter with no history.
            ((1.0 + price).ln() - mean_log_price).abs(),
        ];
        for (o, v) in row.iter_mut().zip(vals) {
            *o = v as f32;
        }
    }
    if src.shares {
        share_features(src.catalog, ctx, candidates, out, d);
    }
    for (k, scores) in components.iter().enumerate() {
        assert_eq!(scores.len(), candidates.len(), "component scores");
        for (row, &s) in out.chunks_exact_mut(d).zip(scores) {
            row[first_component + k] = if s.is_finite() { s } else { f32::NAN };
        }
    }
}

/// Writes [`SHARE_FEATURES`] after the item features of each row of `out` (rows of
/// width `d`), from her shares in `ctx`.
fn share_features(c: &Catalog, ctx: &Context<'_>, candidates: &[u32], out: &mut [f32], d: usize) {
    let mut items: HashMap<u32, Seen> = HashMap::with_capacity(ctx.shares.len());
    let mut leaves: HashMap<u32, f32> = HashMap::new();
    let mut tops: HashMap<u32, f32> = HashMap::new();
    for (&i, &ts) in ctx.shares.iter().zip(ctx.shares_ts) {
        let e = items.entry(i).or_default();
        e.count += 1.0;
        e.last = e.last.max(ts);
        *leaves.entry(c.leaf_category(i)).or_default() += 1.0;
        *tops.entry(c.top_category(i)).or_default() += 1.0;
    }
    let n = ctx.shares.len().min(ctx.shares_ts.len()) as f64;
    let frac = |count: Option<&f32>| {
        if n > 0.0 {
            f64::from(count.copied().unwrap_or(0.0)) / n
        } else {
            0.0
        }
    };
    let at = ITEM_FEATURES.len();
    for (row, &i) in out.chunks_exact_mut(d).zip(candidates) {
        let seen = items.get(&i);
        let vals = [
            seen.map_or(0.0, |s| f64::from(s.count).ln_1p()),
            seen.map_or(0.0, |s| {
                (-((ctx.now - s.last) as f64 / DAY).max(0.0) / 30.0).exp()
            }),
            frac(leaves.get(&c.leaf_category(i))),
            frac(tops.get(&c.top_category(i))),
        ];
        for (o, v) in row[at..at + SHARE_FEATURES.len()].iter_mut().zip(vals) {
            *o = v as f32;
        }
    }
}
