//! Top-k selection with deterministic ties.

/// The `k` best `(item, score)` pairs, best first; ties broken by lower item index.
/// Candidates scoring `-inf` or NaN are never returned.
///
/// Runs in `O(n + k log k)`: a partial selection, then a sort of the head.
pub fn top_k(candidates: &[u32], scores: &[f32], k: usize) -> Vec<(u32, f32)> {
    let mut pairs: Vec<(u32, f32)> = candidates
        .iter()
        .zip(scores)
        .filter(|(_, s)| s.is_finite())
        .map(|(&i, &s)| (i, s))
        .collect();
    let better = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if k == 0 {
        return Vec::new();
    }
    if pairs.len() > k {
        pairs.select_nth_unstable_by(k - 1, better);
        pairs.truncate(k);
    }
    pairs.sort_unstable_by(better);
    pairs
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
