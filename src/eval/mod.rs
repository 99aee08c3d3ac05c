//! Offline evaluation through the same [`Ranker`] pipeline as serving.
//!
//! For every promoter with a completed order in the test set, her list is ranked with
//! [`Ranker::rank`] over the whole catalogue and compared with the items her circle
//! ordered ([`metrics`]). Promoters with no training history are kept (cold start) and
//! counted apart; they are never dropped. With `count_repeats = false`, items she
//! already bought in training are neither relevant nor rankable, which measures
//! discovery only.
//!
//! Every headline figure comes with a bootstrap interval over promoters
//! ([`BootstrapConfig`], [`paired`]), and the per-promoter values are kept in the report so two models
//! compare pairwise on the same promoters ([`paired_comparison`]). The split itself is
//! a [`Protocol`]: global temporal (the default), rolling origin, or leave-last-out.
//!
//! Sampled-negative metrics (rank the relevant items among a few random others) are
//! available on request only and labelled "sampled" wherever printed: they overstate
//! quality and can even reorder models (Krichene & Rendle, KDD 2020;
//! `shared/DOMAIN.md` §5.5).

pub(crate) mod bootstrap;
mod headroom;
pub mod metrics;
pub(crate) mod protocol;
#[cfg(feature = "report")]
pub mod report;
#[cfg(feature = "report")]
mod svg;
pub mod sweep;
mod table;

pub use bootstrap::{mean_intervals, paired, BootstrapConfig, Interval, PairedDiff};
pub use headroom::{value_headroom, Headroom};
pub use protocol::{
    leave_last_out, ratio_split, rolling_splits, Fold, Protocol, ProtocolReport, RatioSplit,
};
pub use sweep::{sweep_gamma, sweep_table, SweepPoint, DEFAULT_GAMMAS};
pub use table::{comparison_table, paired_table, table_header, table_row};

use crate::data::{Dataset, OrderStatus};
use crate::error::{Error, Result};
use crate::rank::{RankRequest, Ranker};
use crate::rules::ExcludePurchased;
use metrics::{list_metrics, ItemStats, ListMetrics, Value, N_METRICS};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

/// Settings of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvalConfig {
    /// Cut-offs. Default `[5, 10, 20]`.
    pub ks: Vec<usize>,
    /// Whether re-orders of items bought in training count as hits. Default true
    /// (consumables are re-bought; the model's `exclude_purchased` rule applies).
    pub count_repeats: bool,
    /// Promoters with fewer training orders than this (but at least one) form the
    /// `few orders` segment. Default 5.
    pub few_orders: usize,
    /// Bootstrap intervals over promoters (`resamples = 0` turns them off).
    pub bootstrap: BootstrapConfig,
    /// Rank each promoter's relevant items among this many random other items instead
    /// of the whole catalogue. Default `None` (full ranking). Sampled figures overstate
    /// quality and are labelled "sampled" wherever printed.
    pub sampled_negatives: Option<usize>,
    /// Seed of the sampled negatives. Default 0.
    pub seed: u64,
    /// Drop test promoters with at least one but fewer than this many training orders
    /// (a k-core-like filter for comparison with the literature). Cold-start promoters
    /// (no training order) are always kept. Default 0 (no filter).
    pub min_promoter_orders: usize,
    /// Relevant items with fewer training orders than this are not counted; promoters
    /// left with no relevant item are dropped. Default 0 (no filter).
    pub min_item_orders: usize,
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig {
            ks: vec![5, 10, 20],
            count_repeats: true,
            few_orders: 5,
            bootstrap: BootstrapConfig::default(),
            sampled_negatives: None,
            seed: 0,
            min_promoter_orders: 0,
            min_item_orders: 0,
        }
    }
}

/// Metrics of one segment of promoters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentMetrics {
    /// `channel`, `city_tier` or `history`.
    pub dimension: String,
    /// The segment's name, e.g. `mother`, `3`, `no orders`.
    pub segment: String,
    /// Promoters evaluated in the segment.
    pub promoters: usize,
    /// Mean metrics, one per cut-off.
    pub metrics: Vec<ListMetrics>,
}

/// Bootstrap interval of every metric at one cut-off: the lower bounds in `lo`, the
/// upper bounds in `hi`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MetricIntervals {
    /// Lower bounds.
    pub lo: ListMetrics,
    /// Upper bounds.
    pub hi: ListMetrics,
}

impl MetricIntervals {
    /// The interval of the metric called `name` (one of [`ListMetrics::NAMES`]).
    pub fn get(&self, name: &str) -> Option<Interval> {
        Some(Interval {
            lo: self.lo.get(name)?,
            hi: self.hi.get(name)?,
        })
    }
}

/// The value of every metric for every evaluated promoter, kept for paired
/// comparisons (not serialized).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PromoterMetrics {
    /// External ids of the evaluated promoters, in row order.
    pub promoter_ids: Vec<String>,
    /// Row-major values: per promoter, per cut-off, the [`ListMetrics::NAMES`] in order.
    pub values: Vec<f64>,
    /// Number of cut-offs.
    pub n_ks: usize,
}

impl PromoterMetrics {
    /// The values of metric `name` at cut-off index `k_index`, one per promoter.
    pub fn column(&self, k_index: usize, name: &str) -> Option<Vec<f64>> {
        let j = ListMetrics::NAMES.iter().position(|&n| n == name)?;
        if k_index >= self.n_ks {
            return None;
        }
        let width = self.n_ks * N_METRICS;
        Some(
            self.values
                .chunks_exact(width)
                .map(|row| row[k_index * N_METRICS + j])
                .collect(),
        )
    }
}

/// The result of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    /// Model name.
    pub model: String,
    /// Cut-offs.
    pub ks: Vec<usize>,
    /// Promoters with at least one relevant item (all evaluated).
    pub promoters: usize,
    /// Of those, promoters with no training order (cold start).
    pub cold_promoters: usize,
    /// Promoters with a relevant test order left out by `min_promoter_orders` or
    /// `min_item_orders`.
    pub filtered_promoters: usize,
    /// Completed test orders.
    pub test_orders: usize,
    /// `Some(n)` when each list ranked the relevant items among `n` sampled others
    /// (sampled metrics, not comparable with full ranking).
    pub sampled_negatives: Option<usize>,
    /// Mean metrics over all evaluated promoters, one per cut-off.
    pub overall: Vec<ListMetrics>,
    /// Bootstrap intervals of `overall`, one per cut-off (empty when off).
    pub intervals: Vec<MetricIntervals>,
    /// Bootstrap resamples behind `intervals` (0 when off).
    pub resamples: usize,
    /// Coverage of `intervals`, e.g. 0.95.
    pub level: f64,
    /// Catalogue coverage per cut-off: distinct items shown / catalogue size.
    pub coverage: Vec<f64>,
    /// Per channel, city tier, history segment and inviter (`not invited`, `inviter
    /// with orders`: her inviter or the inviter's inviter has training orders, `inviter
    /// without orders`).
    pub segments: Vec<SegmentMetrics>,
    /// Per-promoter values behind `overall` (not serialized).
    #[serde(skip)]
    pub per_promoter: PromoterMetrics,
    /// What `auto` tried and chose, for a model it chose (the HTML report shows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection: Option<crate::selection::Selection>,
}

struct Case {
    promoter_id: String,
    relevant: HashMap<u32, Value>,
    channel: String,
    tier: String,
    history: &'static str,
    inviter: &'static str,
}

/// Evaluates `ranker` on the orders of `test` (typically [`crate::data::Split::test`]).
///
/// # Errors
/// [`Error::Empty`] when `ks` is empty or no promoter has a relevant test order;
/// [`Error::InvalidRequest`] when a cut-off is 0 or too large.
///
/// # Examples
/// ```
/// use kocrank::{eval, synth, train, Config, Ranker};
/// let world = synth::generate(synth::Scale::Tiny, 5).unwrap();
/// let split = world.dataset.split(world.suggested_split(), 30 * 86_400).unwrap();
/// let ranker = Ranker::new(train(&split.train, &Config::with_model(kocrank::ModelKind::Baseline)).unwrap());
/// let report = eval::evaluate(&ranker, &split.test, &eval::EvalConfig::default()).unwrap();
/// assert!(report.overall[2].recall >= 0.0 && report.overall[2].recall <= 1.0);
/// let ndcg = report.intervals[2].get("ndcg").unwrap();
/// assert!(ndcg.lo <= report.overall[2].ndcg && report.overall[2].ndcg <= ndcg.hi);
/// ```
pub fn evaluate(ranker: &Ranker, test: &Dataset, cfg: &EvalConfig) -> Result<EvalReport> {
    evaluate_with(ranker, test, cfg, &AtomicBool::new(false))
}

/// [`evaluate`] that stops with [`Error::Cancelled`] soon after `cancel` is set (a
/// caller's Ctrl-C): ranking checks it before each promoter, and the intervals are
/// not resampled once it is set.
///
/// # Errors
/// As [`evaluate`], and [`Error::Cancelled`].
///
/// ```
/// use std::sync::atomic::AtomicBool;
/// use kocrank::{eval, synth, train, Config, Error, ModelKind, Ranker};
/// let world = synth::generate(synth::Scale::Tiny, 5).unwrap();
/// let split = world.dataset.split(world.suggested_split(), 30 * 86_400).unwrap();
/// let ranker = Ranker::new(train(&split.train, &Config::with_model(ModelKind::Baseline)).unwrap());
/// let stop = AtomicBool::new(true);
/// let e = eval::evaluate_with(&ranker, &split.test, &eval::EvalConfig::default(), &stop);
/// assert!(matches!(e, Err(Error::Cancelled(_))));
/// ```
pub fn evaluate_with(
    ranker: &Ranker,
    test: &Dataset,
    cfg: &EvalConfig,
    cancel: &AtomicBool,
) -> Result<EvalReport> {
    let stopped = || {
        if cancel.load(Ordering::Relaxed) {
            Err(Error::Cancelled("evaluation".into()))
        } else {
            Ok(())
        }
    };
    let max_k = cfg
        .ks
        .iter()
        .copied()
        .max()
        .ok_or_else(|| Error::Empty("no cut-off K given".into()))?;
    test.check()?;
    let model = ranker.model();
    let (cases, filtered) = build_cases(ranker, test, cfg);
    if cases.is_empty() {
        return Err(Error::Empty(format!(
            "no promoter has a completed order in the test set ({} orders{})",
            test.orders.len(),
            if filtered > 0 {
                format!(", {filtered} promoters filtered out")
            } else {
                String::new()
            }
        )));
    }
    let catalog = model.catalog();
    let exclude = (!cfg.count_repeats).then_some(ExcludePurchased::Always);
    let lists: Vec<Vec<u32>> = cases
        .par_iter()
        .enumerate()
        .map(|(ci, c)| {
            stopped()?;
            let mut req = RankRequest::new(c.promoter_id.clone(), max_k);
            req.exclude_purchased = exclude;
            if let Some(n) = cfg.sampled_negatives {
                let cands = sampled_candidates(&c.relevant, catalog.len(), n, cfg.seed, ci);
                req.candidates = Some(
                    cands
                        .iter()
                        .filter_map(|&i| catalog.ids.name(i).map(str::to_string))
                        .collect(),
                );
            }
            ranker
                .rank(&req)
                .map(|l| l.into_iter().map(|r| r.item.get()).collect())
        })
        .collect::<Result<_>>()?;

    let stats = item_stats(ranker);
    let nk = cfg.ks.len();
    let width = nk * N_METRICS;
    let mut values = Vec::with_capacity(cases.len() * width);
    let mut overall = vec![ListMetrics::default(); nk];
    let mut seg: BTreeMap<(String, String), (usize, Vec<ListMetrics>)> = BTreeMap::new();
    let mut shown: Vec<HashSet<u32>> = vec![HashSet::new(); nk];
    for (c, list) in cases.iter().zip(&lists) {
        let per_k: Vec<ListMetrics> = cfg
            .ks
            .iter()
            .map(|&k| {
                let mut m = list_metrics(list, &c.relevant, k);
                stats.fill(list, k, &mut m);
                m
            })
            .collect();
        for (j, m) in per_k.iter().enumerate() {
            overall[j].add(m);
            values.extend(m.to_array());
            if let Some(s) = shown.get_mut(j) {
                s.extend(list.iter().take(cfg.ks[j]));
            }
        }
        for (dim, name) in [
            ("channel", &c.channel),
            ("city_tier", &c.tier),
            ("history", &c.history.to_string()),
            ("inviter", &c.inviter.to_string()),
        ] {
            let e = seg
                .entry((dim.to_string(), name.clone()))
                .or_insert_with(|| (0, vec![ListMetrics::default(); nk]));
            e.0 += 1;
            for (acc, m) in e.1.iter_mut().zip(&per_k) {
                acc.add(m);
            }
        }
    }
    let n = cases.len() as f64;
    overall.iter_mut().for_each(|m| m.scale(n));
    stopped()?;
    let flat = bootstrap::mean_intervals(&values, width, &cfg.bootstrap);
    let intervals: Vec<MetricIntervals> = flat
        .chunks_exact(N_METRICS)
        .map(|c| MetricIntervals {
            lo: ListMetrics::from_array(std::array::from_fn(|j| c[j].lo)),
            hi: ListMetrics::from_array(std::array::from_fn(|j| c[j].hi)),
        })
        .collect();
    let segments: Vec<SegmentMetrics> = seg
        .into_iter()
        .map(|((dimension, segment), (count, mut metrics))| {
            metrics.iter_mut().for_each(|m| m.scale(count as f64));
            SegmentMetrics {
                dimension,
                segment,
                promoters: count,
                metrics,
            }
        })
        .collect();
    let n_items = catalog.len().max(1) as f64;
    Ok(EvalReport {
        selection: model.selection().cloned(),
        model: match model.selection() {
            Some(_) => format!("auto:{}", model.kind()),
            None => model.kind().as_str().to_string(),
        },
        ks: cfg.ks.clone(),
        promoters: cases.len(),
        cold_promoters: cases.iter().filter(|c| c.history == "no orders").count(),
        filtered_promoters: filtered,
        test_orders: test
            .orders
            .status
            .iter()
            .filter(|&&s| s == OrderStatus::Completed)
            .count(),
        sampled_negatives: cfg.sampled_negatives,
        overall,
        resamples: if intervals.is_empty() {
            0
        } else {
            cfg.bootstrap.resamples
        },
        level: cfg.bootstrap.level,
        intervals,
        coverage: shown.iter().map(|s| s.len() as f64 / n_items).collect(),
        segments,
        per_promoter: PromoterMetrics {
            promoter_ids: cases.into_iter().map(|c| c.promoter_id).collect(),
            values,
            n_ks: nk,
        },
    })
}

/// Training popularity, categories, sellers and quality of the model's catalogue.
fn item_stats(ranker: &Ranker) -> ItemStats {
    let model = ranker.model();
    let catalog = model.catalog();
    let mut counts = vec![0u64; catalog.len()];
    for &i in &model.history().item {
        if let Some(c) = counts.get_mut(i as usize) {
            *c += 1;
        }
    }
    ItemStats::new(&counts, catalog, &model.quality().posterior)
}

/// The relevant items known to the catalogue plus `n` distinct others drawn uniformly
/// (seeded by `seed` and the case index), in ascending order.
fn sampled_candidates(
    relevant: &HashMap<u32, Value>,
    n_items: usize,
    n: usize,
    seed: u64,
    case: usize,
) -> Vec<u32> {
    let mut out: Vec<u32> = relevant
        .keys()
        .copied()
        .filter(|&i| (i as usize) < n_items)
        .collect();
    let others = n_items.saturating_sub(out.len());
    let want = n.min(others);
    let mut picked: HashSet<u32> = HashSet::new();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(case as u64);
    let mut tries = 0usize;
    while picked.len() < want && tries < 64 * (want + 1) {
        tries += 1;
        let i = ((u128::from(rng.next_u64()) * n_items as u128) >> 64) as u32;
        if !relevant.contains_key(&i) {
            picked.insert(i);
        }
    }
    out.extend(picked);
    out.sort_unstable();
    out
}

/// The cases to evaluate and the number of promoters the filters left out.
fn build_cases(ranker: &Ranker, test: &Dataset, cfg: &EvalConfig) -> (Vec<Case>, usize) {
    let model = ranker.model();
    let o = &test.orders;
    let mut item_orders = vec![0usize; model.catalog().len()];
    for &i in &model.history().item {
        if let Some(c) = item_orders.get_mut(i as usize) {
            *c += 1;
        }
    }
    let mut rel: Vec<HashMap<u32, Value>> = vec![HashMap::new(); test.promoters.len()];
    for r in 0..o.len() {
        if o.status[r] != OrderStatus::Completed {
            continue;
        }
        let ti = o.item[r];
        let id = test.catalog.ids.name(ti).unwrap_or("");
        // An item the model never saw can still be relevant: it counts against recall.
        let key = model.catalog().ids.get(id).unwrap_or(u32::MAX - ti);
        let amount = o.amount_cents[r] as f64 / 100.0;
        let rate = f64::from(
            test.catalog
                .commission_rate
                .get(ti as usize)
                .copied()
                .unwrap_or(0.0),
        );
        if let Some(m) = rel.get_mut(o.promoter[r] as usize) {
            let v = m.entry(key).or_default();
            v.gmv += amount;
            v.commission += amount * rate;
        }
    }
    let mut cases = Vec::new();
    let mut filtered = 0;
    for (tp, mut relevant) in rel.into_iter().enumerate() {
        if relevant.is_empty() {
            continue;
        }
        let pid = test.promoters.ids.name(tp as u32).unwrap_or("");
        let mp = model.promoters().ids.get(pid);
        let history = mp.map_or(&[][..], |p| model.history().items(p));
        if !cfg.count_repeats {
            for i in history {
                relevant.remove(i);
            }
        }
        if relevant.is_empty() {
            continue;
        }
        if !history.is_empty() && history.len() < cfg.min_promoter_orders {
            filtered += 1;
            continue;
        }
        if cfg.min_item_orders > 0 {
            relevant.retain(|&i, _| {
                item_orders.get(i as usize).copied().unwrap_or(0) >= cfg.min_item_orders
            });
            if relevant.is_empty() {
                filtered += 1;
                continue;
            }
        }
        let bucket = match history.len() {
            0 => "no orders",
            n if n < cfg.few_orders => "few orders",
            _ => "regular",
        };
        let (channel, tier) = match mp {
            Some(p) => (
                model.promoters().channel_of(p),
                model.promoters().tier_of(p),
            ),
            None => (
                test.promoters.channel_of(tp as u32),
                test.promoters.tier_of(tp as u32),
            ),
        };
        // Whether her inviter (or the inviter's inviter) has orders the model holds,
        // whom a newcomer is ranked from.
        let invited_by =
            mp.and_then(|p| model.promoters().inviter.get(p as usize).copied().flatten());
        let inviter = match invited_by {
            None => "not invited",
            Some(_)
                if crate::data::network::lender(
                    model.promoters(),
                    model.history(),
                    invited_by,
                    &crate::data::network::NetworkConfig {
                        inviter_orders: 1,
                        ..Default::default()
                    },
                )
                .is_some() =>
            {
                "inviter with orders"
            }
            Some(_) => "inviter without orders",
        };
        cases.push(Case {
            inviter,
            promoter_id: pid.to_string(),
            relevant,
            channel: channel.as_str().to_string(),
            tier: if tier == 0 {
                "unknown".into()
            } else {
                tier.to_string()
            },
            history: bucket,
        });
    }
    (cases, filtered)
}

/// Two models compared on the same promoters, for one metric at one cut-off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedComparison {
    /// Model A.
    pub a: String,
    /// Model B.
    pub b: String,
    /// The metric (one of [`ListMetrics::NAMES`]).
    pub metric: String,
    /// The cut-off.
    pub k: usize,
    /// A − B: mean, interval, share of resamples where A wins.
    pub diff: PairedDiff,
}

/// Compares `a` with `b` on `metric` at cut-off `k`, promoter by promoter, with a
/// paired bootstrap ([`bootstrap::paired`]).
///
/// # Errors
/// [`Error::InvalidRequest`] when the metric or cut-off is unknown, the two reports
/// were not made on the same promoters, or `cfg.resamples` is 0.
pub fn paired_comparison(
    a: &EvalReport,
    b: &EvalReport,
    metric: &str,
    k: usize,
    cfg: &BootstrapConfig,
) -> Result<PairedComparison> {
    let bad = |message: String| Error::InvalidRequest {
        field: "compare",
        message,
    };
    if a.per_promoter.promoter_ids != b.per_promoter.promoter_ids {
        return Err(bad(format!(
            "{} and {} were evaluated on different promoters",
            a.model, b.model
        )));
    }
    let j =
        a.ks.iter()
            .position(|&x| x == k)
            .ok_or_else(|| bad(format!("cut-off {k} is not among {:?}", a.ks)))?;
    let col = |r: &EvalReport| {
        r.per_promoter.column(j, metric).ok_or_else(|| {
            bad(format!(
                "unknown metric \"{metric}\" (expected one of {})",
                ListMetrics::NAMES.join(", ")
            ))
        })
    };
    let diff = bootstrap::paired(&col(a)?, &col(b)?, cfg)
        .ok_or_else(|| bad("a paired comparison needs bootstrap resamples > 0".into()))?;
    Ok(PairedComparison {
        a: a.model.clone(),
        b: b.model.clone(),
        metric: metric.to_string(),
        k,
        diff,
    })
}
