//! `kocrank.Dataset`: validated catalogue, promoters, orders and shares.

use crate::convert::{auto_split, duration, frame_out, timestamp};
use crate::errors::IntoPy;
use crate::frames::{batch_of, read_frames, Frames, Reject};
use arrow_array::{ArrayRef, Int64Array, StringArray};
use kocrank::synth::{self, Scale};
use kocrank::{Dataset, Error};
use pyo3::prelude::*;
use pyo3::types::PyString;
use pyo3_arrow::input::AnyRecordBatch;
use std::sync::Arc;

/// A validated dataset: the item catalogue, the promoters, the order log and the
/// share log, with dense indices inside and the external string ids at the edges.
///
/// Make one with :func:`kocrank.generate` (a synthetic world) or
/// :meth:`Dataset.from_frames` (polars, pyarrow or pandas frames); split it in time
/// with :meth:`Dataset.split`.
#[pyclass(module = "kocrank._kocrank", name = "Dataset", frozen)]
pub struct PyDataset {
    pub inner: Arc<Dataset>,
    rejects: Vec<Reject>,
}

impl PyDataset {
    pub fn new(inner: Dataset) -> Self {
        PyDataset {
            inner: Arc::new(inner),
            rejects: Vec::new(),
        }
    }
}

fn reader(
    obj: Option<&Bound<'_, PyAny>>,
    name: &str,
) -> PyResult<Option<Box<dyn arrow_array::RecordBatchReader + Send>>> {
    let Some(obj) = obj else { return Ok(None) };
    if obj.is_none() {
        return Ok(None);
    }
    // pandas' own export turns NaN into null (a missing value); keep NaN a bad value.
    let is_pandas = obj
        .get_type()
        .module()
        .is_ok_and(|m| m.to_string().starts_with("pandas"));
    let converted;
    let obj = if is_pandas && obj.hasattr("columns")? {
        converted = obj
            .py()
            .import("kocrank._pandas")?
            .call_method1("to_arrow", (obj,))?;
        &converted
    } else {
        obj
    };
    let input: AnyRecordBatch = obj.extract().map_err(|e| {
        crate::errors::value_error(
            "InvalidDataError",
            format!(
                "{name}: expected a frame with the Arrow C stream interface (polars, pyarrow or pandas), found {}: {e}",
                obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ),
        )
    })?;
    Ok(Some(input.into_reader()?))
}

#[pymethods]
impl PyDataset {
    /// Builds a dataset from frames, validating every row.
    ///
    /// Parameters
    /// ----------
    /// orders : frame
    ///     ``promoter_id, item_id, ts`` and optionally ``order_id, buyer_id,
    ///     group_id, quantity, amount, status`` (``user_id`` and ``timestamp`` are
    ///     accepted for ``promoter_id`` and ``ts``). ``ts`` is unix seconds, ISO-8601
    ///     text, a date or a datetime.
    /// items : frame, optional
    ///     ``item_id`` and optionally ``category, brand, price`` (integer cents),
    ///     ``reviews_positive, reviews_total, commission_rate`` (a fraction in [0, 1]),
    ///     ``seller, in_stock, listed_at``. When given, every order must name one of
    ///     its items; otherwise items are made from the orders with neutral defaults.
    /// promoters : frame, optional
    ///     ``promoter_id`` and optionally ``channel, city_tier, joined_at,
    ///     inviter_id``.
    /// shares : frame, optional
    ///     ``promoter_id, item_id, ts`` and optionally ``group_id``.
    /// strict : bool, default True
    ///     Stop at the first bad row (a ``ValueError`` naming table, row and column).
    ///     With ``strict=False`` bad rows are left out and listed in
    ///     :attr:`Dataset.rejects`.
    ///
    /// Any object with ``__arrow_c_stream__`` is read without a Python object per
    /// row: polars and pyarrow frames, pandas frames (pandas >= 2.2).
    ///
    /// Raises
    /// ------
    /// InvalidDataError
    ///     (a ``ValueError``) for a missing column, a column of the wrong type, or a
    ///     bad row in strict mode; the message names the column.
    /// EmptyDataError
    ///     when no order row is accepted.
    #[staticmethod]
    #[pyo3(signature = (orders, items=None, promoters=None, shares=None, *, strict=true))]
    fn from_frames(
        py: Python<'_>,
        orders: &Bound<'_, PyAny>,
        items: Option<&Bound<'_, PyAny>>,
        promoters: Option<&Bound<'_, PyAny>>,
        shares: Option<&Bound<'_, PyAny>>,
        strict: bool,
    ) -> PyResult<PyDataset> {
        let frames = Frames {
            orders: reader(Some(orders), "orders")?.ok_or_else(|| {
                crate::errors::value_error("InvalidDataError", "orders: a frame is required".into())
            })?,
            items: reader(items, "items")?,
            promoters: reader(promoters, "promoters")?,
            shares: reader(shares, "shares")?,
        };
        let loaded = py.detach(|| read_frames(frames, strict)).py_err()?;
        Ok(PyDataset {
            inner: Arc::new(loaded.dataset),
            rejects: loaded.rejects,
        })
    }

    /// Splits the orders in time: those before ``at`` train, those in
    /// ``[at, at + window)`` test.
    ///
    /// Parameters
    /// ----------
    /// at : int, str, date or datetime, default "auto"
    ///     The split time: unix seconds, ISO-8601 text, a date or datetime (naive
    ///     ones are UTC), or ``"auto"`` for the last ``window`` of the data.
    /// window : int, str or timedelta, default "30d"
    ///     The test window: seconds, ``"30d"``, ``"12h"`` or a timedelta.
    ///
    /// Returns
    /// -------
    /// tuple[Dataset, Dataset]
    ///     ``(train, test)``. Nothing at or after ``at`` is in ``train``.
    #[pyo3(signature = (at=None, window=None))]
    fn split(
        &self,
        at: Option<&Bound<'_, PyAny>>,
        window: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(PyDataset, PyDataset)> {
        let window = match window {
            Some(w) if !w.is_none() => duration(w, "window")?,
            _ => 30 * 86_400,
        };
        let is_auto = |a: &Bound<'_, PyAny>| {
            a.is_none()
                || a.cast::<PyString>()
                    .is_ok_and(|s| s.to_string().eq_ignore_ascii_case("auto"))
        };
        let at = match at {
            Some(a) if !is_auto(a) => timestamp(a, "at")?,
            _ => auto_split(&self.inner, window).py_err()?,
        };
        let split = self.inner.split(at, window).py_err()?;
        Ok((PyDataset::new(split.train), PyDataset::new(split.test)))
    }

    /// Number of items in the catalogue.
    #[getter]
    fn n_items(&self) -> usize {
        self.inner.catalog.len()
    }

    /// Number of promoters.
    #[getter]
    fn n_promoters(&self) -> usize {
        self.inner.promoters.len()
    }

    /// Number of orders (every status).
    #[getter]
    fn n_orders(&self) -> usize {
        self.inner.orders.len()
    }

    /// Number of shares.
    #[getter]
    fn n_shares(&self) -> usize {
        self.inner.shares.len()
    }

    /// The first and last order times, unix seconds, or ``None`` without orders.
    #[getter]
    fn time_range(&self) -> Option<(i64, i64)> {
        self.inner.orders.time_range()
    }

    /// The promoter ids, in dataset order.
    fn promoter_ids(&self) -> Vec<String> {
        self.inner.promoters.ids.names().map(String::from).collect()
    }

    /// The item ids, in catalogue order.
    fn item_ids(&self) -> Vec<String> {
        self.inner.catalog.ids.names().map(String::from).collect()
    }

    /// The rows left out by ``from_frames(..., strict=False)``: a polars DataFrame
    /// ``table, row, column, reason`` (``row`` is 1-based within its frame). Empty in
    /// strict mode and for generated data.
    #[getter]
    fn rejects<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let r = &self.rejects;
        let cols: Vec<(&str, ArrayRef)> = vec![
            (
                "table",
                Arc::new(StringArray::from_iter_values(r.iter().map(|x| x.table))),
            ),
            (
                "row",
                Arc::new(Int64Array::from_iter_values(
                    r.iter().map(|x| i64::try_from(x.row).unwrap_or(i64::MAX)),
                )),
            ),
            (
                "column",
                Arc::new(StringArray::from_iter_values(
                    r.iter().map(|x| x.column.as_str()),
                )),
            ),
            (
                "reason",
                Arc::new(StringArray::from_iter_values(
                    r.iter().map(|x| x.reason.as_str()),
                )),
            ),
        ];
        frame_out(py, batch_of(cols).py_err()?, "polars")
    }

    /// One line: counts of items, promoters, orders, shares and the time span.
    fn summary(&self) -> String {
        self.inner.summary()
    }

    fn __repr__(&self) -> String {
        format!("Dataset({})", self.inner.summary())
    }

    fn __len__(&self) -> usize {
        self.inner.orders.len()
    }
}

/// Generates a seeded synthetic promoter economy.
///
/// Parameters
/// ----------
/// scale : {"tiny", "small", "large"}, default "tiny"
///     ``tiny``: 200 promoters, 500 items, about 10k orders; ``small``: 5,000
///     promoters, 20,000 items, about 460k orders. ``large`` does not fit in memory.
/// seed : int, default 0
///     The same seed gives the same world.
///
/// Returns
/// -------
/// Dataset
///
/// Examples
/// --------
/// >>> import kocrank
/// >>> world = kocrank.generate("tiny", seed=7)
/// >>> world.n_promoters
/// 200
#[pyfunction]
#[pyo3(signature = (scale="tiny", seed=0))]
pub fn generate(py: Python<'_>, scale: &str, seed: u64) -> PyResult<PyDataset> {
    let scale = match scale.trim().to_ascii_lowercase().as_str() {
        "tiny" => Scale::Tiny,
        "small" => Scale::Small,
        "large" => {
            return Err(Error::Unsupported(
                "the large world (about 100M orders) does not fit in memory; generate it in chunks with `kocrank generate --scale large`".into(),
            ))
            .py_err()
        }
        other => {
            return Err(Error::InvalidRequest {
                field: "scale",
                message: format!("unknown scale \"{other}\" (expected tiny, small or large)"),
            })
            .py_err()
        }
    };
    let world = py.detach(|| synth::generate(scale, seed)).py_err()?;
    Ok(PyDataset::new(world.dataset))
}
