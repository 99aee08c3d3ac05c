//! Replays a held-out window of the synthetic world with every promoter sharing from a
//! list instead of browsing: what a ranking would earn online, by the world's own funnel.
//!
//! Offline metrics (`Commission@K`) count the logged orders a list contains. A list
//! changes what promoters share, and so what their groups buy; logs cannot show that
//! (`shared/DOMAIN.md` §5.6 turns to IPS estimates for policies far from the logging
//! one). The synthetic world knows its funnel, so it can answer the counterfactual:
//!
//! 1. Every share a promoter made in the window is kept (same count, same times), but
//!    she picks its item from her list: position `k` (from 1) with probability
//!    proportional to `θ_k · appeal_i`, with `θ_k = 1 / log2(k + 1)` (position bias, the
//!    NDCG discount; [`PositionBias`] has steeper and flat ones) and `appeal_i` the world's own share appeal (commission, quality,
//!    √price fit; `super` module docs, funnel step 2). Items not listed yet, or sold out,
//!    at that time are skipped.
//! 2. The group is drawn by size; its members order the item `Poisson(λ · Gamma(0.7) /
//!    0.7)` times with the world's `λ` (taste fit, price fit, quality, favourite brand,
//!    seller trust; on a re-order, the expected repeat boost once the leaf's median
//!    cycle has passed since her last order of it). Quantities,
//!    delays, cancellations and refunds as in the world; orders after the window end
//!    are dropped.
//! 3. Each share draws from its own random stream (`seed`, promoter, share), so two
//!    lists are compared on the same random numbers.
//!
//! [`logged`] gives the same figures for what the promoters actually shared in the
//! window (the world's browsing policy), on the same promoters.
//!
//! # Examples
//! ```
//! use kocrank::synth::{generate, replay, ReplayConfig, Scale};
//! use kocrank::study::replay_ranker;
//! use kocrank::{train, Config, Ranker};
//! let world = generate(Scale::Tiny, 3).unwrap();
//! let at = world.suggested_split();
//! let split = world.dataset.split(at, 30 * 86_400).unwrap();
//! let ranker = Ranker::new(train(&split.train, &Config::with_model(kocrank::ModelKind::Baseline)).unwrap());
//! let cfg = ReplayConfig::default();
//! let ranked = replay_ranker(&world, at, 30 * 86_400, &cfg, &ranker).unwrap();
//! // Any lists will do: here, one fixed item for everyone.
//! let one = replay(&world, at, 30 * 86_400, &cfg, |_| Ok(vec!["I0000001".into()])).unwrap();
//! assert_eq!(one.shares, ranked.shares);
//! let browsing = kocrank::synth::logged(&world, at, 30 * 86_400).unwrap();
//! assert_eq!(ranked.promoters, browsing.promoters);
//! assert!(ranked.commission > 0.0 && ranked.orders > 0.0);
//! ```

use super::dist::{exponential, gamma, mix, poisson, rng_for, sample_cdf, uniform, Rng};
use super::funnel::{
    quantity, Circle, Sim, CANCELLED, ORDER_DELAY, REPEAT_BOOST, SHARE_NOISE_SHAPE,
};
use super::{Generator, World};
use crate::data::time::DAY;
use crate::data::OrderStatus;
use crate::error::{ConfigError, Error, Result};
use rayon::prelude::*;
use std::collections::HashMap;

/// Random stream of the replay; the index mixes the promoter and the share.
const STREAM_REPLAY: u64 = 0x5E_91A7;

/// How much more a promoter looks at the top of her list than further down: the
/// weight `θ_k` of position `k` (from 1) in her pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionBias {
    /// `θ_k = 1 / log2(k + 1)`, the NDCG discount (default).
    #[default]
    Log2,
    /// `θ_k = 1 / k`: a steep fall, most picks from the first few items.
    Reciprocal,
    /// `θ_k = 1`: she reads the whole list.
    Uniform,
}

impl PositionBias {
    /// The weight of position `k` (from 1).
    pub fn weight(self, k: usize) -> f64 {
        match self {
            PositionBias::Log2 => 1.0 / ((k + 1) as f64).log2(),
            PositionBias::Reciprocal => 1.0 / k.max(1) as f64,
            PositionBias::Uniform => 1.0,
        }
    }
}

/// Settings of a replay.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayConfig {
    /// List length each promoter picks from. Default 20.
    pub k: usize,
    /// Seed of the replay's random streams. Default 0.
    pub seed: u64,
    /// Position weights of her pick. Default [`PositionBias::Log2`].
    pub position: PositionBias,
}

impl Default for ReplayConfig {
    fn default() -> Self {
        ReplayConfig {
            k: 20,
            seed: 0,
            position: PositionBias::Log2,
        }
    }
}

/// What a window earned, per promoter who shared in it (completed orders only).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplayOutcome {
    /// Promoters with at least one share in the window.
    pub promoters: usize,
    /// Their shares in the window.
    pub shares: usize,
    /// Completed orders per promoter.
    pub orders: f64,
    /// Units per promoter.
    pub units: f64,
    /// GMV per promoter, currency units.
    pub gmv: f64,
    /// Commission per promoter, currency units.
    pub commission: f64,
    /// Listed ids the world does not know, over all lists (skipped, not picked).
    pub unknown_items: usize,
}

impl ReplayOutcome {
    fn add_order(&mut self, units: u32, price_cents: i64, rate: f64) {
        let gmv = price_cents as f64 * f64::from(units) / 100.0;
        self.orders += 1.0;
        self.units += f64::from(units);
        self.gmv += gmv;
        self.commission += gmv * rate;
    }

    fn merge(&mut self, o: &ReplayOutcome) {
        self.promoters += o.promoters;
        self.shares += o.shares;
        self.orders += o.orders;
        self.units += o.units;
        self.gmv += o.gmv;
        self.commission += o.commission;
        self.unknown_items += o.unknown_items;
    }

    fn per_promoter(mut self) -> ReplayOutcome {
        let n = self.promoters.max(1) as f64;
        self.orders /= n;
        self.units /= n;
        self.gmv /= n;
        self.commission /= n;
        self
    }
}

/// The window `[at, at + window)` checked against the world, and each promoter's share
/// times in it.
fn shares_in(world: &World, at: i64, window: i64) -> Result<Vec<Vec<i64>>> {
    if window <= 0 {
        return Err(Error::Config(ConfigError::OutOfRange {
            field: "replay window",
            value: window as f64,
            range: "(0, ∞) seconds",
        }));
    }
    let end = at.saturating_add(window);
    let s = &world.dataset.shares;
    let mut times = vec![Vec::new(); world.dataset.promoters.len()];
    for r in 0..s.len() {
        if (at..end).contains(&s.ts[r]) {
            if let Some(t) = times.get_mut(s.promoter[r] as usize) {
                t.push(s.ts[r]);
            }
        }
    }
    Ok(times)
}

/// Replays `[at, at + window)` of `world` with each promoter who shared in it picking
/// from `list(promoter_id)` (item ids, best first, the first `cfg.k` used; ids the
/// world does not know are skipped and counted in
/// [`ReplayOutcome::unknown_items`]). See the module docs.
///
/// # Errors
/// [`Error::Config`] for a window that is not positive; the first error `list` returns.
pub fn replay<F>(
    world: &World,
    at: i64,
    window: i64,
    cfg: &ReplayConfig,
    list: F,
) -> Result<ReplayOutcome>
where
    F: Fn(&str) -> Result<Vec<String>> + Sync,
{
    let times = shares_in(world, at, window)?;
    let gen = Generator::new(&world.config, world.seed)?;
    let sim = gen.sim();
    let ds = &world.dataset;
    let end = at.saturating_add(window);
    let before = bought_before(world, at);
    let per: Vec<ReplayOutcome> = (0..times.len())
        .into_par_iter()
        .filter(|&p| !times[p].is_empty())
        .map(|p| {
            let mut out = ReplayOutcome {
                promoters: 1,
                shares: times[p].len(),
                ..ReplayOutcome::default()
            };
            let name = ds.promoters.ids.name(p as u32).unwrap_or("");
            let ids = list(name)?;
            let items: Vec<u32> = ids
                .iter()
                .take(cfg.k)
                .filter_map(|id| ds.catalog.ids.get(id))
                .collect();
            out.unknown_items = ids.len().min(cfg.k) - items.len();
            let Some(circle) = sim.circle(p as u32) else {
                return Ok(out);
            };
            let before = &before[p];
            for (j, &ts) in times[p].iter().enumerate() {
                let mut rng = rng_for(cfg.seed, STREAM_REPLAY, mix(p as u64, 0, j as u64));
                let Some(item) = pick(&sim, &circle, &items, ts, cfg.position, &mut rng) else {
                    continue;
                };
                let boost = repeat_boost(&sim, item, before.get(&item).copied(), ts);
                share(&sim, &circle, item, ts, end, boost, &mut rng, &mut out);
            }
            Ok(out)
        })
        .collect::<Result<_>>()?;
    let mut total = ReplayOutcome::default();
    for o in &per {
        total.merge(o);
    }
    Ok(total.per_promoter())
}

/// What the promoters who shared in `[at, at + window)` actually earned in it: the
/// world's own completed orders of the window (its browsing policy), on the same
/// promoters as [`replay`].
///
/// # Errors
/// [`Error::Config`] for a window that is not positive.
pub fn logged(world: &World, at: i64, window: i64) -> Result<ReplayOutcome> {
    let times = shares_in(world, at, window)?;
    let end = at.saturating_add(window);
    let ds = &world.dataset;
    let mut total = ReplayOutcome::default();
    for t in &times {
        if !t.is_empty() {
            total.promoters += 1;
            total.shares += t.len();
        }
    }
    let o = &ds.orders;
    for r in 0..o.len() {
        let p = o.promoter[r] as usize;
        if o.status[r] != OrderStatus::Completed
            || !(at..end).contains(&o.ts[r])
            || times.get(p).map_or(true, Vec::is_empty)
        {
            continue;
        }
        let i = o.item[r] as usize;
        let rate = f64::from(ds.catalog.commission_rate.get(i).copied().unwrap_or(0.0));
        let gmv = o.amount_cents[r] as f64 / 100.0;
        total.orders += 1.0;
        total.units += f64::from(o.quantity[r]);
        total.gmv += gmv;
        total.commission += gmv * rate;
    }
    Ok(total.per_promoter())
}

/// When each promoter's circle last completed an order of each item, before `at`.
fn bought_before(world: &World, at: i64) -> Vec<HashMap<u32, i64>> {
    let o = &world.dataset.orders;
    let mut before = vec![HashMap::new(); world.dataset.promoters.len()];
    for r in 0..o.len() {
        if o.ts[r] < at && o.status[r] == OrderStatus::Completed {
            if let Some(b) = before.get_mut(o.promoter[r] as usize) {
                let last = b.entry(o.item[r]).or_insert(o.ts[r]);
                *last = (*last).max(o.ts[r]);
            }
        }
    }
    before
}

/// The world's pull of a re-share on the circle that bought the item before: the
/// funnel gives ×[`REPEAT_BOOST`] to an item whose repurchase time has come, which it
/// schedules with the leaf's repurchase probability after a median cycle. The replay
/// cannot know the world's draws, so it gives the expected boost, `1 + 0.4 ·
/// repurchase`, once the median cycle has passed since her last order, and 1 before.
fn repeat_boost(sim: &Sim<'_>, item: u32, last: Option<i64>, ts: i64) -> f64 {
    let Some(last) = last else {
        return 1.0;
    };
    let leaf = sim
        .index
        .leaf_of_item
        .get(item as usize)
        .copied()
        .unwrap_or(0);
    let Some(cat) = sim.truth.categories.get(usize::from(leaf)) else {
        return 1.0;
    };
    if (ts - last) as f64 >= f64::from(cat.cycle_days) * DAY as f64 {
        1.0 + (REPEAT_BOOST - 1.0) * f64::from(cat.repurchase)
    } else {
        1.0
    }
}

/// Her pick from `items` at time `ts`: position `k` with weight `θ_k · appeal`.
fn pick(
    sim: &Sim<'_>,
    c: &Circle<'_>,
    items: &[u32],
    ts: i64,
    position: PositionBias,
    rng: &mut Rng,
) -> Option<u32> {
    let weights: Vec<f64> = items
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            if sim.available(i, ts) {
                sim.share_appeal(c, i) * position.weight(k + 1)
            } else {
                0.0
            }
        })
        .collect();
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let mut u = uniform(rng) * total;
    for (&w, &i) in weights.iter().zip(items) {
        if u < w {
            return Some(i);
        }
        u -= w;
    }
    items
        .iter()
        .zip(&weights)
        .rev()
        .find(|(_, &w)| w > 0.0)
        .map(|(&i, _)| i)
}

/// One share of `item` at `ts` and the orders it brings before `end`, into `out`;
/// `boost` multiplies the expected orders (see [`repeat_boost`]).
#[allow(clippy::too_many_arguments)]
fn share(
    sim: &Sim<'_>,
    c: &Circle<'_>,
    item: u32,
    ts: i64,
    end: i64,
    boost: f64,
    rng: &mut Rng,
    out: &mut ReplayOutcome,
) {
    let group = sample_cdf(rng, &c.group_cdf).unwrap_or(0);
    let size = c.group_sizes.get(group).copied().unwrap_or(1).max(1);
    let lambda = sim.expected_orders(c, item, size, false) * boost * gamma(rng, SHARE_NOISE_SHAPE)
        / SHARE_NOISE_SHAPE;
    let n = poisson(rng, lambda).min(60);
    let i = item as usize;
    let price = sim.catalog.price_cents.get(i).copied().unwrap_or(0);
    let rate = f64::from(sim.catalog.commission_rate.get(i).copied().unwrap_or(0.0));
    let quality = sim.quality(item);
    for _ in 0..n {
        let ots = ts + 60 + exponential(rng, ORDER_DELAY) as i64;
        let units = quantity(rng, price);
        let cancelled = uniform(rng) < CANCELLED;
        let refunded = uniform(rng) < 0.01 + 0.5 * (1.0 - quality);
        if ots < end && !cancelled && !refunded {
            out.add_order(units, price, rate);
        }
    }
}

/// A text table of replay outcomes, per promoter, with the change in orders and
/// commission against `rows[reference]`.
///
/// # Examples
/// ```
/// use kocrank::synth::{replay_table, ReplayOutcome};
/// let a = ReplayOutcome { promoters: 10, shares: 50, orders: 4.0, units: 5.0, gmv: 300.0, commission: 30.0, unknown_items: 0 };
/// let b = ReplayOutcome { orders: 3.0, commission: 45.0, ..a.clone() };
/// let t = replay_table(&[("accuracy".into(), a), ("value".into(), b)], 0);
/// assert!(t.contains("-25.0%") && t.contains("+50.0%"));
/// ```
pub fn replay_table(rows: &[(String, ReplayOutcome)], reference: usize) -> String {
    let pct = |a: f64, b: f64| if b > 0.0 { 100.0 * (a / b - 1.0) } else { 0.0 };
    let r = rows
        .get(reference)
        .map(|(_, o)| o.clone())
        .unwrap_or_default();
    let width = rows
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = format!(
        "{:<width$} {:>8} {:>9} {:>11} {:>8} {:>8}\n",
        "list", "orders", "GMV", "commission", "Δorders", "Δcomm"
    );
    for (name, o) in rows {
        out.push_str(&format!(
            "{:<width$} {:>8.2} {:>9.1} {:>11.2} {:>+7.1}% {:>+7.1}%\n",
            name,
            o.orders,
            o.gmv,
            o.commission,
            pct(o.orders, r.orders),
            pct(o.commission, r.commission)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{generate_with, Scale, SynthConfig};

    /// Replaying the shares the promoters actually made, item for item, gives back the
    /// logged orders of the window: the replay's funnel is the world's.
    #[test]
    fn replaying_the_logged_shares_gives_back_the_logged_orders() {
        let cfg = SynthConfig {
            promoters: 600,
            ..SynthConfig::for_scale(Scale::Tiny)
        };
        let world = generate_with(&cfg, 5).unwrap();
        let window = 30 * DAY;
        let at = world.suggested_split();
        let end = at + window;
        let gen = Generator::new(&world.config, world.seed).unwrap();
        let sim = gen.sim();
        let before = bought_before(&world, at);
        let s = &world.dataset.shares;
        let mut replayed = ReplayOutcome::default();
        let rounds = 8;
        for round in 0..rounds {
            for r in 0..s.len() {
                if !(at..end).contains(&s.ts[r]) {
                    continue;
                }
                let p = s.promoter[r];
                let Some(circle) = sim.circle(p) else {
                    continue;
                };
                let mut rng = rng_for(round, STREAM_REPLAY, r as u64);
                let item = s.item[r];
                let last = before[p as usize].get(&item).copied();
                let boost = repeat_boost(&sim, item, last, s.ts[r]);
                share(
                    &sim,
                    &circle,
                    item,
                    s.ts[r],
                    end,
                    boost,
                    &mut rng,
                    &mut replayed,
                );
            }
        }
        let logged = logged(&world, at, window).unwrap();
        let per = |x: f64| x / rounds as f64 / logged.promoters as f64;
        let (orders, commission) = (per(replayed.orders), per(replayed.commission));
        // Orders of shares made before the window, and the expected repeat boost in
        // place of the world's draws, keep this from being exact.
        assert!(
            (orders / logged.orders - 1.0).abs() < 0.08,
            "replayed {orders:.2} orders per promoter, logged {:.2}",
            logged.orders
        );
        assert!(
            (commission / logged.commission - 1.0).abs() < 0.12,
            "replayed {commission:.2} commission per promoter, logged {:.2}",
            logged.commission
        );
    }
}
