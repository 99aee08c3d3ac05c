//! The rows of one table, pushed into a [`DatasetBuilder`]: the one place where a
//! source's cells become item, promoter, order and share records.

use super::cells::{Cells, Field};
use super::schema::{Col, Table};
use crate::data::{DatasetBuilder, ItemRecord, OrderRecord, PromoterRecord, RowFault, ShareRecord};
use crate::error::{Error, Result};
use std::borrow::Cow;

/// The position of column `name` in `cols`, at compile time (a typo fails the build).
#[allow(clippy::panic)] // evaluated by the compiler only
const fn pos(cols: &[Col], name: &str) -> usize {
    let mut i = 0;
    while i < cols.len() {
        let a = cols[i].name.as_bytes();
        let b = name.as_bytes();
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("no such column")
}

mod item {
    use super::{pos, Table};
    const C: &[super::Col] = Table::Items.columns();
    pub(super) const ID: usize = pos(C, "item_id");
    pub(super) const CATEGORY: usize = pos(C, "category");
    pub(super) const BRAND: usize = pos(C, "brand");
    pub(super) const PRICE: usize = pos(C, "price");
    pub(super) const REV_POS: usize = pos(C, "reviews_positive");
    pub(super) const REV_TOTAL: usize = pos(C, "reviews_total");
    pub(super) const RATE: usize = pos(C, "commission_rate");
    pub(super) const SELLER: usize = pos(C, "seller");
    pub(super) const IN_STOCK: usize = pos(C, "in_stock");
    pub(super) const LISTED_AT: usize = pos(C, "listed_at");
}

mod promoter {
    use super::{pos, Table};
    const C: &[super::Col] = Table::Promoters.columns();
    pub(super) const ID: usize = pos(C, "promoter_id");
    pub(super) const CHANNEL: usize = pos(C, "channel");
    pub(super) const TIER: usize = pos(C, "city_tier");
    pub(super) const JOINED: usize = pos(C, "joined_at");
    pub(super) const INVITER: usize = pos(C, "inviter_id");
}

mod order {
    use super::{pos, Table};
    const C: &[super::Col] = Table::Orders.columns();
    pub(super) const PROMOTER: usize = pos(C, "promoter_id");
    pub(super) const ITEM: usize = pos(C, "item_id");
    pub(super) const TS: usize = pos(C, "ts");
    pub(super) const ORDER_ID: usize = pos(C, "order_id");
    pub(super) const BUYER: usize = pos(C, "buyer_id");
    pub(super) const GROUP: usize = pos(C, "group_id");
    pub(super) const QUANTITY: usize = pos(C, "quantity");
    pub(super) const AMOUNT: usize = pos(C, "amount");
    pub(super) const STATUS: usize = pos(C, "status");
    pub(super) const WEIGHT: usize = pos(C, "weight");
}

mod share {
    use super::{pos, Table};
    const C: &[super::Col] = Table::Shares.columns();
    pub(super) const PROMOTER: usize = pos(C, "promoter_id");
    pub(super) const ITEM: usize = pos(C, "item_id");
    pub(super) const TS: usize = pos(C, "ts");
    pub(super) const GROUP: usize = pos(C, "group_id");
    pub(super) const RECEIVER: usize = pos(C, "receiver_id");
}

/// The schema columns one source has for one table, in schema order: a file chunk or
/// a record batch, ready to push row by row.
///
/// # Examples
/// ```
/// use kocrank::data::ingest::{Columns, Field, Table};
/// use kocrank::data::DatasetBuilder;
///
/// let text = |v: &[&str]| v.iter().map(|s| Some(s.to_string())).collect::<Vec<_>>();
/// let cols = Table::Orders.columns();
/// let fields = vec![
///     Some(Field::new("orders", &cols[0], text(&["p1", "p2"]), "text")?),
///     Some(Field::new("orders", &cols[1], text(&["A", "B"]), "text")?),
///     Some(Field::new("orders", &cols[2], text(&["2011-10-01", "soon"]), "text")?),
/// ];
/// let orders = Columns::new(Table::Orders, fields, vec![])?;
/// let mut b = DatasetBuilder::new();
/// assert!(orders.push(&mut b, 0, 1).is_ok());
/// let fault = orders.push(&mut b, 1, 2).unwrap_err();
/// assert_eq!(fault.column, "ts");
/// assert_eq!(b.finish()?.orders().len(), 1);
/// # Ok::<(), kocrank::Error>(())
/// ```
pub struct Columns<C> {
    table: Table,
    /// Per schema column of `table`: its field, when the source has it.
    fields: Vec<Option<Field<C>>>,
    /// Per schema column: the alias the source named it by, if any.
    aliases: Vec<Option<&'static str>>,
}

impl<C: Cells> Columns<C> {
    /// The fields of `table`, one per schema column in schema order (`None` for a
    /// column the source lacks; missing trailing entries count as `None`), and the
    /// aliases the source used for them (as [`Matched::aliases`](super::Matched)).
    ///
    /// # Errors
    /// [`Error::MissingColumn`] when a required column has no field, and
    /// [`Error::InvalidData`] when there are more fields than schema columns, or the
    /// fields differ in length.
    pub fn new(
        table: Table,
        mut fields: Vec<Option<Field<C>>>,
        mut aliases: Vec<Option<&'static str>>,
    ) -> Result<Self> {
        let schema = table.columns();
        if fields.len() > schema.len() {
            return Err(Error::invalid(
                crate::Location::source(table.as_str()),
                format!(
                    "{} fields for a table of {} columns",
                    fields.len(),
                    schema.len()
                ),
            ));
        }
        fields.resize_with(schema.len(), || None);
        aliases.resize(schema.len(), None);
        for (col, field) in schema.iter().zip(&fields) {
            if col.required && field.is_none() {
                return Err(Error::MissingColumn {
                    source_name: table.as_str().to_string(),
                    column: col.name.to_string(),
                    found: String::new(),
                });
            }
        }
        let mut lens = fields.iter().flatten().map(Field::len);
        if let Some(first) = lens.next() {
            if lens.any(|n| n != first) {
                return Err(Error::invalid(
                    crate::Location::source(table.as_str()),
                    "the columns differ in length",
                ));
            }
        }
        Ok(Columns {
            table,
            fields,
            aliases,
        })
    }

    /// The table the rows belong to.
    pub fn table(&self) -> Table {
        self.table
    }

    /// The number of rows (0 when the source has no column).
    pub fn n_rows(&self) -> usize {
        self.fields
            .iter()
            .flatten()
            .map(Field::len)
            .next()
            .unwrap_or(0)
    }

    /// The field of schema column `name`, if the source has it.
    pub fn get(&self, name: &str) -> Option<&Field<C>> {
        let i = self.table.columns().iter().position(|c| c.name == name)?;
        self.at(i)
    }

    /// The column name to show for schema column `name`: the alias the source used, if
    /// any.
    pub fn shown(&self, name: &'static str) -> &'static str {
        self.table
            .columns()
            .iter()
            .position(|c| c.name == name)
            .and_then(|i| self.aliases.get(i).copied().flatten())
            .unwrap_or(name)
    }

    fn at(&self, i: usize) -> Option<&Field<C>> {
        self.fields.get(i).and_then(Option::as_ref)
    }

    fn id(&self, i: usize, row: usize) -> Result<Option<Cow<'_, str>>, RowFault> {
        self.at(i).map_or(Ok(None), |f| f.id(row))
    }

    fn req_id(&self, i: usize, row: usize) -> Result<Cow<'_, str>, RowFault> {
        Ok(self.id(i, row)?.unwrap_or(Cow::Borrowed("")))
    }

    fn int(&self, i: usize, row: usize) -> Result<Option<i64>, RowFault> {
        self.at(i).map_or(Ok(None), |f| f.int(row))
    }

    fn float(&self, i: usize, row: usize) -> Result<Option<f64>, RowFault> {
        self.at(i).map_or(Ok(None), |f| f.float(row))
    }

    fn ts(&self, i: usize, row: usize) -> Result<Option<i64>, RowFault> {
        self.at(i).map_or(Ok(None), |f| f.ts(row))
    }

    fn req_ts(&self, i: usize, row: usize, name: &'static str) -> Result<i64, RowFault> {
        match self.at(i) {
            Some(f) => f.required_ts(row),
            None => Err(RowFault::new(
                name,
                crate::data::FaultCode::MissingValue,
                "missing timestamp",
            )),
        }
    }

    /// Pushes 0-based `row` into `b`. When an item or promoter row is refused, its id
    /// is noted as left out at `source_row` (1-based, as the source counts rows), so
    /// that an order naming it says so rather than calling the id unknown.
    ///
    /// # Errors
    /// The [`RowFault`] of the first cell that cannot be read or the rule the row
    /// breaks.
    pub fn push(
        &self,
        b: &mut DatasetBuilder,
        row: usize,
        source_row: u64,
    ) -> Result<(), RowFault> {
        let outcome = self.push_row(b, row);
        if outcome.is_err() {
            match self.table {
                Table::Items => {
                    if let Ok(Some(id)) = self.id(item::ID, row) {
                        b.reject_item_row(&id, source_row);
                    }
                }
                Table::Promoters => {
                    if let Ok(Some(id)) = self.id(promoter::ID, row) {
                        b.reject_promoter_row(&id, source_row);
                    }
                }
                Table::Orders | Table::Shares => {}
            }
        }
        outcome
    }

    fn push_row(&self, b: &mut DatasetBuilder, row: usize) -> Result<(), RowFault> {
        match self.table {
            Table::Items => {
                let item_id = self.req_id(item::ID, row)?;
                let category = self.id(item::CATEGORY, row)?;
                let brand = self.id(item::BRAND, row)?;
                let seller = self.id(item::SELLER, row)?;
                b.push_item(&ItemRecord {
                    item_id: &item_id,
                    category: category.as_deref(),
                    brand: brand.as_deref(),
                    price_cents: self.int(item::PRICE, row)?,
                    reviews_positive: self.int(item::REV_POS, row)?,
                    reviews_total: self.int(item::REV_TOTAL, row)?,
                    commission_rate: self.float(item::RATE, row)?,
                    seller: seller.as_deref(),
                    in_stock: self.at(item::IN_STOCK).map_or(Ok(None), |f| f.bool(row))?,
                    listed_at: self.ts(item::LISTED_AT, row)?,
                })
            }
            Table::Promoters => {
                let promoter_id = self.req_id(promoter::ID, row)?;
                let channel = self.id(promoter::CHANNEL, row)?;
                let inviter = self.id(promoter::INVITER, row)?;
                b.push_promoter(&PromoterRecord {
                    promoter_id: &promoter_id,
                    channel: channel.as_deref(),
                    city_tier: self.int(promoter::TIER, row)?,
                    joined_at: self.ts(promoter::JOINED, row)?,
                    inviter_id: inviter.as_deref(),
                })
            }
            Table::Orders => {
                let promoter_id = self.req_id(order::PROMOTER, row)?;
                let item_id = self.req_id(order::ITEM, row)?;
                let order_id = self.id(order::ORDER_ID, row)?;
                let buyer_id = self.id(order::BUYER, row)?;
                let group_id = self.id(order::GROUP, row)?;
                let status = self.id(order::STATUS, row)?;
                b.push_order(&OrderRecord {
                    promoter_id: &promoter_id,
                    item_id: &item_id,
                    ts: self.req_ts(order::TS, row, "ts")?,
                    order_id: order_id.as_deref(),
                    buyer_id: buyer_id.as_deref(),
                    group_id: group_id.as_deref(),
                    quantity: self.int(order::QUANTITY, row)?,
                    amount_cents: self.int(order::AMOUNT, row)?,
                    status: status.as_deref(),
                    weight: self.float(order::WEIGHT, row)?,
                })
            }
            Table::Shares => {
                let promoter_id = self.req_id(share::PROMOTER, row)?;
                let item_id = self.req_id(share::ITEM, row)?;
                let group_id = self.id(share::GROUP, row)?;
                let receiver_id = self.id(share::RECEIVER, row)?;
                b.push_share(&ShareRecord {
                    promoter_id: &promoter_id,
                    item_id: &item_id,
                    ts: self.req_ts(share::TS, row, "ts")?,
                    group_id: group_id.as_deref(),
                    receiver_id: receiver_id.as_deref(),
                })
            }
        }
    }
}
