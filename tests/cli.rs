//! The `kocrank` binary end to end: generate, train, rank, evaluate, and its exit codes.

use serde::Deserialize;
use std::path::Path;
use std::process::{Command, Output};

fn kocrank(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kocrank"))
        .args(args)
        .arg("--quiet")
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn generate_is_byte_identical_for_a_seed() {
    let dir = tempfile::tempdir().unwrap();
    for out in ["a", "b"] {
        ok(&kocrank(
            &["generate", "--scale", "tiny", "--seed", "9", "--out", out],
            dir.path(),
        ));
    }
    for f in [
        "items.csv",
        "promoters.csv",
        "orders.csv",
        "shares.csv",
        "truth.csv",
        "world.json",
    ] {
        let a = std::fs::read(dir.path().join("a").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("b").join(f)).unwrap();
        assert!(!a.is_empty(), "{f} is empty");
        assert_eq!(a, b, "{f} differs between two runs with the same seed");
    }
    ok(&kocrank(
        &["generate", "--scale", "tiny", "--seed", "10", "--out", "c"],
        dir.path(),
    ));
    for out in ["pa", "pb"] {
        ok(&kocrank(
            &[
                "generate", "--scale", "tiny", "--seed", "9", "--out", out, "--format", "parquet",
            ],
            dir.path(),
        ));
    }
    assert_eq!(
        std::fs::read(dir.path().join("pa/orders.parquet")).unwrap(),
        std::fs::read(dir.path().join("pb/orders.parquet")).unwrap()
    );
    assert_ne!(
        std::fs::read(dir.path().join("a/orders.csv")).unwrap(),
        std::fs::read(dir.path().join("c/orders.csv")).unwrap()
    );
}

/// README: the same seed gives byte-identical files whatever the chunk size, in every
/// format (Parquet row groups and Arrow batches do not follow the chunks).
#[test]
fn generate_bytes_do_not_depend_on_the_chunk() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["csv", "parquet", "arrow"] {
        let mut outs = Vec::new();
        for chunk in ["7", "20000"] {
            let out = format!("{format}-{chunk}");
            ok(&kocrank(
                &[
                    "generate", "--scale", "tiny", "--seed", "9", "--chunk", chunk, "--format",
                    format, "--out", &out,
                ],
                dir.path(),
            ));
            outs.push(dir.path().join(out));
        }
        let mut names: Vec<_> = std::fs::read_dir(&outs[0])
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names.len(), 6, "{format}: {names:?}");
        for name in &names {
            let a = std::fs::read(outs[0].join(name)).unwrap();
            let b = std::fs::read(outs[1].join(name)).unwrap();
            assert!(!a.is_empty(), "{format}: {name:?} is empty");
            assert!(
                a == b,
                "{format}: {name:?} differs between --chunk 7 and 20000"
            );
        }
    }
}

#[test]
fn train_rank_evaluate_on_a_generated_world() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&kocrank(
        &["generate", "--scale", "tiny", "--seed", "3", "--out", "w"],
        d,
    ));
    ok(&kocrank(
        &[
            "train",
            "--data",
            "w",
            "--split-at",
            "auto",
            "--model",
            "profile",
            "--out",
            "m.kocrank",
        ],
        d,
    ));
    ok(&kocrank(
        &[
            "rank",
            "--model",
            "m.kocrank",
            "--all",
            "--k",
            "7",
            "--out",
            "top.csv",
        ],
        d,
    ));
    let text = std::fs::read_to_string(d.join("top.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("promoter_id,rank,item_id,score"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let promoters: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[0]).collect();
    let n_promoters = std::fs::read_to_string(d.join("w/promoters.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(promoters.len(), n_promoters, "every promoter is ranked");
    assert_eq!(rows.len(), n_promoters * 7);
    assert!(rows
        .iter()
        .all(|r| (1..=7).contains(&r[1].parse::<u32>().unwrap())));

    // A promoter file with one unknown promoter: she gets the cold-start list.
    std::fs::write(
        d.join("who.csv"),
        "promoter_id\nP000001\nnobody-knows-her\n",
    )
    .unwrap();
    ok(&kocrank(
        &[
            "rank",
            "--model",
            "m.kocrank",
            "--promoters",
            "who.csv",
            "--k",
            "3",
            "--out",
            "who.parquet",
        ],
        d,
    ));
    // Read back: P000001's three are the head of her seven in top.csv, and the unknown
    // promoter gets three distinct items too.
    use polars::prelude::{ParquetReader, SerReader};
    let df = ParquetReader::new(std::fs::File::open(d.join("who.parquet")).unwrap())
        .finish()
        .unwrap();
    let col = |name: &str| -> Vec<String> {
        let c = df
            .column(name)
            .unwrap()
            .cast(&polars::prelude::DataType::String);
        let c = c.unwrap();
        let c = c.str().unwrap();
        (0..c.len())
            .map(|i| c.get(i).unwrap().to_string())
            .collect()
    };
    let (who, rank, item) = (col("promoter_id"), col("rank"), col("item_id"));
    assert_eq!(
        who,
        [
            "P000001",
            "P000001",
            "P000001",
            "nobody-knows-her",
            "nobody-knows-her",
            "nobody-knows-her"
        ]
    );
    assert_eq!(rank, ["1", "2", "3", "1", "2", "3"]);
    let head: Vec<&str> = rows
        .iter()
        .filter(|r| r[0] == "P000001")
        .take(3)
        .map(|r| r[2])
        .collect();
    assert_eq!(item[..3], head[..]);
    let cold: std::collections::BTreeSet<&String> = item[3..].iter().collect();
    assert_eq!(cold.len(), 3, "{item:?}");

    let json = ok(&kocrank(
        &[
            "evaluate",
            "--data",
            "w",
            "--models",
            "baseline,popularity,profile",
            "--k",
            "5,20",
            "--bootstrap",
            "200",
            "--compare",
            "profile,popularity",
            "--json",
        ],
        d,
    ));
    let doc: EvalDoc = serde_json::from_str(&json).unwrap();
    assert!(doc.sweep.is_none());
    assert_eq!(doc.reports.len(), 3);
    assert_eq!(doc.protocol, "temporal");
    assert_eq!(doc.paired.len(), 3);
    assert!(doc.folds.is_none());
    for r in &doc.reports {
        assert_eq!(r.ks, vec![5, 20]);
        assert!(r.promoters > 0);
        assert_eq!(r.intervals.len(), 2);
        assert_eq!(r.resamples, 200);
        for (m, iv) in r.overall.iter().zip(&r.intervals) {
            for v in [
                m.recall,
                m.ndcg,
                m.map,
                m.hit_rate,
                m.mrr,
                m.rw_ndcg,
                m.diversity,
            ] {
                assert!((0.0..=1.0).contains(&v), "{v}");
            }
            assert!(iv.lo.ndcg <= m.ndcg && m.ndcg <= iv.hi.ndcg);
        }
    }
    for p in &doc.paired {
        assert_eq!(
            (p.a.as_str(), p.b.as_str(), p.k),
            ("profile", "popularity", 20)
        );
        assert!(p.diff.interval.lo <= p.diff.mean_diff && p.diff.mean_diff <= p.diff.interval.hi);
    }
    let rolling: EvalDoc = serde_json::from_str(&ok(&kocrank(
        &[
            "evaluate",
            "--data",
            "w",
            "--models",
            "popularity",
            "--protocol",
            "rolling",
            "--windows",
            "2",
            "--window",
            "14d",
            "--k",
            "10",
            "--bootstrap",
            "0",
            "--json",
        ],
        d,
    )))
    .unwrap();
    assert_eq!(rolling.folds.as_ref().map(Vec::len), Some(2));
    assert!(rolling.reports[0].intervals.is_empty());
    let table = ok(&kocrank(&["evaluate", "--data", "w"], d));
    assert!(table.contains("NDCG@20 by segment"), "{table}");
}

/// The JSON schema of `kocrank evaluate --json`, pinned: an unknown field fails.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct EvalDoc {
    protocol: String,
    split_at: i64,
    window_seconds: i64,
    count_repeats: bool,
    reports: Vec<ReportDoc>,
    paired: Vec<PairedDoc>,
    folds: Option<Vec<FoldDoc>>,
    /// Only with `--sweep-gamma`.
    #[serde(default)]
    sweep: Option<Vec<SweepDoc>>,
    /// Only with `--sweep-gamma`.
    #[serde(default)]
    value_headroom: Option<HeadroomDoc>,
    /// Only with `--replay`.
    #[serde(default)]
    replay: Option<Vec<ReplayDoc>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ReplayDoc {
    list: String,
    promoters: usize,
    shares: usize,
    orders: f64,
    units: f64,
    gmv: f64,
    commission: f64,
    unknown_items: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct HeadroomDoc {
    k: usize,
    pool: usize,
    promoters: usize,
    newcomers_not_measured: usize,
    expected_gain: f64,
    realized_gain: f64,
    ndcg_change: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct SweepDoc {
    gamma: f64,
    report: ReportDoc,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct FoldDoc {
    at: i64,
    window: i64,
    reports: Vec<ReportDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PairedDoc {
    a: String,
    b: String,
    metric: String,
    k: usize,
    diff: DiffDoc,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct DiffDoc {
    mean_diff: f64,
    interval: IntervalDoc,
    a_wins: f64,
    promoters: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct IntervalDoc {
    lo: f64,
    hi: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct IntervalsDoc {
    lo: MetricsDoc,
    hi: MetricsDoc,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ReportDoc {
    model: String,
    ks: Vec<usize>,
    promoters: usize,
    cold_promoters: usize,
    filtered_promoters: usize,
    test_orders: usize,
    sampled_negatives: Option<usize>,
    overall: Vec<MetricsDoc>,
    intervals: Vec<IntervalsDoc>,
    resamples: usize,
    level: f64,
    coverage: Vec<f64>,
    segments: Vec<SegmentDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct MetricsDoc {
    recall: f64,
    ndcg: f64,
    map: f64,
    hit_rate: f64,
    mrr: f64,
    commission: f64,
    gmv: f64,
    exp_commission: f64,
    rw_ndcg: f64,
    novelty: f64,
    popularity: f64,
    diversity: f64,
    self_operated: f64,
    quality: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct SegmentDoc {
    dimension: String,
    segment: String,
    promoters: usize,
    metrics: Vec<MetricsDoc>,
}

#[test]
fn three_column_orders_load_train_and_rank() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut csv = String::from("promoter_id,item_id,ts\n");
    for p in 0..20 {
        for (j, item) in ["rice", "eggs", "tissue", "phone"].iter().enumerate() {
            if (p + j) % 3 != 0 {
                csv.push_str(&format!(
                    "p{p},{item},{}\n",
                    1_700_000_000 + (p * 4 + j) * 3600
                ));
            }
        }
    }
    std::fs::write(d.join("orders.csv"), csv).unwrap();
    ok(&kocrank(
        &[
            "train",
            "--orders",
            "orders.csv",
            "--model",
            "popularity",
            "--out",
            "m.kocrank",
        ],
        d,
    ));
    // No item was ever ordered twice, so every item counts as a durable and each
    // promoter's bought items are left out: at least one of the four is left for each.
    ok(&kocrank(
        &[
            "rank",
            "--model",
            "m.kocrank",
            "--all",
            "--k",
            "1",
            "--out",
            "top.csv",
        ],
        d,
    ));
    let text = std::fs::read_to_string(d.join("top.csv")).unwrap();
    assert_eq!(text.lines().count(), 1 + 20);
}

#[test]
fn bad_input_exits_2_naming_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("orders.csv"),
        "promoter_id,item_id,ts\np1,a,1700000000\np2,b,yesterday\n",
    )
    .unwrap();
    let out = kocrank(
        &["train", "--orders", "orders.csv", "--out", "m.kocrank"],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("kocrank: "), "{err}");
    assert!(err.contains("orders.csv: row 2, column \"ts\""), "{err}");
    assert!(!d.join("m.kocrank").exists());

    // Lenient mode finishes, reports the reject, and exits 1.
    let out = kocrank(
        &[
            "train",
            "--orders",
            "orders.csv",
            "--lenient",
            "--rejects",
            "rejects.csv",
            "--out",
            "m.kocrank",
        ],
        d,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rejects = std::fs::read_to_string(d.join("rejects.csv")).unwrap();
    assert_eq!(rejects.lines().count(), 2, "{rejects}");
    assert!(rejects.contains("yesterday"), "{rejects}");
    assert!(d.join("m.kocrank").exists());
}

#[test]
fn missing_file_prints_the_os_error_once() {
    let dir = tempfile::tempdir().unwrap();
    let os = std::fs::read(dir.path().join("nope.csv"))
        .unwrap_err()
        .to_string();
    let out = kocrank(
        &["train", "--orders", "nope.csv", "--out", "m.kocrank"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end(), format!("kocrank: nope.csv: {os}"));
}

/// The help text of one flag in `help`: from its line to the next flag's.
fn flag_help<'a>(help: &'a str, flag: &str) -> &'a str {
    let options = &help[help.find("\nOptions:").expect("an Options section")..];
    let start = options
        .find(&format!(" {flag} <"))
        .unwrap_or_else(|| panic!("{flag} not in help:\n{help}"));
    let rest = &options[start + 1..];
    let end = rest[2..]
        .find("\n      --")
        .or_else(|| rest[2..].find("\n  -"))
        .map_or(rest.len(), |e| e + 2);
    &rest[..end]
}

#[test]
fn help_states_required_inputs_and_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let help = ok(&kocrank(&["train", "--help"], dir.path()));
    for flag in ["--out", "--data", "--orders"] {
        let text = flag_help(&help, flag);
        assert!(text.contains("Required"), "{flag}: {text}");
    }
    let usage = help.lines().find(|l| l.starts_with("Usage:")).unwrap();
    assert!(
        usage.contains("--out") && usage.contains("--data") && usage.contains("--orders"),
        "{usage}"
    );
    let help = ok(&kocrank(&["rank", "--help"], dir.path()));
    let text = flag_help(&help, "--k");
    let range = format!("1..={}", kocrank::rank::MAX_K);
    assert!(text.contains(&range), "{text}");
}

#[test]
fn an_unused_config_section_is_noted_with_the_model_it_serves() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&kocrank(
        &["generate", "--scale", "tiny", "--seed", "3", "--out", "w"],
        d,
    ));
    std::fs::write(d.join("c.json"), r#"{"item_knn": {"neighbours": 50}}"#).unwrap();
    // Notes go to stderr, so this run is not --quiet.
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_kocrank"))
            .args(args)
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let train = |model: &str| {
        run(&[
            "train",
            "--data",
            "w",
            "--config",
            "c.json",
            "--model",
            model,
            "--out",
            "m.kocrank",
        ])
    };
    let err = train("popularity");
    let note = err
        .lines()
        .find(|l| l.contains("[item_knn]"))
        .unwrap_or_else(|| panic!("no note on [item_knn]:\n{err}"));
    assert!(note.contains("\"popularity\""), "{note}");
    assert!(note.contains("serves model = \"item_knn\""), "{note}");
    let err = train("item_knn");
    assert!(!err.contains("[item_knn]"), "{err}");

    let err = run(&[
        "evaluate",
        "--data",
        "w",
        "--config",
        "c.json",
        "--models",
        "popularity,profile",
    ]);
    assert!(err.contains("[item_knn] section is set"), "{err}");
    let err = run(&[
        "evaluate",
        "--data",
        "w",
        "--config",
        "c.json",
        "--models",
        "popularity,item_knn",
    ]);
    assert!(!err.contains("[item_knn] section is set"), "{err}");
}

#[test]
fn explain_config_prints_every_section() {
    let dir = tempfile::tempdir().unwrap();
    let text = ok(&kocrank(
        &["train", "--explain-config", "--model", "profile"],
        dir.path(),
    ));
    assert!(text.contains("model = \"profile\""), "{text}");
    for section in [
        "[quality]",
        "[baseline]",
        "[popularity]",
        "[profile]",
        "[repurchase]",
        "[rules]",
    ] {
        assert!(text.contains(section), "{section} missing in {text}");
    }
}

#[test]
fn explain_says_why_in_words_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&kocrank(
        &["generate", "--scale", "tiny", "--seed", "6", "--out", "w"],
        d,
    ));
    ok(&kocrank(
        &[
            "train",
            "--data",
            "w",
            "--model",
            "blend",
            "--out",
            "m.kocrank",
        ],
        d,
    ));
    ok(&kocrank(
        &[
            "rank",
            "--model",
            "m.kocrank",
            "--all",
            "--k",
            "1",
            "--out",
            "top.csv",
        ],
        d,
    ));
    let top = std::fs::read_to_string(d.join("top.csv")).unwrap();
    let first: Vec<&str> = top.lines().nth(1).unwrap().split(',').collect();
    let words = ok(&kocrank(
        &[
            "explain",
            "--model",
            "m.kocrank",
            "--promoter",
            first[0],
            "--item",
            first[2],
        ],
        d,
    ));
    assert!(
        words.starts_with(&format!("{} is #1 for {}", first[2], first[0])),
        "{words}"
    );
    assert!(
        words.contains("commission") && words.contains("score parts"),
        "{words}"
    );
    let json = ok(&kocrank(
        &[
            "explain",
            "--model",
            "m.kocrank",
            "--promoter",
            first[0],
            "--item",
            first[2],
            "--json",
        ],
        d,
    ));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["position"], 1);
    let parts = v["breakdown"].as_array().unwrap();
    let sum: f64 = parts
        .iter()
        .map(|c| c["contribution"].as_f64().unwrap())
        .sum();
    assert!((sum - v["score"].as_f64().unwrap()).abs() < 1e-3);
    let out = kocrank(
        &[
            "explain",
            "--model",
            "m.kocrank",
            "--promoter",
            first[0],
            "--item",
            "SKU-991",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown item \"SKU-991\""));
}

#[test]
fn evaluate_sweeps_the_blends_gamma() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&kocrank(
        &["generate", "--scale", "tiny", "--seed", "4", "--out", "w"],
        d,
    ));
    let args = [
        "evaluate",
        "--data",
        "w",
        "--models",
        "item_knn",
        "--k",
        "5,20",
        "--bootstrap",
        "0",
        "--sweep-gamma",
        "0,1",
    ];
    let text = ok(&kocrank(&args, d));
    assert!(
        text.contains("value exponent sweep") && text.contains("Δndcg vs item_knn"),
        "{text}"
    );
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let doc: EvalDoc = serde_json::from_str(&ok(&kocrank(&json_args, d))).unwrap();
    let sweep = doc.sweep.unwrap();
    assert_eq!(
        sweep.iter().map(|p| p.gamma).collect::<Vec<_>>(),
        vec![0.0, 1.0]
    );
    assert!(sweep.iter().all(|p| p.report.ks == vec![5, 20]));
    // The headroom at the largest K: the expected-value list is what the model
    // expects to earn most from.
    let h = doc.value_headroom.unwrap();
    assert_eq!((h.k, h.pool), (20, 100));
    assert_eq!(
        h.promoters + h.newcomers_not_measured,
        sweep[0].report.promoters
    );
    assert!(h.expected_gain >= 0.0, "{h:?}");
    assert!(text.contains("value headroom"), "{text}");
    // Without a temporal protocol the sweep is refused with a clear message.
    let mut bad = args.to_vec();
    bad.extend(["--protocol", "rolling"]);
    let out = kocrank(&bad, d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--sweep-gamma needs --protocol temporal")
    );
}

#[test]
fn evaluate_replays_a_generated_world() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&kocrank(
        &["generate", "--scale", "tiny", "--seed", "6", "--out", "w"],
        d,
    ));
    let args = [
        "evaluate",
        "--data",
        "w",
        "--models",
        "baseline,profile",
        "--bootstrap",
        "0",
        "--replay",
    ];
    let text = ok(&kocrank(&args, d));
    assert!(text.contains("replay of the test window"), "{text}");
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let doc: EvalDoc = serde_json::from_str(&ok(&kocrank(&json_args, d))).unwrap();
    let rows = doc.replay.unwrap();
    let lists: Vec<&str> = rows.iter().map(|r| r.list.as_str()).collect();
    assert_eq!(lists, ["her own browsing (logged)", "baseline", "profile"]);
    assert!(rows
        .iter()
        .all(|r| r.promoters == rows[0].promoters && r.shares == rows[0].shares));
    assert!(rows[2].orders > rows[1].orders, "{rows:?}");
    assert!(rows.iter().all(|r| r.unknown_items == 0));
    // Data that is not a generated world is refused by name.
    std::fs::remove_file(d.join("w").join("world.json")).unwrap();
    let out = kocrank(&args, d);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("world.json"));
}
