//! Frames in: Arrow record batches (from polars, pyarrow or pandas over the Arrow C
//! stream interface) pushed row by row into kocrank's `DatasetBuilder`, which holds
//! every rule of the data model. The cells are read straight from the Arrow buffers; no
//! Python object is made per row.
//!
//! Frames out: ranked lists as one Arrow table (`promoter_id, rank, item_id, score`).

use crate::convert::parse_time;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float32Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    RecordBatchReader, StringArray,
};
use arrow_cast::cast::{cast_with_options, CastOptions};
use arrow_schema::{ArrowError, DataType, Field as ArrowField, Schema, SchemaRef, TimeUnit};
use kocrank::data::time::check_ts;
use kocrank::data::{
    DatasetBuilder, ItemRecord, OrderRecord, PromoterRecord, RowFault, ShareRecord,
};
use kocrank::{Dataset, Error, Location, Ranked, Result};
use std::borrow::Cow;
use std::sync::Arc;

/// One of the input tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Items,
    Promoters,
    Orders,
    Shares,
}

impl Table {
    pub fn as_str(self) -> &'static str {
        match self {
            Table::Items => "items",
            Table::Promoters => "promoters",
            Table::Orders => "orders",
            Table::Shares => "shares",
        }
    }

    /// The schema columns of the table and whether each is required
    /// (`datasets/SCHEMA.md`).
    fn columns(self) -> &'static [(&'static str, bool)] {
        match self {
            Table::Items => &[
                ("item_id", true),
                ("category", false),
                ("brand", false),
                ("price", false),
                ("reviews_positive", false),
                ("reviews_total", false),
                ("commission_rate", false),
                ("seller", false),
                ("in_stock", false),
                ("listed_at", false),
            ],
            Table::Promoters => &[
                ("promoter_id", true),
                ("channel", false),
                ("city_tier", false),
                ("joined_at", false),
                ("inviter_id", false),
            ],
            Table::Orders => &[
                ("promoter_id", true),
                ("item_id", true),
                ("ts", true),
                ("order_id", false),
                ("buyer_id", false),
                ("group_id", false),
                ("quantity", false),
                ("amount", false),
                ("status", false),
                ("weight", false),
            ],
            Table::Shares => &[
                ("promoter_id", true),
                ("item_id", true),
                ("ts", true),
                ("group_id", false),
                ("receiver_id", false),
            ],
        }
    }
}

// Other names accepted for a schema column: the core's table (`user_id`, `timestamp`,
// `event_type`, ...), one for files and frames.
use kocrank::data::COLUMN_ALIASES as ALIASES;

/// A row left out in lenient mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub table: &'static str,
    /// 1-based row of the frame.
    pub row: u64,
    pub column: String,
    /// The kind of fault, for grouping ([`reason_code`]).
    pub code: &'static str,
    /// What was found and what was expected.
    pub reason: String,
}

/// The counts for one frame: `read == accepted + rejected`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCounts {
    pub table: &'static str,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Columns of the frame that are not in the schema (nor an alias of a schema
    /// column in use), in frame order: they were not read.
    pub ignored_columns: Vec<String>,
}

/// What a load did: counts and ignored columns per frame, the rows left out and the
/// inviters cleared (lenient mode).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadReport {
    /// Whether the load was strict.
    pub strict: bool,
    /// One entry per frame read, in reading order (items, promoters, orders, shares).
    pub tables: Vec<TableCounts>,
    /// Every row left out, in reading order.
    pub rejects: Vec<Reject>,
    /// `(promoter_id, inviter_id)` of promoters whose inviter is not in the promoters
    /// table (lenient mode: the inviter is cleared, the promoter kept).
    pub unresolved_inviters: Vec<(String, String)>,
}

/// The kind of a row fault, from its message: a short code to group rejects by, while
/// the message keeps the detail (the value, what was expected). `invalid` for a
/// message of no known kind.
pub fn reason_code(message: &str) -> &'static str {
    let m = message;
    let has = |s: &str| m.contains(s);
    if m == "empty id" || has("missing timestamp") || has("empty timestamp") {
        "missing_value"
    } else if m.starts_with("duplicate ") {
        "duplicate_id"
    } else if has("is left out: ") {
        "rejected_reference"
    } else if m.starts_with("unknown item ") || m.starts_with("unknown promoter ") {
        "unknown_id"
    } else if m.starts_with("unknown ") {
        "unknown_value"
    } else if has("invites herself") {
        "self_invite"
    } else if m.starts_with("category ") {
        "bad_category"
    } else if has("is not a finite number") || has("is not a whole number") || has("is too large") {
        "not_a_number"
    } else if m.starts_with("cannot read ") || m.starts_with("expected ") {
        "unreadable"
    } else if has(" is outside ")
        || m.starts_with("negative ")
        || has(" is negative")
        || has("is not a quantity")
        || has("is not a review count")
        || has(" is more than ")
        || has(" is before 1970")
        || has(" is after 2100")
    {
        "out_of_range"
    } else {
        "invalid"
    }
}

/// A dataset read from frames, with what the load did.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub dataset: Dataset,
    pub report: LoadReport,
}

/// Seconds per tick of a time column, or days.
#[derive(Debug, Clone, Copy)]
enum Ticks {
    PerSecond(i64),
    Days,
}

/// The cells of one column in one of the accepted physical types.
enum Cells {
    Null,
    Text(StringArray),
    Int(Int64Array),
    Float(Float64Array),
    Bool(BooleanArray),
    Time(Int64Array, Ticks),
}

/// One schema column of one record batch, read cell by cell.
struct Col {
    name: &'static str,
    cells: Cells,
}

fn strict_cast(array: &ArrayRef, to: &DataType) -> std::result::Result<ArrayRef, ArrowError> {
    let opts = CastOptions {
        safe: false,
        ..Default::default()
    };
    cast_with_options(array, to, &opts)
}

/// `v` as an `i64` if finite and whole (kocrank's one rule and message for it).
fn whole(v: f64) -> std::result::Result<i64, String> {
    kocrank::error::whole_number(v)
}

/// What a column holds, for the type check and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Id,
    Text,
    Int,
    Float,
    Bool,
    Ts,
}

impl Kind {
    fn of(name: &str) -> Kind {
        match name {
            "item_id" | "promoter_id" | "inviter_id" | "order_id" | "buyer_id" | "group_id"
            | "receiver_id" => Kind::Id,
            "category" | "brand" | "seller" | "channel" | "status" => Kind::Text,
            "price" | "reviews_positive" | "reviews_total" | "city_tier" | "quantity"
            | "amount" => Kind::Int,
            "commission_rate" | "weight" => Kind::Float,
            "in_stock" => Kind::Bool,
            _ => Kind::Ts,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Id => "an id (text or integer)",
            Kind::Text => "text",
            Kind::Int => "an integer",
            Kind::Float => "a number",
            Kind::Bool => "a boolean (true/false/1/0)",
            Kind::Ts => "a timestamp (unix seconds, ISO-8601 text, date or datetime)",
        }
    }
}

impl Col {
    /// Wraps `array` as schema column `name` of the table called `source`.
    ///
    /// # Errors
    /// [`Error::InvalidData`] naming the table and column when the Arrow type does not
    /// fit the column (a boolean price, a string commission read as a list, ...).
    fn new(source: &str, name: &'static str, array: &ArrayRef) -> Result<Col> {
        let kind = Kind::of(name);
        let dtype = array.data_type();
        let type_error = || {
            Error::invalid(
                Location::source(source).column(name),
                format!("found column type {dtype}, expected {}", kind.describe()),
            )
        };
        let cast = |to: &DataType| {
            strict_cast(array, to).map_err(|e| {
                Error::invalid(
                    Location::source(source).column(name),
                    format!("cannot convert the column of type {dtype}: {e}"),
                )
            })
        };
        let is_text =
            |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
        let cells = match dtype {
            DataType::Null => Cells::Null,
            t if is_text(t) => Cells::Text(cast(&DataType::Utf8)?.as_string::<i32>().clone()),
            DataType::Dictionary(_, v) if is_text(v) => {
                Cells::Text(cast(&DataType::Utf8)?.as_string::<i32>().clone())
            }
            t if t.is_integer() => {
                Cells::Int(cast(&DataType::Int64)?.as_primitive::<Int64Type>().clone())
            }
            t if t.is_floating() => Cells::Float(
                cast(&DataType::Float64)?
                    .as_primitive::<Float64Type>()
                    .clone(),
            ),
            DataType::Boolean => Cells::Bool(array.as_boolean().clone()),
            DataType::Timestamp(unit, _) => {
                let per = match unit {
                    TimeUnit::Second => 1,
                    TimeUnit::Millisecond => 1_000,
                    TimeUnit::Microsecond => 1_000_000,
                    TimeUnit::Nanosecond => 1_000_000_000,
                };
                let ticks = cast(&DataType::Int64)?.as_primitive::<Int64Type>().clone();
                Cells::Time(ticks, Ticks::PerSecond(per))
            }
            DataType::Date32 => {
                let ticks = cast(&DataType::Int64)?.as_primitive::<Int64Type>().clone();
                Cells::Time(ticks, Ticks::Days)
            }
            DataType::Date64 => {
                let ticks = cast(&DataType::Int64)?.as_primitive::<Int64Type>().clone();
                Cells::Time(ticks, Ticks::PerSecond(1_000))
            }
            _ => return Err(type_error()),
        };
        let fits = matches!(
            (&cells, kind),
            (Cells::Null | Cells::Text(_), _)
                | (
                    Cells::Int(_) | Cells::Float(_),
                    Kind::Id | Kind::Int | Kind::Float | Kind::Ts
                )
                | (Cells::Int(_) | Cells::Bool(_), Kind::Bool)
                | (Cells::Time(..), Kind::Ts)
        );
        if !fits {
            return Err(type_error());
        }
        Ok(Col { name, cells })
    }

    fn fault(&self, message: impl Into<String>) -> RowFault {
        RowFault::new(self.name, message)
    }

    fn text(&self, row: usize) -> Option<&str> {
        match &self.cells {
            Cells::Text(c) if row < c.len() && c.is_valid(row) => {
                Some(c.value(row).trim()).filter(|s| !s.is_empty())
            }
            _ => None,
        }
    }

    /// The cell as text (ids and names); integers and whole floats become their
    /// decimal text. Empty text is `None`.
    fn id(&self, row: usize) -> std::result::Result<Option<Cow<'_, str>>, RowFault> {
        Ok(match &self.cells {
            Cells::Null => None,
            Cells::Text(_) => self.text(row).map(Cow::Borrowed),
            Cells::Int(c) => int_at(c, row).map(|v| Cow::Owned(v.to_string())),
            Cells::Float(c) => match float_at(c, row) {
                None => None,
                Some(v) => Some(Cow::Owned(whole(v).map_err(|m| self.fault(m))?.to_string())),
            },
            Cells::Bool(_) | Cells::Time(..) => return Err(self.fault("expected text")),
        })
    }

    fn int(&self, row: usize) -> std::result::Result<Option<i64>, RowFault> {
        let cents = match self.name {
            "price" => Some("prices"),
            "amount" => Some("amounts"),
            _ => None,
        };
        let whole_or_hint = |v: f64| {
            whole(v).map_err(|m| match cents {
                // The hint is for fractions (12.5); a huge or infinite value has none.
                Some(what) if v.is_finite() && v.fract() != 0.0 => {
                    let c = (v * 100.0).round();
                    self.fault(format!(
                        "{m}; {what} are integer cents (write {c} for {v:.2})"
                    ))
                }
                _ => self.fault(m),
            })
        };
        match &self.cells {
            Cells::Null => Ok(None),
            Cells::Int(c) => Ok(int_at(c, row)),
            Cells::Float(c) => float_at(c, row).map(whole_or_hint).transpose(),
            Cells::Text(_) => match self.text(row) {
                None => Ok(None),
                Some(s) => match s.parse::<i64>() {
                    Ok(v) => Ok(Some(v)),
                    Err(_) => match s.parse::<f64>() {
                        Ok(v) => whole_or_hint(v).map(Some),
                        Err(_) => Err(self.fault(format!("cannot read \"{s}\" as an integer"))),
                    },
                },
            },
            Cells::Bool(_) | Cells::Time(..) => Err(self.fault("expected an integer")),
        }
    }

    fn float(&self, row: usize) -> std::result::Result<Option<f64>, RowFault> {
        let v = match &self.cells {
            Cells::Null => None,
            Cells::Int(c) => int_at(c, row).map(|v| v as f64),
            Cells::Float(c) => float_at(c, row),
            Cells::Text(_) => match self.text(row) {
                None => None,
                Some(s) => Some(
                    s.parse::<f64>()
                        .map_err(|_| self.fault(format!("cannot read \"{s}\" as a number")))?,
                ),
            },
            Cells::Bool(_) | Cells::Time(..) => return Err(self.fault("expected a number")),
        };
        match v {
            Some(v) if !v.is_finite() => Err(self.fault(format!("{v} is not a finite number"))),
            v => Ok(v),
        }
    }

    fn bool(&self, row: usize) -> std::result::Result<Option<bool>, RowFault> {
        let bad = |s: &str| {
            self.fault(format!(
                "cannot read \"{s}\" as a boolean (expected true, false, 1 or 0)"
            ))
        };
        match &self.cells {
            Cells::Null => Ok(None),
            Cells::Bool(c) => Ok((row < c.len() && c.is_valid(row)).then(|| c.value(row))),
            Cells::Int(c) => match int_at(c, row) {
                None => Ok(None),
                Some(0) => Ok(Some(false)),
                Some(1) => Ok(Some(true)),
                Some(v) => Err(bad(&v.to_string())),
            },
            Cells::Text(_) => match self.text(row) {
                None => Ok(None),
                Some(s) => match s.to_ascii_lowercase().as_str() {
                    "true" | "1" => Ok(Some(true)),
                    "false" | "0" => Ok(Some(false)),
                    _ => Err(bad(s)),
                },
            },
            Cells::Float(_) | Cells::Time(..) => Err(self.fault("expected a boolean")),
        }
    }

    fn ts(&self, row: usize) -> std::result::Result<Option<i64>, RowFault> {
        let secs = match &self.cells {
            Cells::Null => None,
            Cells::Int(c) => int_at(c, row),
            Cells::Float(c) => float_at(c, row)
                .map(whole)
                .transpose()
                .map_err(|m| self.fault(m))?,
            Cells::Text(_) => match self.text(row) {
                None => None,
                Some(s) => Some(parse_time(s).map_err(|m| self.fault(m))?),
            },
            Cells::Time(c, Ticks::PerSecond(per)) => int_at(c, row).map(|t| t.div_euclid(*per)),
            Cells::Time(c, Ticks::Days) => int_at(c, row).map(|d| d.saturating_mul(86_400)),
            Cells::Bool(_) => return Err(self.fault("expected a timestamp")),
        };
        secs.map(|t| check_ts(t).map_err(|m| self.fault(m)))
            .transpose()
    }

    fn required_ts(&self, row: usize) -> std::result::Result<i64, RowFault> {
        self.ts(row)?.ok_or_else(|| self.fault("missing timestamp"))
    }
}

fn int_at(c: &Int64Array, row: usize) -> Option<i64> {
    (row < c.len() && c.is_valid(row)).then(|| c.value(row))
}

fn float_at(c: &Float64Array, row: usize) -> Option<f64> {
    (row < c.len() && c.is_valid(row)).then(|| c.value(row))
}

/// The schema columns of one batch, by schema name.
struct Columns {
    cols: Vec<Col>,
}

impl Columns {
    fn get(&self, name: &str) -> Option<&Col> {
        self.cols.iter().find(|c| c.name == name)
    }
}

/// Finds each schema column of `table` in `schema` (by name or alias): its position.
///
/// # Errors
/// [`Error::MissingColumn`] for a required column that is absent.
fn locate(table: Table, schema: &Schema) -> Result<Vec<(&'static str, usize)>> {
    let mut found = Vec::new();
    for &(name, required) in table.columns() {
        let direct = schema.index_of(name).ok();
        let alias = || {
            ALIASES
                .iter()
                .filter(|(_, col)| *col == name)
                .find_map(|(alias, _)| schema.index_of(alias).ok())
        };
        match direct.or_else(alias) {
            Some(i) => found.push((name, i)),
            None if required => {
                let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
                return Err(Error::MissingColumn {
                    source_name: table.as_str().to_string(),
                    column: name.to_string(),
                    found: names.join(", "),
                });
            }
            None => {}
        }
    }
    Ok(found)
}

/// The columns of `schema` that `positions` does not read, in frame order.
fn ignored(schema: &Schema, positions: &[(&'static str, usize)]) -> Vec<String> {
    schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(i, _)| !positions.iter().any(|(_, p)| p == i))
        .map(|(_, f)| f.name().clone())
        .collect()
}

/// Counts rows and turns faults into errors (strict) or rejects (lenient).
struct Tally<'a> {
    table: Table,
    strict: bool,
    read: u64,
    accepted: u64,
    rejects: &'a mut Vec<Reject>,
}

impl Tally<'_> {
    fn record(&mut self, outcome: std::result::Result<(), RowFault>) -> Result<()> {
        self.read += 1;
        let fault = match outcome {
            Ok(()) => {
                self.accepted += 1;
                return Ok(());
            }
            Err(f) => f,
        };
        if self.strict {
            return Err(fault.at(self.table.as_str(), self.read));
        }
        self.rejects.push(Reject {
            table: self.table.as_str(),
            row: self.read,
            column: fault.column.to_string(),
            code: reason_code(&fault.message),
            reason: fault.message,
        });
        Ok(())
    }
}

fn opt_id(c: Option<&Col>, row: usize) -> std::result::Result<Option<Cow<'_, str>>, RowFault> {
    c.map_or(Ok(None), |c| c.id(row))
}

fn opt_int(c: Option<&Col>, row: usize) -> std::result::Result<Option<i64>, RowFault> {
    c.map_or(Ok(None), |c| c.int(row))
}

fn opt_ts(c: Option<&Col>, row: usize) -> std::result::Result<Option<i64>, RowFault> {
    c.map_or(Ok(None), |c| c.ts(row))
}

fn req_id(c: Option<&Col>, row: usize) -> std::result::Result<Cow<'_, str>, RowFault> {
    Ok(opt_id(c, row)?.unwrap_or(Cow::Borrowed("")))
}

fn push_row(
    b: &mut DatasetBuilder,
    table: Table,
    c: &Columns,
    row: usize,
) -> std::result::Result<(), RowFault> {
    match table {
        Table::Items => {
            let item_id = req_id(c.get("item_id"), row)?;
            let category = opt_id(c.get("category"), row)?;
            let brand = opt_id(c.get("brand"), row)?;
            let seller = opt_id(c.get("seller"), row)?;
            b.push_item(&ItemRecord {
                item_id: &item_id,
                category: category.as_deref(),
                brand: brand.as_deref(),
                price_cents: opt_int(c.get("price"), row)?,
                reviews_positive: opt_int(c.get("reviews_positive"), row)?,
                reviews_total: opt_int(c.get("reviews_total"), row)?,
                commission_rate: c
                    .get("commission_rate")
                    .map_or(Ok(None), |f| f.float(row))?,
                seller: seller.as_deref(),
                in_stock: c.get("in_stock").map_or(Ok(None), |f| f.bool(row))?,
                listed_at: opt_ts(c.get("listed_at"), row)?,
            })
        }
        Table::Promoters => {
            let promoter_id = req_id(c.get("promoter_id"), row)?;
            let channel = opt_id(c.get("channel"), row)?;
            let inviter = opt_id(c.get("inviter_id"), row)?;
            b.push_promoter(&PromoterRecord {
                promoter_id: &promoter_id,
                channel: channel.as_deref(),
                city_tier: opt_int(c.get("city_tier"), row)?,
                joined_at: opt_ts(c.get("joined_at"), row)?,
                inviter_id: inviter.as_deref(),
            })
        }
        Table::Orders => {
            let promoter_id = req_id(c.get("promoter_id"), row)?;
            let item_id = req_id(c.get("item_id"), row)?;
            let ts = match c.get("ts") {
                Some(t) => t.required_ts(row)?,
                None => return Err(RowFault::new("ts", "missing timestamp")),
            };
            let order_id = opt_id(c.get("order_id"), row)?;
            let buyer_id = opt_id(c.get("buyer_id"), row)?;
            let group_id = opt_id(c.get("group_id"), row)?;
            let status = opt_id(c.get("status"), row)?;
            b.push_order(&OrderRecord {
                promoter_id: &promoter_id,
                item_id: &item_id,
                ts,
                order_id: order_id.as_deref(),
                buyer_id: buyer_id.as_deref(),
                group_id: group_id.as_deref(),
                quantity: opt_int(c.get("quantity"), row)?,
                amount_cents: opt_int(c.get("amount"), row)?,
                status: status.as_deref(),
                weight: c.get("weight").map_or(Ok(None), |f| f.float(row))?,
            })
        }
        Table::Shares => {
            let promoter_id = req_id(c.get("promoter_id"), row)?;
            let item_id = req_id(c.get("item_id"), row)?;
            let ts = match c.get("ts") {
                Some(t) => t.required_ts(row)?,
                None => return Err(RowFault::new("ts", "missing timestamp")),
            };
            let group_id = opt_id(c.get("group_id"), row)?;
            let receiver_id = opt_id(c.get("receiver_id"), row)?;
            b.push_share(&ShareRecord {
                promoter_id: &promoter_id,
                item_id: &item_id,
                ts,
                group_id: group_id.as_deref(),
                receiver_id: receiver_id.as_deref(),
            })
        }
    }
}

/// Pushes every row of `reader` into `b` as rows of `table`.
fn read_table(
    b: &mut DatasetBuilder,
    table: Table,
    reader: Box<dyn RecordBatchReader + Send>,
    strict: bool,
    rejects: &mut Vec<Reject>,
) -> Result<TableCounts> {
    let schema = reader.schema();
    let positions = locate(table, &schema)?;
    let ignored_columns = ignored(&schema, &positions);
    let mut tally = Tally {
        table,
        strict,
        read: 0,
        accepted: 0,
        rejects,
    };
    for batch in reader {
        let batch =
            batch.map_err(|e| Error::invalid(Location::source(table.as_str()), e.to_string()))?;
        let cols = positions
            .iter()
            .map(|&(name, i)| Col::new(table.as_str(), name, batch.column(i)))
            .collect::<Result<Vec<_>>>()?;
        let cols = Columns { cols };
        for row in 0..batch.num_rows() {
            let outcome = push_row(b, table, &cols, row);
            let rejected = outcome.is_err();
            tally.record(outcome)?;
            if rejected {
                // An order naming a left-out item or promoter then says so, rather than
                // calling the id unknown.
                let id_column = match table {
                    Table::Items => "item_id",
                    Table::Promoters => "promoter_id",
                    Table::Orders | Table::Shares => continue,
                };
                if let Ok(Some(id)) = opt_id(cols.get(id_column), row) {
                    match table {
                        Table::Items => b.reject_item_row(&id, tally.read),
                        _ => b.reject_promoter_row(&id, tally.read),
                    }
                }
            }
        }
    }
    Ok(TableCounts {
        table: table.as_str(),
        read: tally.read,
        accepted: tally.accepted,
        rejected: tally.read - tally.accepted,
        ignored_columns,
    })
}

/// The frames of one dataset, as Arrow streams.
pub struct Frames {
    pub orders: Box<dyn RecordBatchReader + Send>,
    pub items: Option<Box<dyn RecordBatchReader + Send>>,
    pub promoters: Option<Box<dyn RecordBatchReader + Send>>,
    pub shares: Option<Box<dyn RecordBatchReader + Send>>,
}

/// Reads a dataset from frames: items, promoters, orders, shares in that order, every
/// row through `DatasetBuilder`.
///
/// # Errors
/// [`Error::MissingColumn`], [`Error::InvalidData`] for a column of the wrong type and,
/// in strict mode, for the first row breaking a rule (naming table, row and column);
/// [`Error::Empty`] when no order row is accepted.
pub fn read_frames(frames: Frames, strict: bool) -> Result<Loaded> {
    let mut b = DatasetBuilder::new();
    let mut report = LoadReport {
        strict,
        ..LoadReport::default()
    };
    let rejects = &mut report.rejects;
    if let Some(items) = frames.items {
        b.declare_items();
        let counts = read_table(&mut b, Table::Items, items, strict, rejects)?;
        if counts.read == 0 {
            return Err(Error::Empty("items: the frame has no row".into()));
        }
        report.tables.push(counts);
    }
    if let Some(promoters) = frames.promoters {
        b.declare_promoters();
        let counts = read_table(&mut b, Table::Promoters, promoters, strict, rejects)?;
        if counts.read == 0 {
            return Err(Error::Empty("promoters: the frame has no row".into()));
        }
        report.tables.push(counts);
    }
    let counts = read_table(&mut b, Table::Orders, frames.orders, strict, rejects)?;
    if counts.accepted == 0 {
        let first = rejects
            .iter()
            .find(|r| r.table == "orders")
            .map(|r| {
                format!(
                    "; the first reject: row {}, column \"{}\": {}",
                    r.row, r.column, r.reason
                )
            })
            .unwrap_or_default();
        return Err(Error::Empty(format!(
            "orders: none of the {} order rows was accepted{first}",
            counts.read
        )));
    }
    report.tables.push(counts);
    if let Some(shares) = frames.shares {
        let counts = read_table(&mut b, Table::Shares, shares, strict, rejects)?;
        report.tables.push(counts);
    }
    let (dataset, unresolved) = b.finish_with_unresolved();
    if let Some((promoter, inviter)) = unresolved.first() {
        if strict {
            return Err(Error::invalid(
                Location::source("promoters").column("inviter_id"),
                format!(
                    "inviter \"{inviter}\" of promoter \"{promoter}\" is not in the promoters table ({} such promoters)",
                    unresolved.len()
                ),
            ));
        }
    }
    report.unresolved_inviters = unresolved;
    Ok(Loaded { dataset, report })
}

/// The error for a null, `None` or empty id at 0-based `position` of argument `field`
/// (the same message for a list and a Series).
pub fn null_id(field: &'static str, column: &str, position: usize) -> Error {
    Error::InvalidRequest {
        field,
        message: format!("position {position} (0-based): a null, None or empty {column}"),
    }
}

/// Reads a column of ids (text or integers) from an Arrow array; `field` names the
/// argument in errors, `column` the id; `offset` is the position of the array's first
/// element in the whole argument. Text is trimmed; integers (and whole floats) become
/// their decimal text.
///
/// # Errors
/// [`Error::InvalidData`] for a column that is neither text nor numbers;
/// [`Error::InvalidRequest`] naming the 0-based position of a null or empty id, or a
/// float that is not whole.
pub fn ids_named(
    array: &ArrayRef,
    field: &'static str,
    column: &'static str,
    offset: usize,
) -> Result<Vec<String>> {
    let col = Col::new(field, column, array)?;
    (0..array.len())
        .map(|row| match col.id(row) {
            Ok(Some(id)) => Ok(id.into_owned()),
            Ok(None) => Err(null_id(field, column, offset + row)),
            // NaN is how pandas and numpy write a missing number: a null here.
            Err(f) if f.message == "NaN is not a finite number" => {
                Err(null_id(field, column, offset + row))
            }
            Err(f) => Err(Error::InvalidRequest {
                field,
                message: format!("position {} (0-based): {}", offset + row, f.message),
            }),
        })
        .collect()
}

/// One id from a whole float, by the rule of [`ids_named`].
///
/// # Errors
/// The message of a float that is not a whole number.
pub fn id_of_float(v: f64) -> std::result::Result<String, String> {
    whole(v).map(|v| v.to_string())
}

/// The schema of ranked lists.
pub fn ranked_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        ArrowField::new("promoter_id", DataType::Utf8, false),
        ArrowField::new("rank", DataType::Int32, false),
        ArrowField::new("item_id", DataType::Utf8, false),
        ArrowField::new("score", DataType::Float32, false),
    ]))
}

/// Ranked lists as one record batch `promoter_id, rank, item_id, score` (rank 1 best).
///
/// # Errors
/// Only if Arrow refuses the columns (not expected).
pub fn ranked_batch(ids: &[String], lists: &[Vec<Ranked>]) -> Result<RecordBatch> {
    let n: usize = lists.iter().map(Vec::len).sum();
    let mut promoter = Vec::with_capacity(n);
    let mut rank = Vec::with_capacity(n);
    let mut item = Vec::with_capacity(n);
    let mut score = Vec::with_capacity(n);
    for (id, list) in ids.iter().zip(lists) {
        for (r, x) in list.iter().enumerate() {
            promoter.push(id.as_str());
            rank.push(i32::try_from(r + 1).unwrap_or(i32::MAX));
            item.push(x.item_id.as_str());
            score.push(x.score);
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(promoter)),
        Arc::new(Int32Array::from(rank)),
        Arc::new(StringArray::from(item)),
        Arc::new(Float32Array::from(score)),
    ];
    RecordBatch::try_new(ranked_schema(), columns)
        .map_err(|e| Error::Unsupported(format!("cannot build the ranked table: {e}")))
}

/// A record batch of named columns (all the same length).
///
/// # Errors
/// Only if Arrow refuses the columns (not expected).
pub fn batch_of(columns: Vec<(&str, ArrayRef)>) -> Result<RecordBatch> {
    let fields: Vec<ArrowField> = columns
        .iter()
        .map(|(name, a)| ArrowField::new(*name, a.data_type().clone(), true))
        .collect();
    let arrays = columns.into_iter().map(|(_, a)| a).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .map_err(|e| Error::Unsupported(format!("cannot build a table: {e}")))
}
