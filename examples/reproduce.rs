//! Reproduction of RecBole's published MovieLens-100k figures under RecBole's default
//! protocol; see `datasets/REPRODUCTIONS.md` for the citation, the protocol, the
//! tolerance and the results. Run through `scripts/reproduce.sh`, which fetches
//! `ml-100k.inter` from the `recbole` wheel at run time:
//!
//! ```text
//! cargo run --release --example reproduce -- --inter ml-100k.inter [--seeds 5] [--check]
//! cargo run --release --example reproduce -- --inter ml-100k.inter --work DIR --prepare
//! ```
//!
//! The protocol (RecBole `eval_args`: `group_by: user`, `order: RO`, `split: {RS:
//! [0.8, 0.1, 0.1]}`, `mode: full`; `topk: 10`): each user's ratings, shuffled, are cut
//! 8:1:1 into train, validation and test ([`ratio_split`]); a model trains on the
//! training part; each user with test ratings gets a top-10 over the whole catalogue
//! minus her training and validation items; the list is scored against her test items
//! with Recall, MRR, NDCG, Hit and Precision @10 as RecBole defines them (binary
//! relevance, NDCG's ideal over `min(|test|, 10)` positions), averaged over users.
//! RecBole reports one random split; this runs `--seeds` splits and prints the mean
//! and standard deviation over them.
//!
//! With `--work DIR`, each seed's split is written to `DIR/seed<s>/` (`train.csv`,
//! `valid.csv`: `promoter,item` dense indices; `test_promoters.csv`; `meta.json`), and
//! lists found there from a peer (`peer_<name>.csv`: `promoter,rank,item`, written by
//! `benches/peers/bpr_peer.py`) are scored with the same code. `--prepare` writes the
//! splits and stops.

use kocrank::data::Dataset;
use kocrank::eval::metrics::{list_metrics, Value};
use kocrank::eval::ratio_split;
use kocrank::io::{read_movielens_inter, ReadOptions};
use kocrank::rules::ExcludePurchased;
use kocrank::signals::item_knn::Weighting;
use kocrank::{train, Config, ModelKind, RankRequest, Ranker};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

type Res<T> = Result<T, Box<dyn Error>>;

/// Top-k lists by promoter index.
type Lists = HashMap<u32, Vec<u32>>;

/// RecBole's published test figures for BPR on ml-100k (embedding size 64, RO_RS
/// 8:1:1, full ranking, @10): the quick-start page of RecBole's documentation,
/// `docs/source/get_started/started/general.rst`,
/// <https://recbole.io/docs/get_started/started/general.html>. Order: Recall, MRR,
/// NDCG, Hit, Precision.
const RECBOLE_BPR: [f64; 5] = [0.2523, 0.4855, 0.2920, 0.7953, 0.1962];

/// The data statistics RecBole prints on the same page: users and items (each with
/// RecBole's padding id 0), interactions, mean ratings per user and per item, and
/// sparsity in percent.
const RECBOLE_STATS: (usize, usize, usize, f64, f64, f64) = (
    944,
    1683,
    100_000,
    106.04453870625663,
    59.45303210463734,
    93.70575143257098,
);

/// Relative tolerance of the `--check`: see `datasets/REPRODUCTIONS.md`.
const TOLERANCE: f64 = 0.10;

const METRICS: [&str; 5] = ["Recall@10", "MRR@10", "NDCG@10", "Hit@10", "Precision@10"];

const USAGE: &str = "usage: reproduce --inter FILE [--seeds 5] [--k 10] [--threads 2]
                 [--models popularity,item_knn,ease,ials] [--work DIR [--prepare]] [--check MODEL]";

struct Flags(HashMap<String, String>, HashSet<String>);

impl Flags {
    fn parse(args: &[String]) -> Res<Flags> {
        let (mut m, mut switches) = (HashMap::new(), HashSet::new());
        let mut it = args.iter().peekable();
        while let Some(a) = it.next() {
            let name = a
                .strip_prefix("--")
                .ok_or_else(|| format!("expected --flag, found \"{a}\"\n{USAGE}"))?;
            match it.peek() {
                Some(v) if !v.starts_with("--") => {
                    m.insert(name.to_string(), (*v).clone());
                    it.next();
                }
                _ => {
                    switches.insert(name.to_string());
                }
            }
        }
        Ok(Flags(m, switches))
    }
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match Flags::parse(&args).and_then(|f| run(&f)) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("reproduce: {e}");
            std::process::exit(2);
        }
    }
}

/// The kocrank configuration closest to RecBole's model of the same name.
fn config(kind: ModelKind) -> Config {
    let mut cfg = Config {
        model: kind,
        ..Config::default()
    };
    // RecBole's Pop counts every training interaction once: no decay worth the name.
    cfg.popularity.half_life_days = 36_500.0;
    // RecBole's ItemKNN: cosine on the binary matrix, 100 neighbours, no shrink.
    cfg.item_knn.weighting = Weighting::Cosine;
    cfg.item_knn.neighbours = 100;
    cfg.item_knn.shrink = 0.0;
    cfg.item_knn.half_life_days = 0.0;
    // RecBole's EASE: reg_weight 250.
    cfg.ease.lambda = 250.0;
    // The masks are given per request; nothing else filters.
    cfg.rules.exclude_purchased = ExcludePurchased::Always;
    cfg.rules.in_stock_only = false;
    cfg
}

/// Per-user sums of the five metrics and the number of users.
#[derive(Default, Clone, Copy)]
struct Sums {
    m: [f64; 5],
    users: usize,
}

impl Sums {
    fn mean(&self) -> [f64; 5] {
        self.m.map(|x| x / self.users.max(1) as f64)
    }
}

/// The five RecBole metrics of one list against the test items.
fn score(list: &[u32], relevant: &HashMap<u32, Value>, k: usize) -> [f64; 5] {
    let m = list_metrics(list, relevant, k);
    let hits = list
        .iter()
        .take(k)
        .filter(|i| relevant.contains_key(i))
        .count();
    [m.recall, m.mrr, m.ndcg, m.hit_rate, hits as f64 / k as f64]
}

/// Test items of every user with at least one, and her validation items.
struct Cases {
    relevant: BTreeMap<u32, HashMap<u32, Value>>,
    valid: HashMap<u32, Vec<u32>>,
}

fn cases(test: &Dataset, valid: &Dataset) -> Cases {
    let mut relevant: BTreeMap<u32, HashMap<u32, Value>> = BTreeMap::new();
    for (&p, &i) in test.orders().promoter.iter().zip(&test.orders().item) {
        relevant.entry(p).or_default().entry(i).or_default();
    }
    let mut v: HashMap<u32, Vec<u32>> = HashMap::new();
    for (&p, &i) in valid.orders().promoter.iter().zip(&valid.orders().item) {
        v.entry(p).or_default().push(i);
    }
    Cases { relevant, valid: v }
}

fn run(f: &Flags) -> Res<bool> {
    let inter = PathBuf::from(f.get("inter").ok_or(USAGE)?);
    let seeds: u64 = f.num("seeds", 5)?;
    let k: usize = f.num("k", 10)?;
    let threads: usize = f.num("threads", 2)?;
    let models: Vec<ModelKind> = f
        .get("models")
        .unwrap_or("popularity,item_knn,ease,ials")
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(ModelKind::parse)
        .collect::<Result<_, _>>()?;
    let work = f.get("work").map(PathBuf::from);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;

    let ds = read_movielens_inter(&inter, &ReadOptions::default())?.dataset;
    let ok_stats = print_stats(&ds);

    // model name -> per-seed means; model name -> fit seconds per seed
    let mut results: BTreeMap<String, Vec<[f64; 5]>> = BTreeMap::new();
    let mut fit: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut users = 0;
    for seed in 0..seeds {
        let split = ratio_split(&ds, [0.8, 0.1, 0.1], seed)?;
        let c = cases(&split.test, &split.valid);
        users = c.relevant.len();
        if let Some(w) = &work {
            let dir = w.join(format!("seed{seed}"));
            write_split(&dir, &split.train, &split.valid, &c)?;
            if f.1.contains("prepare") {
                continue;
            }
            for (name, lists) in peer_lists(&dir)? {
                let mut s = Sums::default();
                for (p, rel) in &c.relevant {
                    let list = lists.get(p).map_or(&[][..], Vec::as_slice);
                    let x = score(list, rel, k);
                    s.m.iter_mut().zip(x).for_each(|(a, b)| *a += b);
                    s.users += 1;
                }
                results.entry(name).or_default().push(s.mean());
            }
        }
        for &kind in &models {
            let cfg = config(kind);
            let t0 = Instant::now();
            let model = pool.install(|| train(&split.train, &cfg))?;
            fit.entry(kind.as_str().to_string())
                .or_default()
                .push(t0.elapsed().as_secs_f64());
            let ranker = Ranker::new(model);
            let names = &ds.promoters().ids;
            let items = &ds.catalog().ids;
            let per_user: Vec<[f64; 5]> = pool.install(|| {
                c.relevant
                    .par_iter()
                    .map(|(&p, rel)| {
                        let mut req = RankRequest::new(names.name(p).unwrap_or(""), k);
                        req.exclude = c
                            .valid
                            .get(&p)
                            .map(|v| {
                                v.iter()
                                    .filter_map(|&i| items.name(i).map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default();
                        let list: Vec<u32> = ranker
                            .rank(&req)?
                            .into_iter()
                            .map(|r| r.item.get())
                            .collect();
                        Ok(score(&list, rel, k))
                    })
                    .collect::<kocrank::Result<_>>()
            })?;
            let mut s = Sums::default();
            for x in per_user {
                s.m.iter_mut().zip(x).for_each(|(a, b)| *a += b);
                s.users += 1;
            }
            results
                .entry(format!("kocrank {}", kind.as_str()))
                .or_default()
                .push(s.mean());
        }
        eprintln!("seed {seed}: {} test users", c.relevant.len());
    }
    if f.1.contains("prepare") {
        return Ok(true);
    }

    println!(
        "\nml-100k, RecBole RO_RS 8:1:1 per user, full ranking, @{k}; {users} test users; mean ± sd over {seeds} random splits"
    );
    print!("{:<22}", "model");
    for m in METRICS {
        print!(" {:>16}", m);
    }
    println!(" {:>8}", "fit s");
    print!("{:<22}", "RecBole BPR (publ.)");
    for v in RECBOLE_BPR {
        print!(" {:>16}", format!("{v:.4}"));
    }
    println!(" {:>8}", "-");
    let mut summary: BTreeMap<String, [f64; 5]> = BTreeMap::new();
    for (name, runs) in &results {
        let (mean, sd) = mean_sd(runs);
        print!("{name:<22}");
        for (m, s) in mean.iter().zip(sd) {
            print!(" {:>16}", format!("{m:.4} ±{s:.4}"));
        }
        let secs = fit
            .get(name.trim_start_matches("kocrank "))
            .map(|v| v.iter().sum::<f64>() / v.len().max(1) as f64);
        println!(
            " {:>8}",
            secs.map_or("-".to_string(), |s| format!("{s:.3}"))
        );
        summary.insert(name.clone(), mean);
    }
    println!(
        "cpu: {}, {threads} threads",
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|t| t
                .lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string()))
            .unwrap_or_else(|| "unknown".into())
    );

    let Some(target) = f.get("check") else {
        return Ok(ok_stats);
    };
    let ours = summary
        .get(target)
        .ok_or_else(|| format!("--check {target}: no such row (rows: {:?})", summary.keys()))?;
    let mut ok = ok_stats;
    println!(
        "\ncheck: {target} against RecBole BPR, each metric within ±{:.0}% (relative)",
        TOLERANCE * 100.0
    );
    for ((name, &o), &p) in METRICS.iter().zip(ours).zip(&RECBOLE_BPR) {
        let rel = (o - p) / p;
        let pass = rel.abs() <= TOLERANCE;
        ok &= pass;
        println!(
            "  {name:<13} published {p:.4}  ours {o:.4}  {:+.1}%  {}",
            rel * 100.0,
            if pass { "ok" } else { "OUTSIDE" }
        );
    }
    println!("{}", if ok { "reproduced" } else { "NOT reproduced" });
    Ok(ok)
}

/// Prints RecBole's data statistics next to ours; true when they agree.
fn print_stats(ds: &Dataset) -> bool {
    // RecBole counts a padding id 0 among users and items, but not in the means.
    let (u, i, n) = (ds.promoters().len(), ds.catalog().len(), ds.orders().len());
    let ours = (
        u + 1,
        i + 1,
        n,
        n as f64 / u as f64,
        n as f64 / i as f64,
        100.0 * (1.0 - n as f64 / ((u + 1) as f64 * (i + 1) as f64)),
    );
    let p = RECBOLE_STATS;
    let same = ours.0 == p.0
        && ours.1 == p.1
        && ours.2 == p.2
        && (ours.3 - p.3).abs() < 1e-9
        && (ours.4 - p.4).abs() < 1e-9
        && (ours.5 - p.5).abs() < 1e-9;
    println!("data           users  items  inters  actions/user  actions/item  sparsity %");
    println!(
        "RecBole (publ.) {:>5} {:>6} {:>7} {:>13.4} {:>13.4} {:>11.4}",
        p.0, p.1, p.2, p.3, p.4, p.5
    );
    println!(
        "kocrank adapter {:>5} {:>6} {:>7} {:>13.4} {:>13.4} {:>11.4}  {}",
        ours.0,
        ours.1,
        ours.2,
        ours.3,
        ours.4,
        ours.5,
        if same { "same" } else { "DIFFERENT" }
    );
    same
}

fn mean_sd(runs: &[[f64; 5]]) -> ([f64; 5], [f64; 5]) {
    let n = runs.len().max(1) as f64;
    let mean: [f64; 5] = std::array::from_fn(|j| runs.iter().map(|r| r[j]).sum::<f64>() / n);
    let sd = std::array::from_fn(|j| {
        if runs.len() < 2 {
            0.0
        } else {
            (runs.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        }
    });
    (mean, sd)
}

fn write_split(dir: &Path, train: &Dataset, valid: &Dataset, c: &Cases) -> Res<()> {
    std::fs::create_dir_all(dir)?;
    for (name, d) in [("train.csv", train), ("valid.csv", valid)] {
        let mut s = String::from("promoter,item\n");
        for (p, i) in d.orders().promoter.iter().zip(&d.orders().item) {
            writeln!(s, "{p},{i}")?;
        }
        std::fs::write(dir.join(name), s)?;
    }
    let mut s = String::from("promoter\n");
    for p in c.relevant.keys() {
        writeln!(s, "{p}")?;
    }
    std::fs::write(dir.join("test_promoters.csv"), s)?;
    let meta = serde_json::json!({
        "n_promoters": train.promoters().len(),
        "n_items": train.catalog().len(),
    });
    std::fs::write(dir.join("meta.json"), serde_json::to_string_pretty(&meta)?)?;
    Ok(())
}

/// Lists written by a peer into `dir`: `peer_<name>.csv` with `promoter,rank,item`.
fn peer_lists(dir: &Path) -> Res<Vec<(String, Lists)>> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("peer_"))
            .and_then(|n| n.strip_suffix(".csv"))
        else {
            continue;
        };
        let text = std::fs::read_to_string(&path)?;
        let mut rows: Vec<(u32, u32, u32)> = Vec::new();
        for (n, line) in text.lines().enumerate().skip(1) {
            let v: Vec<u32> = line
                .split(',')
                .map(|x| x.trim().parse::<u32>())
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{}: row {n}: {e}", path.display()))?;
            let [p, r, i] = v[..] else {
                return Err(
                    format!("{}: row {n}: expected promoter,rank,item", path.display()).into(),
                );
            };
            rows.push((p, r, i));
        }
        rows.sort_unstable();
        let mut lists = Lists::new();
        for (p, _, i) in rows {
            lists.entry(p).or_default().push(i);
        }
        out.push((name.replace('_', " "), lists));
    }
    Ok(out)
}
