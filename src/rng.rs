//! Seeded random streams and the few draws that more than the synthetic world needs
//! (the exploration slots of [`crate::rules::rerank`] sample from a gamma).
//!
//! Every random stream is a `ChaCha8Rng` seeded from `(seed, stream, index)` through
//! [`mix`], so a promoter's draws depend only on the seed and her index, never on the
//! order in which threads reach her. The world's other samplers build on these in
//! [`crate::synth`].

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The random generator of every seeded stream.
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
pub(crate) fn uniform_open0<R: RngCore>(rng: &mut R) -> f64 {
    1.0 - uniform(rng)
}

/// Standard normal (Box–Muller, one value per call).
pub(crate) fn normal<R: RngCore>(rng: &mut R) -> f64 {
    let u1 = uniform_open0(rng);
    let u2 = uniform(rng);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
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
    }
}
