//! Item quality from reviews, smoothed so that few reviews do not look certain.
//!
//! Two estimates of the positive-review rate of item `i`, with `k` positive reviews of `n`
//! (`shared/DOMAIN.md` §3):
//!
//! * **Posterior mean** of a beta-binomial model with a prior `Beta(α₀, β₀)` fitted per
//!   top-level category by the method of moments (D. Robinson; Yahoo's CTR smoothing):
//!   `q_i = (k + α₀) / (n + α₀ + β₀)`. With no reviews, `q_i` is the category's prior mean.
//! * **Wilson lower bound** at `z` (E. Miller, "How Not To Sort By Average Rating"):
//!   `LB = [p̂ + z²/2n − z·sqrt(p̂(1−p̂)/n + z²/4n²)] / (1 + z²/n)`, 0 when `n = 0`;
//!   conservative, for floors and badges.

use crate::data::{Catalog, NO_CATEGORY};
use serde::{Deserialize, Serialize};

/// Settings of the review smoothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QualityConfig {
    /// Items need at least this many reviews to inform the category prior. Default 20.
    pub min_reviews_for_prior: u32,
    /// Prior strength `α₀ + β₀` is clamped to this range (pseudo-reviews). Default [2, 200].
    pub prior_strength_min: f64,
    /// Upper clamp of the prior strength. Default 200.
    pub prior_strength_max: f64,
    /// `z` of the Wilson bound. Default 1.96 (95%).
    pub wilson_z: f64,
}

impl Default for QualityConfig {
    fn default() -> Self {
        QualityConfig {
            min_reviews_for_prior: 20,
            prior_strength_min: 2.0,
            prior_strength_max: 200.0,
            wilson_z: 1.96,
        }
    }
}

impl QualityConfig {
    /// Checks the ranges.
    ///
    /// # Errors
    /// [`crate::ConfigError::OutOfRange`] for a non-positive or inverted strength range or
    /// a `z` outside (0, 10].
    pub fn validate(&self) -> Result<(), crate::ConfigError> {
        use crate::error::check_range;
        check_range(
            "quality.prior_strength_min",
            self.prior_strength_min,
            1e-6,
            1e9,
            "(0, 1e9]",
        )?;
        check_range(
            "quality.prior_strength_max",
            self.prior_strength_max,
            self.prior_strength_min,
            1e9,
            "[prior_strength_min, 1e9]",
        )?;
        check_range("quality.wilson_z", self.wilson_z, 1e-6, 10.0, "(0, 10]")
    }
}

/// A `Beta(alpha, beta)` prior.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BetaPrior {
    /// Pseudo-count of positive reviews.
    pub alpha: f64,
    /// Pseudo-count of non-positive reviews.
    pub beta: f64,
}

impl BetaPrior {
    /// The prior mean `α / (α + β)`.
    pub fn mean(&self) -> f64 {
        self.alpha / (self.alpha + self.beta)
    }

    /// Posterior mean after `k` successes in `n` trials.
    pub fn posterior_mean(&self, k: f64, n: f64) -> f64 {
        (k + self.alpha) / (n + self.alpha + self.beta)
    }

    /// Method-of-moments fit to observed rates with mean `mu` and variance `var`,
    /// with the strength `α + β` clamped to `[s_min, s_max]`. Falls back to strength
    /// `s_min` around `mu` when the variance is degenerate.
    pub fn from_moments(mu: f64, var: f64, s_min: f64, s_max: f64) -> BetaPrior {
        let mu = mu.clamp(1e-4, 1.0 - 1e-4);
        let strength = if var > 1e-12 {
            mu * (1.0 - mu) / var - 1.0
        } else {
            s_max
        };
        let s = if strength.is_finite() {
            strength.clamp(s_min, s_max)
        } else {
            s_min
        };
        BetaPrior {
            alpha: mu * s,
            beta: (1.0 - mu) * s,
        }
    }
}

/// Wilson score lower bound of `k` successes out of `n` at `z`; 0 when `n = 0`.
pub fn wilson_lower_bound(k: f64, n: f64, z: f64) -> f64 {
    if n <= 0.0 {
        return 0.0;
    }
    let p = (k / n).clamp(0.0, 1.0);
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let margin = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - margin) / (1.0 + z2 / n)).clamp(0.0, 1.0)
}

/// Smoothed quality of every catalogue item.
#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    /// Posterior mean positive-review rate per item.
    pub posterior: Vec<f32>,
    /// Wilson lower bound per item.
    pub wilson: Vec<f32>,
    /// The prior of each top-level category (indexed by category id; unused ids hold
    /// the global prior).
    pub category_prior: Vec<BetaPrior>,
    /// The prior over all items.
    pub global_prior: BetaPrior,
}

fn moments(rates: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (mut n, mut s, mut s2) = (0.0f64, 0.0f64, 0.0f64);
    for r in rates {
        n += 1.0;
        s += r;
        s2 += r * r;
    }
    if n < 2.0 {
        return None;
    }
    let mu = s / n;
    Some((mu, (s2 / n - mu * mu).max(0.0)))
}

impl Quality {
    /// Fits the priors on the catalogue's review counts and smooths every item.
    pub fn fit(catalog: &Catalog, cfg: &QualityConfig) -> Quality {
        let n_items = catalog.len();
        let informative = |i: usize| catalog.reviews_total[i] >= cfg.min_reviews_for_prior.max(1);
        let rate = |i: usize| {
            f64::from(catalog.reviews_positive[i]) / f64::from(catalog.reviews_total[i].max(1))
        };
        // A neutral default prior when nothing is informative: mean 0.9, weak.
        let fallback = BetaPrior {
            alpha: 0.9 * cfg.prior_strength_min,
            beta: 0.1 * cfg.prior_strength_min,
        };
        let global_prior = moments((0..n_items).filter(|&i| informative(i)).map(rate))
            .map(|(mu, var)| {
                BetaPrior::from_moments(mu, var, cfg.prior_strength_min, cfg.prior_strength_max)
            })
            .unwrap_or(fallback);

        let n_cat = catalog.taxonomy.len();
        let mut per_cat: Vec<Vec<f64>> = vec![Vec::new(); n_cat];
        for i in 0..n_items {
            let top = catalog.category[i][0];
            if top != NO_CATEGORY && informative(i) {
                if let Some(v) = per_cat.get_mut(top as usize) {
                    v.push(rate(i));
                }
            }
        }
        let category_prior: Vec<BetaPrior> = per_cat
            .iter()
            .map(|rates| {
                // A category needs a handful of informative items to have its own prior.
                if rates.len() < 5 {
                    return global_prior;
                }
                moments(rates.iter().copied())
                    .map(|(mu, var)| {
                        BetaPrior::from_moments(
                            mu,
                            var,
                            cfg.prior_strength_min,
                            cfg.prior_strength_max,
                        )
                    })
                    .unwrap_or(global_prior)
            })
            .collect();

        let mut posterior = Vec::with_capacity(n_items);
        let mut wilson = Vec::with_capacity(n_items);
        for i in 0..n_items {
            let k = f64::from(catalog.reviews_positive[i]);
            let n = f64::from(catalog.reviews_total[i]);
            let prior = category_prior
                .get(catalog.category[i][0] as usize)
                .copied()
                .unwrap_or(global_prior);
            posterior.push(prior.posterior_mean(k, n) as f32);
            wilson.push(wilson_lower_bound(k, n, cfg.wilson_z) as f32);
        }
        Quality {
            posterior,
            wilson,
            category_prior,
            global_prior,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DatasetBuilder, ItemRecord};

    #[test]
    fn wilson_below_posterior_below_one() {
        let prior = BetaPrior {
            alpha: 9.0,
            beta: 1.0,
        };
        for (k, n) in [
            (0.0, 0.0),
            (2.0, 2.0),
            (980.0, 1000.0),
            (1.0, 10.0),
            (50.0, 50.0),
        ] {
            let lb = wilson_lower_bound(k, n, 1.96);
            let pm = prior.posterior_mean(k, n);
            assert!(lb <= pm && pm <= 1.0, "k={k} n={n} lb={lb} pm={pm}");
            assert!((0.0..=1.0).contains(&lb));
        }
    }

    #[test]
    fn shrinkage_moves_to_prior_as_n_shrinks() {
        let prior = BetaPrior {
            alpha: 18.0,
            beta: 2.0,
        }; // mean 0.9
        let far = (prior.posterior_mean(1000.0, 1000.0) - 0.9).abs();
        let near = (prior.posterior_mean(3.0, 3.0) - 0.9).abs();
        assert!(near < far);
        assert!((prior.posterior_mean(0.0, 0.0) - 0.9).abs() < 1e-12);
    }

    #[test]
    fn few_perfect_reviews_rank_below_many_near_perfect() {
        let mut b = DatasetBuilder::new();
        let mut push = |id: &str, k: i64, n: i64| {
            b.push_item(&ItemRecord {
                item_id: id,
                reviews_positive: Some(k),
                reviews_total: Some(n),
                ..Default::default()
            })
            .unwrap();
        };
        push("few", 3, 3);
        push("many", 4900, 5000);
        for j in 0..30 {
            push(&format!("f{j}"), 70 + j, 100);
        }
        let ds = b.finish().unwrap();
        let q = Quality::fit(&ds.catalog, &QualityConfig::default());
        assert!(q.posterior[0] < q.posterior[1], "{:?}", &q.posterior[..2]);
        assert!(q.wilson[0] < q.wilson[1]);
    }

    #[test]
    fn moments_fit_recovers_mean() {
        let p = BetaPrior::from_moments(0.8, 0.01, 2.0, 1e6);
        assert!((p.mean() - 0.8).abs() < 1e-9);
        assert!((p.alpha + p.beta - 15.0).abs() < 1e-9);
    }
}
