//! `kocrank explain`: why an item is where it is in a promoter's list.

use crate::common::Ui;
use crate::Outcome;
use kocrank::{model_file, Ranker};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model file written by `kocrank train`.
    #[arg(long)]
    pub model: PathBuf,
    /// The promoter (an unknown one gets the cold-start explanation).
    #[arg(long)]
    pub promoter: String,
    /// The item.
    #[arg(long)]
    pub item: String,
    /// Print one JSON document instead of words.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: Args, _ui: &Ui) -> anyhow::Result<Outcome> {
    let ranker = Ranker::new(model_file::load(&a.model)?);
    let why = ranker.explain(&a.promoter, &a.item)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&why)?);
    } else {
        print!("{why}");
    }
    Ok(Outcome::Clean)
}
