//! Implicit-feedback matrix factorisation (iALS): a promoter's circle and an item meet in
//! a space of `k` latent factors learned from which circles bought what
//! (`shared/DOMAIN.md` §4.2).
//!
//! # The model
//! Hu, Koren and Volinsky, *Collaborative Filtering for Implicit Feedback Datasets*
//! (ICDM 2008). With `r_ui` the number of completed orders promoter `u`'s circle placed
//! for item `i` (each order optionally weighted `2^(−age / half_life)`), the preference
//! is `p_ui = 1` when `r_ui > 0`, else 0, and the confidence is
//!
//! `c_ui = 1 + α · r_ui`
//!
//! (`c_ui = 1` for every pair never ordered). The promoter factors `X` (`n_promoters × k`)
//! and item factors `Y` (`n_items × k`) minimise
//!
//! `L = Σ_u Σ_i c_ui (p_ui − x_uᵀ y_i)² + λ (Σ_u ‖x_u‖² + Σ_i ‖y_i‖²)`
//!
//! and the score of item `i` for promoter `u` is `x_uᵀ y_i`.
//!
//! # Fitting
//! Alternating least squares: with `Y` fixed, each `x_u` solves
//!
//! `(YᵀY + Yᵀ(Cᵘ − I)Y + λI) x_u = YᵀCᵘ p_u`
//!
//! where `Yᵀ(Cᵘ − I)Y` and `YᵀCᵘ p_u` sum only over the items `u` ordered, and `YᵀY` is
//! computed once per sweep. Then the same for every `y_i` with `X` fixed. Each row is
//! solved approximately by a few conjugate-gradient steps warm-started from its previous
//! value (Takács, Pilászy and Tikk, *Applications of the Conjugate Gradient Method for
//! Implicit Feedback Collaborative Filtering*, RecSys 2011), as the `implicit` package
//! does. Rows run in parallel (rayon, outermost loop only); every row's result depends
//! only on its own data, so the factors are the same whatever the thread count. A row
//! with no order is set to its exact solution, 0.
//! Factors start uniform in `[0, 0.01)` from a ChaCha8 stream per row derived from
//! `(seed, row)`.
//!
//! # Fold-in
//! A promoter whose orders changed since training (or a newcomer with orders) gets her
//! factors from the fixed item factors by solving the user equation above exactly
//! (Cholesky, in `f64`): [`Ials::fold_in`].

use super::csr::Csr;
use super::{Context, Scorer};
use crate::codec::{Dec, Enc};
use crate::data::History;
use crate::error::{check_range, ConfigError, Error, Result};
use crate::linalg::{axpy, cholesky_factor, cholesky_solve, dot, gram, scale_add, symv};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Settings of the iALS model.
///
/// ```
/// let cfg: kocrank::signals::ials::IalsConfig = toml::from_str("factors = 32\nalpha = 4.0").unwrap();
/// assert_eq!((cfg.factors, cfg.iterations), (32, 15));
/// assert!(cfg.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IalsConfig {
    /// Latent factors `k`. Default 64.
    pub factors: usize,
    /// L2 penalty `λ` on every factor row. Default 0.01 (as `implicit`).
    pub regularization: f64,
    /// Confidence slope `α` in `c_ui = 1 + α · r_ui`. Default 1.0 (as `implicit`).
    pub alpha: f64,
    /// Half-life of an order's weight in `r_ui`, in days; `None` (default) counts every
    /// order as 1 whatever its age. Ages are measured from one second after the last
    /// training order, and from the ranking time in fold-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub half_life_days: Option<f64>,
    /// Alternating sweeps (promoters, then items). Default 15.
    pub iterations: usize,
    /// Conjugate-gradient steps per row and sweep. Default 3.
    pub cg_steps: usize,
    /// Seed of the initial factors. Default 0.
    pub seed: u64,
}

impl Default for IalsConfig {
    fn default() -> Self {
        IalsConfig {
            factors: 64,
            regularization: 0.01,
            alpha: 1.0,
            half_life_days: None,
            iterations: 15,
            cg_steps: 3,
            seed: 0,
        }
    }
}

impl IalsConfig {
    /// Checks the ranges.
    ///
    /// # Errors
    /// [`ConfigError::OutOfRange`] when `factors` is not in 1..=1024, `regularization` not
    /// in (0, 1e6], `alpha` not in [0, 1e6], `half_life_days` not in (0, 36500],
    /// `iterations` above 1000 or `cg_steps` not in 1..=100.
    pub fn validate(&self) -> std::result::Result<(), ConfigError> {
        check_range("ials.factors", self.factors as f64, 1.0, 1024.0, "1..=1024")?;
        check_range(
            "ials.regularization",
            self.regularization,
            1e-12,
            1e6,
            "(0, 1e6]",
        )?;
        check_range("ials.alpha", self.alpha, 0.0, 1e6, "[0, 1e6]")?;
        if let Some(h) = self.half_life_days {
            check_range("ials.half_life_days", h, 1e-3, 36_500.0, "(0, 36500]")?;
        }
        check_range(
            "ials.iterations",
            self.iterations as f64,
            0.0,
            1000.0,
            "0..=1000",
        )?;
        check_range("ials.cg_steps", self.cg_steps as f64, 1.0, 100.0, "1..=100")
    }

    fn half_life_secs(&self) -> Option<f64> {
        self.half_life_days.map(|d| d * 86_400.0)
    }
}

/// A fitted iALS model: one row of `k` factors per item and per promoter.
#[derive(Debug, Clone, PartialEq)]
pub struct Ials {
    cfg: IalsConfig,
    n_items: usize,
    n_promoters: usize,
    item_factors: Vec<f32>,
    promoter_factors: Vec<f32>,
    /// `YᵀY + λI` in `f64`, row-major `k × k`, for fold-in.
    gram: Vec<f64>,
}

/// The confidence matrix, rows promoters and columns items (duplicate orders summed
/// into `r_ui`): values `c = 1 + α · r`, columns ascending within a row.
fn confidence(history: &History, n_items: usize, cfg: &IalsConfig, now: i64) -> Csr {
    let n = history.n_promoters();
    let mut m = Csr {
        ptr: Vec::with_capacity(n + 1),
        col: Vec::with_capacity(history.nnz()),
        val: Vec::with_capacity(history.nnz()),
    };
    m.ptr.push(0);
    let mut pairs = Vec::new();
    for p in 0..n as u32 {
        aggregate(
            history.items(p),
            history.times(p),
            history.weights(p),
            now,
            cfg.half_life_secs(),
            n_items,
            &mut pairs,
        );
        for &(i, r) in &pairs {
            m.col.push(i);
            m.val.push((1.0 + cfg.alpha * r) as f32);
        }
        m.ptr.push(m.col.len());
    }
    m
}

/// One promoter's orders as `(item, r_ui)` pairs in item order: `r_ui` counts her orders
/// of `i`, each weighted `2^(−age / half_life)` when a half-life is given. Items at or
/// beyond `n_items` are skipped.
fn aggregate(
    items: &[u32],
    ts: &[i64],
    weights: Option<&[f32]>,
    now: i64,
    half_life: Option<f64>,
    n_items: usize,
    out: &mut Vec<(u32, f64)>,
) {
    out.clear();
    for (j, &i) in items.iter().enumerate() {
        if i as usize >= n_items {
            continue;
        }
        let w = match (half_life, ts.get(j)) {
            (Some(h), Some(&t)) => super::popularity::decay(now - t, h),
            _ => 1.0,
        };
        let e = weights
            .and_then(|w| w.get(j))
            .map_or(1.0, |&e| f64::from(e));
        out.push((i, w * e));
    }
    out.sort_by_key(|&(i, _)| i);
    out.dedup_by(|cur, kept| {
        let same = cur.0 == kept.0;
        if same {
            kept.1 += cur.1;
        }
        same
    });
    // A refund weighed below zero can cancel a pair out: no preference is left.
    if weights.is_some() {
        out.retain(|&(_, r)| r > 0.0);
    }
}

/// Per-worker conjugate-gradient vectors, sized once.
struct CgScratch {
    r: Vec<f32>,
    p: Vec<f32>,
    ap: Vec<f32>,
}

impl CgScratch {
    fn new(k: usize) -> Self {
        CgScratch {
            r: vec![0.0; k],
            p: vec![0.0; k],
            ap: vec![0.0; k],
        }
    }
}

/// Improves one row `x` of the factors being solved by `steps` conjugate-gradient steps
/// on `(G + Σ_j (c_j − 1) y_j y_jᵀ) x = Σ_j c_j y_j`, with `G = YᵀY + λI` (`k × k`, `f32`)
/// and `y_j` the rows of `other` named by `index`.
#[inline(always)]
fn cg_row(
    x: &mut [f32],
    g: &[f32],
    index: &[u32],
    conf: &[f32],
    other: &[f32],
    steps: usize,
    s: &mut CgScratch,
) {
    let k = x.len();
    let CgScratch { r, p, ap } = s;
    // r = b − A x.
    symv(g, x, r);
    r.iter_mut().for_each(|v| *v = -*v);
    for (&j, &c) in index.iter().zip(conf) {
        let Some(y) = other.get(j as usize * k..(j as usize + 1) * k) else {
            continue;
        };
        axpy(c - (c - 1.0) * dot(y, x), y, r);
    }
    p.copy_from_slice(r);
    let mut rs_old = dot(r, r);
    if rs_old < 1e-20 {
        return;
    }
    for _ in 0..steps {
        symv(g, p, ap);
        for (&j, &c) in index.iter().zip(conf) {
            let Some(y) = other.get(j as usize * k..(j as usize + 1) * k) else {
                continue;
            };
            axpy((c - 1.0) * dot(y, p), y, ap);
        }
        let p_ap = dot(p, ap);
        if p_ap.is_nan() || p_ap <= 0.0 {
            break;
        }
        let a = rs_old / p_ap;
        axpy(a, p, x);
        axpy(-a, ap, r);
        let rs_new = dot(r, r);
        if rs_new < 1e-20 {
            break;
        }
        scale_add(r, rs_new / rs_old, p);
        rs_old = rs_new;
    }
}

/// [`cg_row`] compiled for AVX2 when the CPU has it (checked once and cached by the
/// standard library). Only the vector width changes, not the order of operations, so
/// the factors are the same bit for bit on either path.
fn cg_row_fast(
    x: &mut [f32],
    g: &[f32],
    index: &[u32],
    conf: &[f32],
    other: &[f32],
    steps: usize,
    s: &mut CgScratch,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { cg_row_avx2(x, g, index, conf, other, steps, s) };
            return;
        }
    }
    cg_row(x, g, index, conf, other, steps, s);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn cg_row_avx2(
    x: &mut [f32],
    g: &[f32],
    index: &[u32],
    conf: &[f32],
    other: &[f32],
    steps: usize,
    s: &mut CgScratch,
) {
    cg_row(x, g, index, conf, other, steps, s);
}

/// `YᵀY + λI` of the row-major `y` (`k` columns), in `f64`.
fn regularized_gram(y: &[f32], k: usize, lambda: f64) -> Vec<f64> {
    let mut g = gram(y, k);
    for a in 0..k {
        g[a * k + a] += lambda;
    }
    g
}

/// One half-sweep: every row of `x` improved against the fixed `other`.
fn solve_rows(x: &mut [f32], other: &[f32], m: &Csr, cfg: &IalsConfig) {
    let k = cfg.factors;
    let g: Vec<f32> = regularized_gram(other, k, cfg.regularization)
        .iter()
        .map(|&v| v as f32)
        .collect();
    x.par_chunks_mut(k)
        .with_min_len(32)
        .enumerate()
        .for_each_init(
            || CgScratch::new(k),
            |s, (row, xr)| {
                let (index, conf) = m.row(row);
                if index.is_empty() {
                    // Nothing ordered: the row's problem `(YᵀY + λI) x = 0` has the
                    // exact solution 0.
                    xr.fill(0.0);
                } else {
                    cg_row_fast(xr, &g, index, conf, other, cfg.cg_steps, s);
                }
            },
        );
}

/// Initial factors: uniform in `[0, 0.01)`, row `r` of side `side` from the ChaCha8
/// stream `2r + side` of `seed`.
fn init_factors(rows: usize, k: usize, seed: u64, side: u64) -> Vec<f32> {
    let mut v = vec![0f32; rows * k];
    v.par_chunks_mut(k).enumerate().for_each(|(r, row)| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(2 * r as u64 + side);
        for x in row {
            *x = rng.random::<f32>() * 0.01;
        }
    });
    v
}

/// The first non-finite value of `v`, as its row.
fn first_non_finite(v: &[f32], k: usize) -> Option<usize> {
    v.iter().position(|x| !x.is_finite()).map(|j| j / k.max(1))
}

impl Ials {
    /// Fits promoter and item factors to the completed orders in `history`
    /// (`n_promoters` rows; items below `n_items`). `progress(iteration, total)` is
    /// called after each sweep. Runs on the current rayon pool.
    ///
    /// # Errors
    /// [`Error::Config`] when `cfg` is invalid; [`Error::Empty`] when there is no item;
    /// [`Error::TooLarge`] when the factor matrices would not fit in memory;
    /// [`Error::FitFailed`] when a factor turned NaN or infinite (the message names the sweep and the row; lower
    /// `alpha` or raise `regularization`).
    ///
    /// # Examples
    /// ```
    /// use kocrank::signals::ials::{Ials, IalsConfig};
    /// use kocrank::synth;
    /// let world = synth::generate(synth::Scale::Tiny, 1).unwrap();
    /// let ds = &world.dataset;
    /// let cfg = IalsConfig { factors: 8, iterations: 3, ..IalsConfig::default() };
    /// let model = Ials::fit(&ds.history(), ds.catalog().len(), ds.promoters().len(), &cfg, &|_, _| {}).unwrap();
    /// assert_eq!(model.item_factors().len(), ds.catalog().len() * 8);
    /// ```
    pub fn fit(
        history: &History,
        n_items: usize,
        n_promoters: usize,
        cfg: &IalsConfig,
        progress: &dyn Fn(usize, usize),
    ) -> Result<Ials> {
        Self::fit_cancellable(
            history,
            n_items,
            n_promoters,
            cfg,
            progress,
            &crate::train::NEVER,
        )
    }

    /// [`Ials::fit`] that reads `cancel` before each sweep and stops with
    /// [`Error::Cancelled`] (naming the sweep) once another thread has set it. While the
    /// flag stays unset the factors are exactly [`Ials::fit`]'s.
    ///
    /// # Errors
    /// As [`Ials::fit`], and [`Error::Cancelled`].
    pub fn fit_cancellable(
        history: &History,
        n_items: usize,
        n_promoters: usize,
        cfg: &IalsConfig,
        progress: &dyn Fn(usize, usize),
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<Ials> {
        cfg.validate()?;
        if n_items == 0 {
            return Err(Error::Empty("cannot fit iALS: no item".into()));
        }
        let k = cfg.factors;
        let too_big = |what: &str, n: usize| {
            Error::TooLarge(format!(
                "iALS {what} factors of {n} rows × {k} do not fit in memory"
            ))
        };
        n_items
            .checked_mul(k)
            .ok_or_else(|| too_big("item", n_items))?;
        n_promoters
            .checked_mul(k)
            .ok_or_else(|| too_big("promoter", n_promoters))?;
        let now = history.end();
        let mut by_promoter = confidence(history, n_items, cfg, now);
        // Rows of promoters beyond the history (none ordered) stay empty.
        while by_promoter.ptr.len() < n_promoters + 1 {
            by_promoter.ptr.push(by_promoter.col.len());
        }
        by_promoter.ptr.truncate(n_promoters + 1);
        let by_item = by_promoter.transpose(n_items);

        let mut x = init_factors(n_promoters, k, cfg.seed, 0);
        let mut y = init_factors(n_items, k, cfg.seed, 1);
        for it in 0..cfg.iterations {
            if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(Error::Cancelled(format!(
                    "iALS fit stopped before sweep {} of {}",
                    it + 1,
                    cfg.iterations
                )));
            }
            solve_rows(&mut x, &y, &by_promoter, cfg);
            if let Some(r) = first_non_finite(&x, k) {
                return Err(diverged(it + 1, "promoter", r));
            }
            solve_rows(&mut y, &x, &by_item, cfg);
            if let Some(r) = first_non_finite(&y, k) {
                return Err(diverged(it + 1, "item", r));
            }
            progress(it + 1, cfg.iterations);
        }
        Ials::from_factors(cfg.clone(), n_items, n_promoters, y, x)
    }

    /// Builds a model from stored factors (row-major, `n_items × factors` and
    /// `n_promoters × factors`).
    ///
    /// # Errors
    /// [`Error::Config`] when `cfg` is invalid; [`Error::InvalidRequest`] naming
    /// `item_factors` or `promoter_factors` when a length does not match or a factor is
    /// not finite.
    pub fn from_factors(
        cfg: IalsConfig,
        n_items: usize,
        n_promoters: usize,
        item_factors: Vec<f32>,
        promoter_factors: Vec<f32>,
    ) -> Result<Ials> {
        Ials::with_gram(
            cfg,
            n_items,
            n_promoters,
            item_factors,
            promoter_factors,
            None,
        )
    }

    /// As [`Ials::from_factors`], with `YᵀY + λI` given (from a model file) instead of
    /// computed.
    fn with_gram(
        cfg: IalsConfig,
        n_items: usize,
        n_promoters: usize,
        item_factors: Vec<f32>,
        promoter_factors: Vec<f32>,
        gram: Option<Vec<f64>>,
    ) -> Result<Ials> {
        cfg.validate()?;
        let k = cfg.factors;
        for (field, n, v) in [
            ("item_factors", n_items, &item_factors),
            ("promoter_factors", n_promoters, &promoter_factors),
        ] {
            if Some(v.len()) != n.checked_mul(k) {
                return Err(Error::InvalidRequest {
                    field,
                    message: format!("{} values, expected {n} × {k}", v.len()),
                });
            }
            if let Some(r) = first_non_finite(v, k) {
                return Err(Error::InvalidRequest {
                    field,
                    message: format!("row {r} is not finite"),
                });
            }
        }
        let gram = gram.unwrap_or_else(|| regularized_gram(&item_factors, k, cfg.regularization));
        Ok(Ials {
            cfg,
            n_items,
            n_promoters,
            item_factors,
            promoter_factors,
            gram,
        })
    }

    /// The settings the model was fitted with.
    pub fn config(&self) -> &IalsConfig {
        &self.cfg
    }

    /// Latent factors `k`.
    pub fn factors(&self) -> usize {
        self.cfg.factors
    }

    /// Item factors `Y`, row-major `n_items × k`.
    pub fn item_factors(&self) -> &[f32] {
        &self.item_factors
    }

    /// Promoter factors `X`, row-major `n_promoters × k`.
    pub fn promoter_factors(&self) -> &[f32] {
        &self.promoter_factors
    }

    /// Number of items.
    pub fn n_items(&self) -> usize {
        self.n_items
    }

    /// Number of promoters.
    pub fn n_promoters(&self) -> usize {
        self.n_promoters
    }

    /// The stored factors of promoter `p`, if known.
    pub fn promoter_row(&self, p: u32) -> Option<&[f32]> {
        let k = self.cfg.factors;
        self.promoter_factors
            .get(p as usize * k..(p as usize + 1) * k)
    }

    /// The factors of item `i`, if known.
    pub fn item_row(&self, i: u32) -> Option<&[f32]> {
        let k = self.cfg.factors;
        self.item_factors.get(i as usize * k..(i as usize + 1) * k)
    }

    /// Factors for a promoter with orders `items` at times `ts` (aligned), as of `now`,
    /// solved exactly against the fixed item factors:
    ///
    /// `x = (YᵀY + Yᵀ(Cᵘ − I)Y + λI)⁻¹ YᵀCᵘ p_u`
    ///
    /// (Cholesky in `f64`). No order of a known item gives the zero vector, which
    /// scores 0 for every item.
    ///
    /// ```
    /// # use kocrank::signals::ials::{Ials, IalsConfig};
    /// # let world = kocrank::synth::generate(kocrank::synth::Scale::Tiny, 1).unwrap();
    /// # let ds = &world.dataset;
    /// # let cfg = IalsConfig { factors: 8, iterations: 3, ..IalsConfig::default() };
    /// # let model = Ials::fit(&ds.history(), ds.catalog().len(), ds.promoters().len(), &cfg, &|_, _| {}).unwrap();
    /// let x = model.fold_in(&[0, 3, 3], &[10, 20, 30], 40);
    /// assert_eq!(x.len(), 8);
    /// assert!(model.fold_in(&[], &[], 40).iter().all(|&v| v == 0.0));
    /// ```
    pub fn fold_in(&self, items: &[u32], ts: &[i64], now: i64) -> Vec<f32> {
        let k = self.cfg.factors;
        let mut pairs = Vec::new();
        aggregate(
            items,
            ts,
            None,
            now,
            self.cfg.half_life_secs(),
            self.n_items,
            &mut pairs,
        );
        if pairs.is_empty() {
            return vec![0.0; k];
        }
        let mut a = self.gram.clone();
        let mut b = vec![0f64; k];
        let mut y64 = vec![0f64; k];
        for &(i, r) in &pairs {
            let Some(y) = self.item_row(i) else { continue };
            for (d, &s) in y64.iter_mut().zip(y) {
                *d = f64::from(s);
            }
            let c = 1.0 + self.cfg.alpha * r;
            for (ai, &ya) in y64.iter().enumerate() {
                let w = (c - 1.0) * ya;
                for (dst, &yb) in a[ai * k..(ai + 1) * k].iter_mut().zip(&y64) {
                    *dst += w * yb;
                }
                b[ai] += c * ya;
            }
        }
        if cholesky_factor(&mut a, k).is_err() {
            return vec![0.0; k];
        }
        cholesky_solve(&a, k, &mut b);
        b.iter().map(|&v| v as f32).collect()
    }

    /// The training objective `L` (see the module docs) of the fitted factors on
    /// `history`, in `f64`: `Σ_u [x_uᵀ YᵀY x_u + Σ_{i ordered} (c_ui (1 − s_ui)² − s_ui²)]
    /// + λ (‖X‖² + ‖Y‖²)` with `s_ui = x_uᵀ y_i`.
    pub fn loss(&self, history: &History) -> f64 {
        let k = self.cfg.factors;
        let now = history.end();
        let m = confidence(history, self.n_items, &self.cfg, now);
        let yty = gram(&self.item_factors, k);
        let sq = |v: &[f32]| v.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>();
        let data: f64 = self
            .promoter_factors
            .par_chunks(k)
            .enumerate()
            .map(|(u, x)| {
                let x64: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
                let mut l: f64 = (0..k)
                    .map(|a| {
                        x64[a]
                            * yty[a * k..(a + 1) * k]
                                .iter()
                                .zip(&x64)
                                .map(|(g, x)| g * x)
                                .sum::<f64>()
                    })
                    .sum();
                let (index, conf) = m.row(u);
                for (&i, &c) in index.iter().zip(conf) {
                    if let Some(y) = self.item_row(i) {
                        let s = f64::from(dot(x, y));
                        l += f64::from(c) * (1.0 - s) * (1.0 - s) - s * s;
                    }
                }
                l
            })
            .collect::<Vec<f64>>()
            .iter()
            .sum();
        data + self.cfg.regularization * (sq(&self.promoter_factors) + sq(&self.item_factors))
    }

    /// Appends the model to a model-file section.
    pub(crate) fn encode(&self, e: &mut Enc) {
        e.len(self.cfg.factors);
        e.len(self.n_items);
        e.len(self.n_promoters);
        e.f32s(&self.item_factors);
        e.f32s(&self.promoter_factors);
        // Since format version 2: `YᵀY + λI`, so that loading does not recompute it
        // (a pass over every item factor).
        e.f64s(&self.gram);
    }

    /// Reads a model written by [`Ials::encode`], checking it against the catalogue and
    /// promoter table it comes with.
    pub(crate) fn decode(
        d: &mut Dec<'_>,
        cfg: &IalsConfig,
        n_items: usize,
        n_promoters: usize,
    ) -> std::result::Result<Ials, String> {
        let k = d.u64()?;
        let ni = d.u64()?;
        let np = d.u64()?;
        if k != cfg.factors as u64 || ni != n_items as u64 || np != n_promoters as u64 {
            return Err(format!(
                "iALS section is {ni} items × {np} promoters × {k} factors, but the model has \
                 {n_items} items, {n_promoters} promoters and ials.factors = {}",
                cfg.factors
            ));
        }
        let item_factors = d.f32s()?;
        let promoter_factors = d.f32s()?;
        // Format version 1 ends here; version 2 adds the regularised Gram matrix.
        let gram = if d.has_more() {
            let g = d.f64s()?;
            if g.len() != cfg.factors * cfg.factors || g.iter().any(|v| !v.is_finite()) {
                return Err(format!(
                    "iALS Gram matrix holds {} values (or a non-finite one), expected {} × {}",
                    g.len(),
                    cfg.factors,
                    cfg.factors
                ));
            }
            Some(g)
        } else {
            None
        };
        Ials::with_gram(
            cfg.clone(),
            n_items,
            n_promoters,
            item_factors,
            promoter_factors,
            gram,
        )
        .map_err(|e| e.to_string())
    }
}

#[cold]
#[inline(never)]
fn diverged(iteration: usize, side: &str, row: usize) -> Error {
    Error::FitFailed {
        model: "iALS",
        message: format!(
            "diverged at iteration {iteration}: {side} row {row} has a non-finite factor; \
             lower ials.alpha or raise ials.regularization"
        ),
    }
}

impl Scorer for Ials {
    fn name(&self) -> &'static str {
        "ials"
    }

    /// `x_uᵀ y_i`, with `x_u` stored for a known promoter whose orders are those of
    /// training, else folded in from `ctx.history`. No history scores 0 everywhere.
    fn score(&self, ctx: &Context<'_>, candidates: &[u32], out: &mut [f32]) {
        assert_eq!(candidates.len(), out.len(), "one output slot per candidate");
        if ctx.history.is_empty() {
            for (o, &i) in out.iter_mut().zip(candidates) {
                *o = if (i as usize) < self.n_items {
                    0.0
                } else {
                    f32::NEG_INFINITY
                };
            }
            return;
        }
        let folded;
        let x = match ctx
            .promoter
            .filter(|_| !ctx.fold_in)
            .and_then(|p| self.promoter_row(p))
        {
            Some(x) => x,
            None => {
                folded = self.fold_in(ctx.history, ctx.history_ts, ctx.now);
                &folded[..]
            }
        };
        crate::linalg::dot_rows(x, &self.item_factors, candidates, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Channel, History};

    /// Promoters `0..6` buy items `0..5`, promoters `6..12` items `5..10`; promoter 0
    /// never bought item 4. Promoter `p` orders item `i` `1 + (p + i) % 3` times.
    fn blocks() -> History {
        let mut indptr = vec![0];
        let (mut item, mut ts) = (Vec::new(), Vec::new());
        for p in 0..12u32 {
            let range = if p < 6 { 0..5 } else { 5..10 };
            for i in range {
                if p == 0 && i == 4 {
                    continue;
                }
                for t in 0..1 + (p + i) % 3 {
                    item.push(i);
                    ts.push(i64::from(100 * i + t));
                }
            }
            indptr.push(item.len());
        }
        History {
            indptr,
            quantity: vec![1; item.len()],
            item,
            ts,
            weight: Vec::new(),
        }
    }

    fn cfg(iterations: usize) -> IalsConfig {
        IalsConfig {
            factors: 4,
            regularization: 0.1,
            alpha: 2.0,
            iterations,
            ..IalsConfig::default()
        }
    }

    fn ctx<'a>(p: Option<u32>, h: &'a History, fold_in: bool) -> Context<'a> {
        let q = p.unwrap_or(0);
        Context {
            promoter: p,
            channel: Channel::Other,
            city_tier: 0,
            history: h.items(q),
            history_ts: h.times(q),
            shares: &[],
            shares_ts: &[],
            now: 10_000,
            fold_in,
        }
    }

    fn scores(m: &Ials, c: &Context<'_>) -> Vec<f32> {
        let cands: Vec<u32> = (0..10).collect();
        let mut out = vec![0f32; 10];
        m.score(c, &cands, &mut out);
        out
    }

    #[test]
    fn held_out_item_of_the_right_group_ranks_above_the_other_group() {
        let h = blocks();
        let m = Ials::fit(&h, 10, 12, &cfg(15), &|_, _| {}).unwrap();
        let s = scores(&m, &ctx(Some(0), &h, false));
        assert!(s.iter().all(|x| x.is_finite()));
        for other in 5..10 {
            assert!(
                s[4] > s[other],
                "item 4 {} vs item {other} {}: {s:?}",
                s[4],
                s[other]
            );
        }
    }

    #[test]
    fn loss_decreases_over_iterations() {
        let h = blocks();
        let losses: Vec<f64> = [1, 2, 4, 8, 16]
            .iter()
            .map(|&it| {
                Ials::fit(&h, 10, 12, &cfg(it), &|_, _| {})
                    .unwrap()
                    .loss(&h)
            })
            .collect();
        for w in losses.windows(2) {
            assert!(w[1] <= w[0] * (1.0 + 1e-6), "{losses:?}");
        }
        assert!(losses[4] < losses[0], "{losses:?}");
    }

    #[test]
    fn fold_in_of_own_history_matches_stored_factors_after_convergence() {
        let h = blocks();
        let c = IalsConfig {
            cg_steps: 4,
            ..cfg(200)
        };
        let m = Ials::fit(&h, 10, 12, &c, &|_, _| {}).unwrap();
        for p in [0, 3, 7, 11] {
            let stored = scores(&m, &ctx(Some(p), &h, false));
            let folded = scores(&m, &ctx(Some(p), &h, true));
            let scale = stored.iter().fold(0f32, |a, &b| a.max(b.abs()));
            for (a, b) in stored.iter().zip(&folded) {
                assert!(
                    (a - b).abs() <= 1e-2 * scale,
                    "p{p}: {stored:?} vs {folded:?}"
                );
            }
        }
    }

    #[test]
    fn same_seed_same_factors_whatever_the_thread_count() {
        let h = blocks();
        let fit_on = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| Ials::fit(&h, 10, 12, &cfg(5), &|_, _| {}).unwrap())
        };
        let (a, b) = (fit_on(1), fit_on(2));
        assert_eq!(a, b);
        let other_seed =
            Ials::fit(&h, 10, 12, &IalsConfig { seed: 9, ..cfg(5) }, &|_, _| {}).unwrap();
        assert_ne!(a.item_factors(), other_seed.item_factors());
    }

    #[test]
    fn no_history_scores_zero_and_unknown_items_neg_inf() {
        let h = blocks();
        let m = Ials::fit(&h, 10, 12, &cfg(2), &|_, _| {}).unwrap();
        let empty = History {
            indptr: vec![0, 0],
            ..History::default()
        };
        let mut out = [1f32; 3];
        m.score(&ctx(None, &empty, true), &[0, 9, 10], &mut out);
        assert_eq!(out, [0.0, 0.0, f32::NEG_INFINITY]);
    }

    #[test]
    fn encode_decode_round_trip_and_length_checks() {
        let h = blocks();
        let c = cfg(3);
        let m = Ials::fit(&h, 10, 12, &c, &|_, _| {}).unwrap();
        let mut e = Enc::default();
        m.encode(&mut e);
        let back = Ials::decode(&mut Dec::new(&e.buf, "learned"), &c, 10, 12).unwrap();
        assert_eq!(back, m);
        let err = Ials::decode(&mut Dec::new(&e.buf, "learned"), &c, 11, 12).unwrap_err();
        assert!(err.contains("10 items"), "{err}");
        let err = Ials::decode(
            &mut Dec::new(&e.buf[..e.buf.len() - 4], "learned"),
            &c,
            10,
            12,
        )
        .unwrap_err();
        assert!(err.contains("learned"), "{err}");
    }

    #[test]
    fn time_decay_weights_recent_orders_more() {
        let now = 100 * 86_400;
        let mut pairs = Vec::new();
        aggregate(
            &[3, 1, 3],
            &[now - 86_400, now, now],
            None,
            now,
            Some(86_400.0),
            10,
            &mut pairs,
        );
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[0], (1, 1.0));
        assert!((pairs[1].1 - 1.5).abs() < 1e-12);
        aggregate(&[3, 12], &[0, 0], None, now, None, 10, &mut pairs);
        assert_eq!(pairs, vec![(3, 1.0)]);
    }

    #[test]
    fn validate_rejects_bad_settings() {
        for bad in [
            IalsConfig {
                factors: 0,
                ..IalsConfig::default()
            },
            IalsConfig {
                regularization: 0.0,
                ..IalsConfig::default()
            },
            IalsConfig {
                alpha: f64::NAN,
                ..IalsConfig::default()
            },
            IalsConfig {
                half_life_days: Some(-1.0),
                ..IalsConfig::default()
            },
            IalsConfig {
                cg_steps: 0,
                ..IalsConfig::default()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}
