//! The commission–accuracy trade-off of a blend: one evaluation per value exponent γ,
//! on one trained model (γ enters at scoring time, nothing is refitted).

use super::{evaluate, EvalConfig, EvalReport};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::rank::Ranker;

/// The default γ grid of a sweep: 0, 0.1, …, 1.
pub const DEFAULT_GAMMAS: [f64; 11] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/// One point of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    /// The value exponent.
    pub gamma: f64,
    /// The evaluation at that γ (its `model` reads `blend γ=…`).
    pub report: EvalReport,
}

/// Evaluates `model` (a blend) on `test` at each γ of `gammas`.
///
/// # Errors
/// [`Error::WrongModel`] when the model is not a blend; [`Error::Config`] for a γ
/// outside [0, 2]; as [`evaluate`].
///
/// # Examples
/// ```
/// use kocrank::{eval, synth, train, Config, ModelKind};
/// let world = synth::generate(synth::Scale::Tiny, 2).unwrap();
/// let split = world.dataset.split(world.suggested_split(), 30 * 86_400).unwrap();
/// let mut config = Config { model: ModelKind::Blend, ..Config::default() };
/// config.blend.trees.count = 10;
/// let model = train(&split.train, &config).unwrap();
/// let cfg = eval::EvalConfig { bootstrap: eval::BootstrapConfig { resamples: 0, ..Default::default() }, ..Default::default() };
/// let points = eval::sweep_gamma(&model, &split.test, &[0.0, 1.0], &cfg).unwrap();
/// assert_eq!(points.len(), 2);
/// ```
pub fn sweep_gamma(
    model: &Model,
    test: &Dataset,
    gammas: &[f64],
    cfg: &EvalConfig,
) -> Result<Vec<SweepPoint>> {
    if model.kind() != crate::ModelKind::Blend {
        return Err(Error::WrongModel {
            operation: "a γ sweep",
            needs: "a blend model",
            found: model.kind().as_str(),
        });
    }
    gammas
        .iter()
        .map(|&gamma| {
            let ranker = Ranker::new(model.with_gamma(gamma)?);
            let mut report = evaluate(&ranker, test, cfg)?;
            report.model = format!("blend γ={gamma}");
            Ok(SweepPoint { gamma, report })
        })
        .collect()
}

/// A text table of a sweep at cut-off index `k_index`: NDCG, Recall, Commission and
/// ExpComm per γ, with the change against the first point (γ = 0 by convention: the
/// accuracy-only ranking) and, when given, against a reference report (e.g. the best
/// single model).
pub fn sweep_table(
    points: &[SweepPoint],
    k_index: usize,
    reference: Option<&EvalReport>,
) -> String {
    let k = points
        .first()
        .and_then(|p| p.report.ks.get(k_index))
        .copied()
        .unwrap_or(0);
    let mut out = format!(
        "{:>6} {:>9} {:>9} {:>13} {:>11} {:>10} {:>10}",
        "gamma",
        format!("ndcg@{k}"),
        format!("recall@{k}"),
        format!("commission@{k}"),
        format!("exp_comm@{k}"),
        "Δndcg",
        "Δcomm",
    );
    if let Some(r) = reference {
        out.push_str(&format!(
            " {:>14} {:>14}",
            format!("Δndcg vs {}", r.model),
            "Δcomm vs it"
        ));
    }
    out.push('\n');
    let first = points.first().and_then(|p| p.report.overall.get(k_index));
    let pct = |a: f64, b: f64| {
        if b > 0.0 {
            format!("{:+.1}%", 100.0 * (a / b - 1.0))
        } else {
            "-".into()
        }
    };
    for p in points {
        let Some(m) = p.report.overall.get(k_index) else {
            continue;
        };
        out.push_str(&format!(
            "{:>6.2} {:>9.4} {:>9.4} {:>13.2} {:>11.2} {:>10} {:>10}",
            p.gamma,
            m.ndcg,
            m.recall,
            m.commission,
            m.exp_commission,
            first.map_or("-".into(), |f| pct(m.ndcg, f.ndcg)),
            first.map_or("-".into(), |f| pct(m.commission, f.commission)),
        ));
        if let Some(r) = reference.and_then(|r| r.overall.get(k_index)) {
            out.push_str(&format!(
                " {:>14} {:>14}",
                pct(m.ndcg, r.ndcg),
                pct(m.commission, r.commission)
            ));
        }
        out.push('\n');
    }
    out
}
