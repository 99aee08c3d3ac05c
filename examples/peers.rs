//! Peer comparison with the Python `implicit` package: the same data, the same temporal
//! split, the same hyper-parameters, and one metric code for both sides.
//!
//! Run through `benches/peers/run.sh`, which calls this example twice around
//! `benches/peers/implicit_peer.py`:
//!
//! ```text
//! cargo run --release --example peers -- prepare --data DIR --out WORK
//! python benches/peers/implicit_peer.py --work WORK ...
//! cargo run --release --example peers -- compare --data DIR --work WORK --models ials,profile
//! ```
//!
//! The data comes as a kocrank dataset (`--data DIR`), a plain orders file (`--orders
//! FILE`), MovieLens ratings in RecBole's atomic format (`--movielens FILE.inter`,
//! [`read_movielens_inter`]) or The Complete Journey (`--complete-journey DIR`,
//! [`read_complete_journey`]).
//!
//! `prepare` reads the data (lenient ingest: rows kocrank rejects, such as an empty
//! promoter id or a non-positive quantity, are counted and left out; they are the same
//! rows for both sides because `implicit` reads what this step writes), splits it at
//! `T` (train `ts < T`, test `T ≤ ts < T + window`), and writes into `WORK`:
//!
//! * `train.csv`: `promoter,item,orders`, one row per (promoter, item) pair with its
//!   number of completed training orders `r_ui`, in the dense indices of the training
//!   dataset (which are the model's);
//! * `test_promoters.csv`: `promoter`, the promoters with at least one completed test
//!   order and at least one training order (the ones `implicit` can rank);
//! * `meta.json`: the split and the sizes;
//! * `valid_train.csv` (`promoter,item,orders`) and `valid_truth.csv`
//!   (`promoter,item`): the validation split that `model = "auto"` carves from the
//!   training part ([`kocrank::auto::carve::carve`] with the default settings), on which
//!   `benches/peers/tuned_peer.py` tunes each peer (`benches/peers/tuned.sh`).
//!
//! `batch` times batch ranking against `implicit`'s batched `recommend` with the same
//! factors (see `benches/peers/implicit_batch.py`): it trains an `ials` model on the
//! training split of DATA (or loads `--model FILE`), ranks the top `--k` of the first
//! `--promoters` promoters with orders (all by default) through [`kocrank::batch::rank_many`]
//! with `exclude_purchased = always` (as `filter_already_liked_items=True`), and writes
//! the factors (`batch_items.f32`, `batch_promoters.f32`: little-endian rows), those
//! promoters' past items (`batch_history.csv`), kocrank's lists (`batch_kocrank.csv`)
//! and its time (`batch.json`).
//!
//! `compare` trains each kocrank model named in `--models` (by [`ModelKind::parse`]) on
//! the same split in a local rayon pool of `--threads`, times `train`, ranks every test
//! promoter through the [`Ranker`] (no rule removes an item: `exclude_purchased =
//! never`, `in_stock_only = false`, as `implicit` runs with
//! `filter_already_liked_items=False`, so both may recommend re-orders; `auto` starts
//! from `never` and chooses its exclusion rule on its validation split, as the tuned
//! peers choose whether to filter items already bought), reads
//! `implicit`'s lists and fit times from `WORK` (and the tuned peers' lists, when
//! `tuned_peer.py` wrote them), scores every list with
//! [`list_metrics`] against the promoter's completed test orders, and prints one table.

use kocrank::data::time::{format_date, parse_duration, parse_ts};
use kocrank::data::{Dataset, OrderStatus};
use kocrank::eval::metrics::{list_metrics, ListMetrics, Value};
use kocrank::io::{
    read_complete_journey, read_dataset, read_movielens_inter, DataFiles, ReadOptions,
};
use kocrank::rules::ExcludePurchased;
use kocrank::{train, Config, ModelKind, RankRequest, Ranker};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

type Res<T> = Result<T, Box<dyn Error>>;

/// Command-line flags as `--name value` pairs.
struct Flags(HashMap<String, String>);

impl Flags {
    fn parse(args: &[String]) -> Res<Flags> {
        let mut m = HashMap::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let name = a
                .strip_prefix("--")
                .ok_or_else(|| format!("expected --flag, found \"{a}\""))?;
            let v = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
            m.insert(name.to_string(), v.clone());
        }
        Ok(Flags(m))
    }
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
    fn or<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        self.get(name).unwrap_or(default)
    }
    fn path(&self, name: &str) -> Res<PathBuf> {
        Ok(PathBuf::from(
            self.get(name)
                .ok_or_else(|| format!("--{name} is required"))?,
        ))
    }
    fn num<T: std::str::FromStr>(&self, name: &str, default: T) -> Res<T> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name}: cannot parse \"{v}\"").into()),
        }
    }
}

const USAGE: &str = "usage: peers prepare DATA [--out WORK] [--split-at auto|DATE] [--window 30d]
       peers compare DATA --work WORK [--models ials,profile,popularity]
                     [--label NAME] [--threads 2] [--k 20] [--factors 64] [--regularization 0.01]
                     [--alpha 1.0] [--iterations 15] [--seed 0]
       peers batch (DATA | --model FILE) --work WORK [--promoters N] [--k 100] [--threads 2]
                   [--factors 64] [--regularization 0.01] [--alpha 1.0] [--iterations 15] [--seed 0]
DATA: --data DIR | --orders FILE | --movielens FILE.inter | --complete-journey DIR";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("prepare") => Flags::parse(&args[1..]).and_then(|f| prepare(&f)),
        Some("compare") => Flags::parse(&args[1..]).and_then(|f| compare(&f)),
        Some("batch") => Flags::parse(&args[1..]).and_then(|f| batch(&f)),
        _ => Err(USAGE.into()),
    };
    if let Err(e) = result {
        eprintln!("peers: {e}");
        std::process::exit(2);
    }
}

/// Loads the data (lenient) and splits it as the flags say.
fn load_split(f: &Flags) -> Res<(kocrank::data::Split, i64, i64)> {
    let lenient = ReadOptions::lenient();
    let loaded = match (
        f.get("data"),
        f.get("orders"),
        f.get("movielens"),
        f.get("complete-journey"),
    ) {
        (Some(dir), ..) => read_dataset(&DataFiles::from_dir(Path::new(dir))?, &lenient)?,
        (_, Some(orders), ..) => read_dataset(&DataFiles::orders(orders), &lenient)?,
        (_, _, Some(inter), _) => read_movielens_inter(Path::new(inter), &lenient)?,
        (_, _, _, Some(dir)) => read_complete_journey(Path::new(dir), &lenient)?,
        _ => return Err(
            "give the data with --data DIR, --orders FILE, --movielens FILE.inter or --complete-journey DIR"
                .into(),
        ),
    };
    eprintln!("loaded {}", loaded.dataset.summary());
    if loaded.report.rejected() > 0 {
        eprintln!("{}", loaded.report);
    }
    let ds = loaded.dataset;
    let window = parse_duration(f.or("window", "30d"))?;
    let at = match f.or("split-at", "auto") {
        "auto" => {
            let (_, last) = ds
                .orders()
                .time_range()
                .ok_or("the dataset has no orders")?;
            (last + 1 - window).div_euclid(86_400) * 86_400
        }
        text => parse_ts(text)?,
    };
    Ok((ds.split(at, window)?, at, window))
}

/// Per test promoter (training index): the relevant items (training catalogue index;
/// an item unknown to training gets a key no list holds, so it counts against recall).
fn relevant(split: &kocrank::data::Split) -> BTreeMap<u32, HashMap<u32, Value>> {
    let (tr, te) = (&split.train, &split.test);
    let history = tr.history();
    let mut rel: BTreeMap<u32, HashMap<u32, Value>> = BTreeMap::new();
    let o = &te.orders();
    for r in 0..o.len() {
        if o.status[r] != OrderStatus::Completed {
            continue;
        }
        let pid = te.promoters().ids.name(o.promoter[r]).unwrap_or("");
        let Some(p) = tr.promoters().ids.get(pid) else {
            continue;
        };
        if history.count(p) == 0 {
            continue;
        }
        let iid = te.catalog().ids.name(o.item[r]).unwrap_or("");
        let key = tr.catalog().ids.get(iid).unwrap_or(u32::MAX - o.item[r]);
        rel.entry(p).or_default().entry(key).or_default();
    }
    rel
}

fn prepare(f: &Flags) -> Res<()> {
    let out = f.path("out")?;
    std::fs::create_dir_all(&out)?;
    let (split, at, window) = load_split(f)?;
    let tr: &Dataset = &split.train;
    let h = tr.history();
    let train = pairs_csv(&h);
    let pairs = train.lines().count() - 1;
    std::fs::write(out.join("train.csv"), train)?;
    let rel = relevant(&split);
    let mut tp = String::from("promoter\n");
    for p in rel.keys() {
        writeln!(tp, "{p}")?;
    }
    std::fs::write(out.join("test_promoters.csv"), tp)?;
    let meta = serde_json::json!({
        "split_at": at,
        "split_date": format_date(at),
        "window_seconds": window,
        "n_items": tr.catalog().len(),
        "n_promoters": tr.promoters().len(),
        "train_orders": h.nnz(),
        "train_pairs": pairs,
        "test_promoters": rel.len(),
    });
    std::fs::write(out.join("meta.json"), serde_json::to_string_pretty(&meta)?)?;
    let carved = kocrank::auto::carve::carve(tr, &h, &Config::default().auto);
    std::fs::write(
        out.join("valid_train.csv"),
        pairs_csv(&carved.train.history()),
    )?;
    let vh = carved.valid.history();
    let mut truth = String::from("promoter,item\n");
    for p in 0..vh.n_promoters() as u32 {
        let mut items = vh.items(p).to_vec();
        items.sort_unstable();
        items.dedup();
        for i in items {
            writeln!(truth, "{p},{i}")?;
        }
    }
    std::fs::write(out.join("valid_truth.csv"), truth)?;
    eprintln!("validation split for tuning: {}", carved.description);
    eprintln!(
        "split at {}: {} completed training orders ({pairs} promoter-item pairs), {} test promoters; wrote {}",
        format_date(at),
        h.nnz(),
        rel.len(),
        out.display()
    );
    Ok(())
}

/// `promoter,item,orders` rows of a history: one per (promoter, item) pair.
fn pairs_csv(h: &kocrank::data::History) -> String {
    let mut out = String::from("promoter,item,orders\n");
    for p in 0..h.n_promoters() as u32 {
        let mut items = h.items(p).to_vec();
        items.sort_unstable();
        for run in items.chunk_by(|a, b| a == b) {
            let _ = writeln!(out, "{p},{},{}", run[0], run.len());
        }
    }
    out
}

/// Reads `promoter,rank,item` lists written by the Python side.
fn read_lists(path: &Path) -> Res<HashMap<u32, Vec<u32>>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e} (run implicit_peer.py first)", path.display()))?;
    let mut rows: Vec<(u32, u32, u32)> = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let mut it = line.split(',').map(str::trim);
        let mut next = || -> Res<u32> {
            Ok(it
                .next()
                .ok_or_else(|| format!("{}: row {}: too few columns", path.display(), n + 1))?
                .parse()?)
        };
        rows.push((next()?, next()?, next()?));
    }
    rows.sort_unstable();
    let mut lists: HashMap<u32, Vec<u32>> = HashMap::new();
    for (p, _, i) in rows {
        lists.entry(p).or_default().push(i);
    }
    Ok(lists)
}

struct Row {
    model: String,
    fit_secs: f64,
    metrics: ListMetrics,
}

fn mean_metrics(
    rel: &BTreeMap<u32, HashMap<u32, Value>>,
    list_of: impl Fn(u32) -> Vec<u32>,
    k: usize,
) -> ListMetrics {
    let mut m = ListMetrics::default();
    for (&p, r) in rel {
        m.add(&list_metrics(&list_of(p), r, k));
    }
    m.scale(rel.len() as f64);
    m
}

fn compare(f: &Flags) -> Res<()> {
    let work = f.path("work")?;
    let label = f.or("label", "data").to_string();
    let threads: usize = f.num("threads", 2)?;
    let k: usize = f.num("k", 20)?;
    let models: Vec<ModelKind> = f
        .or("models", "ials,profile,popularity")
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(ModelKind::parse)
        .collect::<Result<_, _>>()?;
    let (split, at, _) = load_split(f)?;
    let rel = relevant(&split);
    eprintln!(
        "split at {}: {} test promoters with training orders",
        format_date(at),
        rel.len()
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;

    let mut rows = Vec::new();
    let times: serde_json::Value = std::fs::read_to_string(work.join("implicit_times.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let tuned: serde_json::Value = std::fs::read_to_string(work.join("tuned.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    for family in ["als", "bm25", "rp3beta", "ease"] {
        let file = work.join(format!("tuned_{family}.csv"));
        let (Some(secs), Ok(lists)) = (tuned[family]["fit_seconds"].as_f64(), read_lists(&file))
        else {
            continue;
        };
        let metrics = mean_metrics(&rel, |p| lists.get(&p).cloned().unwrap_or_default(), k);
        rows.push(Row {
            model: format!("tuned {family}"),
            fit_secs: secs,
            metrics,
        });
    }
    for (name, file) in [
        ("implicit als", "implicit_als.csv"),
        ("implicit bm25", "implicit_bm25.csv"),
        ("implicit cosine", "implicit_cosine.csv"),
    ] {
        let key = name.trim_start_matches("implicit ");
        let (Some(secs), Ok(lists)) = (times[key].as_f64(), read_lists(&work.join(file))) else {
            continue;
        };
        let metrics = mean_metrics(&rel, |p| lists.get(&p).cloned().unwrap_or_default(), k);
        rows.push(Row {
            model: name.to_string(),
            fit_secs: secs,
            metrics,
        });
    }

    for kind in models {
        let mut cfg = config_for(f, kind)?;
        cfg.rules.exclude_purchased = ExcludePurchased::Never;
        cfg.rules.in_stock_only = false;
        let t0 = Instant::now();
        let model = pool.install(|| train(&split.train, &cfg))?;
        let fit_secs = t0.elapsed().as_secs_f64();
        let name = match model.selection() {
            Some(sel) => {
                eprintln!("{sel}");
                format!("kocrank auto:{}", model.kind())
            }
            None => format!("kocrank {}", kind.as_str()),
        };
        let ranker = Ranker::new(model);
        let ids = &split.train.promoters().ids;
        let lists: HashMap<u32, Vec<u32>> = pool.install(|| {
            rel.par_iter()
                .map(|(&p, _)| {
                    let req = RankRequest::new(ids.name(p).unwrap_or(""), k);
                    let list = ranker
                        .rank(&req)?
                        .into_iter()
                        .map(|r| r.item.get())
                        .collect();
                    Ok((p, list))
                })
                .collect::<kocrank::Result<_>>()
        })?;
        let metrics = mean_metrics(&rel, |p| lists.get(&p).cloned().unwrap_or_default(), k);
        rows.push(Row {
            model: name,
            fit_secs,
            metrics,
        });
    }

    let base = rows
        .iter()
        .find(|r| r.model == "implicit als")
        .map(|r| r.fit_secs);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "{:<10} {:<24} {:>8} {:>9} {:>10} {:>11} {:>13}",
        "data",
        "model",
        "fit s",
        format!("NDCG@{k}"),
        format!("Recall@{k}"),
        "fit/als",
        "threads/cores"
    );
    for r in &rows {
        let ratio = base.map_or("-".to_string(), |b| format!("{:.2}", r.fit_secs / b));
        println!(
            "{:<10} {:<24} {:>8.3} {:>9.4} {:>10.4} {:>11} {:>13}",
            label,
            r.model,
            r.fit_secs,
            r.metrics.ndcg,
            r.metrics.recall,
            ratio,
            format!("{threads}/{cores}")
        );
    }
    if let Some(auto) = rows.iter().find(|r| r.model.starts_with("kocrank auto")) {
        for r in rows.iter().filter(|r| r.model.starts_with("tuned ")) {
            println!(
                "{label}: {} / {}: NDCG@{k} ratio {:.3}",
                auto.model,
                r.model,
                auto.metrics.ndcg / r.metrics.ndcg.max(f64::MIN_POSITIVE)
            );
        }
    }
    println!(
        "{} test promoters (with training orders), split {}, cpu: {}",
        rel.len(),
        format_date(at),
        cpu_name()
    );
    Ok(())
}

/// The default configuration of model `kind`, with the iALS settings the flags give.
fn config_for(f: &Flags, kind: ModelKind) -> Res<Config> {
    let mut cfg = Config {
        model: kind,
        ..Config::default()
    };
    cfg.ials.factors = f.num("factors", cfg.ials.factors)?;
    cfg.ials.regularization = f.num("regularization", cfg.ials.regularization)?;
    cfg.ials.alpha = f.num("alpha", cfg.ials.alpha)?;
    cfg.ials.iterations = f.num("iterations", cfg.ials.iterations)?;
    cfg.ials.seed = f.num("seed", cfg.ials.seed)?;
    cfg.auto.budget_seconds = f.num("budget", cfg.auto.budget_seconds)?;
    Ok(cfg)
}

fn batch(f: &Flags) -> Res<()> {
    let work = f.path("work")?;
    std::fs::create_dir_all(&work)?;
    let threads: usize = f.num("threads", 2)?;
    let k: usize = f.num("k", 100)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let mut model = match f.get("model") {
        Some(path) => kocrank::model_file::load(Path::new(path))?,
        None => {
            let (split, _, _) = load_split(f)?;
            let cfg = config_for(f, ModelKind::Ials)?;
            pool.install(|| train(&split.train, &cfg))?
        }
    };
    // As implicit's filter_already_liked_items=True: every past item is left out, and
    // no other rule applies.
    let mut rules = model.config().rules.clone();
    rules.exclude_purchased = ExcludePurchased::Always;
    rules.in_stock_only = false;
    rules.min_quality = 0.0;
    rules.blocked_categories.clear();
    model = model.with_rules(rules)?;
    let ranker = Ranker::new(model);
    let scan = ranker
        .dense_scan()
        .ok_or("batch needs an ials model whose rules only filter")?;
    let m = ranker.model();
    let h = m.history();
    let limit: usize = f.num("promoters", usize::MAX)?;
    let chosen: Vec<u32> = (0..m.promoters().len() as u32)
        .filter(|&p| h.count(p) > 0)
        .take(limit)
        .collect();
    let ids: Vec<String> = chosen
        .iter()
        .map(|&p| m.promoters().ids.name(p).unwrap_or("").to_string())
        .collect();
    let packed = scan.packed();
    eprintln!(
        "ranking top {k} of {} promoters over {} items ({} factors) on {threads} threads",
        ids.len(),
        packed.len(),
        packed.factors()
    );
    drop(scan);
    let t0 = Instant::now();
    let lists = pool.install(|| kocrank::batch::rank_many(&ranker, &ids, k, |_| {}))?;
    let secs = t0.elapsed().as_secs_f64();

    let (items, promoters) = factors_of(m).ok_or("the model has no factors")?;
    let f_n = items.len() / m.catalog().len();
    let mut rows = Vec::with_capacity(chosen.len() * f_n);
    for &p in &chosen {
        rows.extend_from_slice(&promoters[p as usize * f_n..(p as usize + 1) * f_n]);
    }
    let le = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    std::fs::write(work.join("batch_items.f32"), le(items))?;
    std::fs::write(work.join("batch_promoters.f32"), le(&rows))?;
    let mut hist = String::from("row,item\n");
    let mut out = String::from("row,rank,item\n");
    for (row, (&p, list)) in chosen.iter().zip(&lists).enumerate() {
        let mut past = h.items(p).to_vec();
        past.sort_unstable();
        past.dedup();
        for i in past {
            writeln!(hist, "{row},{i}")?;
        }
        for (rank, r) in list.iter().enumerate() {
            writeln!(out, "{row},{rank},{}", r.item)?;
        }
    }
    std::fs::write(work.join("batch_history.csv"), hist)?;
    std::fs::write(work.join("batch_kocrank.csv"), out)?;
    let meta = serde_json::json!({
        "promoters": chosen.len(),
        "items": m.catalog().len(),
        "factors": f_n,
        "k": k,
        "threads": threads,
        "kocrank_seconds": secs,
        "cpu": cpu_name(),
    });
    std::fs::write(
        work.join("batch.json"),
        serde_json::to_string_pretty(&meta)?,
    )?;
    eprintln!(
        "kocrank: {secs:.3} s ({:.0} promoters/s); wrote {}",
        chosen.len() as f64 / secs,
        work.display()
    );
    Ok(())
}

/// The item and promoter factors of an `ials` model.
fn factors_of(m: &kocrank::Model) -> Option<(&[f32], &[f32])> {
    let ials = m.ials()?;
    Some((ials.item_factors(), ials.promoter_factors()))
}

fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
