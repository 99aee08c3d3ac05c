//! Save and load of a 64-factor iALS model file for a 1M-item catalogue: what a storefront pays at
//! start and at each `POST /v1/admin/reload`. Prints the file size and MB/s.
//!
//! `cargo bench --bench model_file_load` (about 2 minutes on 2 cores). Under
//! `cargo test --all-targets` it runs once on a 2,000-item catalogue, as a smoke test.

use criterion::{BenchmarkId, Criterion};
use kocrank::synth::{Generator, Scale, SynthConfig};
use kocrank::{model_file, train, Config, Dataset, ModelKind};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A world of `items` items and `promoters` promoters, orders for the first 3,000.
fn world(items: usize, promoters: usize) -> Dataset {
    let cfg = SynthConfig {
        items,
        promoters,
        days: 120,
        orders_per_promoter: 40.0,
        ..SynthConfig::for_scale(Scale::Small)
    };
    let gen = Generator::new(&cfg, 7).expect("a valid synthetic config");
    let (orders, shares) = gen
        .chunk(0..3_000.min(promoters as u32))
        .expect("a valid promoter range");
    Dataset::new(
        gen.catalog().clone(),
        gen.promoters().clone(),
        orders,
        shares,
    )
    .expect("generated tables fit together")
}

/// Median seconds of `runs` calls of `f`.
fn median_secs(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut s: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (items, promoters) = if full {
        (1_000_000, 20_000)
    } else {
        (2_000, 300)
    };
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(if full { 15 } else { 1 }))
        .configure_from_args();
    let ds = world(items, promoters);
    // A 64-factor iALS model: the largest learned section a storefront loads. Two
    // iterations keep the setup short; the file is the same size after fifteen.
    let mut config = Config {
        model: ModelKind::Ials,
        ..Config::default()
    };
    config.ials.iterations = 2;
    let model = train(&ds, &config).expect("training succeeds");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("ials.kocrank");

    // By hand first: the size, and MB/s of save (atomic: write, fsync, rename) and load
    // (read, check every checksum and index, refit the cheap statistics).
    model_file::save(&model, &path).expect("the model saves");
    let bytes = std::fs::metadata(&path).expect("the saved file").len() as f64;
    let runs = if full { 5 } else { 2 };
    let save = median_secs(runs, || {
        model_file::save(&model, &path).expect("the model saves");
    });
    let load = median_secs(runs, || {
        black_box(model_file::load(&path).expect("the model loads"));
    });
    let bytes_only = median_secs(runs, || {
        black_box(std::fs::read(&path).expect("the file reads"));
    });
    let mb = bytes / 1e6;
    println!(
        "ials model (64 factors), {items} items, {promoters} promoters, {} orders: file {mb:.1} MB",
        ds.orders().len()
    );
    println!(
        "  save {:.0} ms ({:.0} MB/s); load {:.0} ms ({:.0} MB/s), of which reading the bytes {:.0} ms ({:.0} MB/s)",
        save * 1e3,
        mb / save,
        load * 1e3,
        mb / load,
        bytes_only * 1e3,
        mb / bytes_only
    );

    let mut group = c.benchmark_group("model_file");
    group.bench_with_input(BenchmarkId::new("save", items), &model, |b, m| {
        b.iter(|| model_file::save(m, &path).expect("the model saves"))
    });
    group.bench_with_input(BenchmarkId::new("load", items), &path, |b, p| {
        b.iter(|| model_file::load(p).expect("the model loads"))
    });
    group.finish();
    c.final_summary();
}
