//! One input file opened against its table's schema: columns matched by name or
//! alias, required columns checked, the rest listed as ignored.
//!
//! [`TableSource`] reads a file in chunks of rows (Parquet by row slices, so a file of
//! a hundred million orders never sits in memory as one frame; CSV and Arrow IPC in one
//! chunk); each chunk is a [`TableFile`] whose rows the readers walk.

use super::columns::{field, PolarsCells};
use super::csv_scan::{CsvScan, Ragged};
use super::format::Format;
use super::frame::{format_error, read_frame};
use crate::data::ingest::{Col, Columns, Field, Matched, Table};
use crate::error::{Error, Result};
use polars::prelude::{DataFrame, ParquetReader, SerReader};
use std::fs::File;
use std::path::{Path, PathBuf};

/// Rows per chunk when a Parquet file is read in slices: about 4M rows, a few hundred
/// megabytes of cells for an orders file.
pub(crate) const CHUNK_ROWS: usize = 1 << 22;

/// An input file with its schema columns found, read chunk by chunk.
pub(crate) struct TableSource {
    path: PathBuf,
    display: String,
    format: Format,
    schema: &'static [Col],
    /// The file's column names, as in its header.
    names: Vec<String>,
    matched: Matched,
    /// Data rows in the whole file.
    n_rows: usize,
    /// The next chunk's first row.
    next: usize,
    chunk_rows: usize,
    /// CSV and IPC: the whole file, taken by the first chunk.
    whole: Option<DataFrame>,
    /// CSV: blank lines skipped, ragged records (each a row of empty cells in `whole`).
    scan: CsvScan,
}

impl TableSource {
    /// Opens `path` and matches its columns against `schema`, skipping the optional
    /// columns named in `skip`. A Parquet file's cells are not read yet, and are read
    /// `chunk_rows` rows at a time; other formats are read whole.
    ///
    /// # Errors
    /// As `read_frame`, and [`Error::MissingColumn`] listing the columns found when a
    /// required column is absent.
    pub(crate) fn open_chunked(
        path: &Path,
        schema: &'static [Col],
        skip: &[String],
        chunk_rows: usize,
    ) -> Result<Self> {
        let format = Format::from_path(path)?;
        let display = path.display().to_string();
        let (names, n_rows, whole, scan) = if format == Format::Parquet {
            let (names, n_rows) = parquet_header(path)?;
            (names, n_rows, None, CsvScan::default())
        } else {
            let (df, scan) = read_frame(path, format)?;
            let names = df
                .get_column_names()
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>();
            (names, df.height(), Some(df), scan)
        };
        let matched = Matched::new(&display, &names, schema, skip)?;
        Ok(TableSource {
            path: path.to_path_buf(),
            display,
            format,
            schema,
            names,
            matched,
            n_rows,
            next: 0,
            chunk_rows: chunk_rows.max(1),
            whole,
            scan,
        })
    }

    /// Data rows in the whole file.
    pub(crate) fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The path as given, for messages.
    pub(crate) fn display(&self) -> &str {
        &self.display
    }

    pub(crate) fn format(&self) -> Format {
        self.format
    }

    /// File columns not read.
    pub(crate) fn ignored(&self) -> &[String] {
        &self.matched.ignored
    }

    /// Blank lines skipped (CSV).
    pub(crate) fn blank_lines(&self) -> u64 {
        self.scan.blank.len() as u64
    }

    /// [`Error::Empty`] when the file has a header and no data row (blank lines are not
    /// rows).
    pub(crate) fn require_rows(&self, what: &str) -> Result<()> {
        require_rows(&self.display, self.n_rows - self.scan.blank.len(), what)
    }

    /// The next chunk of rows, or `None` after the last.
    ///
    /// # Errors
    /// As `read_frame` for the slice, and [`Error::InvalidData`] naming the column when
    /// its physical type does not fit.
    pub(crate) fn next_chunk(&mut self) -> Result<Option<TableFile>> {
        if let Some(df) = self.whole.take() {
            self.next = self.n_rows;
            let mut t = self.chunk(&df, 0)?;
            t.ragged = std::mem::take(&mut self.scan.ragged);
            t.blank = self.scan.blank.clone();
            return Ok(Some(t));
        }
        if self.next >= self.n_rows || self.format != Format::Parquet {
            return Ok(None);
        }
        let first = self.next;
        let len = self.chunk_rows.min(self.n_rows - first);
        let columns: Vec<String> = self.chosen().flatten().map(str::to_string).collect();
        let file = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        let df = ParquetReader::new(file)
            .with_columns(Some(columns))
            .with_slice(Some((first, len)))
            .finish()
            .map_err(|e| format_error(&self.path, e))?;
        if df.height() != len {
            return Err(Error::Format {
                path: self.path.clone(),
                message: format!(
                    "rows {}..{}: read {} rows, the file's footer promised {len}",
                    first + 1,
                    first + len,
                    df.height()
                ),
            });
        }
        self.next = first + len;
        self.chunk(&df, first).map(Some)
    }

    /// Per schema column: the file column standing for it, trimmed.
    fn chosen(&self) -> impl Iterator<Item = Option<&str>> {
        self.matched
            .positions
            .iter()
            .map(|p| p.and_then(|i| self.names.get(i)).map(|n| n.trim()))
    }

    fn chunk(&self, df: &DataFrame, first_row: usize) -> Result<TableFile> {
        let mut fields = Vec::with_capacity(self.schema.len());
        for (col, name) in self.schema.iter().zip(self.chosen()) {
            let Some(name) = name else {
                fields.push(None);
                continue;
            };
            let column = df
                .columns()
                .iter()
                .find(|c| c.name().trim() == name)
                .ok_or_else(|| Error::MissingColumn {
                    source_name: self.display.clone(),
                    column: col.name.to_string(),
                    found: df
                        .get_column_names()
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            let series = column.as_materialized_series();
            fields.push(Some(field(&self.path, col, series)?));
        }
        Ok(TableFile {
            display: self.display.clone(),
            format: self.format,
            n_rows: df.height(),
            first_row,
            schema: self.schema,
            fields,
            aliases: self.matched.aliases.clone(),
            ignored: self.matched.ignored.clone(),
            ragged: Vec::new(),
            blank: Vec::new(),
        })
    }
}

/// A file header read from a Parquet footer: column names and row count.
fn parquet_header(path: &Path) -> Result<(Vec<String>, usize)> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len == 0 {
        return Err(Error::Empty(format!(
            "{}: file is empty (expected a header row and data rows)",
            path.display()
        )));
    }
    let mut reader = ParquetReader::new(file);
    let schema = reader.schema().map_err(|e| format_error(path, e))?;
    let names = schema.iter_names().map(|n| n.to_string()).collect();
    let n_rows = reader.num_rows().map_err(|e| format_error(path, e))?;
    Ok((names, n_rows))
}

fn require_rows(display: &str, n_rows: usize, what: &str) -> Result<()> {
    if n_rows == 0 {
        return Err(Error::Empty(format!(
            "{display}: no data rows, only a header (expected at least one {what})"
        )));
    }
    Ok(())
}

/// Rows of an input file (the whole file, or one chunk of it) with its schema columns
/// found.
pub(crate) struct TableFile {
    /// The path as given, for messages.
    pub display: String,
    pub format: Format,
    /// Data rows in this chunk.
    pub n_rows: usize,
    /// The file row (0-based) of this chunk's first row.
    pub first_row: usize,
    /// The schema the file was matched against.
    schema: &'static [Col],
    /// Per schema column: its cells, when the file has it.
    fields: Vec<Option<Field<PolarsCells>>>,
    /// Per schema column: the alias the file named it by, if any.
    aliases: Vec<Option<&'static str>>,
    /// File columns not in the schema, in file order.
    pub ignored: Vec<String>,
    /// CSV records whose field count is not the header's, by row (0-based, in this
    /// chunk): their cells are empty and not to be read.
    ragged: Vec<Ragged>,
    /// CSV: the 0-based rows that are blank lines, in order: their cells are empty and
    /// not to be read, and they are not counted as read.
    blank: Vec<usize>,
}

impl TableFile {
    /// Reads the whole of `path` and matches its columns against `schema`.
    ///
    /// # Errors
    /// As `read_frame`, and [`Error::MissingColumn`] listing the columns found when a
    /// required column is absent, [`Error::InvalidData`] naming the column when its
    /// physical type does not fit.
    pub(crate) fn open(path: &Path, schema: &'static [Col]) -> Result<TableFile> {
        let mut source = TableSource::open_chunked(path, schema, &[], usize::MAX)?;
        match source.next_chunk()? {
            Some(t) => Ok(t),
            // A Parquet file with a header and no rows.
            None => Ok(TableFile {
                display: source.display.clone(),
                format: source.format,
                n_rows: 0,
                first_row: 0,
                schema: source.schema,
                fields: Vec::new(),
                aliases: Vec::new(),
                ignored: source.matched.ignored.clone(),
                ragged: Vec::new(),
                blank: Vec::new(),
            }),
        }
    }

    /// The ragged record at 0-based `row` of this chunk, if it is one.
    pub(crate) fn ragged(&self, row: usize) -> Option<&Ragged> {
        if self.ragged.is_empty() {
            return None;
        }
        self.ragged
            .binary_search_by_key(&row, |r| r.row)
            .ok()
            .and_then(|i| self.ragged.get(i))
    }

    /// Whether 0-based `row` of this chunk is a blank line.
    pub(crate) fn is_blank(&self, row: usize) -> bool {
        !self.blank.is_empty() && self.blank.binary_search(&row).is_ok()
    }

    /// Blank lines in this chunk.
    pub(crate) fn blank_lines(&self) -> u64 {
        self.blank.len() as u64
    }

    /// The field for schema column `name`, if the file has it.
    pub(crate) fn field(&self, name: &str) -> Option<&Field<PolarsCells>> {
        let i = self.schema.iter().position(|c| c.name == name)?;
        self.fields.get(i).and_then(Option::as_ref)
    }

    /// The field for a required column (present once `open` succeeded).
    pub(crate) fn required(&self, name: &str) -> Result<&Field<PolarsCells>> {
        self.field(name).ok_or_else(|| Error::MissingColumn {
            source_name: self.display.clone(),
            column: name.to_string(),
            found: String::new(),
        })
    }

    /// The column name to show for schema column `name`: the alias the file used, if any.
    pub(crate) fn shown(&self, name: &'static str) -> &'static str {
        self.schema
            .iter()
            .position(|c| c.name == name)
            .and_then(|i| self.aliases.get(i).copied().flatten())
            .unwrap_or(name)
    }

    /// The cells of this chunk as rows of `table` (whose schema the file was matched
    /// against), leaving this chunk without fields.
    pub(crate) fn take_columns(&mut self, table: Table) -> Result<Columns<PolarsCells>> {
        let fields = std::mem::take(&mut self.fields);
        Columns::new(table, fields, self.aliases.clone())
    }

    /// [`Error::Empty`] when the file has a header and no data row (blank lines are not
    /// rows).
    pub(crate) fn require_rows(&self, what: &str) -> Result<()> {
        require_rows(&self.display, self.n_rows - self.blank.len(), what)
    }
}
