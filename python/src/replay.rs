//! `kocrank.replay`: what a model's lists would earn if promoters shared from them.

use crate::convert::{auto_split, duration, timestamp};
use crate::errors::IntoPy;
use crate::model::PyModel;
use kocrank::synth::{self, PositionBias, ReplayConfig, ReplayOutcome, Scale};
use kocrank::Error;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

/// Replays the held-out window of a synthetic world with every promoter sharing from
/// her list instead of browsing, by the world's own funnel.
///
/// Offline metrics count only the logged orders a list contains; a list changes what
/// promoters share, and so what their groups buy. The synthetic world knows its funnel,
/// so it can say what a ranking would earn online: every share a promoter made in the
/// window is kept (same count, same time), its item picked from her top ``k`` by
/// position bias (``1 / log2(k + 1)``) and the world's share appeal (commission,
/// quality, price fit); her group orders it by the world's taste fit, price fit,
/// quality, brand and seller trust (never commission). Lists are compared on the same
/// random draws.
///
/// Parameters
/// ----------
/// model : Model or None
///     The model whose lists are replayed (trained on the same world's data before
///     ``at``); ``None`` gives what the promoters' own browsing earned in the window.
/// scale, seed
///     The world, as in :func:`kocrank.generate` (regenerated; it is deterministic).
/// at : int, str, date or datetime, default "auto"
///     Start of the window; ``"auto"`` is the last ``window`` of the data, as in
///     :meth:`Dataset.split`.
/// window : int, str or timedelta, default "30d"
/// k : int, default 20
///     List length each promoter picks from.
/// replay_seed : int, default 0
///     Seed of the replay's random draws.
/// position : {"log2", "reciprocal", "uniform"}, default "log2"
///     Where promoters look: position ``k`` weighs ``1 / log2(k + 1)``, ``1 / k`` or 1.
///
/// Returns
/// -------
/// dict
///     ``promoters`` and ``shares`` in the window; per promoter: ``orders``
///     (completed), ``units``, ``gmv`` and ``commission`` (currency units);
///     ``unknown_items``: listed ids the world does not know (0 for a model trained
///     on that world).
///
/// Examples
/// --------
/// >>> import kocrank
/// >>> world = kocrank.generate("tiny", seed=3)
/// >>> train, test = world.split(at="auto", window="30d")
/// >>> model = kocrank.train(train, {"model": "profile"})
/// >>> online = kocrank.replay(model, "tiny", seed=3)
/// >>> browsing = kocrank.replay(None, "tiny", seed=3)
/// >>> online["promoters"] == browsing["promoters"] and online["orders"] > 0
/// True
#[pyfunction]
#[pyo3(signature = (model, scale="tiny", seed=0, *, at=None, window=None, k=20, replay_seed=0, position="log2"))]
#[allow(clippy::too_many_arguments)]
pub fn replay<'py>(
    py: Python<'py>,
    model: Option<&PyModel>,
    scale: &str,
    seed: u64,
    at: Option<&Bound<'py, PyAny>>,
    window: Option<&Bound<'py, PyAny>>,
    k: i64,
    replay_seed: u64,
    position: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let position = match position.trim().to_ascii_lowercase().as_str() {
        "log2" => PositionBias::Log2,
        "reciprocal" => PositionBias::Reciprocal,
        "uniform" => PositionBias::Uniform,
        other => {
            return Err(Error::InvalidRequest {
                field: "position",
                message: format!(
                    "unknown position bias \"{other}\" (expected log2, reciprocal or uniform)"
                ),
            })
            .py_err()
        }
    };
    let scale = match scale.trim().to_ascii_lowercase().as_str() {
        "tiny" => Scale::Tiny,
        "small" => Scale::Small,
        other => {
            return Err(Error::InvalidRequest {
                field: "scale",
                message: format!(
                    "the replay needs a world in memory: tiny or small, not \"{other}\""
                ),
            })
            .py_err()
        }
    };
    let k = match usize::try_from(k) {
        Ok(k) if k > 0 => k,
        _ => {
            return Err(Error::InvalidRequest {
                field: "k",
                message: format!("k must be at least 1, got {k}"),
            })
            .py_err()
        }
    };
    let window = match window {
        Some(w) if !w.is_none() => duration(w, "window")?,
        _ => 30 * 86_400,
    };
    let at = match at {
        Some(a)
            if !a.is_none()
                && !a
                    .cast::<PyString>()
                    .is_ok_and(|s| s.to_string().eq_ignore_ascii_case("auto")) =>
        {
            Some(timestamp(a, "at")?)
        }
        _ => None,
    };
    let ranker = model.map(|m| m.ranker.clone());
    let cfg = ReplayConfig {
        k,
        seed: replay_seed,
        position,
    };
    let out: ReplayOutcome = py
        .detach(|| {
            let world = synth::generate(scale, seed)?;
            let at = match at {
                Some(t) => t,
                None => auto_split(&world.dataset, window)?,
            };
            match &ranker {
                None => synth::logged(&world, at, window),
                Some(r) => kocrank::study::replay_ranker(&world, at, window, &cfg, r),
            }
        })
        .py_err()?;
    let d = PyDict::new(py);
    d.set_item("promoters", out.promoters)?;
    d.set_item("shares", out.shares)?;
    d.set_item("orders", out.orders)?;
    d.set_item("units", out.units)?;
    d.set_item("gmv", out.gmv)?;
    d.set_item("commission", out.commission)?;
    d.set_item("unknown_items", out.unknown_items)?;
    Ok(d)
}
