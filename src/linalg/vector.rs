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

/// `out[j] = x · row(candidates[j])` for every candidate, where row `i` is
/// `rows[i·d .. (i+1)·d]` and `d = x.len()`; a candidate without a row scores `-inf`.
/// The loop a factor model's request spends its time in: on x86-64 it runs a build of
/// itself with AVX2 and FMA when the CPU has them (chosen at run time), which keeps a
/// full scan near the memory bandwidth.
///
/// ```
/// let rows = [1.0, 0.0, 0.0, 2.0, 3.0, 3.0];
/// let mut out = [0.0; 3];
/// kocrank::linalg::dot_rows(&[1.0, 2.0], &rows, &[2, 0, 7], &mut out);
/// assert_eq!(out, [9.0, 1.0, f32::NEG_INFINITY]);
/// ```
pub fn dot_rows(x: &[f32], rows: &[f32], candidates: &[u32], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            unsafe { dot_rows_avx2(x, rows, candidates, out) };
            return;
        }
    }
    dot_rows_portable(x, rows, candidates, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_rows_avx2(x: &[f32], rows: &[f32], candidates: &[u32], out: &mut [f32]) {
    use std::arch::x86_64::*;
    let d = x.len();
    if d % 16 != 0 {
        dot_rows_portable(x, rows, candidates, out);
        return;
    }
    for (o, &i) in out.iter_mut().zip(candidates) {
        let at = i as usize * d;
        let Some(y) = rows.get(at..at + d) else {
            *o = f32::NEG_INFINITY;
            continue;
        };
        // Two accumulators of eight lanes, sixteen factors a step.
        let (mut a0, mut a1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
        for (xs, ys) in x.chunks_exact(16).zip(y.chunks_exact(16)) {
            // SAFETY: each chunk holds 16 floats, read as two unaligned groups of 8.
            let (x0, x1) = (
                _mm256_loadu_ps(xs.as_ptr()),
                _mm256_loadu_ps(xs.as_ptr().add(8)),
            );
            let (y0, y1) = (
                _mm256_loadu_ps(ys.as_ptr()),
                _mm256_loadu_ps(ys.as_ptr().add(8)),
            );
            a0 = _mm256_fmadd_ps(x0, y0, a0);
            a1 = _mm256_fmadd_ps(x1, y1, a1);
        }
        let a = _mm256_add_ps(a0, a1);
        let h = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
        let h = _mm_add_ps(h, _mm_movehl_ps(h, h));
        let h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
        *o = _mm_cvtss_f32(h);
    }
}

#[inline(always)]
fn dot_rows_portable(x: &[f32], rows: &[f32], candidates: &[u32], out: &mut [f32]) {
    let d = x.len();
    for (o, &i) in out.iter_mut().zip(candidates) {
        let at = i as usize * d;
        // No closure here: it would be compiled apart from the AVX2 build of this loop.
        *o = match rows.get(at..at + d) {
            Some(y) => dot(x, y),
            None => f32::NEG_INFINITY,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_rows_equals_dot_per_row() {
        for d in [3usize, 16, 64, 80] {
            let rows: Vec<f32> = (0..9 * d)
                .map(|j| ((j * 7919) % 23) as f32 / 7.0 - 1.5)
                .collect();
            let x: Vec<f32> = (0..d).map(|j| ((j * 31) % 11) as f32 / 5.0 - 1.0).collect();
            let cands = [8u32, 0, 3, 9, 3, u32::MAX];
            let mut out = [0f32; 6];
            dot_rows(&x, &rows, &cands, &mut out);
            for (o, &i) in out.iter().zip(&cands) {
                match rows.get(i as usize * d..(i as usize + 1) * d) {
                    Some(y) => {
                        let want = dot(&x, y);
                        assert!(
                            (o - want).abs() <= 1e-4 * (1.0 + want.abs()),
                            "d {d} item {i}: {o} vs {want}"
                        );
                    }
                    None => assert_eq!(*o, f32::NEG_INFINITY),
                }
            }
        }
    }

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
