//! The one error type of kocrank.
//!
//! Every message says what was found, where (file, row, column or id) and what was
//! expected, in the form `orders.csv: row 17, column "item_id": unknown item "SKU-991"`.

use std::fmt;
use std::path::PathBuf;

/// `Result` with [`Error`] as the error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where a piece of bad data sits: a source (file path or table name), and optionally a
/// row (1-based, counting data rows after the header, as a user sees them) and a column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// File path or table name, e.g. `orders.csv` or `items`.
    pub source: String,
    /// 1-based data row, if the fault is in one row.
    pub row: Option<u64>,
    /// Column name, if the fault is in one column.
    pub column: Option<String>,
}

impl Location {
    /// A location naming only a source.
    pub fn source(source: impl Into<String>) -> Self {
        Location {
            source: source.into(),
            row: None,
            column: None,
        }
    }

    /// This location narrowed to a 1-based row.
    #[must_use]
    pub fn row(mut self, row: u64) -> Self {
        self.row = Some(row);
        self
    }

    /// This location narrowed to a column.
    #[must_use]
    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(row) = self.row {
            write!(f, ": row {row}")?;
        }
        if let Some(col) = &self.column {
            if self.row.is_some() {
                write!(f, ", column \"{col}\"")?;
            } else {
                write!(f, ": column \"{col}\"")?;
            }
        }
        Ok(())
    }
}

/// Everything that can go wrong in kocrank.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An operating-system error while reading or writing a file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A value in the input data breaks the schema or a rule of the data model.
    #[error("{location}: {message}")]
    InvalidData {
        /// Where the bad value is.
        location: Location,
        /// What was found and what was expected.
        message: String,
    },

    /// A CSV record whose field count is not the header's (a field too many or too
    /// few), that opens a quote it never closes, or whose quoted field has text after
    /// its closing quote. In lenient mode the row is
    /// rejected instead, and the rest of the file loads.
    #[error("{source_name}: row {row}: {message}")]
    RaggedRow {
        /// The file, as given.
        source_name: String,
        /// The 1-based data row (records after the header, blank lines included).
        row: u64,
        /// The 1-based line of the file where the record starts (the header is line 1).
        line: u64,
        /// Fields found in the record.
        found: usize,
        /// Fields in the header.
        expected: usize,
        /// What was found and what was expected, naming the line.
        message: String,
    },

    /// A required column is absent from an input table.
    #[error("{source_name}: missing required column \"{column}\" (found: {found})")]
    MissingColumn {
        /// File path or table name.
        source_name: String,
        /// The column that is required.
        column: String,
        /// The columns that were there, comma-separated.
        found: String,
    },

    /// A configuration value breaks one of its rules.
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),

    /// A request to the ranker, or an argument of a call, is malformed.
    #[error("invalid rank request: field \"{field}\": {message}")]
    InvalidRequest {
        /// The request field at fault.
        field: &'static str,
        /// What was wrong.
        message: String,
    },

    /// An id that the model or dataset does not know.
    #[error("unknown {kind} \"{id}\"{hint}")]
    UnknownId {
        /// What kind of id: `item`, `promoter`, ...
        kind: &'static str,
        /// The id as given.
        id: String,
        /// Extra advice, starting with `; ` or empty.
        hint: String,
    },

    /// A model file written by an incompatible version of kocrank.
    #[error(
        "{}: model file format version {found} is not supported (this build reads versions {oldest}..={newest}); retrain the model or use a matching kocrank",
        path.display()
    )]
    IncompatibleModel {
        /// The model file.
        path: PathBuf,
        /// The version the file holds.
        found: u32,
        /// Oldest version this build reads.
        oldest: u32,
        /// Newest version this build reads (and writes).
        newest: u32,
    },

    /// A model file that is truncated, corrupted or not a model file at all.
    #[error("{}: corrupt model file: {message}", path.display())]
    CorruptModel {
        /// The model file.
        path: PathBuf,
        /// What check failed.
        message: String,
    },

    /// An operation that needs data found none (e.g. training on zero orders).
    #[error("{0}")]
    Empty(String),

    /// An operation that needs another kind of model (similar items from a
    /// popularity model, a γ sweep of a model that is not a blend).
    #[error("{operation} needs {needs}; this model is {found}")]
    WrongModel {
        /// What was asked, e.g. `a γ sweep`.
        operation: &'static str,
        /// The kinds of model that can do it.
        needs: &'static str,
        /// The model's kind.
        found: &'static str,
    },

    /// A fit whose matrices would not fit in memory or time as configured; the message
    /// says which setting to change.
    #[error("{0}")]
    TooLarge(String),

    /// A fit that broke down numerically (diverged, a singular system, a feature that
    /// is not finite); the message says which setting to change.
    #[error("{model}: {message}")]
    FitFailed {
        /// The model or learner that failed, e.g. `iALS`.
        model: &'static str,
        /// What broke and what to change.
        message: String,
    },

    /// A broken internal invariant: a bug in kocrank, whatever the input. Please report
    /// it with the message.
    #[error("internal error (please report it): {0}")]
    Internal(String),

    /// A long call stopped because its caller set the cancel flag
    /// ([`crate::train_with`]); the message says what was under way. Never returned
    /// while the flag stays unset.
    #[error("cancelled: {0}")]
    Cancelled(String),

    /// An error raised by the file-format layer (polars), with the file it concerns.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file involved.
        path: PathBuf,
        /// The underlying message.
        message: String,
    },
}

impl Error {
    /// Shorthand for [`Error::InvalidData`].
    pub fn invalid(location: Location, message: impl Into<String>) -> Self {
        Error::InvalidData {
            location,
            message: message.into(),
        }
    }

    /// Shorthand for [`Error::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// A configuration value outside its allowed range; one variant per rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A number must be finite and within a range.
    #[error("{field} = {value} is outside {range}")]
    OutOfRange {
        /// Dotted path of the field, e.g. `baseline.quality_weight`.
        field: &'static str,
        /// The value given.
        value: f64,
        /// The allowed range, as text.
        range: &'static str,
    },
    /// Two settings that cannot be used together.
    #[error("{0}")]
    Conflict(String),
    /// A config file that does not parse.
    #[error("{path}: {message}")]
    Parse {
        /// The config file.
        path: String,
        /// The parser's message.
        message: String,
    },
}

/// A number as messages show it: as Rust writes it for everyday magnitudes, and in
/// scientific notation from 1e16 up (or below 1e-6), so that `1e308` reads as `1e308`
/// and not as a 309-digit integer.
///
/// ```
/// use kocrank::error::compact_number;
/// assert_eq!(compact_number(1e308), "1e308");
/// assert_eq!(compact_number(-2.5e20), "-2.5e20");
/// assert_eq!(compact_number(1999.0), "1999");
/// assert_eq!(compact_number(0.17), "0.17");
/// assert_eq!(compact_number(f64::NAN), "NaN");
/// ```
pub fn compact_number(v: f64) -> String {
    let a = v.abs();
    if v.is_finite() && (a >= 1e16 || (a > 0.0 && a < 1e-6)) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// `v` as an `i64` when it is finite, whole and within range, else the message that
/// says why not, with `v` shown by [`compact_number`]. The one rule for a whole number
/// read from a float cell (ids, prices, counts, timestamps), in files and frames alike.
///
/// # Examples
/// ```
/// use kocrank::error::whole_number;
/// assert_eq!(whole_number(17850.0), Ok(17850));
/// assert_eq!(whole_number(12.5), Err("12.5 is not a whole number".to_string()));
/// assert_eq!(whole_number(1e308), Err("1e308 is too large".to_string()));
/// assert_eq!(whole_number(f64::NAN), Err("NaN is not a finite number".to_string()));
/// ```
pub fn whole_number(v: f64) -> Result<i64, String> {
    let shown = compact_number(v);
    if !v.is_finite() {
        Err(format!("{shown} is not a finite number"))
    } else if v.fract() != 0.0 {
        Err(format!("{shown} is not a whole number"))
    } else if v.abs() >= 9.2e18 {
        Err(format!("{shown} is too large"))
    } else {
        Ok(v as i64)
    }
}

/// Returns `Err(ConfigError::OutOfRange)` unless `lo <= value <= hi` and `value` is finite.
pub(crate) fn check_range(
    field: &'static str,
    value: f64,
    lo: f64,
    hi: f64,
    range: &'static str,
) -> Result<(), ConfigError> {
    if value.is_finite() && value >= lo && value <= hi {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange {
            field,
            value,
            range,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_formats_like_the_style_guide() {
        let loc = Location::source("orders.csv")
            .row(1842)
            .column("commission_rate");
        let e = Error::invalid(
            loc,
            "1.7 is outside [0, 1]; rates are fractions (write 0.17)",
        );
        assert_eq!(
            e.to_string(),
            "orders.csv: row 1842, column \"commission_rate\": 1.7 is outside [0, 1]; rates are fractions (write 0.17)"
        );
        let e = Error::invalid(Location::source("items").column("price"), "x");
        assert_eq!(e.to_string(), "items: column \"price\": x");
    }

    #[test]
    fn huge_numbers_are_short() {
        assert_eq!(compact_number(1e308), "1e308");
        assert_eq!(compact_number(9.2e18), "9.2e18");
        assert_eq!(compact_number(12.5), "12.5");
        assert_eq!(compact_number(1e-9), "1e-9");
        assert!(compact_number(f64::MAX).len() < 30);
    }

    #[test]
    fn check_range_rejects_nan_and_bounds() {
        assert!(check_range("a", f64::NAN, 0.0, 1.0, "[0, 1]").is_err());
        assert!(check_range("a", 1.5, 0.0, 1.0, "[0, 1]").is_err());
        assert!(check_range("a", 0.5, 0.0, 1.0, "[0, 1]").is_ok());
    }
}
