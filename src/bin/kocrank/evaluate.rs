//! `kocrank evaluate`: train models on the past, score them on what came after.

use crate::common::{date, split_time, window, DataArgs, Need, Ui};
use crate::train::resolve_config;
use crate::Outcome;
use anyhow::{bail, Context};
use kocrank::eval::report::{ReplayPoint, Report, TradeoffPoint};
use kocrank::eval::{
    comparison_table, paired_comparison, paired_table, sweep_gamma, sweep_table, value_headroom,
    BootstrapConfig, EvalConfig, PairedComparison, Protocol, DEFAULT_GAMMAS,
};
use kocrank::study::evaluate_protocol;
use kocrank::synth::{self, ReplayConfig};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProtocolArg {
    /// One global split in time (leak-free).
    Temporal,
    /// --windows consecutive test windows ending at the data's end.
    Rolling,
    /// Each promoter's last order day (leaky; for comparison with the literature).
    LeaveLastOut,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Models to compare, comma-separated (`auto` searches the others on a validation
    /// split carved from the training part).
    #[arg(long, default_value = "auto,popularity", value_delimiter = ',')]
    pub models: Vec<String>,
    /// A TOML or JSON config file shared by all models.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// How to split the orders into training and test sets.
    #[arg(long, value_enum, default_value = "temporal")]
    pub protocol: ProtocolArg,
    /// Split time (temporal): unix seconds, ISO date, or `auto` (the last --window is
    /// the test set).
    #[arg(long, default_value = "auto")]
    pub split_at: String,
    /// Test window after the split time (temporal, rolling).
    #[arg(long, default_value = "30d")]
    pub window: String,
    /// Number of test windows (rolling).
    #[arg(long, default_value_t = 3)]
    pub windows: usize,
    /// Cut-offs, comma-separated.
    #[arg(long, short, default_value = "5,10,20", value_delimiter = ',')]
    pub k: Vec<usize>,
    /// Count only items new to the promoter's circle (no re-orders of training items).
    #[arg(long)]
    pub no_repeats: bool,
    /// Bootstrap resamples over promoters for the intervals (0 = off).
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// Seed of the bootstrap and of sampled negatives.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Rank relevant items among N sampled others instead of the whole catalogue
    /// (sampled metrics overstate quality; labelled "sampled").
    #[arg(long, value_name = "N")]
    pub sampled: Option<usize>,
    /// Paired comparison of two models on the same promoters, e.g. `profile,popularity`
    /// (NDCG, Recall and Commission at the largest K).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub compare: Vec<String>,
    /// Write a self-contained HTML report with plots to this file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Print one JSON document instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Sweep the blend's value exponent γ (temporal protocol; the blend is trained
    /// once): NDCG@K against Commission@K per γ, printed and drawn in the report.
    /// Without values: 0, 0.1, …, 1.
    #[arg(long, value_delimiter = ',', num_args = 0.., value_name = "G,G,...")]
    pub sweep_gamma: Option<Vec<f64>>,
    /// Replay the test window with every promoter sharing from each model's top K (the
    /// largest --k), by the synthetic world's own funnel: what each ranking would earn
    /// online. Needs the temporal protocol and `--data DIR` written by `kocrank generate
    /// --scale tiny|small` (its world.json). See docs/replay.md.
    #[arg(long)]
    pub replay: bool,
}

/// The world a `kocrank generate` folder was written from, regenerated in memory (it
/// is deterministic), after checking that the folder still holds its data.
fn world_of(dir: &std::path::Path, ds: &kocrank::Dataset) -> anyhow::Result<kocrank::synth::World> {
    #[derive(serde::Deserialize)]
    struct Meta {
        config: kocrank::synth::SynthConfig,
        seed: u64,
    }
    let path = dir.join("world.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "--replay needs the world.json that `kocrank generate` writes; cannot read {}",
            path.display()
        )
    })?;
    let meta: Meta = serde_json::from_str(&text)
        .with_context(|| format!("{} does not parse", path.display()))?;
    let expected = meta.config.promoters as f64 * meta.config.orders_per_promoter;
    if expected > 5e6 {
        bail!(
            "--replay regenerates the world in memory: {} describes about {expected:.0} orders; use a tiny or small world",
            path.display()
        );
    }
    let world = kocrank::synth::generate_with(&meta.config, meta.seed)?;
    if world.dataset.orders().len() != ds.orders().len()
        || world.dataset.catalog().len() != ds.catalog().len()
        || world.dataset.promoters().len() != ds.promoters().len()
    {
        bail!(
            "--replay: the data in {} ({}) is not the world its world.json describes ({})",
            dir.display(),
            ds.summary(),
            world.dataset.summary()
        );
    }
    Ok(world)
}

/// Notes the config sections that no model evaluated reads (one config per model,
/// all from the same file).
fn note_unused_sections(configs: &[kocrank::Config], ui: &Ui) {
    let Some((first, rest)) = configs.split_first() else {
        return;
    };
    for unused in first.unused_sections() {
        let unused_by_all = rest.iter().all(|c| {
            c.unused_sections()
                .iter()
                .any(|u| u.section == unused.section)
        });
        if !unused_by_all {
            continue;
        }
        if rest.is_empty() {
            ui.note(format!("note: {unused}"));
        } else {
            let models: Vec<&str> = configs.iter().map(|c| c.model.as_str()).collect();
            ui.note(format!(
                "note: the [{}] section is set but none of the models evaluated ({}) reads it; it serves model = \"{}\"",
                unused.section,
                models.join(", "),
                unused.serves
            ));
        }
    }
}

pub fn run(a: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let (ds, report) = a.data.load(ui, Need::All)?;
    let win = window(&a.window)?;
    let protocol = match a.protocol {
        ProtocolArg::Temporal => {
            let at = split_time(&a.split_at, &ds, win)?;
            let end = at.saturating_add(win);
            let ts = &ds.orders().ts;
            let train = ts.iter().filter(|&&t| t < at).count();
            let after = ts.iter().filter(|&&t| t >= end).count();
            ui.note(format!(
                "split at {}: {train} orders train, {} test (before {}), {after} after the test window (left out)",
                date(at),
                ts.len() - train - after,
                date(end)
            ));
            Protocol::Temporal { at, window: win }
        }
        ProtocolArg::Rolling => Protocol::Rolling {
            windows: a.windows,
            window: win,
        },
        ProtocolArg::LeaveLastOut => Protocol::LeaveLastOut,
    };
    let configs = a
        .models
        .iter()
        .map(|m| resolve_config(&a.config, &Some(m.clone())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    note_unused_sections(&configs, ui);
    let cfg = EvalConfig {
        ks: a.k.clone(),
        count_repeats: !a.no_repeats,
        bootstrap: BootstrapConfig {
            resamples: a.bootstrap,
            seed: a.seed,
            ..BootstrapConfig::default()
        },
        sampled_negatives: a.sampled,
        seed: a.seed,
        ..EvalConfig::default()
    };
    let pair = match a.compare.as_slice() {
        [] => None,
        [x, y] => {
            let pos = |m: &str| {
                a.models
                    .iter()
                    .position(|n| n == m)
                    .with_context(|| format!("--compare: {m} is not among --models"))
            };
            if a.bootstrap == 0 {
                bail!("--compare needs --bootstrap > 0");
            }
            Some((pos(x)?, pos(y)?))
        }
        _ => bail!("--compare takes two models, e.g. --compare profile,popularity"),
    };
    let sp = ui.spinner("training and evaluating");
    let result = evaluate_protocol(&ds, &protocol, &configs, &cfg)?;
    sp.finish_and_clear();
    for f in &result.folds {
        ui.note(format!(
            "{} fold at {}: test window {:.0} days",
            result.protocol,
            date(f.at),
            f.window as f64 / 86_400.0
        ));
    }
    // The last fold is the most recent: its reports are the ones printed.
    let reports = result
        .folds
        .last()
        .map(|f| f.reports.clone())
        .unwrap_or_default();
    let (sweep, headroom) = match (&a.sweep_gamma, protocol) {
        (None, _) => (Vec::new(), None),
        (Some(gammas), Protocol::Temporal { at, window }) => {
            let gammas = if gammas.is_empty() {
                DEFAULT_GAMMAS.to_vec()
            } else {
                gammas.clone()
            };
            let mut config = resolve_config(&a.config, &Some("blend".into()))?;
            config.model = kocrank::ModelKind::Blend;
            let split = ds.split(at, window)?;
            let sp = ui.spinner("training the blend for the γ sweep");
            let model = kocrank::train(&split.train, &config)?;
            let quick = EvalConfig {
                bootstrap: BootstrapConfig {
                    resamples: 0,
                    ..BootstrapConfig::default()
                },
                ..cfg.clone()
            };
            let points = sweep_gamma(&model, &split.test, &gammas, &quick)?;
            // How much a value-aware list could add at all, by the blend's own P̂.
            let k = cfg.ks.iter().max().copied().unwrap_or(20);
            let headroom = value_headroom(&model, &split.test, k, (5 * k).max(100), &quick)?;
            sp.finish_and_clear();
            (points, Some(headroom))
        }
        (Some(_), _) => bail!("--sweep-gamma needs --protocol temporal"),
    };
    let replay = match (a.replay, protocol) {
        (false, _) => Vec::new(),
        (true, Protocol::Temporal { at, window }) => {
            let dir = a
                .data
                .data
                .as_deref()
                .context("--replay needs --data DIR, a folder written by `kocrank generate`")?;
            let sp = ui.spinner("replaying the test window with each model's lists");
            let world = world_of(dir, &ds)?;
            let split = ds.split(at, window)?;
            let rc = ReplayConfig {
                k: cfg.ks.iter().max().copied().unwrap_or(20),
                ..ReplayConfig::default()
            };
            let mut rows = vec![(
                "her own browsing (logged)".to_string(),
                synth::logged(&world, at, window)?,
            )];
            for (name, config) in a.models.iter().zip(&configs) {
                let ranker = kocrank::Ranker::new(kocrank::train(&split.train, config)?);
                let out = kocrank::study::replay_ranker(&world, at, window, &rc, &ranker)?;
                rows.push((name.clone(), out));
            }
            sp.finish_and_clear();
            rows
        }
        (true, _) => bail!("--replay needs --protocol temporal"),
    };
    let k_last = cfg.ks.len().saturating_sub(1);
    // The accuracy reference: the best model by NDCG at the largest K among the others.
    let reference = reports
        .iter()
        .filter(|r| r.model != "blend")
        .max_by(|x, y| {
            let n = |r: &kocrank::eval::EvalReport| r.overall.get(k_last).map_or(0.0, |m| m.ndcg);
            n(x).total_cmp(&n(y))
        });
    let mut paired: Vec<PairedComparison> = Vec::new();
    if let (Some((i, j)), Some(&k)) = (pair, cfg.ks.iter().max()) {
        if let (Some(ra), Some(rb)) = (reports.get(i), reports.get(j)) {
            for metric in ["ndcg", "recall", "commission"] {
                paired.push(paired_comparison(ra, rb, metric, k, &cfg.bootstrap)?);
            }
        }
    }
    if let Some(path) = &a.report {
        let mut notes = vec![format!("data: {}", ds.summary())];
        notes.push(match protocol {
            Protocol::Temporal { at, window } => format!(
                "protocol: global temporal split at {}, test window {}",
                date(at),
                human_days(window)
            ),
            Protocol::Rolling { windows, window } => format!(
                "protocol: rolling origin, {windows} windows of {} (tables: the most recent window)",
                human_days(window)
            ),
            Protocol::LeaveLastOut => "protocol: leave-last-out per promoter".into(),
        });
        if let Some(h) = &headroom {
            notes.push(h.summary());
        }
        for (name, o) in &replay {
            notes.push(format!(
                "replay, {name}: {:.2} orders, {:.1} GMV, {:.2} commission per promoter ({} promoters, {} shares)",
                o.orders, o.gmv, o.commission, o.promoters, o.shares
            ));
        }
        notes.push(format!(
            "full ranking over the catalogue{}; repeats {}",
            if cfg.sampled_negatives.is_some() {
                " replaced by SAMPLED negatives"
            } else {
                ""
            },
            if cfg.count_repeats {
                "count as hits"
            } else {
                "excluded"
            }
        ));
        Report {
            title: format!("kocrank evaluation: {}", a.models.join(", ")),
            notes,
            reports: &reports,
            paired: &paired,
            protocol: Some(&result),
            tradeoff: sweep
                .iter()
                .filter_map(|p| {
                    let m = p.report.overall.get(k_last)?;
                    Some(TradeoffPoint {
                        label: format!("γ={}", p.gamma),
                        series: "blend γ sweep".into(),
                        ndcg: m.ndcg,
                        commission: m.commission,
                    })
                })
                .collect(),
            // Models first, in the other charts' order (and colours), then the browsing.
            replay: replay
                .iter()
                .skip(1)
                .chain(replay.iter().take(1))
                .map(|(name, o)| ReplayPoint {
                    label: name.clone(),
                    orders: o.orders,
                    commission: o.commission,
                })
                .collect(),
        }
        .write(path)?;
        ui.note(format!("report written to {}", path.display()));
    }
    if a.json {
        let (split_at, window_seconds) = result.folds.last().map_or((0, 0), |f| (f.at, f.window));
        let doc = serde_json::json!({
            "protocol": result.protocol,
            "split_at": split_at,
            "window_seconds": window_seconds,
            "count_repeats": cfg.count_repeats,
            "reports": reports,
            "paired": paired,
            "folds": if result.folds.len() > 1 { serde_json::to_value(&result.folds)? } else { serde_json::Value::Null },
        });
        let mut doc = doc;
        if !sweep.is_empty() {
            // Only with --sweep-gamma, so the document's schema is unchanged without it.
            doc["sweep"] = serde_json::to_value(
                sweep
                    .iter()
                    .map(|p| serde_json::json!({"gamma": p.gamma, "report": p.report}))
                    .collect::<Vec<_>>(),
            )?;
        }
        if !replay.is_empty() {
            doc["replay"] = serde_json::Value::Array(
                replay
                    .iter()
                    .map(|(name, o)| {
                        serde_json::json!({
                            "list": name,
                            "promoters": o.promoters,
                            "shares": o.shares,
                            "orders": o.orders,
                            "units": o.units,
                            "gmv": o.gmv,
                            "commission": o.commission,
                            "unknown_items": o.unknown_items,
                        })
                    })
                    .collect(),
            );
        }
        if let Some(h) = &headroom {
            doc["value_headroom"] = serde_json::json!({
                "k": h.k,
                "pool": h.pool,
                "promoters": h.promoters,
                "newcomers_not_measured": h.newcomers,
                "expected_gain": h.expected_gain(),
                "realized_gain": h.realized_gain(),
                "ndcg_change": h.ndcg_change(),
            });
        }
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        if result.leaky {
            println!("LEAVE-LAST-OUT (leaky relative to global time; for comparison only)");
        }
        if result.folds.len() > 1 {
            println!(
                "rolling origin, {} windows; mean ± sd over windows at K={}:",
                result.folds.len(),
                cfg.ks.iter().max().copied().unwrap_or(0)
            );
            print!("{}", rolling_table(&result));
            println!("\nmost recent window:");
        }
        print!("{}", comparison_table(&reports));
        if !paired.is_empty() {
            println!("\npaired comparison on the same promoters");
            print!("{}", paired_table(&paired));
        }
        if !sweep.is_empty() {
            println!(
                "\nvalue exponent sweep of the blend (Δ against γ = {}):",
                sweep[0].gamma
            );
            print!("{}", sweep_table(&sweep, k_last, reference));
        }
        if let Some(h) = &headroom {
            println!("{}", h.summary());
        }
        if !replay.is_empty() {
            println!(
                "\nreplay of the test window: each promoter shares from her top {} by the world's funnel; per promoter, Δ against her own browsing:",
                cfg.ks.iter().max().copied().unwrap_or(20)
            );
            print!("{}", synth::replay_table(&replay, 0));
        }
    }
    Ok(if report.rejected() > 0 {
        crate::Outcome::Rejected
    } else {
        Outcome::Clean
    })
}

fn human_days(seconds: i64) -> String {
    format!("{} days", seconds / 86_400)
}

fn rolling_table(r: &kocrank::eval::ProtocolReport) -> String {
    let mut out = format!(
        "{:<12} {:>17} {:>17} {:>17} {:>17}\n",
        "model", "recall", "ndcg", "commission", "exp_comm"
    );
    let names = r.folds.first().map(|f| &f.reports[..]).unwrap_or_default();
    for (m, (mean, sd)) in r.mean.iter().zip(&r.spread).enumerate() {
        let (Some(mu), Some(s)) = (mean.last(), sd.last()) else {
            continue;
        };
        out.push_str(&format!(
            "{:<12} {:>17} {:>17} {:>17} {:>17}\n",
            names.get(m).map_or("", |x| x.model.as_str()),
            format!("{:.4} ±{:.4}", mu.recall, s.recall),
            format!("{:.4} ±{:.4}", mu.ndcg, s.ndcg),
            format!("{:.2} ±{:.2}", mu.commission, s.commission),
            format!("{:.2} ±{:.2}", mu.exp_commission, s.exp_commission),
        ));
    }
    out
}
