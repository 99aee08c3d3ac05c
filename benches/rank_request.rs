//! Latency of one storefront request: `Ranker::rank` for one promoter, k = 20, with the
//! model's rules on (in stock only, durables already bought left out), over the whole
//! catalogue, for catalogues of 100k and 1M items.
//!
//! Beside criterion's estimate it prints the p50 and p99 of 2,000 requests over
//! different promoters, and the memory-bandwidth floor of a full scan: the time of a
//! plain sum over the per-item arrays a request reads (and over an `items × 64` f32
//! factor matrix, what a 64-factor model would read), as GB/s, the lower bound per
//! request it implies, and the ratio of the measured p50 to that bound.
//!
//! For `ials` and `blend` it also measures a candidate stage: the nightly batch job's
//! top 200 per promoter (`Ranker::rank_index`, what `kocrank rank --all --k 200` writes)
//! passed as the request's `candidates` and re-ranked online. Models are trained on all
//! but the last day; each request folds in the promoter's orders of that day
//! (`recent_orders`, up to 5: what arrived since the nightly run), so the candidates are
//! a day stale, as they would be in a storefront (`FOLD=0` folds in nothing). It prints
//! the stage's p50 and p99 and its recall: the share of the whole-catalogue top 20 (same
//! fold-in) that the re-ranked candidates also list.
//!
//! `cargo bench --bench rank_request` (about 8 minutes on 2 cores; `ITEMS=100000` runs one
//! size, `NIGHTLY=500` changes the candidates per promoter). Under
//! `cargo test --all-targets` it runs once on a 2,000-item catalogue, as a smoke test.

use criterion::{BenchmarkId, Criterion};
use kocrank::data::{History, PromoterIdx};
use kocrank::rank::RecentOrder;
use kocrank::synth::{Generator, Scale, SynthConfig};
use kocrank::{train, Config, Dataset, ModelKind, RankRequest, Ranker};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Promoters whose orders are generated (the others are known, with no history).
const WITH_ORDERS: u32 = 3_000;

/// A world of `items` items and 20,000 promoters; orders only for the first few
/// thousand promoters, so that setup stays short.
fn world(items: usize, promoters: usize) -> Dataset {
    let cfg = SynthConfig {
        items,
        promoters,
        days: 120,
        orders_per_promoter: 40.0,
        ..SynthConfig::for_scale(Scale::Small)
    };
    let gen = Generator::new(&cfg, 7).expect("a valid synthetic config");
    let with_orders = WITH_ORDERS.min(promoters as u32);
    let (orders, shares) = gen.chunk(0..with_orders).expect("a valid promoter range");
    Dataset::new(
        gen.catalog().clone(),
        gen.promoters().clone(),
        orders,
        shares,
    )
    .expect("generated tables fit together")
}

/// Requests for `n` promoters with orders, in a fixed shuffled order.
fn requests(ranker: &Ranker, n: usize) -> Vec<RankRequest> {
    let ids = &ranker.model().promoters().ids;
    let with_orders = WITH_ORDERS.min(ids.len() as u32);
    (0..n as u32)
        .map(|i| {
            let p = (i.wrapping_mul(2_654_435_761)) % with_orders;
            RankRequest::new(ids.name(p).unwrap_or_default(), 20)
        })
        .collect()
}

/// Days held out of training: the orders of these days arrive after the nightly run
/// (env-free; a nightly list is at most a day old).
const HELD_OUT_DAYS: i64 = 1;

/// Candidates from the nightly batch: this many per promoter (env `NIGHTLY`).
fn nightly() -> usize {
    std::env::var("NIGHTLY")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(200)
}

/// Requests for promoters with orders in the held-out days: up to 5 of those orders
/// folded in, and the nightly top [`nightly`] (from the model, before those orders) as
/// candidates. Returns the requests with and without the candidates.
fn staged_requests(
    ranker: &Ranker,
    recent: &History,
    n: usize,
) -> (Vec<RankRequest>, Vec<RankRequest>) {
    let m = ranker.model();
    let with_orders = WITH_ORDERS.min(m.promoters().len() as u32);
    let (mut full, mut staged) = (Vec::new(), Vec::new());
    for p in (0..with_orders)
        .filter(|&p| !recent.items(p).is_empty())
        .take(n)
    {
        let mut req = RankRequest::new(m.promoters().ids.name(p).unwrap_or_default(), 20);
        let fold = std::env::var("FOLD").map_or(true, |v| v != "0");
        req.recent_orders = recent
            .items(p)
            .iter()
            .zip(recent.times(p))
            .take(if fold { 5 } else { 0 })
            .map(|(&i, &ts)| RecentOrder {
                item_id: m.catalog().ids.name(i).unwrap_or_default().to_string(),
                ts,
            })
            .collect();
        full.push(req.clone());
        let cands: Vec<String> = ranker
            .rank_index(PromoterIdx::new(p), nightly(), None)
            .unwrap_or_default()
            .into_iter()
            .map(|r| r.item_id)
            .collect();
        req.candidates = Some(cands);
        staged.push(req);
    }
    (full, staged)
}

/// Share of each full list's items that the staged list also holds, averaged.
fn recall(ranker: &Ranker, full: &[RankRequest], staged: &[RankRequest]) -> f64 {
    let mut sum = 0.0;
    for (f, s) in full.iter().zip(staged) {
        let want = ranker.rank(f).expect("a valid request");
        let got = ranker.rank(s).expect("a valid request");
        let hit = want
            .iter()
            .filter(|w| got.iter().any(|g| g.item == w.item))
            .count();
        sum += hit as f64 / want.len().max(1) as f64;
    }
    sum / full.len().max(1) as f64
}

/// p50 and p99 of single requests, in microseconds.
fn percentiles(ranker: &Ranker, reqs: &[RankRequest]) -> (f64, f64) {
    let mut us: Vec<f64> = reqs
        .iter()
        .map(|r| {
            let t = Instant::now();
            let list = ranker.rank(r).expect("a valid request");
            black_box(list);
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    us.sort_by(f64::total_cmp);
    let at = |q: f64| us[((us.len() - 1) as f64 * q).round() as usize];
    (at(0.50), at(0.99))
}

/// Single-thread read bandwidth in GB/s of a plain pass over `bytes` bytes, best of a
/// few passes (`pass` returns something to keep the compiler honest).
fn bandwidth(bytes: usize, mut pass: impl FnMut() -> f64) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..7 {
        let t = Instant::now();
        black_box(pass());
        best = best.min(t.elapsed().as_secs_f64());
    }
    bytes as f64 / best / 1e9
}

/// Prints the memory-bandwidth floor of a full scan of `n` items against the
/// measured p50 of each model.
fn scan_floor(n: usize, p50_us: &[(&str, f64)]) {
    // The read-only per-item columns a profile request reads for every candidate:
    // leaf (u32), brand (u32), price band (u8), within-leaf share (f32), in stock
    // (bool); plus its own scratch: candidate ids (u32), scores (f32) and the
    // (item, score) pairs of the top-k selection (8 bytes).
    let leaf: Vec<u32> = (0..n as u32).map(|i| i % 97).collect();
    let brand: Vec<u32> = (0..n as u32).map(|i| i % 1013).collect();
    let band: Vec<u8> = (0..n).map(|i| (i % 5) as u8).collect();
    let within: Vec<f32> = (0..n).map(|i| (i % 7) as f32).collect();
    let stock: Vec<bool> = (0..n).map(|i| i % 20 != 0).collect();
    let columns = n * (4 + 4 + 1 + 4 + 1);
    let gbs_cols = bandwidth(columns, || {
        let mut s = 0u64;
        for i in 0..n {
            s += u64::from(leaf[i])
                + u64::from(brand[i])
                + u64::from(band[i])
                + u64::from(stock[i])
                + within[i] as u64;
        }
        s as f64
    });
    let factors: Vec<f32> = (0..n * 64).map(|i| (i % 13) as f32).collect();
    let gbs_factors = bandwidth(factors.len() * 4, || {
        // Eight running sums, so that the adds vectorise and only memory limits.
        let mut acc = [0f32; 8];
        for c in factors.chunks_exact(8) {
            for (a, x) in acc.iter_mut().zip(c) {
                *a += x;
            }
        }
        f64::from(acc.iter().sum::<f32>())
    });
    let scratch = n * (4 + 4 + 8);
    let floor_cols_us = columns as f64 / (gbs_cols * 1e9) * 1e6;
    let floor_all_us = (columns + 2 * scratch) as f64 / (gbs_cols * 1e9) * 1e6;
    let floor_factors_us = (n * 64 * 4) as f64 / (gbs_factors * 1e9) * 1e6;
    println!("scan floor, {n} items, one thread:");
    println!(
        "  item columns:    {:>7.1} MB read at {gbs_cols:.1} GB/s = {floor_cols_us:>8.0} us; with scratch written and read back ({:.1} MB) {floor_all_us:.0} us",
        columns as f64 / 1e6,
        (columns + 2 * scratch) as f64 / 1e6
    );
    println!(
        "  64 f32 factors:  {:>7.1} MB read at {gbs_factors:.1} GB/s = {floor_factors_us:>8.0} us (a 64-factor model's full scan)",
        (n * 64 * 4) as f64 / 1e6
    );
    for (model, p50) in p50_us {
        println!(
            "  {model:<10} p50 {p50:>8.0} us = {:.1}x the column floor, {:.1}x with scratch",
            p50 / floor_cols_us,
            p50 / floor_all_us
        );
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` does not: then a quick
    // smoke run on a small catalogue.
    let full = std::env::args().any(|a| a == "--bench");
    // `ITEMS=100000` keeps one size.
    let only: Option<usize> = std::env::var("ITEMS").ok().and_then(|v| v.parse().ok());
    let sizes: Vec<(usize, usize)> = if full {
        [(100_000, 20_000), (1_000_000, 20_000)]
            .into_iter()
            .filter(|&(n, _)| !matches!(only, Some(o) if o != n))
            .collect()
    } else {
        vec![(2_000, 300)]
    };
    let hand_requests = if full { 2_000 } else { 50 };
    let mut c = Criterion::default()
        .sample_size(if full { 30 } else { 10 })
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(if full { 8 } else { 1 }))
        .configure_from_args();
    for &(items, promoters) in &sizes {
        let t = Instant::now();
        let all = world(items, promoters);
        let last = all.orders().ts.iter().copied().max().unwrap_or(0);
        let split = all
            .split(last + 1 - HELD_OUT_DAYS * 86_400, HELD_OUT_DAYS * 86_400)
            .expect("a valid split");
        let (ds, recent) = (split.train, split.test.history());
        println!(
            "world: {items} items, {promoters} promoters, {} orders, {} in the last {HELD_OUT_DAYS} days ({:.1} s)",
            all.orders().len(),
            split.test.orders().len(),
            t.elapsed().as_secs_f64()
        );
        let mut p50s = Vec::new();
        for kind in [
            ModelKind::Profile,
            ModelKind::Popularity,
            ModelKind::Ials,
            ModelKind::Blend,
        ] {
            let t = Instant::now();
            let config = Config {
                model: kind,
                ..Config::default()
            };
            let ranker = Ranker::new(train(&ds, &config).expect("training succeeds"));
            let reqs = requests(&ranker, hand_requests);
            let (p50, p99) = percentiles(&ranker, &reqs);
            println!(
                "{} on {items} items (trained in {:.1} s): {} requests, p50 {p50:.0} us, p99 {p99:.0} us",
                kind.as_str(),
                t.elapsed().as_secs_f64(),
                reqs.len()
            );
            p50s.push((kind.as_str(), p50));
            if matches!(kind, ModelKind::Ials | ModelKind::Blend) {
                let (full, staged) = staged_requests(&ranker, &recent, hand_requests / 4);
                let (f50, f99) = percentiles(&ranker, &full);
                let (s50, s99) = percentiles(&ranker, &staged);
                println!(
                    "{} on {items} items, {} promoters with recent orders folded in: whole catalogue p50 {f50:.0} us, p99 {f99:.0} us; nightly top {} re-ranked p50 {s50:.0} us, p99 {s99:.0} us, recall of the top 20 {:.3}",
                    kind.as_str(),
                    full.len(),
                    nightly(),
                    recall(&ranker, &full, &staged)
                );
            }
            let mut next = reqs.iter().cycle();
            c.bench_with_input(
                BenchmarkId::new(format!("rank_k20/{}", kind.as_str()), items),
                &ranker,
                |b, ranker| {
                    b.iter(|| {
                        let req = next.next().expect("a cycle never ends");
                        ranker.rank(req).expect("a valid request")
                    })
                },
            );
        }
        if full {
            scan_floor(items, &p50s);
        }
    }
    c.final_summary();
}
