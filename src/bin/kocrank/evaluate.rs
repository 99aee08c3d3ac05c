//! `kocrank evaluate`: train models on the past, score them on the next window.

use crate::common::{date, split_time, window, DataArgs, Ui};
use crate::train::resolve_config;
use crate::Outcome;
use kocrank::eval::{compare, comparison_table, EvalConfig};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Models to compare, comma-separated.
    #[arg(long, default_value = "baseline,popularity", value_delimiter = ',')]
    pub models: Vec<String>,
    /// A TOML or JSON config file shared by all models.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Split time: unix seconds, ISO date, or `auto` (the last --window is the test set).
    #[arg(long, default_value = "auto")]
    pub split_at: String,
    /// Test window after the split time.
    #[arg(long, default_value = "30d")]
    pub window: String,
    /// Cut-offs, comma-separated.
    #[arg(long, short, default_value = "5,10,20", value_delimiter = ',')]
    pub k: Vec<usize>,
    /// Count only items new to the promoter's circle (no re-orders of training items).
    #[arg(long)]
    pub no_repeats: bool,
    /// Print one JSON document instead of tables.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let (ds, report) = a.data.load(ui)?;
    let win = window(&a.window)?;
    let at = split_time(&a.split_at, &ds, win)?;
    let split = ds.split(at, win)?;
    ui.note(format!(
        "split at {}: {} training orders, {} test orders in the next {}",
        date(at),
        split.train.orders.len(),
        split.test.orders.len(),
        a.window
    ));
    let configs = a
        .models
        .iter()
        .map(|m| resolve_config(&a.config, &Some(m.clone())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let cfg = EvalConfig {
        ks: a.k.clone(),
        count_repeats: !a.no_repeats,
        ..EvalConfig::default()
    };
    let sp = ui.spinner("training and evaluating");
    let reports = compare(&split, &configs, &cfg)?;
    sp.finish_and_clear();
    if a.json {
        let doc = serde_json::json!({
            "split_at": at,
            "window_seconds": win,
            "count_repeats": cfg.count_repeats,
            "reports": reports,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        print!("{}", comparison_table(&reports));
    }
    Ok(if report.rejected() > 0 {
        crate::Outcome::Rejected
    } else {
        Outcome::Clean
    })
}
