//! The circle profile: what a promoter's group buys, learned from the orders she
//! brought, shrunk toward her channel's profile so that three orders do not make her
//! all-in on one category (`shared/DOMAIN.md` §4.2, Masthoff's "merge" group model).
//!
//! With order weights decayed by age (`2^(−age/half_life)`), `n_p` her total weight
//! and `seg` her channel:
//!
//! ```text
//! θ_p(top)  = (n_p(top)  + m · θ_seg(top))                         / (n_p + m)
//! θ_p(leaf) = (n_p(leaf) + m · θ_p(top(leaf)) · θ_seg(leaf | top)) / (n_p + m)
//! β_p(b)    = (n_p(b) + m_b · β_seg(b)) / (n_p + m_b)           brand affinity
//! φ_p(ℓ)    = (n_p(ℓ) + m_b · φ_seg(ℓ)) / (n_p + m_b)           price-band affinity
//! score(p, i) = ln θ_p(leaf(i)) + ln P_seg(i | leaf(i))
//!             + w_brand · ln(β_p(b_i) / β_seg(b_i)) + w_price · ln(φ_p(ℓ_i) / φ_seg(ℓ_i))
//! ```
//!
//! Segment profiles are themselves shrunk toward the global one. The price band `ℓ_i`
//! is the item's price quintile within its leaf category. The profile is computed from
//! the orders in the request's context, so orders that arrived after training are
//! folded in without retraining, and a newcomer with no orders gets her channel's
//! profile.

use super::{Context, Scorer};
use crate::data::{Catalog, Channel, History, Promoters, NO_CATEGORY};
use crate::signals::popularity::decay;
use serde::{Deserialize, Serialize};

/// Number of price bands (quintiles within a leaf category).
pub const PRICE_BANDS: usize = 5;

/// Settings of the circle profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProfileConfig {
    /// Half-life of an order's weight, in days. Default 120.
    pub half_life_days: f64,
    /// Prior strength `m` toward the channel's category profile, in orders. Default 5.
    pub category_prior: f64,
    /// Prior strength `m_b` for brand and price-band affinities, in orders. Default 10.
    pub brand_prior: f64,
    /// Weight of the brand lift. Default 0.5.
    pub brand_weight: f64,
    /// Weight of the price-band lift. Default 0.5.
    pub price_weight: f64,
    /// Strength pulling a channel's profile toward the global one. Default 50.
    pub segment_prior: f64,
}

impl Default for ProfileConfig {
    fn default() -> Self {
        ProfileConfig {
            half_life_days: 120.0,
            category_prior: 5.0,
            brand_prior: 10.0,
            brand_weight: 0.5,
            price_weight: 0.5,
            segment_prior: 50.0,
        }
    }
}

impl ProfileConfig {
    /// Checks the ranges.
    ///
    /// # Errors
    /// [`crate::ConfigError::OutOfRange`] for a non-positive half-life or prior, or a
    /// negative weight.
    pub fn validate(&self) -> Result<(), crate::ConfigError> {
        use crate::error::check_range;
        check_range(
            "profile.half_life_days",
            self.half_life_days,
            1e-3,
            36_500.0,
            "(0, 36500]",
        )?;
        check_range(
            "profile.category_prior",
            self.category_prior,
            1e-6,
            1e9,
            "(0, 1e9]",
        )?;
        check_range(
            "profile.brand_prior",
            self.brand_prior,
            1e-6,
            1e9,
            "(0, 1e9]",
        )?;
        check_range(
            "profile.brand_weight",
            self.brand_weight,
            0.0,
            100.0,
            "[0, 100]",
        )?;
        check_range(
            "profile.price_weight",
            self.price_weight,
            0.0,
            100.0,
            "[0, 100]",
        )?;
        check_range(
            "profile.segment_prior",
            self.segment_prior,
            0.0,
            1e12,
            "[0, 1e12]",
        )
    }
}

/// One segment's (or the whole platform's) profile.
#[derive(Debug, Clone, PartialEq)]
struct SegmentProfile {
    /// θ_seg(c) for top categories; θ_seg(leaf | top) for other categories.
    category: Vec<f32>,
    /// β_seg(b).
    brand: Vec<f32>,
    /// φ_seg(ℓ).
    band: [f32; PRICE_BANDS],
    /// ln P_seg(i | leaf(i)) per item.
    within_leaf: Vec<f32>,
}

/// The fitted circle-profile model: channel profiles and item attributes. Promoter
/// profiles are computed per request from her orders.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    cfg: ProfileConfig,
    /// Top-level category of every category id.
    top_of: Vec<u32>,
    /// Leaf category per item.
    leaf: Vec<u32>,
    /// Brand per item.
    brand: Vec<u32>,
    /// Price band per item.
    band: Vec<u8>,
    /// One profile per channel ([`Channel::index`]), then the global one.
    segments: Vec<SegmentProfile>,
}

/// Decayed order weights of one promoter: total, per category, per brand (both sorted
/// by id) and per price band.
struct Counts {
    total: f64,
    categories: Vec<(u32, f64)>,
    brands: Vec<(u32, f64)>,
    bands: [f64; PRICE_BANDS],
}

/// A promoter's circle profile, for explanations and checks.
#[derive(Debug, Clone, PartialEq)]
pub struct CircleProfile {
    /// Decayed order weight `n_p`.
    pub weight: f64,
    /// `(category id, θ_p, decayed orders)` for top categories, best first.
    pub top_categories: Vec<(u32, f64, f64)>,
}

fn normalise(counts: &[f64], prior: &[f64], m: f64) -> Vec<f32> {
    let n: f64 = counts.iter().sum();
    counts
        .iter()
        .zip(prior)
        .map(|(&c, &p)| ((c + m * p) / (n + m).max(f64::MIN_POSITIVE)) as f32)
        .collect()
}

/// Price quintile of each item within its leaf category.
fn price_bands(catalog: &Catalog, leaf: &[u32]) -> Vec<u8> {
    let mut by_leaf: Vec<Vec<u32>> = vec![Vec::new(); catalog.taxonomy.len() + 1];
    for (i, &l) in leaf.iter().enumerate() {
        let slot = if l == NO_CATEGORY {
            by_leaf.len() - 1
        } else {
            l as usize
        };
        if let Some(v) = by_leaf.get_mut(slot) {
            v.push(i as u32);
        }
    }
    let mut band = vec![0u8; catalog.len()];
    for items in &mut by_leaf {
        items.sort_unstable_by_key(|&i| (catalog.price_cents[i as usize], i));
        let n = items.len();
        for (rank, &i) in items.iter().enumerate() {
            band[i as usize] = ((rank * PRICE_BANDS) / n.max(1)).min(PRICE_BANDS - 1) as u8;
        }
    }
    band
}

impl Profile {
    /// Fits the channel profiles from the training orders.
    pub fn fit(
        history: &History,
        catalog: &Catalog,
        promoters: &Promoters,
        now: i64,
        cfg: &ProfileConfig,
    ) -> Profile {
        let n_cat = catalog.taxonomy.len();
        let n_items = catalog.len();
        let n_brands = catalog.brands.len();
        let top_of: Vec<u32> = (0..n_cat as u32).map(|c| catalog.taxonomy.top(c)).collect();
        let leaf: Vec<u32> = (0..n_items as u32)
            .map(|i| catalog.leaf_category(i))
            .collect();
        let band = price_bands(catalog, &leaf);
        let hl = cfg.half_life_days * 86_400.0;
        let n_seg = Channel::ALL.len() + 1;
        let mut cat = vec![vec![0f64; n_cat]; n_seg];
        let mut brand = vec![vec![0f64; n_brands]; n_seg];
        let mut bands = vec![[0f64; PRICE_BANDS]; n_seg];
        let mut item = vec![vec![0f64; n_items]; n_seg];
        for p in 0..history.n_promoters() as u32 {
            let ch = promoters.channel_of(p).index();
            for (&i, &ts) in history.items(p).iter().zip(history.times(p)) {
                let iu = i as usize;
                let Some(&l) = leaf.get(iu) else { continue };
                let w = decay(now - ts, hl);
                for s in [ch, n_seg - 1] {
                    if let Some(x) = cat[s].get_mut(l as usize) {
                        *x += w;
                    }
                    brand[s][catalog.brand[iu] as usize] += w;
                    bands[s][band[iu] as usize] += w;
                    item[s][iu] += w;
                }
            }
        }
        // Global: add-one smoothing; leaves within a top, items within a leaf.
        let g = n_seg - 1;
        let segment = |s: usize, prior: Option<&SegmentProfile>| -> SegmentProfile {
            let m = if prior.is_some() {
                cfg.segment_prior
            } else {
                0.0
            };
            // Top-level mass is the sum of its leaves.
            let mut top_mass = vec![0f64; n_cat];
            for (c, &x) in cat[s].iter().enumerate() {
                top_mass[top_of[c] as usize] += x;
            }
            let tops: Vec<usize> = (0..n_cat).filter(|&c| top_of[c] as usize == c).collect();
            let mut category = vec![0f32; n_cat];
            let total: f64 = tops.iter().map(|&t| top_mass[t]).sum();
            for &t in &tops {
                let base =
                    prior.map_or(1.0 / tops.len().max(1) as f64, |p| f64::from(p.category[t]));
                let add = if prior.is_some() { 0.0 } else { 1.0 };
                category[t] =
                    ((top_mass[t] + add + m * base) / (total + add * tops.len() as f64 + m)) as f32;
            }
            let mut leaves_in_top = vec![0f64; n_cat];
            for c in 0..n_cat {
                if top_of[c] as usize != c || cat[s][c] > 0.0 {
                    leaves_in_top[top_of[c] as usize] += 1.0;
                }
            }
            for c in 0..n_cat {
                let t = top_of[c] as usize;
                if t == c && leaves_in_top[t] <= 1.0 && cat[s][c] >= top_mass[t] {
                    category[c] = category[c].max(f32::MIN_POSITIVE);
                    continue;
                }
                if t == c {
                    continue;
                }
                let base = prior.map_or(1.0 / leaves_in_top[t].max(1.0), |p| {
                    f64::from(p.category[c])
                });
                let add = if prior.is_some() { 0.0 } else { 1.0 };
                let denom = top_mass[t] + add * leaves_in_top[t] + m;
                category[c] = ((cat[s][c] + add + m * base) / denom.max(f64::MIN_POSITIVE)) as f32;
            }
            let flat_b = vec![1.0 / n_brands.max(1) as f64; n_brands];
            let pb: Vec<f64> =
                prior.map_or(flat_b, |p| p.brand.iter().map(|&x| f64::from(x)).collect());
            let mb = if prior.is_some() {
                cfg.segment_prior
            } else {
                n_brands as f64
            };
            let brand_v = normalise(&brand[s], &pb, mb);
            let pband: Vec<f64> = prior.map_or(vec![1.0 / PRICE_BANDS as f64; PRICE_BANDS], |p| {
                p.band.iter().map(|&x| f64::from(x)).collect()
            });
            let mband = if prior.is_some() {
                cfg.segment_prior
            } else {
                PRICE_BANDS as f64
            };
            let bv = normalise(&bands[s], &pband, mband);
            let mut band_arr = [0f32; PRICE_BANDS];
            band_arr.copy_from_slice(&bv);
            // Items within their leaf: add-one globally, shrunk to global per segment.
            let mut leaf_mass = vec![0f64; n_cat];
            let mut leaf_items = vec![0f64; n_cat];
            for (i, &l) in leaf.iter().enumerate() {
                if let Some(x) = leaf_mass.get_mut(l as usize) {
                    *x += item[s][i];
                    leaf_items[l as usize] += 1.0;
                }
            }
            let within_leaf = leaf
                .iter()
                .enumerate()
                .map(|(i, &l)| {
                    let l = l as usize;
                    let (mass, cnt) = (
                        leaf_mass.get(l).copied().unwrap_or(0.0),
                        leaf_items.get(l).copied().unwrap_or(1.0),
                    );
                    let v = match prior {
                        None => (item[s][i] + 1.0) / (mass + cnt),
                        Some(p) => {
                            let base = f64::from(p.within_leaf[i]).exp();
                            (item[s][i] + cfg.segment_prior * base) / (mass + cfg.segment_prior)
                        }
                    };
                    v.max(f64::MIN_POSITIVE).ln() as f32
                })
                .collect();
            SegmentProfile {
                category,
                brand: brand_v,
                band: band_arr,
                within_leaf,
            }
        };
        let global = segment(g, None);
        let mut segments: Vec<SegmentProfile> = (0..g).map(|s| segment(s, Some(&global))).collect();
        segments.push(global);
        Profile {
            cfg: cfg.clone(),
            top_of,
            leaf,
            brand: catalog.brand.clone(),
            band,
            segments,
        }
    }

    fn segment(&self, ch: Channel, known: bool) -> &SegmentProfile {
        let ix = if known {
            ch.index()
        } else {
            self.segments.len() - 1
        };
        &self.segments[ix.min(self.segments.len() - 1)]
    }

    /// The decayed order weights of the context's history per category, brand and band.
    fn counts(&self, ctx: &Context<'_>) -> Counts {
        let hl = self.cfg.half_life_days * 86_400.0;
        let mut cats: Vec<(u32, f64)> = Vec::new();
        let mut brands: Vec<(u32, f64)> = Vec::new();
        let mut bands = [0f64; PRICE_BANDS];
        let mut total = 0.0;
        for (&i, &ts) in ctx.history.iter().zip(ctx.history_ts) {
            let iu = i as usize;
            let (Some(&l), Some(&b), Some(&bd)) =
                (self.leaf.get(iu), self.brand.get(iu), self.band.get(iu))
            else {
                continue;
            };
            let w = decay(ctx.now - ts, hl);
            total += w;
            cats.push((l, w));
            brands.push((b, w));
            bands[bd as usize] += w;
        }
        let merge = |v: &mut Vec<(u32, f64)>| {
            v.sort_unstable_by_key(|x| x.0);
            v.dedup_by(|a, b| {
                if a.0 == b.0 {
                    b.1 += a.1;
                    true
                } else {
                    false
                }
            });
        };
        merge(&mut cats);
        merge(&mut brands);
        Counts {
            total,
            categories: cats,
            brands,
            bands,
        }
    }

    /// θ_p for every category id (tops: θ_p(top); others: θ_p(leaf)).
    fn thetas(&self, ctx: &Context<'_>) -> (Vec<f64>, f64) {
        let seg = self.segment(
            ctx.channel,
            ctx.channel != Channel::Other || ctx.promoter.is_some(),
        );
        let Counts {
            total: n,
            categories: cats,
            ..
        } = self.counts(ctx);
        let m = self.cfg.category_prior;
        let n_cat = self.top_of.len();
        let mut own = vec![0f64; n_cat];
        let mut top_own = vec![0f64; n_cat];
        for &(c, w) in &cats {
            if let Some(x) = own.get_mut(c as usize) {
                *x += w;
                top_own[self.top_of[c as usize] as usize] += w;
            }
        }
        let mut theta = vec![0f64; n_cat];
        // Tops with a child category: built once here, not searched per category.
        let mut has_child = vec![false; n_cat];
        for c in 0..n_cat {
            let t = self.top_of[c] as usize;
            if t == c {
                theta[c] = (top_own[c] + m * f64::from(seg.category[c])) / (n + m);
            } else if let Some(h) = has_child.get_mut(t) {
                *h = true;
            }
        }
        for c in 0..n_cat {
            let t = self.top_of[c] as usize;
            if t != c {
                theta[c] = (own[c] + m * theta[t] * f64::from(seg.category[c])) / (n + m);
            } else if own[c] > 0.0 || !has_child[c] {
                // A top-level category used as a leaf (a one-level path).
                theta[c] = (own[c] + m * theta[c]) / (n + m);
            }
        }
        (theta, n)
    }

    /// The promoter's circle profile over top-level categories, best first.
    pub fn circle(&self, ctx: &Context<'_>) -> CircleProfile {
        let (theta, n) = self.thetas(ctx);
        let cats = self.counts(ctx).categories;
        let mut own = vec![0f64; self.top_of.len()];
        for (c, w) in cats {
            if let Some(&t) = self.top_of.get(c as usize) {
                own[t as usize] += w;
            }
        }
        let mut tops: Vec<(u32, f64, f64)> = (0..self.top_of.len())
            .filter(|&c| self.top_of[c] as usize == c)
            .map(|c| (c as u32, theta[c], own[c]))
            .collect();
        tops.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        CircleProfile {
            weight: n,
            top_categories: tops,
        }
    }
}

impl Scorer for Profile {
    fn name(&self) -> &'static str {
        "profile"
    }

    fn score(&self, ctx: &Context<'_>, candidates: &[u32], out: &mut [f32]) {
        let known = ctx.channel != Channel::Other || ctx.promoter.is_some();
        let seg = self.segment(ctx.channel, known);
        let (theta, n) = self.thetas(ctx);
        let Counts { brands, bands, .. } = self.counts(ctx);
        let mb = self.cfg.brand_prior;
        let band_lift: Vec<f64> = (0..PRICE_BANDS)
            .map(|b| {
                let s = f64::from(seg.band[b]).max(f64::MIN_POSITIVE);
                ((bands[b] + mb * s) / (n + mb) / s).ln()
            })
            .collect();
        let (wb, wp) = (self.cfg.brand_weight, self.cfg.price_weight);
        // Per request, not per item: ln θ of every category, and each brand's lift. A
        // brand her circle never bought has (0 + m·s_b) / (n + m) / s_b = m / (n + m),
        // the same for every such brand; only her own brands (a short list) differ.
        // Brand 0 (no brand) adds nothing.
        let ln_theta: Vec<f64> = theta.iter().map(|&t| t.max(1e-12).ln()).collect();
        let ln_floor = 1e-12f64.ln();
        let unbought = wb * (mb / (n + mb)).ln();
        let n_brands = brands
            .last()
            .map_or(0, |&(b, _)| b as usize + 1)
            .max(seg.brand.len());
        let mut brand_lift = vec![unbought; n_brands];
        for &(b, own) in &brands {
            let sb = f64::from(seg.brand.get(b as usize).copied().unwrap_or(0.0)).max(1e-12);
            brand_lift[b as usize] = wb * ((own + mb * sb) / (n + mb) / sb).ln();
        }
        if let Some(none) = brand_lift.first_mut() {
            *none = 0.0;
        }
        for (o, &i) in out.iter_mut().zip(candidates) {
            let iu = i as usize;
            let (Some(&l), Some(&b), Some(&bd), Some(&wl)) = (
                self.leaf.get(iu),
                self.brand.get(iu),
                self.band.get(iu),
                seg.within_leaf.get(iu),
            ) else {
                *o = f32::NEG_INFINITY;
                continue;
            };
            let mut s = ln_theta.get(l as usize).copied().unwrap_or(ln_floor) + f64::from(wl);
            s += brand_lift.get(b as usize).copied().unwrap_or(unbought);
            s += wp * band_lift[bd as usize];
            *o = s as f32;
        }
    }
}
