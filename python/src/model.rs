//! `kocrank.Model`, `kocrank.train` and `kocrank.evaluate`.

use crate::convert::{frame_out, from_json, timestamp, to_json};
use crate::dataset::PyDataset;
use crate::errors::{value_error, IntoPy};
use crate::frames::{batch_of, id_of_float, ids_named, null_id, ranked_batch};
use crate::progress::{self, Bar, Event};
use arrow_array::{ArrayRef, Float64Array, Int64Array, StringArray};
use kocrank::eval::metrics::ListMetrics;
use kocrank::eval::{EvalConfig, EvalReport};
use kocrank::{batch, model_file, Config, Error, ModelKind, RankRequest, Ranker};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use pyo3_arrow::input::AnyArray;
use std::path::PathBuf;
use std::sync::Arc;

/// A trained model, ready to rank. Immutable; safe to share between threads.
///
/// Made by :func:`kocrank.train` or :meth:`Model.load`.
#[pyclass(module = "kocrank._kocrank", name = "Model", frozen)]
pub struct PyModel {
    pub ranker: Ranker,
}

/// Promoter ids from a string, a sequence of strings, or an Arrow array or stream of
/// text or integers (a polars Series, a pyarrow Array or ChunkedArray).
fn promoter_ids(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    ids_of(obj, "promoter_ids", "promoter_id")
}

/// Ids from a string, a sequence, or an Arrow array or stream (a polars Series, a
/// pyarrow Array or ChunkedArray); `field` names the argument in errors, `column` the
/// id.
///
/// One rule for every form: text is trimmed; an integer (or a whole float) becomes its
/// decimal text, so `[17850]` is `["17850"]`; `None`, null, NaN and empty text are
/// errors naming the 0-based position.
pub(crate) fn ids_of(
    obj: &Bound<'_, PyAny>,
    field: &'static str,
    column: &'static str,
) -> PyResult<Vec<String>> {
    let scalar = obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<pyo3::types::PyInt>()
        || obj.is_instance_of::<pyo3::types::PyFloat>();
    if scalar {
        return Ok(vec![id_at(obj, field, column, 0)?]);
    }
    if obj.hasattr("__arrow_c_array__")? || obj.hasattr("__arrow_c_stream__")? {
        let arrays: AnyArray = obj.extract()?;
        let reader = arrays.into_reader()?;
        let mut out = Vec::new();
        for array in reader {
            let array: ArrayRef =
                array.map_err(|e| value_error("InvalidRequestError", format!("{field}: {e}")))?;
            let offset = out.len();
            out.extend(ids_named(&array, field, column, offset).py_err()?);
        }
        return Ok(out);
    }
    let not_a_sequence =
        obj.is_instance_of::<pyo3::types::PyBytes>() || obj.is_instance_of::<PyDict>();
    let items = match obj.try_iter() {
        Ok(items) if !not_a_sequence => items,
        _ => {
            return Err(value_error(
                "InvalidRequestError",
                format!(
                    "{field}: expected an id, a sequence of ids, or an Arrow array or Series of ids, found {}",
                    obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                ),
            ))
        }
    };
    items
        .enumerate()
        .map(|(i, item)| id_at(&item?, field, column, i))
        .collect()
}

/// One id of a sequence, at 0-based `position`, by the rule of [`ids_of`].
fn id_at(
    item: &Bound<'_, PyAny>,
    field: &'static str,
    column: &'static str,
    position: usize,
) -> PyResult<String> {
    let bad = |message: String| {
        Err(Error::InvalidRequest {
            field,
            message: format!("position {position} (0-based): {message}"),
        })
        .py_err()
    };
    if item.is_none() {
        return Err(null_id(field, column, position)).py_err();
    }
    if let Ok(s) = item.cast::<PyString>() {
        let s = s.to_string();
        let s = s.trim();
        if s.is_empty() {
            return Err(null_id(field, column, position)).py_err();
        }
        return Ok(s.to_string());
    }
    if item.is_instance_of::<pyo3::types::PyBool>() {
        return bad(format!(
            "expected a {column} (text or an integer), found bool"
        ));
    }
    if let Ok(v) = item.extract::<i64>() {
        return Ok(v.to_string());
    }
    if let Ok(v) = item.extract::<f64>() {
        if v.is_nan() {
            return Err(null_id(field, column, position)).py_err();
        }
        return id_of_float(v).or_else(bad);
    }
    let kind = item
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    bad(format!(
        "expected a {column} (text or an integer), found {kind}"
    ))
}

/// A configuration from `None` (defaults: `model = "auto"`), a model name (`"profile"`), a dict (the
/// configuration tree, as `train --explain-config` prints it) or TOML text.
fn config_of(py: Python<'_>, config: Option<&Bound<'_, PyAny>>) -> PyResult<Config> {
    let Some(config) = config.filter(|c| !c.is_none()) else {
        return Ok(Config::default());
    };
    if let Ok(s) = config.cast::<PyString>() {
        let text = s.to_string();
        if let Ok(model) = ModelKind::parse(&text) {
            return Ok(Config {
                model,
                ..Config::default()
            });
        }
        if !text.contains('=') {
            // A lone word that is no model name: say so, not "TOML parse error".
            return ModelKind::parse(&text)
                .map(|model| Config {
                    model,
                    ..Config::default()
                })
                .map_err(|m| Error::Config(kocrank::ConfigError::Conflict(m)))
                .py_err();
        }
        return Config::from_toml_str(&text).py_err();
    }
    if config.cast::<PyDict>().is_ok() {
        return Config::from_json_str(&to_json(py, config)?).py_err();
    }
    Err(value_error(
        "ConfigError",
        format!(
            "config: expected a dict, a model name or TOML text, found {}",
            config.get_type().name()?
        ),
    ))
}

impl PyModel {
    /// The keyword overrides of `rank` with Python values made JSON-ready: ids by the
    /// rule of [`ids_of`] (`candidates`, `exclude`, `inviter_id`, the items of
    /// `recent_orders`), times by [`timestamp`] (`now`, the `ts` of `recent_orders`).
    /// An `exclude` item the model does not know is an error, as for `candidates`.
    fn overrides<'py>(&self, o: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyDict>> {
        let py = o.py();
        let out = PyDict::new(py);
        for (key, value) in o.iter() {
            let name = key.extract::<String>()?;
            let converted = match name.as_str() {
                _ if value.is_none() => value,
                "candidates" => ids_of(&value, "candidates", "item_id")?
                    .into_pyobject(py)?
                    .into_any(),
                "exclude" => {
                    let ids = ids_of(&value, "exclude", "item_id")?;
                    let catalog = &self.ranker.model().catalog().ids;
                    if let Some(id) = ids.iter().find(|id| catalog.get(id).is_none()) {
                        return Err(Error::InvalidRequest {
                            field: "exclude",
                            message: format!("unknown item \"{id}\""),
                        })
                        .py_err();
                    }
                    ids.into_pyobject(py)?.into_any()
                }
                "inviter_id" => {
                    let mut ids = ids_of(&value, "inviter_id", "promoter_id")?;
                    match (ids.pop(), ids.is_empty()) {
                        (Some(id), true) => id.into_pyobject(py)?.into_any(),
                        _ => {
                            return Err(value_error(
                                "InvalidRequestError",
                                "inviter_id: expected one promoter id".into(),
                            ))
                        }
                    }
                }
                "now" => timestamp(&value, "now")?.into_pyobject(py)?.into_any(),
                "recent_orders" => recent_events(&value, "recent_orders")?.into_any(),
                "recent_shares" => recent_events(&value, "recent_shares")?.into_any(),
                _ => value,
            };
            out.set_item(key, converted)?;
        }
        Ok(out)
    }
}

/// `recent_orders` or `recent_shares` (`field`) as a list of `{"item_id": str, "ts":
/// int}`: each entry a mapping with `item_id` (an id, by the rule of [`ids_of`]) and
/// `ts` (anything [`timestamp`] takes: unix seconds, ISO-8601 text, a date or
/// datetime).
fn recent_events<'py>(
    value: &Bound<'py, PyAny>,
    field: &'static str,
) -> PyResult<Bound<'py, PyList>> {
    let py = value.py();
    let out = PyList::empty(py);
    let entries = value.try_iter().map_err(|_| {
        value_error(
            "InvalidRequestError",
            format!("{field}: expected a list of {{\"item_id\": ..., \"ts\": ...}}"),
        )
    })?;
    for (i, entry) in entries.enumerate() {
        let entry = entry?;
        let Ok(d) = entry.cast::<PyDict>() else {
            return Err(value_error(
                "InvalidRequestError",
                format!(
                    "{field}: position {i} (0-based): expected a dict {{\"item_id\": ..., \"ts\": ...}}, found {}",
                    entry.get_type().name()?
                ),
            ));
        };
        let row = PyDict::new(py);
        for (key, v) in d.iter() {
            let name = key.extract::<String>().unwrap_or_default();
            let v = match name.as_str() {
                "item_id" => ids_of(&v, field, "item_id")
                    .and_then(|mut ids| match (ids.pop(), ids.is_empty()) {
                        (Some(id), true) => Ok(id),
                        _ => Err(value_error(
                            "InvalidRequestError",
                            "expected one item id".into(),
                        )),
                    })
                    .map_err(|e| position_error(py, field, i, "item_id", &e))?
                    .into_pyobject(py)?
                    .into_any(),
                "ts" => timestamp(&v, field)
                    .map_err(|e| position_error(py, field, i, "ts", &e))?
                    .into_pyobject(py)?
                    .into_any(),
                _ => v,
            };
            row.set_item(key, v)?;
        }
        out.append(row)?;
    }
    Ok(out)
}

/// `e` (an error about one entry of a list argument) as an `InvalidRequestError`
/// naming the entry and its key.
fn position_error(py: Python<'_>, field: &str, position: usize, key: &str, e: &PyErr) -> PyErr {
    value_error(
        "InvalidRequestError",
        format!(
            "{field}: position {position} (0-based), \"{key}\": {}",
            e.value(py)
        ),
    )
}

#[pymethods]
impl PyModel {
    /// Ranks items for each promoter, in parallel, with the GIL released.
    ///
    /// Parameters
    /// ----------
    /// promoter_ids : str, int, sequence, polars Series, pyarrow Array or pandas Series
    ///     One rule for every form: text is trimmed; an integer (or a whole float)
    ///     becomes its decimal text, so ``rank([17850])`` ranks promoter ``"17850"``
    ///     as a Series of ints does; ``None``, null, NaN and empty text are errors
    ///     naming their 0-based position. Promoters the model does not know get the
    ///     cold-start list of their segment, never an error.
    /// k : int, default 20
    ///     Items per promoter (1..=10000).
    /// frame : {"polars", "pyarrow", "pandas"}, default "polars"
    ///     The type of the result.
    /// **overrides
    ///     Fields of the Rust ``RankRequest`` applied to every promoter:
    ///     ``channel``, ``city_tier``, ``inviter_id`` (for newcomers: the inviter's
    ///     categories tilt her list when the model's ``network.inviter_orders`` is
    ///     on; an unknown inviter is an error), ``candidates`` (item ids to rank
    ///     among), ``exclude`` (item ids never to return), ``exclude_purchased``
    ///     (``"never"``, ``"always"``, ``"durables"``), ``in_stock_only`` (bool),
    ///     ``recent_orders`` (a list of ``{"item_id": ..., "ts": ...}``),
    ///     ``recent_shares`` (the same, for her shares since training: a blend with
    ///     share features reads them, and for a promoter with no order they rank her
    ///     where the model's ``network.own_shares`` is on), ``now`` (the
    ///     request time). Item ids follow the rule of ``promoter_ids`` (a list
    ///     or a Series); an item of ``candidates`` or ``exclude`` that the model does
    ///     not know is an error naming it. Times (``now``, the ``ts`` of
    ///     ``recent_orders`` and ``recent_shares``) are unix seconds, ISO-8601 text
    ///     (which may end in a UTC offset such as ``+08:00``), a date or a datetime: a timezone-aware
    ///     datetime is the instant it names; a naive one, a date and text without an
    ///     offset are UTC.
    ///
    /// Returns
    /// -------
    /// polars.DataFrame, pyarrow.Table or pandas.DataFrame
    ///     ``promoter_id, rank, item_id, score``; rank 1 is best; promoters in the
    ///     order given.
    ///
    /// Raises
    /// ------
    /// InvalidRequestError
    ///     (a ``ValueError``) for ``k`` out of range, an unknown override, an unknown
    ///     item in ``candidates`` or ``exclude``, or a null or empty id.
    /// KeyboardInterrupt
    ///     on Ctrl-C, within about a second: ranking stops at its next block of 96
    ///     promoters (one promoter at a time when overrides need the per-request path).
    #[pyo3(signature = (promoter_ids, k=20, *, frame="polars", **overrides))]
    fn rank<'py>(
        &self,
        py: Python<'py>,
        promoter_ids: &Bound<'py, PyAny>,
        k: i64,
        frame: &str,
        overrides: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let ids = self::promoter_ids(promoter_ids)?;
        let k = usize::try_from(k)
            .map_err(|_| Error::InvalidRequest {
                field: "k",
                message: format!("{k} is outside 1..={}", kocrank::rank::MAX_K),
            })
            .py_err()?;
        let template = match overrides.filter(|o| !o.is_empty()) {
            None => RankRequest::new("", k),
            Some(o) => {
                let o = self.overrides(o)?;
                let mut value: serde_json::Value = serde_json::from_str(&to_json(py, &o)?)
                    .map_err(|e| value_error("InvalidRequestError", e.to_string()))?;
                if let Some(map) = value.as_object_mut() {
                    for key in ["promoter_id", "k"] {
                        if map.contains_key(key) {
                            return Err(value_error(
                                "InvalidRequestError",
                                format!("\"{key}\" is an argument of rank, not an override"),
                            ));
                        }
                    }
                    map.insert("k".into(), serde_json::Value::from(k));
                }
                serde_json::from_value(value).map_err(|e| {
                    value_error("InvalidRequestError", format!("rank overrides: {e}"))
                })?
            }
        };
        let ranker = self.ranker.clone();
        let batch = progress::run(py, None, move |w| -> kocrank::Result<_> {
            // Ctrl-C sets the flag; the ranking stops at its next block of promoters.
            let lists = batch::rank_many_with_cancel(&ranker, &ids, &template, &w.cancel, |_| {})?;
            ranked_batch(&ids, &lists)
        })?
        .py_err()?;
        frame_out(py, batch, frame)
    }

    /// Why ``item`` is where it is in ``promoter``'s list.
    ///
    /// Returns
    /// -------
    /// dict
    ///     ``position`` (1-based, or None when a rule leaves it out), ``score``,
    ///     the item's facts, her circle's orders, the rules that filter it, the
    ///     blend's ``breakdown`` (which adds up to the score), and ``text``: the
    ///     same in plain words.
    ///
    /// Raises
    /// ------
    /// UnknownIdError
    ///     (a ``ValueError``) for an item not in the catalogue.
    fn explain<'py>(
        &self,
        py: Python<'py>,
        promoter: &str,
        item: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let ranker = self.ranker.clone();
        let (promoter, item) = (promoter.to_string(), item.to_string());
        let why = py.detach(|| ranker.explain(&promoter, &item)).py_err()?;
        let json = serde_json::to_string(&why)
            .map_err(|e| Error::Internal(format!("cannot encode the explanation: {e}")))
            .py_err()?;
        let dict = from_json(py, &json)?;
        dict.set_item("text", why.to_string().trim_end())?;
        Ok(dict)
    }

    /// Saves the model file (atomically: a temporary file, then a rename).
    ///
    /// Raises
    /// ------
    /// KocrankFileNotFoundError
    ///     (a ``FileNotFoundError``) when the folder does not exist; the message and
    ///     ``filename`` name the path.
    /// KocrankIOError
    ///     (an ``OSError``) when the file cannot be written.
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let ranker = self.ranker.clone();
        py.detach(|| model_file::save(ranker.model(), &path))
            .py_err()
    }

    /// Loads a model file written by :meth:`Model.save` or ``kocrank train``.
    ///
    /// Raises
    /// ------
    /// KocrankFileNotFoundError
    ///     (a ``FileNotFoundError``) when there is no file at ``path``; the message
    ///     and ``filename`` name it.
    /// KocrankIOError
    ///     (an ``OSError``) when the file cannot be read.
    /// CorruptModelError, IncompatibleModelError
    ///     (``OSError``) for a damaged file or one of another format version.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyModel> {
        let model = py.detach(|| model_file::load(&path)).py_err()?;
        Ok(PyModel {
            ranker: Ranker::new(model),
        })
    }

    /// The same blend with its value exponent γ set to ``gamma``: nothing is refitted
    /// (γ enters at scoring time), so a sweep over γ trains once. Other models come
    /// back unchanged.
    ///
    /// Parameters
    /// ----------
    /// gamma : float
    ///     In [0, 2]; 0 ranks by the order probability alone, 1 by expected value.
    ///
    /// Raises
    /// ------
    /// ConfigError
    ///     (a ``ValueError``) for a γ outside [0, 2].
    ///
    /// Examples
    /// --------
    /// >>> import kocrank
    /// >>> train, _ = kocrank.generate("tiny", seed=5).split()
    /// >>> blend = kocrank.train(train, {"model": "blend", "blend": {"trees": {"count": 10}}})
    /// >>> blend.with_gamma(1.0).config["blend"]["gamma"]
    /// 1.0
    fn with_gamma(&self, gamma: f64) -> PyResult<PyModel> {
        let model = self.ranker.model().with_gamma(gamma).py_err()?;
        Ok(PyModel {
            ranker: Ranker::new(model),
        })
    }

    /// This model with newcomers (no order of their own) ranked by their segment's
    /// popularity at another half-life, refitted from the model's history; the lists
    /// of promoters with orders do not change.
    ///
    /// Parameters
    /// ----------
    /// half_life_days : float or None
    ///     In (0, 36500]; ``None`` uses the ``popularity`` section's half-life (the
    ///     config key ``network.newcomer_half_life_days``, which ``auto`` chooses on its
    ///     validation newcomers).
    ///
    /// Raises
    /// ------
    /// ConfigError
    ///     (a ``ValueError``) for a half-life out of range.
    ///
    /// Examples
    /// --------
    /// >>> import kocrank
    /// >>> train, _ = kocrank.generate("tiny", seed=5).split()
    /// >>> m = kocrank.train(train, "item_knn", quiet=True)
    /// >>> m.with_newcomer_half_life(7.0).config["network"]["newcomer_half_life_days"]
    /// 7.0
    #[pyo3(signature = (half_life_days))]
    fn with_newcomer_half_life(&self, half_life_days: Option<f64>) -> PyResult<PyModel> {
        let model = self
            .ranker
            .model()
            .clone()
            .with_newcomer_half_life(half_life_days)
            .py_err()?;
        Ok(PyModel {
            ranker: Ranker::new(model),
        })
    }

    /// The model kind: ``baseline``, ``popularity``, ``profile``, ``buy_again``,
    /// ``ials``, ``item_knn``, ``ease`` or ``blend`` (``auto`` trains one of these).
    #[getter]
    fn kind(&self) -> &'static str {
        self.ranker.model().kind().as_str()
    }

    /// The full configuration the model was trained with, as a dict.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let json = serde_json::to_string(self.ranker.model().config())
            .map_err(|e| Error::Internal(format!("cannot encode the configuration: {e}")))
            .py_err()?;
        from_json(py, &json)
    }

    /// What ``model = "auto"`` tried and why it chose this model, as a dict (the data
    /// profile, the validation split, every trial with its NDCG@20, interval and
    /// seconds, the chosen one and the notes); ``None`` for a model trained by name.
    #[getter]
    fn selection<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(sel) = self.ranker.model().selection() else {
            return Ok(None);
        };
        let json = serde_json::to_string(sel)
            .map_err(|e| Error::Internal(format!("cannot encode the selection: {e}")))
            .py_err()?;
        from_json(py, &json).map(Some)
    }

    /// One second after the last training order (unix seconds): the ranking time.
    #[getter]
    fn trained_until(&self) -> i64 {
        self.ranker.model().trained_until()
    }

    /// Number of items in the model's catalogue.
    #[getter]
    fn n_items(&self) -> usize {
        self.ranker.model().catalog().len()
    }

    /// Number of promoters the model knows.
    #[getter]
    fn n_promoters(&self) -> usize {
        self.ranker.model().promoters().len()
    }

    /// The iALS item factors ``Y`` as a read-only ``numpy.ndarray`` of shape
    /// ``(n_items, factors)``, rows in the order of the model's catalogue (the order
    /// :meth:`Dataset.item_ids` gives for the training data); ``None`` for a model
    /// without factors. A blend gives its iALS component's. The array shares the
    /// model's memory (no copy). Needs numpy.
    ///
    /// Examples
    /// --------
    /// >>> import kocrank
    /// >>> train, _ = kocrank.generate("tiny", seed=5).split()
    /// >>> m = kocrank.train(train, {"model": "ials", "ials": {"factors": 8}})
    /// >>> m.item_factors.shape == (m.n_items, 8)
    /// True
    #[getter]
    fn item_factors<'py>(slf: &Bound<'py, Self>) -> PyResult<Option<Bound<'py, PyAny>>> {
        crate::inspect::factors(slf, false)
    }

    /// The iALS promoter factors ``X``, shape ``(n_promoters, factors)``, as for
    /// :attr:`item_factors`.
    #[getter]
    fn promoter_factors<'py>(slf: &Bound<'py, Self>) -> PyResult<Option<Bound<'py, PyAny>>> {
        crate::inspect::factors(slf, true)
    }

    /// The ``k`` items most similar to ``item_id``, best first, without the item:
    /// item-to-item neighbours, else the cosine of iALS factors, else EASE weights
    /// (a blend answers from its components).
    ///
    /// Returns
    /// -------
    /// polars.DataFrame, pyarrow.Table or pandas.DataFrame
    ///     ``item_id, score`` (``frame="polars"``, ``"pyarrow"`` or ``"pandas"``).
    ///
    /// Raises
    /// ------
    /// UnknownIdError
    ///     for an item not in the catalogue.
    /// UnsupportedError
    ///     for a model that does not relate items (popularity, say).
    #[pyo3(signature = (item_id, k=10, *, frame="polars"))]
    fn similar_items<'py>(
        &self,
        py: Python<'py>,
        item_id: &str,
        k: usize,
        frame: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::inspect::similar_items(py, self, item_id, k, frame)
    }

    /// Scores of arbitrary ``(promoter, item)`` pairs in one call: the model's score,
    /// before any rule, that :meth:`rank` orders by.
    ///
    /// Parameters
    /// ----------
    /// pairs : frame or sequence
    ///     A frame with ``promoter_id`` and ``item_id`` columns (polars, pandas or
    ///     pyarrow), or, with ``item_ids`` given, the promoter ids.
    /// item_ids : sequence, optional
    ///     The item of each pair, as long as ``pairs``. Ids follow the rule of
    ///     :meth:`rank` (integers become their decimal text; ``None`` and empty text
    ///     are errors naming the position).
    /// frame : {"polars", "pyarrow", "pandas"}, default "polars"
    ///
    /// Returns
    /// -------
    /// polars.DataFrame, pyarrow.Table or pandas.DataFrame
    ///     ``promoter_id, item_id, score`` in the order given; ``score`` is null
    ///     where the model cannot place the item.
    ///
    /// Raises
    /// ------
    /// InvalidRequestError
    ///     for an unknown item, or columns of different lengths.
    ///
    /// Examples
    /// --------
    /// >>> import kocrank, polars as pl
    /// >>> train, _ = kocrank.generate("tiny", seed=5).split()
    /// >>> m = kocrank.train(train, "popularity")
    /// >>> top = m.rank(["P000001"], k=3)
    /// >>> scored = m.score(top.select("promoter_id", "item_id"))
    /// >>> scored["score"].to_list() == top["score"].to_list()
    /// True
    #[pyo3(signature = (pairs, item_ids=None, *, frame="polars"))]
    fn score<'py>(
        &self,
        py: Python<'py>,
        pairs: &Bound<'py, PyAny>,
        item_ids: Option<&Bound<'py, PyAny>>,
        frame: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (promoters, items) = match item_ids {
            Some(items) => (
                ids_of(pairs, "pairs", "promoter_id")?,
                ids_of(items, "item_ids", "item_id")?,
            ),
            None => (
                ids_of(&pairs.get_item("promoter_id")?, "pairs", "promoter_id")?,
                ids_of(&pairs.get_item("item_id")?, "pairs", "item_id")?,
            ),
        };
        if promoters.len() != items.len() {
            return Err(value_error(
                "InvalidRequestError",
                format!(
                    "pairs: {} promoter ids and {} item ids",
                    promoters.len(),
                    items.len()
                ),
            ));
        }
        let ranker = self.ranker.clone();
        let scores = py
            .detach(|| crate::inspect::score_pairs(&ranker, &promoters, &items))
            .py_err()?;
        let p: Vec<&str> = promoters.iter().map(String::as_str).collect();
        let i: Vec<&str> = items.iter().map(String::as_str).collect();
        let batch = batch_of(vec![
            ("promoter_id", Arc::new(StringArray::from(p)) as ArrayRef),
            ("item_id", Arc::new(StringArray::from(i))),
            ("score", Arc::new(arrow_array::Float32Array::from(scores))),
        ])
        .py_err()?;
        frame_out(py, batch, frame)
    }

    /// The bytes of the model file (what :meth:`save` writes); :func:`pickle` and
    /// ``copy.deepcopy`` go through them.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
        crate::inspect::to_bytes(py, self)
    }

    /// A model from the bytes of a model file (:meth:`to_bytes`).
    ///
    /// Raises
    /// ------
    /// CorruptModelError, IncompatibleModelError
    ///     for damaged bytes or another format version.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PyModel> {
        crate::inspect::_model_from_bytes(py, data)
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
        let f = py
            .import("kocrank._kocrank")?
            .getattr("_model_from_bytes")?;
        Ok((f, (crate::inspect::to_bytes(py, self)?,)))
    }

    fn __repr__(&self) -> String {
        let m = self.ranker.model();
        format!(
            "Model(kind={}, items={}, promoters={})",
            m.kind().as_str(),
            m.catalog().len(),
            m.promoters().len()
        )
    }
}

/// Trains a model on a dataset, with the GIL released.
///
/// Parameters
/// ----------
/// dataset : Dataset
///     Typically the ``train`` part of :meth:`Dataset.split`.
/// config : dict, str or None
///     ``None`` for the defaults (``model = "auto"``); a model name such as
///     ``"profile"``; or the configuration tree as a dict, e.g.
///     ``{"model": "blend", "blend": {"gamma": 0.25}}`` (every field is optional;
///     unknown keys are errors). TOML text is accepted too.
///
/// quiet : bool, default False
///     ``True`` draws no progress line. Otherwise a tqdm-style line on ``sys.stderr``
///     shows the time against ``auto``'s budget, the trials and the best so far, the
///     stage, and iALS sweeps; it ends with ``[done]``.
///
/// Returns
/// -------
/// Model
///
/// Raises
/// ------
/// ConfigError
///     (a ``ValueError``) for an unknown key or a value out of range.
/// EmptyDataError
///     when the dataset has no completed order.
/// KeyboardInterrupt
///     on Ctrl-C, within about a second: training stops between trials, stages and
///     iALS sweeps, and nothing is returned.
///
/// Examples
/// --------
/// >>> import kocrank
/// >>> train, test = kocrank.generate("tiny", seed=1).split(window="30d")
/// >>> model = kocrank.train(train, "profile")
/// >>> model.kind
/// 'profile'
/// >>> top = model.rank(train.promoter_ids()[:2], k=5)
/// >>> top.columns
/// ['promoter_id', 'rank', 'item_id', 'score']
/// >>> top.height
/// 10
#[pyfunction]
#[pyo3(signature = (dataset, config=None, *, quiet=false))]
pub fn train(
    py: Python<'_>,
    dataset: &PyDataset,
    config: Option<&Bound<'_, PyAny>>,
    quiet: bool,
) -> PyResult<PyModel> {
    let config = config_of(py, config)?;
    let data = Arc::clone(&dataset.inner);
    let kind = config.model;
    let mut bar = Bar::new(
        format!("kocrank.train {}", kind.as_str()),
        (kind == ModelKind::Auto).then_some(config.auto.budget_seconds),
    );
    let model = progress::run(py, (!quiet).then_some(&mut bar), move |w| {
        kocrank::train_with(&data, &config, &|p| w.report(Event::of(p)), &w.cancel)
    })?
    .py_err()?;
    Ok(PyModel {
        ranker: Ranker::new(model),
    })
}

/// The long table of an evaluation: one row per (dimension, segment, k).
fn report_batch(r: &EvalReport) -> kocrank::Result<arrow_array::RecordBatch> {
    let mut dim = Vec::new();
    let mut seg = Vec::new();
    let mut promoters = Vec::new();
    let mut ks = Vec::new();
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); ListMetrics::NAMES.len()];
    let mut coverage = Vec::new();
    let mut ndcg_lo = Vec::new();
    let mut ndcg_hi = Vec::new();
    let mut push = |d: &str, s: &str, n: usize, j: usize, m: &ListMetrics, overall: bool| {
        dim.push(d.to_string());
        seg.push(s.to_string());
        promoters.push(i64::try_from(n).unwrap_or(i64::MAX));
        ks.push(
            r.ks.get(j)
                .map_or(0, |&k| i64::try_from(k).unwrap_or(i64::MAX)),
        );
        for (col, v) in values.iter_mut().zip(m.to_array()) {
            col.push(v);
        }
        let interval = r.intervals.get(j).and_then(|i| i.get("ndcg"));
        coverage.push(if overall {
            r.coverage.get(j).copied()
        } else {
            None
        });
        ndcg_lo.push(interval.filter(|_| overall).map(|i| i.lo));
        ndcg_hi.push(interval.filter(|_| overall).map(|i| i.hi));
    };
    for (j, m) in r.overall.iter().enumerate() {
        push("overall", "all", r.promoters, j, m, true);
    }
    for s in &r.segments {
        for (j, m) in s.metrics.iter().enumerate() {
            push(&s.dimension, &s.segment, s.promoters, j, m, false);
        }
    }
    let n = dim.len();
    let mut cols: Vec<(&str, ArrayRef)> = vec![
        (
            "model",
            Arc::new(StringArray::from(vec![r.model.as_str(); n])),
        ),
        ("dimension", Arc::new(StringArray::from(dim))),
        ("segment", Arc::new(StringArray::from(seg))),
        ("promoters", Arc::new(Int64Array::from(promoters))),
        ("k", Arc::new(Int64Array::from(ks))),
    ];
    for (name, col) in ListMetrics::NAMES.iter().zip(values) {
        cols.push((name, Arc::new(Float64Array::from(col))));
    }
    cols.push(("coverage", Arc::new(Float64Array::from(coverage))));
    cols.push(("ndcg_lo", Arc::new(Float64Array::from(ndcg_lo))));
    cols.push(("ndcg_hi", Arc::new(Float64Array::from(ndcg_hi))));
    batch_of(cols)
}

/// Evaluates a model on held-out orders, through the same ranking pipeline as
/// :meth:`Model.rank`, with the GIL released.
///
/// Every promoter with a completed order in ``test`` is ranked over the whole
/// catalogue; promoters the model never saw are kept (cold start).
///
/// Parameters
/// ----------
/// model : Model
/// test : Dataset
///     Typically the ``test`` part of :meth:`Dataset.split`.
/// k : list of int, default [5, 10, 20]
///     Cut-offs.
/// count_repeats : bool, default True
///     Whether re-orders of items bought in training count as hits.
/// bootstrap : int, default 1000
///     Bootstrap resamples over promoters for the ``ndcg_lo``/``ndcg_hi`` interval
///     (95%) of the overall rows; 0 turns it off.
/// per_promoter : bool, default False
///     Return one row per ``(promoter, k)`` (``model, promoter_id, k`` and the
///     metrics) instead of the summary: what paired tests between two models need.
/// name : str, optional
///     The label of the ``model`` column (default: the model kind).
/// frame : {"polars", "pyarrow", "pandas"}, default "polars"
///
/// Returns
/// -------
/// polars.DataFrame, pyarrow.Table or pandas.DataFrame
///     One row per ``(dimension, segment, k)``: ``dimension`` is ``overall``
///     (segment ``all``), ``channel``, ``city_tier`` or ``history`` (``no orders``,
///     ``few orders``, ``regular``); then ``promoters``, ``k``, the metrics
///     ``recall, ndcg, map, hit_rate, mrr, commission, gmv, exp_commission,
///     rw_ndcg, novelty, popularity, diversity, self_operated, quality``, and
///     ``coverage``, ``ndcg_lo``, ``ndcg_hi`` (overall rows only).
///
/// Raises
/// ------
/// KeyboardInterrupt
///     on Ctrl-C, within about a second; the evaluation under way cannot stop
///     midway, so it finishes on a background thread and its result is dropped.
#[pyfunction]
#[pyo3(
    signature = (model, test, k=vec![5, 10, 20], *, count_repeats=true, bootstrap=1000, per_promoter=false, name=None, frame="polars"),
    text_signature = "(model, test, k=[5, 10, 20], *, count_repeats=True, bootstrap=1000, per_promoter=False, name=None, frame='polars')"
)]
#[allow(clippy::too_many_arguments)]
pub fn evaluate<'py>(
    py: Python<'py>,
    model: &PyModel,
    test: &PyDataset,
    k: Vec<i64>,
    count_repeats: bool,
    bootstrap: usize,
    per_promoter: bool,
    name: Option<String>,
    frame: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let mut seen = std::collections::HashSet::new();
    let k: Vec<i64> = k.into_iter().filter(|x| seen.insert(*x)).collect();
    let ks = k
        .iter()
        .map(|&k| {
            usize::try_from(k).ok().filter(|&k| k > 0).ok_or_else(|| {
                value_error(
                    "InvalidRequestError",
                    format!("k: {k} is not a positive cut-off"),
                )
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let mut cfg = EvalConfig {
        ks,
        count_repeats,
        ..EvalConfig::default()
    };
    cfg.bootstrap.resamples = bootstrap;
    let ranker = model.ranker.clone();
    let data = Arc::clone(&test.inner);
    // On a worker thread, so that Ctrl-C raises at once and the evaluation stops.
    let batch = progress::run(py, None, move |w| {
        let mut r = kocrank::eval::evaluate_with(&ranker, &data, &cfg, &w.cancel)?;
        if let Some(name) = name {
            r.model = name;
        }
        if per_promoter {
            promoter_batch(&r)
        } else {
            report_batch(&r)
        }
    })?
    .py_err()?;
    frame_out(py, batch, frame)
}

/// One row per (promoter, k): `model, promoter_id, k` and the list metrics.
fn promoter_batch(r: &EvalReport) -> kocrank::Result<arrow_array::RecordBatch> {
    let pm = &r.per_promoter;
    let n_metrics = ListMetrics::NAMES.len();
    let rows = pm.promoter_ids.len() * pm.n_ks;
    let mut ids = Vec::with_capacity(rows);
    let mut ks = Vec::with_capacity(rows);
    let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(rows); n_metrics];
    let width = pm.n_ks * n_metrics;
    for (id, row) in pm
        .promoter_ids
        .iter()
        .zip(pm.values.chunks_exact(width.max(1)))
    {
        for (j, per_k) in row.chunks_exact(n_metrics).enumerate() {
            ids.push(id.as_str());
            ks.push(
                r.ks.get(j)
                    .map_or(0, |&k| i64::try_from(k).unwrap_or(i64::MAX)),
            );
            for (col, &v) in values.iter_mut().zip(per_k) {
                col.push(v);
            }
        }
    }
    let n = ids.len();
    let mut cols: Vec<(&str, ArrayRef)> = vec![
        (
            "model",
            Arc::new(StringArray::from(vec![r.model.as_str(); n])),
        ),
        ("promoter_id", Arc::new(StringArray::from(ids))),
        ("k", Arc::new(Int64Array::from(ks))),
    ];
    for (name, col) in ListMetrics::NAMES.iter().zip(values) {
        cols.push((name, Arc::new(Float64Array::from(col))));
    }
    batch_of(cols)
}
