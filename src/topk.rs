//! Top-k selection with deterministic ties.

/// The `k` best `(item, score)` pairs, best first; ties broken by lower item index.
/// Candidates scoring `-inf` or NaN are never returned.
///
/// Runs in `O(n + k log k)` with `O(k)` memory: one pass that admits a candidate only if
/// it beats the current k-th best, into a buffer of a few k that is cut back to the k
/// best (a partial selection) whenever it fills, then a sort of those k. For k ≪ n most
/// candidates cost one comparison, and nothing of size n is allocated.
pub fn top_k(candidates: &[u32], scores: &[f32], k: usize) -> Vec<(u32, f32)> {
    select(
        candidates
            .iter()
            .zip(scores)
            .filter(|(_, s)| s.is_finite())
            .map(|(&i, &s)| (i, s)),
        k,
    )
}

/// The order of a top-k list: higher score first, then lower index.
#[inline]
fn order(a: &(u32, f32), b: &(u32, f32)) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

/// The `k` first pairs of `pairs` in [`order`], in that order: the selection behind
/// [`top_k`], for callers whose pairs are not (item, score) slices (positions, say).
pub(crate) fn select(pairs: impl Iterator<Item = (u32, f32)>, k: usize) -> Vec<(u32, f32)> {
    select_where(pairs, k, |_| true)
}

/// The k best pairs seen so far: a buffer of a few k, cut back to the k best (a
/// partial selection) whenever it fills, and the bar a new pair must beat once the
/// buffer has been cut. Shared by the selections below.
struct Best {
    k: usize,
    cap: usize,
    buf: Vec<(u32, f32)>,
    /// The k-th best seen so far, once known: only a pair ordered before it can enter.
    bar: Option<(u32, f32)>,
}

impl Best {
    /// For `k ≥ 1`.
    fn new(k: usize) -> Best {
        let cap = k.saturating_mul(2).saturating_add(64);
        Best {
            k,
            cap,
            buf: Vec::with_capacity(cap.min(4096)),
            bar: None,
        }
    }

    /// Whether `p` would enter the current top k.
    #[inline]
    fn admits(&self, p: (u32, f32)) -> bool {
        self.bar.map_or(true, |b| {
            p.1 >= b.1 && order(&p, &b) == std::cmp::Ordering::Less
        })
    }

    #[inline]
    fn push(&mut self, p: (u32, f32)) {
        self.buf.push(p);
        if self.buf.len() >= self.cap {
            self.cut();
            self.bar = self.buf.last().copied();
        }
    }

    fn cut(&mut self) {
        if self.buf.len() > self.k {
            self.buf.select_nth_unstable_by(self.k - 1, order);
            self.buf.truncate(self.k);
        }
    }

    /// The k best, best first.
    fn into_sorted(mut self) -> Vec<(u32, f32)> {
        self.cut();
        self.buf.sort_unstable_by(order);
        self.buf
    }
}

/// The `k` best positions of `scores` with their scores, in [`order`] (higher first,
/// then lower position); a score that is not finite counts as `f32::MIN`, so it can
/// still be chosen when fewer than `k` are finite. Equals
/// `select(scores.iter().enumerate().map(..), k)`; faster on long slices, as it skips
/// runs of 16 scores below the current k-th best with one vectorised test.
pub(crate) fn select_positions(scores: &[f32], k: usize) -> Vec<(u32, f32)> {
    const RUN: usize = 16;
    if k == 0 {
        return Vec::new();
    }
    let mut best = Best::new(k);
    for (r, run) in scores.chunks(RUN).enumerate() {
        if let Some(b) = best.bar {
            // Only a finite score at or above the bar can enter (the bar is above
            // f32::MIN here, so scores counted as f32::MIN cannot).
            if b.1 > f32::MIN && !run.iter().fold(false, |any, &x| any | (x >= b.1)) {
                continue;
            }
        }
        for (o, &x) in run.iter().enumerate() {
            let p = (
                (r * RUN + o) as u32,
                if x.is_finite() { x } else { f32::MIN },
            );
            if best.admits(p) {
                best.push(p);
            }
        }
    }
    best.into_sorted()
}

/// [`select`] over the pairs whose index `keep` accepts. `keep` is asked only about
/// pairs that would enter the current top k (a few per cent of them when k ≪ n), so a
/// costly filter costs little; the result equals filtering first, then selecting.
pub(crate) fn select_where(
    pairs: impl Iterator<Item = (u32, f32)>,
    k: usize,
    mut keep: impl FnMut(u32) -> bool,
) -> Vec<(u32, f32)> {
    if k == 0 {
        return Vec::new();
    }
    let mut best = Best::new(k);
    for p in pairs {
        if best.admits(p) && keep(p.0) {
            best.push(p);
        }
    }
    best.into_sorted()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ties_by_index_and_filtered_dropped() {
        let got = top_k(&[5, 3, 9, 1], &[1.0, 2.0, 2.0, f32::NEG_INFINITY], 3);
        assert_eq!(got, vec![(3, 2.0), (9, 2.0), (5, 1.0)]);
        assert!(top_k(&[1], &[1.0], 0).is_empty());
    }

    proptest! {
        #[test]
        fn equals_sort_then_truncate_past_the_buffer(scores in proptest::collection::vec(-20i32..20, 0..2000), k in 1usize..90, shuffle in 0u32..1000) {
            // Enough candidates to cut the buffer many times, with ties, -inf and NaN,
            // in an order that is not the index order.
            let scores: Vec<f32> = scores.into_iter().map(|s| match s { -20 => f32::NEG_INFINITY, -19 => f32::NAN, s => s as f32 }).collect();
            let n = scores.len() as u32;
            let cands: Vec<u32> = (0..n).map(|j| (j.wrapping_mul(2_654_435_761).wrapping_add(shuffle)) % n.max(1) + n * (j % 2)).collect();
            let mut want: Vec<(u32, f32)> = cands.iter().zip(&scores).filter(|(_, s)| s.is_finite()).map(|(&i, &s)| (i, s)).collect();
            want.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            want.truncate(k);
            prop_assert_eq!(top_k(&cands, &scores, k), want);
        }

        #[test]
        fn filtering_while_selecting_equals_filtering_first(scores in proptest::collection::vec(-9i32..9, 0..600), k in 1usize..40, m in 2u32..5) {
            let scores: Vec<f32> = scores.into_iter().map(|s| s as f32).collect();
            let cands: Vec<u32> = (0..scores.len() as u32).rev().collect();
            let mut filtered = scores.clone();
            for (s, &i) in filtered.iter_mut().zip(&cands) {
                if i % m == 0 {
                    *s = f32::NEG_INFINITY;
                }
            }
            let lazy = select_where(cands.iter().copied().zip(scores.iter().copied()), k, |i| i % m != 0);
            prop_assert_eq!(lazy, top_k(&cands, &filtered, k));
        }

        #[test]
        fn positions_equal_select_over_positions(scores in proptest::collection::vec(-30i32..30, 0..900), k in 1usize..120) {
            let scores: Vec<f32> = scores.into_iter().map(|s| match s { -30 => f32::NEG_INFINITY, -29 => f32::NAN, 29 => f32::INFINITY, s => s as f32 }).collect();
            let want = select(scores.iter().enumerate().map(|(j, &x)| (j as u32, if x.is_finite() { x } else { f32::MIN })), k);
            prop_assert_eq!(select_positions(&scores, k), want);
        }

        #[test]
        fn equals_sort_then_truncate(scores in proptest::collection::vec(-5i32..5, 0..60), k in 0usize..70) {
            let scores: Vec<f32> = scores.into_iter().map(|s| if s == -5 { f32::NEG_INFINITY } else { s as f32 }).collect();
            let cands: Vec<u32> = (0..scores.len() as u32).collect();
            let mut want: Vec<(u32, f32)> = cands.iter().zip(&scores).filter(|(_, s)| s.is_finite()).map(|(&i, &s)| (i, s)).collect();
            want.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            want.truncate(k);
            prop_assert_eq!(top_k(&cands, &scores, k), want);
        }
    }
}
