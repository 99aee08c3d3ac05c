//! iALS fit time on the synthetic `Small` world's training split, with its NDCG@20
//! printed once beside the time so that a fast but wrong change shows.
//!
//! `cargo bench --bench ials_fit`

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kocrank::eval::{evaluate, EvalConfig};
use kocrank::signals::ials::{Ials, IalsConfig};
use kocrank::synth::{self, Scale};
use kocrank::{train, Config, ModelKind, Ranker};
use std::time::Duration;

fn ials_fit(c: &mut Criterion) {
    let world = synth::generate(Scale::Small, 1).expect("synthetic world");
    let split = world
        .dataset
        .split(world.suggested_split(), 30 * 86_400)
        .expect("split");
    let history = split.train.history();
    let (n_items, n_promoters) = (split.train.catalog().len(), split.train.promoters().len());
    let cfg = IalsConfig::default();

    let config = Config {
        model: ModelKind::Ials,
        ials: cfg.clone(),
        ..Config::default()
    };
    let ranker = Ranker::new(train(&split.train, &config).expect("train"));
    let report = evaluate(
        &ranker,
        &split.test,
        &EvalConfig {
            ks: vec![20],
            ..EvalConfig::default()
        },
    )
    .expect("evaluate");
    eprintln!(
        "ials_fit: {n_promoters} promoters × {n_items} items, {} training orders, k = {}, \
         {} sweeps; NDCG@20 = {:.4}, Recall@20 = {:.4} ({} test promoters), {} rayon threads",
        history.nnz(),
        cfg.factors,
        cfg.iterations,
        report.overall[0].ndcg,
        report.overall[0].recall,
        report.promoters,
        rayon::current_num_threads()
    );

    let mut g = c.benchmark_group("ials_fit");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(history.nnz() as u64));
    g.bench_function(
        BenchmarkId::new("small", format!("k{}x{}it", cfg.factors, cfg.iterations)),
        |b| {
            b.iter(|| {
                Ials::fit(black_box(&history), n_items, n_promoters, &cfg, &|_, _| {}).expect("fit")
            })
        },
    );
    g.finish();
}

criterion_group!(benches, ials_fit);
criterion_main!(benches);
