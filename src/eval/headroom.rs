//! How much commission a value-aware ordering can add on this data, by the blend's own
//! estimate and by the test orders (`shared/DOMAIN.md` §2.3a).
//!
//! A sweep over γ ([`super::sweep_gamma`]) shows what the value term buys; this check
//! says how much there was to buy. For each test promoter it takes her accuracy-only
//! list (the blend at γ = 0) down to `pool` items, with the blend's own `P̂(order)` of
//! each (its learner's calibrated probability, read from the blend, not recovered from
//! the list's scores), and compares two top-K lists drawn from that pool:
//!
//! * **accuracy**: the first K of the list;
//! * **expected value**: the K with the largest `P̂ · value`, where `value` is what an
//!   order is worth under the blend's own basis (`blend.value`: commission by default,
//!   or GMV, or the platform's take): the list that maximises the expected sum if `P̂`
//!   is right (ranking by expected value is optimal for a sum over the list).
//!
//! An item of the list outside the blend's candidate pool has no `P̂` (the blend only
//! orders those below the pool) and counts as 0. A promoter the model ranks by the
//! newcomer list is not measured: the blend does not score her.
//!
//! `expected_gain` is what the model itself expects the second list to earn over the
//! first (`Σ P̂ · value`), `realized_gain` what the test orders paid
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
    /// Test promoters not measured: the model ranks them by the newcomer list.
    pub newcomers: usize,
    /// Mean `Σ P̂ · value` of the accuracy list.
    pub expected_accuracy: f64,
    /// Mean `Σ P̂ · value` of the expected-value list.
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
            "value headroom ({} promoters, K = {}, pool {}): the expected-value list (P̂ × value) \
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
/// when `k` is 0 or `pool < k`; [`Error::Empty`] when no promoter has a test order, or
/// every one is ranked by the newcomer list.
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
    let exclude = (!cfg.count_repeats).then_some(ExcludePurchased::Always);
    let per: Vec<Option<(f64, f64, ListMetrics, ListMetrics)>> = cases
        .par_iter()
        .map(|c| {
            let mut req = RankRequest::new(c.promoter_id.clone(), pool);
            req.exclude_purchased = exclude;
            // P̂ of every item, through the same resolution as the list.
            let Some(p_hat) = ranker.order_probabilities(&req)? else {
                return Ok(None);
            };
            let list = ranker.rank(&req)?;
            let mut scored: Vec<(u32, f64)> = list
                .iter()
                .map(|r| {
                    let (i, ix) = (r.item.get(), r.item.index());
                    let p = p_hat.get(ix).copied().flatten().unwrap_or(0.0);
                    (i, p * blend.value(catalog, i))
                })
                .collect();
            let accuracy: Vec<u32> = scored.iter().map(|&(i, _)| i).collect();
            let expected =
                |items: &[(u32, f64)]| -> f64 { items.iter().take(k).map(|x| x.1).sum() };
            let e_acc = expected(&scored);
            // Stable: equal expected values keep the accuracy order.
            scored.sort_by(|a, b| b.1.total_cmp(&a.1));
            let e_val = expected(&scored);
            let value: Vec<u32> = scored.iter().map(|&(i, _)| i).collect();
            Ok(Some((
                e_acc,
                e_val,
                list_metrics(&accuracy, &c.relevant, k),
                list_metrics(&value, &c.relevant, k),
            )))
        })
        .collect::<Result<_>>()?;
    let newcomers = per.iter().filter(|x| x.is_none()).count();
    let per: Vec<_> = per.into_iter().flatten().collect();
    if per.is_empty() {
        return Err(Error::Empty(format!(
            "all {newcomers} test promoters are ranked by the newcomer list, which the blend does not score"
        )));
    }
    let n = per.len() as f64;
    let mut h = Headroom {
        k,
        pool,
        promoters: per.len(),
        newcomers,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{synth, train, Config, ModelKind};

    #[test]
    fn p_hat_is_the_blends_own_inside_its_pool_and_none_outside() {
        let world = synth::generate(synth::Scale::Tiny, 5).unwrap();
        let mut config = Config::with_model(ModelKind::Blend);
        config.blend.trees.count = 10;
        config.blend.candidates_per_component = 20;
        let model = train(&world.dataset, &config).unwrap();
        let model = model.with_gamma(0.0).unwrap();
        let blend = model.blend().unwrap().clone();
        let ranker = Ranker::new(model);
        let m = ranker.model();
        let n = m.catalog().len();
        let p = (0..m.promoters().len() as u32)
            .find(|&p| m.history.items(p).len() >= 3)
            .unwrap();
        let id = m.promoters().ids.name(p).unwrap();
        let req = RankRequest::new(id, n.min(crate::rank::MAX_K));
        let p_hat = ranker.order_probabilities(&req).unwrap().unwrap();
        assert_eq!(p_hat.len(), n);
        let inside = p_hat.iter().filter(|x| x.is_some()).count();
        // The pool: at most 20 per component and her past items; never the catalogue.
        assert!(inside > 0 && inside < n, "{inside} of {n}");
        let scores = ranker.score(&req).unwrap();
        let lowest_inside = (0..n)
            .filter(|&i| p_hat[i].is_some())
            .map(|i| scores[i])
            .fold(f32::INFINITY, f32::min);
        for (i, (p, &s)) in p_hat.iter().zip(&scores).enumerate() {
            match p {
                // At γ = 0 the score is ln P̂ − trust.
                Some(p) => {
                    assert!(*p > 0.0 && *p < 1.0);
                    let trust = blend.trust_penalty(m.catalog(), m.quality(), i as u32);
                    let back = (f64::from(s) + trust).exp();
                    assert!((back - p).abs() <= 1e-4 * p.max(1e-3), "{i}: {back} vs {p}");
                }
                // Outside the pool the blend only orders items below it.
                None => assert!(
                    s <= lowest_inside,
                    "{i}: {s} above the pool's {lowest_inside}"
                ),
            }
        }
        // A newcomer is ranked by the newcomer list: no P̂.
        let newcomer = RankRequest::new("someone-new", 10);
        assert_eq!(ranker.order_probabilities(&newcomer).unwrap(), None);
    }
}
