//! The synthetic promoter economy: a seeded, deterministic world of items, promoters,
//! shares and orders whose right answers (each circle's tastes) are known.
//!
//! A new user can try every part of kocrank with no data, and tests get realistic data
//! with a ground truth to check rankings against.
//!
//! # The model
//!
//! **Time.** Orders fall in `[end − days, end)`; `end` is fixed (2025-07-01 by default)
//! so output is reproducible. `Tiny` spans 120 days, `Small` 180, `Large` 365.
//!
//! **Catalogue.** 49 leaf categories of three levels under ten level-1 categories:
//! `fresh` (`fresh/fruit/citrus`, `fresh/dairy/milk`, …), `home`
//! (`home/cleaning/tissue`, …), `underwear` (`underwear/women/bra`, …), `snacks`,
//! `pantry`, `beauty`, `baby`, `apparel`, `3c` (`3c/phone/charger`, …) and `appliance`
//! (`appliance/kitchen/rice_cooker`, …). Items are spread over leaves half by the leaf's
//! share of orders, half evenly (each leaf has at least one).
//! - *Seller.* Self-operated with a per-category probability: 70% in 3C and appliances,
//!   20–35% in home, pantry, beauty and baby, 8–10% elsewhere. Self-operated items cost
//!   40% more and pay 0–2% commission (30% of them pay none); marketplace items pay
//!   5–30% (a scaled Beta, mean 7% for appliances to 22% for beauty, in steps of 0.5%).
//!   On the `Small` world self-operated items take about 19% of orders and 37% of GMV.
//! - *Price.* Integer cents, lognormal around a leaf median (¥19 leafy vegetables to
//!   ¥2,199 washers, log-σ 0.45 for consumables, 0.55 for durables), ×1.15 for the three
//!   biggest brands of a category; rounded to 10 cents, or to ¥x9.90 above ¥10.
//! - *Brands.* Per level-1 category, one brand per ~30 items (4 to 300), named
//!   `brand_<category>_<nn>`, with Zipf(1.1) shares so a few brands are big; 4% of items
//!   have no brand (brand 0).
//! - *Quality.* A latent satisfaction rate: `1 − LogNormal(ln 0.03, 0.6)` clamped to
//!   [0.86, 0.998] (mostly 90–99.5%; trusted sellers' negatives ×0.8), or 0.55–0.85 for
//!   the 3% bad items.
//! - *Popularity.* Zipf within the leaf (rank drawn at random, weight `1/rank`), times a
//!   brand factor, ×1.5 if self-operated, times `exp(8 (quality − 0.97))`.
//! - *Reviews.* Poisson with mean `150 × n_items × popularity share × age^0.8 ×
//!   LogNormal(−0.3, 0.8)` (age in years, at most 1), so counts are long-tailed, new and
//!   unpopular items have 0–5; positives are Binomial(total, quality).
//! - *Listing and stock.* 6% of items are listed in the last 30 days, 15% during the
//!   period, the rest up to two years before; item ids (`I0000001`, …) follow listing
//!   time. 95% are in stock; the others ran out 21 days before the end.
//!
//! **Promoters.** Ids `P000001`, … in order of joining. Channels: mothers 52%, resellers
//! 38%, couriers 4%, service workers 2.5%, shop guides 2.5%, other 1%. City tiers 1–6:
//! 9%, 13%, 26%, 19%, 15%, 18% (lower tiers dominate). Join times run from a year
//! before the period to 14 days before its end, denser lately; a promoter starts
//! sharing 1–8 days after joining, and 12% stop at a random time (churn). 85% joined
//! with an inviter's code: an earlier promoter, drawn at random or (half the time) as the
//! inviter of one (so busy inviters gain more), accepted ×0.25 for another channel and
//! ×0.5 / ×0.1 for a tier one / two or more apart.
//!
//! **Circles.** Each promoter's circle has latent tastes:
//! - *Category weights* over the ten level-1 categories, Dirichlet with concentration
//!   12 around the channel mean (mothers: fresh 21%, home 16%, underwear 14%, baby 13%;
//!   couriers: snacks 18%, 3C 16%; service workers: home 22%, appliances 12%; shop
//!   guides: beauty 22%, underwear 16%, apparel 12%); a same-channel inviter's taste
//!   gets `inviter_taste` (default 30%) of the prior mean, so invited circles resemble
//!   their inviter's.
//! - *Price band:* centre `exp(0.1 (3.5 − tier) + 0.2 N)` times a leaf's median price,
//!   log-width 0.35–0.65.
//! - *Brands:* one or two favourite brands in each category weighing ≥ 10%, and a
//!   loyalty ~ Beta(1.5, 3).
//! - *Groups:* one to four groups of 50–500 members (lognormal, median 150).
//! - *Activity:* shares per active day, LogNormal with log-σ 1.1 (a few promoters bring
//!   most orders), scaled so the mean orders per promoter meet the configuration
//!   (assuming 1.5 orders per share); 8% are dormant (at most about one order).
//!
//! **Funnel.** Share times are Poisson over the active span, posted 08:00–22:00. Each
//! share:
//! 1. If an item the circle bought is *due* (its repurchase time has passed), it is
//!    re-shared with probability 0.7 (else looked at again 1–5 days later).
//! 2. Otherwise a new item: a level-1 category from the taste weights; with probability
//!    `loyalty` an item of a favourite brand there, else a leaf by weight and an item by
//!    popularity (binary search in cumulative tables, no scan); the draw is kept with
//!    probability `appeal × clamp((quality − 0.75)/0.2, 0.05, 1) × √price fit`, where
//!    appeal is `clamp(commission / 0.3, 0.1, 1)` for marketplace items and 0.25 for
//!    self-operated ones (up to 24
//!    draws; an item not yet listed, or out of stock near the end, is redrawn).
//!    Promoters like commission; buyers never see it.
//! 3. Members of the chosen group order it `Poisson(λ · Gamma(0.7)/0.7)` times (many
//!    shares bring nothing, about half on the default worlds), `λ = 0.9 ·
//!    (size/150)^0.6 · (10·w)^0.5 · price fit · exp(12 (quality − 0.97)) · 1.3 if a
//!    favourite brand · 1.4 if self-operated (trust) · 1.4 if a re-share`, where
//!    `w` is the circle's weight for the item's category and price fit is
//!    `exp(−d²/2·width²)` for the log distance `d` from the band centre.
//! 4. Orders come `1 min + Exp(5 h)` after the share (dropped past the end), from
//!    members drawn with a skew (`size · U²`, a few members buy most); a re-share's
//!    first order comes from the previous buyer 85% of the time. Quantity 1 (80%), 2, 3,
//!    4 or 5 (1 for dear items); amount = price × quantity; status cancelled 1.5%,
//!    refunded `1% + 50% × (1 − quality)`, else completed.
//! 5. After a completed order, with the leaf's repurchase probability (0.35–0.8 for
//!    consumables, 0.04 for durables), the item becomes due again after
//!    `LogNormal(ln cycle, 0.45)` days (cycles: 6 days for leafy vegetables to 90 for
//!    towels; durables 540 days), so consumables are re-bought and durables rarely.
//!
//! Buyer ids are `B<promoter>-<member>`, group ids `G<promoter>-<n>`, order ids
//! `O<promoter>-<n>`.
//!
//! # Determinism and scale
//!
//! Every random stream is a ChaCha8 generator seeded from `(seed, stream, index)`; the
//! funnel of promoter `p` uses index `p`, so the output is the same whatever the chunk
//! size and thread count. The skeleton (catalogue, promoters, truth) fits in memory at
//! every scale; [`Generator::chunks`] produces `Large`'s ~100M orders block by block.
//!
//! # Examples
//! ```
//! use kocrank::synth::{generate, Scale};
//! let world = generate(Scale::Tiny, 7).unwrap();
//! let ds = &world.dataset;
//! assert_eq!(ds.promoters().len(), 200);
//! assert!(ds.orders().len() > 5_000);
//! // Every promoter's category weights sum to one.
//! let w: f32 = world.truth.taste(0).iter().sum();
//! assert!((w - 1.0).abs() < 1e-4);
//! // The same seed gives the same world.
//! assert_eq!(generate(Scale::Tiny, 7).unwrap().dataset.orders(), ds.orders());
//! ```

mod catalog;
mod categories;
mod circles;
mod config;
pub(crate) mod dist;
mod funnel;
mod generator;
mod replay;
mod truth;

pub use config::{Scale, SynthConfig, DEFAULT_END};
pub use generator::Generator;
pub use replay::{logged, replay, replay_table, PositionBias, ReplayConfig, ReplayOutcome};
pub use truth::{CategoryTruth, GroundTruth};

use crate::data::Dataset;
use crate::error::Result;
use std::sync::Arc;

/// A generated world: the data, the truth behind it, and how it was made.
#[derive(Debug, Clone)]
pub struct World {
    /// The data: catalogue, promoters, orders and shares.
    pub dataset: Dataset,
    /// The latent tastes and item facts the data was drawn from.
    pub truth: GroundTruth,
    /// The configuration it was generated with.
    pub config: SynthConfig,
    /// The seed it was generated with.
    pub seed: u64,
}

impl World {
    /// A split time leaving the last 30 days of orders for testing.
    pub fn suggested_split(&self) -> i64 {
        self.dataset
            .orders
            .time_range()
            .map_or(0, |(_, b)| b - 30 * 86_400)
    }
}

/// Generates the world of a [`Scale`] in memory. `Large` needs tens of gigabytes this
/// way; use [`Generator::chunks`] for it.
///
/// # Errors
/// None for the built-in scales; see [`generate_with`].
pub fn generate(scale: Scale, seed: u64) -> Result<World> {
    generate_with(&SynthConfig::for_scale(scale), seed)
}

/// Generates a world of any configuration in memory.
///
/// # Errors
/// [`crate::Error::Config`] when `config` breaks a rule of [`SynthConfig::validate`].
///
/// # Examples
/// ```
/// use kocrank::synth::{generate_with, Scale, SynthConfig};
/// let cfg = SynthConfig { promoters: 50, ..SynthConfig::for_scale(Scale::Tiny) };
/// let world = generate_with(&cfg, 1).unwrap();
/// assert_eq!(world.dataset.promoters().len(), 50);
/// let bad = SynthConfig { promoters: 0, ..cfg };
/// assert!(matches!(generate_with(&bad, 1), Err(kocrank::Error::Config(_))));
/// ```
pub fn generate_with(config: &SynthConfig, seed: u64) -> Result<World> {
    let gen = Generator::new(config, seed)?;
    let n = gen.promoters().len() as u32;
    let (orders, shares) = gen.chunk(0..n)?;
    let dataset = Dataset {
        catalog: Arc::clone(gen.catalog()),
        promoters: Arc::clone(gen.promoters()),
        orders,
        shares,
    };
    Ok(World {
        dataset,
        truth: gen.into_truth(),
        config: config.clone(),
        seed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::time::{DAY, MAX_TS};
    use crate::data::{OrderStatus, Seller};
    use std::collections::HashMap;
    use std::sync::OnceLock;

    /// A world big enough for the statistical checks: 1,500 promoters, 40k orders.
    fn medium() -> &'static World {
        static WORLD: OnceLock<World> = OnceLock::new();
        WORLD.get_or_init(|| {
            let cfg = SynthConfig {
                promoters: 1_500,
                items: 2_000,
                orders_per_promoter: 27.0,
                ..SynthConfig::for_scale(Scale::Tiny)
            };
            generate_with(&cfg, 2024).unwrap()
        })
    }

    /// Checks every rule the dataset builder enforces, and the world's own invariants.
    fn check_world(w: &World) {
        let ds = &w.dataset;
        let c = &ds.catalog;
        let p = &ds.promoters;
        let (o, s) = (&ds.orders, &ds.shares);
        let (start, end) = (w.config.start(), w.config.end);
        assert_eq!(c.brands.name(0), Some(""));
        for col in [
            c.category.len(),
            c.brand.len(),
            c.price_cents.len(),
            c.reviews_total.len(),
            c.reviews_positive.len(),
            c.commission_rate.len(),
            c.seller.len(),
            c.in_stock.len(),
            c.listed_at.len(),
        ] {
            assert_eq!(col, c.len());
        }
        for i in 0..c.len() {
            assert!((0.0..=1.0).contains(&c.commission_rate[i]));
            assert!(c.reviews_positive[i] <= c.reviews_total[i]);
            assert!(c.price_cents[i] >= 0);
            assert!((c.brand[i] as usize) < c.brands.len());
            let t = c.listed_at[i].unwrap();
            assert!((0..end).contains(&t));
            for (level, &id) in c.category[i].iter().enumerate() {
                assert_eq!(usize::from(c.taxonomy.depth[id as usize]), level + 1);
            }
        }
        assert!(c.taxonomy.depth.iter().all(|&d| (1..=3).contains(&d)));
        for q in 0..p.len() {
            assert!((1..=6).contains(&p.city_tier[q]));
            if let Some(inv) = p.inviter[q] {
                assert!((inv as usize) < q);
            }
        }
        for r in 0..o.len() {
            let (q, i) = (o.promoter[r] as usize, o.item[r] as usize);
            assert!(q < p.len() && i < c.len());
            assert!(o.ts[r] >= start && o.ts[r] < end && o.ts[r] <= MAX_TS);
            assert!(o.ts[r] >= c.listed_at[i].unwrap(), "ordered before listing");
            assert!(o.ts[r] > p.joined_at[q].unwrap(), "ordered before joining");
            assert!(o.quantity[r] >= 1);
            assert_eq!(
                o.amount_cents[r],
                c.price_cents[i] * i64::from(o.quantity[r])
            );
            let label = p.ids.name(q as u32).unwrap().trim_start_matches('P');
            assert!(o
                .buyer_ids
                .name(o.buyer[r])
                .unwrap()
                .starts_with(&format!("B{label}-")));
            assert!(o
                .group_ids
                .name(o.group[r])
                .unwrap()
                .starts_with(&format!("G{label}-")));
            assert!(o
                .order_ids
                .name(o.order_id[r])
                .unwrap()
                .starts_with(&format!("O{label}-")));
        }
        assert_eq!(o.order_ids.len(), o.len(), "order ids are unique");
        for r in 0..s.len() {
            assert!((s.promoter[r] as usize) < p.len() && (s.item[r] as usize) < c.len());
            assert!(s.ts[r] >= start && s.ts[r] < end);
            assert!(s.ts[r] >= c.listed_at[s.item[r] as usize].unwrap());
            assert!((s.group[r] as usize) < s.group_ids.len());
        }
        assert!(
            o.promoter.windows(2).all(|x| x[0] <= x[1]),
            "grouped by promoter"
        );
    }

    #[test]
    fn same_seed_same_world_other_seed_other_world() {
        let a = generate(Scale::Tiny, 7).unwrap();
        let b = generate(Scale::Tiny, 7).unwrap();
        assert_eq!(a.dataset.catalog, b.dataset.catalog);
        assert_eq!(a.dataset.promoters, b.dataset.promoters);
        assert_eq!(a.dataset.orders, b.dataset.orders);
        assert_eq!(a.dataset.shares, b.dataset.shares);
        assert_eq!(a.truth, b.truth);
        assert_eq!((a.config, a.seed), (b.config, b.seed));
        let c = generate(Scale::Tiny, 8).unwrap();
        assert_ne!(a.dataset.orders, c.dataset.orders);
        assert_ne!(a.dataset.catalog.price_cents, c.dataset.catalog.price_cents);
        assert_ne!(a.truth.taste, c.truth.taste);
    }

    #[test]
    fn worlds_follow_the_data_rules() {
        let tiny = generate(Scale::Tiny, 1).unwrap();
        let n = tiny.dataset.orders.len();
        assert!((5_000..20_000).contains(&n), "{n} orders");
        check_world(&tiny);
        check_world(medium());
        let split = tiny
            .dataset
            .split(tiny.suggested_split(), 30 * DAY)
            .unwrap();
        assert!(split.test.orders.len() > n / 10);
    }

    #[test]
    fn the_dataset_builder_accepts_every_row_and_agrees() {
        use crate::data::{DatasetBuilder, ItemRecord, OrderRecord, PromoterRecord, ShareRecord};
        let w = generate(Scale::Tiny, 5).unwrap();
        let ds = &w.dataset;
        let (c, p, o, s) = (&ds.catalog, &ds.promoters, &ds.orders, &ds.shares);
        let mut b = DatasetBuilder::new();
        b.declare_items();
        b.declare_promoters();
        for i in 0..c.len() {
            let ix = i as u32;
            b.push_item(&ItemRecord {
                item_id: c.ids.name(ix).unwrap(),
                category: Some(c.category_path(ix)),
                brand: Some(c.brand_name(ix)),
                price_cents: Some(c.price_cents[i]),
                reviews_positive: Some(i64::from(c.reviews_positive[i])),
                reviews_total: Some(i64::from(c.reviews_total[i])),
                commission_rate: Some(f64::from(c.commission_rate[i])),
                seller: Some(c.seller[i].as_str()),
                in_stock: Some(c.in_stock[i]),
                listed_at: c.listed_at[i],
            })
            .unwrap();
        }
        for q in 0..p.len() {
            b.push_promoter(&PromoterRecord {
                promoter_id: p.ids.name(q as u32).unwrap(),
                channel: Some(p.channel[q].as_str()),
                city_tier: Some(i64::from(p.city_tier[q])),
                joined_at: p.joined_at[q],
                inviter_id: p.inviter[q].and_then(|x| p.ids.name(x)),
            })
            .unwrap();
        }
        for r in 0..o.len() {
            b.push_order(&OrderRecord {
                promoter_id: p.ids.name(o.promoter[r]).unwrap(),
                item_id: c.ids.name(o.item[r]).unwrap(),
                ts: o.ts[r],
                order_id: o.order_ids.name(o.order_id[r]),
                buyer_id: o.buyer_ids.name(o.buyer[r]),
                group_id: o.group_ids.name(o.group[r]),
                quantity: Some(i64::from(o.quantity[r])),
                amount_cents: Some(o.amount_cents[r]),
                status: Some(o.status[r].as_str()),
                weight: Some(f64::from(o.weight(r))),
            })
            .unwrap();
        }
        for r in 0..s.len() {
            b.push_share(&ShareRecord {
                promoter_id: p.ids.name(s.promoter[r]).unwrap(),
                item_id: c.ids.name(s.item[r]).unwrap(),
                ts: s.ts[r],
                group_id: s.group_ids.name(s.group[r]),
                receiver_id: s.receiver(r).and_then(|x| p.ids.name(x)),
            })
            .unwrap();
        }
        let built = b.finish().unwrap();
        assert!(s.has_receivers());
        assert_eq!(built.shares.receiver, s.receiver);
        let bc = &built.catalog;
        assert_eq!(bc.ids, c.ids);
        assert_eq!(bc.price_cents, c.price_cents);
        assert_eq!(bc.reviews_total, c.reviews_total);
        assert_eq!(bc.commission_rate, c.commission_rate);
        assert_eq!(bc.listed_at, c.listed_at);
        for i in 0..c.len() as u32 {
            assert_eq!(bc.category_path(i), c.category_path(i));
            assert_eq!(bc.brand_name(i), c.brand_name(i));
        }
        assert_eq!(*built.promoters, **p);
        let bo = &built.orders;
        assert_eq!(
            (&bo.promoter, &bo.item, &bo.ts),
            (&o.promoter, &o.item, &o.ts)
        );
        assert_eq!((&bo.amount_cents, &bo.status), (&o.amount_cents, &o.status));
        assert_eq!(bo.buyer_ids, o.buyer_ids);
        assert_eq!(built.shares.item, s.item);
    }

    #[test]
    fn top_categories_are_fresh_home_underwear_and_marketplace_takes_most_orders() {
        let ds = &medium().dataset;
        let (c, o) = (&ds.catalog, &ds.orders);
        let mut by_top: HashMap<&str, usize> = HashMap::new();
        let (mut own, mut own_gmv, mut gmv) = (0usize, 0.0, 0.0);
        for r in 0..o.len() {
            let i = o.item[r];
            *by_top
                .entry(c.taxonomy.paths.name(c.top_category(i)).unwrap())
                .or_default() += 1;
            gmv += o.amount_cents[r] as f64;
            if c.seller[i as usize] == Seller::SelfOperated {
                own += 1;
                own_gmv += o.amount_cents[r] as f64;
            }
        }
        let mut tops: Vec<(&str, usize)> = by_top.into_iter().collect();
        tops.sort_by_key(|&(name, n)| (std::cmp::Reverse(n), name));
        let mut first3: Vec<&str> = tops[..3].iter().map(|t| t.0).collect();
        first3.sort_unstable();
        assert_eq!(first3, ["fresh", "home", "underwear"], "{tops:?}");
        let own_share = own as f64 / o.len() as f64;
        let own_gmv_share = own_gmv / gmv;
        assert!(own_share < 0.3, "self-operated orders {own_share}");
        assert!(
            own_gmv_share > own_share * 1.5,
            "self-operated GMV {own_gmv_share}"
        );
        assert!(
            (0.25..0.6).contains(&own_gmv_share),
            "self-operated GMV {own_gmv_share}"
        );
    }

    #[test]
    fn many_shares_bring_no_order() {
        let zero = shares_without_orders(&medium().dataset);
        assert!((0.25..0.8).contains(&zero), "{zero}");
    }

    #[test]
    fn consumables_are_rebought_and_durables_rarely() {
        let (cons, dur) = repeat_rates(medium());
        assert!(
            cons > 0.04 && cons > 3.0 * dur,
            "consumable {cons}, durable {dur}"
        );
        // Repeat purchases of consumables come round about their cycle.
        let w = medium();
        let o = &w.dataset.orders;
        let mut gaps: Vec<f64> = Vec::new();
        let mut last: HashMap<(u32, u32), i64> = HashMap::new();
        let mut rows: Vec<usize> = (0..o.len())
            .filter(|&r| o.status[r] == OrderStatus::Completed)
            .collect();
        rows.sort_by_key(|&r| o.ts[r]);
        for r in rows {
            let key = (o.buyer[r], o.item[r]);
            if let Some(prev) = last.insert(key, o.ts[r]) {
                let leaf = w.dataset.catalog.leaf_category(o.item[r]);
                let cat = w.truth.category(leaf).unwrap();
                if cat.consumable && o.ts[r] - prev > DAY {
                    gaps.push((o.ts[r] - prev) as f64 / DAY as f64 / f64::from(cat.cycle_days));
                }
            }
        }
        gaps.sort_by(f64::total_cmp);
        let median = gaps[gaps.len() / 2];
        assert!((0.7..2.5).contains(&median), "median gap / cycle {median}");
    }

    #[test]
    fn commission_drives_shares_but_not_orders() {
        let w = medium();
        let ds = &w.dataset;
        let (c, s) = (&ds.catalog, &ds.shares);
        let market = |i: usize| c.seller[i] == Seller::Marketplace;
        // Without a commission effect, shared items of a leaf would carry the
        // popularity-weighted mean commission of that leaf.
        let mut leaf_mean: HashMap<u32, (f64, f64)> = HashMap::new();
        for i in (0..c.len()).filter(|&i| market(i)) {
            let e = leaf_mean.entry(c.leaf_category(i as u32)).or_default();
            let pop = f64::from(w.truth.item_popularity[i]);
            e.0 += pop * f64::from(c.commission_rate[i]);
            e.1 += pop;
        }
        let (mut actual, mut expected, mut n) = (0.0, 0.0, 0.0);
        for r in 0..s.len() {
            let i = s.item[r] as usize;
            if market(i) {
                let (a, b) = leaf_mean[&c.leaf_category(i as u32)];
                actual += f64::from(c.commission_rate[i]);
                expected += a / b;
                n += 1.0;
            }
        }
        assert!(
            actual > 1.05 * expected,
            "shared {} vs neutral {}",
            actual / n,
            expected / n
        );
        // Members convert shares of high- and low-commission fresh food alike.
        let orders: std::collections::HashSet<(u32, u32, i64)> = (0..ds.orders.len())
            .map(|r| {
                (
                    ds.orders.promoter[r],
                    ds.orders.item[r],
                    ds.orders.ts[r] / DAY,
                )
            })
            .collect();
        let mut conv = [(0usize, 0usize); 2];
        for r in 0..s.len() {
            let i = s.item[r] as usize;
            if !market(i) || c.taxonomy.paths.name(c.top_category(i as u32)) != Some("fresh") {
                continue;
            }
            let rate = c.commission_rate[i];
            let k = if rate >= 0.15 {
                1
            } else if rate < 0.10 {
                0
            } else {
                continue;
            };
            let day = s.ts[r] / DAY;
            let hit = (day..day + 2).any(|d| orders.contains(&(s.promoter[r], s.item[r], d)));
            conv[k].0 += usize::from(hit);
            conv[k].1 += 1;
        }
        let rate = |(a, b): (usize, usize)| a as f64 / b as f64;
        let ratio = rate(conv[1]) / rate(conv[0]);
        assert!(
            (0.8..1.25).contains(&ratio),
            "high/low commission conversion {ratio} {conv:?}"
        );
    }

    #[test]
    fn activity_is_long_tailed_and_new_items_sell_in_the_test_window() {
        let w = medium();
        let ds = &w.dataset;
        let mut per = vec![0usize; ds.promoters.len()];
        for &q in &ds.orders.promoter {
            per[q as usize] += 1;
        }
        per.sort_unstable_by(|a, b| b.cmp(a));
        let top: usize = per[..per.len() / 10].iter().sum();
        assert!(
            top as f64 > 0.4 * ds.orders.len() as f64,
            "top decile brings {top}"
        );
        assert!(per.iter().filter(|&&x| x <= 2).count() > per.len() / 20);
        let at = w.suggested_split();
        let new_sold = (0..ds.orders.len())
            .filter(|&r| ds.catalog.listed_at[ds.orders.item[r] as usize].unwrap() >= at)
            .count();
        assert!(new_sold > 0, "items listed in the test window sell");
    }

    /// Prints the figures the module doc quotes: run with
    /// `cargo test --no-default-features --lib synth::tests::stats -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn stats() {
        for scale in [Scale::Tiny, Scale::Small] {
            let t0 = std::time::Instant::now();
            let w = generate(scale, 1).unwrap();
            let el = t0.elapsed();
            let ds = &w.dataset;
            let c = &ds.catalog;
            let o = &ds.orders;
            println!("{scale:?}: {} in {el:?}", ds.summary());
            let mut by_top: HashMap<&str, usize> = HashMap::new();
            let (mut own_n, mut own_gmv, mut gmv) = (0usize, 0f64, 0f64);
            for r in 0..o.len() {
                let i = o.item[r];
                *by_top
                    .entry(c.taxonomy.paths.name(c.top_category(i)).unwrap())
                    .or_default() += 1;
                gmv += o.amount_cents[r] as f64;
                if c.seller[i as usize] == Seller::SelfOperated {
                    own_n += 1;
                    own_gmv += o.amount_cents[r] as f64;
                }
            }
            let mut v: Vec<_> = by_top.into_iter().collect();
            v.sort_by_key(|x| std::cmp::Reverse(x.1));
            for (k, n) in v {
                println!("  {k:10} {:.3}", n as f64 / o.len() as f64);
            }
            println!(
                "  self-operated orders {:.3} gmv {:.3}",
                own_n as f64 / o.len() as f64,
                own_gmv / gmv
            );
            let zero = shares_without_orders(ds);
            println!("  shares {} without orders {:.3}", ds.shares.len(), zero);
            let st = |s| o.status.iter().filter(|&&x| x == s).count() as f64 / o.len() as f64;
            println!(
                "  refunded {:.3} cancelled {:.3}",
                st(OrderStatus::Refunded),
                st(OrderStatus::Cancelled)
            );
            let (cons, dur) = repeat_rates(&w);
            println!("  buyer repeat rate consumable {cons:.3} durable {dur:.3}");
            let mut per_p = vec![0usize; ds.promoters.len()];
            for &p in &o.promoter {
                per_p[p as usize] += 1;
            }
            per_p.sort_unstable();
            let n = per_p.len();
            println!(
                "  orders/promoter median {} p90 {} max {} zero-to-two {:.3}",
                per_p[n / 2],
                per_p[n * 9 / 10],
                per_p[n - 1],
                per_p.iter().filter(|&&x| x <= 2).count() as f64 / n as f64
            );
        }
    }

    /// Times the `Large` skeleton and one chunk of it: run with
    /// `cargo test --release --no-default-features --lib synth::tests::large -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn large() {
        let t0 = std::time::Instant::now();
        let gen = Generator::new(&SynthConfig::for_scale(Scale::Large), 1).unwrap();
        println!("Large skeleton in {:?}", t0.elapsed());
        let t1 = std::time::Instant::now();
        let (o, s) = gen.chunk(0..4_000).unwrap();
        println!(
            "4,000 of {} promoters: {} orders, {} shares in {:?}",
            gen.promoters().len(),
            o.len(),
            s.len(),
            t1.elapsed()
        );
    }

    /// Fraction of shares with no order of the same item by the same promoter within two
    /// days after.
    fn shares_without_orders(ds: &Dataset) -> f64 {
        let mut orders: HashMap<(u32, u32), Vec<i64>> = HashMap::new();
        for r in 0..ds.orders.len() {
            orders
                .entry((ds.orders.promoter[r], ds.orders.item[r]))
                .or_default()
                .push(ds.orders.ts[r]);
        }
        let s = &ds.shares;
        let without = (0..s.len())
            .filter(|&r| {
                orders.get(&(s.promoter[r], s.item[r])).map_or(true, |ts| {
                    !ts.iter().any(|&t| t >= s.ts[r] && t < s.ts[r] + 2 * 86_400)
                })
            })
            .count();
        without as f64 / s.len().max(1) as f64
    }

    /// Among (buyer, item) pairs with a completed order, the fraction bought again on a
    /// later day: for consumable and for durable leaves.
    fn repeat_rates(w: &World) -> (f64, f64) {
        let ds = &w.dataset;
        let o = &ds.orders;
        let mut days: HashMap<(u32, u32), Vec<i64>> = HashMap::new();
        for r in 0..o.len() {
            if o.status[r] == OrderStatus::Completed {
                days.entry((o.buyer[r], o.item[r]))
                    .or_default()
                    .push(o.ts[r] / 86_400);
            }
        }
        let mut n = [0usize; 2];
        let mut rep = [0usize; 2];
        for ((_, item), mut d) in days {
            let leaf = ds.catalog.leaf_category(item);
            let k = usize::from(!w.truth.category(leaf).unwrap().consumable);
            d.sort_unstable();
            d.dedup();
            n[k] += 1;
            rep[k] += usize::from(d.len() > 1);
        }
        (rep[0] as f64 / n[0] as f64, rep[1] as f64 / n[1] as f64)
    }
}
