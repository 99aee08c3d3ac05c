//! Re-ranking rules as invariants: whatever the rules and the request, no filtered item
//! appears, caps and k hold, boosts stay within their cap, exploration slots hold new
//! items, and the same request on the same day gives the same list.

use kocrank::data::NO_CATEGORY;
use kocrank::rules::{BrandBoost, Exploration, RulesConfig};
use kocrank::synth::{generate, Scale};
use kocrank::{train, Config, ModelKind, RankRequest, Ranker};
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const DAY: i64 = 86_400;

fn rankers() -> &'static Vec<Ranker> {
    static R: OnceLock<Vec<Ranker>> = OnceLock::new();
    R.get_or_init(|| {
        let world = generate(Scale::Tiny, 31).unwrap();
        let mut blend = Config {
            model: ModelKind::Blend,
            ..Config::default()
        };
        blend.blend.trees.count = 20;
        [
            Config {
                model: ModelKind::Profile,
                ..Config::default()
            },
            Config {
                model: ModelKind::Popularity,
                ..Config::default()
            },
            blend,
        ]
        .iter()
        .map(|c| Ranker::new(train(&world.dataset, c).unwrap()))
        .collect()
    })
}

prop_compose! {
    fn rules_strategy()(
        blocked in proptest::collection::vec(0usize..80, 0..3),
        min_quality in prop_oneof![Just(0.0), 0.8f64..0.97],
        category_cap in 0usize..4,
        cap_level in 1u8..=3,
        brand_cap in 0usize..3,
        diversity in prop_oneof![Just(0.0), 0.0f64..3.0],
        boosts in proptest::collection::vec((0usize..200, 0.1f64..3.0, 1usize..4), 0..3),
        slots in 0usize..4,
        seed in 0u64..5,
    ) -> (Vec<usize>, RulesConfig, Vec<(usize, f64, usize)>) {
        let rules = RulesConfig {
            min_quality,
            category_cap,
            cap_level,
            brand_cap,
            diversity,
            exploration: Exploration { slots, seed, ..Exploration::default() },
            ..RulesConfig::default()
        };
        (blocked, rules, boosts)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn rules_hold_for_every_list(
        model in 0usize..3,
        promoter in 0u32..300,
        k in 1usize..40,
        (blocked, mut rules, boosts) in rules_strategy(),
    ) {
        let ranker = &rankers()[model];
        let m = ranker.model();
        let c = m.catalog();
        let paths: Vec<&str> = c.taxonomy.paths.names().collect();
        rules.blocked_categories = blocked.iter().map(|&b| paths[b % paths.len()].to_string()).collect();
        let brands: Vec<&str> = c.brands.names().collect();
        rules.boosts = boosts
            .iter()
            .map(|&(b, boost, max_items)| BrandBoost { brand: brands[b % brands.len()].to_string(), boost, max_items })
            .collect();
        // A repeated brand would share one cap; keep the first of each.
        let mut seen = HashSet::new();
        rules.boosts.retain(|b| seen.insert(b.brand.clone()));
        let pid = m.promoters().ids.name(promoter).map_or_else(|| format!("new-{promoter}"), String::from);
        let mut req = RankRequest::new(pid, k);
        req.rules = Some(rules.clone());
        let list = ranker.rank(&req).unwrap();

        prop_assert!(list.len() <= k);
        let ids: HashSet<u32> = list.iter().map(|r| r.item.get()).collect();
        prop_assert_eq!(ids.len(), list.len(), "no item twice");
        let blocked_ids: HashSet<u32> = rules.blocked_categories.iter().filter_map(|p| c.taxonomy.paths.get(p)).collect();
        let level = usize::from(rules.cap_level) - 1;
        let mut per_cat: HashMap<u32, usize> = HashMap::new();
        let mut per_brand: HashMap<u32, usize> = HashMap::new();
        let mut boosted: HashMap<u32, usize> = HashMap::new();
        for r in &list {
            let i = r.item.index();
            prop_assert!(r.score.is_finite());
            prop_assert!(c.in_stock[i], "out of stock returned");
            prop_assert!(!c.category[i].iter().any(|x| blocked_ids.contains(x)), "blocked category returned");
            prop_assert!(m.quality().posterior[i] >= rules.min_quality as f32, "item under the quality floor returned");
            let cat = (0..=level).rev().map(|l| c.category[i][l]).find(|&x| x != NO_CATEGORY).unwrap();
            *per_cat.entry(cat).or_default() += 1;
            if c.brand[i] != 0 {
                *per_brand.entry(c.brand[i]).or_default() += 1;
            }
            if r.moved_by.iter().any(|x| x == "boost") {
                *boosted.entry(c.brand[i]).or_default() += 1;
            }
            if r.moved_by.iter().any(|x| x == "exploration") {
                let listed = c.listed_at[i].unwrap();
                // New means listed within `new_days` of the start of the ranking day.
                let today = m.trained_until() - m.trained_until().rem_euclid(DAY);
                prop_assert!(listed >= today - (rules.exploration.new_days * DAY as f64) as i64, "an exploration slot holds an old item");
            }
        }
        if rules.category_cap > 0 {
            prop_assert!(per_cat.values().all(|&n| n <= rules.category_cap), "category cap broken: {:?}", per_cat);
        }
        if rules.brand_cap > 0 {
            prop_assert!(per_brand.values().all(|&n| n <= rules.brand_cap), "brand cap broken");
        }
        for b in &rules.boosts {
            let id = c.brands.get(&b.brand).unwrap();
            prop_assert!(boosted.get(&id).copied().unwrap_or(0) <= b.max_items, "boost cap broken");
        }
        let explored = list.iter().filter(|r| r.moved_by.iter().any(|x| x == "exploration")).count();
        prop_assert!(explored <= rules.exploration.slots);
        // Same request, same list (the exploration draws are seeded by promoter and day).
        prop_assert_eq!(&ranker.rank(&req).unwrap(), &list);
    }
}

#[test]
fn no_rules_is_the_plain_top_k() {
    let ranker = &rankers()[0];
    let pid = ranker.model().promoters().ids.name(3).unwrap();
    let plain = ranker.rank(&RankRequest::new(pid, 20)).unwrap();
    let mut req = RankRequest::new(pid, 20);
    req.rules = Some(RulesConfig::default());
    assert_eq!(ranker.rank(&req).unwrap(), plain);
    assert!(plain.iter().all(|r| r.moved_by.is_empty()));
}

#[test]
fn caps_and_diversity_spread_the_list_over_categories() {
    let ranker = &rankers()[0];
    let m = ranker.model();
    let leaves = |list: &[kocrank::Ranked]| {
        list.iter()
            .map(|r| m.catalog().leaf_category(r.item.get()))
            .collect::<HashSet<_>>()
            .len()
    };
    let mut wider = 0;
    for p in 0..40u32 {
        let pid = m.promoters().ids.name(p).unwrap();
        let plain = ranker.rank(&RankRequest::new(pid, 20)).unwrap();
        let mut req = RankRequest::new(pid, 20);
        req.rules = Some(RulesConfig {
            category_cap: 2,
            cap_level: 3,
            diversity: 1.0,
            ..RulesConfig::default()
        });
        let spread = ranker.rank(&req).unwrap();
        assert_eq!(spread.len(), 20);
        assert!(leaves(&spread) >= leaves(&plain));
        if leaves(&spread) > leaves(&plain) {
            wider += 1;
            assert!(spread.iter().any(|r| r.moved_by == ["diversity"]));
        }
    }
    assert!(wider > 10, "caps widened only {wider} of 40 lists");
}

#[test]
fn bad_request_rules_are_typed_errors() {
    let ranker = &rankers()[0];
    let mut req = RankRequest::new("P000001", 10);
    req.rules = Some(RulesConfig {
        diversity: f64::NAN,
        ..RulesConfig::default()
    });
    let e = ranker.rank(&req).unwrap_err().to_string();
    assert!(e.contains("rules.diversity"), "{e}");
    req.rules = Some(RulesConfig {
        boosts: vec![BrandBoost {
            brand: "x".into(),
            boost: 0.5,
            max_items: 0,
        }],
        ..RulesConfig::default()
    });
    let e = ranker.rank(&req).unwrap_err().to_string();
    assert!(e.contains("rules.boosts[0].max_items"), "{e}");
}

#[test]
fn boosts_lift_the_brand_within_its_cap() {
    let ranker = &rankers()[1];
    let m = ranker.model();
    let c = m.catalog();
    let pid = m.promoters().ids.name(5).unwrap();
    let plain = ranker.rank(&RankRequest::new(pid, 20)).unwrap();
    // A branded item from deep in her list (past position 45).
    let deep = ranker.rank(&RankRequest::new(pid, 200)).unwrap();
    let far = deep[45..]
        .iter()
        .find(|r| c.brand[r.item.index()] != 0)
        .expect("a branded item past position 45");
    let brand_id = c.brand[far.item.index()];
    let brand = c.brand_name(far.item.get()).to_string();
    let before = plain
        .iter()
        .filter(|r| c.brand[r.item.index()] == brand_id)
        .count();
    let mut req = RankRequest::new(pid, 20);
    req.rules = Some(RulesConfig {
        boosts: vec![BrandBoost {
            brand,
            boost: 10.0,
            max_items: 2,
        }],
        ..RulesConfig::default()
    });
    let boosted = ranker.rank(&req).unwrap();
    let flagged = boosted.iter().filter(|r| r.moved_by == ["boost"]).count();
    assert_eq!(flagged, 2, "a boost of 10 lifts exactly max_items items");
    assert!(boosted[..2]
        .iter()
        .all(|r| c.brand[r.item.index()] == brand_id));
    let after = boosted
        .iter()
        .filter(|r| c.brand[r.item.index()] == brand_id)
        .count();
    assert!(after >= before.max(2));
}

#[test]
fn exploration_draws_change_by_day_not_by_call() {
    let ranker = &rankers()[1];
    let m = ranker.model();
    let pid = m.promoters().ids.name(7).unwrap();
    let rules = RulesConfig {
        exploration: Exploration {
            slots: 3,
            new_days: 60.0,
            ..Exploration::default()
        },
        ..RulesConfig::default()
    };
    let mut req = RankRequest::new(pid, 12);
    req.rules = Some(rules);
    let a = ranker.rank(&req).unwrap();
    assert_eq!(a, ranker.rank(&req).unwrap());
    let explored: Vec<usize> = a
        .iter()
        .enumerate()
        .filter(|(_, r)| r.moved_by == ["exploration"])
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        explored,
        vec![3, 6, 9],
        "three slots spread over 12 positions"
    );
    // Other seeds draw other items at least once among a few.
    let differs = (1..6u64).any(|seed| {
        let mut r = req.clone();
        if let Some(rules) = r.rules.as_mut() {
            rules.exploration.seed = seed;
        }
        let b = ranker.rank(&r).unwrap();
        b.iter()
            .filter(|x| x.moved_by == ["exploration"])
            .map(|x| x.item)
            .collect::<Vec<_>>()
            != a.iter()
                .filter(|x| x.moved_by == ["exploration"])
                .map(|x| x.item)
                .collect::<Vec<_>>()
    });
    assert!(differs);
    // The day is the request's, not the model's: two times of one day draw alike, and
    // the draws of other days differ at least once among a few.
    let drawn = |now: i64| {
        let mut r = req.clone();
        r.now = Some(now);
        let list = ranker.rank(&r).unwrap();
        list.iter()
            .filter(|x| x.moved_by == ["exploration"])
            .map(|x| x.item)
            .collect::<Vec<_>>()
    };
    let t = m.trained_until() + 3 * DAY;
    let day = t - t.rem_euclid(DAY);
    let today = drawn(day + 60);
    assert_eq!(today.len(), 3);
    assert_eq!(today, drawn(day + DAY - 60));
    assert!((1..6).any(|d| drawn(day + d * DAY) != today));
}

#[test]
fn explain_names_every_filter_the_ranking_applies() {
    let world = generate(Scale::Tiny, 31).unwrap();
    let d = &world.dataset;
    let top = d
        .catalog()
        .taxonomy
        .paths
        .name(d.catalog().top_category(0))
        .unwrap()
        .to_string();
    let mut cfg = Config::with_model(ModelKind::Popularity);
    cfg.rules.blocked_categories = vec![top.clone()];
    cfg.rules.min_quality = 0.9;
    let ranker = Ranker::new(train(d, &cfg).unwrap());
    let promoter = d.promoters().ids.name(0).unwrap();
    let full = ranker
        .rank(&RankRequest::new(
            promoter,
            d.catalog().len().min(kocrank::rank::MAX_K),
        ))
        .unwrap();
    let listed: HashSet<u32> = full.iter().map(|r| r.item.get()).collect();
    let (mut blocked, mut floor) = (0, 0);
    for i in 0..d.catalog().len().min(300) as u32 {
        let why = ranker
            .explain(promoter, d.catalog().ids.name(i).unwrap())
            .unwrap();
        // An item is left out by a filter exactly when explain names one.
        assert_eq!(
            why.filtered_by.is_empty(),
            listed.contains(&i),
            "item {i}: {why}"
        );
        if d.catalog().top_category(i) == d.catalog().top_category(0) {
            assert!(why.filtered_by.iter().any(|r| r.contains(&top)), "{why}");
            blocked += 1;
        }
        if why
            .filtered_by
            .iter()
            .any(|r| r.contains("below the floor 0.900"))
        {
            assert!(why.quality < 0.9, "{why}");
            floor += 1;
        }
    }
    assert!(
        blocked > 0 && floor > 0,
        "blocked {blocked}, below the floor {floor}"
    );
}
