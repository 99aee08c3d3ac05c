//! Per-event weights: what an order, a share (sent or received), a refund, a
//! cancellation, a view or a cart teaches the models that learn from interactions
//! (iALS, item-to-item, EASE).
//!
//! By default only completed orders count, each weighing 1, as they always have. The
//! `[events]` section adds the other events of the log as weighted interactions:
//!
//! ```toml
//! [events]
//! order = 1.0       # a completed order
//! share = 0.2       # the promoter posted the item into a group
//! received = 0.1    # another promoter shared the item to her (`receiver_id`)
//! refunded = -0.5   # paid, then refunded: below zero it takes back an order's weight
//! cancelled = 0.0   # cancelled before completion
//! viewed = 0.05     # a view or click (status `viewed`, `pv`, `click`)
//! carted = 0.3      # added to a cart or saved (status `carted`, `cart`, `fav`)
//! quantity = false  # true: an order weighs order × its units
//! ```
//!
//! A log's own `weight` column multiplies the weight of each of its rows (a row
//! weighing 2 counts as two orders, one weighing 0 as none).
//!
//! Weights of one (promoter, item) pair add up; a pair whose sum is zero or less
//! teaches nothing (a bought-then-refunded item is no preference). What a promoter
//! bought, for the rules, the buy-again list and evaluation, stays her completed
//! orders: events change what the learned models fit, nothing else.
//!
//! # Examples
//! ```
//! use kocrank::data::events::{training_history, EventWeights};
//! let world = kocrank::synth::generate(kocrank::synth::Scale::Tiny, 1).unwrap();
//! let d = &world.dataset;
//! let h = d.history();
//! let plain = training_history(d, &h, i64::MAX, &EventWeights::default());
//! assert!(plain.weight.is_empty()); // only completed orders, each weighing 1
//! let with_shares = EventWeights { share: 0.2, ..EventWeights::default() };
//! let w = training_history(d, &h, i64::MAX, &with_shares);
//! assert_eq!(w.nnz(), h.nnz() + d.shares().len());
//! ```

use crate::data::{Dataset, History, OrderStatus};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Weights of the events of a log (the `[events]` section).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventWeights {
    /// A completed order. Default 1.
    pub order: f64,
    /// A share (a post of the item into one of her groups). Default 0 (shares unused).
    pub share: f64,
    /// A share received: an item another promoter shared to her (the share log's
    /// `receiver_id`). Default 0 (unused).
    pub received: f64,
    /// A refunded order. Default 0.
    pub refunded: f64,
    /// A cancelled order. Default 0.
    pub cancelled: f64,
    /// A view or click of the item (status `viewed`). Default 0 (views unused).
    pub viewed: f64,
    /// An add-to-cart or a save (status `carted`). Default 0 (carts unused).
    pub carted: f64,
    /// Whether an order weighs its weight times its units. Default false.
    pub quantity: bool,
}

impl Default for EventWeights {
    fn default() -> Self {
        EventWeights {
            order: 1.0,
            share: 0.0,
            received: 0.0,
            refunded: 0.0,
            cancelled: 0.0,
            viewed: 0.0,
            carted: 0.0,
            quantity: false,
        }
    }
}

impl EventWeights {
    /// Checks that every weight is finite and in [-10, 10], and that a completed order
    /// weighs more than zero.
    ///
    /// # Errors
    /// [`crate::ConfigError::OutOfRange`] naming the field.
    pub fn validate(&self) -> Result<(), crate::ConfigError> {
        use crate::error::check_range;
        check_range("events.order", self.order, 1e-6, 10.0, "(0, 10]")?;
        check_range("events.share", self.share, -10.0, 10.0, "[-10, 10]")?;
        check_range("events.received", self.received, -10.0, 10.0, "[-10, 10]")?;
        check_range("events.refunded", self.refunded, -10.0, 10.0, "[-10, 10]")?;
        check_range("events.cancelled", self.cancelled, -10.0, 10.0, "[-10, 10]")?;
        check_range("events.viewed", self.viewed, -10.0, 10.0, "[-10, 10]")?;
        check_range("events.carted", self.carted, -10.0, 10.0, "[-10, 10]")
    }

    /// True for the default: completed orders only, each weighing 1.
    pub fn is_plain(&self) -> bool {
        self.share == 0.0
            && self.received == 0.0
            && self.refunded == 0.0
            && self.cancelled == 0.0
            && self.viewed == 0.0
            && self.carted == 0.0
            && self.order == 1.0
            && !self.quantity
    }
}

/// The interactions the learned models fit on: `history` itself when the weights are
/// the default and the log has no `weight` column, else every event of `data` before
/// `until` with a non-zero weight, by promoter in time order, with [`History::weight`]
/// set. `history` must be `data`'s
/// completed orders before `until`.
pub fn training_history<'a>(
    data: &Dataset,
    history: &'a History,
    until: i64,
    cfg: &EventWeights,
) -> Cow<'a, History> {
    if cfg.is_plain() && data.orders.weight.is_empty() {
        return Cow::Borrowed(history);
    }
    let n = history.n_promoters();
    // (promoter, ts, item, weight, units)
    let mut rows: Vec<(u32, i64, u32, f32, u32)> = Vec::new();
    let o = &data.orders;
    for r in 0..o.len() {
        if o.ts[r] >= until {
            continue;
        }
        let w = match o.status[r] {
            OrderStatus::Completed => cfg.order,
            OrderStatus::Refunded => cfg.refunded,
            OrderStatus::Cancelled => cfg.cancelled,
            OrderStatus::Viewed => cfg.viewed,
            OrderStatus::Carted => cfg.carted,
        };
        let units = o.quantity.get(r).copied().unwrap_or(1).max(1);
        let w = if cfg.quantity && o.status[r] == OrderStatus::Completed {
            w * f64::from(units)
        } else {
            w
        } * f64::from(o.weight(r));
        if w != 0.0 {
            rows.push((o.promoter[r], o.ts[r], o.item[r], w as f32, units));
        }
    }
    let s = &data.shares;
    if cfg.share != 0.0 || cfg.received != 0.0 {
        for r in 0..s.len() {
            if s.ts[r] >= until {
                continue;
            }
            if cfg.share != 0.0 {
                rows.push((s.promoter[r], s.ts[r], s.item[r], cfg.share as f32, 1));
            }
            if let Some(to) = s.receiver(r).filter(|_| cfg.received != 0.0) {
                rows.push((to, s.ts[r], s.item[r], cfg.received as f32, 1));
            }
        }
    }
    rows.retain(|r| (r.0 as usize) < n);
    rows.sort_by(|a, b| {
        (a.0, a.1, a.2)
            .cmp(&(b.0, b.1, b.2))
            .then(a.3.total_cmp(&b.3))
    });
    let mut indptr = vec![0usize; n + 1];
    for r in &rows {
        indptr[r.0 as usize + 1] += 1;
    }
    for p in 0..n {
        indptr[p + 1] += indptr[p];
    }
    Cow::Owned(History {
        indptr,
        item: rows.iter().map(|r| r.2).collect(),
        ts: rows.iter().map(|r| r.1).collect(),
        quantity: rows.iter().map(|r| r.4).collect(),
        weight: rows.iter().map(|r| r.3).collect(),
    })
}
