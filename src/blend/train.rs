//! Training the blend's learner: the label window, the training pairs drawn from the
//! candidate pool, and the prior correction of the intercept for the sampled
//! negatives (see the module docs of [`crate::blend`]).
//!
//! The components themselves are whole models; [`crate::fit`] fits them and passes
//! their scorers here.

use super::features::{self, FeatureSource};
use super::{pool_mask, Blend, BlendConfig};
use crate::data::{Dataset, History, Promoters};
use crate::error::{Error, Result};
use crate::signals::{Context, Scorer};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::collections::HashSet;

/// Splits `history` (the completed orders of `data`) at the start of the blend's
/// label window, the last `label_days` of the data: returns the orders before it
/// (what the components are fitted on), the orders each promoter brought in it (the
/// labels), and its start.
///
/// # Errors
/// [`Error::Empty`] when no order falls before the window.
pub(crate) fn label_window(
    data: &Dataset,
    history: &History,
    bc: &BlendConfig,
) -> Result<(History, History, i64)> {
    let now = history.end();
    let t_label = now - (bc.label_days * 86_400.0) as i64;
    let past = history.before(t_label);
    if past.nnz() == 0 {
        return Err(Error::Empty(format!(
            "cannot train the blend: no order before its {}-day label window; shorten blend.label_days",
            bc.label_days
        )));
    }
    let labels = data
        .orders
        .filter(|r| data.orders.ts[r] >= t_label)
        .history(data.promoters.len());
    Ok((past, labels, t_label))
}

/// The items each promoter shared at or after `t_label`, sorted and distinct: the
/// label window's shares, of which the unsold become negatives
/// ([`BlendConfig::share_negatives`]). Empty lists when `data` has no share then.
pub(crate) fn window_shares(data: &Dataset, t_label: i64) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); data.promoters.len()];
    let s = &data.shares;
    for r in 0..s.len() {
        if s.ts[r] >= t_label {
            if let Some(list) = out.get_mut(s.promoter[r] as usize) {
                list.push(s.item[r]);
            }
        }
    }
    for list in &mut out {
        list.sort_unstable();
        list.dedup();
    }
    out
}

/// Fits the blend's learner: `components` (fitted on `past` as of `t_label`) score
/// candidates, and the learner learns which of them each promoter ordered in
/// `labels`. `shared` (per promoter, sorted; may be empty) are the items she shared in
/// the label window: those she did not order join her negatives, up to
/// `bc.share_negatives`. `past_shares` are her last shares before `t_label`, which the
/// share features read (empty: no share features). `source` holds the catalogue and
/// the statistics the features read.
///
/// # Errors
/// [`Error::Empty`] when no promoter has a label order; as [`Blend::fit`].
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_learner(
    promoters: &Promoters,
    past: &History,
    components: &[&dyn Scorer],
    labels: &History,
    shared: &[Vec<u32>],
    past_shares: &History,
    t_label: i64,
    bc: &BlendConfig,
    source: FeatureSource<'_>,
) -> Result<Blend> {
    let source = FeatureSource {
        shares: past_shares.nnz() > 0,
        ..source
    };
    let catalog = source.catalog;
    let n_items = catalog.len() as u32;
    let all: Vec<u32> = (0..n_items).collect();
    let d = features::width(components.len(), source.shares);

    // Label: ordered in the window. Samples per promoter: every positive, plus
    // negatives drawn from the components' top candidates and a few from anywhere.
    let with_labels: Vec<u32> = (0..labels.n_promoters().min(past.n_promoters()) as u32)
        .filter(|&p| labels.count(p) > 0)
        .collect();
    let per: Vec<(Vec<f32>, Vec<bool>)> = with_labels
        .par_iter()
        .map(|&p| {
            let ctx = Context {
                promoter: Some(p),
                channel: promoters.channel_of(p),
                city_tier: promoters.tier_of(p),
                history: past.items(p),
                history_ts: past.times(p),
                shares: past_shares.items(p),
                shares_ts: past_shares.times(p),
                now: t_label,
                fold_in: true,
            };
            // The same pool as at ranking time: the components' top candidates, her
            // circle's past items (the re-orders a good list must rank) and the items
            // she shared.
            let scores = features::component_scores(&ctx, components, &all);
            let mask = pool_mask(
                &all,
                &scores,
                bc.candidates_per_component,
                ctx.history,
                ctx.shares,
            );
            let positives: HashSet<u32> = labels
                .items(p)
                .iter()
                .copied()
                .filter(|&i| mask.get(i as usize).copied().unwrap_or(false))
                .collect();
            let mut pool: Vec<u32> = (0..n_items).filter(|&i| mask[i as usize]).collect();
            pool.retain(|i| !positives.contains(i));
            let mut rng = ChaCha8Rng::seed_from_u64(bc.seed ^ (u64::from(p) << 20) ^ 0x9E37_79B9);
            pool.shuffle(&mut rng);
            pool.truncate(bc.negatives);
            for _ in 0..bc.negatives.div_ceil(6) {
                let i = rng.random_range(0..n_items);
                if !positives.contains(&i) && !pool.contains(&i) {
                    pool.push(i);
                }
            }
            // Shared in the window and not ordered: negatives the log itself names.
            if bc.share_negatives > 0 {
                let mut unsold: Vec<u32> = shared
                    .get(p as usize)
                    .map_or(&[][..], Vec::as_slice)
                    .iter()
                    .copied()
                    .filter(|&i| mask.get(i as usize).copied().unwrap_or(false))
                    .filter(|i| !positives.contains(i) && !labels.items(p).contains(i))
                    .filter(|i| !pool.contains(i))
                    .collect();
                unsold.shuffle(&mut rng);
                unsold.truncate(bc.share_negatives);
                pool.extend(unsold);
            }
            let mut items: Vec<u32> = positives.iter().copied().collect();
            items.sort_unstable();
            let labels: Vec<bool> = items
                .iter()
                .map(|_| true)
                .chain(pool.iter().map(|_| false))
                .collect();
            items.extend(pool);
            let gathered: Vec<Vec<f32>> = scores
                .iter()
                .map(|s| items.iter().map(|&i| s[i as usize]).collect())
                .collect();
            let mut rows = vec![0f32; items.len() * d];
            features::compute(&source, &ctx, &gathered, &items, &mut rows);
            (rows, labels)
        })
        .collect();
    let (mut rows, mut labels) = (Vec::new(), Vec::new());
    let mut groups = vec![0usize];
    let (mut negatives, mut possible) = (0f64, 0f64);
    for (r, l) in per {
        if l.is_empty() {
            continue;
        }
        let pos = l.iter().filter(|&&x| x).count();
        negatives += (l.len() - pos) as f64;
        possible += n_items as f64 - pos as f64;
        rows.extend(r);
        labels.extend(l);
        groups.push(labels.len());
    }
    if labels.is_empty() {
        return Err(Error::Empty(
            "cannot train the blend: no promoter has a label order".into(),
        ));
    }
    let mut blend = Blend::fit(bc.clone(), rows, &labels, &groups, source.shares)?;
    blend.set_value_cap(catalog);
    // Negatives were sampled: move the intercept so P̂ is on the scale of the whole
    // catalogue (prior correction, King & Zeng 2001), and the value term weighs
    // against a probability, not against sampled odds.
    if negatives > 0.0 && possible > negatives {
        blend.fitted.shift_intercept((negatives / possible).ln());
    }
    Ok(blend)
}
