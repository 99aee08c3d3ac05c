//! Hand-written samplers: uniform, normal, lognormal, exponential, gamma, beta,
//! Dirichlet, Poisson and binomial draws, and sampling from a cumulative table.
//!
//! Every random stream is a `ChaCha8Rng` seeded from `(seed, stream, index)` through
//! [`mix`], so a promoter's draws depend only on the seed and her index, never on the
//! order in which threads reach her. The streams, uniform, normal and gamma draws live
//! on the bottom floor in `crate::rng` (the business rules draw from them too) and are
//! re-exported here.

use rand::RngCore;

use crate::rng::uniform_open0;
pub(crate) use crate::rng::{gamma, mix, normal, rng_for, uniform, Rng};

/// A uniform integer in `0..n` (0 when `n == 0`).
pub(crate) fn below<R: RngCore>(rng: &mut R, n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    // Lemire's multiply-shift; the tiny bias (< n / 2^64) is irrelevant here.
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
}

/// True with probability `p`.
pub(crate) fn bernoulli<R: RngCore>(rng: &mut R, p: f64) -> bool {
    uniform(rng) < p
}

/// Lognormal: `exp(mu + sigma · N(0, 1))`.
pub(crate) fn lognormal<R: RngCore>(rng: &mut R, mu: f64, sigma: f64) -> f64 {
    (mu + sigma * normal(rng)).exp()
}

/// Exponential with the given mean.
pub(crate) fn exponential<R: RngCore>(rng: &mut R, mean: f64) -> f64 {
    -mean * uniform_open0(rng).ln()
}

/// Beta(a, b) as a ratio of gammas (0.5 if both draws are 0).
pub(crate) fn beta<R: RngCore>(rng: &mut R, a: f64, b: f64) -> f64 {
    let x = gamma(rng, a);
    let y = gamma(rng, b);
    if x + y > 0.0 {
        x / (x + y)
    } else {
        0.5
    }
}

/// Dirichlet(alpha) into `out` (same length as `alpha`); `out` sums to 1. Falls back to
/// the normalised `alpha` if every gamma draw underflows.
pub(crate) fn dirichlet<R: RngCore>(rng: &mut R, alpha: &[f64], out: &mut [f64]) {
    debug_assert_eq!(alpha.len(), out.len());
    let mut sum = 0.0;
    for (o, &a) in out.iter_mut().zip(alpha) {
        *o = gamma(rng, a);
        sum += *o;
    }
    if sum > 0.0 && sum.is_finite() {
        out.iter_mut().for_each(|o| *o /= sum);
    } else {
        let total: f64 = alpha.iter().sum();
        for (o, &a) in out.iter_mut().zip(alpha) {
            *o = if total > 0.0 { a / total } else { 0.0 };
        }
    }
}

/// Poisson(lambda): Knuth's product method below 30, a rounded normal above.
pub(crate) fn poisson<R: RngCore>(rng: &mut R, lambda: f64) -> u64 {
    if !(lambda.is_finite() && lambda > 0.0) {
        return 0;
    }
    if lambda < 30.0 {
        let limit = (-lambda).exp();
        let mut k = 0u64;
        let mut prod = uniform(rng);
        while prod > limit {
            k += 1;
            prod *= uniform(rng);
        }
        k
    } else {
        (lambda + lambda.sqrt() * normal(rng)).round().max(0.0) as u64
    }
}

/// Binomial(n, p): exact below 64 trials, a clamped rounded normal above.
pub(crate) fn binomial<R: RngCore>(rng: &mut R, n: u32, p: f64) -> u32 {
    let p = p.clamp(0.0, 1.0);
    if n < 64 {
        return (0..n).filter(|_| uniform(rng) < p).count() as u32;
    }
    let mean = f64::from(n) * p;
    let sd = (mean * (1.0 - p)).sqrt();
    (mean + sd * normal(rng)).round().clamp(0.0, f64::from(n)) as u32
}

/// Running sums of `weights` (negative or non-finite weights count as 0).
pub(crate) fn cumulative(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .into_iter()
        .map(|w| {
            if w.is_finite() && w > 0.0 {
                acc += w;
            }
            acc
        })
        .collect()
}

/// Index drawn from a cumulative table (as made by [`cumulative`]) by binary search;
/// `None` when the table is empty or all its weights are 0.
pub(crate) fn sample_cdf<R: RngCore>(rng: &mut R, cdf: &[f64]) -> Option<usize> {
    let total = *cdf.last()?;
    if total <= 0.0 {
        return None;
    }
    let x = uniform(rng) * total;
    let i = cdf.partition_point(|&c| c <= x);
    Some(i.min(cdf.len() - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_of(n: usize, mut f: impl FnMut() -> f64) -> f64 {
        (0..n).map(|_| f()).sum::<f64>() / n as f64
    }

    #[test]
    fn moments_are_right() {
        let mut r = rng_for(7, 0, 0);
        let n = 40_000;
        // uniform, normal and gamma are `crate::rng`'s, tested there.
        assert!((mean_of(n, || beta(&mut r, 2.0, 6.0)) - 0.25).abs() < 0.01);
        assert!((mean_of(n, || poisson(&mut r, 4.0) as f64) - 4.0).abs() < 0.1);
        assert!((mean_of(n, || poisson(&mut r, 80.0) as f64) - 80.0).abs() < 0.5);
        assert!((mean_of(n, || exponential(&mut r, 2.0)) - 2.0).abs() < 0.1);
        assert!((mean_of(n, || f64::from(binomial(&mut r, 10, 0.3))) - 3.0).abs() < 0.1);
        assert!((mean_of(n, || f64::from(binomial(&mut r, 1000, 0.9))) - 900.0).abs() < 1.0);
        let med = {
            let mut v: Vec<f64> = (0..n).map(|_| lognormal(&mut r, 2.0, 0.5)).collect();
            v.sort_by(f64::total_cmp);
            v[n / 2]
        };
        assert!((med.ln() - 2.0).abs() < 0.03);
        assert!((0..1000).all(|_| below(&mut r, 7) < 7));
    }

    #[test]
    fn dirichlet_sums_to_one() {
        let mut r = rng_for(1, 1, 1);
        let mut out = [0.0; 4];
        dirichlet(&mut r, &[0.1, 0.5, 2.0, 0.01], &mut out);
        assert!((out.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(out.iter().all(|&x| (0.0..=1.0).contains(&x)));
    }

    #[test]
    fn cdf_sampling_follows_weights_and_skips_zeros() {
        let cdf = cumulative([1.0, 0.0, 3.0, f64::NAN]);
        assert_eq!(cdf, vec![1.0, 1.0, 4.0, 4.0]);
        let mut r = rng_for(3, 0, 0);
        let mut counts = [0usize; 4];
        for _ in 0..20_000 {
            counts[sample_cdf(&mut r, &cdf).unwrap()] += 1;
        }
        assert_eq!(counts[1], 0);
        assert_eq!(counts[3], 0);
        assert!((counts[2] as f64 / 20_000.0 - 0.75).abs() < 0.02);
        assert_eq!(sample_cdf(&mut r, &[]), None);
        assert_eq!(sample_cdf(&mut r, &[0.0, 0.0]), None);
    }
}
