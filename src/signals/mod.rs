//! What is learned from orders and reviews, one file per signal, behind one
//! [`Scorer`] trait.
//!
//! A scorer writes one score per candidate into a caller-provided buffer, so ranking
//! allocates nothing per (promoter, item) pair. Higher is better; scores of different
//! scorers are not on one scale.

pub mod baseline;
pub mod buy_again;
mod csr;
pub mod ease;
pub mod ials;
pub mod item_knn;
pub mod popularity;
pub mod profile;
pub mod quality;
pub mod repurchase;

use crate::data::{Channel, CityTier};

/// Who is being ranked for: a promoter known to the model, or a newcomer described by
/// her channel and city tier, with the orders her circle brought (possibly none).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Dense promoter index, if the model knows her.
    pub promoter: Option<u32>,
    /// Her channel.
    pub channel: Channel,
    /// Her city tier (0 = unknown).
    pub city_tier: CityTier,
    /// Items her circle ordered, in time order (repeats kept).
    pub history: &'a [u32],
    /// Times of those orders.
    pub history_ts: &'a [i64],
    /// Items she shared, her last ones in time order (empty unless the model keeps
    /// shares for the blend's share features).
    pub shares: &'a [u32],
    /// Times of those shares.
    pub shares_ts: &'a [i64],
    /// The ranking time (unix seconds).
    pub now: i64,
    /// True when `history` differs from the orders the model was trained on (orders
    /// arrived since, or a newcomer): scorers with per-promoter parameters must then
    /// derive them from `history` (fold-in) instead of using the stored ones.
    pub fold_in: bool,
}

/// A fitted signal that scores candidate items for one promoter.
pub trait Scorer: Send + Sync + std::fmt::Debug {
    /// Short name, used in breakdowns and reports.
    fn name(&self) -> &'static str;

    /// Writes the score of each of `candidates` (dense item indices) into `out`.
    /// Unknown indices score `f32::NEG_INFINITY`.
    ///
    /// # Panics
    /// Implementations may panic if `out.len() != candidates.len()`.
    fn score(&self, ctx: &Context<'_>, candidates: &[u32], out: &mut [f32]);
}

impl Scorer for popularity::Popularity {
    fn name(&self) -> &'static str {
        "popularity"
    }

    fn score(&self, ctx: &Context<'_>, candidates: &[u32], out: &mut [f32]) {
        self.score_into(ctx.channel, ctx.city_tier, candidates, out);
    }
}
