//! Studies: train several configurations and evaluate each on held-out data, the
//! orchestration behind `kocrank evaluate` and the demo. It sits above training
//! (which may search, `model = "auto"`) and evaluation, so neither depends on the
//! other. [`replay_ranker`] replays a synthetic world's window with each promoter
//! sharing from a ranker's lists, which keeps `synth` below ranking.

use crate::data::Dataset;
use crate::error::Result;
use crate::eval::protocol::fold_stats;
use crate::eval::{
    evaluate, leave_last_out, rolling_splits, EvalConfig, EvalReport, Fold, Protocol,
    ProtocolReport,
};
use crate::rank::RankRequest;
use crate::synth::{self, ReplayConfig, ReplayOutcome, World};
use crate::{Config, Ranker};

/// Trains each configuration on `split.train` and evaluates it on `split.test`: the
/// comparison behind `kocrank evaluate --models a,b,c`.
///
/// # Errors
/// As [`crate::train()`] and [`evaluate`].
pub fn compare(
    split: &crate::data::Split,
    configs: &[crate::Config],
    cfg: &EvalConfig,
) -> Result<Vec<EvalReport>> {
    configs
        .iter()
        .map(|c| {
            let model = crate::train(&split.train, c)?;
            evaluate(&Ranker::new(model), &split.test, cfg)
        })
        .collect()
}

/// Runs `protocol` on `ds`: splits, trains every configuration on each training set
/// and evaluates it on the matching test set through the [`Ranker`].
///
/// # Errors
/// As the splits ([`rolling_splits`], [`leave_last_out`], [`Dataset::split`]),
/// [`crate::train()`] and [`evaluate`].
///
/// # Examples
/// ```
/// use kocrank::eval::{EvalConfig, Protocol};
/// use kocrank::study::evaluate_protocol;
/// use kocrank::{synth, Config};
/// let world = synth::generate(synth::Scale::Tiny, 5)?;
/// let cfg = EvalConfig { ks: vec![10], ..EvalConfig::default() };
/// let rolling = Protocol::Rolling { windows: 2, window: 14 * 86_400 };
/// let r = evaluate_protocol(&world.dataset, &rolling, &[Config::with_model(kocrank::ModelKind::Baseline)], &cfg)?;
/// assert_eq!(r.folds.len(), 2);
/// assert!(r.folds[0].at < r.folds[1].at);
/// assert!(r.spread[0][0].ndcg >= 0.0);
/// # Ok::<(), kocrank::Error>(())
/// ```
pub fn evaluate_protocol(
    ds: &Dataset,
    protocol: &Protocol,
    configs: &[Config],
    cfg: &EvalConfig,
) -> Result<ProtocolReport> {
    let splits = match *protocol {
        Protocol::Temporal { at, window } => vec![ds.split(at, window)?],
        Protocol::Rolling { windows, window } => rolling_splits(ds, windows, window)?,
        Protocol::LeaveLastOut => vec![leave_last_out(ds)?],
    };
    let folds = splits
        .iter()
        .map(|split| {
            let reports = configs
                .iter()
                .map(|c| {
                    let model = crate::train(&split.train, c)?;
                    evaluate(&Ranker::new(model), &split.test, cfg)
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Fold {
                at: split.at,
                window: split.window,
                reports,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let (mean, spread) = fold_stats(&folds, configs.len(), cfg.ks.len());
    Ok(ProtocolReport {
        protocol: protocol.name().to_string(),
        leaky: protocol.is_leaky(),
        folds,
        mean,
        spread,
    })
}

/// [`synth::replay`] with each promoter's list from `ranker`: her top `cfg.k` under the
/// model's own rules, as the storefront would serve it.
///
/// # Errors
/// As [`synth::replay`]; a ranking error is returned as is.
pub fn replay_ranker(
    world: &World,
    at: i64,
    window: i64,
    cfg: &ReplayConfig,
    ranker: &Ranker,
) -> Result<ReplayOutcome> {
    synth::replay(world, at, window, cfg, |p| {
        let list = ranker.rank(&RankRequest::new(p, cfg.k))?;
        Ok(list.into_iter().map(|r| r.item_id).collect())
    })
}
