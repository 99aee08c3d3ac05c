//! Typed access to one input column, row by row, with per-row faults.
//!
//! A [`Field`] wraps a polars column of an accepted physical type (text, integer,
//! float, boolean, date-time) and converts each cell to what the schema asks for,
//! returning a [`RowFault`] naming the column when a value does not fit: text that is
//! no number, a fractional price, NaN or infinity, a timestamp before 1970.

use super::schema::{Col, Kind};
use crate::data::time::{check_ts, parse_ts};
use crate::data::RowFault;
use crate::error::{Error, Location, Result};
use polars::prelude::{
    BooleanChunked, DataType, Float64Chunked, Int64Chunked, Series, StringChunked, TimeUnit,
};
use std::borrow::Cow;
use std::path::Path;

/// Seconds per tick of a date-time column, or days.
#[derive(Debug, Clone, Copy)]
enum Ticks {
    PerSecond(i64),
    Days,
}

/// The cells of one column, in one of the physical types accepted.
enum Cells {
    Null,
    Text(StringChunked),
    Int(Int64Chunked),
    Float(Float64Chunked),
    Bool(BooleanChunked),
    Time(Int64Chunked, Ticks),
}

/// One schema column of an input file, ready to be read row by row.
pub(crate) struct Field {
    /// The schema name, used in faults.
    name: &'static str,
    cells: Cells,
    len: usize,
}

fn type_error(path: &Path, col: &Col, dtype: &DataType) -> Error {
    Error::invalid(
        Location::source(path.display().to_string()).column(col.name),
        format!(
            "found column type {dtype}, expected {}",
            col.kind.describe()
        ),
    )
}

fn cast_error(path: &Path, col: &Col, e: polars::prelude::PolarsError) -> Error {
    Error::invalid(
        Location::source(path.display().to_string()).column(col.name),
        format!("cannot convert the column: {e}"),
    )
}

impl Field {
    /// Wraps `series` as schema column `col` of the file at `path`.
    ///
    /// # Errors
    /// [`Error::InvalidData`] naming the file and column when the physical type does not
    /// fit the column's kind (a boolean price, a list of ids, ...).
    pub(crate) fn new(path: &Path, col: &Col, series: &Series) -> Result<Field> {
        let dtype = series.dtype();
        let cast = |to: &DataType| -> Result<Series> {
            series.strict_cast(to).map_err(|e| cast_error(path, col, e))
        };
        let cells = if matches!(dtype, DataType::Null) {
            Cells::Null
        } else if matches!(dtype, DataType::String) {
            let s = series.str().map_err(|e| cast_error(path, col, e))?;
            Cells::Text(s.rechunk().into_owned())
        } else if dtype.is_integer() {
            let s = cast(&DataType::Int64)?;
            Cells::Int(
                s.i64()
                    .map_err(|e| cast_error(path, col, e))?
                    .rechunk()
                    .into_owned(),
            )
        } else if dtype.is_float() {
            let s = cast(&DataType::Float64)?;
            Cells::Float(
                s.f64()
                    .map_err(|e| cast_error(path, col, e))?
                    .rechunk()
                    .into_owned(),
            )
        } else if matches!(dtype, DataType::Boolean) {
            let s = series.bool().map_err(|e| cast_error(path, col, e))?;
            Cells::Bool(s.rechunk().into_owned())
        } else if let DataType::Datetime(unit, _) = dtype {
            let per = match unit {
                TimeUnit::Nanoseconds => 1_000_000_000,
                TimeUnit::Microseconds => 1_000_000,
                TimeUnit::Milliseconds => 1_000,
            };
            let s = series.to_physical_repr().strict_cast(&DataType::Int64);
            let s = s.map_err(|e| cast_error(path, col, e))?;
            let ticks = s
                .i64()
                .map_err(|e| cast_error(path, col, e))?
                .rechunk()
                .into_owned();
            Cells::Time(ticks, Ticks::PerSecond(per))
        } else if matches!(dtype, DataType::Date) {
            let s = series.to_physical_repr().strict_cast(&DataType::Int64);
            let s = s.map_err(|e| cast_error(path, col, e))?;
            let ticks = s
                .i64()
                .map_err(|e| cast_error(path, col, e))?
                .rechunk()
                .into_owned();
            Cells::Time(ticks, Ticks::Days)
        } else {
            return Err(type_error(path, col, dtype));
        };
        let fits = matches!(
            (&cells, col.kind),
            (Cells::Null | Cells::Text(_), _)
                | (
                    Cells::Int(_) | Cells::Float(_),
                    Kind::Id | Kind::Int | Kind::Float | Kind::Ts
                )
                | (Cells::Int(_) | Cells::Bool(_), Kind::Bool)
                | (Cells::Time(..), Kind::Ts)
        );
        if !fits {
            return Err(type_error(path, col, dtype));
        }
        Ok(Field {
            name: col.name,
            cells,
            len: series.len(),
        })
    }

    /// A field whose every cell is text (for tests and CSV).
    #[cfg(test)]
    fn text(name: &'static str, values: &[Option<&str>]) -> Field {
        use polars::prelude::NamedFrom;
        let s = StringChunked::new(name.into(), values);
        Field {
            name,
            len: values.len(),
            cells: Cells::Text(s),
        }
    }

    fn fault(&self, message: impl Into<String>) -> RowFault {
        RowFault::new(self.name, message)
    }

    fn check_row(&self, row: usize) -> Result<(), RowFault> {
        if row < self.len {
            Ok(())
        } else {
            Err(self.fault(format!(
                "row {} is past the end of the column ({} rows)",
                row + 1,
                self.len
            )))
        }
    }

    /// The cell as text: ids and names. Integers become their decimal text, whole
    /// floats too (`17850.0` → `17850`). Empty text is `None`.
    pub(crate) fn id(&self, row: usize) -> Result<Option<Cow<'_, str>>, RowFault> {
        self.check_row(row)?;
        Ok(match &self.cells {
            Cells::Null => None,
            Cells::Bool(_) | Cells::Time(..) => return Err(self.fault("expected text")),
            Cells::Text(c) => c
                .get(row)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Cow::Borrowed),
            Cells::Int(c) => c.get(row).map(|v| Cow::Owned(v.to_string())),
            Cells::Float(c) => match c.get(row) {
                None => None,
                Some(v) => Some(Cow::Owned(whole(v).map_err(|m| self.fault(m))?.to_string())),
            },
        })
    }

    /// The cell as a whole number.
    pub(crate) fn int(&self, row: usize) -> Result<Option<i64>, RowFault> {
        self.check_row(row)?;
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
            Cells::Int(c) => Ok(c.get(row)),
            Cells::Float(c) => c.get(row).map(whole_or_hint).transpose(),
            Cells::Text(c) => match c.get(row).map(str::trim).filter(|s| !s.is_empty()) {
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

    /// The cell as a finite real number.
    pub(crate) fn float(&self, row: usize) -> Result<Option<f64>, RowFault> {
        self.check_row(row)?;
        let v = match &self.cells {
            Cells::Null => None,
            Cells::Int(c) => c.get(row).map(|v| v as f64),
            Cells::Float(c) => c.get(row),
            Cells::Text(c) => match c.get(row).map(str::trim).filter(|s| !s.is_empty()) {
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

    /// The cell as a boolean: `true`/`false`/`1`/`0` (case-insensitive).
    pub(crate) fn bool(&self, row: usize) -> Result<Option<bool>, RowFault> {
        self.check_row(row)?;
        let bad = |s: &str| {
            self.fault(format!(
                "cannot read \"{s}\" as a boolean (expected true, false, 1 or 0)"
            ))
        };
        match &self.cells {
            Cells::Null => Ok(None),
            Cells::Bool(c) => Ok(c.get(row)),
            Cells::Int(c) => match c.get(row) {
                None => Ok(None),
                Some(0) => Ok(Some(false)),
                Some(1) => Ok(Some(true)),
                Some(v) => Err(bad(&v.to_string())),
            },
            Cells::Text(c) => match c.get(row).map(str::trim).filter(|s| !s.is_empty()) {
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

    /// The cell as unix seconds, checked to lie in 1970..2100.
    pub(crate) fn ts(&self, row: usize) -> Result<Option<i64>, RowFault> {
        self.check_row(row)?;
        let secs = match &self.cells {
            Cells::Null => None,
            Cells::Int(c) => c.get(row),
            Cells::Float(c) => c
                .get(row)
                .map(whole)
                .transpose()
                .map_err(|m| self.fault(m))?,
            Cells::Text(c) => match c.get(row).map(str::trim).filter(|s| !s.is_empty()) {
                None => None,
                Some(s) => Some(parse_ts(s).map_err(|m| self.fault(m))?),
            },
            Cells::Time(c, Ticks::PerSecond(per)) => c.get(row).map(|t| t.div_euclid(*per)),
            Cells::Time(c, Ticks::Days) => c.get(row).map(|d| d.saturating_mul(86_400)),
            Cells::Bool(_) => return Err(self.fault("expected a timestamp")),
        };
        secs.map(|t| check_ts(t).map_err(|m| self.fault(m)))
            .transpose()
    }

    /// The cell as a required timestamp.
    pub(crate) fn required_ts(&self, row: usize) -> Result<i64, RowFault> {
        self.ts(row)?.ok_or_else(|| self.fault("missing timestamp"))
    }
}

/// `v` as an `i64` if it is finite and whole, else a message saying why not.
fn whole(v: f64) -> Result<i64, String> {
    crate::error::whole_number(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_convert_with_faults() {
        let f = Field::text(
            "price",
            &[
                Some("12"),
                Some(" 12.0 "),
                Some("12.5"),
                Some("NaN"),
                Some("x"),
                None,
                Some(""),
            ],
        );
        assert_eq!(f.int(0).unwrap(), Some(12));
        assert_eq!(f.int(1).unwrap(), Some(12));
        let m = f.int(2).unwrap_err().message;
        assert_eq!(
            m,
            "12.5 is not a whole number; prices are integer cents (write 1250 for 12.50)"
        );
        assert_eq!(f.int(3).unwrap_err().message, "NaN is not a finite number");
        assert_eq!(
            f.int(4).unwrap_err().message,
            "cannot read \"x\" as an integer"
        );
        assert_eq!(f.int(5).unwrap(), None);
        assert_eq!(f.int(6).unwrap(), None);
        assert!(f.int(7).is_err(), "past the end is a fault, not a panic");
    }

    #[test]
    fn floats_bools_and_times() {
        let f = Field::text("commission_rate", &[Some("0.17"), Some("inf"), Some("nan")]);
        assert_eq!(f.float(0).unwrap(), Some(0.17));
        assert!(f.float(1).unwrap_err().message.contains("not a finite"));
        assert!(f.float(2).unwrap_err().message.contains("not a finite"));
        let b = Field::text("in_stock", &[Some("TRUE"), Some("0"), Some("yes")]);
        assert_eq!(b.bool(0).unwrap(), Some(true));
        assert_eq!(b.bool(1).unwrap(), Some(false));
        assert!(b.bool(2).is_err());
        let t = Field::text("ts", &[Some("2011-10-01"), Some("1700000000000"), None]);
        assert_eq!(t.required_ts(0).unwrap(), 1_317_427_200);
        assert!(t
            .required_ts(1)
            .unwrap_err()
            .message
            .contains("milliseconds"));
        assert_eq!(t.required_ts(2).unwrap_err().message, "missing timestamp");
    }

    #[test]
    fn whole_numbers() {
        assert_eq!(whole(17850.0), Ok(17850));
        assert!(whole(1.5).is_err());
        assert!(whole(f64::INFINITY).is_err());
        assert!(whole(1e19).is_err());
        assert_eq!(whole(1e308), Err("1e308 is too large".to_string()));
    }
}
