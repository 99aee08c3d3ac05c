//! The fused scoring scan of batch ranking: rows of promoter factors against every
//! item's factors, keeping only each row's best few items, never the full
//! `rows × items` score matrix.
//!
//! It is a blocked matrix product whose output tile (6 rows × 16 items) is compared
//! with each row's current admission threshold while it is still in registers: most
//! tiles are rejected by one vector comparison, and only the items that beat the
//! threshold reach a per-row buffer. Item factors are packed once into panels of 16
//! items, factor-major, so the inner loop reads them as contiguous vectors. On x86-64
//! with AVX2 and FMA the tile is computed with fused multiply-adds (8 lanes); elsewhere
//! by a portable loop. The two paths may differ in the last bits of a score;
//! [`crate::Ranker`] rescores the survivors exactly, so lists do not.

/// Items per panel (two 8-lane vectors).
pub const PANEL: usize = 16;
/// Rows per register tile.
const TILE_ROWS: usize = 6;
/// Panels per cache block (1024 items: 256 KiB of packed factors at 64 factors).
const BLOCK_PANELS: usize = 64;

/// Item factors packed for [`scan_top`]: panels of [`PANEL`] items, factor-major
/// within a panel, plus a per-item additive bias (`-inf` leaves an item out). The item
/// count is padded to a whole panel with zero factors and `-inf` bias.
#[derive(Debug, Clone, PartialEq)]
pub struct PackedItems {
    factors: usize,
    items: usize,
    data: Vec<f32>,
    bias: Vec<f32>,
}

impl PackedItems {
    /// Packs the row-major `items × factors` matrix `y` with one bias per item.
    ///
    /// # Panics
    /// If `factors` is 0, or `y.len() != bias.len() * factors`.
    ///
    /// # Examples
    /// ```
    /// use kocrank::linalg::{scan_top, PackedItems};
    /// // Three items with two factors; the second is left out by its bias.
    /// let y = [1.0, 0.0, 0.0, 1.0, 0.5, 0.5];
    /// let packed = PackedItems::new(&y, 2, &[0.0, f32::NEG_INFINITY, 0.0]);
    /// let best = scan_top(&[2.0, 1.0], &packed, 2, |_, _| false);
    /// assert_eq!(best, vec![vec![(0, 2.0), (2, 1.5)]]);
    /// ```
    pub fn new(y: &[f32], factors: usize, bias: &[f32]) -> PackedItems {
        assert!(factors > 0, "at least one factor");
        assert_eq!(y.len(), bias.len() * factors, "one bias per item row");
        let items = bias.len();
        let panels = items.div_ceil(PANEL);
        let mut data = vec![0f32; panels * factors * PANEL];
        for (i, row) in y.chunks_exact(factors).enumerate() {
            let (p, j) = (i / PANEL, i % PANEL);
            let base = p * factors * PANEL;
            for (d, &v) in row.iter().enumerate() {
                data[base + d * PANEL + j] = v;
            }
        }
        let mut padded = bias.to_vec();
        padded.resize(panels * PANEL, f32::NEG_INFINITY);
        PackedItems {
            factors,
            items,
            data,
            bias: padded,
        }
    }

    /// Number of items (without padding).
    pub fn len(&self) -> usize {
        self.items
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.items == 0
    }

    /// Factors per item.
    pub fn factors(&self) -> usize {
        self.factors
    }

    fn panels(&self) -> usize {
        self.bias.len() / PANEL
    }

    fn panel(&self, p: usize) -> &[f32] {
        let w = self.factors * PANEL;
        &self.data[p * w..(p + 1) * w]
    }
}

/// The best `m` items of one row, kept as a buffer of at most `2m` candidates that is
/// cut back to `m` (raising the admission threshold) whenever it fills.
struct Best {
    m: usize,
    threshold: f32,
    buf: Vec<(u32, f32)>,
}

/// Better first: higher score, then lower item index (as [`crate::topk::top_k`]).
fn better(a: &(u32, f32), b: &(u32, f32)) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

impl Best {
    fn new(m: usize) -> Best {
        Best {
            m,
            threshold: f32::NEG_INFINITY,
            buf: Vec::with_capacity(2 * m + 1),
        }
    }

    fn push(&mut self, item: u32, score: f32) {
        self.buf.push((item, score));
        if self.buf.len() >= 2 * self.m {
            self.cut();
        }
    }

    fn cut(&mut self) {
        if self.buf.len() > self.m {
            self.buf.select_nth_unstable_by(self.m - 1, better);
            self.buf.truncate(self.m);
        }
        if self.buf.len() == self.m {
            // Items arrive in increasing index order, so a later item must beat the
            // m-th best strictly to displace it.
            self.threshold = self.buf.iter().map(|x| x.1).fold(f32::INFINITY, f32::min);
        }
    }

    fn finish(mut self) -> Vec<(u32, f32)> {
        self.cut();
        self.buf.sort_unstable_by(better);
        self.buf.truncate(self.m);
        self.buf
    }
}

/// For each row of the row-major `rows` (`rows.len() / items.factors()` rows), the best
/// `m` items by `row · item + bias`, best first, ties by lower item index; items whose
/// score is not finite, or for which `drop(row, item)` is true, are never returned.
/// `drop` is asked only about items that would enter the row's list, so it may be a
/// search in a short sorted list. Runs on the calling thread.
///
/// # Panics
/// If `rows.len()` is not a multiple of the factor count.
pub fn scan_top(
    rows: &[f32],
    items: &PackedItems,
    m: usize,
    drop: impl Fn(usize, u32) -> bool,
) -> Vec<Vec<(u32, f32)>> {
    let f = items.factors;
    assert_eq!(rows.len() % f, 0, "rows must have {f} columns");
    let n_rows = rows.len() / f;
    if m == 0 {
        return vec![Vec::new(); n_rows];
    }
    let mut best: Vec<Best> = (0..n_rows).map(|_| Best::new(m)).collect();
    let mut tile = vec![0f32; TILE_ROWS * f];
    let panels = items.panels();
    let kernel = Kernel::detect();
    for block in (0..panels).step_by(BLOCK_PANELS) {
        let block_end = (block + BLOCK_PANELS).min(panels);
        for (t, chunk) in rows.chunks(TILE_ROWS * f).enumerate() {
            let r0 = t * TILE_ROWS;
            let live = chunk.len() / f;
            pack_rows(chunk, f, &mut tile);
            let mut thr = [f32::INFINITY; TILE_ROWS];
            for (r, slot) in thr.iter_mut().enumerate().take(live) {
                *slot = best[r0 + r].threshold;
            }
            let init = thr;
            let mut on_hits = |p: usize, hits: u128, out: &[[f32; PANEL]; TILE_ROWS]| {
                for (r, row_out) in out.iter().enumerate().take(live) {
                    let mut mask = (hits >> (r * PANEL)) as u32 & 0xFFFF;
                    if mask == 0 {
                        continue;
                    }
                    let b = &mut best[r0 + r];
                    while mask != 0 {
                        let j = mask.trailing_zeros() as usize;
                        mask &= mask - 1;
                        let (item, s) = ((p * PANEL + j) as u32, row_out[j]);
                        // Re-test: the threshold rises as this loop admits items.
                        if s > b.threshold && s.is_finite() && !drop(r0 + r, item) {
                            b.push(item, s);
                        }
                    }
                    thr[r] = b.threshold;
                }
                thr
            };
            kernel.block(&tile, items, block..block_end, init, &mut on_hits);
        }
    }
    best.into_iter().map(Best::finish).collect()
}

/// Interleaves up to [`TILE_ROWS`] rows of `f` values factor-major into `tile`
/// (`tile[d·6 + r] = rows[r][d]`), zero for missing rows, so the kernel reads the six
/// values of one factor from one place.
fn pack_rows(rows: &[f32], f: usize, tile: &mut [f32]) {
    tile.fill(0.0);
    for (r, row) in rows.chunks_exact(f).enumerate() {
        for (d, &v) in row.iter().enumerate() {
            tile[d * TILE_ROWS + r] = v;
        }
    }
}

/// A tile with entries above a threshold: `(panel, mask, tile)` → the new thresholds.
type OnHits<'a> = &'a mut dyn FnMut(usize, u128, &[[f32; PANEL]; TILE_ROWS]) -> [f32; TILE_ROWS];

#[derive(Clone, Copy)]
enum Kernel {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2Fma,
}

impl Kernel {
    fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                return Kernel::Avx2Fma;
            }
        }
        Kernel::Portable
    }

    /// Runs the tiles of rows `a` against panels `panels` of `items`: each tile
    /// `out[r][j] = a_r · panel_j + bias_j` is compared with `thr[r]`, and when any
    /// entry is above, `on_hits(panel, mask, out)` gets the tile (bit `r·16 + j` of
    /// `mask` marks `out[r][j] > thr[r]`) and returns the new thresholds.
    #[inline]
    fn block(
        self,
        a: &[f32],
        items: &PackedItems,
        panels: std::ops::Range<usize>,
        thr: [f32; TILE_ROWS],
        on_hits: OnHits<'_>,
    ) {
        debug_assert!(a.len() == TILE_ROWS * items.factors);
        match self {
            Kernel::Portable => block_portable(a, items, panels, thr, on_hits),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `detect` chose this kernel only on a CPU with AVX2 and FMA.
            Kernel::Avx2Fma => unsafe { block_avx2(a, items, panels, thr, on_hits) },
        }
    }
}

fn block_portable(
    a: &[f32],
    items: &PackedItems,
    panels: std::ops::Range<usize>,
    mut thr: [f32; TILE_ROWS],
    on_hits: OnHits<'_>,
) {
    let mut out = [[0f32; PANEL]; TILE_ROWS];
    for p in panels {
        let bias = &items.bias[p * PANEL..(p + 1) * PANEL];
        let hits = tile_portable(a, items.panel(p), bias, &thr, &mut out);
        if hits != 0 {
            thr = on_hits(p, hits, &out);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn block_avx2(
    a: &[f32],
    items: &PackedItems,
    panels: std::ops::Range<usize>,
    mut thr: [f32; TILE_ROWS],
    on_hits: OnHits<'_>,
) {
    let f = items.factors;
    let mut out = [[0f32; PANEL]; TILE_ROWS];
    for p in panels {
        let bias = &items.bias[p * PANEL..(p + 1) * PANEL];
        let hits = tile_avx2(a, items.panel(p), f, bias, &thr, &mut out);
        if hits != 0 {
            thr = on_hits(p, hits, &out);
        }
    }
}

fn tile_portable(
    a: &[f32],
    panel: &[f32],
    bias: &[f32],
    thr: &[f32; TILE_ROWS],
    out: &mut [[f32; PANEL]; TILE_ROWS],
) -> u128 {
    let mut acc = [[0f32; PANEL]; TILE_ROWS];
    for (d, b) in panel.chunks_exact(PANEL).enumerate() {
        for (r, acc_r) in acc.iter_mut().enumerate() {
            let x = a[d * TILE_ROWS + r];
            for (o, &y) in acc_r.iter_mut().zip(b) {
                *o += x * y;
            }
        }
    }
    let mut hits = 0u128;
    for r in 0..TILE_ROWS {
        for j in 0..PANEL {
            let s = acc[r][j] + bias[j];
            out[r][j] = s;
            if s > thr[r] {
                hits |= 1 << (r * PANEL + j);
            }
        }
    }
    hits
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn tile_avx2(
    a: &[f32],
    panel: &[f32],
    f: usize,
    bias: &[f32],
    thr: &[f32; TILE_ROWS],
    out: &mut [[f32; PANEL]; TILE_ROWS],
) -> u128 {
    use std::arch::x86_64::*;
    let z = _mm256_setzero_ps();
    let mut c = [[z; 2]; TILE_ROWS];
    let pa = a.as_ptr();
    let pb = panel.as_ptr();
    for d in 0..f {
        let b0 = _mm256_loadu_ps(pb.add(d * PANEL));
        let b1 = _mm256_loadu_ps(pb.add(d * PANEL + 8));
        for (r, cr) in c.iter_mut().enumerate() {
            let x = _mm256_broadcast_ss(&*pa.add(d * TILE_ROWS + r));
            cr[0] = _mm256_fmadd_ps(x, b0, cr[0]);
            cr[1] = _mm256_fmadd_ps(x, b1, cr[1]);
        }
    }
    let bias0 = _mm256_loadu_ps(bias.as_ptr());
    let bias1 = _mm256_loadu_ps(bias.as_ptr().add(8));
    let mut hits = 0u128;
    for (r, cr) in c.iter().enumerate() {
        let s0 = _mm256_add_ps(cr[0], bias0);
        let s1 = _mm256_add_ps(cr[1], bias1);
        let t = _mm256_set1_ps(thr[r]);
        let m0 = _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_GT_OQ>(s0, t)) as u128;
        let m1 = _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_GT_OQ>(s1, t)) as u128;
        let m = m0 | m1 << 8;
        if m != 0 {
            _mm256_storeu_ps(out[r].as_mut_ptr(), s0);
            _mm256_storeu_ps(out[r].as_mut_ptr().add(8), s1);
            hits |= m << (r * PANEL);
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topk::top_k;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random(n: usize, seed: u64) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
    }

    /// The plain answer: every score, then `top_k`.
    fn naive(
        rows: &[f32],
        y: &[f32],
        bias: &[f32],
        f: usize,
        m: usize,
        drop: &dyn Fn(usize, u32) -> bool,
    ) -> Vec<Vec<(u32, f32)>> {
        rows.chunks_exact(f)
            .enumerate()
            .map(|(r, x)| {
                let cands: Vec<u32> = (0..bias.len() as u32).collect();
                let scores: Vec<f32> = y
                    .chunks_exact(f)
                    .zip(bias)
                    .enumerate()
                    .map(|(i, (yi, b))| {
                        if drop(r, i as u32) {
                            f32::NEG_INFINITY
                        } else {
                            x.iter().zip(yi).map(|(a, b)| a * b).sum::<f32>() + b
                        }
                    })
                    .collect();
                top_k(&cands, &scores, m)
            })
            .collect()
    }

    fn same(got: &[Vec<(u32, f32)>], want: &[Vec<(u32, f32)>]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            let gi: Vec<u32> = g.iter().map(|x| x.0).collect();
            let wi: Vec<u32> = w.iter().map(|x| x.0).collect();
            assert_eq!(gi, wi);
            for (a, b) in g.iter().zip(w) {
                assert!((a.1 - b.1).abs() < 1e-4, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn equals_full_scores_then_top_k_on_both_kernels() {
        // Odd sizes: a partial row tile, a partial panel, several cache blocks.
        for (n_rows, n_items, f, m) in [(13, 2_100, 8, 10), (6, 37, 5, 40), (1, 1_500, 64, 3)] {
            let rows = random(n_rows * f, 1);
            let y = random(n_items * f, 2);
            let mut bias = random(n_items, 3);
            for b in bias.iter_mut().step_by(7) {
                *b = f32::NEG_INFINITY;
            }
            let drop = |r: usize, i: u32| (i as usize + r) % 11 == 0;
            let want = naive(&rows, &y, &bias, f, m, &drop);
            let packed = PackedItems::new(&y, f, &bias);
            same(&scan_top(&rows, &packed, m, drop), &want);
            // The portable kernel directly, whatever this CPU has.
            let got = scan_with(Kernel::Portable, &rows, &packed, m, &drop);
            same(&got, &want);
        }
    }

    fn scan_with(
        kernel: Kernel,
        rows: &[f32],
        items: &PackedItems,
        m: usize,
        drop: &dyn Fn(usize, u32) -> bool,
    ) -> Vec<Vec<(u32, f32)>> {
        // Same loop as `scan_top` with one tile per row: enough to check the kernel.
        let f = items.factors;
        let mut best: Vec<Best> = (0..rows.len() / f).map(|_| Best::new(m)).collect();
        for (r, x) in rows.chunks_exact(f).enumerate() {
            let mut tile = vec![0f32; TILE_ROWS * f];
            pack_rows(x, f, &mut tile);
            let mut thr = [f32::INFINITY; TILE_ROWS];
            thr[0] = f32::NEG_INFINITY;
            let b = &mut best[r];
            let init = thr;
            let mut on_hits = |p: usize, hits: u128, out: &[[f32; PANEL]; TILE_ROWS]| {
                for (j, &s) in out[0].iter().enumerate() {
                    let item = (p * PANEL + j) as u32;
                    if hits >> j & 1 == 1 && s > b.threshold && !drop(r, item) {
                        b.push(item, s);
                    }
                }
                thr[0] = b.threshold;
                thr
            };
            kernel.block(&tile, items, 0..items.panels(), init, &mut on_hits);
        }
        best.into_iter().map(Best::finish).collect()
    }

    #[test]
    fn ties_go_to_the_lower_index_and_m_beyond_items_returns_all() {
        let y = vec![1.0; 40];
        let packed = PackedItems::new(&y, 1, &[0.0; 40]);
        let got = scan_top(&[1.0], &packed, 5, |_, _| false);
        assert_eq!(
            got[0].iter().map(|x| x.0).collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4]
        );
        let all = scan_top(&[1.0, -1.0], &packed, 100, |_, _| false);
        assert_eq!(all[0].len(), 40);
        assert_eq!(all[1].len(), 40);
        assert!(scan_top(&[1.0], &packed, 0, |_, _| false)[0].is_empty());
    }
}
