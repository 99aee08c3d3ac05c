//! Training: a [`Dataset`] and a [`Config`] in, a [`Model`] out.

use crate::auto::Progress;
use crate::config::{Config, ModelKind};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::model::Model;
use std::sync::atomic::{AtomicBool, Ordering};

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
    train_with(data, config, &silent, &NEVER)
}

/// [`train()`] that reports its steps to `progress` and stops when another thread
/// sets `cancel`.
///
/// `progress` hears what `auto` hears ([`Progress`]: the start, each trial, each
/// stage) and, for iALS fits (named or in `auto`'s trials), each sweep
/// ([`Progress::Sweep`]). It runs on the training thread, between steps.
///
/// `cancel` is read between trials, between stages and between iALS sweeps, never in
/// the middle of one, so a set flag stops the call within one such step (one sweep of
/// an iALS fit, one EASE solve, one trial's scoring). The flag is only read: while it
/// stays unset the result is exactly [`train()`]'s.
///
/// # Errors
/// As [`train()`], and [`Error::Cancelled`] once `cancel` is set.
///
/// # Examples
/// ```
/// use kocrank::{synth, train_with, Config, Error};
/// use std::sync::atomic::AtomicBool;
/// let world = synth::generate(synth::Scale::Tiny, 1).unwrap();
/// let stop = AtomicBool::new(true); // set before the call: nothing is trained
/// let got = train_with(&world.dataset, &Config::default(), &|_| {}, &stop);
/// assert!(matches!(got, Err(Error::Cancelled(_))));
/// ```
pub fn train_with(
    data: &Dataset,
    config: &Config,
    progress: &dyn Fn(Progress<'_>),
    cancel: &AtomicBool,
) -> Result<Model> {
    let watch = Watch { progress, cancel };
    watch.check("training had not started")?;
    // A dataset built or edited by hand is an error here, never a panic in a fit.
    data.check()?;
    if config.model == ModelKind::Auto {
        crate::auto::train_watched(data, config, &watch)
    } else {
        crate::fit::fit_watched(data, config, &watch)
    }
}

/// A flag that is never set, for calls nobody can cancel.
pub(crate) static NEVER: AtomicBool = AtomicBool::new(false);

/// A progress callback that ignores everything.
pub(crate) fn silent(_: Progress<'_>) {}

/// What a long training call reports to and is stopped by: the caller's progress
/// callback and cancel flag.
pub(crate) struct Watch<'a> {
    /// Hears each step.
    pub progress: &'a dyn Fn(Progress<'_>),
    /// Set by the caller (from another thread) to stop.
    pub cancel: &'a AtomicBool,
}

impl Watch<'_> {
    /// [`Error::Cancelled`] naming `where_` when the flag is set.
    pub(crate) fn check(&self, where_: &str) -> Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(Error::Cancelled(format!("training stopped ({where_})")))
        } else {
            Ok(())
        }
    }

    /// Reports `p`.
    pub(crate) fn emit(&self, p: Progress<'_>) {
        (self.progress)(p);
    }
}
