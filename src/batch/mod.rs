//! Ranking many promoters at once, in parallel, through the same pipeline as
//! [`Ranker::rank`].

use crate::error::Result;
use crate::rank::{RankRequest, Ranked, Ranker};
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Ranks the top `k` for each of `promoter_ids`, in parallel on the current rayon pool.
/// Promoters unknown to the model get the cold-start list. `progress` is called now and
/// then with the number of promoters done so far (from worker threads).
///
/// The result is in the order of `promoter_ids` and equals calling [`Ranker::rank`] on
/// each id in turn.
///
/// # Errors
/// As [`Ranker::rank`] (e.g. `k` = 0).
///
/// # Examples
/// ```
/// use kocrank::{batch, synth, train, Config, Ranker};
/// let world = synth::generate(synth::Scale::Tiny, 2).unwrap();
/// let ranker = Ranker::new(train(&world.dataset, &Config::default()).unwrap());
/// let ids: Vec<String> = world.dataset.promoters.ids.names().take(3).map(String::from).collect();
/// let lists = batch::rank_many(&ranker, &ids, 5, |_| {}).unwrap();
/// assert_eq!(lists.len(), 3);
/// ```
pub fn rank_many<F>(
    ranker: &Ranker,
    promoter_ids: &[String],
    k: usize,
    progress: F,
) -> Result<Vec<Vec<Ranked>>>
where
    F: Fn(usize) + Sync,
{
    let done = AtomicUsize::new(0);
    promoter_ids
        .par_iter()
        .map(|id| {
            let list = ranker.rank(&RankRequest::new(id.clone(), k));
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if n % 256 == 0 || n == promoter_ids.len() {
                progress(n);
            }
            list
        })
        .collect()
}
