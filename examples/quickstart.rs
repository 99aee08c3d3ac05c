//! Quickstart: a synthetic promoter world, a temporal split, two models trained and
//! compared, and one promoter's list — no files needed.
//!
//! Run with `cargo run --example quickstart`.

use kocrank::eval::{comparison_table, EvalConfig};
use kocrank::study::compare;
use kocrank::synth::{generate, Scale};
use kocrank::{train, Config, ModelKind, RankRequest, Ranker};

fn main() -> kocrank::Result<()> {
    // 1. A seeded world: items, promoters, orders and shares, plus its ground truth.
    let world = generate(Scale::Tiny, 42)?;
    println!("{}", world.dataset.summary());

    // 2. Train on everything before the split, test on the 30 days after it.
    let split = world.dataset.split(world.suggested_split(), 30 * 86_400)?;

    // 3. Compare the baseline (reviews + commission, the same list for all) with
    //    popularity in the promoter's channel and city tier.
    let configs: Vec<Config> = ModelKind::ALL
        .iter()
        .map(|&m| Config {
            model: m,
            ..Config::default()
        })
        .collect();
    let reports = compare(&split, &configs, &EvalConfig::default())?;
    print!("{}", comparison_table(&reports));

    // 4. One promoter's list from a model trained on all the data.
    let ranker = Ranker::new(train(&world.dataset, &configs[1])?);
    let promoter = world
        .dataset
        .promoters()
        .ids
        .name(0)
        .unwrap_or_default()
        .to_string();
    for (pos, item) in ranker
        .rank(&RankRequest::new(promoter.clone(), 5))?
        .iter()
        .enumerate()
    {
        let cat = ranker.model().catalog().category_path(item.item.get());
        println!(
            "{promoter} #{}: {} ({cat}) score {:.3}",
            pos + 1,
            item.item_id,
            item.score
        );
    }
    Ok(())
}
