//! What a model holds, for `Model.item_factors`, `Model.similar_items`, `Model.score`
//! and pickling: the helpers behind those methods.

use crate::convert::frame_out;
use crate::errors::IntoPy;
use crate::frames::batch_of;
use crate::model::PyModel;
use arrow_array::{ArrayRef, Float32Array, StringArray};
use kocrank::{model_file, RankRequest, Ranker};
use numpy::PyArray2;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// Factors as a read-only numpy array that borrows the model's memory (no copy); the
/// array keeps `owner` alive.
pub fn factors<'py>(
    owner: &Bound<'py, PyModel>,
    promoters: bool,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let model = owner.get().ranker.model();
    let view = if promoters {
        model.promoter_factors()
    } else {
        model.item_factors()
    };
    let Some(view) = view else {
        return Ok(None);
    };
    // SAFETY: the view points into the `Arc<Model>` of a frozen `PyModel`, which is
    // never mutated or replaced; the array holds a reference to that object, so the
    // memory outlives the array. The array is made read-only below.
    let array = unsafe { PyArray2::borrow_from_array(&view, owner.clone().into_any()) };
    array.call_method1("setflags", (false,))?;
    Ok(Some(array.into_any()))
}

/// `similar_items` as a frame `item_id, score`.
pub fn similar_items<'py>(
    py: Python<'py>,
    model: &PyModel,
    item_id: &str,
    k: usize,
    frame: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let ranker = model.ranker.clone();
    let id = item_id.to_string();
    let pairs = py
        .detach(|| ranker.model().similar_items(&id, k))
        .py_err()?;
    let ids: Vec<&str> = pairs.iter().map(|(i, _)| i.as_str()).collect();
    let scores: Vec<f32> = pairs.iter().map(|(_, s)| *s).collect();
    let batch = batch_of(vec![
        ("item_id", Arc::new(StringArray::from(ids)) as ArrayRef),
        ("score", Arc::new(Float32Array::from(scores))),
    ])
    .py_err()?;
    frame_out(py, batch, frame)
}

/// Scores of `(promoter, item)` pairs in their order: one `Ranker::score` call per
/// distinct promoter, in parallel. Null where the model cannot place the item.
pub fn score_pairs(
    ranker: &Ranker,
    promoters: &[String],
    items: &[String],
) -> kocrank::Result<Vec<Option<f32>>> {
    let mut rows_of: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (r, p) in promoters.iter().enumerate() {
        let e = rows_of.entry(p.as_str()).or_insert_with(|| {
            order.push(p.as_str());
            Vec::new()
        });
        e.push(r);
    }
    let scored: Vec<(Vec<usize>, Vec<f32>)> = order
        .par_iter()
        .map(|&p| {
            let rows = rows_of.get(p).cloned().unwrap_or_default();
            let mut req = RankRequest::new(p, 1);
            req.candidates = Some(rows.iter().filter_map(|&r| items.get(r).cloned()).collect());
            ranker.score(&req).map(|s| (rows, s))
        })
        .collect::<kocrank::Result<_>>()?;
    let mut out = vec![None; promoters.len()];
    for (rows, scores) in scored {
        for (r, s) in rows.into_iter().zip(scores) {
            if let Some(slot) = out.get_mut(r) {
                *slot = s.is_finite().then_some(s);
            }
        }
    }
    Ok(out)
}

/// The model file's bytes (what pickling stores).
pub fn to_bytes<'py>(py: Python<'py>, model: &PyModel) -> PyResult<Bound<'py, PyBytes>> {
    let ranker = model.ranker.clone();
    let bytes = py
        .detach(|| model_file::to_bytes(ranker.model()))
        .py_err()?;
    Ok(PyBytes::new(py, &bytes))
}

/// A model from the bytes of a model file.
#[pyfunction]
pub fn _model_from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PyModel> {
    let model = py
        .detach(|| model_file::from_bytes(data, std::path::Path::new("<bytes>")))
        .py_err()?;
    Ok(PyModel {
        ranker: Ranker::new(model),
    })
}
