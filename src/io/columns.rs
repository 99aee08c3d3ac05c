//! Polars columns as [`Cells`]: the file readers' backend for the one ingest in
//! [`crate::data::ingest`].

use crate::data::ingest::{Cells, Col, Field, Physical, Ticks};
use crate::error::{Error, Location, Result};
use polars::prelude::{
    BooleanChunked, DataType, Float64Chunked, Int64Chunked, Series, StringChunked, TimeUnit,
};
use std::path::Path;

/// The cells of one polars column, in one of the physical types accepted.
pub(crate) enum PolarsCells {
    Null(usize),
    Text(StringChunked),
    Int(Int64Chunked),
    Float(Float64Chunked),
    Bool(BooleanChunked),
    Time(Int64Chunked, Ticks),
}

impl Cells for PolarsCells {
    fn physical(&self) -> Physical {
        match self {
            PolarsCells::Null(_) => Physical::Null,
            PolarsCells::Text(_) => Physical::Text,
            PolarsCells::Int(_) => Physical::Int,
            PolarsCells::Float(_) => Physical::Float,
            PolarsCells::Bool(_) => Physical::Bool,
            PolarsCells::Time(_, t) => Physical::Time(*t),
        }
    }

    fn len(&self) -> usize {
        match self {
            PolarsCells::Null(n) => *n,
            PolarsCells::Text(c) => c.len(),
            PolarsCells::Int(c) | PolarsCells::Time(c, _) => c.len(),
            PolarsCells::Float(c) => c.len(),
            PolarsCells::Bool(c) => c.len(),
        }
    }

    fn text(&self, row: usize) -> Option<&str> {
        match self {
            PolarsCells::Text(c) => c.get(row),
            _ => None,
        }
    }

    fn int(&self, row: usize) -> Option<i64> {
        match self {
            PolarsCells::Int(c) | PolarsCells::Time(c, _) => c.get(row),
            _ => None,
        }
    }

    fn float(&self, row: usize) -> Option<f64> {
        match self {
            PolarsCells::Float(c) => c.get(row),
            _ => None,
        }
    }

    fn bool(&self, row: usize) -> Option<bool> {
        match self {
            PolarsCells::Bool(c) => c.get(row),
            _ => None,
        }
    }
}

fn cast_error(path: &Path, col: &Col, e: polars::prelude::PolarsError) -> Error {
    Error::invalid(
        Location::source(path.display().to_string()).column(col.name),
        format!("cannot convert the column: {e}"),
    )
}

/// Wraps `series` as schema column `col` of the file at `path`.
///
/// # Errors
/// [`Error::InvalidData`] naming the file and column when the physical type does not
/// fit the column's kind (a boolean price, a list of ids, ...).
pub(crate) fn field(path: &Path, col: &Col, series: &Series) -> Result<Field<PolarsCells>> {
    let dtype = series.dtype();
    let source = path.display().to_string();
    let err = |e| cast_error(path, col, e);
    let ticks = |s: Series| -> Result<Int64Chunked> {
        let s = s
            .to_physical_repr()
            .strict_cast(&DataType::Int64)
            .map_err(err)?;
        Ok(s.i64().map_err(err)?.rechunk().into_owned())
    };
    let cells = if matches!(dtype, DataType::Null) {
        PolarsCells::Null(series.len())
    } else if matches!(dtype, DataType::String) {
        PolarsCells::Text(series.str().map_err(err)?.rechunk().into_owned())
    } else if dtype.is_integer() {
        let s = series.strict_cast(&DataType::Int64).map_err(err)?;
        PolarsCells::Int(s.i64().map_err(err)?.rechunk().into_owned())
    } else if dtype.is_float() {
        let s = series.strict_cast(&DataType::Float64).map_err(err)?;
        PolarsCells::Float(s.f64().map_err(err)?.rechunk().into_owned())
    } else if matches!(dtype, DataType::Boolean) {
        PolarsCells::Bool(series.bool().map_err(err)?.rechunk().into_owned())
    } else if let DataType::Datetime(unit, _) = dtype {
        let per = match unit {
            TimeUnit::Nanoseconds => 1_000_000_000,
            TimeUnit::Microseconds => 1_000_000,
            TimeUnit::Milliseconds => 1_000,
        };
        PolarsCells::Time(ticks(series.clone())?, Ticks::PerSecond(per))
    } else if matches!(dtype, DataType::Date) {
        PolarsCells::Time(ticks(series.clone())?, Ticks::Days)
    } else {
        return Err(Error::invalid(
            Location::source(source).column(col.name),
            format!(
                "found column type {dtype}, expected {}",
                col.kind.describe()
            ),
        ));
    };
    Field::new(&source, col, cells, dtype)
}
