//! Level-1 and level-2 kernels: dot, axpy, symmetric matrix–vector product.

/// Lanes of independent accumulators in [`dot`]: enough to hide the latency of a
/// vector add on current x86 and ARM cores.
const LANES: usize = 16;

/// `Σ a[j] · b[j]` over the common length of `a` and `b`.
///
/// ```
/// assert_eq!(kocrank::linalg::dot(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
/// ```
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f32; LANES];
    let ca = a.chunks_exact(LANES);
    let cb = b.chunks_exact(LANES);
    let (ta, tb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for ((s, xv), yv) in acc.iter_mut().zip(x).zip(y) {
            *s += xv * yv;
        }
    }
    let mut tail = 0f32;
    for (x, y) in ta.iter().zip(tb) {
        tail += x * y;
    }
    // Pairwise reduction of the lanes.
    let mut w = LANES;
    while w > 1 {
        w /= 2;
        let (lo, hi) = acc.split_at_mut(w);
        for (s, t) in lo.iter_mut().zip(hi.iter()) {
            *s += t;
        }
    }
    acc[0] + tail
}

/// `y += alpha · x` over the common length.
///
/// ```
/// let mut y = [1.0, 1.0];
/// kocrank::linalg::axpy(2.0, &[1.0, 3.0], &mut y);
/// assert_eq!(y, [3.0, 7.0]);
/// ```
#[inline(always)]
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// `y = x + beta · y` over the common length (the conjugate-gradient direction update).
///
/// ```
/// let mut p = [1.0, 2.0];
/// kocrank::linalg::scale_add(&[1.0, 1.0], 0.5, &mut p);
/// assert_eq!(p, [1.5, 2.0]);
/// ```
#[inline(always)]
pub fn scale_add(x: &[f32], beta: f32, y: &mut [f32]) {
    debug_assert_eq!(x.len(), y.len());
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi = xi + beta * *yi;
    }
}

/// `out = A · x` for the `n × n` row-major matrix `a` (symmetric in practice, but any
/// square matrix works), `n = x.len()`.
///
/// # Panics
/// If `a.len() != n · n` or `out.len() != n`.
///
/// ```
/// let a = [2.0, 1.0, 1.0, 3.0];
/// let mut out = [0.0; 2];
/// kocrank::linalg::symv(&a, &[1.0, 1.0], &mut out);
/// assert_eq!(out, [3.0, 4.0]);
/// ```
#[inline(always)]
pub fn symv(a: &[f32], x: &[f32], out: &mut [f32]) {
    let n = x.len();
    assert!(
        a.len() == n * n && out.len() == n,
        "symv: a is {} values, x {n}, out {}",
        a.len(),
        out.len()
    );
    for (o, row) in out.iter_mut().zip(a.chunks_exact(n)) {
        *o = dot(row, x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_naive_for_all_tails() {
        for n in 0..70 {
            let a: Vec<f32> = (0..n).map(|j| (j as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..n).map(|j| (j as f32 * 0.11).cos()).collect();
            let naive: f64 = a.iter().zip(&b).map(|(x, y)| f64::from(x * y)).sum();
            assert!((f64::from(dot(&a, &b)) - naive).abs() < 1e-4, "n={n}");
        }
    }
}
