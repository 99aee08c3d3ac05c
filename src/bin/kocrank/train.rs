//! `kocrank train`: data in, model file out.

use crate::common::{date, split_time, window, DataArgs, Need, Ui};
use crate::Outcome;
use anyhow::Context;
use kocrank::auto::Progress;
use kocrank::{model_file, train, Config, ModelKind};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Model: auto (the default: searches the others on a validation split carved from
    /// the training data and keeps the best), baseline, popularity, profile, buy_again,
    /// ials, item_knn, ease or blend (overrides the config file).
    #[arg(long)]
    pub model: Option<String>,
    /// Time budget of `auto`, e.g. `90s`, `2m` (overrides auto.budget_seconds; default
    /// 2 minutes).
    #[arg(long)]
    pub budget: Option<String>,
    /// Largest number of `auto` trials (0 = as the budget allows). With a count the
    /// search is the same on every machine.
    #[arg(long)]
    pub trials: Option<usize>,
    /// Print what `auto` tried and chose as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// A TOML or JSON config file (see --explain-config for every field).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Train only on orders before this time (unix seconds, ISO date, or `auto` for
    /// all but the last --window).
    #[arg(long)]
    pub split_at: Option<String>,
    /// Test window length used by `--split-at auto`.
    #[arg(long, default_value = "30d")]
    pub window: String,
    /// Where to write the model file. Required (with --data or --orders) unless
    /// --explain-config.
    #[arg(long, required_unless_present = "explain_config")]
    pub out: Option<PathBuf>,
    /// Print the resolved configuration as TOML and exit (needs no data and no --out).
    #[arg(long)]
    pub explain_config: bool,
}

/// The config from `--config` with `--model` applied.
pub fn resolve_config(config: &Option<PathBuf>, model: &Option<String>) -> anyhow::Result<Config> {
    let mut cfg = match config {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    if let Some(m) = model {
        cfg.model = ModelKind::parse(m).map_err(anyhow::Error::msg)?;
    }
    cfg.validate()?;
    Ok(cfg)
}

pub fn run(a: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let mut cfg = resolve_config(&a.config, &a.model)?;
    if let Some(b) = &a.budget {
        cfg.auto.budget_seconds = kocrank::data::time::parse_duration(b)
            .map_err(|m| anyhow::anyhow!("--budget: {m}"))?
            as f64;
    }
    if let Some(n) = a.trials {
        cfg.auto.max_trials = n;
    }
    cfg.validate()?;
    if a.explain_config {
        print!("{}", cfg.to_toml_string());
        return Ok(Outcome::Clean);
    }
    for unused in cfg.unused_sections() {
        ui.note(format!("note: {unused}"));
    }
    let out = a.out.context("--out is required")?;
    // Shares train a model that weighs them, and auto may try them.
    let shares = cfg.events.share != 0.0
        || cfg.network.own_shares > 0
        || cfg.model == kocrank::ModelKind::Auto;
    let (ds, report) = a.data.load(ui, Need::Training { shares })?;
    let ds = match &a.split_at {
        Some(s) => {
            let at = split_time(s, &ds, window(&a.window)?)?;
            // Shares after the split are left out too, as `Dataset::split` does.
            let train_part = ds.before(at);
            ui.note(format!(
                "training on {} orders before {}",
                train_part.orders().len(),
                date(at)
            ));
            train_part
        }
        None => ds,
    };
    let model = if cfg.model == ModelKind::Auto {
        let sp = ui.spinner("auto: profiling the data");
        let model = kocrank::auto::train(&ds, &cfg, &|p| match p {
            Progress::Start {
                profile,
                validation,
            } => {
                sp.suspend(|| {
                    ui.note(format!(
                        "data: {}",
                        profile.to_string().replace('\n', "\n      ")
                    ));
                    ui.note(format!("validation: {validation}"));
                });
                sp.set_message("auto: searching");
            }
            Progress::Trial(t) => {
                sp.suspend(|| {
                    ui.note(format!(
                        "  {:<8} NDCG@20 {:.4} [{:.4}, {:.4}]  {:>6.1} s  {}",
                        t.stage,
                        t.ndcg,
                        t.lo,
                        t.hi,
                        t.seconds,
                        t.label()
                    ))
                });
            }
            Progress::Stage(s) => sp.set_message(format!("auto: {s}")),
            Progress::Sweep { .. } => {}
        })?;
        sp.finish_and_clear();
        if let Some(sel) = model.selection() {
            for n in &sel.notes {
                ui.note(format!("note: {n}"));
            }
            ui.note(format!(
                "chosen: {} ({}); {:.1} s of a {:.0} s budget",
                sel.chosen_label, sel.reason, sel.seconds, sel.budget_seconds
            ));
            if a.json {
                println!("{}", serde_json::to_string_pretty(sel)?);
            }
        }
        model
    } else {
        let sp = ui.spinner(&format!("training {}", cfg.model.as_str()));
        let model = train(&ds, &cfg)?;
        sp.finish_and_clear();
        model
    };
    model_file::save(&model, &out)?;
    ui.note(format!(
        "wrote {} model to {}",
        model.kind().as_str(),
        out.display()
    ));
    Ok(if report.rejected() > 0 {
        Outcome::Rejected
    } else {
        Outcome::Clean
    })
}
