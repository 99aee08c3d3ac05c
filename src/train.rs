//! Training: a [`Dataset`] and a [`Config`] in, a [`Model`] out.

use crate::config::{Config, ModelKind};
use crate::data::Dataset;
use crate::error::Result;
use crate::model::Model;

/// Trains the model `config.model` on the completed orders of `data`.
///
/// With the default `model = "auto"` it profiles the data, carves a validation split
/// from it, searches the models within `config.auto.budget_seconds`, and refits the
/// winner on everything; [`Model::selection`] says what was tried and why (see
/// [`crate::auto`]). Any other kind is fitted as named.
///
/// The training time ("now" for time decay and the default ranking time) is one second
/// after the last order.
///
/// # Errors
/// [`crate::Error::Config`] when the configuration is invalid;
/// [`crate::Error::Empty`] when the dataset has no item or no completed order.
///
/// # Examples
/// ```
/// use kocrank::{synth, train, Config, ModelKind};
/// let world = synth::generate(synth::Scale::Tiny, 1).unwrap();
/// let mut config = Config::default(); // model = "auto"
/// config.auto.max_trials = 4;
/// let model = train(&world.dataset, &config).unwrap();
/// assert_ne!(model.kind(), ModelKind::Auto);
/// println!("{}", model.selection().unwrap());
/// ```
pub fn train(data: &Dataset, config: &Config) -> Result<Model> {
    if config.model == ModelKind::Auto {
        crate::auto::train(data, config, &|_| {})
    } else {
        crate::fit::fit(data, config)
    }
}
