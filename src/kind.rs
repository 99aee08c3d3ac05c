//! Which model ranks the items: the names used in configs, on the command line, in
//! the model file and as the blend's components.
//!
//! This sits on the bottom floor so that every configuration section (the blend's
//! component list included) can name models by a typed value.

use serde::{Deserialize, Serialize};

/// Which model ranks the items.
///
/// ```
/// use kocrank::ModelKind;
/// assert_eq!(ModelKind::parse("item_knn"), Ok(ModelKind::ItemKnn));
/// assert_eq!(ModelKind::default(), ModelKind::Auto);
/// assert!(ModelKind::parse("magic").unwrap_err().contains("auto, baseline"));
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// The default: profiles the data, carves a validation split from the training
    /// data, searches the other models within a time budget, stacks the best in a
    /// blend where that wins on validation, and refits the winner on everything
    /// (see [`crate::auto`]). A trained model is never of this kind: it is the kind
    /// that was chosen, with the search's report attached.
    #[default]
    Auto,
    /// Smoothed positive-review rate blended with commission; the same list for all.
    Baseline,
    /// Time-decayed popularity in the promoter's channel and city tier.
    Popularity,
    /// The promoter's circle profile: categories, brands and price bands her group
    /// buys, shrunk toward her channel.
    Profile,
    /// Buy again: the items her circle ordered, by time-decayed frequency, then the
    /// popular ones (see [`crate::signals::buy_again`]).
    BuyAgain,
    /// Implicit-feedback matrix factorisation (iALS): latent factors of circles and
    /// items learned from who ordered what.
    Ials,
    /// Item-to-item CF: neighbours of what her circle bought (cosine, TF-IDF, BM25 or
    /// RP3beta weights).
    ItemKnn,
    /// EASE (Steck 2019): a closed-form item × item linear model.
    Ease,
    /// A learned blend of component models and item features, valued by commission
    /// (see [`crate::blend`]).
    Blend,
}

impl ModelKind {
    /// All model kinds.
    pub const ALL: [ModelKind; 9] = [
        ModelKind::Auto,
        ModelKind::Baseline,
        ModelKind::Popularity,
        ModelKind::Profile,
        ModelKind::BuyAgain,
        ModelKind::Ials,
        ModelKind::ItemKnn,
        ModelKind::Ease,
        ModelKind::Blend,
    ];

    /// The name used in configs and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Auto => "auto",
            ModelKind::Baseline => "baseline",
            ModelKind::Popularity => "popularity",
            ModelKind::Profile => "profile",
            ModelKind::BuyAgain => "buy_again",
            ModelKind::Ials => "ials",
            ModelKind::ItemKnn => "item_knn",
            ModelKind::Ease => "ease",
            ModelKind::Blend => "blend",
        }
    }

    /// Whether the model is refitted from a model's parts on load (nothing of it is
    /// stored in the model file): cheap statistics of the history and catalogue.
    pub fn is_cheap(self) -> bool {
        matches!(
            self,
            ModelKind::Baseline | ModelKind::Popularity | ModelKind::Profile | ModelKind::BuyAgain
        )
    }

    /// Whether the model can be a component of the blend (every kind but the blend
    /// and `auto`).
    pub fn is_component(self) -> bool {
        !matches!(self, ModelKind::Blend | ModelKind::Auto)
    }

    /// Parses a model name (case and surrounding spaces ignored).
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

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
