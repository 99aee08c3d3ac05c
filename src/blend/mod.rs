//! The learned blend: which items this circle will order, valued by what an order
//! earns, under a trust floor (`shared/DOMAIN.md` §2.2–§2.3, §5.3).
//!
//! A learner over named features estimates `P̂(order | p, i)`: gradient-boosted
//! trees with the log-loss (default) or the LambdaMART objective (one group per
//! promoter), Platt-calibrated, or a logistic regression. The final score is the log of the
//! expected value `P̂ · value_i^γ`, demoted below a quality floor:
//!
//! ```text
//! score(p, i) = ln σ(z(x̃))  +  γ · ln(1 + min(value_i, cap))  −  trust_i
//! z(x̃) = a · Σ_t tree_t(x̃) + b       (trees, Platt a, b)   |   b + Σ_j w_j·x̃_j  (logistic)
//! x̃_j  = clamp((x_j − mean_j) / sd_j, −8, 8)              (standardised on training pairs)
//! value_i = price_i · rate_i            (commission, default)
//!         | price_i                     (GMV)
//!         | price_i · (rate_i + fee_seller)   (platform: commission plus take)
//! cap     = the value_cap_quantile of the catalogue's values (anti-gaming)
//! trust_i = ln 2  when Wilson LB_i < min_wilson or reviews_i < min_reviews, else 0
//! ```
//!
//! `γ = 0` ranks by `P̂` alone (accuracy only); `γ = 1` by expected value. Working in
//! logs keeps the ranking identical and makes the breakdown additive: the intercept,
//! each feature's part of `z` (its weight times its value, or its path credits in the
//! trees), the value term and the trust term sum to the score exactly.
//!
//! Training pairs come from a temporal split inside the training data: features from
//! orders before `T − label_days`, label 1 when the promoter's circle ordered the item
//! in the last `label_days` (or, under `model = "auto"`, the orders its validation
//! split held out). Each promoter's group holds her positives that fall in the pool
//! the learner scores at ranking time (the components' top candidates, her circle's
//! past items and the items she shared), negatives drawn from the same pool (hard ones), and a few drawn from
//! the whole catalogue; the intercept is then corrected for the sampling, so `P̂` is
//! on the scale of the whole catalogue. Positives outside the pool are left out:
//! items the learner never ranks would teach it that low component scores are
//! ordered (on UCI, blend of buy_again alone: NDCG@20 0.269 with them, 0.277
//! without; small world, default blend: 0.233 and 0.240).

pub(crate) mod features;
pub(crate) mod logistic;
mod score;
mod train;
pub(crate) mod trees;

pub(crate) use score::BlendScorer;
pub use score::{outside_pool_score, pool_mask};
pub(crate) use train::{fit_learner, label_window, window_shares};

use crate::data::{Catalog, Seller};
use crate::kind::ModelKind;
use crate::signals::quality::Quality;
use features::{ITEM_FEATURES, SHARE_FEATURES};
use logistic::Logistic;
use serde::{Deserialize, Serialize};
use trees::{BoostSettings, Objective, Trees};

/// How the blend learns `P̂(order | p, i)` from the features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Learner {
    /// Gradient-boosted trees with the LambdaMART objective, one group per promoter,
    /// then Platt-calibrated to a probability.
    Lambdamart,
    /// Gradient-boosted trees with the binary log-loss (default: on the synthetic
    /// world it matches LambdaMART's NDCG and, being a probability model to begin
    /// with, trades slightly better against commission; see docs/blend-and-value.md).
    Binary,
    /// L2-regularised logistic regression on the standardised features.
    Logistic,
    /// The same logistic regression fitted by smartcore's L-BFGS instead of Newton's
    /// method; needs kocrank built with the `smartcore` feature. It reaches the same
    /// optimum; it is here to measure that (`ARCHITECTURE.md`).
    SmartcoreLogistic,
}

/// Settings of the boosted trees (`learner = "lambdamart"` or `"binary"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TreesConfig {
    /// Number of trees. Default 100.
    pub count: usize,
    /// Shrinkage of each tree. Default 0.1.
    pub learning_rate: f64,
    /// Depth of each tree. Default 6.
    pub max_depth: usize,
    /// Fewest training rows in a leaf. Default 50.
    pub min_leaf: usize,
    /// L2 penalty on leaf values. Default 1.0.
    pub l2: f64,
}

impl Default for TreesConfig {
    fn default() -> Self {
        TreesConfig {
            count: 100,
            learning_rate: 0.1,
            max_depth: 6,
            min_leaf: 50,
            l2: 1.0,
        }
    }
}

/// What an order is worth, for the value term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueBasis {
    /// Commission earned by the promoter: price × commission rate (default).
    Commission,
    /// Gross merchandise value: the price.
    Gmv,
    /// Commission plus the platform's take by seller type (`fee_self_operated`,
    /// `fee_marketplace`), so low-commission self-operated items keep their value.
    Platform,
}

/// Settings of the learned blend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BlendConfig {
    /// Component models whose scores are features. Default `["item_knn", "profile",
    /// "popularity"]`.
    pub components: Vec<ModelKind>,
    /// How `P̂(order)` is learned. Default `binary`.
    pub learner: Learner,
    /// Settings of the boosted trees.
    pub trees: TreesConfig,
    /// Length of the label window at the end of the training data, in days. Default 14.
    pub label_days: f64,
    /// The candidate pool: the top this many of each component, plus the items her
    /// circle bought and (with share features) those she shared, are scored by the learner (training negatives are drawn from the
    /// same pool). Other candidates are listed after the pool, in the order of the
    /// first component. Default 100.
    pub candidates_per_component: usize,
    /// Negatives sampled per promoter. Default 30.
    pub negatives: usize,
    /// Up to this many items she shared in the label window and that brought her no
    /// order in it join a promoter's negatives (those in the candidate pool): what she
    /// thought her circle would buy and it did not. 0 leaves shares out of training;
    /// a log without shares is unchanged either way. Default 0.
    pub share_negatives: usize,
    /// How many of her last shares the learner reads ([`features::SHARE_FEATURES`]:
    /// how often and how lately she shared the item, and what part of these shares
    /// fall in its categories) where the training log has shares; the model keeps
    /// that many per promoter (16 bytes each). 0 leaves shares out of the features; a
    /// log without shares trains the same blend either way. Default 50.
    pub share_memory: usize,
    /// L2 penalty of the logistic regression (`learner = "logistic"`). Default 1.0.
    pub lambda: f64,
    /// Exponent γ of the value term, in [0, 2]. Default 0.5.
    pub gamma: f64,
    /// What an order is worth. Default `commission`.
    pub value: ValueBasis,
    /// Platform take on self-operated GMV (for `value = "platform"`). Default 0.08.
    pub fee_self_operated: f64,
    /// Platform take on marketplace GMV (for `value = "platform"`). Default 0.03.
    pub fee_marketplace: f64,
    /// Items whose Wilson lower bound is below this are demoted. Default 0.8.
    pub min_wilson: f64,
    /// Items with fewer reviews than this are demoted. Default 3.
    pub min_reviews: u32,
    /// Values are capped at this quantile of the catalogue's values. Default 0.9.
    pub value_cap_quantile: f64,
    /// Seed of the negative sampling. Default 0.
    pub seed: u64,
}

impl Default for BlendConfig {
    fn default() -> Self {
        BlendConfig {
            components: vec![
                ModelKind::ItemKnn,
                ModelKind::Profile,
                ModelKind::Popularity,
            ],
            learner: Learner::Binary,
            trees: TreesConfig::default(),
            label_days: 14.0,
            candidates_per_component: 100,
            negatives: 30,
            share_negatives: 0,
            share_memory: 50,
            lambda: 1.0,
            gamma: 0.5,
            value: ValueBasis::Commission,
            fee_self_operated: 0.08,
            fee_marketplace: 0.03,
            min_wilson: 0.8,
            min_reviews: 3,
            value_cap_quantile: 0.9,
            seed: 0,
        }
    }
}

impl BlendConfig {
    /// Checks the ranges.
    ///
    /// # Errors
    /// [`crate::ConfigError`] for a value out of range, no component, or the blend
    /// listed as its own component.
    pub fn validate(&self) -> Result<(), crate::ConfigError> {
        use crate::error::check_range;
        check_range(
            "blend.label_days",
            self.label_days,
            1.0 / 24.0,
            3650.0,
            "[1/24, 3650]",
        )?;
        check_range("blend.lambda", self.lambda, 0.0, 1e9, "[0, 1e9]")?;
        check_range("blend.gamma", self.gamma, 0.0, 2.0, "[0, 2]")?;
        check_range(
            "blend.fee_self_operated",
            self.fee_self_operated,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "blend.fee_marketplace",
            self.fee_marketplace,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range("blend.min_wilson", self.min_wilson, 0.0, 1.0, "[0, 1]")?;
        check_range(
            "blend.value_cap_quantile",
            self.value_cap_quantile,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        if self.components.is_empty() || self.components.iter().any(|c| !c.is_component()) {
            return Err(crate::ConfigError::Conflict(
                "blend.components must name at least one model, and neither blend nor auto".into(),
            ));
        }
        check_range(
            "blend.trees.learning_rate",
            self.trees.learning_rate,
            1e-6,
            1.0,
            "(0, 1]",
        )?;
        check_range("blend.trees.l2", self.trees.l2, 0.0, 1e9, "[0, 1e9]")?;
        if self.trees.count == 0 || self.trees.count > 10_000 {
            return Err(crate::ConfigError::Conflict(
                "blend.trees.count must be in 1..=10000".into(),
            ));
        }
        if self.trees.max_depth == 0 || self.trees.max_depth > 12 {
            return Err(crate::ConfigError::Conflict(
                "blend.trees.max_depth must be in 1..=12".into(),
            ));
        }
        if self.negatives == 0 || self.candidates_per_component == 0 {
            return Err(crate::ConfigError::Conflict(
                "blend.negatives and blend.candidates_per_component must be at least 1".into(),
            ));
        }
        if self.share_memory > 10_000 {
            return Err(crate::ConfigError::Conflict(
                "blend.share_memory must be in 0..=10000".into(),
            ));
        }
        Ok(())
    }
}

/// The fitted blend: feature standardisation and logistic weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Blend {
    /// Settings.
    pub config: BlendConfig,
    /// Feature names, the item features then one per component.
    pub names: Vec<String>,
    /// Training mean per feature.
    pub mean: Vec<f32>,
    /// Training standard deviation per feature (1 where constant).
    pub sd: Vec<f32>,
    /// The fitted model of `P̂(order)` on standardised features.
    pub fitted: Fitted,
    /// Values above this (the catalogue's `value_cap_quantile`) count as this.
    pub value_cap: f64,
}

/// A fitted model of the order probability: `P̂ = σ(z(x))`.
#[derive(Debug, Clone, PartialEq)]
pub enum Fitted {
    /// `z = bias + w·x`.
    Logistic(Logistic),
    /// `z = scale · F(x) + shift`, `F` the trees' sum (Platt calibration).
    Trees {
        /// The ensemble.
        trees: Trees,
        /// Platt slope.
        scale: f64,
        /// Platt intercept.
        shift: f64,
    },
}

impl Fitted {
    /// The logit `z` of a standardised row.
    pub fn logit(&self, row: &[f32]) -> f64 {
        match self {
            Fitted::Logistic(l) => l.logit(row),
            Fitted::Trees {
                trees,
                scale,
                shift,
            } => scale * trees.predict(row) + shift,
        }
    }

    /// [`Fitted::logit`] of each row of `rows` (row-major, `width` features each).
    pub fn logits(&self, rows: &[f32], width: usize) -> Vec<f64> {
        let n = rows.len() / width.max(1);
        match self {
            Fitted::Logistic(l) => rows
                .chunks_exact(width.max(1))
                .map(|r| l.logit(r))
                .collect(),
            Fitted::Trees {
                trees,
                scale,
                shift,
            } if trees.width == width => {
                let mut z = vec![0f64; n];
                trees.predict_many(rows, &mut z);
                z.iter_mut().for_each(|z| *z = scale * *z + shift);
                z
            }
            Fitted::Trees { .. } => rows
                .chunks_exact(width.max(1))
                .map(|r| self.logit(r))
                .collect(),
        }
    }

    /// Whether every number is finite.
    pub fn is_finite(&self) -> bool {
        match self {
            Fitted::Logistic(l) => l.bias.is_finite() && l.weights.iter().all(|w| w.is_finite()),
            Fitted::Trees { scale, shift, .. } => scale.is_finite() && shift.is_finite(),
        }
    }

    /// Moves the intercept by `delta` (prior correction for sampled negatives).
    pub fn shift_intercept(&mut self, delta: f64) {
        match self {
            Fitted::Logistic(l) => l.bias += delta,
            Fitted::Trees { shift, .. } => *shift += delta,
        }
    }

    /// The intercept and each feature's additive part of the logit of a row: they
    /// sum to [`Fitted::logit`].
    pub fn parts(&self, row: &[f32]) -> (f64, Vec<f64>) {
        match self {
            Fitted::Logistic(l) => (
                l.bias,
                l.weights
                    .iter()
                    .zip(row)
                    .map(|(w, &x)| w * f64::from(x))
                    .collect(),
            ),
            Fitted::Trees {
                trees,
                scale,
                shift,
            } => {
                let mut c = vec![0f64; row.len()];
                let base = trees.contributions(row, &mut c);
                for x in &mut c {
                    *x *= scale;
                }
                (shift + scale * base, c)
            }
        }
    }
}

/// One line of a score's breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// Feature name, or `bias`, `value`, `trust`.
    pub name: String,
    /// The raw feature value (the value itself for `value`; 1 for `bias` and `trust`).
    pub value: f64,
    /// What it adds to the score.
    pub contribution: f64,
}

const CLAMP: f32 = 8.0;

impl Blend {
    /// Names of all features for `components`, with or without the share features.
    pub fn feature_names(components: &[ModelKind], shares: bool) -> Vec<String> {
        let share_names: &[&str] = if shares { &SHARE_FEATURES } else { &[] };
        ITEM_FEATURES
            .iter()
            .chain(share_names)
            .map(|s| s.to_string())
            .chain(components.iter().map(|c| format!("score_{c}")))
            .collect()
    }

    /// Whether the learner reads her shares ([`features::SHARE_FEATURES`]).
    pub fn reads_shares(&self) -> bool {
        self.names.iter().any(|n| n == SHARE_FEATURES[0])
    }

    /// Standardises raw feature rows in place, imputing NaN with the mean.
    pub fn standardise(&self, rows: &mut [f32]) {
        let d = self.mean.len();
        for row in rows.chunks_exact_mut(d) {
            for ((x, &m), &s) in row.iter_mut().zip(&self.mean).zip(&self.sd) {
                let v = if x.is_finite() { (*x - m) / s } else { 0.0 };
                *x = v.clamp(-CLAMP, CLAMP);
            }
        }
    }

    /// Fits mean, sd and the configured learner on raw rows (NaN imputed by the
    /// mean). `groups` are consecutive row ranges, one per promoter (`groups[g]..
    /// groups[g + 1]`), used by LambdaMART. `shares` says whether the rows carry the
    /// share features.
    ///
    /// # Errors
    /// As the learner's own fit (trees or logistic regression).
    pub fn fit(
        config: BlendConfig,
        mut rows: Vec<f32>,
        labels: &[bool],
        groups: &[usize],
        shares: bool,
    ) -> crate::Result<Blend> {
        let names = Blend::feature_names(&config.components, shares);
        let d = names.len();
        let n = labels.len();
        let mut mean = vec![0f32; d];
        let mut sd = vec![1f32; d];
        for j in 0..d {
            let (mut s, mut s2, mut k) = (0f64, 0f64, 0f64);
            for r in 0..n {
                let v = rows[r * d + j];
                if v.is_finite() {
                    s += f64::from(v);
                    s2 += f64::from(v) * f64::from(v);
                    k += 1.0;
                }
            }
            if k > 0.0 {
                let m = s / k;
                mean[j] = m as f32;
                let var = (s2 / k - m * m).max(0.0);
                sd[j] = if var > 1e-12 { var.sqrt() as f32 } else { 1.0 };
            }
        }
        let mut blend = Blend {
            config,
            names,
            mean,
            sd,
            fitted: Fitted::Logistic(Logistic {
                bias: 0.0,
                weights: vec![0.0; d],
                iterations: 0,
            }),
            value_cap: f64::INFINITY,
        };
        blend.standardise(&mut rows);
        let objective = match blend.config.learner {
            Learner::Logistic => {
                blend.fitted =
                    Fitted::Logistic(Logistic::fit(&rows, labels, None, d, blend.config.lambda)?);
                return Ok(blend);
            }
            #[cfg(feature = "smartcore")]
            Learner::SmartcoreLogistic => {
                let fit = Logistic::fit_smartcore(&rows, labels, d, blend.config.lambda)?;
                blend.fitted = Fitted::Logistic(fit);
                return Ok(blend);
            }
            #[cfg(not(feature = "smartcore"))]
            Learner::SmartcoreLogistic => {
                return Err(crate::ConfigError::Conflict(
                    "blend.learner = \"smartcore_logistic\" needs kocrank built with the \
                     `smartcore` feature"
                        .into(),
                )
                .into());
            }
            Learner::Lambdamart => Objective::Lambdamart,
            Learner::Binary => Objective::Binary,
        };
        let tc = &blend.config.trees;
        let settings = BoostSettings {
            objective,
            trees: tc.count,
            learning_rate: tc.learning_rate,
            max_depth: tc.max_depth,
            min_leaf: tc.min_leaf,
            l2: tc.l2,
        };
        let trees = trees::fit(
            &trees::TrainSet {
                x: &rows,
                width: d,
                labels,
                groups,
            },
            &settings,
        );
        // Platt: a one-feature logistic regression of the label on the trees' output.
        let outputs: Vec<f32> = rows
            .chunks_exact(d)
            .map(|r| trees.predict(r) as f32)
            .collect();
        let platt = Logistic::fit(&outputs, labels, None, 1, 1e-6)?;
        blend.fitted = Fitted::Trees {
            trees,
            scale: platt.weights.first().copied().unwrap_or(1.0),
            shift: platt.bias,
        };
        Ok(blend)
    }

    /// Sets the value cap to the configured quantile of the values of `catalog`.
    pub fn set_value_cap(&mut self, catalog: &Catalog) {
        let mut v: Vec<f64> = (0..catalog.len() as u32)
            .map(|i| self.value(catalog, i))
            .collect();
        if v.is_empty() {
            return;
        }
        v.sort_unstable_by(f64::total_cmp);
        let at = ((v.len() - 1) as f64 * self.config.value_cap_quantile).round() as usize;
        self.value_cap = v[at.min(v.len() - 1)].max(0.0);
    }

    /// What an order of item `i` is worth under the configured basis (currency units).
    pub fn value(&self, catalog: &Catalog, i: u32) -> f64 {
        let iu = i as usize;
        let price = catalog.price_cents.get(iu).copied().unwrap_or(0) as f64 / 100.0;
        let rate = f64::from(catalog.commission_rate.get(iu).copied().unwrap_or(0.0));
        match self.config.value {
            ValueBasis::Commission => price * rate,
            ValueBasis::Gmv => price,
            ValueBasis::Platform => {
                let fee = match catalog.seller.get(iu) {
                    Some(Seller::SelfOperated) => self.config.fee_self_operated,
                    _ => self.config.fee_marketplace,
                };
                price * (rate + fee)
            }
        }
    }

    /// `γ · ln(1 + min(value, cap))`: concave in the value and capped, so a merchant
    /// cannot buy unlimited rank with commission (`shared/DOMAIN.md` §2.3f).
    pub fn value_term(&self, value: f64) -> f64 {
        self.config.gamma * value.clamp(0.0, self.value_cap).ln_1p()
    }

    /// The trust demotion of item `i` (0, or ln 2 below the quality floor).
    pub fn trust_penalty(&self, catalog: &Catalog, quality: &Quality, i: u32) -> f64 {
        let iu = i as usize;
        let wilson = f64::from(quality.wilson.get(iu).copied().unwrap_or(0.0));
        let reviews = catalog.reviews_total.get(iu).copied().unwrap_or(0);
        if wilson < self.config.min_wilson || reviews < self.config.min_reviews {
            std::f64::consts::LN_2
        } else {
            0.0
        }
    }

    /// The final score of one item from its standardised feature row.
    pub fn score_row(&self, row: &[f32], value: f64, trust: f64) -> f64 {
        self.score_of_logit(self.fitted.logit(row), value, trust)
    }

    /// The final score from the logit `z` of an item's row (see [`Fitted::logits`] for
    /// many rows at once).
    pub fn score_of_logit(&self, z: f64, value: f64, trust: f64) -> f64 {
        log_sigmoid(z) + self.value_term(value) - trust
    }

    /// The breakdown of [`Blend::score_row`]: the parts sum to the score. `raw` is the
    /// row before standardisation (reported as each feature's value).
    pub fn breakdown(&self, raw: &[f32], row: &[f32], value: f64, trust: f64) -> Vec<Contribution> {
        // ln σ(z) = z − ln(1 + e^z): attribute z linearly, and the normaliser to `bias`.
        let z = self.fitted.logit(row);
        let (intercept, parts) = self.fitted.parts(row);
        let mut out = vec![Contribution {
            name: "bias".into(),
            value: 1.0,
            contribution: intercept + (log_sigmoid(z) - z),
        }];
        for (j, name) in self.names.iter().enumerate() {
            out.push(Contribution {
                name: name.clone(),
                value: f64::from(raw.get(j).copied().unwrap_or(f32::NAN)),
                contribution: parts.get(j).copied().unwrap_or(0.0),
            });
        }
        out.push(Contribution {
            name: "value".into(),
            value,
            contribution: self.value_term(value),
        });
        out.push(Contribution {
            name: "trust".into(),
            value: 1.0,
            contribution: -trust,
        });
        out
    }
}

/// `ln σ(z)`, stable for large |z|.
pub fn log_sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        -(-z).exp().ln_1p()
    } else {
        z - z.exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_sigmoid_is_stable() {
        assert!((log_sigmoid(0.0) - 0.5f64.ln()).abs() < 1e-12);
        assert!(log_sigmoid(800.0).abs() < 1e-12);
        assert!((log_sigmoid(-800.0) + 800.0).abs() < 1e-9);
    }

    #[test]
    fn config_rules() {
        assert!(BlendConfig::default().validate().is_ok());
        let bad = BlendConfig {
            components: vec![ModelKind::Blend],
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        let bad = BlendConfig {
            gamma: 3.0,
            ..Default::default()
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("blend.gamma"));
        let bad = BlendConfig {
            share_memory: 10_001,
            ..Default::default()
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("blend.share_memory"));
    }
}
