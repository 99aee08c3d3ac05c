//! EASE, the embarrassingly shallow autoencoder (Steck, "Embarrassingly Shallow
//! Autoencoders for Sparse Data", WWW 2019): an item × item weight matrix learned in
//! closed form from the promoter × item matrix.
//!
//! With `X` the binary promoter × item matrix (`x_{p,i}` = 1 when promoter `p` brought
//! a completed order of item `i`, as in the paper) over the `n` items with at least
//! `min_item_orders` training orders, Steck minimises
//! `‖X − XB‖²_F + λ‖B‖²_F` subject to `diag(B) = 0`, whose solution is
//!
//! ```text
//! G = XᵀX + λI,   P = G⁻¹,   B_{ij} = −P_{ij} / P_{jj}  (i ≠ j),   B_{jj} = 0
//! score(p, i) = Σ_j x_{p,j} B_{ji}          (x_p from the request's history)
//! ```
//!
//! Items outside the fitted set score 0; among equal scores the more ordered item wins
//! (a tie-break of at most [`super::item_knn::TIE_BREAK`]).
//!
//! # Precision and cost
//! `G`, its Cholesky factor `L` (`G = LLᵀ`), `P` and `B` are `f32`: the entries of `G`
//! are integer co-purchase counts (exact in `f32` below 2²⁴), and `G`'s condition
//! number is at most `(λ + ‖X‖₂²) / λ` — a few hundred at the default λ = 500 on order
//! data — so `f32` loses at most about 3 of its 7 digits, while halving the memory and
//! doubling the SIMD width against `f64`. Diagonal pivots of the factorisation are
//! accumulated in `f64`; a non-positive pivot is an error, not a NaN.
//!
//! The factorisation is a blocked right-looking Cholesky (blocks of [`BLOCK`]) and
//! `P` is formed by triangular solves against blocks of unit vectors, both parallel
//! over rows with rayon. The cost is `n³ / 6` multiply-adds for `L` and `2n³ / 3` for
//! `P`, and `2 · n² · 4` bytes while fitting (`L` and `P`; the model keeps `B`,
//! `n² · 4` bytes). This grows with the cube of the item count, so `fit` refuses more
//! than `max_items` items before allocating anything; written in-house because the two
//! kernels need about 150 lines, against a dense linear-algebra dependency in the
//! lean core.

use super::csr::Csr;
use super::item_knn::orders_and_ties;
use super::{Context, Scorer};
use crate::data::History;
use crate::error::{Error, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Block size of the Cholesky factorisation and of the inverse's right-hand sides.
pub const BLOCK: usize = 64;

/// Settings of EASE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EaseConfig {
    /// L2 regularisation λ added to the diagonal of the Gram matrix, > 0. Default 500
    /// (Steck's typical value).
    pub lambda: f64,
    /// Most items the fit accepts (it takes `2 · n² · 4` bytes and `O(n³)` time).
    /// Default 30 000.
    pub max_items: usize,
    /// Items with fewer completed training orders are left out of the fit (and score
    /// 0). Default 1.
    pub min_item_orders: u32,
}

impl Default for EaseConfig {
    fn default() -> Self {
        EaseConfig {
            lambda: 500.0,
            max_items: 30_000,
            min_item_orders: 1,
        }
    }
}

impl EaseConfig {
    /// Checks the ranges.
    ///
    /// # Errors
    /// [`crate::ConfigError::OutOfRange`] for λ outside (0, 1e9], `max_items` outside
    /// [1, 1e6] or `min_item_orders` of 0.
    pub fn validate(&self) -> std::result::Result<(), crate::ConfigError> {
        use crate::error::check_range;
        check_range("ease.lambda", self.lambda, 1e-6, 1e9, "(0, 1e9]")?;
        check_range(
            "ease.max_items",
            self.max_items as f64,
            1.0,
            1e6,
            "[1, 1000000]",
        )?;
        check_range(
            "ease.min_item_orders",
            f64::from(self.min_item_orders),
            1.0,
            1e9,
            "[1, 1e9]",
        )
    }
}

/// Fitted EASE: the item × item weights over the fitted items.
#[derive(Debug, Clone, PartialEq)]
pub struct Ease {
    /// Fitted items (catalogue indices, increasing).
    pub(crate) items: Vec<u32>,
    /// Position of each catalogue item in `items`, or `u32::MAX`.
    pub(crate) slot: Vec<u32>,
    /// `B`, row-major over `items`: `weights[j * n + i] = B_{ji}`.
    pub(crate) weights: Vec<f32>,
    /// Tie-break per catalogue item, in `[0, TIE_BREAK]`.
    pub(crate) tie: Vec<f32>,
}

/// `Σ a_k b_k` with eight partial sums, so the compiler vectorises it.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// `y += alpha · x`.
fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    for (y, x) in y.iter_mut().zip(x) {
        *y += alpha * x;
    }
}

/// Factors the symmetric positive definite `a` (row-major `n × n`) in place into its
/// lower Cholesky factor `L` (`a = LLᵀ`; the strict upper triangle is left as it was).
///
/// # Errors
/// The index of the first non-positive pivot.
pub(crate) fn cholesky_in_place(a: &mut [f32], n: usize) -> std::result::Result<(), usize> {
    debug_assert_eq!(a.len(), n * n);
    let mut diag = vec![0f32; BLOCK * BLOCK];
    let mut panel: Vec<f32> = Vec::new();
    for k0 in (0..n).step_by(BLOCK) {
        let k1 = (k0 + BLOCK).min(n);
        let kb = k1 - k0;
        // 1. The diagonal block, unblocked (its rows already hold the trailing updates).
        for j in k0..k1 {
            let row_j = &a[j * n + k0..j * n + j];
            let d =
                f64::from(a[j * n + j]) - row_j.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>();
            if !(d > 0.0 && d.is_finite()) {
                return Err(j);
            }
            let ljj = d.sqrt() as f32;
            a[j * n + j] = ljj;
            for i in j + 1..k1 {
                let (top, bottom) = a.split_at_mut(i * n);
                let lj = &top[j * n + k0..j * n + j];
                let ri = &mut bottom[..n];
                ri[j] = (ri[j] - dot(&ri[k0..j], lj)) / ljj;
            }
        }
        for r in 0..kb {
            diag[r * BLOCK..r * BLOCK + kb]
                .copy_from_slice(&a[(k0 + r) * n + k0..(k0 + r) * n + k1]);
        }
        if k1 == n {
            break;
        }
        // 2. The panel below it: L21 = A21 L11⁻ᵀ, row by row.
        let (_, below) = a.split_at_mut(k1 * n);
        below.par_chunks_mut(n).for_each(|row| {
            for c in 0..kb {
                let lc = &diag[c * BLOCK..c * BLOCK + c];
                let v = (row[k0 + c] - dot(&row[k0..k0 + c], lc)) / diag[c * BLOCK + c];
                row[k0 + c] = v;
            }
        });
        // 3. The trailing lower triangle: A22 −= L21 L21ᵀ.
        panel.clear();
        for row in below.chunks(n) {
            panel.extend_from_slice(&row[k0..k1]);
        }
        let panel = &panel;
        below.par_chunks_mut(n).enumerate().for_each(|(r, row)| {
            let pr = &panel[r * kb..(r + 1) * kb];
            for (c, x) in row[k1..=k1 + r].iter_mut().enumerate() {
                *x -= dot(pr, &panel[c * kb..(c + 1) * kb]);
            }
        });
    }
    Ok(())
}

/// `(LLᵀ)⁻¹` from the lower factor `l` (row-major `n × n`), by forward and back
/// substitution against blocks of [`BLOCK`] unit vectors, one block per task.
pub(crate) fn inverse_from_cholesky(l: &[f32], n: usize) -> Vec<f32> {
    let mut p = vec![0f32; n * n];
    if n == 0 {
        return p;
    }
    p.par_chunks_mut(BLOCK * n)
        .enumerate()
        .for_each(|(b, out)| {
            let c0 = b * BLOCK;
            let w = out.len() / n;
            // y: n × w, row-major; column c solves for unit vector e_{c0 + c}.
            let mut y = vec![0f32; n * w];
            // Forward: L y = E (rows above c0 stay zero).
            for i in c0..n {
                let li = &l[i * n..i * n + i];
                let (done, rest) = y.split_at_mut(i * w);
                let yi = &mut rest[..w];
                if (c0..c0 + w).contains(&i) {
                    yi[i - c0] = 1.0;
                }
                for t in c0..i {
                    let lit = li[t];
                    if lit != 0.0 {
                        axpy(-lit, &done[t * w..(t + 1) * w], yi);
                    }
                }
                let inv = 1.0 / l[i * n + i];
                yi.iter_mut().for_each(|v| *v *= inv);
            }
            // Back: Lᵀ x = y, column by column of L (row t of L is contiguous).
            for t in (0..n).rev() {
                let inv = 1.0 / l[t * n + t];
                let (head, rest) = y.split_at_mut(t * w);
                let xt = &mut rest[..w];
                xt.iter_mut().for_each(|v| *v *= inv);
                let lt = &l[t * n..t * n + t];
                for (i, &lti) in lt.iter().enumerate() {
                    if lti != 0.0 {
                        axpy(-lti, xt, &mut head[i * w..(i + 1) * w]);
                    }
                }
            }
            // Column c of P is row c0 + c (P is symmetric).
            for c in 0..w {
                let row = &mut out[c * n..(c + 1) * n];
                for (i, v) in row.iter_mut().enumerate() {
                    *v = y[i * w + c];
                }
            }
        });
    p
}

impl Ease {
    /// Fits `B` from the training orders over `n_items` items.
    ///
    /// # Errors
    /// [`Error::TooLarge`] when more than `cfg.max_items` items qualify (checked
    /// before any large allocation), or when the Gram matrix is not numerically
    /// positive definite (λ too small for `f32`).
    ///
    /// # Examples
    /// ```
    /// use kocrank::signals::ease::{Ease, EaseConfig};
    /// let world = kocrank::synth::generate(kocrank::synth::Scale::Tiny, 1).unwrap();
    /// let h = world.dataset.history();
    /// let n = world.dataset.catalog().len();
    /// assert!(Ease::fit(&h, n, &EaseConfig::default()).is_ok());
    /// let small = EaseConfig { max_items: 10, ..EaseConfig::default() };
    /// let e = Ease::fit(&h, n, &small).unwrap_err().to_string();
    /// assert!(e.contains("ease.max_items = 10"), "{e}");
    /// ```
    pub fn fit(history: &History, n_items: usize, cfg: &EaseConfig) -> Result<Ease> {
        let Csr { ptr, col, val } = Csr::counts(history, n_items);
        let (orders, tie) = orders_and_ties(&col, &val, n_items);
        let min = f64::from(cfg.min_item_orders);
        let items: Vec<u32> = (0..n_items as u32)
            .filter(|&i| orders[i as usize] >= min && orders[i as usize] > 0.0)
            .collect();
        let n = items.len();
        if n > cfg.max_items {
            let gb = (n as f64).powi(2) * 4.0 / 1e9;
            return Err(Error::TooLarge(format!(
                "ease: {n} items have at least {} training order(s), above ease.max_items = {}; \
                 its item × item matrix would take {gb:.1} GB ({n}² × 4 bytes, twice that while \
                 fitting) and O(n³) time; restrict the catalogue, raise ease.min_item_orders or \
                 ease.max_items, or use model item_knn or ials",
                cfg.min_item_orders, cfg.max_items
            )));
        }
        let mut slot = vec![u32::MAX; n_items];
        for (s, &i) in items.iter().enumerate() {
            slot[i as usize] = s as u32;
        }
        // Binary promoter rows over the fitted items, and their transpose.
        let rows: Vec<Vec<u32>> = (0..ptr.len() - 1)
            .map(|p| {
                col[ptr[p]..ptr[p + 1]]
                    .iter()
                    .map(|&i| slot[i as usize])
                    .filter(|&s| s != u32::MAX)
                    .collect()
            })
            .collect();
        let mut by_item: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (p, r) in rows.iter().enumerate() {
            for &s in r {
                by_item[s as usize].push(p as u32);
            }
        }
        // G = XᵀX + λI, row by row.
        let mut g = vec![0f32; n * n];
        let lambda = cfg.lambda as f32;
        g.par_chunks_mut(n.max(1)).enumerate().for_each(|(a, row)| {
            for &p in &by_item[a] {
                for &b in &rows[p as usize] {
                    row[b as usize] += 1.0;
                }
            }
            row[a] += lambda;
        });
        cholesky_in_place(&mut g, n).map_err(|j| not_positive_definite(&items, j, cfg.lambda))?;
        let mut weights = inverse_from_cholesky(&g, n);
        drop(g);
        let diag: Vec<f32> = (0..n).map(|i| weights[i * n + i]).collect();
        weights
            .par_chunks_mut(n.max(1))
            .enumerate()
            .for_each(|(j, row)| {
                for (v, &d) in row.iter_mut().zip(&diag) {
                    *v = -*v / d;
                }
                row[j] = 0.0;
            });
        Ok(Ease {
            items,
            slot,
            weights,
            tie,
        })
    }

    /// Number of catalogue items covered.
    pub fn n_items(&self) -> usize {
        self.tie.len()
    }

    /// The fitted items (catalogue indices, increasing).
    pub fn fitted_items(&self) -> &[u32] {
        &self.items
    }

    /// `B_{ji}` for catalogue items `j`, `i` (0 when either is outside the fit).
    pub fn weight(&self, j: u32, i: u32) -> f32 {
        let n = self.items.len();
        match (self.slot.get(j as usize), self.slot.get(i as usize)) {
            (Some(&a), Some(&b)) if a != u32::MAX && b != u32::MAX => {
                self.weights[a as usize * n + b as usize]
            }
            _ => 0.0,
        }
    }

    /// Rebuilds a fitted model from its stored parts, checking every length and index.
    ///
    /// # Errors
    /// A message naming the first inconsistency.
    pub(crate) fn from_parts(
        items: Vec<u32>,
        weights: Vec<f32>,
        tie: Vec<f32>,
    ) -> std::result::Result<Ease, String> {
        let n_items = tie.len();
        let n = items.len();
        if !items.windows(2).all(|w| w[0] < w[1]) {
            return Err("ease item list is not strictly increasing".into());
        }
        if let Some(bad) = items.iter().find(|&&i| i as usize >= n_items) {
            return Err(format!("ease names item {bad}, beyond the {n_items} items"));
        }
        if n.checked_mul(n) != Some(weights.len()) {
            return Err(format!(
                "ease holds {} weights for {n} items (expected {n}²)",
                weights.len()
            ));
        }
        if weights.iter().chain(&tie).any(|w| !w.is_finite()) {
            return Err("ease holds a non-finite weight".into());
        }
        let mut slot = vec![u32::MAX; n_items];
        for (s, &i) in items.iter().enumerate() {
            slot[i as usize] = s as u32;
        }
        Ok(Ease {
            items,
            slot,
            weights,
            tie,
        })
    }
}

impl Scorer for Ease {
    fn name(&self) -> &'static str {
        "ease"
    }

    fn score(&self, ctx: &Context<'_>, candidates: &[u32], out: &mut [f32]) {
        assert_eq!(candidates.len(), out.len(), "one output slot per candidate");
        let n = self.items.len();
        let mut hist: Vec<usize> = ctx
            .history
            .iter()
            .filter_map(|&j| self.slot.get(j as usize))
            .filter(|&&s| s != u32::MAX)
            .map(|&s| s as usize * n)
            .collect();
        hist.sort_unstable();
        hist.dedup();
        for (o, &i) in out.iter_mut().zip(candidates) {
            *o = match (self.slot.get(i as usize), self.tie.get(i as usize)) {
                (Some(&s), Some(&t)) if s != u32::MAX => {
                    let s = s as usize;
                    let cf: f64 = hist
                        .iter()
                        .map(|&row| f64::from(self.weights[row + s]))
                        .sum();
                    cf as f32 + t
                }
                (_, Some(&t)) => t,
                _ => f32::NEG_INFINITY,
            };
        }
    }
}

/// The error of a Gram matrix that is not positive definite at pivot `j`. Built out
/// of line: constructed inside `Ease::fit`, this error's formatting made the fit about
/// a third slower (`cargo bench --bench cf_fit`), by changing how the fit's loops were
/// optimised.
#[cold]
#[inline(never)]
fn not_positive_definite(items: &[u32], j: usize, lambda: f64) -> Error {
    Error::FitFailed {
        model: "ease",
        message: format!(
            "the Gram matrix is not positive definite at item {} (pivot {j} of {}); \
             raise ease.lambda (now {lambda})",
            items.get(j).copied().unwrap_or(0),
            items.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Channel, OrderStatus, Orders, NO_ID};

    /// Two groups of promoters buying disjoint items (0..3 and 3..6), plus item 6
    /// never ordered.
    fn blocks() -> History {
        let mut o = Orders::default();
        let rows: [&[u32]; 6] = [&[0, 1], &[1, 2], &[0, 2, 1], &[3, 4], &[4, 5], &[3, 5]];
        for (p, items) in rows.iter().enumerate() {
            for &i in *items {
                o.promoter.push(p as u32);
                o.item.push(i);
                o.ts.push(10);
                o.quantity.push(1);
                o.amount_cents.push(100);
                o.status.push(OrderStatus::Completed);
                o.order_id.push(NO_ID);
                o.buyer.push(NO_ID);
                o.group.push(NO_ID);
            }
        }
        o.history(6)
    }

    /// Gauss–Jordan inverse in f64 with partial pivoting, for checking.
    fn naive_inverse(a: &[f64], n: usize) -> Vec<f64> {
        let mut m: Vec<f64> = Vec::new();
        for i in 0..n {
            m.extend_from_slice(&a[i * n..(i + 1) * n]);
            m.extend((0..n).map(|j| if i == j { 1.0 } else { 0.0 }));
        }
        let w = 2 * n;
        for c in 0..n {
            let piv = (c..n)
                .max_by(|&x, &y| m[x * w + c].abs().total_cmp(&m[y * w + c].abs()))
                .unwrap();
            for k in 0..w {
                m.swap(c * w + k, piv * w + k);
            }
            let d = m[c * w + c];
            for k in 0..w {
                m[c * w + k] /= d;
            }
            for r in 0..n {
                if r != c {
                    let f = m[r * w + c];
                    for k in 0..w {
                        m[r * w + k] -= f * m[c * w + k];
                    }
                }
            }
        }
        (0..n)
            .flat_map(|i| m[i * w + n..(i + 1) * w].to_vec())
            .collect()
    }

    #[test]
    fn b_matches_a_naive_inverse() {
        // Five items, a hand-made X (6 promoters).
        let x: [[f64; 5]; 6] = [
            [1., 1., 0., 0., 1.],
            [0., 1., 1., 0., 0.],
            [1., 0., 1., 1., 0.],
            [0., 0., 1., 1., 1.],
            [1., 1., 1., 0., 0.],
            [0., 1., 0., 1., 1.],
        ];
        let mut o = Orders::default();
        for (p, row) in x.iter().enumerate() {
            for (i, &v) in row.iter().enumerate() {
                if v > 0.0 {
                    o.promoter.push(p as u32);
                    o.item.push(i as u32);
                    o.ts.push(1);
                    o.quantity.push(1);
                    o.amount_cents.push(1);
                    o.status.push(OrderStatus::Completed);
                    o.order_id.push(NO_ID);
                    o.buyer.push(NO_ID);
                    o.group.push(NO_ID);
                }
            }
        }
        let lambda = 2.0;
        let ease = Ease::fit(
            &o.history(6),
            5,
            &EaseConfig {
                lambda,
                ..EaseConfig::default()
            },
        )
        .unwrap();
        let mut g = vec![0f64; 25];
        for i in 0..5 {
            for j in 0..5 {
                g[i * 5 + j] = (0..6).map(|p| x[p][i] * x[p][j]).sum::<f64>();
            }
            g[i * 5 + i] += lambda;
        }
        let p = naive_inverse(&g, 5);
        for i in 0..5u32 {
            for j in 0..5u32 {
                let (iu, ju) = (i as usize, j as usize);
                let want = if i == j {
                    0.0
                } else {
                    -p[iu * 5 + ju] / p[ju * 5 + ju]
                };
                let got = f64::from(ease.weight(i, j));
                assert!(
                    (got - want).abs() < 1e-5,
                    "B[{i}][{j}] = {got}, want {want}"
                );
            }
        }
    }

    #[test]
    fn blocked_cholesky_and_inverse_match_on_a_larger_matrix() {
        // n > BLOCK exercises the panel and trailing updates and several RHS blocks.
        let n = 2 * BLOCK + 7;
        let mut a = vec![0f32; n * n];
        for i in 0..n {
            for j in 0..n {
                let v = ((i * 7 + j * 13) % 5) as f32 + ((i + j) % 3) as f32;
                a[i * n + j] += v;
                a[j * n + i] += v;
            }
            a[i * n + i] += 4.0 * n as f32;
        }
        let a64: Vec<f64> = a.iter().map(|&x| f64::from(x)).collect();
        let mut l = a.clone();
        cholesky_in_place(&mut l, n).unwrap();
        let p = inverse_from_cholesky(&l, n);
        let want = naive_inverse(&a64, n);
        let worst = p
            .iter()
            .zip(&want)
            .map(|(&x, &y)| (f64::from(x) - y).abs())
            .fold(0.0, f64::max);
        let scale = want.iter().map(|x| x.abs()).fold(0.0, f64::max);
        assert!(worst < 1e-4 * scale, "max error {worst} (scale {scale})");
    }

    #[test]
    fn not_positive_definite_is_reported() {
        let mut a = vec![1.0f32, 2.0, 2.0, 1.0];
        assert_eq!(cholesky_in_place(&mut a, 2), Err(1));
    }

    fn ctx<'a>(items: &'a [u32], ts: &'a [i64]) -> Context<'a> {
        Context {
            promoter: None,
            channel: Channel::Other,
            city_tier: 0,
            history: items,
            history_ts: ts,
            shares: &[],
            shares_ts: &[],
            now: 100,
            fold_in: true,
        }
    }

    #[test]
    fn the_group_ranks_first_and_unknown_is_neg_inf() {
        let ease = Ease::fit(
            &blocks(),
            7,
            &EaseConfig {
                lambda: 1.0,
                ..EaseConfig::default()
            },
        )
        .unwrap();
        assert_eq!(ease.fitted_items(), &[0, 1, 2, 3, 4, 5]);
        let cands: Vec<u32> = (0..8).collect();
        let mut out = vec![0f32; cands.len()];
        ease.score(&ctx(&[3], &[10]), &cands, &mut out);
        assert!(out[4] > out[0] && out[5] > out[1], "{out:?}");
        assert!(out[4] > out[6], "{out:?}");
        assert_eq!(out[7], f32::NEG_INFINITY);
        // Same fit twice, and with one thread, gives the same weights.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let again = pool.install(|| {
            Ease::fit(
                &blocks(),
                7,
                &EaseConfig {
                    lambda: 1.0,
                    ..EaseConfig::default()
                },
            )
            .unwrap()
        });
        assert_eq!(ease, again);
    }

    #[test]
    fn oversize_is_a_clear_error() {
        let cfg = EaseConfig {
            max_items: 4,
            ..EaseConfig::default()
        };
        let e = Ease::fit(&blocks(), 7, &cfg).unwrap_err().to_string();
        for part in [
            "6 items",
            "ease.max_items = 4",
            "GB",
            "6² × 4 bytes",
            "item_knn",
        ] {
            assert!(e.contains(part), "{part}: {e}");
        }
        assert!(EaseConfig {
            lambda: 0.0,
            ..EaseConfig::default()
        }
        .validate()
        .is_err());
    }

    #[test]
    fn from_parts_checks_lengths_and_indices() {
        let ease = Ease::fit(&blocks(), 7, &EaseConfig::default()).unwrap();
        let e = Ease::from_parts(vec![0, 9], vec![0.0; 4], ease.tie.clone()).unwrap_err();
        assert!(e.contains("item 9"), "{e}");
        let e = Ease::from_parts(vec![0, 1], vec![0.0; 3], ease.tie.clone()).unwrap_err();
        assert!(e.contains("3 weights"), "{e}");
    }
}
