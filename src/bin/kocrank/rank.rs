//! `kocrank rank`: a saved model and promoter ids in, ranked lists out.

use crate::common::Ui;
use crate::Outcome;
use anyhow::bail;
use kocrank::io::{read_promoter_ids, write_ranked, RankedList};
use kocrank::{batch, model_file, Ranker};
use std::path::PathBuf;

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
    /// Items per promoter.
    #[arg(long, short, default_value_t = 20)]
    pub k: usize,
    /// Output file: .csv, .parquet or .arrow (columns promoter_id, rank, item_id, score).
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(a: Args, ui: &Ui) -> anyhow::Result<Outcome> {
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
    let lists = batch::rank_many(&ranker, &ids, a.k, |n| bar.set_position(n as u64))?;
    bar.finish_and_clear();
    let mut out = RankedList::default();
    for (id, list) in ids.iter().zip(&lists) {
        for (pos, r) in list.iter().enumerate() {
            out.promoter_id.push(id.clone());
            out.rank.push(pos as u32 + 1);
            out.item_id.push(r.item_id.clone());
            out.score.push(r.score);
        }
    }
    write_ranked(&a.out, &out)?;
    ui.note(format!(
        "wrote {} rows for {} promoters to {}",
        out.rank.len(),
        ids.len(),
        a.out.display()
    ));
    Ok(Outcome::Clean)
}
