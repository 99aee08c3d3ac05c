//! Ranking many promoters at once, in parallel, through the same pipeline as
//! [`Ranker::rank`].

use crate::data::PromoterIdx;
use crate::error::{Error, Result};
use crate::rank::{check_k, DenseScan, RankRequest, Ranked, Ranker};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Ranks the top `k` for each of `promoter_ids`, in parallel on the current rayon pool.
/// Promoters unknown to the model get the cold-start list. `progress` is called now and
/// then with the number of promoters done so far (from worker threads).
///
/// The result is in the order of `promoter_ids` and equals calling [`Ranker::rank`] on
/// each id in turn. For an `ials` model whose rules only filter, known promoters go
/// through the fused scan ([`Ranker::dense_scan`]): a blocked matrix product of their
/// factors against the item factors that keeps each one's best candidates as it goes,
/// which the same pipeline then ranks exactly.
///
/// # Errors
/// As [`Ranker::rank`] (e.g. `k` = 0).
///
/// # Examples
/// ```
/// use kocrank::{batch, synth, train, Config, Ranker};
/// let world = synth::generate(synth::Scale::Tiny, 2).unwrap();
/// let ranker = Ranker::new(train(&world.dataset, &Config::with_model(kocrank::ModelKind::Baseline)).unwrap());
/// let ids: Vec<String> = world.dataset.promoters().ids.names().take(3).map(String::from).collect();
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
    rank_ids(
        ranker,
        ranker.dense_scan().as_ref(),
        promoter_ids,
        &RankRequest::new("", k),
        None,
        &progress,
    )
}

/// [`rank_many`] with each promoter's request built from `template` (its `k`, rules,
/// candidates, exclusions, channel and the other overrides, with her id in
/// `promoter_id`). A template that overrides nothing but `k` takes the fused scan, as
/// [`rank_many`] does; any other goes through [`Ranker::rank`] per promoter, in
/// parallel.
///
/// # Errors
/// As [`Ranker::rank`] (an unknown candidate, `k` = 0).
///
/// # Examples
/// ```
/// use kocrank::{batch, synth, train, Config, RankRequest, Ranker};
/// let world = synth::generate(synth::Scale::Tiny, 2).unwrap();
/// let ranker = Ranker::new(train(&world.dataset, &Config::with_model(kocrank::ModelKind::Baseline)).unwrap());
/// let ids: Vec<String> = world.dataset.promoters().ids.names().take(3).map(String::from).collect();
/// let no_stock_rule = RankRequest { in_stock_only: Some(false), ..RankRequest::new("", 5) };
/// let lists = batch::rank_many_with(&ranker, &ids, &no_stock_rule, |_| {}).unwrap();
/// let one = ranker.rank(&RankRequest { promoter_id: ids[1].clone(), ..no_stock_rule.clone() }).unwrap();
/// assert_eq!(lists[1], one);
/// ```
pub fn rank_many_with<F>(
    ranker: &Ranker,
    promoter_ids: &[String],
    template: &RankRequest,
    progress: F,
) -> Result<Vec<Vec<Ranked>>>
where
    F: Fn(usize) + Sync,
{
    rank_many_with_cancel(
        ranker,
        promoter_ids,
        template,
        &AtomicBool::new(false),
        progress,
    )
}

/// [`rank_many_with`] that stops when `cancel` is set (checked before each block of
/// promoters), for callers that let a user interrupt a long call: Python's
/// `Model.rank` turns Ctrl-C into it. The item factors are packed once for the whole
/// call.
///
/// # Errors
/// As [`rank_many_with`]; [`Error::Cancelled`] once `cancel` is set, never while it
/// stays unset.
pub fn rank_many_with_cancel<F>(
    ranker: &Ranker,
    promoter_ids: &[String],
    template: &RankRequest,
    cancel: &AtomicBool,
    progress: F,
) -> Result<Vec<Vec<Ranked>>>
where
    F: Fn(usize) + Sync,
{
    let plain = RankRequest {
        promoter_id: String::new(),
        ..template.clone()
    } == RankRequest::new("", template.k);
    let scan = if plain { ranker.dense_scan() } else { None };
    rank_ids(
        ranker,
        scan.as_ref(),
        promoter_ids,
        template,
        Some(cancel),
        &progress,
    )
}

/// The error of a call stopped by its cancel flag after `done` of `total` promoters.
fn cancelled(done: usize, total: usize) -> Error {
    Error::Cancelled(format!("ranking stopped after {done} of {total} promoters"))
}

/// Promoters per unit of parallel work on the fused-scan path: enough rows to reuse
/// each block of packed item factors many times from cache.
const SCAN_ROWS: usize = 96;

/// [`rank_many`] with the fused scan (when the model has one) built by the caller, so
/// chunked runs pack the item factors once.
fn rank_ids(
    ranker: &Ranker,
    scan: Option<&DenseScan<'_>>,
    promoter_ids: &[String],
    template: &RankRequest,
    cancel: Option<&AtomicBool>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Vec<Ranked>>> {
    let k = template.k;
    check_k(k)?;
    let stop = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    let request = |id: &String| RankRequest {
        promoter_id: id.clone(),
        ..template.clone()
    };
    let done = AtomicUsize::new(0);
    let tick = |n: usize| {
        let before = done.fetch_add(n, Ordering::Relaxed);
        let now = before + n;
        if now / 256 != before / 256 || now == promoter_ids.len() {
            progress(now);
        }
    };
    let Some(scan) = scan else {
        return promoter_ids
            .par_iter()
            .map(|id| {
                if stop() {
                    return Err(cancelled(done.load(Ordering::Relaxed), promoter_ids.len()));
                }
                let list = ranker.rank(&request(id));
                tick(1);
                list
            })
            .collect();
    };
    let ids = &ranker.model().promoters().ids;
    let lists: Vec<Vec<Vec<Ranked>>> = promoter_ids
        .par_chunks(SCAN_ROWS)
        .map(|chunk| {
            if stop() {
                return Err(cancelled(done.load(Ordering::Relaxed), promoter_ids.len()));
            }
            let known: Vec<PromoterIdx> = chunk
                .iter()
                .filter_map(|id| ids.get(id).map(PromoterIdx::new))
                .collect();
            let mut scanned = scan.rank_indices(&known, k)?.into_iter();
            let lists = chunk
                .iter()
                .map(|id| match ids.get(id) {
                    Some(_) => Ok(scanned.next().unwrap_or_default()),
                    None => ranker.rank(&request(id)),
                })
                .collect::<Result<Vec<_>>>();
            tick(chunk.len());
            lists
        })
        .collect::<Result<_>>()?;
    Ok(lists.into_iter().flatten().collect())
}

mod lists;
#[cfg(feature = "io")]
mod parts;

pub use lists::{read_ranked_parts, RankedLists};

/// Checks a number of promoters per chunk or part: at least 1.
pub(crate) fn check_chunk(chunk: usize) -> Result<()> {
    if chunk == 0 {
        return Err(Error::InvalidRequest {
            field: "chunk",
            message: "0 is outside 1..; a chunk holds at least one promoter".into(),
        });
    }
    Ok(())
}
#[cfg(feature = "io")]
pub use parts::{rank_to_parts, PartsOptions, PartsReport};

/// How far a chunked batch has come, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Promoters ranked so far (including those of parts skipped on resume).
    pub promoters_done: usize,
    /// Promoters in all.
    pub promoters_total: usize,
    /// Parts finished so far.
    pub parts_done: usize,
    /// Parts in all.
    pub parts_total: usize,
}

/// Ranks `promoter_ids` in consecutive chunks of `chunk` promoters, calling
/// `on_chunk(part_index, ids, lists)` with each finished chunk in order. Chunks for
/// which `skip(part_index)` is true are not ranked (a resumed run). Memory holds one
/// chunk's lists at a time.
///
/// # Errors
/// [`Error::InvalidRequest`] for a `chunk` of 0; as [`Ranker::rank`]; or the first
/// error `on_chunk` returns.
pub fn rank_chunks<S, C, P>(
    ranker: &Ranker,
    promoter_ids: &[String],
    k: usize,
    chunk: usize,
    skip: S,
    mut on_chunk: C,
    progress: P,
) -> Result<()>
where
    S: Fn(usize) -> bool,
    C: FnMut(usize, &[String], Vec<Vec<Ranked>>) -> Result<()>,
    P: Fn(Progress) + Sync,
{
    check_k(k)?;
    check_chunk(chunk)?;
    let scan = ranker.dense_scan();
    let template = RankRequest::new("", k);
    let parts_total = promoter_ids.len().div_ceil(chunk);
    let mut done = 0usize;
    for (part, ids) in promoter_ids.chunks(chunk).enumerate() {
        if !skip(part) {
            let base = done;
            let lists = rank_ids(ranker, scan.as_ref(), ids, &template, None, &|n| {
                progress(Progress {
                    promoters_done: base + n,
                    promoters_total: promoter_ids.len(),
                    parts_done: part,
                    parts_total,
                })
            })?;
            on_chunk(part, ids, lists)?;
        }
        done += ids.len();
        progress(Progress {
            promoters_done: done,
            promoters_total: promoter_ids.len(),
            parts_done: part + 1,
            parts_total,
        });
    }
    Ok(())
}
