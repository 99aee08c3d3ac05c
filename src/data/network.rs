//! The promoter network: who joined with whose invitation code, and whose orders a
//! newcomer borrows.
//!
//! A promoter with no completed order of her own has nothing for a history-based model
//! to learn from, and every model ranks her by her segment's popularity (channel ×
//! city tier). Her inviter, though, usually recruited her from her own circle (the
//! same town, the same kind of group). With borrowing on
//! ([`NetworkConfig::inviter_orders`] > 0) she borrows her inviter's last orders (her
//! inviter's inviter's, one level up, when the inviter has none and
//! [`NetworkConfig::follow_chain`] is set), and her segment's popularity is tilted
//! toward the categories they fall in, shrunk by empirical Bayes
//! ([`NetworkConfig::prior_orders`]; the formula is in `rank::newcomer`). The rules that
//! read what she bought (`exclude_purchased`) still read her own, empty, history.
//!
//! # Examples
//! ```
//! use kocrank::data::network::{lender, NetworkConfig};
//! use kocrank::data::{DatasetBuilder, OrderRecord, PromoterRecord};
//! let mut b = DatasetBuilder::new();
//! b.push_promoter(&PromoterRecord { promoter_id: "ann", ..Default::default() }).unwrap();
//! b.push_promoter(&PromoterRecord { promoter_id: "bea", inviter_id: Some("ann"), ..Default::default() }).unwrap();
//! b.push_order(&OrderRecord { promoter_id: "ann", item_id: "rice", ts: 1_700_000_000, ..Default::default() }).unwrap();
//! let d = b.finish().unwrap();
//! let h = d.history();
//! let bea = d.promoters().ids.get("bea").unwrap();
//! let ann = d.promoters().ids.get("ann").unwrap();
//! let cfg = NetworkConfig { inviter_orders: 50, ..NetworkConfig::default() };
//! assert_eq!(lender(&d.promoters(), &h, d.promoters().inviter[bea as usize], &cfg), Some(ann));
//! ```

use crate::data::{History, Promoters, Shares};
use serde::{Deserialize, Serialize};

/// How newcomers borrow their inviter's orders (the `[network]` section).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// How many of the inviter's most recent orders a promoter with none of her own
    /// borrows; 0 turns borrowing off. At most 100,000. Default 0: on the small
    /// synthetic world the inviter's categories did not beat her segment's popularity
    /// for invitees, so `auto` turns borrowing on only where its validation split
    /// shows a gain (50 orders then).
    pub inviter_orders: usize,
    /// Whether a newcomer whose inviter has no order borrows from the inviter's own
    /// inviter (one level, no further). Default true.
    pub follow_chain: bool,
    /// How many of her own last shares rank a promoter with no completed order: she is
    /// ranked by the model from the items she shared, as if they were her history
    /// (the rules still treat her as having bought nothing). 0 turns this off; at
    /// most 100,000. Default 0: on the small synthetic world a newcomer's one or two
    /// shares did not beat her segment's popularity, so `auto` turns this on only
    /// where its validation split shows a gain (50 shares then).
    pub own_shares: usize,
    /// Strength of the segment-popularity prior a newcomer's borrowed category mix is
    /// shrunk toward, in pseudo-orders (see `rank::newcomer`): small trusts the inviter's
    /// categories, large keeps her segment's popularity. At least 0.1. Default 20.
    pub prior_orders: f64,
    /// Half-life in days of the segment popularity that ranks newcomers (an order's
    /// weight halves every this many days); unset, [`crate::config::Config::popularity`]'s
    /// `half_life_days`. A newcomer's first orders follow what sells now more closely
    /// than a regular's list does (on UCI Online Retail, a week's half-life ranked the
    /// December newcomers 25% better than thirty days), so `auto` tries 7, 14 and 90
    /// days and keeps the best where its validation newcomers show a gain. In (0, 36500].
    /// Default unset.
    pub newcomer_half_life_days: Option<f64>,
    /// Promoters with fewer completed orders of their own than this are ranked like
    /// newcomers, by their segment's popularity, instead of by the model; the rules still
    /// read what they bought. 0 or 1: only those with none. At most 1,000. Default 0: a
    /// model of one or two orders can fall far below popularity (on The Complete
    /// Journey, item-to-item ranked the households with one to four orders at a third of
    /// popularity's NDCG), so `auto` tries 2, 3 and 5 where its validation shows a gain.
    pub popularity_below: usize,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            inviter_orders: 0,
            own_shares: 0,
            follow_chain: true,
            prior_orders: 20.0,
            newcomer_half_life_days: None,
            popularity_below: 0,
        }
    }
}

impl NetworkConfig {
    /// Checks the ranges.
    ///
    /// # Errors
    /// [`crate::ConfigError::OutOfRange`] naming the field.
    pub fn validate(&self) -> Result<(), crate::ConfigError> {
        crate::error::check_range(
            "network.inviter_orders",
            self.inviter_orders as f64,
            0.0,
            1e5,
            "[0, 100000]",
        )?;
        crate::error::check_range(
            "network.own_shares",
            self.own_shares as f64,
            0.0,
            1e5,
            "[0, 100000]",
        )?;
        crate::error::check_range(
            "network.prior_orders",
            self.prior_orders,
            0.1,
            1e9,
            "[0.1, 1e9]",
        )?;
        crate::error::check_range(
            "network.popularity_below",
            self.popularity_below as f64,
            0.0,
            1000.0,
            "[0, 1000]",
        )?;
        if let Some(h) = self.newcomer_half_life_days {
            crate::error::check_range(
                "network.newcomer_half_life_days",
                h,
                1e-3,
                36_500.0,
                "(0, 36500]",
            )?;
        }
        Ok(())
    }
}

/// The promoter whose orders a newcomer invited by `inviter` borrows: the inviter when
/// she has a completed order, else (with `follow_chain`) the inviter's inviter when she
/// has one; `None` when borrowing is off or neither has an order. Ids out of range
/// count as having no orders.
pub fn lender(
    promoters: &Promoters,
    history: &History,
    inviter: Option<u32>,
    cfg: &NetworkConfig,
) -> Option<u32> {
    if cfg.inviter_orders == 0 {
        return None;
    }
    let inv = inviter?;
    if history.count(inv) > 0 {
        return Some(inv);
    }
    if !cfg.follow_chain {
        return None;
    }
    let up = promoters.inviter.get(inv as usize).copied().flatten()?;
    (up != inv && history.count(up) > 0).then_some(up)
}

/// The last `cfg.inviter_orders` orders of `lender` (items and times, in time order).
pub fn borrowed<'a>(
    history: &'a History,
    lender: u32,
    cfg: &NetworkConfig,
) -> (&'a [u32], &'a [i64]) {
    let items = history.items(lender);
    let ts = history.times(lender);
    let n = items.len().min(ts.len()).min(cfg.inviter_orders);
    (
        items.get(items.len() - n..).unwrap_or(&[]),
        ts.get(ts.len() - n..).unwrap_or(&[]),
    )
}

/// The last `cfg.own_shares` shares (items and times, in time order) of every promoter
/// with no completed order in `history`: what ranks her until her first order. Empty
/// rows for everyone else, and an empty view when the option is off or `shares`
/// names no such promoter. Shares of promoters outside `history` are ignored.
///
/// # Examples
/// ```
/// use kocrank::data::network::{newcomer_shares, NetworkConfig};
/// use kocrank::data::{DatasetBuilder, OrderRecord, PromoterRecord, ShareRecord};
/// let mut b = DatasetBuilder::new();
/// for who in ["ann", "bea"] {
///     b.push_promoter(&PromoterRecord { promoter_id: who, ..Default::default() }).unwrap();
/// }
/// b.push_order(&OrderRecord { promoter_id: "ann", item_id: "rice", ts: 1_700_000_000, ..Default::default() }).unwrap();
/// for (who, item) in [("bea", "tea"), ("bea", "rice"), ("ann", "tea")] {
///     b.push_share(&ShareRecord { promoter_id: who, item_id: item, ts: 1_700_000_100, ..Default::default() }).unwrap();
/// }
/// let d = b.finish().unwrap();
/// let h = d.history();
/// let cfg = NetworkConfig { own_shares: 50, ..NetworkConfig::default() };
/// let shared = newcomer_shares(&d.shares(), &h, &cfg);
/// let (ann, bea) = (d.promoters().ids.get("ann").unwrap(), d.promoters().ids.get("bea").unwrap());
/// assert_eq!(shared.count(bea), 2); // she has no order: her shares rank her
/// assert_eq!(shared.count(ann), 0); // she has one: her orders do
/// ```
pub fn newcomer_shares(shares: &Shares, history: &History, cfg: &NetworkConfig) -> History {
    let n = history.n_promoters();
    if cfg.own_shares == 0 {
        return History::default();
    }
    let newcomer = |r: usize| {
        let p = shares.promoter[r];
        (p as usize) < n && history.count(p) == 0
    };
    last_shares(shares, n, cfg.own_shares, newcomer)
}

/// The last `last` shares (items and times, in time order) of every one of
/// `n_promoters` promoters made before `before`: what the blend's share features read
/// ([`crate::blend::BlendConfig::share_memory`]). An empty view when `shares` has
/// none then; shares of promoters outside `0..n_promoters` are ignored.
///
/// # Examples
/// ```
/// use kocrank::data::network::recent_shares;
/// use kocrank::data::{DatasetBuilder, PromoterRecord, ShareRecord};
/// let mut b = DatasetBuilder::new();
/// b.push_promoter(&PromoterRecord { promoter_id: "ann", ..Default::default() }).unwrap();
/// for (item, ts) in [("tea", 100), ("rice", 200), ("soap", 300)] {
///     b.push_share(&ShareRecord { promoter_id: "ann", item_id: item, ts: 1_700_000_000 + ts, ..Default::default() }).unwrap();
/// }
/// let d = b.finish().unwrap();
/// let kept = recent_shares(&d.shares(), d.promoters().len(), 1, 1_700_000_250);
/// let ann = d.promoters().ids.get("ann").unwrap();
/// assert_eq!(kept.count(ann), 1); // her last share before the cut: rice
/// assert_eq!(d.catalog().ids.name(kept.items(ann)[0]), Some("rice"));
/// ```
pub fn recent_shares(shares: &Shares, n_promoters: usize, last: usize, before: i64) -> History {
    if last == 0 {
        return History::default();
    }
    let keep = |r: usize| (shares.promoter[r] as usize) < n_promoters && shares.ts[r] < before;
    last_shares(shares, n_promoters, last, keep)
}

/// The last `last` of the rows of `shares` that `keep` accepts, per promoter of
/// `0..n`, in time order; an empty view when it accepts none.
fn last_shares(shares: &Shares, n: usize, last: usize, keep: impl Fn(usize) -> bool) -> History {
    let mut rows: Vec<usize> = (0..shares.len()).filter(|&r| keep(r)).collect();
    if rows.is_empty() {
        return History::default();
    }
    rows.sort_unstable_by_key(|&r| (shares.promoter[r], shares.ts[r], shares.item[r], r));
    let mut out = History {
        indptr: Vec::with_capacity(n + 1),
        ..History::default()
    };
    out.indptr.push(0);
    let mut at = 0;
    for p in 0..n as u32 {
        let start = at;
        while at < rows.len() && shares.promoter[rows[at]] == p {
            at += 1;
        }
        let kept = &rows[start.max(at.saturating_sub(last))..at];
        out.item.extend(kept.iter().map(|&r| shares.item[r]));
        out.ts.extend(kept.iter().map(|&r| shares.ts[r]));
        out.quantity.extend(kept.iter().map(|_| 1));
        out.indptr.push(out.item.len());
    }
    out
}
