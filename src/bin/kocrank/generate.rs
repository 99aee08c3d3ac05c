//! `kocrank generate`: write a seeded synthetic world to files.

use crate::common::Ui;
use crate::Outcome;
use anyhow::Context;
use kocrank::io::write_atomic;
use kocrank::io::{DatasetWriter, Format};
use kocrank::synth::{Generator, Scale, SynthConfig};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// World size: tiny, small or large.
    #[arg(long, default_value = "small")]
    pub scale: String,
    /// Random seed; the same seed writes byte-identical files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// File format.
    #[arg(long, value_enum, default_value_t = FileFormat::Csv)]
    pub format: FileFormat,
    /// Promoters per written chunk, at least 1 (bounds memory for the large world).
    #[arg(long, default_value_t = 20_000, value_parser = crate::common::chunk)]
    pub chunk: usize,
    /// How much an invitee's taste follows a same-channel inviter's, in [0, 1]
    /// (default 0.3: 30% of her taste's prior mean). Recorded in world.json.
    #[arg(long)]
    pub inviter_taste: Option<f64>,
}

/// Table file formats on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FileFormat {
    /// CSV with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC (Feather v2).
    Arrow,
}

pub fn parse_scale(s: &str) -> anyhow::Result<Scale> {
    match s.to_ascii_lowercase().as_str() {
        "tiny" => Ok(Scale::Tiny),
        "small" => Ok(Scale::Small),
        "large" => Ok(Scale::Large),
        other => anyhow::bail!("unknown scale \"{other}\" (expected tiny, small or large)"),
    }
}

pub fn run(a: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let scale = parse_scale(&a.scale)?;
    let format = match a.format {
        FileFormat::Csv => Format::Csv,
        FileFormat::Parquet => Format::Parquet,
        FileFormat::Arrow => Format::Ipc,
    };
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let mut cfg = SynthConfig::for_scale(scale);
    if let Some(x) = a.inviter_taste {
        cfg.inviter_taste = x;
    }
    let gen = Generator::new(&cfg, a.seed)?;
    let mut writer = DatasetWriter::create(&a.out, format, gen.catalog(), gen.promoters())?;
    let n = gen.promoters().len();
    let bar = ui.bar(n as u64, "generating");
    let (mut orders, mut shares, mut done) = (0usize, 0usize, 0usize);
    for chunk in gen.chunks(a.chunk) {
        let (o, s) = chunk?;
        orders += o.len();
        shares += s.len();
        writer.write_orders(&o, &s)?;
        done = (done + a.chunk).min(n);
        bar.set_position(done as u64);
    }
    writer.finish()?;
    bar.finish_and_clear();
    let truth_path = a.out.join("truth.csv");
    write_atomic(&truth_path, |w| {
        gen.truth().write_csv(w, gen.promoters(), gen.catalog())
    })?;
    let meta = serde_json::json!({ "scale": a.scale, "seed": a.seed, "config": cfg });
    write_atomic(&a.out.join("world.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, &meta)
            .map_err(|e| kocrank::Error::io(a.out.join("world.json"), e.into()))
    })?;
    ui.note(format!(
        "wrote {} items, {} promoters, {orders} orders, {shares} shares and the ground truth to {}",
        gen.catalog().len(),
        n,
        a.out.display()
    ));
    Ok(Outcome::Clean)
}
