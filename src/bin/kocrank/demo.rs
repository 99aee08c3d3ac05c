//! `kocrank demo`: the whole path on a synthetic world, no files needed.

use crate::common::{date, Ui};
use crate::generate::parse_scale;
use crate::Outcome;
use kocrank::eval::{
    comparison_table, evaluate, sweep_gamma, sweep_table, BootstrapConfig, EvalConfig, EvalReport,
};
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
        split.train.orders().len(),
        split.test.orders().len()
    );
    // EASE is left out: its closed form over every ordered item of the small world
    // takes minutes (see docs/demo.md); `kocrank evaluate --models ease` runs it.
    // `auto` (the default model) comes first, with a one-minute budget here.
    let configs: Vec<Config> = [
        ModelKind::Auto,
        ModelKind::Baseline,
        ModelKind::Popularity,
        ModelKind::Profile,
        ModelKind::Ials,
        ModelKind::ItemKnn,
        ModelKind::Blend,
    ]
    .iter()
    .map(|&m| {
        let mut c = Config::with_model(m);
        c.auto.budget_seconds = 60.0;
        c
    })
    .collect();
    let cfg = EvalConfig {
        ks: a.k.clone(),
        ..EvalConfig::default()
    };
    let mut reports = Vec::new();
    let mut rankers: Vec<(String, Ranker)> = Vec::new();
    let mut blend = None;
    for config in &configs {
        let sp = ui.spinner(&format!(
            "training and evaluating {}",
            config.model.as_str()
        ));
        let model = train(&split.train, config)?;
        if let Some(sel) = model.selection() {
            sp.suspend(|| println!("auto on the training part:\n{sel}\n"));
        }
        let ranker = Ranker::new(model);
        reports.push(evaluate(&ranker, &split.test, &cfg)?);
        if config.model == ModelKind::Blend {
            blend = Some(ranker.clone());
        }
        rankers.push((config.model.as_str().to_string(), ranker));
        sp.finish_and_clear();
    }
    print!("{}", comparison_table(&reports));

    // What the value term buys: the blend at several γ (no retraining), against γ = 0
    // (its accuracy-only ranking) and the best other model.
    if let Some(blend) = blend {
        let sp = ui.spinner("sweeping the blend's value exponent");
        let quick = EvalConfig {
            bootstrap: BootstrapConfig {
                resamples: 0,
                ..BootstrapConfig::default()
            },
            ..cfg.clone()
        };
        let default_gamma = blend.model().config().blend.gamma;
        let mut gammas = vec![0.0, 0.25, 0.5, 1.0];
        if !gammas.contains(&default_gamma) {
            gammas.push(default_gamma);
            gammas.sort_by(f64::total_cmp);
        }
        let points = sweep_gamma(blend.model(), &split.test, &gammas, &quick)?;
        sp.finish_and_clear();
        let k_last = cfg.ks.len().saturating_sub(1);
        let best = reports
            .iter()
            .filter(|r| r.model != "blend")
            .max_by(|x, y| {
                let n = |r: &EvalReport| r.overall.get(k_last).map_or(0.0, |m| m.ndcg);
                n(x).total_cmp(&n(y))
            });
        println!(
            "
the blend's value exponent γ (default {default_gamma}): Δ against γ = 0 and the best other model"
        );
        print!("{}", sweep_table(&points, k_last, best));

        // Offline metrics only count orders the logs hold; the world's funnel can say
        // what each list would bring if promoters shared from it.
        let sp = ui.spinner("replaying the test window with promoters sharing from each list");
        for g in [0.0, 1.0] {
            if g != default_gamma {
                rankers.push((
                    format!("blend γ = {g}"),
                    Ranker::new(blend.model().with_gamma(g)?),
                ));
            }
        }
        let rc = synth::ReplayConfig::default();
        let mut rows = vec![(
            "her own browsing (logged)".to_string(),
            synth::logged(&world, at, window)?,
        )];
        for (name, ranker) in &rankers {
            let out = kocrank::study::replay_ranker(&world, at, window, &rc, ranker)?;
            rows.push((name.clone(), out));
        }
        sp.finish_and_clear();
        let reference = rows
            .iter()
            .position(|(n, _)| n == "blend γ = 0")
            .unwrap_or(0);
        let r = &rows[reference].1;
        println!(
            "\nreplay of the test window by the world's funnel: {} promoters share {} times, \
             each from her top {} (position-biased, by the world's share appeal); \
             per promoter, Δ against blend γ = 0 (`blend` is γ = {default_gamma}):",
            r.promoters, r.shares, rc.k
        );
        print!("{}", synth::replay_table(&rows, reference));
    }

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
            let i = r.item.index();
            println!(
                "{:>4} {:<12} {:<32} {:>10.2} {:>10.1}% {:>8.3}",
                pos + 1,
                r.item_id,
                c.category_path(r.item.get()),
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
