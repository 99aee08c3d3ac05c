//! Cholesky factorisation `A = L·Lᵀ` of a small symmetric positive-definite matrix and
//! the matching solve, in `f64`.

/// Overwrites the lower triangle of the `n × n` row-major matrix `a` with its Cholesky
/// factor `L` (the strict upper triangle is left as it was).
///
/// # Errors
/// The index of the first pivot that is not positive and finite: `a` is not positive
/// definite (or holds NaN), and the caller should regularise it.
///
/// # Panics
/// If `a.len() != n · n`.
///
/// ```
/// use kocrank::linalg::{cholesky_factor, cholesky_solve};
/// let mut a = vec![4.0, 2.0, 2.0, 3.0];
/// cholesky_factor(&mut a, 2).unwrap();
/// let mut b = vec![2.0, 1.0];
/// cholesky_solve(&a, 2, &mut b);
/// assert!((b[0] - 0.5).abs() < 1e-12 && b[1].abs() < 1e-12);
/// assert_eq!(cholesky_factor(&mut vec![1.0, 2.0, 2.0, 1.0], 2), Err(1));
/// ```
pub fn cholesky_factor(a: &mut [f64], n: usize) -> Result<(), usize> {
    assert_eq!(a.len(), n * n, "cholesky_factor: a must be n × n");
    for j in 0..n {
        let (done, rest) = a.split_at_mut(j * n);
        let row_j = &mut rest[..n];
        // L[j][i] for i < j.
        for i in 0..j {
            let row_i = &done[i * n..i * n + i];
            let s: f64 = row_i.iter().zip(&row_j[..i]).map(|(x, y)| x * y).sum();
            row_j[i] = (row_j[i] - s) / done[i * n + i];
        }
        let s: f64 = row_j[..j].iter().map(|x| x * x).sum();
        let d = row_j[j] - s;
        if !(d > 0.0 && d.is_finite()) {
            return Err(j);
        }
        row_j[j] = d.sqrt();
    }
    Ok(())
}

/// Solves `L·Lᵀ·x = b` in place (`b` becomes `x`), with `l` the output of
/// [`cholesky_factor`].
///
/// # Panics
/// If `l.len() != n · n` or `b.len() != n`.
pub fn cholesky_solve(l: &[f64], n: usize, b: &mut [f64]) {
    assert!(
        l.len() == n * n && b.len() == n,
        "cholesky_solve: l is {} values, b {}, n {n}",
        l.len(),
        b.len()
    );
    // Forward: L·z = b.
    for i in 0..n {
        let s: f64 = l[i * n..i * n + i]
            .iter()
            .zip(&b[..i])
            .map(|(x, y)| x * y)
            .sum();
        b[i] = (b[i] - s) / l[i * n + i];
    }
    // Backward: Lᵀ·x = z.
    for i in (0..n).rev() {
        let s: f64 = b
            .iter()
            .enumerate()
            .skip(i + 1)
            .map(|(j, bj)| l[j * n + i] * bj)
            .sum();
        b[i] = (b[i] - s) / l[i * n + i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_random_spd_system() {
        let n = 7;
        // A = MᵀM + I.
        let m: Vec<f64> = (0..n * n)
            .map(|j| ((j * 31) % 17) as f64 / 17.0 - 0.5)
            .collect();
        let mut a = vec![0f64; n * n];
        for r in 0..n {
            for c in 0..n {
                a[r * n + c] = (0..n).map(|t| m[t * n + r] * m[t * n + c]).sum::<f64>()
                    + if r == c { 1.0 } else { 0.0 };
            }
        }
        let x_true: Vec<f64> = (0..n).map(|j| j as f64 - 3.0).collect();
        let mut b: Vec<f64> = (0..n)
            .map(|r| (0..n).map(|c| a[r * n + c] * x_true[c]).sum())
            .collect();
        let mut l = a.clone();
        cholesky_factor(&mut l, n).unwrap();
        cholesky_solve(&l, n, &mut b);
        for (x, t) in b.iter().zip(&x_true) {
            assert!((x - t).abs() < 1e-9, "{b:?}");
        }
    }
}
