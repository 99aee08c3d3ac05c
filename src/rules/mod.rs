//! Business rules applied to scored candidates, whatever made the scores.
//!
//! A filtered candidate's score becomes `f32::NEG_INFINITY`; top-k selection never
//! returns such a candidate, so a filter cannot be undone by a later step.

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

/// Filters applied to every list unless a request overrides them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RulesConfig {
    /// Leave out already bought items: `never`, `durables` (default) or `always`.
    pub exclude_purchased: ExcludePurchased,
    /// Leave out items that are out of stock. Default true.
    pub in_stock_only: bool,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig {
            exclude_purchased: ExcludePurchased::Durables,
            in_stock_only: true,
        }
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
