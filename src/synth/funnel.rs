//! The share → order funnel of one promoter, simulated share by share over her active span.
//!
//! Each share picks an item (circle taste, item popularity, commission, quality, price
//! band, brand loyalty) or re-shares an item whose repurchase cycle has come round; the
//! members of the group then order it 0..n times, driven by taste fit, price fit and
//! quality, never by commission.

use super::catalog::CatalogIndex;
use super::categories::N_TOPS;
use super::dist::{
    below, bernoulli, cumulative, exponential, gamma, lognormal, poisson, rng_for, sample_cdf,
    uniform, Rng,
};
use super::truth::GroundTruth;
use crate::data::time::DAY;
use crate::data::{Catalog, OrderStatus, Seller};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// Random stream of the funnel; the index is the promoter index.
const STREAM_FUNNEL: u64 = 0xF0_77E1;

/// Average completed-or-not orders per share, measured on the default worlds; the
/// circle step divides the configured orders per promoter by it to set activity.
pub(crate) const ORDERS_PER_SHARE: f64 = 1.5;

/// Orders per share for an average fit and a group of 150 members.
const CONVERSION: f64 = 0.9;

/// Shape of the gamma noise on a share's expected orders (smaller = more shares with
/// no order at all).
pub(super) const SHARE_NOISE_SHAPE: f64 = 0.7;

/// Extra pull of self-operated items on buyers (authentic goods, fast delivery).
const SELF_OPERATED_TRUST: f64 = 1.4;

/// Share appeal of a self-operated item, whose commission is 0–2%.
const SELF_OPERATED_APPEAL: f64 = 0.25;

/// Probability that a promoter re-shares an item whose cycle has come round.
const RESHARE_DUE: f64 = 0.7;

/// Extra pull of a due item on the circle that bought it before.
pub(super) const REPEAT_BOOST: f64 = 1.4;

/// Probability that the first order of a re-share comes from the previous buyer.
const SAME_BUYER: f64 = 0.85;

/// Attempts of the accept/reject item draw before the promoter skips the share.
const MAX_TRIES: usize = 24;

/// Mean delay from a share to an order, in seconds.
pub(super) const ORDER_DELAY: f64 = 5.0 * 3600.0;

/// Share of cancelled orders.
pub(super) const CANCELLED: f64 = 0.015;

/// Out-of-stock items became so this many days before the end of the period.
const STOCKOUT_DAYS: i64 = 21;

/// One order of a promoter, before ids are interned.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawOrder {
    pub item: u32,
    pub ts: i64,
    pub quantity: u32,
    pub status: OrderStatus,
    pub group: u8,
    /// Member number within the promoter's circle (all groups, in order).
    pub member: u32,
}

/// One share of a promoter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawShare {
    pub item: u32,
    pub ts: i64,
    pub group: u8,
}

/// A promoter's shares (time order) and orders (time order).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PromoterLog {
    pub orders: Vec<RawOrder>,
    pub shares: Vec<RawShare>,
}

/// What the funnel reads.
pub(crate) struct Sim<'a> {
    pub seed: u64,
    pub end: i64,
    pub catalog: &'a Catalog,
    pub index: &'a CatalogIndex,
    pub truth: &'a GroundTruth,
}

/// The last completed order of an item by a circle.
#[derive(Debug, Clone, Copy)]
struct Last {
    ts: i64,
    member: u32,
    group: u8,
}

/// A promoter's circle as the funnel sees it.
pub(super) struct Circle<'a> {
    taste: &'a [f32],
    taste_cdf: Vec<f64>,
    favourites: &'a [u32],
    loyalty: f64,
    log_center: f64,
    width: f64,
    pub(super) group_sizes: &'a [u32],
    pub(super) group_cdf: Vec<f64>,
    group_offset: Vec<u32>,
}

impl Sim<'_> {
    pub(super) fn available(&self, item: u32, ts: i64) -> bool {
        let i = item as usize;
        let listed = self
            .catalog
            .listed_at
            .get(i)
            .copied()
            .flatten()
            .unwrap_or(0);
        let stocked = self.catalog.in_stock.get(i).copied().unwrap_or(false);
        listed <= ts && (stocked || ts < self.end - STOCKOUT_DAYS * DAY)
    }

    fn top_of(&self, item: u32) -> usize {
        let leaf = self
            .index
            .leaf_of_item
            .get(item as usize)
            .copied()
            .unwrap_or(0);
        self.index
            .top_of_leaf
            .get(usize::from(leaf))
            .copied()
            .unwrap_or(0)
    }

    pub(super) fn quality(&self, item: u32) -> f64 {
        f64::from(
            self.truth
                .item_quality
                .get(item as usize)
                .copied()
                .unwrap_or(0.9),
        )
    }

    /// `exp(−d²/2w²)` with `d` the item's log-price distance from the band centre.
    pub(super) fn price_fit(&self, c: &Circle<'_>, item: u32) -> f64 {
        let rel = f64::from(
            self.index
                .log_rel_price
                .get(item as usize)
                .copied()
                .unwrap_or(0.0),
        );
        let d = rel - c.log_center;
        (-d * d / (2.0 * c.width * c.width)).exp()
    }

    /// How much the commission makes a promoter want to share `item`: proportional to
    /// the rate for marketplace items (`rate / 0.3`, at least 0.1), a flat 0.25 for
    /// self-operated ones (shared for trust and price, not pay).
    pub(super) fn commission_appeal(&self, item: u32) -> f64 {
        let i = item as usize;
        if self.catalog.seller.get(i) == Some(&Seller::SelfOperated) {
            return SELF_OPERATED_APPEAL;
        }
        let rate = f64::from(self.catalog.commission_rate.get(i).copied().unwrap_or(0.0));
        (rate / 0.3).clamp(0.1, 1.0)
    }

    /// How likely a promoter is to share `item` once she has it in front of her:
    /// commission appeal × `clamp((quality − 0.75) / 0.2, 0.05, 1)` × √(price fit).
    pub(super) fn share_appeal(&self, c: &Circle<'_>, item: u32) -> f64 {
        let commission = self.commission_appeal(item);
        let quality = ((self.quality(item) - 0.75) / 0.2).clamp(0.05, 1.0);
        commission * quality * self.price_fit(c, item).sqrt()
    }

    /// Draws a new item to share: a category by taste, then an item by popularity (from
    /// a favourite brand with probability `loyalty`), kept with a probability that
    /// grows with commission, quality and price fit.
    fn pick(&self, rng: &mut Rng, c: &Circle<'_>, ts: i64) -> Option<u32> {
        for _ in 0..MAX_TRIES {
            let top = sample_cdf(rng, &c.taste_cdf)?;
            let n_fav = c
                .favourites
                .iter()
                .filter(|&&b| self.index.top_of_brand.get(b as usize) == Some(&top))
                .count();
            let item = if n_fav > 0 && bernoulli(rng, c.loyalty) {
                let k = below(rng, n_fav as u64) as usize;
                let brand = c
                    .favourites
                    .iter()
                    .filter(|&&b| self.index.top_of_brand.get(b as usize) == Some(&top))
                    .nth(k)
                    .copied()?;
                let (cdf, items) = self.index.brand(brand);
                items.get(sample_cdf(rng, cdf)?).copied()?
            } else {
                let first = self.index.top_leaf_start.get(top).copied()?;
                let leaf = first + sample_cdf(rng, self.index.top_leaf_cdf.get(top)?)?;
                let (cdf, items) = self.index.leaf(leaf);
                items.get(sample_cdf(rng, cdf)?).copied()?
            };
            if !self.available(item, ts) {
                continue;
            }
            if bernoulli(rng, self.share_appeal(c, item)) {
                return Some(item);
            }
        }
        None
    }

    /// Expected orders from sharing `item` to a group of `size` members.
    pub(super) fn expected_orders(
        &self,
        c: &Circle<'_>,
        item: u32,
        size: u32,
        repeat: bool,
    ) -> f64 {
        let top = self.top_of(item);
        let w = f64::from(c.taste.get(top).copied().unwrap_or(0.0));
        let taste_fit = (w * N_TOPS as f64).powf(0.5);
        let quality_fit = ((self.quality(item) - 0.97) * 12.0).exp();
        let brand = self.catalog.brand.get(item as usize).copied().unwrap_or(0);
        let brand_fit = if brand != 0 && c.favourites.contains(&brand) {
            1.3
        } else {
            1.0
        };
        let audience = (f64::from(size) / 150.0).powf(0.6);
        let own = self.catalog.seller.get(item as usize) == Some(&Seller::SelfOperated);
        let trust = if own { SELF_OPERATED_TRUST } else { 1.0 };
        let repeat = if repeat { REPEAT_BOOST } else { 1.0 };
        CONVERSION
            * audience
            * taste_fit
            * self.price_fit(c, item)
            * quality_fit
            * brand_fit
            * trust
            * repeat
    }

    pub(super) fn circle(&self, p: u32) -> Option<Circle<'_>> {
        let t = self.truth;
        let pu = p as usize;
        let taste = t.taste(p);
        let group_sizes = t.group_sizes(p);
        if taste.is_empty() || group_sizes.is_empty() {
            return None;
        }
        let mut group_offset = Vec::with_capacity(group_sizes.len());
        let mut acc = 0u32;
        for &s in group_sizes {
            group_offset.push(acc);
            acc += s;
        }
        Some(Circle {
            taste,
            taste_cdf: cumulative(taste.iter().map(|&x| f64::from(x))),
            favourites: t.favourite_brands(p),
            loyalty: f64::from(*t.brand_loyalty.get(pu)?),
            log_center: f64::from(*t.price_center.get(pu)?).ln(),
            width: f64::from(*t.price_width.get(pu)?),
            group_sizes,
            group_cdf: cumulative(group_sizes.iter().map(|&s| f64::from(s))),
            group_offset,
        })
    }

    /// Simulates promoter `p`: her shares and the orders they bring, each in time order.
    pub(crate) fn simulate(&self, p: u32) -> PromoterLog {
        let mut log = PromoterLog::default();
        let t = self.truth;
        let pu = p as usize;
        let (Some(c), Some(&from), Some(&until), Some(&activity)) = (
            self.circle(p),
            t.active_from.get(pu),
            t.active_until.get(pu),
            t.activity.get(pu),
        ) else {
            return log;
        };
        let mut rng = rng_for(self.seed, STREAM_FUNNEL, u64::from(p));
        if until <= from {
            return log;
        }
        let days = (until - from) as f64 / DAY as f64;
        let n_shares = poisson(&mut rng, f64::from(activity) * days) as usize;
        // Share times: a uniform day, posted between 08:00 and 22:00.
        let mut times: Vec<i64> = (0..n_shares)
            .map(|_| {
                let t = from + (uniform(&mut rng) * (until - from) as f64) as i64;
                let day = t - t.rem_euclid(DAY);
                (day + 8 * 3600 + (uniform(&mut rng) * 14.0 * 3600.0) as i64).clamp(from, until - 1)
            })
            .collect();
        times.sort_unstable();
        log.shares.reserve(n_shares);

        let mut due: BinaryHeap<Reverse<(i64, u32, i64)>> = BinaryHeap::new();
        let mut last: HashMap<u32, Last> = HashMap::new();
        for ts in times {
            // A due item first: the circle is running out of it.
            let mut repeat = None;
            while let Some(&Reverse((when, item, stamp))) = due.peek() {
                if when > ts {
                    break;
                }
                due.pop();
                let Some(&prev) = last.get(&item).filter(|l| l.ts == stamp) else {
                    continue; // superseded by a later order
                };
                if bernoulli(&mut rng, RESHARE_DUE) && self.available(item, ts) {
                    repeat = Some((item, prev));
                } else {
                    let wait = (1 + below(&mut rng, 5) as i64) * DAY;
                    due.push(Reverse((ts + wait, item, stamp)));
                }
                break;
            }
            let item = match repeat {
                Some((item, _)) => item,
                None => match self.pick(&mut rng, &c, ts) {
                    Some(item) => item,
                    None => continue,
                },
            };
            let group = match repeat {
                Some((_, prev)) if bernoulli(&mut rng, 0.9) => usize::from(prev.group),
                _ => sample_cdf(&mut rng, &c.group_cdf).unwrap_or(0),
            };
            let size = c.group_sizes.get(group).copied().unwrap_or(1).max(1);
            let offset = c.group_offset.get(group).copied().unwrap_or(0);
            log.shares.push(RawShare {
                item,
                ts,
                group: group as u8,
            });

            let lambda = self.expected_orders(&c, item, size, repeat.is_some())
                * gamma(&mut rng, SHARE_NOISE_SHAPE)
                / SHARE_NOISE_SHAPE;
            let n_orders = poisson(&mut rng, lambda).min(60);
            let price = self
                .catalog
                .price_cents
                .get(item as usize)
                .copied()
                .unwrap_or(0);
            let quality = self.quality(item);
            let mut newest: Option<Last> = None;
            for k in 0..n_orders {
                let member = match repeat {
                    Some((_, prev))
                        if k == 0
                            && usize::from(prev.group) == group
                            && bernoulli(&mut rng, SAME_BUYER) =>
                    {
                        prev.member
                    }
                    _ => offset + (f64::from(size) * uniform(&mut rng).powi(2)) as u32,
                };
                let ots = ts + 60 + exponential(&mut rng, ORDER_DELAY) as i64;
                if ots >= self.end {
                    continue;
                }
                let quantity = quantity(&mut rng, price);
                let status = if bernoulli(&mut rng, CANCELLED) {
                    OrderStatus::Cancelled
                } else if bernoulli(&mut rng, 0.01 + 0.5 * (1.0 - quality)) {
                    OrderStatus::Refunded
                } else {
                    OrderStatus::Completed
                };
                if status == OrderStatus::Completed && newest.map_or(true, |l| ots > l.ts) {
                    newest = Some(Last {
                        ts: ots,
                        member,
                        group: group as u8,
                    });
                }
                log.orders.push(RawOrder {
                    item,
                    ts: ots,
                    quantity,
                    status,
                    group: group as u8,
                    member,
                });
            }
            // A circle that bought may come back when the item runs out.
            if let Some(l) = newest {
                last.insert(item, l);
                let leaf = self
                    .index
                    .leaf_of_item
                    .get(item as usize)
                    .copied()
                    .unwrap_or(0);
                if let Some(cat) = t.categories.get(usize::from(leaf)) {
                    if bernoulli(&mut rng, f64::from(cat.repurchase)) {
                        let cycle = lognormal(
                            &mut rng,
                            f64::from(cat.cycle_days).ln(),
                            f64::from(cat.cycle_sigma),
                        );
                        let when = l.ts + (cycle * DAY as f64) as i64;
                        due.push(Reverse((when, item, l.ts)));
                    }
                }
            }
        }
        log.orders
            .sort_by_key(|o| (o.ts, o.item, o.member, o.quantity, o.status as u8));
        log
    }
}

/// Units of one order: mostly 1; cheap items sometimes 2–5.
pub(super) fn quantity(rng: &mut Rng, price_cents: i64) -> u32 {
    if price_cents > 50_000 {
        return if bernoulli(rng, 0.03) { 2 } else { 1 };
    }
    let u = uniform(rng);
    match u {
        u if u < 0.80 => 1,
        u if u < 0.92 => 2,
        u if u < 0.97 => 3,
        u if u < 0.99 => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_mostly_one_and_at_most_five() {
        let mut rng = rng_for(1, 2, 3);
        let q: Vec<u32> = (0..10_000).map(|_| quantity(&mut rng, 3_900)).collect();
        assert!(q.iter().all(|&x| (1..=5).contains(&x)));
        let ones = q.iter().filter(|&&x| x == 1).count();
        assert!((7_500..8_500).contains(&ones));
        assert!((0..1000).all(|_| quantity(&mut rng, 169_900) <= 2));
    }
}
