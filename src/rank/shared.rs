//! Hot swap: one current snapshot, replaced atomically while requests are served.
//!
//! Readers call [`SharedRanker::load`] once per request and rank with that snapshot
//! for the whole request; a writer builds the next snapshot off to the side (a model
//! file loaded, or [`Ranker::with_item_updates`]) and publishes it with one store.
//! Readers never wait for writers, and no request sees half of an update.

use super::Ranker;
use crate::error::Result;
use arc_swap::ArcSwap;
use std::sync::{Arc, Mutex};

/// The current [`Ranker`] of a service, swappable under load.
///
/// # Examples
/// ```
/// use kocrank::{synth, train, Config, RankRequest, Ranker};
/// use kocrank::rank::{ItemUpdate, SharedRanker};
/// let world = synth::generate(synth::Scale::Tiny, 4).unwrap();
/// let shared = SharedRanker::new(Ranker::new(train(&world.dataset, &Config::with_model(kocrank::ModelKind::Baseline)).unwrap()));
/// let snapshot = shared.load();                      // one snapshot per request
/// let list = snapshot.rank(&RankRequest::new("P000001", 5)).unwrap();
/// let item = list[0].item_id.clone();
/// shared.update(|r| r.with_item_updates(&[ItemUpdate { item_id: item, in_stock: Some(false), ..Default::default() }])).unwrap();
/// assert_eq!(shared.load().generation(), 1);
/// assert_eq!(snapshot.generation(), 0);             // the old snapshot is untouched
/// ```
#[derive(Debug)]
pub struct SharedRanker {
    current: ArcSwap<Ranker>,
    writer: Mutex<()>,
}

impl SharedRanker {
    /// Starts serving `ranker`.
    pub fn new(ranker: Ranker) -> Self {
        SharedRanker {
            current: ArcSwap::from_pointee(ranker),
            writer: Mutex::new(()),
        }
    }

    /// The current snapshot; keep it for the whole request.
    pub fn load(&self) -> Arc<Ranker> {
        self.current.load_full()
    }

    /// Replaces the snapshot (e.g. with a freshly loaded model file); its generation
    /// becomes one more than the current one's.
    pub fn store(&self, mut ranker: Ranker) -> Arc<Ranker> {
        let _w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        ranker.generation = self.current.load().generation + 1;
        let next = Arc::new(ranker);
        self.current.store(Arc::clone(&next));
        next
    }

    /// Derives the next snapshot from the current one with `f` and publishes it.
    /// Writers are serialised, so no update is lost; readers are never blocked.
    ///
    /// # Errors
    /// Whatever `f` returns; the current snapshot is then kept.
    pub fn update<F>(&self, f: F) -> Result<Arc<Ranker>>
    where
        F: FnOnce(&Ranker) -> Result<Ranker>,
    {
        let _w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let next = Arc::new(f(&self.current.load())?);
        self.current.store(Arc::clone(&next));
        Ok(next)
    }
}
