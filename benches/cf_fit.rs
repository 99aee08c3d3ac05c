//! Fitting and scoring the collaborative-filtering signals (item_knn, ease) on the
//! training split of the `Small` synthetic world (seed 1, 30-day test window), with
//! each model's NDCG@20 printed once beside the timings so a fast but wrong change
//! shows.
//!
//! Run with `cargo bench --bench cf_fit`.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kocrank::data::Split;
use kocrank::eval::{evaluate, EvalConfig};
use kocrank::signals::ease::{Ease, EaseConfig};
use kocrank::signals::item_knn::{ItemKnn, ItemKnnConfig, Weighting};
use kocrank::signals::{Context, Scorer};
use kocrank::synth::{generate, Scale};
use kocrank::{train, Config, ModelKind, Ranker};

const DAY: i64 = 86_400;

/// EASE is cubic in the item count: the bench fits the items with at least this many
/// training orders (the CLI default is every ordered item).
const EASE_MIN_ORDERS: u32 = 25;

fn small_split() -> Split {
    let world = generate(Scale::Small, 1).expect("synthetic world");
    world
        .dataset
        .split(world.suggested_split(), 30 * DAY)
        .expect("split")
}

fn ndcg20(split: &Split, config: &Config) -> f64 {
    let ranker = Ranker::new(train(&split.train, config).expect("train"));
    let cfg = EvalConfig {
        ks: vec![20],
        ..EvalConfig::default()
    };
    evaluate(&ranker, &split.test, &cfg)
        .expect("evaluate")
        .overall[0]
        .ndcg
}

fn knn_config(weighting: Weighting) -> Config {
    Config {
        model: ModelKind::ItemKnn,
        item_knn: ItemKnnConfig {
            weighting,
            ..ItemKnnConfig::default()
        },
        ..Config::default()
    }
}

fn ease_config() -> Config {
    Config {
        model: ModelKind::Ease,
        ease: EaseConfig {
            min_item_orders: EASE_MIN_ORDERS,
            ..EaseConfig::default()
        },
        ..Config::default()
    }
}

fn fit(c: &mut Criterion) {
    let split = small_split();
    let history = split.train.history();
    let n_items = split.train.catalog().len();
    let base = Config::default();
    eprintln!(
        "Small world: {n_items} items, {} promoters, {} training orders; baseline NDCG@20 = {:.4}",
        split.train.promoters().len(),
        history.nnz(),
        ndcg20(&split, &base)
    );
    let mut g = c.benchmark_group("cf_fit");
    g.sample_size(10);
    g.throughput(Throughput::Elements(history.nnz() as u64));
    for (name, w) in [("bm25", Weighting::Bm25), ("cosine", Weighting::Cosine)] {
        let cfg = knn_config(w);
        eprintln!("item_knn {name}: NDCG@20 = {:.4}", ndcg20(&split, &cfg));
        g.bench_function(BenchmarkId::new("item_knn", name), |b| {
            b.iter(|| ItemKnn::fit(black_box(&history), n_items, &cfg.item_knn))
        });
    }
    let cfg = ease_config();
    let fitted = Ease::fit(&history, n_items, &cfg.ease).expect("ease fit");
    eprintln!(
        "ease (λ = {}, {} items with ≥ {EASE_MIN_ORDERS} orders): NDCG@20 = {:.4}",
        cfg.ease.lambda,
        fitted.fitted_items().len(),
        ndcg20(&split, &cfg)
    );
    g.bench_function(
        BenchmarkId::new("ease", format!("{}items", fitted.fitted_items().len())),
        |b| b.iter(|| Ease::fit(black_box(&history), n_items, &cfg.ease).expect("ease fit")),
    );
    g.finish();
}

fn score(c: &mut Criterion) {
    let split = small_split();
    let history = split.train.history();
    let n_items = split.train.catalog().len();
    // The promoter with the median number of training orders.
    let mut by_count: Vec<u32> = (0..history.n_promoters() as u32).collect();
    by_count.sort_by_key(|&p| (history.count(p), p));
    let p = by_count[by_count.len() / 2];
    let ctx = Context {
        promoter: Some(p),
        channel: split.train.promoters().channel_of(p),
        city_tier: split.train.promoters().tier_of(p),
        history: history.items(p),
        history_ts: history.times(p),
        shares: &[],
        shares_ts: &[],
        now: split.at,
        fold_in: false,
    };
    let candidates: Vec<u32> = (0..n_items as u32).collect();
    let mut out = vec![0f32; n_items];
    let knn = ItemKnn::fit(&history, n_items, &ItemKnnConfig::default());
    let ease = Ease::fit(&history, n_items, &ease_config().ease).expect("ease fit");
    let mut g = c.benchmark_group("cf_score");
    g.throughput(Throughput::Elements(n_items as u64));
    let label = format!("{}orders_{}items", history.count(p), n_items);
    g.bench_function(BenchmarkId::new("item_knn", &label), |b| {
        b.iter(|| knn.score(black_box(&ctx), &candidates, &mut out))
    });
    g.bench_function(BenchmarkId::new("ease", &label), |b| {
        b.iter(|| ease.score(black_box(&ctx), &candidates, &mut out))
    });
    g.finish();
}

criterion_group!(benches, fit, score);
criterion_main!(benches);
