//! Fitting one named model: a [`Dataset`] and a [`Config`] in, a [`Model`] out.
//! [`crate::train()`] calls this for every kind but `auto`, which searches over these
//! fits ([`crate::auto`]).

use crate::auto::Progress;
use crate::blend::features::FeatureSource;
use crate::blend::Blend;
use crate::config::Config;
use crate::config::ModelKind;
use crate::data::Dataset;
use crate::data::History;
use crate::error::{Error, Result};
use crate::model::{fit_cheap, BlendSignal, Model, Signal};
use crate::signals::ease::Ease;
use crate::signals::ials::Ials;
use crate::signals::item_knn::ItemKnn;
use crate::signals::quality::Quality;
use crate::signals::repurchase::Repurchase;
use crate::signals::Scorer;
use crate::train::Watch;
use std::sync::Arc;

/// Checks that `data` can train anything: an item and a completed order.
pub(crate) fn check_trainable(data: &Dataset, history: &History) -> Result<()> {
    if data.catalog.is_empty() {
        return Err(Error::Empty("cannot train: the dataset has no item".into()));
    }
    if history.nnz() == 0 {
        return Err(Error::Empty(format!(
            "cannot train: no completed order among {} orders",
            data.orders.len()
        )));
    }
    Ok(())
}

/// Fits the named model `config.model` (not `auto`) on the completed orders of
/// `data`. The training time is one second after the last order. iALS sweeps are
/// reported to `watch`, and the fit stops with [`Error::Cancelled`] once its flag is set
/// (read between sweeps and between components).
pub(crate) fn fit_watched(data: &Dataset, config: &Config, watch: &Watch<'_>) -> Result<Model> {
    config.validate()?;
    let history = data.history();
    check_trainable(data, &history)?;
    let trained_until = history.end();
    let learned = fit_learned(data, &history, i64::MAX, config, watch)?;
    watch.check(&format!("after fitting {}", config.model.as_str()))?;
    Model::from_parts(
        config.clone(),
        Arc::clone(&data.catalog),
        Arc::clone(&data.promoters),
        history,
        trained_until,
        learned,
    )
    .map(|m| m.with_shares_of(data))
}

/// Fits the model's scorer when it is a learned one (stored in the model file), or
/// returns `None` for the cheap ones that [`Model::from_parts`] fits itself. The
/// interaction models fit on the events of `data` before `until` as `config.events`
/// weighs them ([`crate::data::events`]); `history` is the completed orders before it.
fn fit_learned(
    data: &Dataset,
    history: &History,
    until: i64,
    config: &Config,
    watch: &Watch<'_>,
) -> Result<Option<Signal>> {
    watch.check(&format!("before fitting {}", config.model.as_str()))?;
    let interactions =
        || crate::data::events::training_history(data, history, until, &config.events);
    match config.model {
        ModelKind::Auto => Err(Error::InvalidRequest {
            field: "model",
            message: "auto is resolved by kocrank::train, not fitted as such".into(),
        }),
        ModelKind::Baseline | ModelKind::Popularity | ModelKind::Profile | ModelKind::BuyAgain => {
            Ok(None)
        }
        ModelKind::Ials => Ok(Some(Signal::Ials(Ials::fit_cancellable(
            &interactions(),
            data.catalog.len(),
            data.promoters.len(),
            &config.ials,
            &|done, total| watch.emit(Progress::Sweep { done, total }),
            watch.cancel,
        )?))),
        ModelKind::ItemKnn => Ok(Some(Signal::ItemKnn(ItemKnn::fit(
            &interactions(),
            data.catalog.len(),
            &config.item_knn,
        )))),
        ModelKind::Ease => Ok(Some(Signal::Ease(Ease::fit(
            &interactions(),
            data.catalog.len(),
            &config.ease,
        )?))),
        ModelKind::Blend => fit_blend(data, history, config, watch).map(Some),
    }
}

/// Fits one component of a blend on `history` as of `now`.
fn fit_component(
    kind: ModelKind,
    data: &Dataset,
    history: &History,
    now: i64,
    config: &Config,
    quality: &Quality,
    watch: &Watch<'_>,
) -> Result<Signal> {
    if let Some(s) = fit_cheap(
        kind,
        config,
        &data.catalog,
        &data.promoters,
        history,
        now,
        quality,
    ) {
        return Ok(s);
    }
    let cfg = Config {
        model: kind,
        ..config.clone()
    };
    fit_learned(data, history, now, &cfg, watch)?.ok_or_else(|| {
        Error::Internal(format!(
            "blend component {} cannot be fitted",
            kind.as_str()
        ))
    })
}

/// Trains the blend (see [`crate::blend`]) on a label window at the end of the
/// training data: components fitted on the orders before the window score candidates;
/// the learner learns which were ordered in the window; then the components are
/// refitted on all the training orders.
fn fit_blend(
    data: &Dataset,
    history: &History,
    config: &Config,
    watch: &Watch<'_>,
) -> Result<Signal> {
    let (past, labels, t_label) = crate::blend::label_window(data, history, &config.blend)?;
    fit_blend_on(data, &past, &labels, t_label, history, config, watch)
}

/// Trains the blend with components fitted on `past` (as of `t_label`) and labels
/// from `labels` (the orders each promoter brought after `past`, or held out from
/// it), then refits the components on `history`, everything the model serves with.
fn fit_blend_on(
    data: &Dataset,
    past: &History,
    labels: &History,
    t_label: i64,
    history: &History,
    config: &Config,
    watch: &Watch<'_>,
) -> Result<Signal> {
    let past_components = fit_components(data, past, t_label, config, watch)?;
    let blend = fit_blend_learner(data, past, &past_components, labels, t_label, config)?;
    watch.check("after fitting the blend's learner")?;
    let serving = fit_components(data, history, history.end(), config, watch)?;
    Ok(blend_signal(blend, serving))
}

/// Fits every component of `config.blend` on `history` as of `now`.
pub(crate) fn fit_components(
    data: &Dataset,
    history: &History,
    now: i64,
    config: &Config,
    watch: &Watch<'_>,
) -> Result<Vec<(ModelKind, Signal)>> {
    if history.nnz() == 0 {
        return Err(Error::Empty(
            "cannot train the blend: no order to fit its components on".into(),
        ));
    }
    let quality = Quality::fit(&data.catalog, &config.quality);
    config
        .blend
        .components
        .iter()
        .map(|&k| {
            Ok((
                k,
                fit_component(k, data, history, now, config, &quality, watch)?,
            ))
        })
        .collect()
}

/// The blend's signal as a model holds it: the learner and its learned components
/// (cheap ones are refitted by [`Model::from_parts`]).
pub(crate) fn blend_signal(blend: Blend, components: Vec<(ModelKind, Signal)>) -> Signal {
    let components = components
        .into_iter()
        .filter(|(k, _)| !k.is_cheap())
        .collect();
    Signal::Blend(Box::new(BlendSignal { blend, components }))
}

/// Fits the blend's learner: `past_components` (fitted on `past` as of `t_label`)
/// score candidates, and the learner learns which of them each promoter ordered in
/// `labels`. [`crate::auto`] calls this with its validation split, so the blend
/// trains on logs of any time span, timestamps or not. This builds what the features
/// read from `config` (quality, and repurchase cycles on `past`); the pairs and the
/// learner are [`crate::blend::fit_learner`]'s.
pub(crate) fn fit_blend_learner(
    data: &Dataset,
    past: &History,
    past_components: &[(ModelKind, Signal)],
    labels: &History,
    t_label: i64,
    config: &Config,
) -> Result<Blend> {
    let quality = Quality::fit(&data.catalog, &config.quality);
    let repurchase = Repurchase::fit(past, &data.catalog, &config.repurchase);
    let scorers: Vec<&dyn Scorer> = past_components
        .iter()
        .filter_map(|(_, s)| s.as_scorer())
        .collect();
    let source = FeatureSource {
        catalog: &data.catalog,
        quality: &quality,
        repurchase: &repurchase,
        shares: false,
    };
    let past_shares = crate::data::network::recent_shares(
        &data.shares,
        data.promoters.len(),
        config.blend.share_memory,
        t_label,
    );
    let shared = if config.blend.share_negatives > 0 {
        crate::blend::window_shares(data, t_label)
    } else {
        Vec::new()
    };
    crate::blend::fit_learner(
        &data.promoters,
        past,
        &scorers,
        labels,
        &shared,
        &past_shares,
        t_label,
        &config.blend,
        source,
    )
}
