//! Orders: the event log of purchases that promoters brought, and its CSR view.

use super::ids::IdMap;
use serde::{Deserialize, Serialize};

/// What became of an order, or what kind of event a row of the order log is. Only
/// completed orders are purchases: what a promoter bought, for the rules, the
/// buy-again list and evaluation. The other kinds are weighted interactions for the
/// models that learn from them (`[events]`, [`crate::data::events`]), unused by
/// default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Paid and kept.
    Completed,
    /// Paid, then refunded (returned).
    Refunded,
    /// Cancelled before completion.
    Cancelled,
    /// A view (or click) of the item: a browse event, not an order.
    Viewed,
    /// The item was added to a cart, or saved (favourite, wish list): an intent, not
    /// an order.
    Carted,
}

impl OrderStatus {
    /// Every kind, in a stable order: the codes of serialised forms (a new kind goes at
    /// the end).
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::Completed,
        OrderStatus::Refunded,
        OrderStatus::Cancelled,
        OrderStatus::Viewed,
        OrderStatus::Carted,
    ];

    /// Parses an event kind, case-insensitively: `completed` (also empty, `purchase`,
    /// `purchased`, `buy`, `order`, `paid`, `transaction`), `refunded` (`refund`,
    /// `returned`), `cancelled` (`canceled`, `cancel`), `viewed` (`view`, `pv`,
    /// `click`, `clicked`, `detail`) or `carted` (`cart`, `addtocart`, `add_to_cart`,
    /// `fav`, `favorite`, `favourite`, `wishlist`, `saved`). Spaces, dashes and
    /// underscores inside count as underscores.
    ///
    /// ```
    /// use kocrank::data::OrderStatus;
    /// assert_eq!(OrderStatus::parse("PV").unwrap(), OrderStatus::Viewed);
    /// assert_eq!(OrderStatus::parse("add-to-cart").unwrap(), OrderStatus::Carted);
    /// assert_eq!(OrderStatus::parse("buy").unwrap(), OrderStatus::Completed);
    /// assert!(OrderStatus::parse("shipped").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, String> {
        let key: String = text
            .trim()
            .chars()
            .map(|c| match c {
                ' ' | '-' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        match key.as_str() {
            "completed" | "" | "complete" | "purchase" | "purchased" | "buy" | "bought"
            | "order" | "ordered" | "paid" | "transaction" => Ok(OrderStatus::Completed),
            "refunded" | "refund" | "returned" => Ok(OrderStatus::Refunded),
            "cancelled" | "canceled" | "cancel" => Ok(OrderStatus::Cancelled),
            "viewed" | "view" | "pv" | "click" | "clicked" | "detail" => Ok(OrderStatus::Viewed),
            "carted" | "cart" | "addtocart" | "add_to_cart" | "fav" | "favorite" | "favourite"
            | "wishlist" | "wish_list" | "saved" => Ok(OrderStatus::Carted),
            _ => Err(format!(
                "unknown status \"{}\" (expected completed, refunded, cancelled, viewed or carted)",
                text.trim()
            )),
        }
    }

    /// The name used in files.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Completed => "completed",
            OrderStatus::Refunded => "refunded",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Viewed => "viewed",
            OrderStatus::Carted => "carted",
        }
    }
}

/// Marks an absent optional id (buyer, group) in [`Orders`].
pub const NO_ID: u32 = u32::MAX;

/// The order log, one row per order line, columns indexed by row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Orders {
    /// Promoter index per order.
    pub promoter: Vec<u32>,
    /// Item index per order.
    pub item: Vec<u32>,
    /// Order time (unix seconds).
    pub ts: Vec<i64>,
    /// Units (≥ 1).
    pub quantity: Vec<u32>,
    /// Amount paid in cents (price × quantity when the input gives none).
    pub amount_cents: Vec<i64>,
    /// Status per order.
    pub status: Vec<OrderStatus>,
    /// Order ids, as given (`NO_ID` when absent), interned in `order_ids`.
    pub order_id: Vec<u32>,
    /// Buyer index per order (`NO_ID` when absent), interned in `buyer_ids`.
    pub buyer: Vec<u32>,
    /// Group index per order (`NO_ID` when absent), interned in `group_ids`.
    pub group: Vec<u32>,
    /// Row weights (the input's `weight` column): empty when every row weighs 1,
    /// else one per row. Read it with [`Orders::weight`].
    pub weight: Vec<f32>,
    /// External order ids.
    pub order_ids: IdMap,
    /// External buyer ids.
    pub buyer_ids: IdMap,
    /// External group ids.
    pub group_ids: IdMap,
}

impl Orders {
    /// Number of order rows.
    pub fn len(&self) -> usize {
        self.promoter.len()
    }

    /// True when there is no order.
    pub fn is_empty(&self) -> bool {
        self.promoter.is_empty()
    }

    /// The weight of row `r`: its `weight` column, 1 when the log has none.
    pub fn weight(&self, r: usize) -> f32 {
        self.weight.get(r).copied().unwrap_or(1.0)
    }

    /// The rows (in log order) whose `keep` predicate is true, as a new log sharing the
    /// id maps.
    pub fn filter(&self, mut keep: impl FnMut(usize) -> bool) -> Orders {
        let mut out = Orders {
            order_ids: self.order_ids.clone(),
            buyer_ids: self.buyer_ids.clone(),
            group_ids: self.group_ids.clone(),
            ..Orders::default()
        };
        for r in 0..self.len() {
            if keep(r) {
                out.promoter.push(self.promoter[r]);
                out.item.push(self.item[r]);
                out.ts.push(self.ts[r]);
                out.quantity.push(self.quantity[r]);
                out.amount_cents.push(self.amount_cents[r]);
                out.status.push(self.status[r]);
                out.order_id.push(self.order_id[r]);
                out.buyer.push(self.buyer[r]);
                out.group.push(self.group[r]);
                if !self.weight.is_empty() {
                    out.weight.push(self.weight(r));
                }
            }
        }
        out
    }

    /// The completed orders as a CSR matrix by promoter, sorted by time within each
    /// promoter (ties by item index). For orders that fit a promoter table of
    /// `n_promoters` (checked in a [`crate::Dataset`]; users call
    /// [`crate::Dataset::history`]).
    pub(crate) fn history(&self, n_promoters: usize) -> History {
        History::build(self, n_promoters)
    }

    /// Earliest and latest order time, if any order exists.
    pub fn time_range(&self) -> Option<(i64, i64)> {
        let min = self.ts.iter().copied().min()?;
        let max = self.ts.iter().copied().max()?;
        Some((min, max))
    }
}

/// Completed orders by promoter in compressed sparse row form: the orders of promoter
/// `p` are entries `indptr[p]..indptr[p+1]`, sorted by time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Row pointers, `n_promoters + 1` of them.
    pub indptr: Vec<usize>,
    /// Item index per entry.
    pub item: Vec<u32>,
    /// Order time per entry.
    pub ts: Vec<i64>,
    /// Units per entry.
    pub quantity: Vec<u32>,
    /// Weight per entry, empty when every entry weighs 1 (completed orders). Only the
    /// training interactions of [`crate::data::events`] carry weights: shares and
    /// refunded or cancelled orders beside the completed ones, for the models that
    /// learn from interactions (iALS, item-to-item, EASE).
    pub weight: Vec<f32>,
}

impl History {
    /// Builds the CSR view of the completed orders in `orders`, whose columns fit
    /// together (as in a checked [`crate::Dataset`]: users get a history from
    /// [`crate::Dataset::history`]).
    pub(crate) fn build(orders: &Orders, n_promoters: usize) -> History {
        let mut counts = vec![0usize; n_promoters + 1];
        let completed = |r: usize| orders.status[r] == OrderStatus::Completed;
        for r in 0..orders.len() {
            if completed(r) {
                if let Some(c) = counts.get_mut(orders.promoter[r] as usize + 1) {
                    *c += 1;
                }
            }
        }
        for p in 0..n_promoters {
            counts[p + 1] += counts[p];
        }
        let nnz = counts[n_promoters];
        let mut next = counts.clone();
        let mut rows = vec![0usize; nnz];
        for r in 0..orders.len() {
            if completed(r) {
                let p = orders.promoter[r] as usize;
                if let Some(slot) = next.get_mut(p).filter(|_| p < n_promoters) {
                    rows[*slot] = r;
                    *slot += 1;
                }
            }
        }
        for p in 0..n_promoters {
            rows[counts[p]..counts[p + 1]]
                .sort_unstable_by_key(|&r| (orders.ts[r], orders.item[r], r));
        }
        History {
            item: rows.iter().map(|&r| orders.item[r]).collect(),
            ts: rows.iter().map(|&r| orders.ts[r]).collect(),
            quantity: rows.iter().map(|&r| orders.quantity[r]).collect(),
            indptr: counts,
            weight: Vec::new(),
        }
    }

    /// Number of promoters (rows).
    pub fn n_promoters(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// Number of entries.
    pub fn nnz(&self) -> usize {
        self.item.len()
    }

    /// The entry range of promoter `p` (empty when out of range).
    pub fn range(&self, p: u32) -> std::ops::Range<usize> {
        let p = p as usize;
        match (self.indptr.get(p), self.indptr.get(p + 1)) {
            (Some(&a), Some(&b)) => a..b,
            _ => 0..0,
        }
    }

    /// Items ordered by promoter `p`, in time order (with repeats).
    pub fn items(&self, p: u32) -> &[u32] {
        &self.item[self.range(p)]
    }

    /// Order times of promoter `p`, aligned with [`History::items`].
    pub fn times(&self, p: u32) -> &[i64] {
        &self.ts[self.range(p)]
    }

    /// Entry weights of promoter `p`, aligned with [`History::items`]; `None` when
    /// every entry weighs 1.
    pub fn weights(&self, p: u32) -> Option<&[f32]> {
        if self.weight.is_empty() {
            None
        } else {
            self.weight.get(self.range(p))
        }
    }

    /// Number of completed orders of promoter `p`.
    pub fn count(&self, p: u32) -> usize {
        self.range(p).len()
    }

    /// One second after the last entry (0 when empty): the training time of a model
    /// fitted on this history, the reference of its time decay.
    pub fn end(&self) -> i64 {
        self.ts.iter().copied().max().unwrap_or(0).saturating_add(1)
    }

    /// The entries strictly before time `t` (each promoter's prefix, as entries are in
    /// time order).
    pub fn before(&self, t: i64) -> History {
        let mut out = History {
            indptr: Vec::with_capacity(self.indptr.len()),
            ..History::default()
        };
        out.indptr.push(0);
        for p in 0..self.n_promoters() as u32 {
            let r = self.range(p);
            let cut = r.start + self.ts[r.clone()].partition_point(|&x| x < t);
            out.item.extend_from_slice(&self.item[r.start..cut]);
            out.ts.extend_from_slice(&self.ts[r.start..cut]);
            out.quantity.extend_from_slice(&self.quantity[r.start..cut]);
            out.indptr.push(out.item.len());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log() -> Orders {
        Orders {
            promoter: vec![1, 0, 1, 1],
            item: vec![5, 2, 3, 4],
            ts: vec![30, 10, 10, 20],
            quantity: vec![1; 4],
            amount_cents: vec![0; 4],
            status: vec![
                OrderStatus::Completed,
                OrderStatus::Completed,
                OrderStatus::Completed,
                OrderStatus::Refunded,
            ],
            order_id: vec![NO_ID; 4],
            buyer: vec![NO_ID; 4],
            group: vec![NO_ID; 4],
            ..Orders::default()
        }
    }

    #[test]
    fn history_is_sorted_and_keeps_only_completed() {
        let h = log().history(3);
        assert_eq!(h.indptr, vec![0, 1, 3, 3]);
        assert_eq!(h.items(1), &[3, 5]);
        assert_eq!(h.times(1), &[10, 30]);
        assert_eq!(h.items(2), &[] as &[u32]);
        assert_eq!(h.items(9), &[] as &[u32]);
    }

    #[test]
    fn before_keeps_each_prefix() {
        let h = log().history(3);
        let b = h.before(20);
        assert_eq!(b.indptr, vec![0, 1, 2, 2]);
        assert_eq!(b.items(1), &[3]);
        assert_eq!(h.before(i64::MAX), h);
    }

    #[test]
    fn filter_keeps_rows() {
        let o = log().filter(|r| r % 2 == 0);
        assert_eq!(o.item, vec![5, 3]);
        assert_eq!(o.time_range(), Some((10, 30)));
    }
}
