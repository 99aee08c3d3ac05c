//! A trained model: the fitted signals, the rule defaults and the catalogue and promoter
//! tables as they were at training time. Immutable once built; rank with a
//! [`crate::Ranker`].

use crate::blend::features::FeatureSource;
use crate::blend::{Blend, BlendScorer, Contribution};
use crate::config::{Config, ModelKind};
use crate::data::{Catalog, History, ItemIdx, PromoterIdx, Promoters};
use crate::error::{Error, Result};
use crate::rules::rerank::ItemStats;
use crate::signals::baseline::Baseline;
use crate::signals::buy_again::BuyAgain;
use crate::signals::ease::Ease;
use crate::signals::ials::Ials;
use crate::signals::item_knn::ItemKnn;
use crate::signals::popularity::Popularity;
use crate::signals::profile::Profile;
use crate::signals::quality::Quality;
use crate::signals::repurchase::Repurchase;
use crate::signals::{Context, Scorer};
use std::sync::Arc;

/// The fitted scorer of a model. Cheap signals are refitted from the model's parts on
/// load; learned ones (fitted by [`crate::train`] at some cost) are stored in the model
/// file's `learned` section and passed to [`Model::from_parts`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Signal {
    Baseline(Baseline),
    Popularity(Popularity),
    Profile(Profile),
    BuyAgain(BuyAgain),
    Ials(Ials),
    ItemKnn(ItemKnn),
    Ease(Ease),
    Blend(Box<BlendSignal>),
}

/// A learned blend and its component signals, in the order of `blend.components`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BlendSignal {
    pub blend: Blend,
    /// `(kind, signal)`; from the model file only the learned components come, and
    /// [`Model::from_parts`] refits the cheap ones.
    pub components: Vec<(ModelKind, Signal)>,
}

impl BlendSignal {
    /// The blend as a scorer over its components, reading features from `source`.
    pub(crate) fn scorer<'a>(&'a self, source: FeatureSource<'a>) -> BlendScorer<'a> {
        BlendScorer {
            blend: &self.blend,
            components: self
                .components
                .iter()
                .filter_map(|(_, s)| s.as_scorer())
                .collect(),
            source: FeatureSource {
                shares: self.blend.reads_shares(),
                ..source
            },
        }
    }
}

impl Signal {
    /// Whether this signal is refitted from the model's parts (not stored).
    pub(crate) fn is_cheap(&self) -> bool {
        matches!(
            self,
            Signal::Baseline(_) | Signal::Popularity(_) | Signal::Profile(_) | Signal::BuyAgain(_)
        )
    }

    /// The signal as a scorer; `None` for a blend (which scores through its model).
    pub(crate) fn as_scorer(&self) -> Option<&dyn Scorer> {
        match self {
            Signal::Baseline(b) => Some(b),
            Signal::Popularity(p) => Some(p),
            Signal::Profile(p) => Some(p),
            Signal::BuyAgain(b) => Some(b),
            Signal::Ials(m) => Some(m),
            Signal::ItemKnn(k) => Some(k),
            Signal::Ease(e) => Some(e),
            Signal::Blend(_) => None,
        }
    }
}

/// Fits the cheap signal `kind` on `history` (as of `now`); `None` for learned kinds.
pub(crate) fn fit_cheap(
    kind: ModelKind,
    config: &Config,
    catalog: &Catalog,
    promoters: &Promoters,
    history: &History,
    now: i64,
    quality: &Quality,
) -> Option<Signal> {
    match kind {
        ModelKind::Baseline => Some(Signal::Baseline(Baseline::fit(
            catalog,
            quality,
            &config.baseline,
        ))),
        ModelKind::Popularity => Some(Signal::Popularity(Popularity::fit(
            history,
            promoters,
            catalog.len(),
            now,
            &config.popularity,
        ))),
        ModelKind::Profile => Some(Signal::Profile(Profile::fit(
            history,
            catalog,
            promoters,
            now,
            &config.profile,
        ))),
        ModelKind::BuyAgain => Some(Signal::BuyAgain(BuyAgain::fit(
            history,
            promoters,
            catalog.len(),
            now,
            &config.buy_again,
            &config.popularity,
        ))),
        ModelKind::Auto
        | ModelKind::Ials
        | ModelKind::ItemKnn
        | ModelKind::Ease
        | ModelKind::Blend => None,
    }
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
    pub(crate) item_stats: ItemStats,
    pub(crate) signal: Signal,
    /// The last shares of the promoters with no completed order, which rank them
    /// ([`crate::data::network::newcomer_shares`]); empty without shares.
    pub(crate) newcomer_shares: History,
    /// Every promoter's last shares ([`crate::blend::BlendConfig::share_memory`]), which the
    /// blend's share features read; empty unless the model is a blend that reads them.
    pub(crate) recent_shares: History,
    pub(crate) selection: Option<Arc<crate::selection::Selection>>,
    /// The fingerprint of the model file this model was loaded from (see
    /// [`crate::model_file::fingerprint`]); `None` for a model built in memory.
    pub(crate) file_fingerprint: Option<u32>,
}

impl Model {
    /// Fits every cheap signal from its parts; `learned` is the model's scorer when it
    /// is a learned one (see [`Signal`]). Deterministic: the same parts give the same
    /// model, which is how a loaded model file rebuilds its cheap statistics.
    ///
    /// # Errors
    /// [`Error::Internal`] when a learned model comes without its learned part.
    pub(crate) fn from_parts(
        config: Config,
        catalog: Arc<Catalog>,
        promoters: Arc<Promoters>,
        history: History,
        trained_until: i64,
        learned: Option<Signal>,
    ) -> Result<Model> {
        // Independent statistics over the catalogue: fitted side by side.
        let ((quality, popularity), (repurchase, item_stats)) = rayon::join(
            || {
                rayon::join(
                    || Quality::fit(&catalog, &config.quality),
                    || {
                        Popularity::fit(
                            &history,
                            &promoters,
                            catalog.len(),
                            trained_until,
                            &config.newcomer_popularity(),
                        )
                    },
                )
            },
            || {
                (
                    Repurchase::fit(&history, &catalog, &config.repurchase),
                    ItemStats::fit(&history, &catalog, trained_until),
                )
            },
        );
        let cheap = |kind| {
            fit_cheap(
                kind,
                &config,
                &catalog,
                &promoters,
                &history,
                trained_until,
                &quality,
            )
        };
        let signal = match (learned, cheap(config.model)) {
            (Some(Signal::Blend(mut b)), _) => {
                // Learned components came from the file; refit the cheap ones here.
                let mut learned: Vec<(ModelKind, Signal)> = std::mem::take(&mut b.components);
                let mut components = Vec::new();
                for &kind in &b.blend.config.components {
                    let name = kind.as_str();
                    let signal =
                        match cheap(kind) {
                            Some(s) => s,
                            None => {
                                let at = learned.iter().position(|(k, _)| *k == kind).ok_or_else(
                                    || {
                                        Error::Internal(format!(
                                            "blend component {name} has no learned part"
                                        ))
                                    },
                                )?;
                                learned.swap_remove(at).1
                            }
                        };
                    components.push((kind, signal));
                }
                b.components = components;
                Signal::Blend(b)
            }
            (Some(signal), _) => signal,
            (None, Some(signal)) => signal,
            (None, None) => {
                return Err(Error::Internal(format!(
                    "model {} needs its learned part, which is missing",
                    config.model.as_str()
                )))
            }
        };
        Ok(Model {
            config,
            trained_until,
            catalog,
            promoters,
            history,
            quality,
            popularity,
            repurchase,
            item_stats,
            signal,
            newcomer_shares: History::default(),
            recent_shares: History::default(),
            selection: None,
            file_fingerprint: None,
        })
    }

    /// This model with the newcomers' shares of `data` (see
    /// [`crate::data::network::newcomer_shares`]), read against the model's history,
    /// and, for a blend that reads shares, every promoter's last shares.
    pub(crate) fn with_shares_of(mut self, data: &crate::data::Dataset) -> Model {
        self.newcomer_shares = crate::data::network::newcomer_shares(
            &data.shares,
            &self.history,
            &self.config.network,
        );
        self.recent_shares = if self.reads_shares() {
            crate::data::network::recent_shares(
                &data.shares,
                self.promoters.len(),
                self.config.blend.share_memory,
                i64::MAX,
            )
        } else {
            History::default()
        };
        self
    }

    /// This model with newcomers ranked by a segment popularity of half-life
    /// `half_life_days` (`None`: `[popularity]`'s; see
    /// [`crate::data::network::NetworkConfig::newcomer_half_life_days`]), refitted from
    /// the model's history. Nothing else changes.
    ///
    /// # Errors
    /// [`Error::Config`] when the half-life is out of range.
    pub fn with_newcomer_half_life(mut self, half_life_days: Option<f64>) -> Result<Model> {
        let mut network = self.config.network.clone();
        network.newcomer_half_life_days = half_life_days;
        network.validate()?;
        self.config.network = network;
        self.popularity = Popularity::fit(
            &self.history,
            &self.promoters,
            self.catalog.len(),
            self.trained_until,
            &self.config.newcomer_popularity(),
        );
        Ok(self)
    }

    /// What `model = "auto"` tried and why it chose this model (`None` for a model
    /// trained by name).
    pub fn selection(&self) -> Option<&crate::selection::Selection> {
        self.selection.as_deref()
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

    /// Promoter `id`'s index in the model's promoter table (`None`: unknown at
    /// training time), for [`Ranker::rank_index`](crate::Ranker::rank_index).
    pub fn promoter_index(&self, id: &str) -> Option<PromoterIdx> {
        self.promoters.ids.get(id).map(PromoterIdx::new)
    }

    /// Item `id`'s index in the model's catalogue (`None`: not in it).
    pub fn item_index(&self, id: &str) -> Option<ItemIdx> {
        self.catalog.ids.get(id).map(ItemIdx::new)
    }

    /// The id of the item at `item` (`None`: outside the catalogue).
    pub fn item_id(&self, item: ItemIdx) -> Option<&str> {
        self.catalog.ids.name(item.get())
    }

    /// The training orders by promoter.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The last shares of each promoter with no completed order (empty rows for the
    /// others), which rank her until her first order; see
    /// [`crate::data::network::NetworkConfig::own_shares`].
    pub fn newcomer_shares(&self) -> &History {
        &self.newcomer_shares
    }

    /// Whether a promoter with `orders` completed orders of her own, not ranked from her
    /// shares, is ranked by the newcomer list (her segment's popularity) rather than by
    /// the model: with none, or fewer than
    /// [`crate::data::network::NetworkConfig::popularity_below`]. The baseline ranks
    /// everyone alike.
    pub(crate) fn by_newcomer_list(&self, orders: usize, from_shares: bool) -> bool {
        self.config.model != ModelKind::Baseline
            && !from_shares
            && orders < self.config.network.popularity_below.max(1)
    }

    /// Whether the model is a blend that reads shares (its share features).
    pub(crate) fn reads_shares(&self) -> bool {
        matches!(&self.signal, Signal::Blend(b) if b.blend.reads_shares())
    }

    /// Every promoter's last shares, which a blend with share features reads (see
    /// [`crate::blend::BlendConfig::share_memory`]); empty for other models.
    pub fn recent_shares(&self) -> &History {
        &self.recent_shares
    }

    /// Smoothed review quality of every item.
    pub fn quality(&self) -> &Quality {
        &self.quality
    }

    /// Repeat-purchase statistics.
    pub fn repurchase(&self) -> &Repurchase {
        &self.repurchase
    }

    /// Segment popularity, which ranks newcomers in every model (at
    /// [`crate::data::network::NetworkConfig::newcomer_half_life_days`] where it is set).
    pub fn popularity(&self) -> &Popularity {
        &self.popularity
    }

    /// The model's scorer if it is a learned one (carried over by live updates; the
    /// cheap parts of a blend are dropped and refitted).
    pub(crate) fn learned_signal(&self) -> Option<Signal> {
        match &self.signal {
            s if s.is_cheap() => None,
            Signal::Blend(b) => Some(Signal::Blend(Box::new(BlendSignal {
                blend: b.blend.clone(),
                components: b
                    .components
                    .iter()
                    .filter(|(_, s)| !s.is_cheap())
                    .cloned()
                    .collect(),
            }))),
            other => Some(other.clone()),
        }
    }

    /// The fitted blend (its weights or trees, value and trust settings), when this is
    /// a blend model.
    pub fn blend(&self) -> Option<&crate::blend::Blend> {
        match &self.signal {
            Signal::Blend(b) => Some(&b.blend),
            _ => None,
        }
    }

    /// The same model with the blend's value exponent γ set to `gamma` (a blend only;
    /// other models are returned unchanged). Nothing is refitted: γ enters at scoring
    /// time, so a sweep over γ trains once.
    ///
    /// # Errors
    /// [`Error::Config`] when `gamma` is outside [0, 2].
    pub fn with_gamma(&self, gamma: f64) -> Result<Model> {
        let mut m = self.clone();
        m.config.blend.gamma = gamma;
        m.config.blend.validate()?;
        if let Signal::Blend(b) = &mut m.signal {
            b.blend.config.gamma = gamma;
        }
        Ok(m)
    }

    /// This model with other default rules (the `[rules]` of its configuration), e.g.
    /// for a batch run that must not filter what the storefront filters.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first rule out of range.
    pub fn with_rules(mut self, rules: crate::rules::RulesConfig) -> Result<Model> {
        rules.validate()?;
        self.config.rules = rules;
        Ok(self)
    }

    /// The fitted iALS factors, when this is an `ials` model.
    pub fn ials(&self) -> Option<&Ials> {
        match &self.signal {
            Signal::Ials(ials) => Some(ials),
            _ => None,
        }
    }

    /// The model's scorer.
    pub fn scorer(&self) -> ModelScorer<'_> {
        ModelScorer { model: self }
    }

    /// The blend's breakdown of item `item`'s score for the context, when the model is
    /// a blend: the intercept, each feature's part, the value and trust terms; they sum
    /// to the score. An item outside the candidate pool (see
    /// [`crate::blend::BlendConfig::candidates_per_component`]) gets one more line,
    /// `outside_pool`, the difference its fallback place makes.
    pub fn breakdown(&self, ctx: &Context<'_>, item: u32) -> Option<Vec<Contribution>> {
        let Signal::Blend(b) = &self.signal else {
            return None;
        };
        Some(b.scorer(self.feature_source()).breakdown(ctx, item))
    }

    /// The blend's own `P̂(order)` of each of `candidates` for the context, when the
    /// model is a blend: `None` for a candidate outside its pool.
    pub(crate) fn order_probabilities(
        &self,
        ctx: &Context<'_>,
        candidates: &[u32],
    ) -> Option<Vec<Option<f64>>> {
        let Signal::Blend(b) = &self.signal else {
            return None;
        };
        Some(
            b.scorer(self.feature_source())
                .probabilities(ctx, candidates),
        )
    }

    pub(crate) fn feature_source(&self) -> FeatureSource<'_> {
        FeatureSource {
            catalog: &self.catalog,
            quality: &self.quality,
            repurchase: &self.repurchase,
            shares: false,
        }
    }
}

/// The scorer of a model, borrowed from it.
#[derive(Debug, Clone, Copy)]
pub struct ModelScorer<'a> {
    model: &'a Model,
}

impl Scorer for ModelScorer<'_> {
    fn name(&self) -> &'static str {
        self.model.kind().as_str()
    }

    fn score(&self, ctx: &Context<'_>, candidates: &[u32], out: &mut [f32]) {
        let m = self.model;
        match &m.signal {
            Signal::Blend(b) => b.scorer(m.feature_source()).score(ctx, candidates, out),
            other => {
                if let Some(s) = other.as_scorer() {
                    s.score(ctx, candidates, out);
                }
            }
        }
    }
}
