//! `kocrank rank`: a saved model and promoter ids in, ranked lists out — one file, or
//! a folder of part files for big runs (resumable).

use crate::common::Ui;
use crate::generate::FileFormat;
use crate::Outcome;
use anyhow::bail;
use kocrank::batch::{rank_to_parts, PartsOptions};
use kocrank::io::{read_promoter_ids, write_ranked, Format, RankedList};
use kocrank::{batch, model_file, Ranker};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model file written by `kocrank train`.
    #[arg(long)]
    pub model: PathBuf,
    /// Rank every promoter the model knows.
    #[arg(long, conflicts_with = "promoters")]
    pub all: bool,
    /// A file (CSV or Parquet) with a promoter_id column; unknown promoters get the
    /// cold-start list.
    #[arg(long)]
    pub promoters: Option<PathBuf>,
    /// Items per promoter, 1..=10000 (kocrank::rank::MAX_K).
    #[arg(long, short, default_value_t = 20)]
    pub k: usize,
    /// Output: a file (.csv, .parquet or .arrow; columns promoter_id, rank, item_id,
    /// score), or a folder (no extension, or ending in /) for part files.
    #[arg(long)]
    pub out: PathBuf,
    /// Part files: promoters per part, at least 1 [default: 10000]. Refused with a
    /// file --out, which is written whole.
    #[arg(long, value_parser = crate::common::chunk)]
    pub chunk: Option<usize>,
    /// Part files: format (default parquet). A file --out takes its format from its
    /// extension; a --format that contradicts it is refused.
    #[arg(long, value_enum)]
    pub format: Option<FileFormat>,
    /// Part files: keep the finished parts of an interrupted run and rank the rest.
    /// Refused with a file --out, which has no parts to keep.
    #[arg(long)]
    pub resume: bool,
}

/// Promoters per part file when --chunk is not given.
const DEFAULT_CHUNK: usize = 10_000;

fn is_folder(p: &Path) -> bool {
    p.is_dir() || p.extension().is_none() || p.as_os_str().to_string_lossy().ends_with('/')
}

/// Peak resident memory of this process in MiB (Linux), if known.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The format of the output: `--format` (Parquet by default) for a folder of parts,
/// the extension for a file, which a different `--format` contradicts.
fn output_format(out: &Path, format: Option<FileFormat>) -> anyhow::Result<Format> {
    let given = format.map(|f| match f {
        FileFormat::Csv => Format::Csv,
        FileFormat::Parquet => Format::Parquet,
        FileFormat::Arrow => Format::Ipc,
    });
    if is_folder(out) {
        return Ok(given.unwrap_or(Format::Parquet));
    }
    let by_extension = Format::for_writing(out)?;
    match given {
        Some(f) if f != by_extension => bail!(
            "--format {} contradicts --out {}, whose extension says {}; drop --format, or give an --out ending in .{}",
            f.extension(),
            out.display(),
            by_extension.extension(),
            f.extension()
        ),
        _ => Ok(by_extension),
    }
}

pub fn run(a: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    // Refused before the model is loaded: a contradiction costs nothing to report.
    let format = output_format(&a.out, a.format)?;
    if !is_folder(&a.out) {
        let parts_only: Vec<&str> = [("--resume", a.resume), ("--chunk", a.chunk.is_some())]
            .into_iter()
            .filter_map(|(flag, given)| given.then_some(flag))
            .collect();
        if !parts_only.is_empty() {
            bail!(
                "{} applies to a folder of part files, and --out {} is one file, written whole; drop {}, or give an --out folder (no extension, or ending in /)",
                parts_only.join(" and "),
                a.out.display(),
                parts_only.join(" and ")
            );
        }
    }
    let model = model_file::load(&a.model)?;
    let ids: Vec<String> = match (&a.promoters, a.all) {
        (Some(p), _) => read_promoter_ids(p)?,
        (None, true) => model.promoters().ids.names().map(String::from).collect(),
        (None, false) => bail!("say which promoters to rank: --all or --promoters FILE"),
    };
    let unknown = ids
        .iter()
        .filter(|id| model.promoters().ids.get(id).is_none())
        .count();
    if unknown > 0 {
        ui.note(format!(
            "{unknown} of {} promoters are unknown to the model: they get the cold-start list",
            ids.len()
        ));
    }
    let ranker = Ranker::new(model);
    let bar = ui.bar(ids.len() as u64, "ranking");
    if is_folder(&a.out) {
        let opts = PartsOptions {
            k: a.k,
            chunk: a.chunk.unwrap_or(DEFAULT_CHUNK),
            format,
            resume: a.resume,
        };
        let report = rank_to_parts(&ranker, &ids, &a.out, &opts, |p| {
            bar.set_position(p.promoters_done as u64)
        })?;
        bar.finish_and_clear();
        let rate = report.rows_written as f64 / report.seconds.max(1e-9);
        let mem = peak_rss_mib().map_or_else(String::new, |m| format!(", peak memory {m:.0} MiB"));
        ui.note(format!(
            "ranked {} promoters into {} parts in {} ({} parts, {} rows written now) in {:.1} s, {rate:.0} rows/s{mem}",
            report.promoters,
            report.parts,
            a.out.display(),
            report.parts_written,
            report.rows_written,
            report.seconds
        ));
        return Ok(Outcome::Clean);
    }
    let lists = batch::rank_many(&ranker, &ids, a.k, |n| bar.set_position(n as u64))?;
    bar.finish_and_clear();
    let mut out = RankedList::default();
    for (id, list) in ids.iter().zip(&lists) {
        for (pos, r) in list.iter().enumerate() {
            out.push(id, pos as u32 + 1, &r.item_id, r.score);
        }
    }
    write_ranked(&a.out, &out)?;
    ui.note(format!(
        "wrote {} rows for {} promoters to {}",
        out.len(),
        ids.len(),
        a.out.display()
    ));
    Ok(Outcome::Clean)
}
