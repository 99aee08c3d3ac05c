//! A newcomer's list: her segment's popularity, tilted toward the categories her
//! inviter's circle buys.
//!
//! A promoter with no orders of her own gets no help from a model of her history, and a
//! learned model's cold-start list can fall below plain popularity. So every model
//! ranks her the same way: by her segment's (channel × city tier) popularity `q(i)`,
//! times the lift of the item's top-level category in the orders she borrows from her
//! inviter ([`crate::data::network`]), shrunk toward no lift by empirical Bayes with
//! [`crate::data::network::NetworkConfig::prior_orders`] pseudo-orders:
//!
//! ```text
//! lift(c) = (n(c) + m·Q(c)) / ((n + m)·Q(c)),   Q(c) = Σ_{i in c} q(i)
//! ```
//!
//! where `n(c)` of the `n` borrowed orders fall in category `c`. With no inviter
//! orders (or no categories) the lift is 1 and her list is her segment's popularity.

use crate::model::Model;
use std::collections::HashMap;

/// Scores `candidates` for a promoter with no orders of her own; `borrowed` holds her
/// inviter's orders (empty when she borrows none).
pub(crate) fn score(
    m: &Model,
    channel: crate::data::Channel,
    tier: u8,
    borrowed: &[u32],
    candidates: &[u32],
    out: &mut [f32],
) {
    m.popularity.score_into(channel, tier, candidates, out);
    let prior = m.config.network.prior_orders;
    if borrowed.is_empty() || !prior.is_finite() {
        return;
    }
    let c = &m.catalog;
    let mut n_cat: HashMap<u32, f64> = HashMap::new();
    for &i in borrowed {
        let leaf = c.top_category(i);
        if leaf != crate::data::NO_CATEGORY {
            *n_cat.entry(leaf).or_insert(0.0) += 1.0;
        }
    }
    let n: f64 = n_cat.values().sum();
    if n == 0.0 {
        return;
    }
    // Q(c) over the whole catalogue, so that a candidate list ranks as the full one.
    let all: Vec<u32> = (0..c.len() as u32).collect();
    let mut q = vec![0f32; all.len()];
    // Top-level categories: a few dozen orders spread over leaf categories are too
    // thin to tilt anything (measured: leaf lifts scored lower on the small world).
    m.popularity.score_into(channel, tier, &all, &mut q);
    let top = q
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(f32::NEG_INFINITY, f32::max);
    if !top.is_finite() {
        return;
    }
    let (mut total, mut q_cat) = (0.0f64, HashMap::<u32, f64>::new());
    for (i, &s) in q.iter().enumerate() {
        if s.is_finite() {
            let w = f64::from(s - top).exp();
            total += w;
            let leaf = c.top_category(i as u32);
            if n_cat.contains_key(&leaf) {
                *q_cat.entry(leaf).or_insert(0.0) += w;
            }
        }
    }
    if total <= 0.0 {
        return;
    }
    for (o, &i) in out.iter_mut().zip(candidates) {
        if !o.is_finite() {
            continue;
        }
        let leaf = c.top_category(i);
        let lift = match (n_cat.get(&leaf), q_cat.get(&leaf)) {
            (Some(&k), Some(&w)) if w > 0.0 => {
                let share = w / total;
                ((k + prior * share) / ((n + prior) * share)).ln()
            }
            // A category she borrowed nothing of: (m·Q) / ((n + m)·Q).
            _ => (prior / (n + prior)).ln(),
        };
        *o += lift as f32;
    }
}
