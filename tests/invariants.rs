//! Property tests: what holds for every ranked list, whatever the request.

use kocrank::rules::ExcludePurchased;
use kocrank::synth::{generate, Scale};
use kocrank::{train, Config, ModelKind, RankRequest, Ranker};
use proptest::prelude::*;
use std::collections::HashSet;
use std::sync::OnceLock;

fn rankers() -> &'static Vec<Ranker> {
    static R: OnceLock<Vec<Ranker>> = OnceLock::new();
    R.get_or_init(|| {
        let world = generate(Scale::Tiny, 21).unwrap();
        ModelKind::ALL
            .iter()
            .map(|&m| {
                let mut config = Config {
                    model: m,
                    ..Config::default()
                };
                // A few trials keep `auto` quick; what it chose is ranked as any model.
                config.auto.max_trials = 4;
                let model = train(&world.dataset, &config).unwrap();
                if m == ModelKind::Auto {
                    assert!(model.selection().is_some(), "auto searched");
                }
                Ranker::new(model)
            })
            .collect()
    })
}

fn exclude_rule() -> impl Strategy<Value = Option<ExcludePurchased>> {
    prop_oneof![
        Just(None),
        Just(Some(ExcludePurchased::Never)),
        Just(Some(ExcludePurchased::Durables)),
        Just(Some(ExcludePurchased::Always)),
    ]
}

proptest! {
    // About 24 cases for each of the 9 models.
    #![proptest_config(ProptestConfig::with_cases(216))]

    #[test]
    fn lists_respect_k_candidates_filters_and_order(
        model in 0usize..ModelKind::ALL.len(),
        promoter in 0u32..260,
        k in 1usize..60,
        cand in proptest::collection::vec(0u32..600, 0..80),
        use_candidates in any::<bool>(),
        excl in proptest::collection::vec(0u32..600, 0..20),
        exclude_purchased in exclude_rule(),
        in_stock_only in proptest::option::of(any::<bool>()),
    ) {
        let ranker = &rankers()[model];
        let m = ranker.model();
        let n_items = m.catalog().len() as u32;
        let name = |i: u32| m.catalog().ids.name(i % n_items).unwrap().to_string();
        // Promoters past the table are newcomers (cold start).
        let pid = m.promoters().ids.name(promoter).map_or_else(|| format!("new-{promoter}"), String::from);
        let mut req = RankRequest::new(pid.clone(), k);
        let candidates: Option<HashSet<String>> = use_candidates.then(|| cand.iter().map(|&i| name(i)).collect());
        req.candidates = candidates.as_ref().map(|c| { let mut v: Vec<String> = c.iter().cloned().collect(); v.sort(); v });
        req.exclude = excl.iter().map(|&i| name(i)).collect();
        req.exclude_purchased = exclude_purchased;
        req.in_stock_only = in_stock_only;

        let list = ranker.rank(&req).unwrap();
        prop_assert!(list.len() <= k);
        let ids: HashSet<&str> = list.iter().map(|r| r.item_id.as_str()).collect();
        prop_assert_eq!(ids.len(), list.len(), "no item twice");
        for w in list.windows(2) {
            prop_assert!(w[0].score >= w[1].score, "sorted by score");
            if w[0].score == w[1].score {
                prop_assert!(w[0].item < w[1].item, "ties by item index");
            }
        }
        let stock_only = in_stock_only.unwrap_or(m.config().rules.in_stock_only);
        let bought: HashSet<u32> = m.promoters().ids.get(&pid).map(|p| m.history().items(p).iter().copied().collect()).unwrap_or_default();
        let rule = exclude_purchased.unwrap_or(m.config().rules.exclude_purchased);
        for r in &list {
            prop_assert!(r.score.is_finite());
            if let Some(c) = &candidates { prop_assert!(c.contains(&r.item_id), "only candidates"); }
            prop_assert!(!req.exclude.contains(&r.item_id), "excluded item returned");
            if stock_only { prop_assert!(m.catalog().in_stock[r.item.index()], "out of stock returned"); }
            match rule {
                ExcludePurchased::Always => prop_assert!(!bought.contains(&r.item.get())),
                ExcludePurchased::Durables => prop_assert!(!(bought.contains(&r.item.get()) && m.repurchase().is_durable(m.catalog(), r.item.get()))),
                ExcludePurchased::Never => {}
            }
        }
        // Same request, same list.
        prop_assert_eq!(&ranker.rank(&req).unwrap(), &list);
    }
}

/// The property above draws from one ranker per model kind (`auto` being the one
/// that searched).
#[test]
fn every_model_kind_is_ranked() {
    assert_eq!(rankers().len(), ModelKind::ALL.len());
    for (ranker, kind) in rankers().iter().zip(ModelKind::ALL) {
        let m = ranker.model();
        if kind == ModelKind::Auto {
            assert!(m.selection().is_some());
        } else {
            assert_eq!(m.kind(), kind);
            assert!(m.selection().is_none());
        }
    }
}

#[test]
fn same_list_whatever_the_thread_count() {
    for ranker in rankers() {
        let ids: Vec<String> = ranker
            .model()
            .promoters()
            .ids
            .names()
            .map(String::from)
            .collect();
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| kocrank::batch::rank_many(ranker, &ids, 10, |_| {}).unwrap())
        };
        assert_eq!(run(1), run(2), "{}", ranker.model().kind());
    }
}
