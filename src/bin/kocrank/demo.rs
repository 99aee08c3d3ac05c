//! `kocrank demo`: the whole path on a synthetic world, no files needed.

use crate::common::{date, Ui};
use crate::generate::parse_scale;
use crate::Outcome;
use kocrank::eval::{compare, comparison_table, EvalConfig};
use kocrank::{synth, train, Config, ModelKind, RankRequest, Ranker};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// World size: tiny, small or large.
    #[arg(long, default_value = "small")]
    pub scale: String,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Cut-offs, comma-separated.
    #[arg(long, short, default_value = "5,10,20", value_delimiter = ',')]
    pub k: Vec<usize>,
}

pub fn run(a: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let t0 = std::time::Instant::now();
    let sp = ui.spinner(&format!(
        "generating the {} world (seed {})",
        a.scale, a.seed
    ));
    let world = synth::generate(parse_scale(&a.scale)?, a.seed)?;
    sp.finish_and_clear();
    println!("world: {}", world.dataset.summary());
    let at = world.suggested_split();
    let window = 30 * 86_400;
    let split = world.dataset.split(at, window)?;
    println!(
        "split at {}: {} training orders, {} test orders in the next 30 days\n",
        date(at),
        split.train.orders.len(),
        split.test.orders.len()
    );
    // EASE is left out: its closed form over every ordered item of the small world
    // takes minutes (see README); `kocrank evaluate --models ease` runs it.
    let configs: Vec<Config> = [
        ModelKind::Baseline,
        ModelKind::Popularity,
        ModelKind::Profile,
        ModelKind::Ials,
        ModelKind::ItemKnn,
        ModelKind::Blend,
    ]
    .iter()
    .map(|&m| Config {
        model: m,
        ..Config::default()
    })
    .collect();
    let sp = ui.spinner("training and evaluating");
    let reports = compare(
        &split,
        &configs,
        &EvalConfig {
            ks: a.k.clone(),
            ..EvalConfig::default()
        },
    )?;
    sp.finish_and_clear();
    print!("{}", comparison_table(&reports));

    // One promoter's list, to show what a list looks like.
    let model = train(
        &split.train,
        &Config {
            model: ModelKind::Popularity,
            ..Config::default()
        },
    )?;
    let ranker = Ranker::new(model);
    let h = ranker.model().history();
    let busiest = (0..h.n_promoters() as u32).max_by_key(|&p| (h.count(p), std::cmp::Reverse(p)));
    if let Some(p) = busiest {
        let m = ranker.model();
        let pid = m.promoters().ids.name(p).unwrap_or("");
        let list = ranker.rank(&RankRequest::new(pid, 10))?;
        println!(
            "\ntop 10 by popularity for promoter {pid} ({}, city tier {}, {} training orders)",
            m.promoters().channel_of(p).as_str(),
            m.promoters().tier_of(p),
            h.count(p)
        );
        println!(
            "{:>4} {:<12} {:<32} {:>10} {:>11} {:>8}",
            "rank", "item", "category", "price", "commission", "quality"
        );
        for (pos, r) in list.iter().enumerate() {
            let c = m.catalog();
            let i = r.item as usize;
            println!(
                "{:>4} {:<12} {:<32} {:>10.2} {:>10.1}% {:>8.3}",
                pos + 1,
                r.item_id,
                c.category_path(r.item),
                c.price_cents[i] as f64 / 100.0,
                f64::from(c.commission_rate[i]) * 100.0,
                m.quality().posterior[i]
            );
        }
    }
    ui.note(format!(
        "\ndemo finished in {:.1} s",
        t0.elapsed().as_secs_f64()
    ));
    Ok(Outcome::Clean)
}
