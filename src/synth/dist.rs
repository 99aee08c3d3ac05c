//! Hand-written samplers: uniform, normal, lognormal, exponential, gamma, beta,
//! Dirichlet, Poisson and binomial draws, and sampling from a cumulative table.
//!
//! Every random stream is a `ChaCha8Rng` seeded from `(seed, stream, index)` through
//! [`mix`], so a promoter's draws depend only on the seed and her index, never on the
//! order in which threads reach her.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The random generator used throughout the synthetic world.
pub(crate) type Rng = ChaCha8Rng;

/// One round of SplitMix64: a bijective, well-mixing hash of a `u64`.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Mixes a seed, a stream tag and an index into one 64-bit seed.
pub(crate) fn mix(seed: u64, stream: u64, index: u64) -> u64 {
    splitmix(splitmix(splitmix(seed) ^ stream) ^ index)
}

/// The generator for `(seed, stream, index)`.
pub(crate) fn rng_for(seed: u64, stream: u64, index: u64) -> Rng {
    Rng::seed_from_u64(mix(seed, stream, index))
}

/// Uniform in `[0, 1)` with 53 bits of precision.
pub(crate) fn uniform<R: RngCore>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Uniform in `(0, 1]` (safe to take the logarithm of).
fn uniform_open0<R: RngCore>(rng: &mut R) -> f64 {
    1.0 - uniform(rng)
}

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

/// Standard normal (Box–Muller, one value per call).
pub(crate) fn normal<R: RngCore>(rng: &mut R) -> f64 {
    let u1 = uniform_open0(rng);
    let u2 = uniform(rng);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Lognormal: `exp(mu + sigma · N(0, 1))`.
pub(crate) fn lognormal<R: RngCore>(rng: &mut R, mu: f64, sigma: f64) -> f64 {
    (mu + sigma * normal(rng)).exp()
}

/// Exponential with the given mean.
pub(crate) fn exponential<R: RngCore>(rng: &mut R, mean: f64) -> f64 {
    -mean * uniform_open0(rng).ln()
}

/// Gamma(shape, 1) by Marsaglia and Tsang (2000), with the `U^(1/shape)` boost for
/// shape < 1. Returns 0 for a non-positive or non-finite shape.
pub(crate) fn gamma<R: RngCore>(rng: &mut R, shape: f64) -> f64 {
    if !(shape.is_finite() && shape > 0.0) {
        return 0.0;
    }
    if shape < 1.0 {
        let boost = uniform_open0(rng).powf(1.0 / shape);
        return gamma(rng, shape + 1.0) * boost;
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = uniform_open0(rng);
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
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
    fn streams_differ_and_repeat() {
        assert_eq!(mix(1, 2, 3), mix(1, 2, 3));
        assert_ne!(mix(1, 2, 3), mix(1, 2, 4));
        assert_ne!(mix(1, 2, 3), mix(1, 3, 3));
        assert_ne!(mix(1, 2, 3), mix(2, 2, 3));
    }

    #[test]
    fn moments_are_right() {
        let mut r = rng_for(7, 0, 0);
        let n = 40_000;
        assert!((mean_of(n, || uniform(&mut r)) - 0.5).abs() < 0.01);
        assert!(mean_of(n, || normal(&mut r)).abs() < 0.03);
        assert!((mean_of(n, || gamma(&mut r, 3.0)) - 3.0).abs() < 0.1);
        assert!((mean_of(n, || gamma(&mut r, 0.3)) - 0.3).abs() < 0.02);
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
