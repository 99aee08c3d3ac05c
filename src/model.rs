//! A trained model: the fitted signals, the rule defaults and the catalogue and promoter
//! tables as they were at training time. Immutable once built; rank with a
//! [`crate::Ranker`].

use crate::config::{Config, ModelKind};
use crate::data::{Catalog, History, Promoters};
use crate::signals::baseline::Baseline;
use crate::signals::ials::Ials;
use crate::signals::popularity::Popularity;
use crate::signals::profile::Profile;
use crate::signals::quality::Quality;
use crate::signals::repurchase::Repurchase;
use crate::signals::Scorer;
use std::sync::Arc;

/// The fitted scorer of a model. Cheap signals are refitted from the model's parts on
/// load; learned ones (fitted by [`crate::train`] at some cost) are stored in the model
/// file's `learned` section and passed to [`Model::from_parts`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Signal {
    Baseline(Baseline),
    Popularity(Popularity),
    Profile(Profile),
    Ials(Ials),
}

/// A trained model. Build one with [`crate::train`], save and load it with
/// [`crate::model_file`].
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) config: Config,
    pub(crate) trained_until: i64,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) promoters: Arc<Promoters>,
    pub(crate) history: History,
    pub(crate) quality: Quality,
    pub(crate) popularity: Popularity,
    pub(crate) repurchase: Repurchase,
    pub(crate) signal: Signal,
}

impl Model {
    /// Fits every cheap signal from its parts; `learned` is the model's scorer when it
    /// is a learned one (see [`Signal`]). Deterministic: the same parts give the same
    /// model, which is how a loaded model file rebuilds its cheap statistics.
    pub(crate) fn from_parts(
        config: Config,
        catalog: Arc<Catalog>,
        promoters: Arc<Promoters>,
        history: History,
        trained_until: i64,
        learned: Option<Signal>,
    ) -> Model {
        let quality = Quality::fit(&catalog, &config.quality);
        let popularity = Popularity::fit(
            &history,
            &promoters,
            catalog.len(),
            trained_until,
            &config.popularity,
        );
        let repurchase = Repurchase::fit(&history, &catalog, &config.repurchase);
        let signal = match (config.model, learned) {
            (_, Some(signal)) => signal,
            (ModelKind::Baseline, None) => {
                Signal::Baseline(Baseline::fit(&catalog, &quality, &config.baseline))
            }
            // Learned kinds always arrive fitted (train, model file); popularity is the
            // fallback should one not.
            (ModelKind::Popularity | ModelKind::Ials, None) => {
                Signal::Popularity(popularity.clone())
            }
            (ModelKind::Profile, None) => Signal::Profile(Profile::fit(
                &history,
                &catalog,
                &promoters,
                trained_until,
                &config.profile,
            )),
        };
        Model {
            config,
            trained_until,
            catalog,
            promoters,
            history,
            quality,
            popularity,
            repurchase,
            signal,
        }
    }

    /// The configuration the model was trained with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Which model this is.
    pub fn kind(&self) -> ModelKind {
        self.config.model
    }

    /// The time the training data ends (unix seconds): the default "now" of ranking.
    pub fn trained_until(&self) -> i64 {
        self.trained_until
    }

    /// The catalogue at training time.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The promoters known at training time.
    pub fn promoters(&self) -> &Promoters {
        &self.promoters
    }

    /// The training orders by promoter.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Smoothed review quality of every item.
    pub fn quality(&self) -> &Quality {
        &self.quality
    }

    /// Repeat-purchase statistics.
    pub fn repurchase(&self) -> &Repurchase {
        &self.repurchase
    }

    /// Segment popularity (the cold-start fallback of every model).
    pub fn popularity(&self) -> &Popularity {
        &self.popularity
    }

    /// The model's scorer.
    pub fn scorer(&self) -> &dyn Scorer {
        match &self.signal {
            Signal::Baseline(b) => b,
            Signal::Popularity(p) => p,
            Signal::Profile(p) => p,
            Signal::Ials(m) => m,
        }
    }
}
