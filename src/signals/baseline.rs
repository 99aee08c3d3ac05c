//! The platform's list of today, made sound: positive-review rate smoothed for few
//! reviews, blended with commission; the same list for every promoter.
//!
//! `score(i) = w_q · pct(q_i) + w_c · pct(c_i)`, where `pct` is the item's percentile
//! in the catalogue (0 worst, 1 best; ties share their mean rank), `q_i` the smoothed
//! quality ([`super::quality`]) and `c_i` the commission rate or amount (price × rate).
//! Percentiles make the two parts comparable whatever their units.

use super::quality::Quality;
use super::{Context, Scorer};
use crate::data::Catalog;
use serde::{Deserialize, Serialize};

/// Which quality estimate the baseline uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityEstimate {
    /// Beta-binomial posterior mean (default).
    Posterior,
    /// Wilson lower bound (more conservative for few reviews).
    Wilson,
}

/// Which commission figure the baseline uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommissionBasis {
    /// The commission rate, as the platform lists it today (default).
    Rate,
    /// The commission amount, price × rate: what one order earns.
    Amount,
}

/// Settings of the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BaselineConfig {
    /// Weight of the quality percentile, ≥ 0. Default 0.5.
    pub quality_weight: f64,
    /// Weight of the commission percentile, ≥ 0. Default 0.5.
    pub commission_weight: f64,
    /// Quality estimate. Default `posterior`.
    pub quality: QualityEstimate,
    /// Commission figure. Default `rate`.
    pub commission: CommissionBasis,
}

impl Default for BaselineConfig {
    fn default() -> Self {
        BaselineConfig {
            quality_weight: 0.5,
            commission_weight: 0.5,
            quality: QualityEstimate::Posterior,
            commission: CommissionBasis::Rate,
        }
    }
}

impl BaselineConfig {
    /// Checks the ranges.
    ///
    /// # Errors
    /// [`crate::ConfigError`] when a weight is negative or not finite, or both are 0.
    pub fn validate(&self) -> Result<(), crate::ConfigError> {
        use crate::error::check_range;
        check_range(
            "baseline.quality_weight",
            self.quality_weight,
            0.0,
            1e6,
            "[0, 1e6]",
        )?;
        check_range(
            "baseline.commission_weight",
            self.commission_weight,
            0.0,
            1e6,
            "[0, 1e6]",
        )?;
        if self.quality_weight + self.commission_weight <= 0.0 {
            return Err(crate::ConfigError::Conflict(
                "baseline.quality_weight and baseline.commission_weight are both 0; give one a positive weight".into(),
            ));
        }
        Ok(())
    }
}

/// Percentile of each value in `values` (0 lowest, 1 highest; ties share their mean).
pub fn percentiles(values: &[f64]) -> Vec<f32> {
    let n = values.len();
    let mut out = vec![0.0f32; n];
    if n <= 1 {
        out.iter_mut().for_each(|x| *x = 1.0);
        return out;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut s = 0;
    while s < n {
        let mut e = s + 1;
        while e < n && values[order[e]] == values[order[s]] {
            e += 1;
        }
        let mean_rank = (s + e - 1) as f64 / 2.0;
        for &ix in &order[s..e] {
            out[ix] = (mean_rank / (n - 1) as f64) as f32;
        }
        s = e;
    }
    out
}

/// The fitted baseline: one precomputed score per item, plus its two parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// Quality percentile per item.
    pub quality_pct: Vec<f32>,
    /// Commission percentile per item.
    pub commission_pct: Vec<f32>,
    /// Weights `(w_q, w_c)`.
    pub weights: (f32, f32),
}

impl Baseline {
    /// Computes the percentiles over the catalogue.
    pub fn fit(catalog: &Catalog, quality: &Quality, cfg: &BaselineConfig) -> Baseline {
        let q: Vec<f64> = match cfg.quality {
            QualityEstimate::Posterior => quality.posterior.iter().map(|&x| f64::from(x)).collect(),
            QualityEstimate::Wilson => quality.wilson.iter().map(|&x| f64::from(x)).collect(),
        };
        let c: Vec<f64> = (0..catalog.len() as u32)
            .map(|i| match cfg.commission {
                CommissionBasis::Rate => f64::from(catalog.commission_rate[i as usize]),
                CommissionBasis::Amount => catalog.commission_cents(i),
            })
            .collect();
        Baseline {
            quality_pct: percentiles(&q),
            commission_pct: percentiles(&c),
            weights: (cfg.quality_weight as f32, cfg.commission_weight as f32),
        }
    }
}

impl Scorer for Baseline {
    fn name(&self) -> &'static str {
        "baseline"
    }

    fn score(&self, _ctx: &Context<'_>, candidates: &[u32], out: &mut [f32]) {
        let (wq, wc) = self.weights;
        for (o, &i) in out.iter_mut().zip(candidates) {
            let i = i as usize;
            *o = match (self.quality_pct.get(i), self.commission_pct.get(i)) {
                (Some(&q), Some(&c)) => wq * q + wc * c,
                _ => f32::NEG_INFINITY,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_share_ties() {
        let p = percentiles(&[3.0, 1.0, 3.0, 2.0]);
        assert_eq!(
            p,
            vec![
                (2.5 / 3.0) as f32,
                0.0,
                (2.5 / 3.0) as f32,
                (1.0 / 3.0) as f32
            ]
        );
        assert_eq!(percentiles(&[5.0]), vec![1.0]);
    }
}
