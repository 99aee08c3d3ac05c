//! Validated construction of a [`Dataset`] from rows.
//!
//! Every reader (CSV, Parquet, Arrow, Python frames, the synthetic world) turns its rows
//! into records and pushes them here, so the rules of the data model live in one place.
//! A push that breaks a rule returns a [`RowFault`] naming the column; the caller adds
//! the file and row and either stops (strict) or records a reject (lenient).

use super::catalog::{Catalog, Seller};
use super::orders::{OrderStatus, Orders, NO_ID};
use super::promoters::{Channel, Promoters};
use super::shares::Shares;
use super::time::check_ts;
use super::Dataset;
use crate::error::{compact_number, Error, Location, Result};
use std::collections::HashMap;
use std::sync::Arc;

/// The kind of rule a row broke: a short, stable code to group rejects by, while the
/// message keeps the detail (the value found, what was expected).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FaultCode {
    /// An empty id or a missing timestamp.
    MissingValue,
    /// An item or promoter id seen before in its table.
    DuplicateId,
    /// An id whose own row was rejected (lenient mode).
    RejectedReference,
    /// An item or promoter not in the table that was given.
    UnknownId,
    /// A name outside its list (channel, status, seller).
    UnknownValue,
    /// A promoter named as her own inviter.
    SelfInvite,
    /// A category path that breaks the taxonomy's rules.
    BadCategory,
    /// NaN, infinity, a fraction where a whole number belongs, or a number too large.
    NotANumber,
    /// A cell that cannot be read as its column's kind (text that is no number).
    Unreadable,
    /// A value outside its range (a negative price, a timestamp after 2100).
    OutOfRange,
    /// A CSV record with more or fewer fields than the header.
    RaggedRow,
    /// Any other broken rule.
    Invalid,
}

impl FaultCode {
    /// Every code, in declaration order.
    pub const ALL: [FaultCode; 12] = [
        FaultCode::MissingValue,
        FaultCode::DuplicateId,
        FaultCode::RejectedReference,
        FaultCode::UnknownId,
        FaultCode::UnknownValue,
        FaultCode::SelfInvite,
        FaultCode::BadCategory,
        FaultCode::NotANumber,
        FaultCode::Unreadable,
        FaultCode::OutOfRange,
        FaultCode::RaggedRow,
        FaultCode::Invalid,
    ];

    /// The code as written in rejects files and frames: `missing_value`,
    /// `out_of_range`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            FaultCode::MissingValue => "missing_value",
            FaultCode::DuplicateId => "duplicate_id",
            FaultCode::RejectedReference => "rejected_reference",
            FaultCode::UnknownId => "unknown_id",
            FaultCode::UnknownValue => "unknown_value",
            FaultCode::SelfInvite => "self_invite",
            FaultCode::BadCategory => "bad_category",
            FaultCode::NotANumber => "not_a_number",
            FaultCode::Unreadable => "unreadable",
            FaultCode::OutOfRange => "out_of_range",
            FaultCode::RaggedRow => "ragged_row",
            FaultCode::Invalid => "invalid",
        }
    }

    /// The code written `s` (as [`as_str`](Self::as_str) writes it).
    pub fn parse(s: &str) -> Option<FaultCode> {
        FaultCode::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl serde::Serialize for FaultCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for FaultCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule broken by one row: the column at fault, the kind of rule and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFault {
    /// The column at fault.
    pub column: &'static str,
    /// The kind of rule broken.
    pub code: FaultCode,
    /// What was found and what was expected.
    pub message: String,
}

impl RowFault {
    /// A fault of kind `code` in `column`.
    pub fn new(column: &'static str, code: FaultCode, message: impl Into<String>) -> Self {
        RowFault {
            column,
            code,
            message: message.into(),
        }
    }

    /// Turns this fault into an [`Error::InvalidData`] at `source`, 1-based `row`.
    pub fn at(self, source: &str, row: u64) -> Error {
        Error::invalid(
            Location::source(source).row(row).column(self.column),
            self.message,
        )
    }
}

/// One item row. Absent optional fields take neutral defaults: category `unknown`,
/// no brand, price 0, no reviews, commission 0, marketplace, in stock, unknown listing.
#[derive(Debug, Clone, Default)]
pub struct ItemRecord<'a> {
    /// External item id (required, non-empty, unique).
    pub item_id: &'a str,
    /// Category path of up to three levels, e.g. `fresh/fruit/citrus`.
    pub category: Option<&'a str>,
    /// Brand name.
    pub brand: Option<&'a str>,
    /// Price in integer cents (≥ 0).
    pub price_cents: Option<i64>,
    /// Positive reviews (0 ≤ positive ≤ total).
    pub reviews_positive: Option<i64>,
    /// All reviews (≥ 0).
    pub reviews_total: Option<i64>,
    /// Commission rate, a fraction in `[0, 1]`.
    pub commission_rate: Option<f64>,
    /// `self_operated` or `marketplace`.
    pub seller: Option<&'a str>,
    /// Whether the item is in stock.
    pub in_stock: Option<bool>,
    /// Listing time, unix seconds.
    pub listed_at: Option<i64>,
}

/// One promoter row.
#[derive(Debug, Clone, Default)]
pub struct PromoterRecord<'a> {
    /// External promoter id (required, non-empty, unique).
    pub promoter_id: &'a str,
    /// Channel name (default `other`).
    pub channel: Option<&'a str>,
    /// City tier 1..=6.
    pub city_tier: Option<i64>,
    /// Join time, unix seconds.
    pub joined_at: Option<i64>,
    /// The inviting promoter's id (must be a promoter in the same table).
    pub inviter_id: Option<&'a str>,
}

/// One order row.
#[derive(Debug, Clone, Default)]
pub struct OrderRecord<'a> {
    /// The promoter who brought the order.
    pub promoter_id: &'a str,
    /// The item ordered.
    pub item_id: &'a str,
    /// Order time, unix seconds.
    pub ts: i64,
    /// Order id.
    pub order_id: Option<&'a str>,
    /// Buyer id (a member of the promoter's group).
    pub buyer_id: Option<&'a str>,
    /// The group the order came from.
    pub group_id: Option<&'a str>,
    /// Units (≥ 1, default 1).
    pub quantity: Option<i64>,
    /// Amount paid in cents (≥ 0; default price × quantity).
    pub amount_cents: Option<i64>,
    /// `completed` (default), `refunded`, `cancelled`, `viewed` or `carted`.
    pub status: Option<&'a str>,
    /// How much the row counts for the models that learn from interactions: a
    /// multiplier of its event weight (≥ 0, finite; default 1). See
    /// [`crate::data::events`].
    pub weight: Option<f64>,
}

/// Other names accepted for a column of an input table: `(alias, column)`. The
/// schema name wins when a file or frame has both; the alias is then an ignored
/// column. The file readers and the Python bindings' frames read this one table.
pub const COLUMN_ALIASES: &[(&str, &str)] = &[
    // The names public interaction logs give the three columns every log has.
    ("user_id", "promoter_id"),
    ("userid", "promoter_id"),
    ("user", "promoter_id"),
    ("customer_id", "promoter_id"),
    ("visitorid", "promoter_id"),
    ("visitor_id", "promoter_id"),
    ("itemid", "item_id"),
    ("item", "item_id"),
    ("product_id", "item_id"),
    ("productid", "item_id"),
    ("timestamp", "ts"),
    ("event_time", "ts"),
    ("time", "ts"),
    ("datetime", "ts"),
    // Interaction logs name the kind of event (view, cart, purchase) in one of these.
    ("event_type", "status"),
    ("event", "status"),
    ("behavior_type", "status"),
];

/// One share row.
#[derive(Debug, Clone, Default)]
pub struct ShareRecord<'a> {
    /// The promoter who shared.
    pub promoter_id: &'a str,
    /// The item shared.
    pub item_id: &'a str,
    /// Share time, unix seconds.
    pub ts: i64,
    /// The group shared to.
    pub group_id: Option<&'a str>,
    /// The promoter the item was shared to, when the log names one (a triplet log:
    /// sharer, receiver, item). Resolved like `promoter_id`.
    pub receiver_id: Option<&'a str>,
}

/// Collects validated rows into a [`Dataset`].
///
/// Push items and promoters before orders and shares. Once items were declared (a
/// catalogue was given), an order or share naming an unknown item is a fault; without a
/// catalogue, items are created from the orders with neutral defaults. Promoters work the
/// same way.
///
/// # Examples
/// ```
/// use kocrank::data::{DatasetBuilder, FaultCode, OrderRecord, ItemRecord};
/// let mut b = DatasetBuilder::new();
/// b.declare_items();
/// b.push_item(&ItemRecord { item_id: "apple", commission_rate: Some(0.1), ..Default::default() }).unwrap();
/// b.push_order(&OrderRecord { promoter_id: "p1", item_id: "apple", ts: 1_700_000_000, ..Default::default() }).unwrap();
/// let fault = b.push_order(&OrderRecord { promoter_id: "p1", item_id: "pear", ts: 1_700_000_000, ..Default::default() }).unwrap_err();
/// assert_eq!(fault.column, "item_id");
/// assert_eq!(fault.code, FaultCode::UnknownId);
/// assert!(fault.message.contains("unknown item \"pear\""));
/// let ds = b.finish().unwrap();
/// assert_eq!(ds.orders().len(), 1);
/// ```
#[derive(Debug, Default)]
pub struct DatasetBuilder {
    catalog: Catalog,
    promoters: Promoters,
    orders: Orders,
    shares: Shares,
    items_declared: bool,
    promoters_declared: bool,
    inviter_names: Vec<Option<Box<str>>>,
    unit_price_sum: Vec<(f64, u64)>,
    /// Items created from orders because no catalogue was given.
    auto_items: Vec<u32>,
    /// Ids of item rows that were rejected, with their 1-based row (lenient reading).
    rejected_items: HashMap<Box<str>, u64>,
    /// Ids of promoter rows that were rejected, with their 1-based row.
    rejected_promoters: HashMap<Box<str>, u64>,
}

fn require_id<'a>(column: &'static str, id: &'a str) -> Result<&'a str, RowFault> {
    let id = id.trim();
    if id.is_empty() {
        Err(RowFault::new(column, FaultCode::MissingValue, "empty id"))
    } else {
        Ok(id)
    }
}

fn ts_fault(column: &'static str, ts: i64) -> Result<i64, RowFault> {
    check_ts(ts).map_err(|m| RowFault::new(column, FaultCode::OutOfRange, m))
}

fn opt_id(map: &mut super::ids::IdMap, id: Option<&str>) -> u32 {
    match id.map(str::trim) {
        Some(s) if !s.is_empty() => map.insert(s).0,
        _ => NO_ID,
    }
}

impl DatasetBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        DatasetBuilder {
            catalog: Catalog::new(),
            ..Default::default()
        }
    }

    /// Declares that a catalogue is given: orders must then name known items.
    pub fn declare_items(&mut self) {
        self.items_declared = true;
    }

    /// Declares that a promoter table is given: orders must then name known promoters.
    pub fn declare_promoters(&mut self) {
        self.promoters_declared = true;
    }

    /// Adds one item.
    ///
    /// # Errors
    /// A [`RowFault`] for an empty or duplicate id, a negative price, a commission rate
    /// outside `[0, 1]` or not finite, negative review counts or more positive reviews
    /// than reviews, a bad category path, an unknown seller or a bad listing time.
    pub fn push_item(&mut self, r: &ItemRecord<'_>) -> Result<(), RowFault> {
        self.items_declared = true;
        self.catalog.push_record(r).map(|_| ())
    }

    /// Adds one promoter.
    ///
    /// # Errors
    /// A [`RowFault`] for an empty or duplicate id, an unknown channel, a city tier
    /// outside 1..=6, a bad join time, or a promoter who invited herself.
    pub fn push_promoter(&mut self, r: &PromoterRecord<'_>) -> Result<(), RowFault> {
        self.promoters_declared = true;
        let id = require_id("promoter_id", r.promoter_id)?;
        if self.promoters.ids.get(id).is_some() {
            return Err(RowFault::new(
                "promoter_id",
                FaultCode::DuplicateId,
                format!("duplicate promoter id \"{id}\""),
            ));
        }
        let channel = Channel::parse(r.channel.unwrap_or("other"))
            .map_err(|m| RowFault::new("channel", FaultCode::UnknownValue, m))?;
        let tier = match r.city_tier {
            None => 0,
            Some(t @ 1..=6) => t as u8,
            Some(t) => {
                return Err(RowFault::new(
                    "city_tier",
                    FaultCode::OutOfRange,
                    format!("{t} is outside 1..=6"),
                ));
            }
        };
        let joined = r.joined_at.map(|t| ts_fault("joined_at", t)).transpose()?;
        let inviter = match r.inviter_id.map(str::trim) {
            Some(s) if !s.is_empty() => {
                if s == id {
                    return Err(RowFault::new(
                        "inviter_id",
                        FaultCode::SelfInvite,
                        format!("promoter \"{id}\" invites herself"),
                    ));
                }
                Some(Box::from(s))
            }
            _ => None,
        };
        let p = &mut self.promoters;
        p.ids.insert(id);
        p.channel.push(channel);
        p.city_tier.push(tier);
        p.joined_at.push(joined);
        p.inviter.push(None);
        self.inviter_names.resize(p.ids.len() - 1, None);
        self.inviter_names.push(inviter);
        Ok(())
    }

    /// Records that the item row of `id`, 1-based `row` of the items table, was left
    /// out (lenient reading), so that an order or share naming the item is rejected
    /// for that reason rather than as an unknown item.
    pub fn reject_item_row(&mut self, id: &str, row: u64) {
        let id = id.trim();
        if !id.is_empty() {
            self.rejected_items.entry(Box::from(id)).or_insert(row);
        }
    }

    /// Records that the promoter row of `id`, 1-based `row` of the promoters table, was
    /// left out, as [`DatasetBuilder::reject_item_row`] does for items.
    pub fn reject_promoter_row(&mut self, id: &str, row: u64) {
        let id = id.trim();
        if !id.is_empty() {
            self.rejected_promoters.entry(Box::from(id)).or_insert(row);
        }
    }

    fn resolve_item(&mut self, id: &str) -> Result<u32, RowFault> {
        let id = require_id("item_id", id)?;
        if let Some(i) = self.catalog.ids.get(id) {
            return Ok(i);
        }
        if self.items_declared {
            return Err(RowFault::new(
                "item_id",
                FaultCode::UnknownId,
                format!("unknown item \"{id}\" (not in the items table)"),
            ));
        }
        // No catalogue given: the item is known only from the orders.
        self.push_item(&ItemRecord {
            item_id: id,
            ..Default::default()
        })?;
        self.items_declared = false;
        let ix = self.catalog.len() as u32 - 1;
        self.auto_items.push(ix);
        Ok(ix)
    }

    fn resolve_promoter(&mut self, id: &str) -> Result<u32, RowFault> {
        let id = require_id("promoter_id", id)?;
        if let Some(p) = self.promoters.ids.get(id) {
            return Ok(p);
        }
        if self.promoters_declared {
            return Err(RowFault::new(
                "promoter_id",
                FaultCode::UnknownId,
                format!("unknown promoter \"{id}\" (not in the promoters table)"),
            ));
        }
        let p = self.promoters.push_default(id);
        self.inviter_names.push(None);
        Ok(p)
    }

    /// Makes room for `n` more orders (a reader that knows its row count calls this,
    /// so that the columns grow once instead of doubling).
    pub fn reserve_orders(&mut self, n: usize) {
        let o = &mut self.orders;
        o.promoter.reserve_exact(n);
        o.item.reserve_exact(n);
        o.ts.reserve_exact(n);
        o.quantity.reserve_exact(n);
        o.amount_cents.reserve_exact(n);
        o.status.reserve_exact(n);
        o.order_id.reserve_exact(n);
        o.buyer.reserve_exact(n);
        o.group.reserve_exact(n);
    }

    /// Makes room for `n` more shares.
    pub fn reserve_shares(&mut self, n: usize) {
        let s = &mut self.shares;
        s.promoter.reserve_exact(n);
        s.item.reserve_exact(n);
        s.ts.reserve_exact(n);
        s.group.reserve_exact(n);
    }

    /// Adds one order.
    ///
    /// # Errors
    /// A [`RowFault`] for an empty id, an unknown item or promoter (when their tables
    /// were given), a bad timestamp, a quantity below 1, a negative amount or an
    /// unknown status, or a weight that is negative or not finite.
    pub fn push_order(&mut self, r: &OrderRecord<'_>) -> Result<(), RowFault> {
        let ts = ts_fault("ts", r.ts)?;
        let quantity = r.quantity.unwrap_or(1);
        if quantity < 1 || quantity > i64::from(u32::MAX) {
            return Err(RowFault::new(
                "quantity",
                FaultCode::OutOfRange,
                format!("{quantity} is not a quantity (≥ 1); record returns with status refunded"),
            ));
        }
        if let Some(a) = r.amount_cents {
            if a < 0 {
                return Err(RowFault::new(
                    "amount",
                    FaultCode::OutOfRange,
                    format!("negative amount {a}"),
                ));
            }
        }
        let status = OrderStatus::parse(r.status.unwrap_or("completed"))
            .map_err(|m| RowFault::new("status", FaultCode::UnknownValue, m))?;
        if let Some(w) = r.weight {
            if !w.is_finite() || w > f64::from(f32::MAX) {
                return Err(RowFault::new(
                    "weight",
                    FaultCode::NotANumber,
                    format!("weight {w} is not a finite number"),
                ));
            }
            if w < 0.0 {
                return Err(RowFault::new(
                    "weight",
                    FaultCode::OutOfRange,
                    format!("negative weight {w}"),
                ));
            }
        }
        // Resolve ids last, so that a faulty row creates no item or promoter.
        self.check_ids(r.item_id, r.promoter_id)?;
        let item = self.resolve_item(r.item_id)?;
        let promoter = self.resolve_promoter(r.promoter_id)?;
        let price = self
            .catalog
            .price_cents
            .get(item as usize)
            .copied()
            .unwrap_or(0);
        let amount = r.amount_cents.unwrap_or(price.saturating_mul(quantity));
        if r.amount_cents.is_some() {
            self.unit_price_sum.resize(self.catalog.len(), (0.0, 0));
            if let Some(s) = self.unit_price_sum.get_mut(item as usize) {
                s.0 += amount as f64 / quantity as f64;
                s.1 += 1;
            }
        }
        let o = &mut self.orders;
        o.promoter.push(promoter);
        o.item.push(item);
        o.ts.push(ts);
        o.quantity.push(quantity as u32);
        o.amount_cents.push(amount);
        o.status.push(status);
        o.order_id.push(opt_id(&mut o.order_ids, r.order_id));
        o.buyer.push(opt_id(&mut o.buyer_ids, r.buyer_id));
        o.group.push(opt_id(&mut o.group_ids, r.group_id));
        let weight = r.weight.map_or(1.0, |w| w as f32);
        if !o.weight.is_empty() || weight != 1.0 {
            // Weights are stored once a row differs from 1: earlier rows weighed 1.
            o.weight.resize(o.promoter.len() - 1, 1.0);
            o.weight.push(weight);
        }
        Ok(())
    }

    /// Checks both ids of an order or share row before either is created: an empty
    /// id, or one missing from a table that was given, is a fault and adds nothing.
    fn check_ids(&self, item_id: &str, promoter_id: &str) -> Result<(), RowFault> {
        if self.items_declared {
            self.check_known_item(item_id)?;
        } else {
            require_id("item_id", item_id)?;
        }
        if self.promoters_declared {
            self.check_known_promoter(promoter_id)?;
        } else {
            require_id("promoter_id", promoter_id)?;
        }
        Ok(())
    }

    fn check_known_item(&self, id: &str) -> Result<(), RowFault> {
        let id = require_id("item_id", id)?;
        if self.catalog.ids.get(id).is_none() {
            return Err(match self.rejected_items.get(id) {
                Some(row) => RowFault::new(
                    "item_id",
                    FaultCode::RejectedReference,
                    format!("item \"{id}\" is left out: its item row was rejected (row {row})"),
                ),
                None => RowFault::new(
                    "item_id",
                    FaultCode::UnknownId,
                    format!("unknown item \"{id}\" (not in the items table)"),
                ),
            });
        }
        Ok(())
    }

    fn check_known_promoter(&self, id: &str) -> Result<(), RowFault> {
        let id = require_id("promoter_id", id)?;
        if self.promoters.ids.get(id).is_none() {
            return Err(match self.rejected_promoters.get(id) {
                Some(row) => RowFault::new(
                    "promoter_id",
                    FaultCode::RejectedReference,
                    format!(
                        "promoter \"{id}\" is left out: her promoter row was rejected (row {row})"
                    ),
                ),
                None => RowFault::new(
                    "promoter_id",
                    FaultCode::UnknownId,
                    format!("unknown promoter \"{id}\" (not in the promoters table)"),
                ),
            });
        }
        Ok(())
    }

    /// Adds one share.
    ///
    /// # Errors
    /// As for [`DatasetBuilder::push_order`]: empty or unknown ids, a bad timestamp.
    pub fn push_share(&mut self, r: &ShareRecord<'_>) -> Result<(), RowFault> {
        let ts = ts_fault("ts", r.ts)?;
        self.check_ids(r.item_id, r.promoter_id)?;
        // Every field is checked before anything is created.
        let receiver_id = r.receiver_id.map(str::trim).filter(|x| !x.is_empty());
        if let Some(id) = receiver_id {
            if self.promoters_declared {
                self.check_known_promoter(id).map_err(|f| RowFault {
                    column: "receiver_id",
                    ..f
                })?;
            }
        }
        let item = self.resolve_item(r.item_id)?;
        let promoter = self.resolve_promoter(r.promoter_id)?;
        let receiver = match receiver_id {
            Some(id) => self.resolve_promoter(id)?,
            None => NO_ID,
        };
        let s = &mut self.shares;
        if receiver != NO_ID && s.receiver.len() < s.promoter.len() {
            s.receiver.resize(s.promoter.len(), NO_ID);
        }
        if receiver != NO_ID || !s.receiver.is_empty() {
            s.receiver.push(receiver);
        }
        s.promoter.push(promoter);
        s.item.push(item);
        s.ts.push(ts);
        s.group.push(opt_id(&mut s.group_ids, r.group_id));
        Ok(())
    }

    /// Number of items so far.
    pub fn n_items(&self) -> usize {
        self.catalog.len()
    }

    /// Number of promoters so far.
    pub fn n_promoters(&self) -> usize {
        self.promoters.len()
    }

    /// Resolves inviters and returns the dataset, with every inviter that is not a
    /// promoter listed as `(promoter_id, inviter_id)` in `unresolved`.
    ///
    /// Items created from orders (no catalogue given) whose orders carry amounts get
    /// the mean unit price paid as their price.
    pub fn finish_with_unresolved(mut self) -> (Dataset, Vec<(String, String)>) {
        let mut unresolved = Vec::new();
        self.inviter_names.resize(self.promoters.len(), None);
        for (p, name) in self.inviter_names.iter().enumerate() {
            if let Some(name) = name {
                match self.promoters.ids.get(name) {
                    Some(ix) => self.promoters.inviter[p] = Some(ix),
                    None => unresolved.push((
                        self.promoters.ids.name(p as u32).unwrap_or("").to_string(),
                        name.to_string(),
                    )),
                }
            }
        }
        // Items known only from orders get the mean unit price paid, when amounts exist.
        for &i in &self.auto_items {
            if let (Some(&(sum, n)), Some(price)) = (
                self.unit_price_sum.get(i as usize),
                self.catalog.price_cents.get_mut(i as usize),
            ) {
                if n > 0 {
                    *price = (sum / n as f64).round() as i64;
                }
            }
        }
        let ds = Dataset {
            catalog: Arc::new(self.catalog),
            promoters: Arc::new(self.promoters),
            orders: self.orders,
            shares: self.shares,
        };
        (ds, unresolved)
    }

    /// Finishes the dataset.
    ///
    /// # Errors
    /// [`Error::InvalidData`] when an inviter id names no promoter.
    pub fn finish(self) -> Result<Dataset> {
        let (ds, unresolved) = self.finish_with_unresolved();
        if let Some((p, inv)) = unresolved.first() {
            return Err(Error::invalid(
                Location::source("promoters").column("inviter_id"),
                format!(
                    "promoter \"{p}\" names inviter \"{inv}\", who is not in the promoters table ({} such promoters)",
                    unresolved.len()
                ),
            ));
        }
        Ok(ds)
    }
}

/// Checks the numeric fields of an item: price ≥ 0, commission rate in [0, 1],
/// 0 ≤ positive reviews ≤ reviews.
pub(crate) fn check_item_values(
    price: i64,
    rate: f64,
    pos: i64,
    total: i64,
) -> Result<(), RowFault> {
    if price < 0 {
        return Err(RowFault::new(
            "price",
            FaultCode::OutOfRange,
            format!("negative price {price}"),
        ));
    }
    if !rate.is_finite() || !(0.0..=1.0).contains(&rate) {
        let hint = if rate > 1.0 && rate <= 100.0 {
            "; rates are fractions (write 17% as 0.17)"
        } else {
            ""
        };
        return Err(RowFault::new(
            "commission_rate",
            FaultCode::OutOfRange,
            format!("{} is outside [0, 1]{hint}", compact_number(rate)),
        ));
    }
    if total < 0 || total > i64::from(u32::MAX) {
        return Err(RowFault::new(
            "reviews_total",
            FaultCode::OutOfRange,
            format!("{total} is not a review count"),
        ));
    }
    if pos < 0 {
        return Err(RowFault::new(
            "reviews_positive",
            FaultCode::OutOfRange,
            format!("{pos} is negative"),
        ));
    }
    if pos > total {
        return Err(RowFault::new(
            "reviews_positive",
            FaultCode::OutOfRange,
            format!("{pos} positive reviews is more than reviews_total {total}"),
        ));
    }
    Ok(())
}

impl Catalog {
    /// Appends one validated item and returns its index; nothing changes on a fault.
    pub(crate) fn push_record(&mut self, r: &ItemRecord<'_>) -> Result<u32, RowFault> {
        let id = require_id("item_id", r.item_id)?;
        if self.ids.get(id).is_some() {
            return Err(RowFault::new(
                "item_id",
                FaultCode::DuplicateId,
                format!("duplicate item id \"{id}\""),
            ));
        }
        let category = match r.category.map(str::trim) {
            Some(c) if !c.is_empty() => c,
            _ => "unknown",
        };
        let price = r.price_cents.unwrap_or(0);
        let rate = r.commission_rate.unwrap_or(0.0);
        let total = r.reviews_total.unwrap_or(0);
        let pos = r.reviews_positive.unwrap_or(0);
        check_item_values(price, rate, pos, total)?;
        let seller = match r.seller {
            Some(s) if !s.trim().is_empty() => {
                Seller::parse(s).map_err(|m| RowFault::new("seller", FaultCode::UnknownValue, m))?
            }
            _ => Seller::Marketplace,
        };
        let listed_at = r.listed_at.map(|t| ts_fault("listed_at", t)).transpose()?;
        let levels = self
            .taxonomy
            .intern(category)
            .map_err(|m| RowFault::new("category", FaultCode::BadCategory, m))?;
        let brand = match r.brand.map(str::trim) {
            Some(b) if !b.is_empty() => self.brands.insert(b).0,
            _ => 0,
        };
        let (ix, _) = self.ids.insert(id);
        self.category.push(levels);
        self.brand.push(brand);
        self.price_cents.push(price);
        self.reviews_positive.push(pos as u32);
        self.reviews_total.push(total as u32);
        self.commission_rate.push(rate as f32);
        self.seller.push(seller);
        self.in_stock.push(r.in_stock.unwrap_or(true));
        self.listed_at.push(listed_at);
        Ok(ix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str) -> ItemRecord<'_> {
        ItemRecord {
            item_id: id,
            ..Default::default()
        }
    }

    #[test]
    fn item_rules() {
        let mut b = DatasetBuilder::new();
        b.push_item(&item("a")).unwrap();
        assert!(b
            .push_item(&item("a"))
            .unwrap_err()
            .message
            .contains("duplicate"));
        let f = b
            .push_item(&ItemRecord {
                commission_rate: Some(12.0),
                ..item("b")
            })
            .unwrap_err();
        assert_eq!(f.column, "commission_rate");
        assert!(f.message.contains("write 17% as 0.17"), "{}", f.message);
        let f = b
            .push_item(&ItemRecord {
                commission_rate: Some(f64::NAN),
                ..item("b")
            })
            .unwrap_err();
        assert_eq!(f.column, "commission_rate");
        let f = b
            .push_item(&ItemRecord {
                reviews_positive: Some(5),
                reviews_total: Some(3),
                ..item("b")
            })
            .unwrap_err();
        assert_eq!(f.column, "reviews_positive");
        let f = b
            .push_item(&ItemRecord {
                price_cents: Some(-1),
                ..item("b")
            })
            .unwrap_err();
        assert_eq!(f.column, "price");
        // A faulty row adds nothing.
        assert_eq!(b.n_items(), 1);
    }

    #[test]
    fn orders_without_catalogue_create_items_and_promoters() {
        let mut b = DatasetBuilder::new();
        let o = |p, i, a| OrderRecord {
            promoter_id: p,
            item_id: i,
            ts: 100,
            amount_cents: a,
            ..Default::default()
        };
        b.push_order(&o("p", "x", Some(300))).unwrap();
        b.push_order(&o("p", "x", Some(500))).unwrap();
        b.push_order(&o("q", "y", None)).unwrap();
        assert!(b
            .push_order(&OrderRecord {
                ts: -1,
                ..o("p", "z", None)
            })
            .is_err());
        let ds = b.finish().unwrap();
        assert_eq!(ds.catalog.len(), 2);
        assert_eq!(ds.promoters.len(), 2);
        assert_eq!(ds.catalog.price_cents, vec![400, 0]);
        assert_eq!(ds.catalog.category_path(0), "unknown");
    }

    #[test]
    fn unknown_inviter_is_an_error_naming_both() {
        let mut b = DatasetBuilder::new();
        b.push_promoter(&PromoterRecord {
            promoter_id: "p1",
            inviter_id: Some("ghost"),
            ..Default::default()
        })
        .unwrap();
        let e = b.finish().unwrap_err().to_string();
        assert!(e.contains("\"p1\"") && e.contains("\"ghost\""), "{e}");
    }

    #[test]
    fn declared_promoters_reject_unknown_ones() {
        let mut b = DatasetBuilder::new();
        b.declare_promoters();
        let f = b
            .push_order(&OrderRecord {
                promoter_id: "p9",
                item_id: "x",
                ts: 5,
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(f.column, "promoter_id");
        assert_eq!(b.n_items(), 0, "a rejected order creates no item");
    }

    #[test]
    fn row_with_an_empty_promoter_creates_no_item() {
        let mut b = DatasetBuilder::new();
        for (promoter_id, item_id) in [("  ", "x"), ("p", "")] {
            let order = OrderRecord {
                promoter_id,
                item_id,
                ts: 5,
                ..Default::default()
            };
            let share = ShareRecord {
                promoter_id,
                item_id,
                ts: 5,
                ..Default::default()
            };
            assert!(b.push_order(&order).is_err());
            assert!(b.push_share(&share).is_err());
        }
        assert_eq!((b.n_items(), b.n_promoters()), (0, 0));
        b.push_order(&OrderRecord {
            promoter_id: "p",
            item_id: "y",
            ts: 5,
            ..Default::default()
        })
        .unwrap();
        let ds = b.finish().unwrap();
        assert_eq!(ds.catalog.ids.name(0), Some("y"));
        assert_eq!(ds.catalog.len(), 1);
    }
}
