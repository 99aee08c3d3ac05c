//! The evaluation report: one self-contained HTML file (inline CSS and SVG, no script,
//! no external fetch) with the figures and their intervals, metric@K curves per model,
//! the commission–NDCG trade-off, popularity bias and coverage, segments, paired
//! comparisons and, for rolling origin, the figures window by window.
//!
//! Every text from the data (model names, segment names, notes) is escaped.
//!
//! ```
//! use kocrank::eval::{report::Report, EvalConfig};
//! use kocrank::study::compare;
//! use kocrank::{synth, Config};
//! let world = synth::generate(synth::Scale::Tiny, 5)?;
//! let split = world.dataset.split(world.suggested_split(), 30 * 86_400)?;
//! let cfg = EvalConfig { ks: vec![5, 10], ..EvalConfig::default() };
//! let reports = compare(&split, &[Config::with_model(kocrank::ModelKind::Baseline)], &cfg)?;
//! let html = Report { reports: &reports, ..Report::default() }.html();
//! assert!(html.starts_with("<!DOCTYPE html>") && html.contains("baseline"));
//! # Ok::<(), kocrank::Error>(())
//! ```

use super::metrics::ListMetrics;
use super::svg::{self, escape, BarChart, BarGroup, LineChart, Point, Scatter, Series};
use super::{EvalReport, PairedComparison, ProtocolReport};
use crate::error::Result;
use std::fmt::Write;
use std::path::Path;

/// A labelled point of the commission–NDCG trade-off plot, beside the models' own
/// points (e.g. one per value exponent γ of a sweep).
#[derive(Debug, Clone, PartialEq)]
pub struct TradeoffPoint {
    /// Text beside the point, e.g. `γ=0.5`.
    pub label: String,
    /// Legend entry and colour, e.g. the model name.
    pub series: String,
    /// NDCG@K (x).
    pub ndcg: f64,
    /// Commission@K (y), currency units.
    pub commission: f64,
}

/// What one list earned when the test window was replayed with promoters sharing
/// from it (see [`crate::synth::replay`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayPoint {
    /// The list, e.g. a model name or "her own browsing".
    pub label: String,
    /// Completed orders per promoter (x).
    pub orders: f64,
    /// Commission per promoter, currency units (y).
    pub commission: f64,
}

/// What goes into the report. Only `reports` is needed.
#[derive(Debug, Clone, Default)]
pub struct Report<'a> {
    /// Page title; default "kocrank evaluation".
    pub title: String,
    /// Lines under the title (data, split, command), shown as given (escaped).
    pub notes: Vec<String>,
    /// One report per model, on the same test set.
    pub reports: &'a [EvalReport],
    /// Paired comparisons to list.
    pub paired: &'a [PairedComparison],
    /// The protocol's folds, for rolling origin's per-window plot and spread table.
    pub protocol: Option<&'a ProtocolReport>,
    /// Extra trade-off points (the models' own points are always drawn).
    pub tradeoff: Vec<TradeoffPoint>,
    /// Replayed orders and commission per list (drawn when not empty).
    pub replay: Vec<ReplayPoint>,
}

const HALF: f64 = 570.0;

/// A figure of a report at a cut-off index, and its interval.
type ValueAt = dyn Fn(&EvalReport, usize) -> Option<f64>;
type IntervalAt = dyn Fn(&EvalReport, usize) -> Option<(f64, f64)>;
const FULL: f64 = 1150.0;

const CSS: &str = "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0;background:#f6f6f4;color:#222}\
main{max-width:1160px;margin:0 auto;padding:16px}\
h1{font-size:24px;margin:8px 0}h2{font-size:18px;margin:24px 0 8px;border-bottom:1px solid #ccc}\
p.note{margin:2px 0;color:#555;font-size:13px}\
p.warn{background:#fff3cd;border:1px solid #e0c36c;padding:6px 10px;font-size:14px}\
table{border-collapse:collapse;font-size:13px;background:#fff;margin:6px 0}\
th,td{padding:3px 8px;border-bottom:1px solid #e4e4e4;text-align:right;white-space:nowrap}\
th:first-child,td:first-child{text-align:left}th{background:#eee}\
span.iv{color:#777;font-size:11px}\
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:10px}\
svg{background:#fff;border:1px solid #ddd;display:block}\
svg text{font-family:inherit}svg .title{font-size:14px;font-weight:600}\
svg .tick{font-size:11px;fill:#444}svg .axis{font-size:12px;fill:#222}\
svg .legend{font-size:12px;fill:#222}svg .point{font-size:12px;fill:#222}\
svg .grid{stroke:#e6e6e6}svg .frame{stroke:#888}";

impl Report<'_> {
    /// The whole page.
    pub fn html(&self) -> String {
        let title = if self.title.is_empty() {
            "kocrank evaluation"
        } else {
            &self.title
        };
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{CSS}</style></head><body><main><h1>{t}</h1>",
            t = escape(title)
        );
        for n in &self.notes {
            let _ = write!(out, "<p class=\"note\">{}</p>", escape(n));
        }
        let Some(first) = self.reports.first() else {
            out.push_str("<p>No report.</p></main></body></html>\n");
            return out;
        };
        let _ = write!(
            out,
            "<p class=\"note\">{} promoters evaluated ({} cold start, kept and scored{}), {} test orders.{}</p>",
            first.promoters,
            first.cold_promoters,
            if first.filtered_promoters > 0 {
                format!("; {} left out by filters", first.filtered_promoters)
            } else {
                String::new()
            },
            first.test_orders,
            if first.resamples > 0 {
                format!(
                    " Intervals: {:.0}% percentile bootstrap over promoters, {} resamples.",
                    first.level * 100.0,
                    first.resamples
                )
            } else {
                " No intervals (bootstrap off).".into()
            }
        );
        if let Some(n) = first.sampled_negatives {
            let _ = write!(
                out,
                "<p class=\"warn\">SAMPLED metrics: each promoter's relevant items were ranked among {n} random other items, not the whole catalogue. Sampled figures overstate quality and can reorder models (Krichene &amp; Rendle, KDD 2020).</p>"
            );
        }
        if self.protocol.is_some_and(|p| p.leaky) {
            out.push_str("<p class=\"warn\">Leave-last-out protocol: training holds other promoters' orders from after each test day (leaky relative to global time); kept for comparison with the literature only.</p>");
        }
        self.figures_table(&mut out);
        self.paired_table(&mut out);
        self.selections(&mut out);
        self.charts(&mut out);
        self.segments(&mut out);
        self.rolling(&mut out);
        out.push_str("</main></body></html>\n");
        out
    }

    /// Writes the page to `path` atomically.
    ///
    /// # Errors
    /// [`crate::Error::Io`] naming `path` when it cannot be written.
    pub fn write(&self, path: &Path) -> Result<()> {
        let html = self.html();
        crate::atomic::write_atomic(path, |w| {
            std::io::Write::write_all(w, html.as_bytes()).map_err(|e| crate::Error::io(path, e))
        })
    }

    fn sampled(&self) -> &'static str {
        if self.reports.iter().any(|r| r.sampled_negatives.is_some()) {
            " (sampled)"
        } else {
            ""
        }
    }

    fn figures_table(&self, out: &mut String) {
        const COLS: [(&str, &str, usize); 8] = [
            ("recall", "Recall", 4),
            ("ndcg", "NDCG", 4),
            ("map", "MAP", 4),
            ("mrr", "MRR", 4),
            ("commission", "Commission", 2),
            ("exp_commission", "ExpComm", 2),
            ("rw_ndcg", "RW-NDCG", 4),
            ("gmv", "GMV", 2),
        ];
        let _ = write!(
            out,
            "<h2>Figures{}</h2><table><tr><th>model</th><th>K</th>",
            self.sampled()
        );
        for (_, h, _) in COLS {
            let _ = write!(out, "<th>{h}</th>");
        }
        out.push_str("<th>coverage</th></tr>");
        let ks = self.reports.first().map_or(&[][..], |r| &r.ks[..]);
        for (j, k) in ks.iter().enumerate() {
            for r in self.reports {
                let Some(m) = r.overall.get(j) else { continue };
                let _ = write!(out, "<tr><td>{}</td><td>{k}</td>", escape(&r.model));
                for (name, _, d) in COLS {
                    let v = m.get(name).unwrap_or(f64::NAN);
                    let iv = r.intervals.get(j).and_then(|i| i.get(name));
                    let _ = write!(out, "<td>{v:.d$}");
                    if let Some(iv) = iv {
                        let _ = write!(
                            out,
                            "<br><span class=\"iv\">[{:.d$}, {:.d$}]</span>",
                            iv.lo, iv.hi
                        );
                    }
                    out.push_str("</td>");
                }
                let cov = r.coverage.get(j).copied().unwrap_or(f64::NAN);
                let _ = write!(out, "<td>{cov:.4}</td></tr>");
            }
        }
        out.push_str("</table>");
        // What the lists show, at the largest cut-off.
        let last = ks.len().saturating_sub(1);
        if let Some(k) = ks.last() {
            let _ = write!(
                out,
                "<h2>What the top {k} shows</h2><table><tr><th>model</th><th>novelty (bits)</th><th>popularity percentile</th><th>diversity (leaf categories)</th><th>self-operated share</th><th>mean smoothed rating</th></tr>"
            );
            for r in self.reports {
                let Some(m) = r.overall.get(last) else {
                    continue;
                };
                let _ = write!(out, "<tr><td>{}</td>", escape(&r.model));
                for (name, d) in [
                    ("novelty", 2),
                    ("popularity", 3),
                    ("diversity", 3),
                    ("self_operated", 3),
                    ("quality", 3),
                ] {
                    let v = m.get(name).unwrap_or(f64::NAN);
                    let iv = r.intervals.get(last).and_then(|i| i.get(name));
                    let _ = write!(out, "<td>{v:.d$}");
                    if let Some(iv) = iv {
                        let _ = write!(
                            out,
                            " <span class=\"iv\">[{:.d$}, {:.d$}]</span>",
                            iv.lo, iv.hi
                        );
                    }
                    out.push_str("</td>");
                }
                out.push_str("</tr>");
            }
            out.push_str("</table>");
        }
    }

    /// For each model `auto` chose: the data profile in brief, the validation split,
    /// every trial with its figure, interval and time, the choice and the notes.
    fn selections(&self, out: &mut String) {
        for r in self.reports {
            let Some(sel) = &r.selection else {
                continue;
            };
            let _ = write!(
                out,
                "<h2>What auto tried for {}</h2><p class=\"note\">Validation: {}. Chosen: <b>{}</b> ({}), {:.1} s of a {:.0} s budget.</p>",
                escape(&r.model),
                escape(&sel.validation),
                escape(&sel.chosen_label),
                escape(&sel.reason),
                sel.seconds,
                sel.budget_seconds
            );
            out.push_str("<table><tr><th>trial</th><th>stage</th><th>NDCG@20</th><th>95% interval</th><th>promoters</th><th>seconds</th></tr>");
            for (j, t) in sel.trials.iter().enumerate() {
                let chosen = sel.chosen == Some(j);
                let _ = write!(
                    out,
                    "<tr><td>{}{}</td><td>{}</td><td>{:.4}</td><td>[{:.4}, {:.4}]</td><td>{}</td><td>{:.1}</td></tr>",
                    if chosen { "★ " } else { "" },
                    escape(&t.label()),
                    escape(&t.stage),
                    t.ndcg,
                    t.lo,
                    t.hi,
                    t.promoters,
                    t.seconds
                );
            }
            out.push_str("</table>");
            for n in &sel.notes {
                let _ = write!(out, "<p class=\"note\">{}</p>", escape(n));
            }
        }
    }

    fn paired_table(&self, out: &mut String) {
        if self.paired.is_empty() {
            return;
        }
        out.push_str("<h2>Paired comparisons (same promoters)</h2><table><tr><th>comparison</th><th>metric</th><th>mean difference A − B</th><th>interval</th><th>A better in</th><th>promoters</th></tr>");
        for p in self.paired {
            let d = &p.diff;
            let _ = write!(
                out,
                "<tr><td>{} − {}</td><td>{}@{}</td><td>{:+.4}</td><td>[{:.4}, {:.4}]</td><td>{:.1}% of resamples</td><td>{}</td></tr>",
                escape(&p.a),
                escape(&p.b),
                escape(&p.metric),
                p.k,
                d.mean_diff,
                d.interval.lo,
                d.interval.hi,
                d.a_wins * 100.0,
                d.promoters
            );
        }
        out.push_str("</table>");
    }

    fn curve(&self, name: &str, label: &str) -> String {
        let series = self
            .reports
            .iter()
            .map(|r| Series {
                name: r.model.clone(),
                points: r
                    .ks
                    .iter()
                    .zip(&r.overall)
                    .map(|(&k, m)| (k as f64, m.get(name).unwrap_or(f64::NAN)))
                    .collect(),
                intervals: (0..r.ks.len())
                    .map(|j| {
                        r.intervals
                            .get(j)
                            .and_then(|i| i.get(name))
                            .map(|i| (i.lo, i.hi))
                    })
                    .collect(),
            })
            .collect();
        svg::line_chart(
            &LineChart {
                title: format!("{label}@K{}", self.sampled()),
                x_label: "cut-off K".into(),
                y_label: label.into(),
                series,
            },
            HALF,
        )
    }

    fn charts(&self, out: &mut String) {
        let names: Vec<String> = self.reports.iter().map(|r| r.model.clone()).collect();
        let ks = self.reports.first().map_or(&[][..], |r| &r.ks[..]);
        let last = ks.len().saturating_sub(1);
        let k = ks.last().copied().unwrap_or(0);
        out.push_str("<h2>Accuracy and value by cut-off</h2><div class=\"grid2\">");
        for (name, label) in [
            ("ndcg", "NDCG"),
            ("recall", "Recall"),
            ("commission", "Commission"),
            ("exp_commission", "ExpComm"),
        ] {
            out.push_str(&self.curve(name, label));
        }
        out.push_str("</div>");

        out.push_str("<h2>Trade-offs and bias</h2><div class=\"grid2\">");
        let mut points: Vec<Point> = self
            .reports
            .iter()
            .filter_map(|r| {
                let m = r.overall.get(last)?;
                Some(Point {
                    label: r.model.clone(),
                    series: r.model.clone(),
                    x: m.ndcg,
                    y: m.commission,
                })
            })
            .collect();
        points.extend(self.tradeoff.iter().map(|t| Point {
            label: t.label.clone(),
            series: t.series.clone(),
            x: t.ndcg,
            y: t.commission,
        }));
        out.push_str(&svg::scatter(
            &Scatter {
                title: format!("Commission@{k} against NDCG@{k}"),
                x_label: format!("NDCG@{k}"),
                y_label: format!("Commission@{k} per promoter"),
                points,
            },
            HALF,
        ));
        let per_k = |f: &ValueAt, g: &IntervalAt| {
            ks.iter()
                .enumerate()
                .map(|(j, k)| BarGroup {
                    label: format!("K={k}"),
                    values: self.reports.iter().map(|r| f(r, j)).collect(),
                    intervals: self.reports.iter().map(|r| g(r, j)).collect(),
                })
                .collect::<Vec<_>>()
        };
        if !self.replay.is_empty() {
            out.push_str(&svg::scatter(
                &Scatter {
                    title: format!("If promoters shared from each top {k} (test window replayed)"),
                    x_label: "orders per promoter".into(),
                    y_label: "commission per promoter".into(),
                    points: self
                        .replay
                        .iter()
                        .map(|p| Point {
                            label: p.label.clone(),
                            series: p.label.clone(),
                            x: p.orders,
                            y: p.commission,
                        })
                        .collect(),
                },
                HALF,
            ));
        }
        out.push_str(&svg::bar_chart(&BarChart {
            title: "Popularity bias: mean popularity percentile shown".into(),
            y_label: "popularity percentile (1 = most ordered)".into(),
            series: names.clone(),
            groups: per_k(&|r, j| r.overall.get(j).map(|m| m.popularity), &|r, j| {
                r.intervals
                    .get(j)
                    .and_then(|i| i.get("popularity"))
                    .map(|i| (i.lo, i.hi))
            }),
            width: HALF,
        }));
        out.push_str(&svg::bar_chart(&BarChart {
            title: "Catalogue coverage".into(),
            y_label: "distinct items shown / catalogue".into(),
            series: names.clone(),
            groups: per_k(&|r, j| r.coverage.get(j).copied(), &|_, _| None),
            width: HALF,
        }));
        let beyond = ["diversity", "self_operated", "quality"]
            .iter()
            .map(|&name| BarGroup {
                label: name.replace('_', "-"),
                values: self
                    .reports
                    .iter()
                    .map(|r| r.overall.get(last).and_then(|m| m.get(name)))
                    .collect(),
                intervals: self
                    .reports
                    .iter()
                    .map(|r| {
                        r.intervals
                            .get(last)
                            .and_then(|i| i.get(name))
                            .map(|i| (i.lo, i.hi))
                    })
                    .collect(),
            })
            .collect();
        out.push_str(&svg::bar_chart(&BarChart {
            title: format!("What the top {k} shows"),
            y_label: "share / mean rating".into(),
            series: names,
            groups: beyond,
            width: HALF,
        }));
        out.push_str("</div>");
    }

    fn segments(&self, out: &mut String) {
        let Some(first) = self.reports.first() else {
            return;
        };
        let last = first.ks.len().saturating_sub(1);
        let k = first.ks.last().copied().unwrap_or(0);
        let _ = write!(out, "<h2>NDCG@{k} by segment{}</h2>", self.sampled());
        for (dim, title) in [
            ("channel", "channel"),
            ("city_tier", "city tier"),
            ("history", "training history"),
            ("inviter", "inviter"),
        ] {
            let groups: Vec<BarGroup> = first
                .segments
                .iter()
                .filter(|s| s.dimension == dim)
                .map(|s| BarGroup {
                    label: format!("{} ({})", s.segment, s.promoters),
                    values: self
                        .reports
                        .iter()
                        .map(|r| {
                            r.segments
                                .iter()
                                .find(|x| x.dimension == s.dimension && x.segment == s.segment)
                                .and_then(|x| x.metrics.get(last))
                                .map(|m| m.ndcg)
                        })
                        .collect(),
                    intervals: vec![None; self.reports.len()],
                })
                .collect();
            out.push_str(&svg::bar_chart(&BarChart {
                title: format!("NDCG@{k} by {title} (promoters in brackets)"),
                y_label: format!("NDCG@{k}"),
                series: self.reports.iter().map(|r| r.model.clone()).collect(),
                groups,
                width: FULL,
            }));
        }
    }

    fn rolling(&self, out: &mut String) {
        let Some(p) = self.protocol.filter(|p| p.folds.len() > 1) else {
            return;
        };
        let Some(first) = p.folds.first().and_then(|f| f.reports.first()) else {
            return;
        };
        let last = first.ks.len().saturating_sub(1);
        let k = first.ks.last().copied().unwrap_or(0);
        let _ = write!(
            out,
            "<h2>Rolling origin: {} windows</h2><div class=\"grid2\">",
            p.folds.len()
        );
        for (name, label) in [("ndcg", "NDCG"), ("commission", "Commission")] {
            let series = (0..first_len(p))
                .map(|m| Series {
                    name: p
                        .folds
                        .first()
                        .and_then(|f| f.reports.get(m))
                        .map_or_else(String::new, |r| r.model.clone()),
                    points: p
                        .folds
                        .iter()
                        .enumerate()
                        .map(|(w, f)| {
                            let v = f
                                .reports
                                .get(m)
                                .and_then(|r| r.overall.get(last))
                                .and_then(|x| x.get(name))
                                .unwrap_or(f64::NAN);
                            ((w + 1) as f64, v)
                        })
                        .collect(),
                    intervals: p
                        .folds
                        .iter()
                        .map(|f| {
                            f.reports
                                .get(m)
                                .and_then(|r| r.intervals.get(last))
                                .and_then(|i| i.get(name))
                                .map(|i| (i.lo, i.hi))
                        })
                        .collect(),
                })
                .collect();
            out.push_str(&svg::line_chart(
                &LineChart {
                    title: format!("{label}@{k} per test window"),
                    x_label: "test window (1 = oldest)".into(),
                    y_label: format!("{label}@{k}"),
                    series,
                },
                HALF,
            ));
        }
        out.push_str("</div>");
        let _ = write!(
            out,
            "<table><tr><th>model</th><th>NDCG@{k} mean ± sd over windows</th><th>Recall@{k}</th><th>Commission@{k}</th><th>ExpComm@{k}</th></tr>"
        );
        for (m, (mean, sd)) in p.mean.iter().zip(&p.spread).enumerate() {
            let name = p
                .folds
                .first()
                .and_then(|f| f.reports.get(m))
                .map_or("", |r| r.model.as_str());
            let (Some(mu), Some(s)) = (mean.get(last), sd.get(last)) else {
                continue;
            };
            let cell = |x: &ListMetrics, y: &ListMetrics, n: &str, d: usize| {
                format!(
                    "{:.d$} ± {:.d$}",
                    x.get(n).unwrap_or(f64::NAN),
                    y.get(n).unwrap_or(f64::NAN)
                )
            };
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(name),
                cell(mu, s, "ndcg", 4),
                cell(mu, s, "recall", 4),
                cell(mu, s, "commission", 2),
                cell(mu, s, "exp_commission", 2)
            );
        }
        out.push_str("</table>");
    }
}

fn first_len(p: &ProtocolReport) -> usize {
    p.folds.first().map_or(0, |f| f.reports.len())
}
