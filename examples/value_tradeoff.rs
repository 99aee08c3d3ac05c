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
    Ok(())
}
