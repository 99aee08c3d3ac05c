//! L2-regularised logistic regression fitted by Newton's method (IRLS).
//!
//! Minimises `Σ_n w_n · [log(1 + e^{z_n}) − y_n z_n] + (λ/2)·‖β‖²` with
//! `z_n = b + β·x_n`, the bias unpenalised. With a handful of features the Hessian is
//! tiny, so each Newton step solves a small dense system (Cholesky); a dozen steps
//! converge to machine precision. Features should be standardised first.

use crate::error::{Error, Result};

/// A fitted logistic model: `P(y = 1 | x) = σ(bias + weights·x)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Logistic {
    /// Intercept.
    pub bias: f64,
    /// One weight per feature.
    pub weights: Vec<f64>,
    /// Newton steps taken.
    pub iterations: usize,
}

fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Solves `A x = b` for a symmetric positive-definite `A` (row-major, `n × n`) in place
/// of `b`; `None` when `A` is not positive definite.
pub(crate) fn cholesky_solve(a: &mut [f64], b: &mut [f64], n: usize) -> Option<()> {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d.is_nan() || d <= 0.0 || !d.is_finite() {
            return None;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
    }
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= a[i * n + k] * b[k];
        }
        b[i] = s / a[i * n + i];
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= a[k * n + i] * b[k];
        }
        b[i] = s / a[i * n + i];
    }
    Some(())
}

impl Logistic {
    /// Fits on `n = y.len()` samples whose features are the rows of `x` (row-major,
    /// `n × d`), with sample weights `w` (or 1) and penalty `lambda`.
    ///
    /// # Errors
    /// [`Error::Empty`] without samples or without both classes;
    /// [`Error::FitFailed`] when a feature is not finite or the system is singular.
    pub fn fit(
        x: &[f32],
        y: &[bool],
        w: Option<&[f32]>,
        d: usize,
        lambda: f64,
    ) -> Result<Logistic> {
        let n = y.len();
        let positives = check_samples(x, y, d)?;
        let p = d + 1; // bias last
        let mut beta = vec![0f64; p];
        let base = positives as f64 / n as f64;
        beta[d] = (base / (1.0 - base)).ln();
        let weight = |s: usize| w.map_or(1.0, |w| f64::from(w[s]));
        let row = |s: usize| &x[s * d..(s + 1) * d];
        let z_of = |beta: &[f64], s: usize| {
            beta[d]
                + row(s)
                    .iter()
                    .zip(beta)
                    .map(|(&a, &b)| f64::from(a) * b)
                    .sum::<f64>()
        };
        // Penalised negative log-likelihood.
        let loss = |beta: &[f64]| {
            let mut l = 0.0;
            for (s, &ys) in y.iter().enumerate() {
                let z = z_of(beta, s);
                l += weight(s) * (softplus(z) - if ys { z } else { 0.0 });
            }
            l + 0.5 * lambda * beta[..d].iter().map(|b| b * b).sum::<f64>()
        };
        let mut current = loss(&beta);
        let mut iterations = 0;
        for it in 0..100 {
            iterations = it + 1;
            let mut h = vec![0f64; p * p];
            let mut g = vec![0f64; p];
            for (s, &ys) in y.iter().enumerate() {
                let xs = row(s);
                let mu = sigmoid(z_of(&beta, s));
                let ws = weight(s);
                let r = ws * (mu - if ys { 1.0 } else { 0.0 });
                let v = ws * (mu * (1.0 - mu)).max(1e-12);
                for i in 0..p {
                    let xi = if i == d { 1.0 } else { f64::from(xs[i]) };
                    g[i] += r * xi;
                    for j in 0..=i {
                        let xj = if j == d { 1.0 } else { f64::from(xs[j]) };
                        h[i * p + j] += v * xi * xj;
                    }
                }
            }
            for i in 0..p {
                for j in 0..i {
                    h[j * p + i] = h[i * p + j];
                }
                if i < d {
                    g[i] += lambda * beta[i];
                    h[i * p + i] += lambda;
                }
                // A small ridge keeps the system solvable when a feature is constant.
                h[i * p + i] += 1e-9 * n as f64;
            }
            cholesky_solve(&mut h, &mut g, p).ok_or_else(|| Error::FitFailed {
                model: "logistic blend",
                message: "the Hessian is singular; a feature may be constant".into(),
            })?;
            // Backtracking: halve the Newton step until the loss goes down.
            let mut t = 1.0;
            let mut accepted = false;
            for _ in 0..40 {
                let trial: Vec<f64> = beta.iter().zip(&g).map(|(b, s)| b - t * s).collect();
                let l = loss(&trial);
                if l.is_finite() && l <= current {
                    let gain = current - l;
                    beta = trial;
                    current = l;
                    accepted = true;
                    if gain <= 1e-10 * (1.0 + current.abs()) {
                        t = 0.0;
                    }
                    break;
                }
                t *= 0.5;
            }
            if !accepted || t == 0.0 {
                break;
            }
        }
        Ok(Logistic {
            bias: beta[d],
            weights: beta[..d].to_vec(),
            iterations,
        })
    }

    /// `bias + weights·x`, the log-odds.
    pub fn logit(&self, x: &[f32]) -> f64 {
        self.bias
            + x.iter()
                .zip(&self.weights)
                .map(|(&a, &b)| f64::from(a) * b)
                .sum::<f64>()
    }

    /// `P(y = 1 | x)`.
    pub fn predict(&self, x: &[f32]) -> f64 {
        sigmoid(self.logit(x))
    }

    /// The same fit as [`Logistic::fit`] without sample weights (the same objective:
    /// log-loss plus `(λ/2)·‖β‖²`, the bias unpenalised), by smartcore's L-BFGS on a
    /// copy of the features as `f64`. `iterations` is 0: smartcore does not report
    /// them. For the measurement in `ARCHITECTURE.md` (`learner =
    /// "smartcore_logistic"`).
    ///
    /// # Errors
    /// As [`Logistic::fit`], and [`Error::FitFailed`] with smartcore's message.
    #[cfg(feature = "smartcore")]
    pub fn fit_smartcore(x: &[f32], y: &[bool], d: usize, lambda: f64) -> Result<Logistic> {
        use smartcore::linalg::basic::arrays::{Array, Array2};
        use smartcore::linalg::basic::matrix::DenseMatrix;
        use smartcore::linear::logistic_regression::{
            LogisticRegression, LogisticRegressionParameters,
        };
        check_samples(x, y, d)?;
        let n = y.len();
        let m: DenseMatrix<f64> =
            DenseMatrix::from_iterator(x.iter().map(|&v| f64::from(v)), n, d, 0);
        let labels: Vec<i32> = y.iter().map(|&v| i32::from(v)).collect();
        let params = LogisticRegressionParameters::default().with_alpha(lambda);
        let lr = LogisticRegression::fit(&m, &labels, params).map_err(|e| Error::FitFailed {
            model: "logistic blend (smartcore)",
            message: e.to_string(),
        })?;
        let weights = (0..d).map(|j| *lr.coefficients().get((0, j))).collect();
        let bias = *lr.intercept().get((0, 0));
        Ok(Logistic {
            bias,
            weights,
            iterations: 0,
        })
    }
}

/// Samples a fit can take: as many rows of `d` features as labels, both classes, every
/// feature finite.
fn check_samples(x: &[f32], y: &[bool], d: usize) -> Result<usize> {
    let n = y.len();
    if n == 0 || x.len() != n * d {
        return Err(Error::Empty(format!("logistic regression needs samples; got {n} labels and {} feature values for {d} features", x.len())));
    }
    let positives = y.iter().filter(|&&v| v).count();
    if positives == 0 || positives == n {
        return Err(Error::Empty(format!(
            "logistic regression needs both classes; got {positives} positives of {n}"
        )));
    }
    if let Some(bad) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::FitFailed {
            model: "logistic blend",
            message: format!("feature {} of sample {} is not finite", bad % d, bad / d),
        });
    }
    Ok(positives)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_known_weights() {
        // y = 1 exactly when 2·x0 − x1 > 0.5 with label noise from a fixed pattern.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..400 {
            let a = ((i * 37) % 100) as f32 / 50.0 - 1.0;
            let b = ((i * 61) % 100) as f32 / 50.0 - 1.0;
            x.extend([a, b]);
            let z = 4.0 * f64::from(a) - 2.0 * f64::from(b) - 1.0;
            y.push(sigmoid(z) > ((i * 17) % 100) as f64 / 100.0);
        }
        let m = Logistic::fit(&x, &y, None, 2, 1e-3).unwrap();
        assert!(m.weights[0] > 1.5 && m.weights[1] < -0.5, "{m:?}");
        assert!(m.weights[0] > -2.0 * m.weights[1] * 0.8, "{m:?}");
        assert!(m.predict(&[1.0, -1.0]) > 0.9 && m.predict(&[-1.0, 1.0]) < 0.1);
    }

    /// smartcore's L-BFGS and the Newton steps minimise the same objective, so they
    /// land on the same weights (to the optimisers' tolerances).
    #[cfg(feature = "smartcore")]
    #[test]
    fn smartcore_reaches_the_newton_optimum() {
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for i in 0..600 {
            let a = ((i * 37) % 100) as f32 / 50.0 - 1.0;
            let b = ((i * 61) % 100) as f32 / 50.0 - 1.0;
            let c = ((i * 13) % 100) as f32 / 50.0 - 1.0;
            x.extend([a, b, c]);
            let z = 1.5 * f64::from(a) - 0.7 * f64::from(b) + 0.2 * f64::from(c) - 0.4;
            y.push(sigmoid(z) > ((i * 17) % 100) as f64 / 100.0);
        }
        for lambda in [0.0, 1.0, 30.0] {
            let newton = Logistic::fit(&x, &y, None, 3, lambda).unwrap();
            let lbfgs = Logistic::fit_smartcore(&x, &y, 3, lambda).unwrap();
            assert!(
                (newton.bias - lbfgs.bias).abs() < 1e-3,
                "{newton:?} {lbfgs:?}"
            );
            for (a, b) in newton.weights.iter().zip(&lbfgs.weights) {
                assert!((a - b).abs() < 1e-3, "λ = {lambda}: {newton:?} {lbfgs:?}");
            }
        }
        assert!(Logistic::fit_smartcore(&[1.0, 2.0], &[true, true], 1, 0.1).is_err());
    }

    #[test]
    fn refuses_one_class_and_nan() {
        assert!(Logistic::fit(&[1.0, 2.0], &[true, true], None, 1, 0.1).is_err());
        assert!(
            Logistic::fit(&[f32::NAN, 2.0], &[true, false], None, 1, 0.1)
                .unwrap_err()
                .to_string()
                .contains("not finite")
        );
    }

    #[test]
    fn cholesky_solves() {
        let mut a = vec![4.0, 2.0, 2.0, 3.0];
        let mut b = vec![2.0, 1.0];
        cholesky_solve(&mut a, &mut b, 2).unwrap();
        assert!((b[0] - 0.5).abs() < 1e-12 && b[1].abs() < 1e-12);
    }
}
