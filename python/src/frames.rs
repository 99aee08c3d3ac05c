//! Frames in: Arrow record batches (from polars, pyarrow or pandas over the Arrow C
//! stream interface) pushed row by row into kocrank's `DatasetBuilder`, which holds
//! every rule of the data model. The cells are read straight from the Arrow buffers; no
//! Python object is made per row.
//!
//! Frames out: ranked lists as one Arrow table (`promoter_id, rank, item_id, score`).

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float32Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    RecordBatchReader, StringArray,
};
use arrow_cast::cast::{cast_with_options, CastOptions};
use arrow_schema::{ArrowError, DataType, Field as ArrowField, Schema, SchemaRef, TimeUnit};
use kocrank::data::ingest::{Cells, Col, Columns, Field, Kind, Matched, Physical, Table, Ticks};
use kocrank::data::{DatasetBuilder, FaultCode, RowFault};
use kocrank::{Dataset, Error, Location, Ranked, Result};
use std::sync::Arc;

/// A row left out in lenient mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub table: &'static str,
    /// 1-based row of the frame.
    pub row: u64,
    pub column: String,
    /// The kind of fault, for grouping.
    pub code: FaultCode,
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

/// A dataset read from frames, with what the load did.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub dataset: Dataset,
    pub report: LoadReport,
}

/// The cells of one Arrow column, in one of the physical types accepted: the Python
/// backend of the core's one ingest (`kocrank::data::ingest`).
enum ArrowCells {
    Null(usize),
    Text(StringArray),
    Int(Int64Array),
    Float(Float64Array),
    Bool(BooleanArray),
    Time(Int64Array, Ticks),
}

/// The cell at `row` of `a`, if it is in range and not null.
fn valid<A: Array>(a: &A, row: usize) -> bool {
    row < a.len() && a.is_valid(row)
}

impl Cells for ArrowCells {
    fn physical(&self) -> Physical {
        match self {
            ArrowCells::Null(_) => Physical::Null,
            ArrowCells::Text(_) => Physical::Text,
            ArrowCells::Int(_) => Physical::Int,
            ArrowCells::Float(_) => Physical::Float,
            ArrowCells::Bool(_) => Physical::Bool,
            ArrowCells::Time(_, t) => Physical::Time(*t),
        }
    }

    fn len(&self) -> usize {
        match self {
            ArrowCells::Null(n) => *n,
            ArrowCells::Text(c) => c.len(),
            ArrowCells::Int(c) | ArrowCells::Time(c, _) => c.len(),
            ArrowCells::Float(c) => c.len(),
            ArrowCells::Bool(c) => c.len(),
        }
    }

    fn text(&self, row: usize) -> Option<&str> {
        match self {
            ArrowCells::Text(c) if valid(c, row) => Some(c.value(row)),
            _ => None,
        }
    }

    fn int(&self, row: usize) -> Option<i64> {
        match self {
            ArrowCells::Int(c) | ArrowCells::Time(c, _) if valid(c, row) => Some(c.value(row)),
            _ => None,
        }
    }

    fn float(&self, row: usize) -> Option<f64> {
        match self {
            ArrowCells::Float(c) if valid(c, row) => Some(c.value(row)),
            _ => None,
        }
    }

    fn bool(&self, row: usize) -> Option<bool> {
        match self {
            ArrowCells::Bool(c) if valid(c, row) => Some(c.value(row)),
            _ => None,
        }
    }
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

/// Wraps `array` as schema column `col` of the table called `source`.
///
/// # Errors
/// [`Error::InvalidData`] naming the table and column when the Arrow type does not fit
/// the column (a boolean price, a string commission read as a list, ...).
fn arrow_field(source: &str, col: &Col, array: &ArrayRef) -> Result<Field<ArrowCells>> {
    let dtype = array.data_type();
    let cast = |to: &DataType| {
        strict_cast(array, to).map_err(|e| {
            Error::invalid(
                Location::source(source).column(col.name),
                format!("cannot convert the column of type {dtype}: {e}"),
            )
        })
    };
    let is_text =
        |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    let ticks = || -> Result<Int64Array> {
        Ok(cast(&DataType::Int64)?.as_primitive::<Int64Type>().clone())
    };
    let cells = match dtype {
        DataType::Null => ArrowCells::Null(array.len()),
        t if is_text(t) => ArrowCells::Text(cast(&DataType::Utf8)?.as_string::<i32>().clone()),
        DataType::Dictionary(_, v) if is_text(v) => {
            ArrowCells::Text(cast(&DataType::Utf8)?.as_string::<i32>().clone())
        }
        t if t.is_integer() => ArrowCells::Int(ticks()?),
        t if t.is_floating() => ArrowCells::Float(
            cast(&DataType::Float64)?
                .as_primitive::<Float64Type>()
                .clone(),
        ),
        DataType::Boolean => ArrowCells::Bool(array.as_boolean().clone()),
        DataType::Timestamp(unit, _) => {
            let per = match unit {
                TimeUnit::Second => 1,
                TimeUnit::Millisecond => 1_000,
                TimeUnit::Microsecond => 1_000_000,
                TimeUnit::Nanosecond => 1_000_000_000,
            };
            ArrowCells::Time(ticks()?, Ticks::PerSecond(per))
        }
        DataType::Date32 => ArrowCells::Time(ticks()?, Ticks::Days),
        DataType::Date64 => ArrowCells::Time(ticks()?, Ticks::PerSecond(1_000)),
        _ => {
            return Err(Error::invalid(
                Location::source(source).column(col.name),
                format!(
                    "found column type {dtype}, expected {}",
                    col.kind.describe()
                ),
            ))
        }
    };
    Field::new(source, col, cells, dtype)
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
    /// Records the outcome of the next row; `shown` names a column as the frame does
    /// (its alias, if it used one).
    fn record(
        &mut self,
        outcome: std::result::Result<(), RowFault>,
        shown: impl Fn(&'static str) -> &'static str,
    ) -> Result<()> {
        self.read += 1;
        let fault = match outcome {
            Ok(()) => {
                self.accepted += 1;
                return Ok(());
            }
            Err(f) => f,
        };
        let fault = RowFault {
            column: shown(fault.column),
            ..fault
        };
        if self.strict {
            return Err(fault.at(self.table.as_str(), self.read));
        }
        self.rejects.push(Reject {
            table: self.table.as_str(),
            row: self.read,
            column: fault.column.to_string(),
            code: fault.code,
            reason: fault.message,
        });
        Ok(())
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
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let matched = Matched::new(table.as_str(), &names, table.columns(), &[])?;
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
        let fields = table
            .columns()
            .iter()
            .zip(&matched.positions)
            .map(|(col, at)| {
                at.map(|i| arrow_field(table.as_str(), col, batch.column(i)))
                    .transpose()
            })
            .collect::<Result<Vec<_>>>()?;
        let cols = Columns::new(table, fields, matched.aliases.clone())?;
        for row in 0..batch.num_rows() {
            let outcome = cols.push(b, row, tally.read + 1);
            tally.record(outcome, |c| cols.shown(c))?;
        }
    }
    Ok(TableCounts {
        table: table.as_str(),
        read: tally.read,
        accepted: tally.accepted,
        rejected: tally.read - tally.accepted,
        ignored_columns: matched.ignored,
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
    let col = arrow_field(field, &Col::required(column, Kind::Id), array)?;
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
        .map_err(|e| Error::Internal(format!("cannot build the ranked table: {e}")))
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
        .map_err(|e| Error::Internal(format!("cannot build a table: {e}")))
}
