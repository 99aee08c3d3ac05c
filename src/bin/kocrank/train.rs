//! `kocrank train`: data in, model file out.

use crate::common::{date, split_time, window, DataArgs, Need, Ui};
use crate::Outcome;
use anyhow::Context;
use kocrank::{model_file, train, Config, ModelKind};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Model: baseline, popularity, profile, ials, item_knn, ease or blend (overrides the
    /// config file).
    #[arg(long)]
    pub model: Option<String>,
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
    /// Where to write the model file.
    #[arg(long, required_unless_present = "explain_config")]
    pub out: Option<PathBuf>,
    /// Print the resolved configuration as TOML and exit.
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
    let cfg = resolve_config(&a.config, &a.model)?;
    if a.explain_config {
        print!("{}", cfg.to_toml_string());
        return Ok(Outcome::Clean);
    }
    let out = a.out.context("--out is required")?;
    let (ds, report) = a.data.load(ui, Need::Training)?;
    let ds = match &a.split_at {
        Some(s) => {
            let at = split_time(s, &ds, window(&a.window)?)?;
            let train_part = ds.orders.filter(|r| ds.orders.ts[r] < at);
            ui.note(format!(
                "training on {} orders before {}",
                train_part.len(),
                date(at)
            ));
            kocrank::Dataset {
                orders: train_part,
                ..ds
            }
        }
        None => ds,
    };
    let sp = ui.spinner(&format!("training {}", cfg.model.as_str()));
    let model = train(&ds, &cfg)?;
    sp.finish_and_clear();
    model_file::save(&model, &out)?;
    ui.note(format!(
        "wrote {} model to {}",
        cfg.model.as_str(),
        out.display()
    ));
    Ok(if report.rejected() > 0 {
        Outcome::Rejected
    } else {
        Outcome::Clean
    })
}
