//! Re-ranking: the list is built greedily from the best-scored candidates under the
//! caps, boosts, diversity and exploration rules of [`RulesConfig`].
//!
//! 1. **Exploration slots** are filled first: the promoter's best-scored new items
//!    (listed within `new_days`, up to `pool` of them) each draw an order rate
//!    `θ ~ Gamma(prior_days·r_c + orders_i, prior_days + days_i)`, `r_c` the mean
//!    orders per item-day of the item's leaf category; the highest draws take the
//!    slots, spread evenly over the list. Draws are seeded by (seed, promoter, day).
//! 2. Every other position takes the candidate with the highest effective score
//!    `s_i + boost_i − diversity · max_j sim(i, j)` among those that keep every cap,
//!    where `boost_i` counts only while its brand has boosted fewer than `max_items`
//!    and `j` runs over the items already listed. Candidates are scanned in order of
//!    `s_i + boost_i`, which bounds the effective score, so the scan stops early.
//!
//! Items keep their model score in the list; with re-ranking on, the list's order is
//! the rules' and scores need not decrease down the list.

use super::RulesConfig;
use crate::data::time::DAY;
use crate::data::{Catalog, History, NO_CATEGORY};
use crate::rng::{gamma, rng_for};
use crate::topk::top_k;
use std::collections::{HashMap, HashSet};

/// Which rules moved an item, as bit flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Moved(pub u8);

impl Moved {
    /// A campaign boost counted for the item.
    pub const BOOST: u8 = 1;
    /// The item rose because better-scored items were capped or too similar.
    pub const DIVERSITY: u8 = 2;
    /// The item holds an exploration slot.
    pub const EXPLORATION: u8 = 4;

    /// The names of the set flags: `boost`, `diversity`, `exploration`.
    pub fn names(self) -> Vec<String> {
        [
            (Moved::BOOST, "boost"),
            (Moved::DIVERSITY, "diversity"),
            (Moved::EXPLORATION, "exploration"),
        ]
        .iter()
        .filter(|(bit, _)| self.0 & bit != 0)
        .map(|(_, name)| name.to_string())
        .collect()
    }
}

/// One item of a re-ranked list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pick {
    /// Dense item index.
    pub item: u32,
    /// The model's score.
    pub score: f32,
    /// Which rules moved it.
    pub moved: Moved,
}

/// What re-ranking knows of the items, prepared once per model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemStats {
    /// Completed training orders of each item.
    pub orders: Vec<u32>,
    /// Mean orders per item-day of each category (by taxonomy id; leaf categories are
    /// the ones used), the exploration prior's mean.
    pub category_rate: Vec<f32>,
}

impl ItemStats {
    /// Counts orders per item and the order rate per category over the history's span
    /// up to `now`.
    pub fn fit(history: &History, catalog: &Catalog, now: i64) -> ItemStats {
        let n = catalog.len();
        let mut orders = vec![0u32; n];
        for &i in &history.item {
            if let Some(o) = orders.get_mut(i as usize) {
                *o += 1;
            }
        }
        let start = history.ts.iter().copied().min().unwrap_or(now);
        let span_days = (now.saturating_sub(start) as f64 / DAY as f64).max(1.0);
        let n_cat = catalog.taxonomy.len();
        let mut sum_orders = vec![0f64; n_cat];
        let mut sum_days = vec![0f64; n_cat];
        for i in 0..n as u32 {
            let leaf = catalog.leaf_category(i) as usize;
            let listed = catalog.listed_at.get(i as usize).copied().flatten();
            let days = listed.map_or(span_days, |t| {
                (now.saturating_sub(t.max(start)) as f64 / DAY as f64).clamp(0.0, span_days)
            });
            if let (Some(o), Some(d)) = (sum_orders.get_mut(leaf), sum_days.get_mut(leaf)) {
                *o += f64::from(orders[i as usize]);
                *d += days;
            }
        }
        let category_rate = sum_orders
            .iter()
            .zip(&sum_days)
            .map(|(&o, &d)| if d > 0.0 { (o / d) as f32 } else { 0.0 })
            .collect();
        ItemStats {
            orders,
            category_rate,
        }
    }
}

/// Everything the rules read besides the scores.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    /// The catalogue.
    pub catalog: &'a Catalog,
    /// Per-item statistics.
    pub stats: &'a ItemStats,
    /// The ranking time.
    pub now: i64,
    /// Identifies the promoter for the exploration draws.
    pub key: u64,
}

/// The best pool entry so far: its index, effective score and the boost it takes.
type Best = (usize, f32, Option<(usize, f32)>);

/// A pool entry: item, model score, the boost it may get (index, amount).
#[derive(Debug, Clone, Copy)]
struct Entry {
    item: u32,
    score: f32,
    boost: Option<(usize, f32)>,
}

impl Entry {
    fn bound(&self) -> f32 {
        self.score + self.boost.map_or(0.0, |b| b.1)
    }
}

/// The running state of a list under construction: what the caps have counted.
struct Counts<'a> {
    rules: &'a RulesConfig,
    catalog: &'a Catalog,
    per_category: HashMap<u32, usize>,
    per_brand: HashMap<u32, usize>,
    boosted: Vec<usize>,
}

impl Counts<'_> {
    fn cap_category(&self, i: u32) -> u32 {
        let path = self
            .catalog
            .category
            .get(i as usize)
            .copied()
            .unwrap_or([NO_CATEGORY; 3]);
        let level = usize::from(self.rules.cap_level.clamp(1, 3)) - 1;
        (0..=level)
            .rev()
            .map(|l| path[l])
            .find(|&c| c != NO_CATEGORY)
            .unwrap_or(NO_CATEGORY)
    }

    fn brand(&self, i: u32) -> u32 {
        self.catalog.brand.get(i as usize).copied().unwrap_or(0)
    }

    /// Whether adding `i` keeps every cap.
    fn fits(&self, i: u32) -> bool {
        let r = self.rules;
        if r.category_cap > 0
            && self
                .per_category
                .get(&self.cap_category(i))
                .is_some_and(|&c| c >= r.category_cap)
        {
            return false;
        }
        let b = self.brand(i);
        !(r.brand_cap > 0 && b != 0 && self.per_brand.get(&b).is_some_and(|&c| c >= r.brand_cap))
    }

    /// The boost `e` gets if listed now.
    fn boost_of(&self, e: &Entry) -> Option<(usize, f32)> {
        let (at, amount) = e.boost?;
        let max = self.rules.boosts.get(at).map_or(0, |b| b.max_items);
        (self.boosted.get(at).copied().unwrap_or(usize::MAX) < max).then_some((at, amount))
    }

    fn add(&mut self, i: u32, boost: Option<usize>) {
        *self.per_category.entry(self.cap_category(i)).or_default() += 1;
        let b = self.brand(i);
        if b != 0 {
            *self.per_brand.entry(b).or_default() += 1;
        }
        if let Some(c) = boost.and_then(|at| self.boosted.get_mut(at)) {
            *c += 1;
        }
    }
}

/// Similarity of two items' categories: 1 same leaf, 0.5 same level 2, 0.25 same
/// level 1, else 0.
fn similarity(catalog: &Catalog, a: u32, b: u32) -> f32 {
    let (Some(x), Some(y)) = (
        catalog.category.get(a as usize),
        catalog.category.get(b as usize),
    ) else {
        return 0.0;
    };
    if catalog.leaf_category(a) == catalog.leaf_category(b) {
        1.0
    } else if x[1] != NO_CATEGORY && x[1] == y[1] {
        0.5
    } else if x[0] != NO_CATEGORY && x[0] == y[0] {
        0.25
    } else {
        0.0
    }
}

/// Builds the list of at most `k` items from `candidates` and their `scores` (filtered
/// ones are `-inf` and never listed) under `rules`. Deterministic for the same input,
/// `env.key` and day.
pub fn select(
    env: &Env<'_>,
    rules: &RulesConfig,
    candidates: &[u32],
    scores: &[f32],
    k: usize,
) -> Vec<Pick> {
    let c = env.catalog;
    let boost_brand: Vec<Option<u32>> = rules
        .boosts
        .iter()
        .map(|b| c.brands.get(&b.brand))
        .collect();
    let boost_of = |i: u32| -> Option<(usize, f32)> {
        let brand = c.brand.get(i as usize).copied()?;
        let at = boost_brand.iter().position(|&b| b == Some(brand))?;
        Some((at, rules.boosts.get(at)?.boost as f32))
    };
    let bounds: Vec<f32>;
    let ordering: &[f32] = if rules.boosts.is_empty() {
        scores
    } else {
        bounds = candidates
            .iter()
            .zip(scores)
            .map(|(&i, &s)| s + boost_of(i).map_or(0.0, |b| b.1))
            .collect();
        &bounds
    };
    let finite = scores.iter().filter(|s| s.is_finite()).count();
    let mut counts = Counts {
        rules,
        catalog: c,
        per_category: HashMap::new(),
        per_brand: HashMap::new(),
        boosted: vec![0; rules.boosts.len()],
    };
    let k = k.min(finite);
    let mut slots: Vec<Option<Pick>> = vec![None; k];
    let mut taken: HashSet<u32> = HashSet::new();
    let mut listed: Vec<u32> = Vec::with_capacity(k);

    // 1. Exploration slots.
    let n_slots = rules.exploration.slots.min(k / 3);
    if n_slots > 0 {
        let chosen = explore(env, rules, candidates, scores, &mut counts, n_slots);
        for (j, item) in chosen.into_iter().enumerate() {
            let pos = ((j + 1) * k) / (n_slots + 1);
            if let Some(slot) = slots.get_mut(pos) {
                let at = candidates.iter().position(|&x| x == item);
                let score = at.and_then(|a| scores.get(a)).copied().unwrap_or(0.0);
                *slot = Some(Pick {
                    item,
                    score,
                    moved: Moved(Moved::EXPLORATION),
                });
                taken.insert(item);
                listed.push(item);
            }
        }
    }

    // 2. Greedy fill from a pool of the best candidates by their score bound; the pool
    // grows to every finite candidate if caps leave it short.
    let mut size = (8 * k).max(k + 200).min(finite);
    let mut pool: Vec<Entry> = pool_of(candidates, scores, ordering, size, &boost_of);
    let mut sim: Vec<f32> = vec![0.0; pool.len()];
    let update_sim = |pool: &[Entry], sim: &mut [f32], item: u32| {
        if rules.diversity > 0.0 {
            for (e, s) in pool.iter().zip(sim.iter_mut()) {
                *s = s.max(similarity(c, e.item, item));
            }
        }
    };
    for &item in &listed {
        update_sim(&pool, &mut sim, item);
    }
    let diversity = rules.diversity as f32;
    for pos in 0..k {
        if slots[pos].is_some() {
            continue;
        }
        loop {
            let mut best: Option<Best> = None;
            for (at, e) in pool.iter().enumerate() {
                if best.is_some_and(|(_, b, _)| b >= e.bound()) {
                    break;
                }
                if taken.contains(&e.item) || !counts.fits(e.item) {
                    continue;
                }
                let boost = counts.boost_of(e);
                let eff = e.score + boost.map_or(0.0, |b| b.1) - diversity * sim[at];
                if best.map_or(true, |(_, b, _)| eff > b) {
                    best = Some((at, eff, boost));
                }
            }
            match best {
                Some((at, _, boost)) => {
                    let e = pool[at];
                    counts.add(e.item, boost.map(|b| b.0));
                    taken.insert(e.item);
                    update_sim(&pool, &mut sim, e.item);
                    slots[pos] = Some(Pick {
                        item: e.item,
                        score: e.score,
                        moved: Moved(if boost.is_some() { Moved::BOOST } else { 0 }),
                    });
                    break;
                }
                None if size < finite => {
                    size = finite;
                    pool = pool_of(candidates, scores, ordering, size, &boost_of);
                    sim = vec![0.0; pool.len()];
                    for s in slots.iter().flatten() {
                        update_sim(&pool, &mut sim, s.item);
                    }
                }
                None => break,
            }
        }
        if slots[pos].is_none() {
            break;
        }
    }
    let mut list: Vec<Pick> = slots.into_iter().flatten().collect();
    // Flag items that rose above better-scored ones because of caps or diversity.
    if rules.category_cap > 0 || rules.brand_cap > 0 || rules.diversity > 0.0 {
        let plain: HashMap<u32, usize> = top_k(candidates, scores, list.len())
            .into_iter()
            .enumerate()
            .map(|(r, (i, _))| (i, r))
            .collect();
        for (pos, p) in list.iter_mut().enumerate() {
            let rose = plain.get(&p.item).map_or(true, |&r| pos < r);
            if rose && p.moved.0 == 0 {
                p.moved.0 |= Moved::DIVERSITY;
            }
        }
    }
    list
}

/// The top `size` candidates by `ordering`, as pool entries.
fn pool_of(
    candidates: &[u32],
    scores: &[f32],
    ordering: &[f32],
    size: usize,
    boost_of: &impl Fn(u32) -> Option<(usize, f32)>,
) -> Vec<Entry> {
    let index: HashMap<u32, usize> = if std::ptr::eq(scores, ordering) {
        HashMap::new()
    } else {
        candidates
            .iter()
            .enumerate()
            .map(|(a, &i)| (i, a))
            .collect()
    };
    top_k(candidates, ordering, size)
        .into_iter()
        .filter(|(_, b)| b.is_finite())
        .map(|(item, bound)| {
            let score = if index.is_empty() {
                bound
            } else {
                index
                    .get(&item)
                    .and_then(|&a| scores.get(a))
                    .copied()
                    .unwrap_or(bound)
            };
            Entry {
                item,
                score,
                boost: boost_of(item),
            }
        })
        .collect()
}

/// The new items for the exploration slots, best draw first, each counted in `counts`
/// (so they keep the caps).
fn explore(
    env: &Env<'_>,
    rules: &RulesConfig,
    candidates: &[u32],
    scores: &[f32],
    counts: &mut Counts<'_>,
    slots: usize,
) -> Vec<u32> {
    let e = &rules.exploration;
    let c = env.catalog;
    // Everything counts from the start of the request's day, so that the draws (and
    // which items are new) hold all day.
    let today = env.now - env.now.rem_euclid(DAY);
    let since = today - (e.new_days * DAY as f64) as i64;
    let mut new: Vec<(u32, f32)> = candidates
        .iter()
        .zip(scores)
        .filter(|(&i, s)| {
            s.is_finite()
                && c.listed_at
                    .get(i as usize)
                    .copied()
                    .flatten()
                    .is_some_and(|t| t >= since)
        })
        .map(|(&i, &s)| (i, s))
        .collect();
    new.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    new.truncate(e.pool);
    new.sort_by_key(|x| x.0);
    let day = (env.now.max(0) / DAY) as u64;
    let mut rng = rng_for(e.seed, env.key, day);
    let mut draws: Vec<(f64, u32)> = new
        .iter()
        .map(|&(i, _)| {
            let orders = f64::from(env.stats.orders.get(i as usize).copied().unwrap_or(0));
            let rate = f64::from(
                env.stats
                    .category_rate
                    .get(c.leaf_category(i) as usize)
                    .copied()
                    .unwrap_or(0.0),
            );
            let listed = c
                .listed_at
                .get(i as usize)
                .copied()
                .flatten()
                .unwrap_or(env.now);
            let days = ((today - listed) as f64 / DAY as f64).max(0.0);
            let shape = (e.prior_days * rate + orders).max(1e-3);
            let theta = gamma(&mut rng, shape) / (e.prior_days + days);
            (theta, i)
        })
        .collect();
    draws.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out = Vec::new();
    for (_, i) in draws {
        if out.len() == slots {
            break;
        }
        if counts.fits(i) {
            counts.add(i, None);
            out.push(i);
        }
    }
    out
}
