//! Batch ranking of a factor model through the fused scan
//! ([`crate::linalg::scan_top`]): promoters' factor rows against every item's factors
//! as a blocked matrix product, keeping each promoter's best few items as it goes.
//!
//! The scan only proposes candidates. Each promoter's list is then made by the same
//! pipeline as [`Ranker::rank`] over those candidates (exact scores, filters, top-k),
//! so the lists equal the per-request ones. The scan keeps [`MARGIN`] more items than
//! asked because the blocked product may round differently from the per-request dot
//! product: a list could differ only if more than that many items scored within
//! rounding of its `k`-th score.

use super::{Filters, Ranked, Ranker};
use crate::data::PromoterIdx;
use crate::error::Result;
use crate::linalg::{scan_top, PackedItems};
use crate::model::Signal;
use crate::signals::ials::Ials;

/// Extra candidates the scan keeps per promoter beyond `k`.
pub const MARGIN: usize = 16;

/// A snapshot's item factors packed for batch ranking (see [`Ranker::dense_scan`]).
#[derive(Debug)]
pub struct DenseScan<'a> {
    ranker: &'a Ranker,
    ials: &'a Ials,
    packed: PackedItems,
}

impl Ranker {
    /// The fused batch scan over this snapshot, when its model can use one: an `ials`
    /// model whose rules only filter (no caps, diversity, boosts or exploration, which
    /// need a deeper candidate list). Packing copies the item factors once
    /// (`items × factors` floats).
    ///
    /// # Examples
    /// ```
    /// use kocrank::data::PromoterIdx;
    /// use kocrank::{synth, train, Config, ModelKind, Ranker};
    /// let world = synth::generate(synth::Scale::Tiny, 4).unwrap();
    /// let mut cfg = Config::default();
    /// cfg.model = ModelKind::Ials;
    /// let ranker = Ranker::new(train(&world.dataset, &cfg).unwrap());
    /// let scan = ranker.dense_scan().expect("an ials model");
    /// let promoters: Vec<PromoterIdx> = (0..3).map(PromoterIdx::new).collect();
    /// let lists = scan.rank_indices(&promoters, 10).unwrap();
    /// assert_eq!(lists[1], ranker.rank_index(promoters[1], 10, None).unwrap());
    /// ```
    pub fn dense_scan(&self) -> Option<DenseScan<'_>> {
        let m = self.model();
        let Signal::Ials(ials) = &m.signal else {
            return None;
        };
        if m.config.rules.reranks() || ials.n_items() != m.catalog.len() {
            return None;
        }
        let r = self.resolve(None, 1);
        let filters = Filters::new(m, &r);
        let bias: Vec<f32> = (0..m.catalog.len() as u32)
            .map(|i| {
                if filters.drops_for_everyone(i) {
                    f32::NEG_INFINITY
                } else {
                    0.0
                }
            })
            .collect();
        let packed = PackedItems::new(ials.item_factors(), ials.factors(), &bias);
        Some(DenseScan {
            ranker: self,
            ials,
            packed,
        })
    }
}

impl DenseScan<'_> {
    /// The top `k` of each of `promoters` (dense indices), in order: the same lists as
    /// [`Ranker::rank_index`]`(p, k, None)`. Promoters without orders, or outside the
    /// model, take that per-promoter path. Runs on the calling thread; batch jobs call
    /// it on chunks in parallel.
    ///
    /// # Errors
    /// As [`Ranker::rank_index`]: a `k` outside 1..=[`MAX_K`](super::MAX_K), or an index
    /// outside the promoter table.
    pub fn rank_indices(&self, promoters: &[PromoterIdx], k: usize) -> Result<Vec<Vec<Ranked>>> {
        let ranker = self.ranker;
        super::check_k(k)?;
        let f = self.packed.factors();
        let mut out: Vec<Option<Vec<Ranked>>> = vec![None; promoters.len()];
        let mut rows = Vec::new();
        let mut scanned = Vec::new();
        for (slot, &ix) in promoters.iter().enumerate() {
            let p = ix.get();
            let orders = ranker.model().history.items(p).len();
            let row = if ranker.model().by_newcomer_list(orders, false) {
                None
            } else {
                self.ials.promoter_row(p)
            };
            match row {
                Some(x) => {
                    rows.extend_from_slice(x);
                    scanned.push((slot, p));
                }
                None => out[slot] = Some(ranker.rank_index(ix, k, None)?),
            }
        }
        debug_assert_eq!(rows.len(), scanned.len() * f);
        let m = ranker.model();
        let resolved: Vec<_> = scanned
            .iter()
            .map(|&(_, p)| ranker.resolve(Some(p), k))
            .collect();
        let filters: Vec<Filters<'_>> = resolved.iter().map(|r| Filters::new(m, r)).collect();
        let found = scan_top(&rows, &self.packed, k + MARGIN, |row, item| {
            filters[row].drops_as_bought(item)
        });
        for (((slot, _), r), cands) in scanned.iter().zip(&resolved).zip(found) {
            let items: Vec<u32> = cands.iter().map(|c| c.0).collect();
            let mut scores = vec![0f32; items.len()];
            let top = ranker.rank_resolved(r, &items, &mut scores, |_| false);
            out[*slot] = Some(ranker.to_ranked(&top));
        }
        Ok(out.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// The packed item factors.
    pub fn packed(&self) -> &PackedItems {
        &self.packed
    }
}
