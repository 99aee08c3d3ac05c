//! Offline evaluation on a temporal split, through the same [`Ranker`] pipeline as
//! serving.
//!
//! For every promoter with a completed order in the test window, her list is ranked
//! with [`Ranker::rank`] and compared with the items her circle ordered
//! ([`metrics`]). Promoters with no training history are kept (cold start) and
//! reported apart. With `count_repeats = false`, items she already bought in training
//! are neither relevant nor rankable, which measures discovery only.

pub mod metrics;

use crate::data::{Dataset, OrderStatus};
use crate::error::{Error, Result};
use crate::rank::{RankRequest, Ranker};
use crate::rules::ExcludePurchased;
use metrics::{list_metrics, ListMetrics, Value};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;

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
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig {
            ks: vec![5, 10, 20],
            count_repeats: true,
            few_orders: 5,
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
    /// Completed test orders.
    pub test_orders: usize,
    /// Mean metrics over all evaluated promoters, one per cut-off.
    pub overall: Vec<ListMetrics>,
    /// Catalogue coverage per cut-off: distinct items shown / catalogue size.
    pub coverage: Vec<f64>,
    /// Per channel, city tier and history segment.
    pub segments: Vec<SegmentMetrics>,
}

struct Case {
    promoter_id: String,
    relevant: HashMap<u32, Value>,
    channel: String,
    tier: String,
    history: &'static str,
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
/// let ranker = Ranker::new(train(&split.train, &Config::default()).unwrap());
/// let report = eval::evaluate(&ranker, &split.test, &eval::EvalConfig::default()).unwrap();
/// assert!(report.overall[2].recall >= 0.0 && report.overall[2].recall <= 1.0);
/// ```
pub fn evaluate(ranker: &Ranker, test: &Dataset, cfg: &EvalConfig) -> Result<EvalReport> {
    let max_k = cfg
        .ks
        .iter()
        .copied()
        .max()
        .ok_or_else(|| Error::Empty("no cut-off K given".into()))?;
    let model = ranker.model();
    let cases = build_cases(ranker, test, cfg);
    if cases.is_empty() {
        return Err(Error::Empty(format!(
            "no promoter has a completed order in the test set ({} orders)",
            test.orders.len()
        )));
    }
    let exclude = (!cfg.count_repeats).then_some(ExcludePurchased::Always);
    let lists: Vec<Vec<u32>> = cases
        .par_iter()
        .map(|c| {
            let mut req = RankRequest::new(c.promoter_id.clone(), max_k);
            req.exclude_purchased = exclude;
            ranker
                .rank(&req)
                .map(|l| l.into_iter().map(|r| r.item).collect())
        })
        .collect::<Result<_>>()?;

    let nk = cfg.ks.len();
    let mut overall = vec![ListMetrics::default(); nk];
    let mut seg: HashMap<(String, String), (usize, Vec<ListMetrics>)> = HashMap::new();
    let mut shown: Vec<HashSet<u32>> = vec![HashSet::new(); nk];
    for (c, list) in cases.iter().zip(&lists) {
        let per_k: Vec<ListMetrics> = cfg
            .ks
            .iter()
            .map(|&k| list_metrics(list, &c.relevant, k))
            .collect();
        for (j, m) in per_k.iter().enumerate() {
            overall[j].add(m);
            shown[j].extend(list.iter().take(cfg.ks[j]));
        }
        for (dim, name) in [
            ("channel", &c.channel),
            ("city_tier", &c.tier),
            ("history", &c.history.to_string()),
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
    let mut segments: Vec<SegmentMetrics> = seg
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
    segments.sort_by(|a, b| (&a.dimension, &a.segment).cmp(&(&b.dimension, &b.segment)));
    let n_items = model.catalog().len().max(1) as f64;
    Ok(EvalReport {
        model: model.kind().as_str().to_string(),
        ks: cfg.ks.clone(),
        promoters: cases.len(),
        cold_promoters: cases.iter().filter(|c| c.history == "no orders").count(),
        test_orders: test
            .orders
            .status
            .iter()
            .filter(|&&s| s == OrderStatus::Completed)
            .count(),
        overall,
        coverage: shown.iter().map(|s| s.len() as f64 / n_items).collect(),
        segments,
    })
}

fn build_cases(ranker: &Ranker, test: &Dataset, cfg: &EvalConfig) -> Vec<Case> {
    let model = ranker.model();
    let o = &test.orders;
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
    for (tp, mut relevant) in rel.into_iter().enumerate() {
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
        cases.push(Case {
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
    cases
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "model {}: {} promoters evaluated ({} cold start), {} test orders",
            self.model, self.promoters, self.cold_promoters, self.test_orders
        )?;
        writeln!(f, "{}", table_header())?;
        for (j, k) in self.ks.iter().enumerate() {
            if let (Some(m), Some(c)) = (self.overall.get(j), self.coverage.get(j)) {
                writeln!(f, "{}", table_row(&self.model, *k, m, Some(*c)))?;
            }
        }
        Ok(())
    }
}

/// Header of the metrics table printed by [`EvalReport`] and the CLI.
pub fn table_header() -> String {
    format!(
        "{:<12} {:>4} {:>8} {:>8} {:>8} {:>8} {:>12} {:>12} {:>9}",
        "model", "K", "recall", "ndcg", "map", "hit", "commission", "gmv", "coverage"
    )
}

/// One row of the metrics table.
pub fn table_row(model: &str, k: usize, m: &ListMetrics, coverage: Option<f64>) -> String {
    let cov = coverage.map_or_else(|| "-".to_string(), |c| format!("{c:.4}"));
    format!(
        "{:<12} {:>4} {:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>12.2} {:>12.2} {:>9}",
        model, k, m.recall, m.ndcg, m.map, m.hit_rate, m.commission, m.gmv, cov
    )
}

/// Trains each configuration on `split.train` and evaluates it on `split.test`: the
/// comparison behind `kocrank evaluate --models a,b,c`.
///
/// # Errors
/// As [`crate::train()`] and [`evaluate`].
pub fn compare(
    split: &crate::data::Split,
    configs: &[crate::Config],
    cfg: &EvalConfig,
) -> Result<Vec<EvalReport>> {
    configs
        .iter()
        .map(|c| {
            let model = crate::train(&split.train, c)?;
            evaluate(&Ranker::new(model), &split.test, cfg)
        })
        .collect()
}

/// The reports side by side: one row per model and cut-off, then NDCG at the largest
/// cut-off per segment (channel, city tier, history) and model.
pub fn comparison_table(reports: &[EvalReport]) -> String {
    let mut out = String::new();
    let Some(first) = reports.first() else {
        return out;
    };
    out.push_str(&format!(
        "{} promoters evaluated ({} cold start), {} test orders\n",
        first.promoters, first.cold_promoters, first.test_orders
    ));
    out.push_str(&table_header());
    out.push('\n');
    for (j, &k) in first.ks.iter().enumerate() {
        for r in reports {
            if let Some(m) = r.overall.get(j) {
                out.push_str(&table_row(&r.model, k, m, r.coverage.get(j).copied()));
                out.push('\n');
            }
        }
    }
    let last = first.ks.len().saturating_sub(1);
    if let Some(k) = first.ks.last() {
        out.push_str(&format!(
            "\nNDCG@{k} by segment\n{:<10} {:<14} {:>9}",
            "dimension", "segment", "promoters"
        ));
        for r in reports {
            out.push_str(&format!(" {:>12}", r.model));
        }
        out.push('\n');
        for s in &first.segments {
            out.push_str(&format!(
                "{:<10} {:<14} {:>9}",
                s.dimension, s.segment, s.promoters
            ));
            for r in reports {
                let v = r
                    .segments
                    .iter()
                    .find(|x| x.dimension == s.dimension && x.segment == s.segment)
                    .and_then(|x| x.metrics.get(last))
                    .map_or(f64::NAN, |m| m.ndcg);
                out.push_str(&format!(" {v:>12.4}"));
            }
            out.push('\n');
        }
    }
    out
}
