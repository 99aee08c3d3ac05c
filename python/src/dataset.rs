//! `kocrank.Dataset`: validated catalogue, promoters, orders and shares.

use crate::codec;
use crate::convert::{auto_split, duration, frame_out, timestamp};
use crate::errors::IntoPy;
use crate::frames::{batch_of, read_frames, Frames, LoadReport};
use arrow_array::{ArrayRef, Int64Array, StringArray};
use kocrank::synth::{self, Scale};
use kocrank::{Dataset, Error};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use pyo3_arrow::input::AnyRecordBatch;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A validated dataset: the item catalogue, the promoters, the order log and the
/// share log, with dense indices inside and the external string ids at the edges.
///
/// Make one with :func:`kocrank.generate` (a synthetic world) or
/// :meth:`Dataset.from_frames` (polars, pyarrow or pandas frames); split it in time
/// with :meth:`Dataset.split`.
///
/// A dataset pickles (and so goes through ``copy.deepcopy``, joblib and
/// multiprocessing) through :meth:`Dataset.to_bytes`, load report included.
#[pyclass(module = "kocrank._kocrank", name = "Dataset", frozen)]
pub struct PyDataset {
    pub inner: Arc<Dataset>,
    report: Arc<LoadReport>,
}

impl PyDataset {
    pub fn new(inner: Dataset) -> Self {
        PyDataset {
            inner: Arc::new(inner),
            report: Arc::new(LoadReport {
                strict: true,
                ..LoadReport::default()
            }),
        }
    }
}

/// `{"a": 2, "b": 1}` as `a: 2, b: 1`, most frequent first.
fn counted(counts: &BTreeMap<&str, u64>) -> String {
    let mut v: Vec<(&str, u64)> = counts.iter().map(|(k, n)| (*k, *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.iter()
        .map(|(k, n)| format!("{k}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows rejected per reason code, for each table.
fn reasons_by_table(r: &LoadReport) -> BTreeMap<&'static str, BTreeMap<&'static str, u64>> {
    let mut by: BTreeMap<&'static str, BTreeMap<&'static str, u64>> = BTreeMap::new();
    for x in &r.rejects {
        *by.entry(x.table)
            .or_default()
            .entry(x.code.as_str())
            .or_default() += 1;
    }
    by
}

/// The text of the `KocrankDataWarning` of a lenient load, or `None` when it left
/// nothing out.
fn warning_text(r: &LoadReport) -> Option<String> {
    let rejected: u64 = r.tables.iter().map(|t| t.rejected).sum();
    if rejected == 0 && r.unresolved_inviters.is_empty() {
        return None;
    }
    let read: u64 = r.tables.iter().map(|t| t.read).sum();
    let reasons = reasons_by_table(r);
    let per_table: Vec<String> = r
        .tables
        .iter()
        .filter(|t| t.rejected > 0)
        .map(|t| {
            let why = reasons.get(t.table).map(counted).unwrap_or_default();
            format!("{}: {} of {} rows ({why})", t.table, t.rejected, t.read)
        })
        .collect();
    let mut text = format!("from_frames(strict=False) left out {rejected} of {read} rows read");
    if !per_table.is_empty() {
        text.push_str(&format!("; {}", per_table.join("; ")));
    }
    let ignored: Vec<String> = r
        .tables
        .iter()
        .filter(|t| !t.ignored_columns.is_empty())
        .map(|t| format!("{}: {}", t.table, t.ignored_columns.join(", ")))
        .collect();
    if !ignored.is_empty() {
        text.push_str(&format!(
            ". Ignored columns (not in the schema): {}",
            ignored.join("; ")
        ));
    }
    match r.unresolved_inviters.len() {
        0 => {}
        1 => text.push_str(". 1 inviter not in the promoters table was cleared"),
        n => text.push_str(&format!(
            ". {n} inviters not in the promoters table were cleared"
        )),
    }
    text.push_str(". Dataset.rejects lists each row, Dataset.load_report has the counts.");
    Some(text)
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
    ///     :attr:`Dataset.rejects` (with a reason code to group them by), and a
    ///     :class:`~kocrank.exceptions.KocrankDataWarning` says how many rows of each
    ///     frame were left out of those read, per reason code, and which columns were
    ///     ignored; :attr:`Dataset.load_report` holds the same counts.
    ///
    /// Columns that are not in the schema are not read; :attr:`Dataset.load_report`
    /// lists them per frame. Times given as text may end in a UTC offset
    /// (``2011-12-09T08:00:00+08:00``); text without one, and naive datetime columns,
    /// are UTC.
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
        if let Some(text) = warning_text(&loaded.report) {
            let category = py
                .import("kocrank.exceptions")?
                .getattr("KocrankDataWarning")?;
            // stacklevel 1: the line of Python that called from_frames.
            py.import("warnings")?
                .call_method1("warn", (text, category, 1))?;
        }
        Ok(PyDataset {
            inner: Arc::new(loaded.dataset),
            report: Arc::new(loaded.report),
        })
    }

    /// Splits the orders in time: those before ``at`` train, those in
    /// ``[at, at + window)`` test.
    ///
    /// Parameters
    /// ----------
    /// at : int, str, date or datetime, default "auto"
    ///     The split time: unix seconds; ISO-8601 text, which may end in a UTC offset
    ///     (``"2011-12-09T08:00:00+08:00"``); a date or datetime (a timezone-aware
    ///     datetime is the instant it names; a naive one, a date and text without an
    ///     offset are UTC); or ``"auto"`` for the last ``window`` of the data.
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
        self.inner.catalog().len()
    }

    /// Number of promoters.
    #[getter]
    fn n_promoters(&self) -> usize {
        self.inner.promoters().len()
    }

    /// Number of orders (every status).
    #[getter]
    fn n_orders(&self) -> usize {
        self.inner.orders().len()
    }

    /// Number of shares.
    #[getter]
    fn n_shares(&self) -> usize {
        self.inner.shares().len()
    }

    /// The first and last order times, unix seconds, or ``None`` without orders.
    #[getter]
    fn time_range(&self) -> Option<(i64, i64)> {
        self.inner.orders().time_range()
    }

    /// The promoter ids, in dataset order.
    fn promoter_ids(&self) -> Vec<String> {
        self.inner
            .promoters()
            .ids
            .names()
            .map(String::from)
            .collect()
    }

    /// The item ids, in catalogue order.
    fn item_ids(&self) -> Vec<String> {
        self.inner.catalog().ids.names().map(String::from).collect()
    }

    /// The rows left out by ``from_frames(..., strict=False)``: a polars DataFrame
    /// ``table, row, column, code, reason`` (``row`` is 1-based within its frame;
    /// ``code`` is the kind of fault, to group by: ``missing_value``,
    /// ``duplicate_id``, ``unknown_id``, ``rejected_reference`` (names a row that was
    /// itself left out), ``unknown_value``, ``not_a_number``, ``unreadable``,
    /// ``out_of_range``, ``bad_category``, ``self_invite`` or ``invalid``;
    /// ``reason`` is the detail). Empty in strict mode, for generated data and for
    /// the parts of a split.
    #[getter]
    fn rejects<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let r = &self.report.rejects;
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
                "code",
                Arc::new(StringArray::from_iter_values(
                    r.iter().map(|x| x.code.as_str()),
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

    /// What :meth:`from_frames` did, as a dict: ``strict``; ``read``, ``accepted``,
    /// ``rejected`` (rows, over every frame); ``tables``, one dict per frame read
    /// (``table, read, accepted, rejected, ignored_columns``, where
    /// ``read == accepted + rejected``); ``rejected_by_reason``
    /// (``{table: {code: rows}}``, the codes of :attr:`rejects`);
    /// ``ignored_columns`` (``{table: [column, ...]}``, the frames' columns that are
    /// not in the schema and were not read) and ``unresolved_inviters`` (a list of
    /// ``{"promoter_id", "inviter_id"}`` whose inviter is not in the promoters table:
    /// cleared in lenient mode). Counts are empty for generated data and for the parts
    /// of a split.
    #[getter]
    fn load_report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let r = &self.report;
        let d = PyDict::new(py);
        d.set_item("strict", r.strict)?;
        d.set_item("read", r.tables.iter().map(|t| t.read).sum::<u64>())?;
        d.set_item("accepted", r.tables.iter().map(|t| t.accepted).sum::<u64>())?;
        d.set_item("rejected", r.tables.iter().map(|t| t.rejected).sum::<u64>())?;
        let tables = PyList::empty(py);
        let ignored = PyDict::new(py);
        for t in &r.tables {
            let e = PyDict::new(py);
            e.set_item("table", t.table)?;
            e.set_item("read", t.read)?;
            e.set_item("accepted", t.accepted)?;
            e.set_item("rejected", t.rejected)?;
            e.set_item("ignored_columns", &t.ignored_columns)?;
            tables.append(e)?;
            if !t.ignored_columns.is_empty() {
                ignored.set_item(t.table, &t.ignored_columns)?;
            }
        }
        d.set_item("tables", tables)?;
        let by = PyDict::new(py);
        for (table, codes) in reasons_by_table(r) {
            let c = PyDict::new(py);
            for (code, n) in codes {
                c.set_item(code, n)?;
            }
            by.set_item(table, c)?;
        }
        d.set_item("rejected_by_reason", by)?;
        d.set_item("ignored_columns", ignored)?;
        let inviters = PyList::empty(py);
        for (promoter, inviter) in &r.unresolved_inviters {
            let e = PyDict::new(py);
            e.set_item("promoter_id", promoter)?;
            e.set_item("inviter_id", inviter)?;
            inviters.append(e)?;
        }
        d.set_item("unresolved_inviters", inviters)?;
        Ok(d)
    }

    /// The dataset and its load report as bytes (checksummed); :func:`pickle`,
    /// ``copy.deepcopy``, joblib and multiprocessing go through them.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let (inner, report) = (Arc::clone(&self.inner), Arc::clone(&self.report));
        let bytes = py.detach(|| codec::to_bytes(&inner, &report));
        PyBytes::new(py, &bytes)
    }

    /// A dataset from the bytes of :meth:`to_bytes`.
    ///
    /// Raises
    /// ------
    /// InvalidDataError
    ///     for bytes that are damaged or not a dataset's.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PyDataset> {
        _dataset_from_bytes(py, data)
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let f = py
            .import("kocrank._kocrank")?
            .getattr("_dataset_from_bytes")?;
        Ok((f, (self.to_bytes(py),)))
    }

    /// One line: counts of items, promoters, orders, shares and the time span.
    fn summary(&self) -> String {
        self.inner.summary()
    }

    fn __repr__(&self) -> String {
        format!("Dataset({})", self.inner.summary())
    }

    fn __len__(&self) -> usize {
        self.inner.orders().len()
    }
}

/// A dataset from the bytes of `Dataset.to_bytes` (what unpickling calls).
#[pyfunction]
pub fn _dataset_from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PyDataset> {
    let (dataset, report) = py.detach(|| codec::from_bytes(data)).map_err(|m| {
        crate::errors::value_error(
            "InvalidDataError",
            format!("<bytes>: not a kocrank dataset: {m}"),
        )
    })?;
    Ok(PyDataset {
        inner: Arc::new(dataset),
        report: Arc::new(report),
    })
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
            return Err(Error::TooLarge(
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
