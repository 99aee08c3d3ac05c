//! Training: a [`Dataset`] and a [`Config`] in, a [`Model`] out.

use crate::config::Config;
use crate::config::ModelKind;
use crate::data::Dataset;
use crate::data::History;
use crate::error::{Error, Result};
use crate::model::{Model, Signal};
use crate::signals::ials::Ials;
use std::sync::Arc;

/// Trains the model `config.model` on the completed orders of `data`.
///
/// The training time ("now" for time decay and the default ranking time) is one second
/// after the last order.
///
/// # Errors
/// [`Error::Config`] when the configuration is invalid; [`Error::Empty`] when the
/// dataset has no item or no completed order.
///
/// # Examples
/// ```
/// use kocrank::{synth, train, Config};
/// let world = synth::generate(synth::Scale::Tiny, 1).unwrap();
/// let model = train(&world.dataset, &Config::default()).unwrap();
/// assert_eq!(model.catalog().len(), world.dataset.catalog.len());
/// ```
pub fn train(data: &Dataset, config: &Config) -> Result<Model> {
    config.validate()?;
    if data.catalog.is_empty() {
        return Err(Error::Empty("cannot train: the dataset has no item".into()));
    }
    let history = data.history();
    if history.nnz() == 0 {
        return Err(Error::Empty(format!(
            "cannot train: no completed order among {} orders",
            data.orders.len()
        )));
    }
    let trained_until = history
        .ts
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .saturating_add(1);
    let learned = fit_learned(data, &history, config)?;
    Ok(Model::from_parts(
        config.clone(),
        Arc::clone(&data.catalog),
        Arc::clone(&data.promoters),
        history,
        trained_until,
        learned,
    ))
}

/// Fits the model's scorer when it is a learned one (stored in the model file), or
/// returns `None` for the cheap ones that [`Model::from_parts`] fits itself.
fn fit_learned(data: &Dataset, history: &History, config: &Config) -> Result<Option<Signal>> {
    match config.model {
        ModelKind::Baseline | ModelKind::Popularity | ModelKind::Profile => Ok(None),
        ModelKind::Ials => Ok(Some(Signal::Ials(Ials::fit(
            history,
            data.catalog.len(),
            data.promoters.len(),
            &config.ials,
            &|_, _| {},
        )?))),
    }
}
