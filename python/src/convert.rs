//! Conversions at the boundary: Arrow tables out as polars or pyarrow frames, Python
//! values into kocrank's JSON-shaped settings, times and durations.

use crate::errors::{value_error, IntoPy};
use arrow_array::RecordBatch;
use kocrank::data::time::{check_ts, parse_duration, parse_ts};
use kocrank::{Dataset, Error};
use pyo3::prelude::*;
use pyo3::types::PyString;
use pyo3_arrow::PyTable;

/// `batch` as a polars DataFrame (`frame="polars"`), a pyarrow Table
/// (`frame="pyarrow"`) or a pandas DataFrame (`frame="pandas"`, through pyarrow's
/// `Table.to_pandas`), handed over through the Arrow C stream interface.
pub fn frame_out<'py>(
    py: Python<'py>,
    batch: RecordBatch,
    frame: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let schema = batch.schema();
    let table = PyTable::try_new(vec![batch], schema)?;
    match frame {
        "polars" => {
            let table = Bound::new(py, table)?;
            py.import("polars")?.getattr("DataFrame")?.call1((table,))
        }
        "pyarrow" => table.into_pyarrow(py),
        "pandas" => table.into_pyarrow(py)?.call_method0("to_pandas"),
        other => Err(value_error(
            "InvalidRequestError",
            format!("frame=\"{other}\" is not one of \"polars\", \"pyarrow\", \"pandas\""),
        )),
    }
}

/// A Python object as JSON text, through the standard `json` module.
pub fn to_json(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<String> {
    py.import("json")?
        .call_method1("dumps", (obj,))?
        .extract::<String>()
}

/// A JSON value as a Python object, through the standard `json` module.
pub fn from_json<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// Unix seconds from an ISO-8601 text, which may end in a UTC offset (`Z`,
/// `+08:00`, `-0530`, `+08`), or from unix seconds as text. Text without an offset is
/// UTC. The core's parser, which the file readers share.
///
/// # Errors
/// The core parser's message for text that is neither, or an offset out of range.
pub fn parse_time(text: &str) -> std::result::Result<i64, String> {
    parse_ts(text)
}

/// Unix seconds from an int, an ISO-8601 string (with or without a UTC offset), or a
/// `datetime.date` / `datetime.datetime`: a timezone-aware datetime is the instant it
/// names; a naive one, a date and text without an offset are read as UTC.
pub fn timestamp(value: &Bound<'_, PyAny>, field: &'static str) -> PyResult<i64> {
    if value.is_instance_of::<pyo3::types::PyBool>() {
        return Err(value_error(
            "InvalidRequestError",
            format!("{field}: expected unix seconds, an ISO-8601 string or a date, found bool"),
        ));
    }
    if let Ok(t) = value.extract::<i64>() {
        return kocrank::data::time::check_ts(t)
            .map_err(|message| Error::InvalidRequest { field, message })
            .py_err();
    }
    let aware = value.hasattr("utcoffset")?
        && !value.call_method0("utcoffset")?.is_none()
        && value.hasattr("timestamp")?;
    if aware {
        // The instant itself: `datetime.timestamp()` applies the offset (and any DST rule).
        let secs: f64 = value.call_method0("timestamp")?.extract()?;
        return kocrank::error::whole_number(secs.floor())
            .and_then(check_ts)
            .map_err(|message| Error::InvalidRequest { field, message })
            .py_err();
    }
    let text = if let Ok(s) = value.cast::<PyString>() {
        s.to_string()
    } else if value.hasattr("isoformat")? {
        // date and naive datetime: "2025-05-31" or "2025-05-31T00:00:00", read as UTC.
        value.call_method0("isoformat")?.extract::<String>()?
    } else {
        return Err(value_error(
            "InvalidRequestError",
            format!(
                "{field}: expected unix seconds, an ISO-8601 string or a date, found {}",
                value.get_type().name()?
            ),
        ));
    };
    parse_time(&text)
        .map_err(|message| Error::InvalidRequest { field, message })
        .py_err()
}

/// Seconds from an int, a duration string (`30d`, `12h`) or a `datetime.timedelta`.
pub fn duration(value: &Bound<'_, PyAny>, field: &'static str) -> PyResult<i64> {
    if let Ok(t) = value.extract::<i64>() {
        if t <= 0 {
            return Err(value_error(
                "InvalidRequestError",
                format!("{field}: {t} s is not a positive duration"),
            ));
        }
        return Ok(t);
    }
    if let Ok(s) = value.cast::<PyString>() {
        return parse_duration(&s.to_string())
            .map_err(|message| Error::InvalidRequest { field, message })
            .py_err();
    }
    if value.hasattr("total_seconds")? {
        let secs: f64 = value.call_method0("total_seconds")?.extract()?;
        if secs.is_finite() && secs >= 1.0 {
            return Ok(secs as i64);
        }
        return Err(value_error(
            "InvalidRequestError",
            format!("{field}: {secs} s is not a positive duration"),
        ));
    }
    Err(value_error(
        "InvalidRequestError",
        format!(
            "{field}: expected seconds, a duration such as \"30d\" or a timedelta, found {}",
            value.get_type().name()?
        ),
    ))
}

/// The split time `auto` stands for: the last `window` of the data, ending at the
/// first midnight UTC after its last order (as the command line's `--split-at auto`).
pub fn auto_split(ds: &Dataset, window: i64) -> kocrank::Result<i64> {
    ds.last_window_start(window)
}
