//! The commission–accuracy trade-off of the learned blend on the synthetic world.
//!
//! Trains the best single model (`item_knn`) and the blend on all but the last 30 days,
//! then evaluates the blend at several value exponents γ on those 30 days (one
//! training: γ enters at scoring time) and prints NDCG@20 and Commission@20 against
//! γ = 0 and against `item_knn`.
//!
//! ```sh
//! cargo run --release --example value_tradeoff -- [tiny|small] [seed] [config.toml]
//! ```

use kocrank::eval::{self, BootstrapConfig, EvalConfig};
use kocrank::{synth, train, Config, ModelKind, Ranker};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scale = match args.first().map(String::as_str) {
        Some("tiny") => synth::Scale::Tiny,
        _ => synth::Scale::Small,
    };
    let seed: u64 = args.get(1).map_or(Ok(1), |s| s.parse())?;
    let base = match args.get(2) {
        Some(path) => Config::load(std::path::Path::new(path))?,
        None => Config::default(),
    };
    let world = synth::generate(scale, seed)?;
    let split = world.dataset.split(world.suggested_split(), 30 * 86_400)?;
    let cfg = EvalConfig {
        bootstrap: BootstrapConfig {
            resamples: 0,
            ..BootstrapConfig::default()
        },
        ..EvalConfig::default()
    };
    let t = Instant::now();
    let knn = train(
        &split.train,
        &Config {
            model: ModelKind::ItemKnn,
            ..base.clone()
        },
    )?;
    let knn_model = knn.clone();
    let knn_report = eval::evaluate(&Ranker::new(knn), &split.test, &cfg)?;
    println!(
        "item_knn trained and evaluated in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let blend = train(
        &split.train,
        &Config {
            model: ModelKind::Blend,
            ..base.clone()
        },
    )?;
    println!("blend trained in {:.1} s", t.elapsed().as_secs_f64());
    let gammas = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0];
    let points = eval::sweep_gamma(&blend, &split.test, &gammas, &cfg)?;
    println!(
        "\nblend (learner {:?}, default γ = {}), K = 20; Δ against γ = 0 and against item_knn:",
        base.blend.learner, base.blend.gamma
    );
    print!("{}", eval::sweep_table(&points, 2, Some(&knn_report)));
    let h = eval::value_headroom(&blend, &split.test, 20, 100, &cfg)?;
    println!("\n{}", h.summary());

    // Online, by the world's own funnel: each promoter shares from her list.
    let t = Instant::now();
    let (at, window) = (split.at, split.window);
    let rc = synth::ReplayConfig::default();
    let browsing = synth::logged(&world, at, window)?;
    let baseline = train(
        &split.train,
        &Config {
            model: ModelKind::Baseline,
            ..base.clone()
        },
    )?;
    let mut rows = vec![("logged (her own browsing)".to_string(), browsing)];
    let mut runs: Vec<(String, Ranker)> = vec![
        ("baseline (one list for all)".into(), Ranker::new(baseline)),
        ("item_knn".into(), Ranker::new(knn_model)),
    ];
    for g in [0.0, 0.25, 0.5, 0.75, 1.0] {
        runs.push((format!("blend γ = {g}"), Ranker::new(blend.with_gamma(g)?)));
    }
    for (name, ranker) in &runs {
        let out = kocrank::study::replay_ranker(&world, at, window, &rc, ranker)?;
        rows.push((name.clone(), out));
    }
    let reference = rows
        .iter()
        .position(|(n, _)| n == "blend γ = 0")
        .unwrap_or(0);
    let r = &rows[reference].1;
    println!(
        "\nreplay of the test window: {} promoters share {} times from their top {} \
         (world funnel, {:.1} s); per promoter, Δ against blend γ = 0:",
        r.promoters,
        r.shares,
        rc.k,
        t.elapsed().as_secs_f64()
    );
    print!("{}", synth::replay_table(&rows, reference));

    // The trade-off in one table: accuracy offline (NDCG@20 on the logged test orders),
    // commission offline (Commission@20) and replayed (what the top 20 earn when shared).
    let pct = |a: f64, b: f64| if b > 0.0 { 100.0 * (a / b - 1.0) } else { 0.0 };
    let at20 = |g: f64| {
        points
            .iter()
            .find(|p| p.gamma == g)
            .and_then(|p| p.report.overall.get(2).cloned())
    };
    let replayed = |g: f64| {
        rows.iter()
            .find(|(n, _)| *n == format!("blend γ = {g}"))
            .map(|(_, o)| o.clone())
    };
    if let (Some(a0), Some(r0)) = (at20(0.0), replayed(0.0)) {
        println!(
            "\nagainst the accuracy-only ranking (γ = 0), K = 20:\n{:>6} {:>9} {:>14} {:>18} {:>18}",
            "gamma", "ΔNDCG@20", "ΔCommission@20", "Δcommission replay", "Δorders replay"
        );
        for g in [0.25, 0.5, 0.75, 1.0] {
            if let (Some(a), Some(r)) = (at20(g), replayed(g)) {
                println!(
                    "{:>6} {:>+8.1}% {:>+13.1}% {:>+17.1}% {:>+17.1}%",
                    g,
                    pct(a.ndcg, a0.ndcg),
                    pct(a.commission, a0.commission),
                    pct(r.commission, r0.commission),
                    pct(r.orders, r0.orders)
                );
            }
        }
    }

    // How much the replay's answer leans on its model of where promoters look.
    println!("\nthe default γ = 0.5 against γ = 0, replayed under other position biases:");
    let g0 = Ranker::new(blend.with_gamma(0.0)?);
    let g5 = Ranker::new(blend.with_gamma(0.5)?);
    for position in [
        synth::PositionBias::Log2,
        synth::PositionBias::Reciprocal,
        synth::PositionBias::Uniform,
    ] {
        let rc = synth::ReplayConfig {
            position,
            ..synth::ReplayConfig::default()
        };
        let run = |r: &Ranker| kocrank::study::replay_ranker(&world, at, window, &rc, r);
        let (a, b) = (run(&g0)?, run(&g5)?);
        println!(
            "{:>12}: commission {:+.1}%, orders {:+.1}%",
            format!("{position:?}"),
            pct(b.commission, a.commission),
            pct(b.orders, a.orders)
        );
    }
    Ok(())
}
