//! What `model = "auto"` tried and why it chose what it chose: the data profile, the
//! validation split, every trial with its validation figure and time, and the choice.
//! Stored in the model file, printed by `kocrank train`, shown by the report.

use crate::data::DataProfile;
use crate::kind::ModelKind;
use serde::{Deserialize, Serialize};

/// How the validation orders were carved from the training data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Holdout {
    /// The last orders in time (the use: rank now, judged by what comes next).
    Temporal,
    /// Random orders of each sampled promoter with two or more orders (the log has no
    /// usable time order).
    Random,
    /// Nothing could be held out; the documented fallback was chosen unvalidated.
    None,
}

/// One candidate tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    /// The model kind.
    pub kind: ModelKind,
    /// Its settings that differ between trials, e.g. `weighting=rp3beta alpha=1 beta=0.5`.
    pub params: String,
    /// `search` for a single model, `rule` for the best one under another
    /// `exclude_purchased`, `network` for it with newcomers ranked from their
    /// inviter's orders, `stack` for the blend of the best ones.
    pub stage: String,
    /// NDCG@20 on the validation promoters it was scored on.
    pub ndcg: f64,
    /// Its 95% bootstrap interval.
    pub lo: f64,
    /// Its 95% bootstrap interval.
    pub hi: f64,
    /// Validation promoters scored.
    pub promoters: usize,
    /// Wall time of the trial (fit and validation), in seconds.
    pub seconds: f64,
}

impl Trial {
    /// `kind` and `params` in one label.
    pub fn label(&self) -> String {
        if self.params.is_empty() {
            self.kind.as_str().to_string()
        } else {
            format!("{} {}", self.kind.as_str(), self.params)
        }
    }
}

/// The record of an `auto` training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// The training data's profile.
    pub profile: DataProfile,
    /// How validation was carved.
    pub holdout: Holdout,
    /// The validation split in words (cut time or share, counts).
    pub validation: String,
    /// Orders held out for validation.
    pub validation_orders: usize,
    /// Promoters with held-out orders.
    pub validation_promoters: usize,
    /// Every trial, in the order run.
    pub trials: Vec<Trial>,
    /// Index into `trials` of the chosen one (`None` when nothing was validated).
    pub chosen: Option<usize>,
    /// The chosen model's label.
    pub chosen_label: String,
    /// Why it was chosen.
    pub reason: String,
    /// Remarks: what was skipped and why (budget, catalogue too large for EASE, no
    /// commissions so no value term, ...).
    pub notes: Vec<String>,
    /// The budget, in seconds.
    pub budget_seconds: f64,
    /// Wall time of the whole training, refit included, in seconds.
    pub seconds: f64,
}

impl std::fmt::Display for Selection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "data: {}",
            self.profile.to_string().replace('\n', "\n      ")
        )?;
        writeln!(f, "validation: {}", self.validation)?;
        if !self.trials.is_empty() {
            let w = self
                .trials
                .iter()
                .map(|t| t.label().chars().count())
                .max()
                .unwrap_or(0)
                .max(5);
            writeln!(
                f,
                "  {:<w$}  {:>8}  {:>17}  {:>8}",
                "trial", "NDCG@20", "95% interval", "seconds"
            )?;
            for (j, t) in self.trials.iter().enumerate() {
                let mark = if Some(j) == self.chosen { "*" } else { " " };
                writeln!(
                    f,
                    "{mark} {:<w$}  {:>8.4}  [{:>6.4}, {:>6.4}]  {:>8.1}",
                    t.label(),
                    t.ndcg,
                    t.lo,
                    t.hi,
                    t.seconds
                )?;
            }
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        write!(
            f,
            "chosen: {} ({}); {:.1} s of a {:.0} s budget",
            self.chosen_label, self.reason, self.seconds, self.budget_seconds
        )
    }
}
