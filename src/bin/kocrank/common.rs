//! Pieces shared by the subcommands: data arguments, split parsing, progress.

use anyhow::bail;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kocrank::data::time::{format_date, parse_duration, parse_ts};
use kocrank::io::{read_dataset, DataFiles, LoadReport, ReadOptions};
use kocrank::Dataset;
use std::path::PathBuf;
use std::time::Duration;

/// Progress and notes on stderr, silent with `--quiet` or off a terminal.
pub struct Ui {
    pub quiet: bool,
}

impl Ui {
    pub fn new(quiet: bool) -> Self {
        Ui { quiet }
    }

    /// A note on stderr.
    pub fn note(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }

    /// A progress bar of `len` steps (hidden when quiet or not on a terminal).
    pub fn bar(&self, len: u64, what: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        pb.set_style(
            ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        pb.set_message(what.to_string());
        pb
    }

    /// A spinner for a step of unknown length.
    pub fn spinner(&self, what: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.set_message(what.to_string());
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    }
}

/// Where the order data comes from.
#[derive(Debug, clap::Args)]
pub struct DataArgs {
    /// A folder holding orders.* and optionally items.*, promoters.*, shares.* (CSV,
    /// Parquet or Arrow IPC), e.g. one written by `kocrank generate`. Required, or
    /// --orders.
    #[arg(long, conflicts_with = "orders")]
    pub data: Option<PathBuf>,
    /// Orders file (promoter_id, item_id, ts, ...). Required, or --data.
    #[arg(long)]
    pub orders: Option<PathBuf>,
    /// Items file.
    #[arg(long, requires = "orders")]
    pub items: Option<PathBuf>,
    /// Promoters file.
    #[arg(long, requires = "orders")]
    pub promoters: Option<PathBuf>,
    /// Shares file.
    #[arg(long, requires = "orders")]
    pub shares: Option<PathBuf>,
    /// Skip bad rows instead of stopping at the first one; the load report counts them.
    #[arg(long)]
    pub lenient: bool,
    /// With --lenient: write every rejected row with its reason to this CSV file.
    #[arg(long, requires = "lenient")]
    pub rejects: Option<PathBuf>,
}

/// What a command reads of the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Every table and column.
    All,
    /// What training uses: not the order, buyer and group ids, and no shares file
    /// unless `shares` (the configuration weighs shares, or `auto` may try them).
    Training {
        /// Whether the shares file is read.
        shares: bool,
    },
}

/// The order columns no model reads.
const UNUSED_BY_MODELS: [&str; 3] = ["order_id", "buyer_id", "group_id"];

impl DataArgs {
    /// Reads the dataset, printing the load report to stderr.
    pub fn load(&self, ui: &Ui, need: Need) -> anyhow::Result<(Dataset, LoadReport)> {
        let mut files = match (&self.data, &self.orders) {
            (Some(dir), _) => DataFiles::from_dir(dir)?,
            (None, Some(orders)) => DataFiles {
                orders: orders.clone(),
                items: self.items.clone(),
                promoters: self.promoters.clone(),
                shares: self.shares.clone(),
            },
            (None, None) => bail!("give the data with --data DIR or --orders FILE"),
        };
        let mut opts = ReadOptions {
            strict: !self.lenient,
            rejects: self.rejects.clone(),
            skip_columns: Vec::new(),
        };
        if let Need::Training { shares } = need {
            if !shares {
                if let Some(shares) = files.shares.take() {
                    ui.note(format!(
                        "not reading {}: the model does not use shares ([events] share = 0, [network] own_shares = 0)",
                        shares.display()
                    ));
                }
            }
            opts = opts.skipping(UNUSED_BY_MODELS);
        }
        let sp = ui.spinner("reading data");
        let loaded = read_dataset(&files, &opts)?;
        sp.finish_and_clear();
        ui.note(format!("loaded {}", loaded.dataset.summary()));
        let report = &loaded.report;
        if report.rejected() > 0 || report.blank_lines() > 0 || !self.lenient {
            ui.note(loaded.report.to_string());
        }
        Ok((loaded.dataset, loaded.report))
    }
}

/// Parses `--split-at`: unix seconds, an ISO date, or `auto` (the last `window` of
/// the data, up to the midnight after its last order, is the test window).
pub fn split_time(text: &str, ds: &Dataset, window: i64) -> anyhow::Result<i64> {
    if text.eq_ignore_ascii_case("auto") {
        return Ok(ds.last_window_start(window)?);
    }
    parse_ts(text).map_err(|m| anyhow::anyhow!("--split-at: {m}"))
}

/// Parses `--window` (e.g. `30d`).
pub fn window(text: &str) -> anyhow::Result<i64> {
    parse_duration(text).map_err(|m| anyhow::anyhow!("--window: {m}"))
}

/// Parses a count of promoters per chunk (`--chunk`), refusing 0 with the range.
pub fn chunk(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("0 is outside 1..; a chunk holds at least one promoter".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!(
            "\"{text}\" is not a whole number of promoters (1..)"
        )),
    }
}

/// A date for messages.
pub fn date(ts: i64) -> String {
    format_date(ts)
}
