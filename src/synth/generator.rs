//! The [`Generator`]: the skeleton of a world (catalogue, promoters, ground truth) in
//! memory, and its orders and shares produced block by block of promoters.

use super::catalog::{self, CatalogIndex};
use super::circles;
use super::config::SynthConfig;
use super::dist::{below, bernoulli, rng_for};
use super::funnel::{PromoterLog, Sim};
use super::truth::GroundTruth;
use crate::data::{Catalog, Orders, Promoters, Shares, NO_ID};
use crate::error::{Error, Result};
use rayon::prelude::*;
use std::ops::Range;
use std::sync::Arc;

/// Builds a synthetic world: first its skeleton (catalogue, promoters and ground truth,
/// which fit in memory at every scale), then its orders and shares for any block of
/// promoters.
///
/// The orders of promoter `p` depend only on the seed and `p`, so the log is the same
/// whatever the block size and the number of threads.
///
/// # Examples
/// ```
/// use kocrank::synth::{Generator, Scale, SynthConfig};
/// let cfg = SynthConfig::for_scale(Scale::Tiny);
/// let gen = Generator::new(&cfg, 42).unwrap();
/// let mut orders = 0;
/// for chunk in gen.chunks(64) {
///     let (o, s) = chunk.unwrap();
///     assert!(o.promoter.iter().all(|&p| (p as usize) < gen.promoters().len()));
///     assert!(s.len() > 0);
///     orders += o.len();
/// }
/// assert!(orders > 1_000);
/// ```
#[derive(Debug, Clone)]
pub struct Generator {
    config: SynthConfig,
    seed: u64,
    catalog: Arc<Catalog>,
    promoters: Arc<Promoters>,
    truth: GroundTruth,
    index: CatalogIndex,
    /// Each promoter's invitees (CSR over promoters), the receivers of her shares.
    invitee_indptr: Vec<usize>,
    invitees: Vec<u32>,
}

/// Random stream of the receivers of shares.
const STREAM_RECEIVERS: u64 = 0x2EC1;

/// The chance that a share of a promoter with invitees (who had joined by then) is
/// sent to one of them, named as the share's receiver. Receiving changes nothing in
/// what the receiver shares or sells: the world records the link, and any lesson a
/// model draws from it comes from the taste invitees share with their inviter
/// ([`SynthConfig::inviter_taste`]).
pub const SHARED_TO_INVITEE: f64 = 0.5;

impl Generator {
    /// Builds the skeleton of a world: catalogue, promoters and ground truth.
    ///
    /// # Errors
    /// [`Error::Config`] when `config` breaks a rule of [`SynthConfig::validate`].
    pub fn new(config: &SynthConfig, seed: u64) -> Result<Generator> {
        config.validate()?;
        let built = catalog::build(config, seed);
        let mut truth = GroundTruth {
            top_categories: built.top_categories,
            categories: built.categories,
            item_quality: built.item_quality,
            item_popularity: built.item_popularity,
            ..GroundTruth::default()
        };
        let promoters = circles::build(config, seed, &built.index, &mut truth);
        let n = promoters.len();
        let mut invitee_indptr = vec![0usize; n + 1];
        for &inv in promoters.inviter.iter().flatten() {
            if let Some(slot) = invitee_indptr.get_mut(inv as usize + 1) {
                *slot += 1;
            }
        }
        for p in 0..n {
            invitee_indptr[p + 1] += invitee_indptr[p];
        }
        let mut fill = invitee_indptr.clone();
        let mut invitees = vec![0u32; invitee_indptr[n]];
        for (p, inv) in promoters.inviter.iter().enumerate() {
            if let Some(slot) = inv.and_then(|i| fill.get_mut(i as usize)) {
                invitees[*slot] = p as u32;
                *slot += 1;
            }
        }
        Ok(Generator {
            invitee_indptr,
            invitees,
            config: config.clone(),
            seed,
            catalog: Arc::new(built.catalog),
            promoters: Arc::new(promoters),
            truth,
            index: built.index,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SynthConfig {
        &self.config
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The catalogue (shared, ready to go into a [`crate::Dataset`]).
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// The promoter table (shared, ready to go into a [`crate::Dataset`]).
    pub fn promoters(&self) -> &Arc<Promoters> {
        &self.promoters
    }

    /// The ground truth.
    pub fn truth(&self) -> &GroundTruth {
        &self.truth
    }

    /// The funnel's view of this world (for [`super::replay`]).
    pub(crate) fn sim(&self) -> Sim<'_> {
        Sim {
            seed: self.seed,
            end: self.config.end,
            catalog: &self.catalog,
            index: &self.index,
            truth: &self.truth,
        }
    }

    /// Gives up the ground truth (the skeleton's largest owned part).
    pub fn into_truth(self) -> GroundTruth {
        self.truth
    }

    /// The orders and shares of consecutive blocks of `promoters_per_chunk` promoters
    /// (0 counts as 1), in promoter order.
    ///
    /// Promoter and item indices refer to [`Generator::promoters`] and
    /// [`Generator::catalog`]. Buyer, group and order ids are interned per chunk: their
    /// indices are local to the chunk's id maps, their names (`B000017-042`,
    /// `G000017-2`, `O000017-00031`) are unique across chunks. Within a chunk, rows are
    /// grouped by promoter and in time order within a promoter.
    pub fn chunks(
        &self,
        promoters_per_chunk: usize,
    ) -> impl Iterator<Item = Result<(Orders, Shares)>> + '_ {
        let n = self.promoters.len();
        let step = promoters_per_chunk.max(1);
        (0..n)
            .step_by(step)
            .map(move |a| self.chunk(a as u32..a.saturating_add(step).min(n) as u32))
    }

    /// The orders and shares of the promoters in `range` (see [`Generator::chunks`]).
    /// Promoters are simulated in parallel on the current rayon pool.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when `range` reaches past the promoter table.
    pub fn chunk(&self, range: Range<u32>) -> Result<(Orders, Shares)> {
        let n = self.promoters.len();
        if range.end as usize > n || range.start > range.end {
            return Err(Error::InvalidRequest {
                field: "range",
                message: format!(
                    "promoter range {}..{} is outside the table of {n} promoters",
                    range.start, range.end
                ),
            });
        }
        let sim = Sim {
            seed: self.seed,
            end: self.config.end,
            catalog: &self.catalog,
            index: &self.index,
            truth: &self.truth,
        };
        let logs: Vec<PromoterLog> = range
            .clone()
            .into_par_iter()
            .map(|p| sim.simulate(p))
            .collect();
        Ok(self.assemble(range, &logs))
    }

    /// Interns ids and lays the promoters' logs out as columns.
    fn assemble(&self, range: Range<u32>, logs: &[PromoterLog]) -> (Orders, Shares) {
        let n_orders: usize = logs.iter().map(|l| l.orders.len()).sum();
        let n_shares: usize = logs.iter().map(|l| l.shares.len()).sum();
        let mut o = Orders::default();
        let mut s = Shares::default();
        o.promoter.reserve(n_orders);
        o.item.reserve(n_orders);
        o.ts.reserve(n_orders);
        o.quantity.reserve(n_orders);
        o.amount_cents.reserve(n_orders);
        o.status.reserve(n_orders);
        o.order_id.reserve(n_orders);
        o.buyer.reserve(n_orders);
        o.group.reserve(n_orders);
        s.promoter.reserve(n_shares);
        s.item.reserve(n_shares);
        s.ts.reserve(n_shares);
        s.group.reserve(n_shares);
        s.receiver.reserve(n_shares);
        let mut buyer_of: Vec<u32> = Vec::new();
        for (p, log) in range.zip(logs) {
            let label = p as usize + 1;
            let sizes = self.truth.group_sizes(p);
            let group_base = o.group_ids.len() as u32;
            for g in 0..sizes.len() {
                let name = format!("G{label:06}-{}", g + 1);
                o.group_ids.insert(&name);
                s.group_ids.insert(&name);
            }
            let members: u32 = sizes.iter().sum();
            buyer_of.clear();
            buyer_of.resize(members as usize, NO_ID);
            for (k, r) in log.orders.iter().enumerate() {
                let buyer = match buyer_of.get_mut(r.member as usize) {
                    Some(slot) => {
                        if *slot == NO_ID {
                            let name = format!("B{label:06}-{:03}", r.member + 1);
                            *slot = o.buyer_ids.insert(&name).0;
                        }
                        *slot
                    }
                    None => NO_ID,
                };
                let order_id = if self.config.order_ids {
                    o.order_ids.insert(&format!("O{label:06}-{:05}", k + 1)).0
                } else {
                    NO_ID
                };
                let price = self
                    .catalog
                    .price_cents
                    .get(r.item as usize)
                    .copied()
                    .unwrap_or(0);
                o.promoter.push(p);
                o.item.push(r.item);
                o.ts.push(r.ts);
                o.quantity.push(r.quantity);
                o.amount_cents
                    .push(price.saturating_mul(i64::from(r.quantity)));
                o.status.push(r.status);
                o.order_id.push(order_id);
                o.buyer.push(buyer);
                o.group.push(group_base + u32::from(r.group));
            }
            let mut rng = rng_for(self.seed, STREAM_RECEIVERS, u64::from(p));
            let invitees = self
                .invitee_indptr
                .get(p as usize..p as usize + 2)
                .and_then(|w| self.invitees.get(w[0]..w[1]))
                .unwrap_or(&[]);
            for r in &log.shares {
                s.promoter.push(p);
                s.item.push(r.item);
                s.ts.push(r.ts);
                s.group.push(group_base + u32::from(r.group));
                // Invitees are in join order: those who had joined by the share.
                let joined = invitees.partition_point(|&q| {
                    self.promoters
                        .joined_at
                        .get(q as usize)
                        .copied()
                        .flatten()
                        .is_some_and(|t| t <= r.ts)
                });
                let receiver = if joined > 0 && bernoulli(&mut rng, SHARED_TO_INVITEE) {
                    invitees
                        .get(below(&mut rng, joined as u64) as usize)
                        .copied()
                        .unwrap_or(NO_ID)
                } else {
                    NO_ID
                };
                s.receiver.push(receiver);
            }
        }
        (o, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::config::Scale;

    /// Every order and share of a log, with ids resolved to names.
    fn rows(o: &Orders, s: &Shares) -> (Vec<String>, Vec<String>) {
        let name = |m: &crate::data::IdMap, i: u32| m.name(i).unwrap_or("-").to_string();
        let orders = (0..o.len())
            .map(|r| {
                format!(
                    "{} {} {} {} {} {:?} {} {} {}",
                    o.promoter[r],
                    o.item[r],
                    o.ts[r],
                    o.quantity[r],
                    o.amount_cents[r],
                    o.status[r],
                    name(&o.order_ids, o.order_id[r]),
                    name(&o.buyer_ids, o.buyer[r]),
                    name(&o.group_ids, o.group[r]),
                )
            })
            .collect();
        let shares = (0..s.len())
            .map(|r| {
                format!(
                    "{} {} {} {}",
                    s.promoter[r],
                    s.item[r],
                    s.ts[r],
                    name(&s.group_ids, s.group[r])
                )
            })
            .collect();
        (orders, shares)
    }

    #[test]
    fn output_is_the_same_whatever_the_chunk_size_and_threads() {
        let cfg = SynthConfig {
            promoters: 60,
            ..SynthConfig::for_scale(Scale::Tiny)
        };
        let gen = Generator::new(&cfg, 9).unwrap();
        let whole = gen.chunk(0..60).unwrap();
        let expected = rows(&whole.0, &whole.1);
        assert!(expected.0.len() > 500);
        for size in [1, 7, 59, 1000] {
            let mut got = (Vec::new(), Vec::new());
            for chunk in gen.chunks(size) {
                let (o, s) = chunk.unwrap();
                let (a, b) = rows(&o, &s);
                got.0.extend(a);
                got.1.extend(b);
            }
            assert_eq!(got, expected, "chunk size {size}");
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let single = pool.install(|| gen.chunk(0..60).unwrap());
        assert_eq!(single, whole);
        assert_eq!(gen.chunks(0).count(), 60);
        assert_eq!(gen.chunks(usize::MAX).count(), 1);
    }

    #[test]
    fn out_of_range_chunk_is_an_error() {
        let cfg = SynthConfig {
            promoters: 10,
            ..SynthConfig::for_scale(Scale::Tiny)
        };
        let gen = Generator::new(&cfg, 1).unwrap();
        let e = gen.chunk(5..11).unwrap_err().to_string();
        assert!(e.contains("5..11") && e.contains("10 promoters"), "{e}");
        let bad = SynthConfig { items: 3, ..cfg };
        assert!(Generator::new(&bad, 1).is_err());
    }
}
