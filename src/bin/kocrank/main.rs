//! The `kocrank` command line: generate a synthetic world, train, rank, evaluate.
//!
//! Results go to stdout, progress and logs to stderr. Exit codes: 0 success, 1
//! finished but not clean (rows rejected in lenient mode), 2 error.

mod common;
mod demo;
mod evaluate;
mod explain;
mod generate;
mod rank;
mod train;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Rank catalogue items for each promoter of a social-commerce platform.
#[derive(Debug, Parser)]
#[command(name = "kocrank", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Worker threads (default: all cores).
    #[arg(long, global = true)]
    threads: Option<usize>,
    /// No progress bars or notes on stderr.
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a seeded synthetic promoter world (items, promoters, orders, shares, truth).
    Generate(generate::Args),
    /// Train a model on order data and save it.
    #[command(
        override_usage = "kocrank train (--data <DIR> | --orders <FILE>) --out <FILE> [OPTIONS]\n       kocrank train --explain-config [OPTIONS]"
    )]
    Train(train::Args),
    /// Rank items for promoters with a saved model.
    Rank(rank::Args),
    /// Evaluate models on a temporal split and print their metrics.
    Evaluate(evaluate::Args),
    /// Run the whole path on a synthetic world and print a comparison.
    Demo(demo::Args),
    /// Explain why an item is where it is in a promoter's list.
    Explain(explain::Args),
}

/// What a successful command reports back.
pub enum Outcome {
    /// Everything went through.
    Clean,
    /// Finished, but some input rows were rejected.
    Rejected,
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let ui = common::Ui::new(cli.quiet);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cli.threads.unwrap_or(0))
        .build()?;
    pool.install(|| match cli.command {
        Command::Generate(a) => generate::run(a, &ui),
        Command::Train(a) => train::run(a, &ui),
        Command::Rank(a) => rank::run(a, &ui),
        Command::Evaluate(a) => evaluate::run(a, &ui),
        Command::Demo(a) => demo::run(a, &ui),
        Command::Explain(a) => explain::run(a, &ui),
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Rejected) => ExitCode::from(1),
        Err(e) => {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            eprintln!("kocrank: {}", message(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes joined by `: `, leaving out a cause whose text the message
/// already ends with: `kocrank::Error` shows its underlying OS or config error in its
/// own text and also reports it as its source, which would print it twice.
fn message(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.ends_with(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
