//! The learned blend: trains, ranks, explains itself exactly, and survives the model file.

use kocrank::blend::Learner;
use kocrank::signals::Context;
use kocrank::synth::{generate, Scale};
use kocrank::{model_file, train, Config, ModelKind, RankRequest, Ranker};

fn blend_ranker(learner: Learner) -> (Ranker, kocrank::synth::World) {
    let world = generate(Scale::Tiny, 13).unwrap();
    let split = world
        .dataset
        .split(world.suggested_split(), 30 * 86_400)
        .unwrap();
    let mut cfg = Config {
        model: ModelKind::Blend,
        ..Config::default()
    };
    cfg.blend.learner = learner;
    cfg.blend.trees.count = 30;
    (Ranker::new(train(&split.train, &cfg).unwrap()), world)
}

const LEARNERS: [Learner; 3] = [Learner::Lambdamart, Learner::Binary, Learner::Logistic];

#[test]
fn breakdown_adds_up_to_the_score() {
    for learner in LEARNERS {
        breakdown_adds_up_for(learner);
    }
}

fn breakdown_adds_up_for(learner: Learner) {
    let (r, _) = blend_ranker(learner);
    let m = r.model();
    let h = m.history();
    let mut checked = 0;
    for p in (0..m.promoters().len() as u32).step_by(17) {
        let pid = m.promoters().ids.name(p).unwrap();
        let ctx = Context {
            promoter: Some(p),
            channel: m.promoters().channel_of(p),
            city_tier: m.promoters().tier_of(p),
            history: h.items(p),
            history_ts: h.times(p),
            shares: m.recent_shares().items(p),
            shares_ts: m.recent_shares().times(p),
            now: m.trained_until(),
            fold_in: false,
        };
        for item in r.rank(&RankRequest::new(pid, 5)).unwrap() {
            let parts = m.breakdown(&ctx, item.item.get()).unwrap();
            let sum: f64 = parts.iter().map(|c| c.contribution).sum();
            assert!(
                (sum - f64::from(item.score)).abs() < 1e-3,
                "{learner:?}: {sum} vs {} for {parts:?}",
                item.score
            );
            assert!(parts.iter().any(|c| c.name == "score_profile"));
            checked += 1;
        }
    }
    assert!(checked > 20);
}

#[test]
fn blend_round_trips_through_the_model_file() {
    for learner in LEARNERS {
        round_trips_for(learner);
    }
}

fn round_trips_for(learner: Learner) {
    let (r, world) = blend_ranker(learner);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blend.kocrank");
    model_file::save(r.model(), &path).unwrap();
    let back = Ranker::new(model_file::load(&path).unwrap());
    for pid in world
        .dataset
        .promoters()
        .ids
        .names()
        .take(25)
        .chain(["newcomer"])
    {
        assert_eq!(
            r.rank(&RankRequest::new(pid, 8)).unwrap(),
            back.rank(&RankRequest::new(pid, 8)).unwrap()
        );
    }
}

#[test]
fn blend_config_errors_are_clear() {
    let e = Config::from_toml_str("model = \"blend\"\n[blend]\ncomponents = [\"magic\"]")
        .unwrap_err()
        .to_string();
    // The parser names the line, the unknown model and the models there are.
    assert!(
        e.contains("components") && e.contains("magic") && e.contains("item_knn"),
        "{e}"
    );
    let world = generate(Scale::Tiny, 13).unwrap();
    let mut cfg = Config {
        model: ModelKind::Blend,
        ..Config::default()
    };
    cfg.blend.label_days = 3000.0;
    let e = train(&world.dataset, &cfg).unwrap_err().to_string();
    assert!(e.contains("label window"), "{e}");
}

#[test]
fn gamma_trades_accuracy_for_commission_without_retraining() {
    let (r, world) = blend_ranker(Learner::Lambdamart);
    let m = r.model();
    let split = world
        .dataset
        .split(world.suggested_split(), 30 * 86_400)
        .unwrap();
    let cfg = kocrank::eval::EvalConfig {
        bootstrap: kocrank::eval::BootstrapConfig {
            resamples: 0,
            ..Default::default()
        },
        ..Default::default()
    };
    let points = kocrank::eval::sweep_gamma(m, &split.test, &[0.0, 0.5, 2.0], &cfg).unwrap();
    assert_eq!(points.len(), 3);
    // Listed items' mean commission value rises with γ (what the value term is for).
    let value = |g: f64| {
        let rg = Ranker::new(m.with_gamma(g).unwrap());
        let mut total = 0.0;
        for pid in m.promoters().ids.names().take(60) {
            for item in rg.rank(&RankRequest::new(pid, 10)).unwrap() {
                total += m.catalog().commission_cents(item.item.get());
            }
        }
        total
    };
    assert!(value(2.0) > value(0.0));
    assert!(m.with_gamma(3.0).is_err());
    let table = kocrank::eval::sweep_table(&points, 2, None);
    assert!(
        table.contains("ndcg@20") && table.lines().count() == 4,
        "{table}"
    );
}

#[test]
fn value_headroom_agrees_with_the_sweep_and_rejects_bad_input() {
    let world = generate(Scale::Tiny, 4).unwrap();
    let split = world
        .dataset
        .split(world.suggested_split(), 30 * 86_400)
        .unwrap();
    let mut config = Config {
        model: ModelKind::Blend,
        ..Config::default()
    };
    config.blend.trees.count = 20;
    let model = train(&split.train, &config).unwrap();
    let cfg = kocrank::eval::EvalConfig {
        bootstrap: kocrank::eval::BootstrapConfig {
            resamples: 0,
            ..Default::default()
        },
        ..Default::default()
    };
    let h = kocrank::eval::value_headroom(&model, &split.test, 20, 100, &cfg).unwrap();
    // The accuracy list is the γ = 0 list the sweep evaluates, on the promoters the
    // blend scores: every test promoter but those with no training order (ranked by
    // the newcomer list), so the sweep's overall figures less its `no orders` segment.
    let points = kocrank::eval::sweep_gamma(&model, &split.test, &[0.0], &cfg).unwrap();
    let report = &points[0].report;
    assert_eq!(report.ks[2], 20);
    assert_eq!(h.promoters + h.newcomers, report.promoters);
    assert_eq!(h.newcomers, report.cold_promoters);
    assert!(h.newcomers > 0 && h.promoters > 0);
    let cold = report
        .segments
        .iter()
        .find(|s| s.dimension == "history" && s.segment == "no orders")
        .unwrap();
    let (n, n_cold) = (report.promoters as f64, h.newcomers as f64);
    let warm = |all: f64, cold: f64| (all * n - cold * n_cold) / (n - n_cold);
    let at20 = &report.overall[2];
    let commission = warm(at20.commission, cold.metrics[2].commission);
    let ndcg = warm(at20.ndcg, cold.metrics[2].ndcg);
    assert!((h.accuracy.commission - commission).abs() < 1e-9 * (1.0 + commission));
    assert!((h.accuracy.ndcg - ndcg).abs() < 1e-9);
    // Sorting by expected value maximises the expected commission of the top 20.
    assert!(h.expected_accuracy > 0.0);
    assert!(h.expected_value >= h.expected_accuracy);
    assert!(h.summary().contains("value headroom"));

    let e = kocrank::eval::value_headroom(&model, &split.test, 20, 10, &cfg).unwrap_err();
    assert!(e.to_string().contains("pool"), "{e}");
    let knn = train(
        &split.train,
        &Config {
            model: ModelKind::ItemKnn,
            ..Config::default()
        },
    )
    .unwrap();
    let e = kocrank::eval::value_headroom(&knn, &split.test, 20, 100, &cfg).unwrap_err();
    assert!(e.to_string().contains("blend"), "{e}");
}

#[test]
fn unsold_shares_join_the_negatives_only_when_asked_and_shared() {
    let world = generate(Scale::Tiny, 8).unwrap();
    let ds = &world.dataset;
    assert!(!ds.shares().is_empty());
    let lists = |data: &kocrank::Dataset, share_negatives: usize| {
        let mut cfg = Config::with_model(ModelKind::Blend);
        cfg.blend.trees.count = 20;
        cfg.blend.share_negatives = share_negatives;
        let ranker = Ranker::new(train(data, &cfg).unwrap());
        (0..40)
            .map(|p| {
                let id = data.promoters().ids.name(p).unwrap();
                ranker.rank(&RankRequest::new(id, 10)).unwrap()
            })
            .collect::<Vec<_>>()
    };
    // With shares in the label window, their unsold items change what is learned.
    assert_ne!(lists(ds, 0), lists(ds, 10));
    // Without shares the option has nothing to read: the same model.
    let no_shares = ds.with_shares(Default::default()).unwrap();
    assert_eq!(lists(&no_shares, 0), lists(&no_shares, 10));
}

#[test]
fn share_features_read_her_last_shares_only_where_the_log_has_them() {
    let world = generate(Scale::Tiny, 8).unwrap();
    let ds = &world.dataset;
    const MEMORY: usize = 20;
    let fit = |data: &kocrank::Dataset, on: bool, learner: Learner| {
        let mut cfg = Config::with_model(ModelKind::Blend);
        cfg.blend.trees.count = 20;
        cfg.blend.learner = learner;
        cfg.blend.share_memory = if on { MEMORY } else { 0 };
        train(data, &cfg).unwrap()
    };
    let lists = |m: &kocrank::Model| {
        let ranker = Ranker::new(m.clone());
        (0..40)
            .map(|p| {
                let id = m.promoters().ids.name(p).unwrap();
                ranker.rank(&RankRequest::new(id, 10)).unwrap()
            })
            .collect::<Vec<_>>()
    };
    let reads = |m: &kocrank::Model| {
        let names = &m.blend().unwrap().names;
        let n = names.iter().filter(|n| n.starts_with("shared_")).count();
        (n, names.iter().any(|n| n == "share_recency"))
    };

    let on = fit(ds, true, Learner::Binary);
    assert_eq!(reads(&on), (3, true));
    // Every promoter who shared keeps her last shares, no more than `share_memory`.
    let mut sharers = ds.shares().promoter.clone();
    sharers.sort_unstable();
    sharers.dedup();
    let kept = on.recent_shares();
    let n = on.promoters().len() as u32;
    assert_eq!((0..n).filter(|&p| kept.count(p) > 0).count(), sharers.len());
    assert!((0..n).all(|p| kept.count(p) <= MEMORY));
    assert!((0..n).any(|p| kept.count(p) == MEMORY));
    // The file keeps them: the loaded model ranks the same.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.kocrank");
    model_file::save(&on, &path).unwrap();
    let loaded = model_file::load(&path).unwrap();
    assert_eq!(loaded.recent_shares(), kept);
    assert_eq!(lists(&loaded), lists(&on));

    // Off, or a log without shares: no share feature, no share kept, one model.
    let off = fit(ds, false, Learner::Binary);
    let none = fit(
        &ds.with_shares(Default::default()).unwrap(),
        true,
        Learner::Binary,
    );
    for m in [&off, &none] {
        assert_eq!(reads(m), (0, false));
        assert_eq!(m.recent_shares().nnz(), 0);
    }
    assert_eq!(lists(&off), lists(&none));
    assert_ne!(lists(&on), lists(&off));
    // The explanation says how often she shared an item she shared.
    let ranker = Ranker::new(on.clone());
    let (p, item) = (0..n)
        .find_map(|p| kept.items(p).last().map(|&i| (p, i)))
        .unwrap();
    let pid = on.promoters().ids.name(p).unwrap();
    let why = ranker
        .explain(pid, on.catalog().ids.name(item).unwrap())
        .unwrap();
    let times = kept.items(p).iter().filter(|&&i| i == item).count();
    assert_eq!(why.item_shares, times);
    assert!(why.days_since_shared.is_some());
    let said = if times == 1 {
        "once".to_string()
    } else {
        format!("{times} times")
    };
    assert!(why.to_string().contains(&format!("she shared it {said}")));

    // A share sent with the request is read as hers: the item she just shared scores
    // otherwise than without it (a linear learner weighs `shared_item` for sure).
    let linear = Ranker::new(fit(ds, true, Learner::Logistic));
    let m = linear.model();
    let p = (0..n).find(|&p| m.history().count(p) > 3).unwrap();
    let pid = m.promoters().ids.name(p).unwrap();
    let all = m.catalog().len();
    let before = linear.rank(&RankRequest::new(pid, all)).unwrap();
    // One of her top items (in the learner's candidate pool) that she never shared.
    let shared = before
        .iter()
        .map(|r| r.item.get())
        .find(|i| !m.recent_shares().items(p).contains(i))
        .unwrap();
    let item_id = m.catalog().ids.name(shared).unwrap().to_string();
    let mut req = RankRequest::new(pid, all);
    req.recent_shares = vec![kocrank::RecentOrder {
        item_id,
        ts: m.trained_until() - 3_600,
    }];
    let after = linear.rank(&req).unwrap();
    let score = |l: &[kocrank::Ranked]| l.iter().find(|r| r.item.get() == shared).unwrap().score;
    assert_ne!(score(&before), score(&after));
}
