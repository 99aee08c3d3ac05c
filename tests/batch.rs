//! Batch ranking into part files: killed midway, only whole parts are left, and a
//! resumed run equals an uninterrupted one.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn kocrank(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kocrank"))
        .args(args)
        .arg("--quiet")
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn parts(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.retain(|n| n.starts_with("part-"));
    v.sort();
    v
}

#[test]
fn killed_run_leaves_whole_parts_and_resume_completes_equal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(kocrank(
        &["generate", "--scale", "small", "--seed", "4", "--out", "w"],
        d
    )
    .status
    .success());
    assert!(kocrank(
        &[
            "train",
            "--data",
            "w",
            "--model",
            "profile",
            "--out",
            "m.kocrank"
        ],
        d
    )
    .status
    .success());
    let args = [
        "rank",
        "--model",
        "m.kocrank",
        "--all",
        "--k",
        "10",
        "--chunk",
        "20",
        "--format",
        "csv",
        "--out",
    ];
    let full = kocrank(&[&args[..], &["full"]].concat(), d);
    assert!(
        full.status.success(),
        "{}",
        String::from_utf8_lossy(&full.stderr)
    );
    let all_parts = parts(&d.join("full"));
    assert_eq!(all_parts.len(), 250);

    // Kill a second run once a few parts are on disk.
    let mut child = Command::new(env!("CARGO_BIN_EXE_kocrank"))
        .args([&args[..], &["cut"]].concat())
        .arg("--quiet")
        .current_dir(d)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while parts(&d.join("cut")).len() < 3 && t0.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the run finished before it could be killed"
    );
    let left = parts(&d.join("cut"));
    assert!(
        !left.is_empty() && left.len() < all_parts.len(),
        "{} parts left",
        left.len()
    );
    for name in &left {
        assert_eq!(
            std::fs::read(d.join("cut").join(name)).unwrap(),
            std::fs::read(d.join("full").join(name)).unwrap(),
            "{name} is not a whole part"
        );
    }
    assert!(!d.join("cut/manifest.json").exists());

    // Without --resume the folder is refused; with it the run completes, equal.
    let refused = kocrank(&[&args[..], &["cut"]].concat(), d);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("resume"));
    // What a run killed while writing leaves behind (the kill above may or may not
    // have caught one): resume removes it.
    std::fs::write(d.join("cut/.part-00249.csv.tmp-99999"), "promoter_id,ra").unwrap();
    let resumed = kocrank(&[&args[..], &["cut", "--resume"]].concat(), d);
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert_eq!(parts(&d.join("cut")), all_parts);
    for name in &all_parts {
        assert_eq!(
            std::fs::read(d.join("cut").join(name)).unwrap(),
            std::fs::read(d.join("full").join(name)).unwrap()
        );
    }
    let names: Vec<String> = std::fs::read_dir(d.join("cut"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with('.')),
        "temporary files left: {names:?}"
    );
    assert!(d.join("cut/manifest.json").exists());

    // A resume with other settings is refused.
    let other = kocrank(
        &[
            "rank",
            "--model",
            "m.kocrank",
            "--all",
            "--k",
            "5",
            "--chunk",
            "20",
            "--format",
            "csv",
            "--out",
            "cut",
            "--resume",
        ],
        d,
    );
    assert_eq!(other.status.code(), Some(2));
}

#[test]
fn part_files_hold_the_same_rows_as_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(kocrank(
        &["generate", "--scale", "tiny", "--seed", "5", "--out", "w"],
        d
    )
    .status
    .success());
    assert!(kocrank(
        &[
            "train",
            "--data",
            "w",
            "--model",
            "popularity",
            "--out",
            "m.kocrank"
        ],
        d
    )
    .status
    .success());
    assert!(kocrank(
        &[
            "rank",
            "--model",
            "m.kocrank",
            "--all",
            "--k",
            "4",
            "--out",
            "one.csv"
        ],
        d
    )
    .status
    .success());
    assert!(kocrank(
        &[
            "rank",
            "--model",
            "m.kocrank",
            "--all",
            "--k",
            "4",
            "--chunk",
            "17",
            "--format",
            "csv",
            "--out",
            "many/"
        ],
        d
    )
    .status
    .success());
    let one = std::fs::read_to_string(d.join("one.csv")).unwrap();
    let mut joined = String::new();
    for (n, name) in parts(&d.join("many")).iter().enumerate() {
        let text = std::fs::read_to_string(d.join("many").join(name)).unwrap();
        let body = if n == 0 {
            text.as_str()
        } else {
            text.split_once('\n').unwrap().1
        };
        joined.push_str(body);
    }
    assert_eq!(joined, one);
}

/// A `--format` that contradicts the extension of a file `--out` is refused, naming
/// both; one that agrees with it is accepted.
#[test]
fn format_contradicting_the_out_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |args: &[&str]| {
        let out = kocrank(args, d);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    ok(&["generate", "--scale", "tiny", "--seed", "5", "--out", "w"]);
    ok(&[
        "train",
        "--data",
        "w",
        "--model",
        "popularity",
        "--out",
        "m.kocrank",
    ]);
    let out = kocrank(
        &[
            "rank",
            "--model",
            "m.kocrank",
            "--all",
            "--format",
            "parquet",
            "--out",
            "x.csv",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--format parquet"), "{err}");
    assert!(err.contains("--out x.csv"), "{err}");
    assert!(!d.join("x.csv").exists());
    ok(&[
        "rank",
        "--model",
        "m.kocrank",
        "--all",
        "--format",
        "csv",
        "--out",
        "y.csv",
    ]);
    let text = std::fs::read_to_string(d.join("y.csv")).unwrap();
    assert!(
        text.starts_with("promoter_id,rank,item_id,score\n"),
        "{text}"
    );
}

/// The fused scan (an `ials` model, filter rules) gives every promoter the list the
/// per-request pipeline gives, whatever the filters, `k` and thread count; a model whose
/// rules re-rank has no scan and batch falls back to per-request ranking.
#[test]
fn fused_scan_equals_per_request_ranking() {
    use kocrank::rules::ExcludePurchased;
    use kocrank::{synth, train, Config, ModelKind, RankRequest, Ranker};
    let world = synth::generate(synth::Scale::Tiny, 11).unwrap();
    let mut ids: Vec<String> = world
        .dataset
        .promoters()
        .ids
        .names()
        .map(String::from)
        .collect();
    ids.push("a-newcomer".into());
    for (exclude, stock, min_quality) in [
        (ExcludePurchased::Durables, true, 0.0),
        (ExcludePurchased::Always, false, 0.9),
        (ExcludePurchased::Never, true, 0.0),
    ] {
        let mut cfg = Config {
            model: ModelKind::Ials,
            ..Config::default()
        };
        cfg.ials.factors = 16;
        cfg.rules.exclude_purchased = exclude;
        cfg.rules.in_stock_only = stock;
        cfg.rules.min_quality = min_quality;
        let ranker = Ranker::new(train(&world.dataset, &cfg).unwrap());
        assert!(ranker.dense_scan().is_some());
        for k in [1, 7, 60] {
            let want: Vec<_> = ids
                .iter()
                .map(|id| ranker.rank(&RankRequest::new(id.clone(), k)).unwrap())
                .collect();
            for threads in [1, 2] {
                let got = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| kocrank::batch::rank_many(&ranker, &ids, k, |_| {}).unwrap());
                assert_eq!(
                    got, want,
                    "{exclude:?} stock {stock} k {k} threads {threads}"
                );
            }
        }
    }
    let mut cfg = Config {
        model: ModelKind::Ials,
        ..Config::default()
    };
    cfg.rules.category_cap = 2;
    let ranker = Ranker::new(train(&world.dataset, &cfg).unwrap());
    assert!(ranker.dense_scan().is_none());
    assert!(kocrank::batch::rank_many(&ranker, &ids, 0, |_| {}).is_err());
}

fn tiny_ranker(kind: kocrank::ModelKind) -> kocrank::Ranker {
    use kocrank::{synth, train, Config, Ranker};
    let world = synth::generate(synth::Scale::Tiny, 2).unwrap();
    Ranker::new(train(&world.dataset, &Config::with_model(kind)).unwrap())
}

fn tiny_ids(ranker: &kocrank::Ranker) -> Vec<String> {
    ranker
        .model()
        .promoters()
        .ids
        .names()
        .map(String::from)
        .collect()
}

/// Parts ranked by one model are never finished by another: the resume is refused,
/// and the message names both models.
#[test]
fn resume_refuses_another_model() {
    use kocrank::batch::{rank_to_parts, PartsOptions};
    use kocrank::ModelKind;
    let by_profile = tiny_ranker(ModelKind::Profile);
    let by_popularity = tiny_ranker(ModelKind::Popularity);
    let ids = tiny_ids(&by_profile);
    let dir = tempfile::tempdir().unwrap();
    let opts = PartsOptions {
        k: 5,
        chunk: 64,
        format: kocrank::io::Format::Csv,
        resume: true,
    };
    rank_to_parts(&by_profile, &ids, dir.path(), &opts, |_| {}).unwrap();
    // An unfinished run: the last part and the manifest are missing.
    let last = parts(dir.path()).pop().unwrap();
    std::fs::remove_file(dir.path().join(last)).unwrap();
    std::fs::remove_file(dir.path().join("manifest.json")).unwrap();
    let before = parts(dir.path());
    let e = rank_to_parts(&by_popularity, &ids, dir.path(), &opts, |_| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("profile") && e.contains("popularity"), "{e}");
    assert_eq!(parts(dir.path()), before, "nothing is written");
    // The same model, loaded back from its file, finishes the run.
    let bytes = kocrank::model_file::to_bytes(by_profile.model()).unwrap();
    let again = kocrank::model_file::from_bytes(&bytes, "m.kocrank".as_ref()).unwrap();
    let report = rank_to_parts(
        &kocrank::Ranker::new(again),
        &ids,
        dir.path(),
        &opts,
        |_| {},
    )
    .unwrap();
    assert_eq!(report.parts_written, 1);
}

/// A run refused for its settings writes nothing, so the corrected run starts clean.
#[test]
fn refused_settings_leave_no_run_behind() {
    use kocrank::batch::{rank_to_parts, PartsOptions};
    let ranker = tiny_ranker(kocrank::ModelKind::Popularity);
    let ids = tiny_ids(&ranker);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lists");
    let bad = PartsOptions {
        k: 0,
        ..Default::default()
    };
    let e = rank_to_parts(&ranker, &ids, &out, &bad, |_| {}).unwrap_err();
    assert!(e.to_string().contains("outside 1..="), "{e}");
    assert!(!out.join("run.json").exists());
    let fixed = PartsOptions { k: 3, ..bad };
    let report = rank_to_parts(&ranker, &ids, &out, &fixed, |_| {}).unwrap();
    assert_eq!(report.rows_written, ids.len() * 3);
}

/// A chunk of 0 promoters is refused, stating the range, by the library and by both
/// commands that take `--chunk`, instead of silently becoming 1.
#[test]
fn chunk_zero_is_refused_with_its_range() {
    use kocrank::batch::{rank_to_parts, PartsOptions};
    let ranker = tiny_ranker(kocrank::ModelKind::Popularity);
    let ids = tiny_ids(&ranker);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lists");
    let bad = PartsOptions {
        chunk: 0,
        ..Default::default()
    };
    let e = rank_to_parts(&ranker, &ids, &out, &bad, |_| {}).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("\"chunk\"") && text.contains("outside 1.."),
        "{text}"
    );
    assert!(!out.exists());

    let d = dir.path();
    for args in [
        &["generate", "--scale", "tiny", "--chunk", "0", "--out", "w"][..],
        &[
            "rank",
            "--model",
            "m.kocrank",
            "--all",
            "--chunk",
            "0",
            "--out",
            "parts/",
        ][..],
    ] {
        let out = kocrank(args, d);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--chunk") && err.contains("outside 1.."),
            "{err}"
        );
    }
    assert!(!d.join("w").exists());
}

/// `--resume` and `--chunk` concern part files: with a file `--out` they would be
/// ignored, so they are refused, naming them, before anything is written.
#[test]
fn resume_and_chunk_are_refused_with_a_file_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = d.join("m.kocrank");
    kocrank::model_file::save(tiny_ranker(kocrank::ModelKind::Popularity).model(), &model).unwrap();
    let base = ["rank", "--model", "m.kocrank", "--all", "--out", "top.csv"];
    for (extra, named) in [
        (&["--resume"][..], "--resume"),
        (&["--chunk", "5"][..], "--chunk"),
        (&["--resume", "--chunk", "5"][..], "--resume and --chunk"),
    ] {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        let out = kocrank(&args, d);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("{named} applies to a folder of part files"))
                && err.contains("top.csv is one file"),
            "{err}"
        );
        assert!(!d.join("top.csv").exists());
    }
    // Without them the same command writes the file.
    let out = kocrank(&base, d);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(d.join("top.csv").exists());
}

#[test]
fn csv_parts_read_back_in_the_lean_core_equal_the_lists() {
    use kocrank::batch::{rank_many, rank_to_parts, read_ranked_parts, PartsOptions};
    use kocrank::io::Format;
    let ranker = tiny_ranker(kocrank::ModelKind::Profile);
    let mut ids = tiny_ids(&ranker);
    // An id the writer must quote: a newcomer whose id holds a comma and a quote.
    ids.push("new, \"quoted\" one".to_string());
    let dir = tempfile::tempdir().unwrap();
    let opts = PartsOptions {
        k: 7,
        chunk: 5,
        format: Format::Csv,
        ..PartsOptions::default()
    };
    rank_to_parts(&ranker, &ids, dir.path(), &opts, |_| {}).unwrap();
    let read = read_ranked_parts(dir.path()).unwrap();
    let lists = rank_many(&ranker, &ids, 7, |_| {}).unwrap();
    assert_eq!(read.len(), ids.len());
    for (id, list) in ids.iter().zip(&lists) {
        let want: Vec<&str> = list.iter().map(|r| r.item_id.as_str()).collect();
        assert_eq!(read[id], want, "{id}");
    }
}

#[test]
fn a_set_cancel_flag_stops_ranking_and_an_unset_one_changes_nothing() {
    use kocrank::batch::{rank_many_with, rank_many_with_cancel};
    use kocrank::RankRequest;
    use std::sync::atomic::AtomicBool;
    for kind in [kocrank::ModelKind::Ials, kocrank::ModelKind::Profile] {
        let ranker = tiny_ranker(kind);
        let ids = tiny_ids(&ranker);
        let template = RankRequest::new("", 5);
        let go = AtomicBool::new(false);
        assert_eq!(
            rank_many_with_cancel(&ranker, &ids, &template, &go, |_| {}).unwrap(),
            rank_many_with(&ranker, &ids, &template, |_| {}).unwrap()
        );
        let stop = AtomicBool::new(true);
        match rank_many_with_cancel(&ranker, &ids, &template, &stop, |_| {}) {
            Err(kocrank::Error::Cancelled(m)) => assert!(m.contains("stopped"), "{m}"),
            other => panic!("{kind:?}: expected a cancelled call, got {other:?}"),
        }
    }
}
