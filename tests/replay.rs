//! The list replay: deterministic, fair between lists, and honest about what it counts.

use kocrank::study::replay_ranker;
use kocrank::synth::{generate, logged, replay, ReplayConfig, Scale, World};
use kocrank::{train, Config, ModelKind, Ranker};
use std::sync::OnceLock;

const WINDOW: i64 = 30 * 86_400;

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| generate(Scale::Tiny, 21).unwrap())
}

fn ranker(model: ModelKind) -> Ranker {
    let w = world();
    let split = w.dataset.split(w.suggested_split(), WINDOW).unwrap();
    Ranker::new(
        train(
            &split.train,
            &Config {
                model,
                ..Config::default()
            },
        )
        .unwrap(),
    )
}

#[test]
fn same_seed_same_outcome_and_seeds_differ() {
    let w = world();
    let r = ranker(ModelKind::Profile);
    let cfg = ReplayConfig::default();
    let a = replay_ranker(w, w.suggested_split(), WINDOW, &cfg, &r).unwrap();
    let b = replay_ranker(w, w.suggested_split(), WINDOW, &cfg, &r).unwrap();
    assert_eq!(a, b);
    assert!(a.orders > 0.0 && a.commission > 0.0 && a.units >= a.orders);
    let other = ReplayConfig { seed: 9, ..cfg };
    let c = replay_ranker(w, w.suggested_split(), WINDOW, &other, &r).unwrap();
    assert_eq!(c.promoters, a.promoters);
    assert_ne!(c.orders, a.orders);
}

#[test]
fn promoters_and_shares_are_those_of_the_window() {
    let w = world();
    let at = w.suggested_split();
    let s = &w.dataset.shares();
    let in_window: Vec<usize> = (0..s.len())
        .filter(|&r| (at..at + WINDOW).contains(&s.ts[r]))
        .collect();
    let mut sharers: Vec<u32> = in_window.iter().map(|&r| s.promoter[r]).collect();
    sharers.sort_unstable();
    sharers.dedup();
    let browsing = logged(w, at, WINDOW).unwrap();
    assert_eq!(browsing.promoters, sharers.len());
    assert_eq!(browsing.shares, in_window.len());
    // An empty list, or ids the world does not know, bring nothing.
    let cfg = ReplayConfig::default();
    let none = replay(w, at, WINDOW, &cfg, |_| Ok(Vec::new())).unwrap();
    assert_eq!(
        (none.promoters, none.shares),
        (sharers.len(), in_window.len())
    );
    assert_eq!(none.orders, 0.0);
    let unknown = replay(w, at, WINDOW, &cfg, |_| Ok(vec!["no-such-item".into()])).unwrap();
    assert_eq!(unknown.commission, 0.0);
    assert_eq!(unknown.unknown_items, sharers.len());
    assert_eq!(none.unknown_items, 0);
    // The list's errors come back; a window must be positive.
    let e = replay(w, at, WINDOW, &cfg, |p| {
        Err(kocrank::Error::Empty(format!("no list for {p}")))
    })
    .unwrap_err();
    assert!(e.to_string().contains("no list for"), "{e}");
    let e = logged(w, at, 0).unwrap_err().to_string();
    assert!(e.contains("replay window"), "{e}");
}

#[test]
fn lists_that_fit_the_circle_bring_more_orders_than_one_list_for_all() {
    // The world's buyers order by taste and price fit: a personal list beats the
    // platform's one list for everyone on orders.
    let w = world();
    let at = w.suggested_split();
    let cfg = ReplayConfig::default();
    let personal = ranker(ModelKind::Profile);
    let same = ranker(ModelKind::Baseline);
    let p = replay_ranker(w, at, WINDOW, &cfg, &personal).unwrap();
    let b = replay_ranker(w, at, WINDOW, &cfg, &same).unwrap();
    assert!(p.orders > b.orders, "{p:?} vs {b:?}");
}

#[test]
fn position_bias_weighs_the_top_of_the_list() {
    use kocrank::synth::PositionBias;
    assert_eq!(PositionBias::Log2.weight(1), 1.0);
    assert!((PositionBias::Log2.weight(3) - 0.5).abs() < 1e-12);
    assert_eq!(PositionBias::Reciprocal.weight(4), 0.25);
    assert_eq!(PositionBias::Uniform.weight(20), 1.0);
    assert_eq!(ReplayConfig::default().position, PositionBias::Log2);
    // Other weights, other picks: same shares, other orders.
    let w = world();
    let r = ranker(ModelKind::Profile);
    let log2 = ReplayConfig::default();
    let flat = ReplayConfig {
        position: PositionBias::Uniform,
        ..ReplayConfig::default()
    };
    let a = replay_ranker(w, w.suggested_split(), WINDOW, &log2, &r).unwrap();
    let b = replay_ranker(w, w.suggested_split(), WINDOW, &flat, &r).unwrap();
    assert_eq!(a.shares, b.shares);
    assert_ne!(a.commission, b.commission);
}
