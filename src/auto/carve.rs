//! The validation split, carved from the training data only.
//!
//! - **Temporal** when the log has a usable time order: the last
//!   `validation_share` of the completed orders (by time) validate, the rest train.
//!   Used when at least half the orders fall before the cut and some promoter with a
//!   validation order also has one before it.
//! - **Random** otherwise (no timestamps, a handful of distinct times): each sampled
//!   promoter with two or more completed orders holds out `max(1, round(share · n))`
//!   of them, drawn with a seed per promoter (leave-one-out for short histories).
//! - **None** when nothing can be held out (every promoter has one order and the log
//!   has no time order): `auto` then ships its documented fallback unvalidated.
//!
//! When more promoters are active than `validation_promoters`, a seeded sample of them
//! validates; with a temporal cut the other promoters' orders after the cut are left
//! out of the carved training set, so nothing after the cut trains.
//!
//! When the log holds more than `search_orders` completed orders, the carved training
//! set keeps the validation promoters and a seeded sample of the others, added until
//! it holds about `search_orders` orders: the search then fits each trial on that
//! sample, and the winner is refitted on everything.
//!
//! [`cut_regulars`] makes a second, thinner copy for the thin-history stage: a seeded
//! quarter of the validation promoters with [`CUT_FROM`] or more orders keep only their
//! last one to four, so that stage is judged on more promoters of one to four orders
//! than a log may hold.

use crate::config::AutoConfig;
use crate::data::{Dataset, History, OrderStatus, Shares};
use crate::selection::Holdout;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// A validation split of a training set.
#[derive(Debug, Clone)]
pub struct Carved {
    /// What the candidates are fitted on.
    pub train: Dataset,
    /// The held-out completed orders they are scored on.
    pub valid: Dataset,
    /// How it was carved.
    pub holdout: Holdout,
    /// The split in words.
    pub description: String,
    /// The ranking time of the carved training set (the cut, or one second after the
    /// last order).
    pub now: i64,
}

/// A well-mixed 64-bit hash of `(seed, x)` (SplitMix64's finaliser).
pub(crate) fn mix(seed: u64, x: u64) -> u64 {
    let mut z = seed ^ x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Which promoters validate: all active ones, or a seeded sample of `cfg.validation_promoters`.
fn sampled(history: &History, cfg: &AutoConfig) -> Vec<bool> {
    let n = history.n_promoters();
    let active: Vec<u32> = (0..n as u32).filter(|&p| history.count(p) > 0).collect();
    let mut keep = vec![false; n];
    if active.len() <= cfg.validation_promoters {
        active.iter().for_each(|&p| keep[p as usize] = true);
    } else {
        let mut keyed: Vec<(u64, u32)> = active
            .iter()
            .map(|&p| (mix(cfg.seed, u64::from(p)), p))
            .collect();
        keyed.select_nth_unstable(cfg.validation_promoters - 1);
        keyed[..cfg.validation_promoters]
            .iter()
            .for_each(|&(_, p)| keep[p as usize] = true);
    }
    keep
}

/// Which promoters' orders the carved training set keeps: all, or (for a log above
/// `cfg.search_orders`) the validation promoters and a seeded sample of the others.
fn search_sample(history: &History, validating: &[bool], cfg: &AutoConfig) -> Option<Vec<bool>> {
    if history.nnz() <= cfg.search_orders {
        return None;
    }
    let n = history.n_promoters();
    let mut keep = validating.to_vec();
    let mut total: usize = (0..n as u32)
        .filter(|&p| keep[p as usize])
        .map(|p| history.count(p))
        .sum();
    let mut others: Vec<(u64, u32)> = (0..n as u32)
        .filter(|&p| !keep[p as usize] && history.count(p) > 0)
        .map(|p| (mix(cfg.seed ^ 0x5A3F, u64::from(p)), p))
        .collect();
    others.sort_unstable();
    for (_, p) in others {
        if total >= cfg.search_orders {
            break;
        }
        keep[p as usize] = true;
        total += history.count(p);
    }
    Some(keep)
}

fn part(data: &Dataset, orders: crate::data::Orders, shares: Shares) -> Dataset {
    Dataset {
        catalog: Arc::clone(&data.catalog),
        promoters: Arc::clone(&data.promoters),
        orders,
        shares,
    }
}

/// Carves a validation split from `data` (whose completed orders are `history`).
pub fn carve(data: &Dataset, history: &History, cfg: &AutoConfig) -> Carved {
    let o = &data.orders;
    let completed = |r: usize| o.status[r] == OrderStatus::Completed;
    let keep = sampled(history, cfg);
    let is_sampled = |r: usize| keep.get(o.promoter[r] as usize).copied().unwrap_or(false);
    let end = history.end();
    let sample = search_sample(history, &keep, cfg);
    let in_search = |r: usize| {
        sample.as_ref().map_or(true, |s| {
            s.get(o.promoter[r] as usize).copied().unwrap_or(false)
        })
    };
    // Shares follow the search sample too.
    let share_in_search = |p: u32| {
        sample
            .as_ref()
            .map_or(true, |s| s.get(p as usize).copied().unwrap_or(false))
    };
    let sampled_note = |train: &crate::data::Orders| match &sample {
        Some(s) => format!(
            "; the search fits on {} promoters ({} orders), the winner on all",
            s.iter().filter(|&&k| k).count(),
            train.len()
        ),
        None => String::new(),
    };

    // Temporal: the cut at the (1 − share) quantile of the completed orders' times.
    let mut ts: Vec<i64> = (0..o.len())
        .filter(|&r| completed(r))
        .map(|r| o.ts[r])
        .collect();
    ts.sort_unstable();
    let n = ts.len();
    if n >= 2 {
        let at = ts[((n as f64) * (1.0 - cfg.validation_share)).floor() as usize % n];
        let before = ts.partition_point(|&t| t < at);
        let warm = (0..history.n_promoters() as u32).any(|p| {
            keep[p as usize]
                && history.times(p).first().is_some_and(|&t| t < at)
                && history.times(p).last().is_some_and(|&t| t >= at)
        });
        if before * 2 >= n && warm {
            let train = o.filter(|r| o.ts[r] < at && in_search(r));
            let valid = o.filter(|r| completed(r) && o.ts[r] >= at && is_sampled(r));
            let s = &data.shares;
            let description = format!(
                "temporal: orders from {} on validate ({} orders of {} promoters), {} before train{}",
                crate::data::time::format_date(at),
                valid.len(),
                count_promoters(&valid),
                train.len(),
                sampled_note(&train)
            );
            return Carved {
                train: part(
                    data,
                    train,
                    s.filter(|r| s.ts[r] < at && share_in_search(s.promoter[r])),
                ),
                valid: part(data, valid, Shares::default()),
                holdout: Holdout::Temporal,
                description,
                now: at,
            };
        }
    }

    // Random: per sampled promoter, a seeded draw of her completed orders.
    let mut held = vec![false; o.len()];
    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); history.n_promoters()];
    for r in (0..o.len()).filter(|&r| completed(r) && is_sampled(r)) {
        if let Some(v) = rows_of.get_mut(o.promoter[r] as usize) {
            v.push(r);
        }
    }
    for (p, rows) in rows_of.iter_mut().enumerate() {
        if rows.len() < 2 {
            continue;
        }
        let k = ((rows.len() as f64 * cfg.validation_share).round() as usize).max(1);
        let mut rng = ChaCha8Rng::seed_from_u64(mix(cfg.seed ^ 0x5EED, p as u64));
        rows.shuffle(&mut rng);
        rows[..k].iter().for_each(|&r| held[r] = true);
    }
    // The held-out (promoter, item) pairs leave no other trace in training: their
    // shares and refunded or cancelled orders go too, since the event weights may read
    // them (her other completed orders of the item stay: re-orders are history).
    let pairs: std::collections::HashSet<(u32, u32)> = (0..o.len())
        .filter(|&r| held[r])
        .map(|r| (o.promoter[r], o.item[r]))
        .collect();
    let train = o.filter(|r| {
        !held[r] && in_search(r) && (completed(r) || !pairs.contains(&(o.promoter[r], o.item[r])))
    });
    let valid = o.filter(|r| held[r]);
    let s = &data.shares;
    let train_shares = s.filter(|r| {
        share_in_search(s.promoter[r])
            && !pairs.contains(&(s.promoter[r], s.item[r]))
            && !s
                .receiver(r)
                .is_some_and(|to| pairs.contains(&(to, s.item[r])))
    });
    if valid.is_empty() {
        return Carved {
            description:
                "none: no promoter has two completed orders and the log has no usable time order"
                    .into(),
            train: data.clone(),
            valid: part(data, crate::data::Orders::default(), Shares::default()),
            holdout: Holdout::None,
            now: end,
        };
    }
    let description = format!(
        "random: {} orders of {} promoters held out ({:.0}% of each history, at least one), {} train{}",
        valid.len(),
        count_promoters(&valid),
        100.0 * cfg.validation_share,
        train.len(),
        sampled_note(&train)
    );
    Carved {
        train: part(data, train, train_shares),
        valid: part(data, valid, Shares::default()),
        holdout: Holdout::Random,
        description,
        now: end,
    }
}

/// Validation promoters with at least this many carved training orders may be cut by
/// [`cut_regulars`].
pub const CUT_FROM: usize = 8;

/// The carved training set with some validation regulars cut to their last few
/// orders, and the held-out orders of those promoters.
#[derive(Debug, Clone)]
pub struct Cut {
    /// The carved training set, the cut promoters' earlier rows left out.
    pub train: Dataset,
    /// The cut promoters' held-out orders.
    pub valid: Dataset,
    /// How many promoters were cut.
    pub promoters: usize,
}

/// Cuts a seeded quarter of the validation promoters with [`CUT_FROM`] or more
/// completed orders in `carved.train` (whose completed orders are `history`) to their
/// last one to four (drawn per promoter), every other row of theirs left out.
///
/// A model fitted on [`Cut::train`] ranks them as it would rank promoters of one to
/// four orders, and their held-out orders say how well: on The Complete Journey, UCI
/// Online Retail and the synthetic world, whether popularity or the model served such
/// cut regulars better on the test window agreed with how it served the promoters who
/// had one to four orders (docs/network.md). `None` when no promoter qualifies.
pub fn cut_regulars(carved: &Carved, history: &History, seed: u64) -> Option<Cut> {
    let v = &carved.valid.orders;
    let n = history.n_promoters();
    let mut validating = vec![false; n];
    for &p in &v.promoter {
        if let Some(x) = validating.get_mut(p as usize) {
            *x = true;
        }
    }
    // How many of her last completed orders each cut promoter keeps (0: not cut).
    let mut keeps = vec![0usize; n];
    let mut promoters = 0;
    for p in 0..n as u32 {
        if validating[p as usize]
            && history.count(p) >= CUT_FROM
            && mix(seed ^ 0xC07, u64::from(p)) % 4 == 0
        {
            keeps[p as usize] = 1 + (mix(seed ^ 0xC08, u64::from(p)) % 4) as usize;
            promoters += 1;
        }
    }
    if promoters == 0 {
        return None;
    }
    // Her completed rows in the history's order (time, item, row); the last `keep` stay.
    let o = &carved.train.orders;
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); n];
    for r in 0..o.len() {
        let p = o.promoter[r] as usize;
        if keeps.get(p).is_some_and(|&k| k > 0) && o.status[r] == OrderStatus::Completed {
            rows[p].push(r);
        }
    }
    let mut kept = vec![false; o.len()];
    for (p, mut r) in rows.into_iter().enumerate() {
        r.sort_unstable_by_key(|&r| (o.ts[r], o.item[r], r));
        let from = r.len().saturating_sub(keeps[p]);
        r[from..].iter().for_each(|&r| kept[r] = true);
    }
    let is_cut = |p: u32| keeps.get(p as usize).is_some_and(|&k| k > 0);
    // Catalogue and promoters are shared, not copied.
    let train = part(
        &carved.train,
        o.filter(|r| !is_cut(o.promoter[r]) || kept[r]),
        carved.train.shares.clone(),
    );
    let valid = part(
        &carved.valid,
        v.filter(|r| is_cut(v.promoter[r])),
        carved.valid.shares.clone(),
    );
    Some(Cut {
        train,
        valid,
        promoters,
    })
}

fn count_promoters(orders: &crate::data::Orders) -> usize {
    let mut p = orders.promoter.clone();
    p.sort_unstable();
    p.dedup();
    p.len()
}
