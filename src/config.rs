//! The one configuration tree, loadable from TOML or JSON, with defaults and validation.
//!
//! ```
//! let cfg = kocrank::Config::from_toml_str("model = \"popularity\"\n[popularity]\nhalf_life_days = 14.0").unwrap();
//! assert_eq!(cfg.model, kocrank::ModelKind::Popularity);
//! assert!(kocrank::Config::from_toml_str("[popularity]\nhalf_life_days = -1.0").is_err());
//! assert!(kocrank::Config::from_toml_str("modle = \"x\"").is_err()); // typos are errors
//! ```

use crate::blend::BlendConfig;
use crate::error::{ConfigError, Error, Result};
use crate::rules::RulesConfig;
use crate::signals::baseline::BaselineConfig;
use crate::signals::ease::EaseConfig;
use crate::signals::ials::IalsConfig;
use crate::signals::item_knn::ItemKnnConfig;
use crate::signals::popularity::PopularityConfig;
use crate::signals::profile::ProfileConfig;
use crate::signals::quality::QualityConfig;
use crate::signals::repurchase::RepurchaseConfig;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Which model ranks the items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Smoothed positive-review rate blended with commission; the same list for all.
    #[default]
    Baseline,
    /// Time-decayed popularity in the promoter's channel and city tier.
    Popularity,
    /// The promoter's circle profile: categories, brands and price bands her group
    /// buys, shrunk toward her channel.
    Profile,
    /// Implicit-feedback matrix factorisation (iALS): latent factors of circles and
    /// items learned from who ordered what.
    Ials,
    /// Item-to-item CF: neighbours of what her circle bought.
    ItemKnn,
    /// EASE (Steck 2019): a closed-form item × item linear model.
    Ease,
    /// A learned blend of component models and item features, valued by commission
    /// (see [`crate::blend`]).
    Blend,
}

impl ModelKind {
    /// All model kinds.
    pub const ALL: [ModelKind; 7] = [
        ModelKind::Baseline,
        ModelKind::Popularity,
        ModelKind::Profile,
        ModelKind::Ials,
        ModelKind::ItemKnn,
        ModelKind::Ease,
        ModelKind::Blend,
    ];

    /// The name used in configs and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Baseline => "baseline",
            ModelKind::Popularity => "popularity",
            ModelKind::Profile => "profile",
            ModelKind::Ials => "ials",
            ModelKind::ItemKnn => "item_knn",
            ModelKind::Ease => "ease",
            ModelKind::Blend => "blend",
        }
    }

    /// Parses a model name.
    ///
    /// # Errors
    /// A message listing the known names.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let t = text.trim().to_ascii_lowercase();
        ModelKind::ALL
            .into_iter()
            .find(|m| m.as_str() == t)
            .ok_or_else(|| {
                let names: Vec<&str> = ModelKind::ALL.iter().map(|m| m.as_str()).collect();
                format!(
                    "unknown model \"{text}\" (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// Everything that shapes a model and its lists. Every field has a default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The model. Default `baseline`.
    pub model: ModelKind,
    /// Review smoothing.
    pub quality: QualityConfig,
    /// The baseline's blend.
    pub baseline: BaselineConfig,
    /// Segment popularity.
    pub popularity: PopularityConfig,
    /// Circle profile.
    pub profile: ProfileConfig,
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
}

impl Config {
    /// Checks every section.
    ///
    /// # Errors
    /// The first [`ConfigError`] found.
    pub fn validate(&self) -> std::result::Result<(), ConfigError> {
        self.quality.validate()?;
        self.baseline.validate()?;
        self.popularity.validate()?;
        self.profile.validate()?;
        self.ials.validate()?;
        self.item_knn.validate()?;
        self.ease.validate()?;
        self.blend.validate()?;
        for c in &self.blend.components {
            ModelKind::parse(c)
                .map_err(|m| ConfigError::Conflict(format!("blend.components: {m}")))?;
        }
        self.rules.validate()?;
        self.repurchase.validate()
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
    /// # Errors
    /// As [`Config::from_toml_str`].
    pub fn from_json_str(text: &str) -> Result<Config> {
        let cfg: Config = serde_json::from_str(text).map_err(|e| ConfigError::Parse {
            path: "<json>".into(),
            message: e.to_string(),
        })?;
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
        let parsed = if is_json {
            serde_json::from_str::<Config>(&text).map_err(|e| e.to_string())
        } else {
            toml::from_str::<Config>(&text).map_err(|e| e.to_string())
        };
        let cfg = parsed.map_err(|message| ConfigError::Parse {
            path: path.display().to_string(),
            message,
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// The configuration as TOML, every field written out.
    pub fn to_toml_string(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot print config: {e}"))
    }
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
    fn errors_name_the_field() {
        let e = Config::from_toml_str("[baseline]\nquality_weight = -2.0")
            .unwrap_err()
            .to_string();
        assert!(e.contains("baseline.quality_weight"), "{e}");
        let e = Config::from_toml_str("model = \"magic\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("magic"), "{e}");
        assert!(ModelKind::parse("nope")
            .unwrap_err()
            .contains("baseline, popularity, profile, ials, item_knn, ease, blend"));
    }
}
