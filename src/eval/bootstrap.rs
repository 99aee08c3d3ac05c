//! Bootstrap confidence intervals over promoters, and paired comparisons of two models
//! on the same promoters.
//!
//! A headline metric is a mean over `n` promoters, `m̄ = (1/n) Σ_p m_p`. Resample `b`
//! (of `B`) draws `n` promoters with replacement and takes the mean `m̄_b`; the
//! `(1 − level)/2` and `(1 + level)/2` quantiles of `m̄_1..m̄_B` bound the percentile
//! interval (Efron & Tibshirani, *An Introduction to the Bootstrap*, ch. 13).
//!
//! Resample `b` draws from a `ChaCha8Rng` seeded with `seed` on stream `b`, so the same
//! seed and `n` give the same promoters in every resample whatever the thread count,
//! and two models evaluated on the same promoters are resampled alike: that is what
//! makes [`paired`] a paired comparison.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// How to resample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BootstrapConfig {
    /// Number of resamples `B`; 0 turns intervals off. Default 1000.
    pub resamples: usize,
    /// Seed of the resampling streams. Default 0.
    pub seed: u64,
    /// Coverage of the interval, a fraction in `(0, 1)`. Default 0.95.
    pub level: f64,
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        BootstrapConfig {
            resamples: 1000,
            seed: 0,
            level: 0.95,
        }
    }
}

/// A two-sided interval `[lo, hi]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

impl Interval {
    /// Half the width, `(hi − lo) / 2`.
    pub fn half_width(&self) -> f64 {
        (self.hi - self.lo) / 2.0
    }
}

/// The promoters drawn by resample `b`: `n` indices in `0..n`, with replacement.
fn draw(seed: u64, b: usize, n: usize, out: &mut Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(b as u64);
    out.clear();
    // Lemire's multiply-shift; the bias (< n / 2^64) is negligible.
    out.extend((0..n).map(|_| ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize));
}

/// The `q`-quantile of sorted `v` by linear interpolation between order statistics.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// Resampled means of every column of `values` (row-major, `n` rows of `m` columns):
/// `B` vectors of `m` means. Parallel over resamples.
fn resampled_means(values: &[f64], m: usize, cfg: &BootstrapConfig) -> Vec<Vec<f64>> {
    let n = values.len().checked_div(m).unwrap_or(0);
    if n == 0 {
        return Vec::new();
    }
    (0..cfg.resamples)
        .into_par_iter()
        .map_init(Vec::new, |idx, b| {
            draw(cfg.seed, b, n, idx);
            let mut sums = vec![0.0f64; m];
            for &p in idx.iter() {
                for (s, v) in sums.iter_mut().zip(&values[p * m..(p + 1) * m]) {
                    *s += v;
                }
            }
            sums.iter_mut().for_each(|s| *s /= n as f64);
            sums
        })
        .collect()
}

/// Percentile intervals of the column means of `values` (row-major: one row per
/// promoter, `m` columns). Empty when `cfg.resamples` is 0 or there is no row.
///
/// ```
/// use kocrank::eval::{mean_intervals, BootstrapConfig};
/// let values = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0]; // 8 promoters, 1 metric
/// let iv = mean_intervals(&values, 1, &BootstrapConfig::default());
/// assert!(iv[0].lo < 0.625 && 0.625 < iv[0].hi);
/// ```
pub fn mean_intervals(values: &[f64], m: usize, cfg: &BootstrapConfig) -> Vec<Interval> {
    let means = resampled_means(values, m, cfg);
    if means.is_empty() {
        return Vec::new();
    }
    let alpha = (1.0 - cfg.level.clamp(0.0, 1.0)) / 2.0;
    (0..m)
        .map(|j| {
            let mut col: Vec<f64> = means.iter().map(|r| r[j]).collect();
            col.sort_by(f64::total_cmp);
            Interval {
                lo: quantile(&col, alpha),
                hi: quantile(&col, 1.0 - alpha),
            }
        })
        .collect()
}

/// Model A against model B on the same promoters, for one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedDiff {
    /// Mean of `a_p − b_p` over promoters.
    pub mean_diff: f64,
    /// Percentile interval of the resampled mean difference.
    pub interval: Interval,
    /// Share of resamples in which A's mean beats B's (ties count half).
    pub a_wins: f64,
    /// Promoters compared.
    pub promoters: usize,
}

/// Paired bootstrap of `a` against `b` (one value per promoter, the same promoters in
/// the same order): the mean difference `d̄ = mean_p (a_p − b_p)`, its percentile
/// interval, and the share of resamples with `d̄_b > 0`.
///
/// Returns `None` when the lengths differ, there is no promoter or no resample.
///
/// ```
/// use kocrank::eval::{paired, BootstrapConfig};
/// let a = [0.5, 0.6, 0.7, 0.8];
/// let b = [0.4, 0.5, 0.6, 0.7];
/// let d = paired(&a, &b, &BootstrapConfig::default()).unwrap();
/// assert!((d.mean_diff - 0.1).abs() < 1e-12);
/// assert_eq!(d.a_wins, 1.0);
/// ```
pub fn paired(a: &[f64], b: &[f64], cfg: &BootstrapConfig) -> Option<PairedDiff> {
    if a.len() != b.len() || a.is_empty() || cfg.resamples == 0 {
        return None;
    }
    let diff: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let mean_diff = diff.iter().sum::<f64>() / diff.len() as f64;
    let means = resampled_means(&diff, 1, cfg);
    let mut col: Vec<f64> = means.iter().map(|r| r[0]).collect();
    let wins: f64 = col
        .iter()
        .map(|&d| {
            if d > 0.0 {
                1.0
            } else if d == 0.0 {
                0.5
            } else {
                0.0
            }
        })
        .sum();
    col.sort_by(f64::total_cmp);
    let alpha = (1.0 - cfg.level.clamp(0.0, 1.0)) / 2.0;
    Some(PairedDiff {
        mean_diff,
        interval: Interval {
            lo: quantile(&col, alpha),
            hi: quantile(&col, 1.0 - alpha),
        },
        a_wins: wins / col.len() as f64,
        promoters: a.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.125), 1.5);
    }

    #[test]
    fn constant_values_give_a_point_interval() {
        let iv = mean_intervals(&[0.3; 50], 1, &BootstrapConfig::default());
        assert!((iv[0].lo - 0.3).abs() < 1e-12 && (iv[0].hi - 0.3).abs() < 1e-12);
    }

    #[test]
    fn seeded_and_thread_independent() {
        let values: Vec<f64> = (0..400).map(|i| ((i * 37) % 101) as f64 / 100.0).collect();
        let cfg = BootstrapConfig {
            resamples: 200,
            ..BootstrapConfig::default()
        };
        let a = mean_intervals(&values, 2, &cfg);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = one.install(|| mean_intervals(&values, 2, &cfg));
        assert_eq!(a, b);
        let c = mean_intervals(&values, 2, &BootstrapConfig { seed: 9, ..cfg });
        assert_ne!(a, c);
        for (j, iv) in a.iter().enumerate() {
            let mean: f64 = values.iter().skip(j).step_by(2).sum::<f64>() / 200.0;
            assert!(iv.lo <= mean && mean <= iv.hi, "{iv:?} {mean}");
        }
    }

    #[test]
    fn interval_covers_the_mean_about_as_often_as_promised() {
        // Bernoulli(0.3) samples of 200: the 90% interval should cover 0.3 in most of
        // 40 seeded trials (a loose check, not a calibration study).
        let cfg = BootstrapConfig {
            resamples: 300,
            seed: 1,
            level: 0.9,
        };
        let mut covered = 0;
        for t in 0..40u64 {
            let mut rng = ChaCha8Rng::seed_from_u64(100 + t);
            let v: Vec<f64> = (0..200)
                .map(|_| f64::from(u8::from((rng.next_u64() % 10) < 3)))
                .collect();
            let iv = mean_intervals(&v, 1, &cfg)[0];
            if iv.lo <= 0.3 && 0.3 <= iv.hi {
                covered += 1;
            }
        }
        assert!((30..=40).contains(&covered), "{covered}");
    }

    #[test]
    fn paired_sees_a_consistent_small_gain() {
        // B is A minus 0.01 plus noise symmetric per promoter pair: A wins clearly.
        let a: Vec<f64> = (0..300).map(|i| (i % 7) as f64 / 7.0).collect();
        let b: Vec<f64> = a
            .iter()
            .enumerate()
            .map(|(i, x)| x - 0.01 + if i % 2 == 0 { 0.005 } else { -0.005 })
            .collect();
        let d = paired(&a, &b, &BootstrapConfig::default()).unwrap();
        assert!((d.mean_diff - 0.01).abs() < 1e-9);
        assert!(d.interval.lo > 0.0 && d.a_wins > 0.99, "{d:?}");
        assert!(paired(&a, &b[1..], &BootstrapConfig::default()).is_none());
        let off = BootstrapConfig {
            resamples: 0,
            ..BootstrapConfig::default()
        };
        assert!(paired(&a, &b, &off).is_none());
        assert!(mean_intervals(&a, 1, &off).is_empty());
    }
}
