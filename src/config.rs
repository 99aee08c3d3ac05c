//! The one configuration tree, loadable from TOML or JSON, with defaults and validation.
//!
//! ```
//! let cfg = kocrank::Config::from_toml_str("model = \"popularity\"\n[popularity]\nhalf_life_days = 14.0").unwrap();
//! assert_eq!(cfg.model, kocrank::ModelKind::Popularity);
//! assert!(kocrank::Config::from_toml_str("[popularity]\nhalf_life_days = -1.0").is_err());
//! assert!(kocrank::Config::from_toml_str("modle = \"x\"").is_err()); // typos are errors
//! ```

use crate::blend::BlendConfig;
pub use crate::data::events::EventWeights;
pub use crate::data::network::NetworkConfig;
use crate::error::{ConfigError, Error, Result};
pub use crate::kind::ModelKind;
use crate::rules::RulesConfig;
use crate::signals::baseline::BaselineConfig;
use crate::signals::buy_again::BuyAgainConfig;
use crate::signals::ease::EaseConfig;
use crate::signals::ials::IalsConfig;
use crate::signals::item_knn::ItemKnnConfig;
use crate::signals::popularity::PopularityConfig;
use crate::signals::profile::ProfileConfig;
use crate::signals::quality::QualityConfig;
use crate::signals::repurchase::RepurchaseConfig;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Whether `auto` stacks its best candidates in a blend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stack {
    /// Try the blend when the budget leaves room, keep it where it wins on validation.
    #[default]
    Auto,
    /// Always ship the blend of the best candidates (when the data can train one).
    Always,
    /// Never try the blend.
    Never,
}

/// Settings of `model = "auto"` (see [`crate::auto`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AutoConfig {
    /// Wall-time budget of the whole training, search and refit included, in seconds.
    /// Default 120.
    pub budget_seconds: f64,
    /// Largest number of search trials (0 = as many as the budget allows). A trial
    /// count makes the search independent of the machine's speed. Default 0.
    pub max_trials: usize,
    /// Share of the training orders held out for validation, in (0, 0.5]. Default 0.1.
    pub validation_share: f64,
    /// Promoters sampled for validation (their held-out orders are scored; the others'
    /// orders all train), at least 100. Default 5000.
    pub validation_promoters: usize,
    /// Completed orders above which the search fits its trials on a seeded sample of
    /// promoters (the validation ones and others up to about this many orders), at
    /// least 10,000; the winner is refitted on everything. Default 5,000,000.
    pub search_orders: usize,
    /// Whether to stack the best candidates in a blend. Default `auto`.
    pub stack: Stack,
    /// Whether auto also chooses `rules.exclude_purchased` (never, durables or always)
    /// by the best model's validation NDCG@20: a log where nobody buys the same item
    /// twice scores best with her past items left out, a log of re-buys with them
    /// kept. `false` keeps the configured rule. Default `true`.
    pub choose_exclusion: bool,
    /// Whether auto also tries ranking newcomers by their segment's popularity at
    /// other half-lives (`network.newcomer_half_life_days` 7, 14 and 90), promoters
    /// with one to four orders by that popularity (`network.popularity_below` 2, 3 and
    /// 5), newcomers from their own shares (`network.own_shares = 50`) and from their
    /// inviter's orders
    /// (`network.inviter_orders = 50`, see [`crate::data::network`]) when the
    /// configuration has them off, and keeps each where the validation promoters'
    /// paired gain is at least [`crate::auto::STACK_Z`] standard errors
    /// ([`crate::auto::best_of_z`] where the best of several settings is kept). Default
    /// `true`.
    pub choose_network: bool,
    /// Seed of the carving, sampling and search. Default 0.
    pub seed: u64,
}

impl Default for AutoConfig {
    fn default() -> Self {
        AutoConfig {
            budget_seconds: 120.0,
            max_trials: 0,
            validation_share: 0.1,
            validation_promoters: 5000,
            search_orders: 5_000_000,
            stack: Stack::Auto,
            choose_exclusion: true,
            choose_network: true,
            seed: 0,
        }
    }
}

impl AutoConfig {
    /// Checks the ranges.
    ///
    /// # Errors
    /// [`ConfigError::OutOfRange`] naming the field.
    pub fn validate(&self) -> std::result::Result<(), ConfigError> {
        use crate::error::check_range;
        check_range(
            "auto.budget_seconds",
            self.budget_seconds,
            1.0,
            1e7,
            "[1, 1e7]",
        )?;
        check_range(
            "auto.validation_share",
            self.validation_share,
            1e-3,
            0.5,
            "(0, 0.5]",
        )?;
        check_range(
            "auto.validation_promoters",
            self.validation_promoters as f64,
            100.0,
            1e9,
            "[100, 1e9]",
        )?;
        check_range(
            "auto.search_orders",
            self.search_orders as f64,
            1e4,
            1e12,
            "[10000, 1e12]",
        )
    }
}

/// Everything that shapes a model and its lists. Every field has a default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The model. Default `auto` (see [`crate::auto`]).
    pub model: ModelKind,
    /// Review smoothing.
    pub quality: QualityConfig,
    /// The baseline's blend.
    pub baseline: BaselineConfig,
    /// Segment popularity.
    pub popularity: PopularityConfig,
    /// Circle profile.
    pub profile: ProfileConfig,
    /// Buy again (her own items by decayed frequency).
    pub buy_again: BuyAgainConfig,
    /// Item-to-item CF.
    pub item_knn: ItemKnnConfig,
    /// EASE.
    pub ease: EaseConfig,
    /// The learned blend.
    pub blend: BlendConfig,
    /// Repeat-purchase statistics (which categories are durables).
    pub repurchase: RepurchaseConfig,
    /// iALS matrix factorisation.
    pub ials: IalsConfig,
    /// Default business rules.
    pub rules: RulesConfig,
    /// The search of `model = "auto"`.
    pub auto: AutoConfig,
    /// Newcomers ranked from their inviter's orders.
    pub network: NetworkConfig,
    /// What each kind of event weighs for the models that learn from interactions.
    pub events: EventWeights,
}

/// A section of a [`Config`] set away from its defaults that the configured model
/// does not read: the setting has no effect (see [`Config::unused_sections`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnusedSection {
    /// The section's name, as in the config file (`item_knn`).
    pub section: &'static str,
    /// The model the section configures.
    pub serves: ModelKind,
    /// The model configured, which does not read the section.
    pub model: ModelKind,
}

impl std::fmt::Display for UnusedSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the [{}] section is set but model = \"{}\" does not read it; it serves model = \"{}\" (or a blend or auto that uses {})",
            self.section, self.model, self.serves, self.serves
        )
    }
}

impl Config {
    /// The sections of one model family that differ from their defaults although
    /// [`Config::model`] does not read them, each with the model it would serve, e.g.
    /// `[item_knn]` with `model = "popularity"`. Empty for `auto` and `blend`, which can
    /// use every family's section. Sections shared by several models (`popularity`,
    /// which also ranks newcomers, `quality`, `repurchase`, `rules`, `network`,
    /// `events`) are never reported.
    ///
    /// ```
    /// use kocrank::{Config, ModelKind};
    /// let mut cfg = Config::with_model(ModelKind::Popularity);
    /// cfg.item_knn.neighbours = 50;
    /// let unused = cfg.unused_sections();
    /// assert_eq!(unused.len(), 1);
    /// assert_eq!((unused[0].section, unused[0].serves), ("item_knn", ModelKind::ItemKnn));
    /// cfg.model = ModelKind::ItemKnn;
    /// assert!(cfg.unused_sections().is_empty());
    /// ```
    pub fn unused_sections(&self) -> Vec<UnusedSection> {
        if matches!(self.model, ModelKind::Auto | ModelKind::Blend) {
            return Vec::new();
        }
        let d = Config::default();
        let sections = [
            ("baseline", ModelKind::Baseline, self.baseline != d.baseline),
            ("profile", ModelKind::Profile, self.profile != d.profile),
            (
                "buy_again",
                ModelKind::BuyAgain,
                self.buy_again != d.buy_again,
            ),
            ("ials", ModelKind::Ials, self.ials != d.ials),
            ("item_knn", ModelKind::ItemKnn, self.item_knn != d.item_knn),
            ("ease", ModelKind::Ease, self.ease != d.ease),
            ("blend", ModelKind::Blend, self.blend != d.blend),
            ("auto", ModelKind::Auto, self.auto != d.auto),
        ];
        sections
            .into_iter()
            .filter(|&(_, serves, changed)| changed && serves != self.model)
            .map(|(section, serves, _)| UnusedSection {
                section,
                serves,
                model: self.model,
            })
            .collect()
    }

    /// Checks every section.
    ///
    /// # Errors
    /// The first [`ConfigError`] found.
    pub fn validate(&self) -> std::result::Result<(), ConfigError> {
        self.quality.validate()?;
        self.baseline.validate()?;
        self.popularity.validate()?;
        self.profile.validate()?;
        self.buy_again.validate()?;
        self.ials.validate()?;
        self.item_knn.validate()?;
        self.ease.validate()?;
        self.blend.validate()?;
        self.rules.validate()?;
        self.auto.validate()?;
        self.network.validate()?;
        self.events.validate()?;
        self.repurchase.validate()
    }

    /// The settings of the segment popularity that ranks newcomers: `[popularity]`'s,
    /// with [`NetworkConfig::newcomer_half_life_days`] where it is set.
    pub(crate) fn newcomer_popularity(&self) -> PopularityConfig {
        PopularityConfig {
            half_life_days: self
                .network
                .newcomer_half_life_days
                .unwrap_or(self.popularity.half_life_days),
            ..self.popularity.clone()
        }
    }

    /// The default configuration with another model, e.g.
    /// `Config::with_model(ModelKind::ItemKnn)`.
    pub fn with_model(model: ModelKind) -> Config {
        Config {
            model,
            ..Config::default()
        }
    }

    /// Parses and validates a TOML document.
    ///
    /// # Errors
    /// [`Error::Config`] for a syntax error, an unknown key or a value out of range.
    pub fn from_toml_str(text: &str) -> Result<Config> {
        let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: "<toml>".into(),
            message: e.to_string(),
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Parses and validates a JSON document.
    ///
    /// An error names the key at fault, not a position in the text, as the text is
    /// usually a serialised mapping (a Python dict):
    ///
    /// ```
    /// let e = kocrank::Config::from_json_str(r#"{"events": {"shares": 0.2}}"#).unwrap_err();
    /// assert!(e.to_string().contains("config: events.shares: unknown field `shares`"), "{e}");
    /// ```
    ///
    /// # Errors
    /// As [`Config::from_toml_str`].
    pub fn from_json_str(text: &str) -> Result<Config> {
        let cfg = parse_json(text, "config", false)?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Loads a `.toml` or `.json` file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::Config`] when it does not
    /// parse or validate (the message names the file).
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let origin = path.display().to_string();
        let cfg = if is_json {
            parse_json(&text, &origin, true)?
        } else {
            toml::from_str::<Config>(&text).map_err(|e| ConfigError::Parse {
                path: origin,
                message: e.to_string(),
            })?
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// The configuration as TOML, every field written out.
    pub fn to_toml_string(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot print config: {e}"))
    }
}

/// Parses JSON into a config; an error names the key at fault (`events.shares`) and,
/// with `position`, the line and column.
fn parse_json(
    text: &str,
    origin: &str,
    position: bool,
) -> std::result::Result<Config, ConfigError> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let key = e.path().to_string();
        let inner = e.into_inner();
        let mut message = inner.to_string();
        if !position && inner.line() > 0 {
            let at = format!(" at line {} column {}", inner.line(), inner.column());
            if let Some(plain) = message.strip_suffix(&at) {
                message = plain.to_string();
            }
        }
        if key != "." && !key.is_empty() {
            message = format!("{key}: {message}");
        }
        ConfigError::Parse {
            path: origin.to_string(),
            message,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips_through_toml_and_json() {
        let cfg = Config::default();
        assert_eq!(Config::from_toml_str(&cfg.to_toml_string()).unwrap(), cfg);
        let json = serde_json::to_string(&cfg).unwrap();
        assert_eq!(Config::from_json_str(&json).unwrap(), cfg);
    }

    #[test]
    fn unused_sections_name_the_model_they_serve() {
        let cfg = Config::from_json_str(
            r#"{"model": "popularity", "item_knn": {"neighbours": 50}, "ials": {"factors": 16}}"#,
        )
        .unwrap();
        let unused = cfg.unused_sections();
        let got: Vec<(&str, ModelKind)> = unused.iter().map(|u| (u.section, u.serves)).collect();
        assert_eq!(
            got,
            [("ials", ModelKind::Ials), ("item_knn", ModelKind::ItemKnn)]
        );
        let text = unused[1].to_string();
        assert!(
            text.contains("[item_knn]")
                && text.contains("model = \"popularity\"")
                && text.contains("serves model = \"item_knn\""),
            "{text}"
        );
        // The model that reads the section, and the ones that may read any, use it.
        for model in [ModelKind::Auto, ModelKind::Blend] {
            assert!(Config {
                model,
                ..cfg.clone()
            }
            .unused_sections()
            .is_empty());
        }
        let knn = Config {
            model: ModelKind::ItemKnn,
            ..cfg.clone()
        };
        assert_eq!(knn.unused_sections().len(), 1);
        // Defaults are never reported.
        assert!(Config::with_model(ModelKind::Popularity)
            .unused_sections()
            .is_empty());
    }

    #[test]
    fn errors_name_the_field() {
        let e = Config::from_toml_str("[baseline]\nquality_weight = -2.0")
            .unwrap_err()
            .to_string();
        assert!(e.contains("baseline.quality_weight"), "{e}");
        let e = Config::from_toml_str("model = \"magic\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("magic"), "{e}");
        assert!(ModelKind::parse("nope").unwrap_err().contains(
            "auto, baseline, popularity, profile, buy_again, ials, item_knn, ease, blend"
        ));
    }
}
