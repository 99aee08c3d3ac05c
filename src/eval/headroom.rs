//! How much commission a value-aware ordering can add on this data, by the blend's own
//! estimate and by the test orders (`shared/DOMAIN.md` §2.3a).
//!
//! A sweep over γ ([`super::sweep_gamma`]) shows what the value term buys; this check
//! says how much there was to buy. For each test promoter it takes her accuracy-only
//! list (the blend at γ = 0) down to `pool` items, with `P̂(order)` of each, and
//! compares two top-K lists drawn from that pool:
//!
//! * **accuracy**: the first K, by `P̂`;
//! * **expected value**: the K with the largest `P̂ · price · rate`, the list that
//!   maximises expected commission if `P̂` is right (ranking by expected value is
//!   optimal for a sum over the list).
//!
//! `expected_gain` is what the model itself expects the second list to earn over the
//! first (`Σ P̂ · price · rate`), `realized_gain` what the test orders paid
//! (Commission@K). When the model expects only a small gain, no value exponent can buy a
//! large one without trading accuracy it does not expect to get back: the headroom is a
//! property of the data and of how sharply `P̂` separates items, not of γ.

use super::metrics::{list_metrics, ListMetrics};
use super::{build_cases, EvalConfig};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::rank::{RankRequest, Ranker};
use crate::rules::ExcludePurchased;
use rayon::prelude::*;

/// The value headroom of a blend on a test set (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Headroom {
    /// List length.
    pub k: usize,
    /// How deep in her accuracy-only list the expected-value list may reach.
    pub pool: usize,
    /// Promoters measured.
    pub promoters: usize,
    /// Mean `Σ P̂ · price · rate` of the accuracy list.
    pub expected_accuracy: f64,
    /// Mean `Σ P̂ · price · rate` of the expected-value list.
    pub expected_value: f64,
    /// Metrics of the accuracy list on the test orders (means over promoters).
    pub accuracy: ListMetrics,
    /// Metrics of the expected-value list on the test orders.
    pub value: ListMetrics,
}

impl Headroom {
    /// The commission gain the model expects from the expected-value list (0.15 = 15%).
    pub fn expected_gain(&self) -> f64 {
        ratio(self.expected_value, self.expected_accuracy)
    }

    /// The Commission@K gain the test orders paid.
    pub fn realized_gain(&self) -> f64 {
        ratio(self.value.commission, self.accuracy.commission)
    }

    /// The NDCG@K change of the expected-value list.
    pub fn ndcg_change(&self) -> f64 {
        ratio(self.value.ndcg, self.accuracy.ndcg)
    }

    /// One line for a terminal.
    pub fn summary(&self) -> String {
        format!(
            "value headroom ({} promoters, K = {}, pool {}): the expected-value list (P̂ × price × rate) \
             is expected by the model to earn {:+.1}% commission over the accuracy list; \
             the test orders paid {:+.1}% (Commission@{} {:.2} against {:.2}) for {:+.1}% NDCG@{}",
            self.promoters,
            self.k,
            self.pool,
            100.0 * self.expected_gain(),
            100.0 * self.realized_gain(),
            self.k,
            self.value.commission,
            self.accuracy.commission,
            100.0 * self.ndcg_change(),
            self.k,
        )
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b - 1.0
    } else {
        0.0
    }
}

/// Measures the value headroom of `model` (a blend) on `test`: lists of `k` drawn from
/// each promoter's accuracy-only top `pool` (`pool ≥ k`), promoters as in
/// [`super::evaluate`] with `cfg`.
///
/// # Errors
/// [`Error::WrongModel`] when the model is not a blend; [`Error::InvalidRequest`]
/// when `k` is 0 or `pool < k`; [`Error::Empty`] when no promoter has a test order.
///
/// # Examples
/// ```
/// use kocrank::{eval, synth, train, Config, ModelKind};
/// let world = synth::generate(synth::Scale::Tiny, 2).unwrap();
/// let split = world.dataset.split(world.suggested_split(), 30 * 86_400).unwrap();
/// let mut config = Config { model: ModelKind::Blend, ..Config::default() };
/// config.blend.trees.count = 10;
/// let model = train(&split.train, &config).unwrap();
/// let h = eval::value_headroom(&model, &split.test, 20, 100, &eval::EvalConfig::default()).unwrap();
/// // The expected-value list is the best the model can pick for expected commission.
/// assert!(h.expected_value >= h.expected_accuracy);
/// println!("{}", h.summary());
/// ```
pub fn value_headroom(
    model: &Model,
    test: &Dataset,
    k: usize,
    pool: usize,
    cfg: &EvalConfig,
) -> Result<Headroom> {
    let Some(blend) = model.blend() else {
        return Err(Error::WrongModel {
            operation: "the value headroom",
            needs: "a blend model",
            found: model.kind().as_str(),
        });
    };
    if k == 0 || pool < k {
        return Err(Error::InvalidRequest {
            field: "k",
            message: format!("the value headroom needs 0 < k <= pool, got k = {k}, pool = {pool}"),
        });
    }
    let ranker = Ranker::new(model.with_gamma(0.0)?);
    let (cases, _) = build_cases(&ranker, test, cfg);
    if cases.is_empty() {
        return Err(Error::Empty(
            "no promoter has a completed order in the test set".into(),
        ));
    }
    let catalog = model.catalog();
    let quality = model.quality();
    let unit_value = |i: u32| {
        let iu = i as usize;
        let price = catalog.price_cents.get(iu).copied().unwrap_or(0) as f64 / 100.0;
        price * f64::from(catalog.commission_rate.get(iu).copied().unwrap_or(0.0))
    };
    let exclude = (!cfg.count_repeats).then_some(ExcludePurchased::Always);
    let per: Vec<(f64, f64, ListMetrics, ListMetrics)> = cases
        .par_iter()
        .map(|c| {
            let mut req = RankRequest::new(c.promoter_id.clone(), pool);
            req.exclude_purchased = exclude;
            let list = ranker.rank(&req)?;
            // The γ = 0 score is ln P̂ − trust: add the trust demotion back.
            let mut scored: Vec<(u32, f64)> = list
                .iter()
                .map(|r| {
                    let trust = blend.trust_penalty(catalog, quality, r.item);
                    (r.item, (f64::from(r.score) + trust).exp())
                })
                .collect();
            let accuracy: Vec<u32> = scored.iter().map(|&(i, _)| i).collect();
            let exp_of = |items: &[(u32, f64)]| -> f64 {
                items.iter().take(k).map(|&(i, p)| p * unit_value(i)).sum()
            };
            let e_acc = exp_of(&scored);
            scored.sort_by(|a, b| (b.1 * unit_value(b.0)).total_cmp(&(a.1 * unit_value(a.0))));
            let e_val = exp_of(&scored);
            let value: Vec<u32> = scored.iter().map(|&(i, _)| i).collect();
            Ok((
                e_acc,
                e_val,
                list_metrics(&accuracy, &c.relevant, k),
                list_metrics(&value, &c.relevant, k),
            ))
        })
        .collect::<Result<_>>()?;
    let n = per.len() as f64;
    let mut h = Headroom {
        k,
        pool,
        promoters: per.len(),
        expected_accuracy: 0.0,
        expected_value: 0.0,
        accuracy: ListMetrics::default(),
        value: ListMetrics::default(),
    };
    for (ea, ev, ma, mv) in &per {
        h.expected_accuracy += ea / n;
        h.expected_value += ev / n;
        h.accuracy.add(ma);
        h.value.add(mv);
    }
    h.accuracy.scale(n);
    h.value.scale(n);
    Ok(h)
}
