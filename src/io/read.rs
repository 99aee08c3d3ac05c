//! Reading a dataset from files: items, promoters, orders and shares.
//!
//! Each file is read into typed records, row by row, and pushed into a
//! [`DatasetBuilder`], which holds every rule of the data model. A row that breaks a
//! rule stops the load (strict mode, the default) or is left out and reported (lenient
//! mode).

use super::files::DataFiles;
use super::report::{LoadReport, Reject, TableReport, UnresolvedInviter};
use super::table::{TableFile, TableSource, CHUNK_ROWS};
use super::write::write_rejects;
use crate::data::ingest::{Col, Kind, Table};
use crate::data::{Dataset, DatasetBuilder, FaultCode, RowFault};
use crate::error::{Error, Location, Result};
use std::path::{Path, PathBuf};

/// How to treat bad rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Stop at the first bad row with an error naming file, row and column (default
    /// `true`). When `false`, bad rows are left out and listed in the report.
    pub strict: bool,
    /// In lenient mode, also write the rejects to this file (`file,row,column,code,reason`;
    /// CSV, Parquet or Arrow by extension). Written even when there is no reject, so
    /// the file always belongs to the last run. Not used in strict mode.
    pub rejects: Option<PathBuf>,
    /// Optional columns not to read (e.g. `order_id`, `buyer_id`, `group_id`, which no
    /// model uses): they are listed among the report's ignored columns, and their
    /// cells are neither checked nor kept. Required columns are always read.
    pub skip_columns: Vec<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            strict: true,
            rejects: None,
            skip_columns: Vec::new(),
        }
    }
}

impl ReadOptions {
    /// Strict mode: the first bad row is an error.
    pub fn strict() -> Self {
        ReadOptions::default()
    }

    /// Lenient mode: bad rows are left out and reported.
    pub fn lenient() -> Self {
        ReadOptions {
            strict: false,
            ..ReadOptions::default()
        }
    }

    /// These options, writing rejects to `path` (lenient mode).
    #[must_use]
    pub fn with_rejects(mut self, path: impl Into<PathBuf>) -> Self {
        self.rejects = Some(path.into());
        self
    }

    /// These options, not reading the optional `columns` (see
    /// [`skip_columns`](Self::skip_columns)).
    #[must_use]
    pub fn skipping<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.skip_columns
            .extend(columns.into_iter().map(Into::into));
        self
    }
}

/// A dataset read from files, with the report of what was read.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated dataset.
    pub dataset: Dataset,
    /// Rows read, accepted and rejected per file; rejects; ignored columns.
    pub report: LoadReport,
}

/// Counts the rows of one file and turns faults into errors or rejects.
pub(crate) struct Tally<'a> {
    display: String,
    format: super::Format,
    ignored: Vec<String>,
    blank_lines: u64,
    strict: bool,
    read: u64,
    accepted: u64,
    rejects: &'a mut Vec<Reject>,
    rejected: u64,
}

impl<'a> Tally<'a> {
    pub(crate) fn new(file: &TableFile, strict: bool, rejects: &'a mut Vec<Reject>) -> Self {
        Self::with(
            file.display.clone(),
            file.format,
            file.ignored.clone(),
            file.blank_lines(),
            strict,
            rejects,
        )
    }

    /// A tally for a file read chunk by chunk.
    pub(crate) fn for_source(
        source: &TableSource,
        strict: bool,
        rejects: &'a mut Vec<Reject>,
    ) -> Self {
        Self::with(
            source.display().to_string(),
            source.format(),
            source.ignored().to_vec(),
            source.blank_lines(),
            strict,
            rejects,
        )
    }

    fn with(
        display: String,
        format: super::Format,
        ignored: Vec<String>,
        blank_lines: u64,
        strict: bool,
        rejects: &'a mut Vec<Reject>,
    ) -> Self {
        Tally {
            display,
            format,
            ignored,
            blank_lines,
            strict,
            read: 0,
            accepted: 0,
            rejects,
            rejected: 0,
        }
    }

    /// Records the outcome of 1-based file row `row`; `shown` names a column as the
    /// file does (its alias, if it used one).
    pub(crate) fn record(
        &mut self,
        row: u64,
        outcome: Result<(), RowFault>,
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
        let column = shown(fault.column);
        if self.strict {
            return Err(Error::invalid(
                Location::source(self.display.clone())
                    .row(row)
                    .column(column),
                fault.message,
            ));
        }
        self.rejected += 1;
        self.rejects.push(Reject {
            file: self.display.clone(),
            row,
            column: column.to_string(),
            code: fault.code,
            reason: fault.message,
        });
        Ok(())
    }

    /// Whether 0-based data row `row` of chunk `t` is to be skipped, its cells unread: a
    /// blank line (counted apart, not as read), or a ragged CSV record, recorded here (the
    /// error in strict mode, a reject in lenient mode).
    pub(crate) fn skip(&mut self, t: &TableFile, row: usize) -> Result<bool> {
        if t.is_blank(row) {
            return Ok(true);
        }
        let Some(r) = t.ragged(row) else {
            return Ok(false);
        };
        self.read += 1;
        let row = (t.first_row + row) as u64 + 1;
        if self.strict {
            return Err(Error::RaggedRow {
                source_name: self.display.clone(),
                row,
                line: r.line,
                found: r.found,
                expected: r.expected,
                message: r.message(),
            });
        }
        self.rejected += 1;
        self.rejects.push(Reject {
            file: self.display.clone(),
            row,
            column: String::new(),
            code: FaultCode::RaggedRow,
            reason: r.message(),
        });
        Ok(true)
    }

    pub(crate) fn report(&self, table: Table) -> TableReport {
        TableReport {
            table,
            file: self.display.clone(),
            format: self.format,
            read: self.read,
            accepted: self.accepted,
            rejected: self.rejected,
            blank_lines: self.blank_lines,
            ignored_columns: self.ignored.clone(),
        }
    }
}

/// Pushes every row of chunk `t` of `table` into `b`. For the promoters table, returns
/// the 1-based file row of each promoter accepted (an unresolved inviter's error names
/// it); for the others, nothing.
fn read_rows(
    b: &mut DatasetBuilder,
    table: Table,
    t: &mut TableFile,
    tally: &mut Tally<'_>,
) -> Result<Vec<u64>> {
    let cols = t.take_columns(table)?;
    let mut accepted = Vec::new();
    for row in 0..t.n_rows {
        if tally.skip(t, row)? {
            continue;
        }
        let file_row = (t.first_row + row) as u64 + 1;
        let outcome = cols.push(b, row, file_row);
        if outcome.is_ok() && table == Table::Promoters {
            accepted.push(file_row);
        }
        tally.record(file_row, outcome, |c| cols.shown(c))?;
    }
    Ok(accepted)
}

/// Reads a dataset from files, validating every row.
///
/// Files are read in the order items, promoters, orders, shares; the format of each
/// comes from its extension (see [`Format`](super::Format)). When an items file is
/// given, every order and share must name an item in it; when a promoters file is
/// given, likewise for promoters. The columns, defaults and rules are in
/// `datasets/SCHEMA.md`.
///
/// # Errors
/// - [`Error::Io`] with the path when a file cannot be read;
/// - [`Error::Empty`] for an empty file, or an items, promoters or orders file with a
///   header and no data row (and, in lenient mode, when no order row is accepted);
/// - [`Error::MissingColumn`] listing the columns found;
/// - [`Error::Format`] for an unknown extension, bytes that are not UTF-8 or a file the
///   format's reader rejects;
/// - [`Error::InvalidData`] naming file and column for a Parquet or Arrow column of the
///   wrong type, and, in strict mode, naming file, row and column for the first row that
///   breaks a rule (`orders.csv: row 17, column "item_id": unknown item "SKU-991" (not
///   in the items table)`), or an inviter that is not in the promoters table.
///
/// # Examples
/// ```
/// use kocrank::io::{read_dataset, DataFiles, ReadOptions};
/// use kocrank::Error;
/// let dir = tempfile::tempdir().unwrap();
/// let items = dir.path().join("items.csv");
/// let orders = dir.path().join("orders.csv");
/// std::fs::write(&items, "item_id,price,commission_rate\nA,1999,0.1\nB,500,0.05\n").unwrap();
/// std::fs::write(&orders, "promoter_id,item_id,ts\np1,A,2011-10-01\np1,Z,2011-10-02\n").unwrap();
/// let files = DataFiles::orders(&orders).with_items(&items);
///
/// // Strict (the default): the unknown item stops the load.
/// match read_dataset(&files, &ReadOptions::default()) {
///     Err(Error::InvalidData { location, message }) => {
///         assert_eq!(location.row, Some(2));
///         assert_eq!(location.column.as_deref(), Some("item_id"));
///         assert_eq!(message, "unknown item \"Z\" (not in the items table)");
///     }
///     other => panic!("expected invalid data, got {other:?}"),
/// }
///
/// // Lenient: the row is left out and reported.
/// let loaded = read_dataset(&files, &ReadOptions::lenient()).unwrap();
/// assert_eq!(loaded.dataset.orders().len(), 1);
/// assert_eq!(loaded.report.rejects[0].row, 2);
/// ```
pub fn read_dataset(files: &DataFiles, opts: &ReadOptions) -> Result<Loaded> {
    read_dataset_chunked(files, opts, CHUNK_ROWS)
}

/// [`read_dataset`], reading Parquet files `chunk_rows` rows at a time.
pub(crate) fn read_dataset_chunked(
    files: &DataFiles,
    opts: &ReadOptions,
    chunk_rows: usize,
) -> Result<Loaded> {
    let mut b = DatasetBuilder::new();
    let mut report = LoadReport::default();
    let mut promoter_rows = Vec::new();
    let mut promoters_file = None;
    for (table, path) in files.in_order() {
        let Some(path) = path else { continue };
        let mut source =
            TableSource::open_chunked(path, table.columns(), &opts.skip_columns, chunk_rows)?;
        match table {
            Table::Items => {
                source.require_rows("item")?;
                b.declare_items();
            }
            Table::Promoters => {
                source.require_rows("promoter")?;
                b.declare_promoters();
            }
            Table::Orders => {
                source.require_rows("order")?;
                b.reserve_orders(source.n_rows());
            }
            Table::Shares => b.reserve_shares(source.n_rows()),
        }
        let mut tally = Tally::for_source(&source, opts.strict, &mut report.rejects);
        while let Some(mut t) = source.next_chunk()? {
            promoter_rows.extend(read_rows(&mut b, table, &mut t, &mut tally)?);
            if table == Table::Promoters {
                promoters_file = Some(t.display.clone());
            }
        }
        let table_report = tally.report(table);
        report.tables.push(table_report);
    }
    if !opts.strict {
        if let Some(path) = &opts.rejects {
            write_rejects(path, &report.rejects)?;
        }
    }
    if let Some(orders) = report.table(Table::Orders) {
        if orders.accepted == 0 {
            let first = report.rejects.iter().find(|r| r.file == orders.file);
            return Err(Error::Empty(format!(
                "{}: none of the {} order rows was accepted{}",
                orders.file,
                orders.read,
                first
                    .map(|r| format!("; the first reject: {r}"))
                    .unwrap_or_default()
            )));
        }
    }
    let (dataset, unresolved) = b.finish_with_unresolved();
    if let Some((promoter, inviter)) = unresolved.first() {
        if opts.strict {
            let row = dataset
                .promoters
                .ids
                .get(promoter)
                .and_then(|p| promoter_rows.get(p as usize).copied());
            let mut loc = Location::source(promoters_file.unwrap_or_else(|| "promoters".into()));
            if let Some(row) = row {
                loc = loc.row(row);
            }
            let more = match unresolved.len() {
                1 => String::new(),
                n => format!(" ({n} promoters name inviters not in the table)"),
            };
            return Err(Error::invalid(
                loc.column("inviter_id"),
                format!(
                    "inviter \"{inviter}\" of promoter \"{promoter}\" is not in the promoters table{more}"
                ),
            ));
        }
    }
    report.unresolved_inviters = unresolved
        .into_iter()
        .map(|(promoter_id, inviter_id)| UnresolvedInviter {
            promoter_id,
            inviter_id,
        })
        .collect();
    Ok(Loaded { dataset, report })
}

/// The schema of a promoter id list.
const PROMOTER_IDS: &[Col] = &[Col {
    name: "promoter_id",
    kind: Kind::Id,
    required: true,
}];

/// Reads a list of promoter ids from the `promoter_id` column (or `user_id`) of a CSV,
/// Parquet or Arrow file, in file order. Other columns are ignored.
///
/// # Errors
/// As [`read_dataset`] for the file itself; [`Error::Empty`] when it has no data row;
/// [`Error::InvalidData`] naming the row for an empty id or an id that repeats (with the
/// row of its first appearance).
///
/// # Examples
/// ```
/// use kocrank::io::read_promoter_ids;
/// use kocrank::Error;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("who.csv");
/// std::fs::write(&path, "promoter_id\np1\n007\np1\n").unwrap();
/// match read_promoter_ids(&path) {
///     Err(Error::InvalidData { location, message }) => {
///         assert_eq!(location.row, Some(3));
///         assert_eq!(message, "duplicate promoter id \"p1\" (first at row 1)");
///     }
///     other => panic!("expected invalid data, got {other:?}"),
/// }
/// std::fs::write(&path, "promoter_id\np1\n007\n").unwrap();
/// assert_eq!(read_promoter_ids(&path).unwrap(), vec!["p1", "007"]);
/// ```
pub fn read_promoter_ids(path: &Path) -> Result<Vec<String>> {
    let t = TableFile::open(path, PROMOTER_IDS)?;
    t.require_rows("promoter id")?;
    let field = t.required("promoter_id")?;
    let column = t.shown("promoter_id");
    let mut seen = std::collections::HashMap::new();
    let mut ids = Vec::with_capacity(t.n_rows);
    let mut rejects = Vec::new();
    let mut tally = Tally::new(&t, true, &mut rejects);
    for row in 0..t.n_rows {
        if tally.skip(&t, row)? {
            continue;
        }
        let loc = || {
            Location::source(t.display.clone())
                .row(row as u64 + 1)
                .column(column)
        };
        let id = field
            .id(row)
            .map_err(|f| Error::invalid(loc(), f.message))?;
        let Some(id) = id else {
            return Err(Error::invalid(loc(), "empty id"));
        };
        if let Some(first) = seen.insert(id.to_string(), row + 1) {
            return Err(Error::invalid(
                loc(),
                format!("duplicate promoter id \"{id}\" (first at row {first})"),
            ));
        }
        ids.push(id.into_owned());
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{write_dataset, Format};
    use crate::synth::{generate_with, Scale, SynthConfig};

    fn world_in(dir: &Path) -> Dataset {
        let cfg = SynthConfig {
            promoters: 40,
            ..SynthConfig::for_scale(Scale::Tiny)
        };
        let ds = generate_with(&cfg, 3).unwrap().dataset;
        write_dataset(&ds, dir, Format::Parquet).unwrap();
        ds
    }

    #[test]
    fn parquet_read_in_chunks_equals_whole_read() {
        let dir = tempfile::tempdir().unwrap();
        world_in(dir.path());
        let files = DataFiles::from_dir(dir.path()).unwrap();
        let whole = read_dataset_chunked(&files, &ReadOptions::default(), usize::MAX).unwrap();
        let n = whole.dataset.orders.len();
        assert!(n > 100, "{n} orders");
        for chunk in [1, 7, n / 3, n] {
            let chunked = read_dataset_chunked(&files, &ReadOptions::default(), chunk).unwrap();
            assert_eq!(chunked.dataset, whole.dataset, "chunks of {chunk} rows");
            assert_eq!(chunked.report, whole.report, "chunks of {chunk} rows");
        }
    }

    #[test]
    fn fault_in_a_later_chunk_names_its_file_row() {
        let dir = tempfile::tempdir().unwrap();
        let ds = world_in(dir.path());
        // Orders again, with a negative amount at 0-based row `bad`.
        let mut orders = ds.orders.clone();
        let bad = orders.len() - 3;
        orders.amount_cents[bad] = -5;
        let with_fault = Dataset {
            orders,
            ..ds.clone()
        };
        let other = tempfile::tempdir().unwrap();
        write_dataset(&with_fault, other.path(), Format::Parquet).unwrap();
        let files = DataFiles::orders(other.path().join("orders.parquet"))
            .with_items(dir.path().join("items.parquet"));
        let err = read_dataset_chunked(&files, &ReadOptions::default(), 5).unwrap_err();
        match err {
            Error::InvalidData { location, message } => {
                assert_eq!(location.row, Some(bad as u64 + 1));
                assert_eq!(location.column.as_deref(), Some("amount"));
                assert_eq!(message, "negative amount -5");
            }
            other => panic!("expected invalid data, got {other:?}"),
        }
        let lenient = read_dataset_chunked(&files, &ReadOptions::lenient(), 5).unwrap();
        assert_eq!(lenient.report.rejects.len(), 1);
        assert_eq!(lenient.report.rejects[0].row, bad as u64 + 1);
        assert_eq!(lenient.dataset.orders.len(), ds.orders.len() - 1);
    }

    #[test]
    fn skipped_columns_are_reported_as_ignored() {
        let dir = tempfile::tempdir().unwrap();
        world_in(dir.path());
        let files = DataFiles::from_dir(dir.path()).unwrap();
        let opts = ReadOptions::default().skipping(["order_id", "buyer_id", "ts"]);
        let loaded = read_dataset_chunked(&files, &opts, 11).unwrap();
        let orders = loaded.report.table(Table::Orders).unwrap();
        assert!(orders.ignored_columns.contains(&"order_id".to_string()));
        assert!(orders.ignored_columns.contains(&"buyer_id".to_string()));
        // A required column is read all the same.
        assert!(!orders.ignored_columns.contains(&"ts".to_string()));
        let o = &loaded.dataset.orders;
        assert!(o.order_id.iter().all(|&i| i == crate::data::NO_ID));
        assert!(o.order_ids.is_empty());
        assert!(o.group.iter().any(|&g| g != crate::data::NO_ID));
    }
}
