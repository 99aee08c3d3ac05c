//! Plain-text tables of evaluation reports, as the CLI prints them.
//!
//! Headline figures carry their bootstrap half-width, `0.1527 ±0.0040`, when the
//! report has intervals; sampled-negative reports say "sampled" in their title.

use super::{EvalReport, MetricIntervals, PairedComparison};
use crate::eval::metrics::ListMetrics;
use std::fmt;

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&comparison_table(std::slice::from_ref(self)))
    }
}

/// A figure with its half-width, `0.1527 ±0.0040`, or the figure alone.
fn with_pm(v: f64, iv: Option<(f64, f64)>, decimals: usize) -> String {
    match iv {
        Some((lo, hi)) => format!("{v:.decimals$} ±{:.decimals$}", (hi - lo) / 2.0),
        None => format!("{v:.decimals$}"),
    }
}

/// Header of the metrics table printed by [`EvalReport`] and the CLI.
pub fn table_header() -> String {
    format!(
        "{:<12} {:>4} {:>15} {:>15} {:>7} {:>7} {:>7} {:>15} {:>15} {:>8} {:>8}",
        "model",
        "K",
        "recall",
        "ndcg",
        "map",
        "hit",
        "mrr",
        "commission",
        "exp_comm",
        "rw_ndcg",
        "coverage"
    )
}

/// One row of the metrics table; `iv` adds the half-width of the headline figures.
pub fn table_row(
    model: &str,
    k: usize,
    m: &ListMetrics,
    iv: Option<&MetricIntervals>,
    coverage: Option<f64>,
) -> String {
    let cov = coverage.map_or_else(|| "-".to_string(), |c| format!("{c:.4}"));
    let pm = |name: &str| iv.and_then(|i| i.get(name)).map(|x| (x.lo, x.hi));
    format!(
        "{:<12} {:>4} {:>15} {:>15} {:>7.4} {:>7.4} {:>7.4} {:>15} {:>15} {:>8.4} {:>8}",
        model,
        k,
        with_pm(m.recall, pm("recall"), 4),
        with_pm(m.ndcg, pm("ndcg"), 4),
        m.map,
        m.hit_rate,
        m.mrr,
        with_pm(m.commission, pm("commission"), 2),
        with_pm(m.exp_commission, pm("exp_commission"), 2),
        m.rw_ndcg,
        cov
    )
}

/// The reports side by side: one row per model and cut-off; what the lists show at the
/// largest cut-off (novelty, popularity, diversity, self-operated share, quality); then
/// NDCG at the largest cut-off per segment (channel, city tier, history) and model.
pub fn comparison_table(reports: &[EvalReport]) -> String {
    let mut out = String::new();
    let Some(first) = reports.first() else {
        return out;
    };
    let sampled = first
        .sampled_negatives
        .map_or_else(String::new, |n| {
            format!("SAMPLED metrics: relevant items ranked among {n} random others (they overstate quality)\n")
        });
    out.push_str(&sampled);
    out.push_str(&format!(
        "{} promoters evaluated ({} cold start{}), {} test orders",
        first.promoters,
        first.cold_promoters,
        if first.filtered_promoters > 0 {
            format!(", {} filtered out", first.filtered_promoters)
        } else {
            String::new()
        },
        first.test_orders
    ));
    if first.resamples > 0 {
        out.push_str(&format!(
            "; ± is half the {:.0}% bootstrap interval over promoters ({} resamples)",
            first.level * 100.0,
            first.resamples
        ));
    }
    out.push('\n');
    out.push_str(&table_header());
    out.push('\n');
    for (j, &k) in first.ks.iter().enumerate() {
        for r in reports {
            if let Some(m) = r.overall.get(j) {
                out.push_str(&table_row(
                    &r.model,
                    k,
                    m,
                    r.intervals.get(j),
                    r.coverage.get(j).copied(),
                ));
                out.push('\n');
            }
        }
    }
    let last = first.ks.len().saturating_sub(1);
    let Some(k) = first.ks.last() else {
        return out;
    };
    out.push_str(&format!(
        "\nwhat the top {k} shows\n{:<12} {:>8} {:>10} {:>9} {:>13} {:>8}\n",
        "model", "novelty", "popularity", "diversity", "self_operated", "quality"
    ));
    for r in reports {
        if let Some(m) = r.overall.get(last) {
            out.push_str(&format!(
                "{:<12} {:>8.2} {:>10.3} {:>9.3} {:>13.3} {:>8.3}\n",
                r.model, m.novelty, m.popularity, m.diversity, m.self_operated, m.quality
            ));
        }
    }
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
    out
}

/// Paired comparisons, one line each:
/// `ndcg@20 profile − popularity: +0.0123 [0.0080, 0.0170], profile better in 100.0% of resamples`.
pub fn paired_table(pairs: &[PairedComparison]) -> String {
    let mut out = String::new();
    for p in pairs {
        let d = &p.diff;
        out.push_str(&format!(
            "{}@{} {} − {}: {:+.4} [{:.4}, {:.4}], {} better in {:.1}% of resamples ({} promoters)\n",
            p.metric,
            p.k,
            p.a,
            p.b,
            d.mean_diff,
            d.interval.lo,
            d.interval.hi,
            p.a,
            d.a_wins * 100.0,
            d.promoters
        ));
    }
    out
}
