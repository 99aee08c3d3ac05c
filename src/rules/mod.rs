//! Business rules applied to scored candidates, whatever made the scores
//! (`shared/DOMAIN.md` §6).
//!
//! Two kinds, in this order:
//! 1. **Filters** (stock, already bought, blocked categories, a quality floor, request
//!    exclusions) set a candidate's score to `f32::NEG_INFINITY`; no later step
//!    returns such a candidate, so a filter cannot be undone.
//! 2. **Re-ranking** (`rules::rerank`) builds the list greedily from the best-scored
//!    candidates: campaign boosts for brands (at most so many boosted items per list),
//!    per-category and per-brand caps, MMR-style diversity, and exploration slots for
//!    new items chosen by Thompson sampling. With none of them set, the list is the
//!    plain top-k.
//!
//! Every rule can be set per model (`[rules]` in the config) and replaced per request
//! ([`crate::RankRequest::rules`]).

pub(crate) mod rerank;

use crate::error::{check_range, ConfigError};
use serde::{Deserialize, Serialize};

/// Which items a promoter's circle already bought are left out of her list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExcludePurchased {
    /// Show bought items again (consumables are re-bought).
    Never,
    /// Leave out bought items of durable categories (a phone), keep consumables (rice).
    /// Durables are the categories whose repeat-purchase rate is low
    /// ([`crate::signals::repurchase`]). Default.
    #[default]
    Durables,
    /// Leave out every bought item.
    Always,
}

impl ExcludePurchased {
    /// Every rule, weakest first.
    pub const ALL: [ExcludePurchased; 3] = [
        ExcludePurchased::Never,
        ExcludePurchased::Durables,
        ExcludePurchased::Always,
    ];

    /// The name `parse` reads.
    pub fn as_str(self) -> &'static str {
        match self {
            ExcludePurchased::Never => "never",
            ExcludePurchased::Durables => "durables",
            ExcludePurchased::Always => "always",
        }
    }

    /// Parses `never`, `durables` or `always`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "never" => Ok(ExcludePurchased::Never),
            "durables" => Ok(ExcludePurchased::Durables),
            "always" => Ok(ExcludePurchased::Always),
            other => Err(format!(
                "unknown exclude_purchased \"{other}\" (expected never, durables or always)"
            )),
        }
    }
}

/// A campaign boost: items of `brand` gain `boost` (in score units; the blend's scores
/// are logs, so +0.7 doubles the expected value), for at most `max_items` items of a
/// list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandBoost {
    /// The brand's name as in the items table.
    pub brand: String,
    /// Added to the score of the brand's items, in (0, 10].
    pub boost: f64,
    /// At most this many boosted items per list (1..=100). Default 3.
    #[serde(default = "default_boost_items")]
    pub max_items: usize,
}

fn default_boost_items() -> usize {
    3
}

/// Exploration slots: a few positions of each list go to new items whose conversion is
/// still unknown, chosen by Thompson sampling (`shared/DOMAIN.md` §6.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Exploration {
    /// Positions reserved for new items, 0 = off (default). At most a third of `k`
    /// are used.
    pub slots: usize,
    /// An item listed fewer than this many days before the start (UTC) of the ranking
    /// day is new.
    /// Default 30.
    pub new_days: f64,
    /// How many of the promoter's best-scored new items compete for the slots.
    /// Default 50.
    pub pool: usize,
    /// Weight, in item-days, of the category prior on an item's order rate. Default 30.
    pub prior_days: f64,
    /// Seed; with the promoter and the UTC day of the request
    /// ([`crate::RankRequest::now`]) it fixes the draws, so a list is the same all day
    /// and changes the next. Default 0.
    pub seed: u64,
}

impl Default for Exploration {
    fn default() -> Self {
        Exploration {
            slots: 0,
            new_days: 30.0,
            pool: 50,
            prior_days: 30.0,
            seed: 0,
        }
    }
}

/// The rules of a list: filters, then re-ranking. Every re-ranking rule is off by
/// default.
///
/// ```
/// let rules: kocrank::rules::RulesConfig = toml::from_str(r#"
///     blocked_categories = ["3c"]
///     category_cap = 3
///     diversity = 0.5
///     boosts = [{ brand = "brand_fresh_01", boost = 0.7, max_items = 2 }]
///     exploration = { slots = 2 }
/// "#).unwrap();
/// assert!(rules.validate().is_ok());
/// assert!(rules.reranks());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RulesConfig {
    /// Leave out already bought items: `never`, `durables` (default) or `always`.
    pub exclude_purchased: ExcludePurchased,
    /// Leave out items that are out of stock. Default true.
    pub in_stock_only: bool,
    /// Leave out items under these category paths (a path or a prefix of one, e.g.
    /// `3c` or `fresh/fruit`). Unknown paths match nothing.
    pub blocked_categories: Vec<String>,
    /// Leave out items whose smoothed positive-review rate is below this. Default 0
    /// (off).
    pub min_quality: f64,
    /// At most this many items per category (at `cap_level`) in a list; 0 = no cap.
    pub category_cap: usize,
    /// The category level the cap counts at: 1 (e.g. `fresh`), 2 (`fresh/fruit`,
    /// default) or 3.
    pub cap_level: u8,
    /// At most this many items per brand in a list; 0 = no cap.
    pub brand_cap: usize,
    /// MMR diversity: a candidate's score is lowered by `diversity × max similarity`
    /// to the items already listed (1 for the same leaf category, 0.5 for the same
    /// level 2, 0.25 for the same level 1). Default 0 (off).
    pub diversity: f64,
    /// Campaign boosts for brands.
    pub boosts: Vec<BrandBoost>,
    /// Exploration slots for new items.
    pub exploration: Exploration,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig {
            exclude_purchased: ExcludePurchased::Durables,
            in_stock_only: true,
            blocked_categories: Vec::new(),
            min_quality: 0.0,
            category_cap: 0,
            cap_level: 2,
            brand_cap: 0,
            diversity: 0.0,
            boosts: Vec::new(),
            exploration: Exploration::default(),
        }
    }
}

impl RulesConfig {
    /// Checks the ranges.
    ///
    /// # Errors
    /// [`ConfigError`] naming the field (`rules.…`).
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range("rules.min_quality", self.min_quality, 0.0, 1.0, "[0, 1]")?;
        check_range("rules.diversity", self.diversity, 0.0, 100.0, "[0, 100]")?;
        if !(1..=3).contains(&self.cap_level) {
            return Err(ConfigError::Conflict(format!(
                "rules.cap_level must be 1, 2 or 3, not {}",
                self.cap_level
            )));
        }
        for (n, b) in self.boosts.iter().enumerate() {
            if !(b.boost.is_finite() && b.boost > 0.0 && b.boost <= 10.0) {
                return Err(ConfigError::Conflict(format!(
                    "rules.boosts[{n}].boost = {} is outside (0, 10]",
                    b.boost
                )));
            }
            if !(1..=100).contains(&b.max_items) {
                return Err(ConfigError::Conflict(format!(
                    "rules.boosts[{n}].max_items must be in 1..=100, not {}",
                    b.max_items
                )));
            }
        }
        let e = &self.exploration;
        if e.slots > 100 {
            return Err(ConfigError::Conflict(format!(
                "rules.exploration.slots must be at most 100, not {}",
                e.slots
            )));
        }
        check_range(
            "rules.exploration.new_days",
            e.new_days,
            0.0,
            3650.0,
            "[0, 3650]",
        )?;
        check_range(
            "rules.exploration.prior_days",
            e.prior_days,
            1e-3,
            1e6,
            "(0, 1e6]",
        )?;
        if e.pool == 0 || e.pool > 10_000 {
            return Err(ConfigError::Conflict(format!(
                "rules.exploration.pool must be in 1..=10000, not {}",
                e.pool
            )));
        }
        Ok(())
    }

    /// Whether any re-ranking rule is on (otherwise the list is the plain top-k).
    pub fn reranks(&self) -> bool {
        self.category_cap > 0
            || self.brand_cap > 0
            || self.diversity > 0.0
            || !self.boosts.is_empty()
            || self.exploration.slots > 0
    }
}

/// Sets the score of each candidate for which `drop(item)` holds to `-inf`.
pub fn filter(candidates: &[u32], scores: &mut [f32], mut drop: impl FnMut(u32) -> bool) {
    for (s, &i) in scores.iter_mut().zip(candidates) {
        if drop(i) {
            *s = f32::NEG_INFINITY;
        }
    }
}
