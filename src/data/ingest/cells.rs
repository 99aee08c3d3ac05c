//! One input column read cell by cell, whatever stores it.
//!
//! A backend (polars for files, arrow-rs for Python frames, or your own) wraps each
//! column in a type implementing [`Cells`], which hands out the cells of its physical
//! type. [`Field`] converts each cell to what the schema asks for, with one set of
//! rules and messages for every backend: a [`RowFault`] naming the column when a value
//! does not fit (text that is no number, a fractional price, NaN or infinity, a
//! timestamp before 1970).

use super::schema::{Col, Kind};
use crate::data::time::{check_ts, parse_ts_unchecked};
use crate::data::{FaultCode, RowFault};
use crate::error::{Error, Location, Result};
use std::borrow::Cow;
use std::fmt::Display;
use FaultCode::{MissingValue, NotANumber, OutOfRange, Unreadable};

/// How a time column counts: ticks per second (`1` for seconds, `1_000` for
/// milliseconds, ...), or days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ticks {
    /// This many ticks per second.
    PerSecond(i64),
    /// Days since the epoch (a date column).
    Days,
}

/// The physical type a backend stores a column's cells in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Physical {
    /// A column of nulls only (no type).
    Null,
    /// UTF-8 text: served by [`Cells::text`].
    Text,
    /// Whole numbers: served by [`Cells::int`].
    Int,
    /// Real numbers: served by [`Cells::float`].
    Float,
    /// Booleans: served by [`Cells::bool`].
    Bool,
    /// Date-times or dates as integer ticks: served by [`Cells::int`].
    Time(Ticks),
}

/// The cells of one column, as a backend stores them. Only the accessor of the
/// column's [`physical`](Cells::physical) type is called; the others may return
/// `None`. A null cell is `None`.
///
/// # Examples
/// A column of text held in a `Vec`, read as prices:
/// ```
/// use kocrank::data::ingest::{Cells, Col, Field, Kind, Physical};
///
/// struct Texts(Vec<Option<&'static str>>);
/// impl Cells for Texts {
///     fn physical(&self) -> Physical { Physical::Text }
///     fn len(&self) -> usize { self.0.len() }
///     fn text(&self, row: usize) -> Option<&str> { self.0.get(row).copied().flatten() }
///     fn int(&self, _: usize) -> Option<i64> { None }
///     fn float(&self, _: usize) -> Option<f64> { None }
///     fn bool(&self, _: usize) -> Option<bool> { None }
/// }
///
/// let price = Col::optional("price", Kind::Int);
/// let f = Field::new("items", &price, Texts(vec![Some("1999"), Some("12.5")]), "text")?;
/// assert_eq!(f.int(0), Ok(Some(1999)));
/// assert_eq!(
///     f.int(1).unwrap_err().message,
///     "12.5 is not a whole number; prices are integer cents (write 1250 for 12.50)"
/// );
/// # Ok::<(), kocrank::Error>(())
/// ```
pub trait Cells {
    /// The physical type of every cell.
    fn physical(&self) -> Physical;
    /// The number of cells.
    fn len(&self) -> usize;
    /// Whether the column has no cell.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// A text cell.
    fn text(&self, row: usize) -> Option<&str>;
    /// A whole-number cell, or the ticks of a time cell.
    fn int(&self, row: usize) -> Option<i64>;
    /// A real-number cell.
    fn float(&self, row: usize) -> Option<f64>;
    /// A boolean cell.
    fn bool(&self, row: usize) -> Option<bool>;
}

/// One schema column of a source, ready to be read row by row.
pub struct Field<C> {
    /// The schema name, used in faults.
    name: &'static str,
    physical: Physical,
    cells: C,
}

/// Whether cells of type `p` can hold a column of kind `k`.
fn fits(p: Physical, k: Kind) -> bool {
    use Physical as P;
    matches!(
        (p, k),
        (P::Null | P::Text, _)
            | (
                P::Int | P::Float,
                Kind::Id | Kind::Int | Kind::Float | Kind::Ts
            )
            | (P::Int | P::Bool, Kind::Bool)
            | (P::Time(_), Kind::Ts)
    )
}

impl<C: Cells> Field<C> {
    /// Wraps `cells` as schema column `col` of `source`; `dtype` is the backend's name
    /// for the cells' type, for the message.
    ///
    /// # Errors
    /// [`Error::InvalidData`] naming the source and column when the physical type does
    /// not fit the column's kind (a boolean price, a date as an item id, ...).
    pub fn new(source: &str, col: &Col, cells: C, dtype: impl Display) -> Result<Field<C>> {
        let physical = cells.physical();
        if !fits(physical, col.kind) {
            return Err(Error::invalid(
                Location::source(source).column(col.name),
                format!(
                    "found column type {dtype}, expected {}",
                    col.kind.describe()
                ),
            ));
        }
        Ok(Field {
            name: col.name,
            physical,
            cells,
        })
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether the column has no cell.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The schema name of the column.
    pub fn name(&self) -> &'static str {
        self.name
    }

    fn text_at(&self, row: usize) -> Option<&str> {
        self.cells
            .text(row)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    fn fault(&self, code: FaultCode, message: impl Into<String>) -> RowFault {
        RowFault::new(self.name, code, message)
    }

    fn check_row(&self, row: usize) -> Result<(), RowFault> {
        if row < self.cells.len() {
            Ok(())
        } else {
            Err(self.fault(
                FaultCode::Invalid,
                format!(
                    "row {} is past the end of the column ({} rows)",
                    row + 1,
                    self.cells.len()
                ),
            ))
        }
    }

    /// The cell as text: ids and names. Integers become their decimal text, whole
    /// floats too (`17850.0` → `17850`). Empty text is `None`.
    pub fn id(&self, row: usize) -> Result<Option<Cow<'_, str>>, RowFault> {
        self.check_row(row)?;
        Ok(match self.physical {
            Physical::Null => None,
            Physical::Bool | Physical::Time(_) => {
                return Err(self.fault(Unreadable, "expected text"))
            }
            Physical::Text => self.text_at(row).map(Cow::Borrowed),
            Physical::Int => self.cells.int(row).map(|v| Cow::Owned(v.to_string())),
            Physical::Float => match self.cells.float(row) {
                None => None,
                Some(v) => Some(Cow::Owned(
                    whole(v).map_err(|m| self.fault(NotANumber, m))?.to_string(),
                )),
            },
        })
    }

    /// The cell as a whole number.
    pub fn int(&self, row: usize) -> Result<Option<i64>, RowFault> {
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
                    self.fault(
                        NotANumber,
                        format!("{m}; {what} are integer cents (write {c} for {v:.2})"),
                    )
                }
                _ => self.fault(NotANumber, m),
            })
        };
        match self.physical {
            Physical::Null => Ok(None),
            Physical::Int => Ok(self.cells.int(row)),
            Physical::Float => self.cells.float(row).map(whole_or_hint).transpose(),
            Physical::Text => {
                match self.text_at(row) {
                    None => Ok(None),
                    Some(s) => match s.parse::<i64>() {
                        Ok(v) => Ok(Some(v)),
                        Err(_) => match s.parse::<f64>() {
                            Ok(v) => whole_or_hint(v).map(Some),
                            Err(_) => Err(self
                                .fault(Unreadable, format!("cannot read \"{s}\" as an integer"))),
                        },
                    },
                }
            }
            Physical::Bool | Physical::Time(_) => {
                Err(self.fault(Unreadable, "expected an integer"))
            }
        }
    }

    /// The cell as a finite real number.
    pub fn float(&self, row: usize) -> Result<Option<f64>, RowFault> {
        self.check_row(row)?;
        let v = match self.physical {
            Physical::Null => None,
            Physical::Int => self.cells.int(row).map(|v| v as f64),
            Physical::Float => self.cells.float(row),
            Physical::Text => match self.text_at(row) {
                None => None,
                Some(s) => Some(s.parse::<f64>().map_err(|_| {
                    self.fault(Unreadable, format!("cannot read \"{s}\" as a number"))
                })?),
            },
            Physical::Bool | Physical::Time(_) => {
                return Err(self.fault(Unreadable, "expected a number"))
            }
        };
        match v {
            Some(v) if !v.is_finite() => {
                Err(self.fault(NotANumber, format!("{v} is not a finite number")))
            }
            v => Ok(v),
        }
    }

    /// The cell as a boolean: `true`/`false`/`1`/`0` (case-insensitive).
    pub fn bool(&self, row: usize) -> Result<Option<bool>, RowFault> {
        self.check_row(row)?;
        let bad = |s: &str| {
            self.fault(
                Unreadable,
                format!("cannot read \"{s}\" as a boolean (expected true, false, 1 or 0)"),
            )
        };
        match self.physical {
            Physical::Null => Ok(None),
            Physical::Bool => Ok(self.cells.bool(row)),
            Physical::Int => match self.cells.int(row) {
                None => Ok(None),
                Some(0) => Ok(Some(false)),
                Some(1) => Ok(Some(true)),
                Some(v) => Err(bad(&v.to_string())),
            },
            Physical::Text => match self.text_at(row) {
                None => Ok(None),
                Some(s) => match s.to_ascii_lowercase().as_str() {
                    "true" | "1" => Ok(Some(true)),
                    "false" | "0" => Ok(Some(false)),
                    _ => Err(bad(s)),
                },
            },
            Physical::Float | Physical::Time(_) => {
                Err(self.fault(Unreadable, "expected a boolean"))
            }
        }
    }

    /// The cell as unix seconds, checked to lie in 1970..2100.
    pub fn ts(&self, row: usize) -> Result<Option<i64>, RowFault> {
        self.check_row(row)?;
        let secs = match self.physical {
            Physical::Null => None,
            Physical::Int => self.cells.int(row),
            Physical::Float => self
                .cells
                .float(row)
                .map(whole)
                .transpose()
                .map_err(|m| self.fault(NotANumber, m))?,
            Physical::Text => match self.text_at(row) {
                None => None,
                Some(s) => Some(parse_ts_unchecked(s).map_err(|m| self.fault(Unreadable, m))?),
            },
            Physical::Time(Ticks::PerSecond(per)) => {
                self.cells.int(row).map(|t| t.div_euclid(per.max(1)))
            }
            Physical::Time(Ticks::Days) => self.cells.int(row).map(|d| d.saturating_mul(86_400)),
            Physical::Bool => return Err(self.fault(Unreadable, "expected a timestamp")),
        };
        secs.map(|t| check_ts(t).map_err(|m| self.fault(OutOfRange, m)))
            .transpose()
    }

    /// The cell as a required timestamp.
    pub fn required_ts(&self, row: usize) -> Result<i64, RowFault> {
        self.ts(row)?
            .ok_or_else(|| self.fault(MissingValue, "missing timestamp"))
    }
}

/// `v` as an `i64` if it is finite and whole, else a message saying why not.
fn whole(v: f64) -> Result<i64, String> {
    crate::error::whole_number(v)
}

/// Text cells in memory: a column of optional strings (tests, small tables, rows built
/// in Rust).
impl Cells for Vec<Option<String>> {
    fn physical(&self) -> Physical {
        Physical::Text
    }
    fn len(&self) -> usize {
        self.as_slice().len()
    }
    fn text(&self, row: usize) -> Option<&str> {
        self.get(row).and_then(Option::as_deref)
    }
    fn int(&self, _: usize) -> Option<i64> {
        None
    }
    fn float(&self, _: usize) -> Option<f64> {
        None
    }
    fn bool(&self, _: usize) -> Option<bool> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(name: &'static str, values: &[Option<&str>]) -> Field<Vec<Option<String>>> {
        let cells: Vec<Option<String>> = values.iter().map(|v| v.map(String::from)).collect();
        let col = Col::optional(name, Kind::Text);
        Field::new("test", &col, cells, "text").unwrap()
    }

    #[test]
    fn text_cells_convert_with_faults() {
        let f = text(
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
        let f = text("commission_rate", &[Some("0.17"), Some("inf"), Some("nan")]);
        assert_eq!(f.float(0).unwrap(), Some(0.17));
        assert!(f.float(1).unwrap_err().message.contains("not a finite"));
        assert!(f.float(2).unwrap_err().message.contains("not a finite"));
        let b = text("in_stock", &[Some("TRUE"), Some("0"), Some("yes")]);
        assert_eq!(b.bool(0).unwrap(), Some(true));
        assert_eq!(b.bool(1).unwrap(), Some(false));
        assert!(b.bool(2).is_err());
        let t = text("ts", &[Some("2011-10-01"), Some("1700000000000"), None]);
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
