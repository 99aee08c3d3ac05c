//! The Gram matrix `YᵀY` of a row-major factor matrix.

use rayon::prelude::*;

/// Rows per parallel block of [`gram`]; blocks are summed in order, so the result does
/// not depend on the number of threads.
const BLOCK_ROWS: usize = 256;

/// `G = YᵀY` for the row-major matrix `y` of `k` columns, accumulated in `f64`, as a
/// row-major `k × k` matrix. Rows are summed in fixed blocks of 256 in parallel, then
/// the blocks in order: the same input gives the same bits whatever the thread count.
/// A trailing partial row (when `y.len()` is not a multiple of `k`) is ignored.
///
/// ```
/// // Rows (1, 2) and (3, 4): YᵀY = [[10, 14], [14, 20]].
/// assert_eq!(kocrank::linalg::gram(&[1.0, 2.0, 3.0, 4.0], 2), vec![10.0, 14.0, 14.0, 20.0]);
/// ```
pub fn gram(y: &[f32], k: usize) -> Vec<f64> {
    if k == 0 {
        return Vec::new();
    }
    let partials: Vec<Vec<f64>> = y
        .par_chunks(BLOCK_ROWS * k)
        .map(|block| {
            let mut g = vec![0f64; k * k];
            let mut row64 = vec![0f64; k];
            for row in block.chunks_exact(k) {
                for (d, &s) in row64.iter_mut().zip(row) {
                    *d = f64::from(s);
                }
                // Upper triangle only; mirrored below.
                for (a, &ya) in row64.iter().enumerate() {
                    let ga = &mut g[a * k + a..(a + 1) * k];
                    for (gab, &yb) in ga.iter_mut().zip(&row64[a..]) {
                        *gab += ya * yb;
                    }
                }
            }
            g
        })
        .collect();
    let mut g = vec![0f64; k * k];
    for p in &partials {
        for (d, s) in g.iter_mut().zip(p) {
            *d += s;
        }
    }
    for a in 0..k {
        for b in 0..a {
            g[a * k + b] = g[b * k + a];
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gram_is_symmetric_and_matches_naive() {
        let k = 5;
        let y: Vec<f32> = (0..(600 * k))
            .map(|j| ((j * 7919) % 97) as f32 / 97.0)
            .collect();
        let g = gram(&y, k);
        for a in 0..k {
            for b in 0..k {
                let naive: f64 = y
                    .chunks_exact(k)
                    .map(|r| f64::from(r[a]) * f64::from(r[b]))
                    .sum();
                assert!((g[a * k + b] - naive).abs() < 1e-9 * naive.abs().max(1.0));
                assert_eq!(g[a * k + b], g[b * k + a]);
            }
        }
    }
}
