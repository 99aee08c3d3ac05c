//! iALS through the whole pipeline: train, model file, ranking, fold-in.

use crate::util::hand_world;
use kocrank::model_file;
use kocrank::signals::ials::IalsConfig;
use kocrank::{train, Config, ModelKind, RankRequest, Ranker};

fn ials_config() -> Config {
    Config {
        model: ModelKind::Ials,
        ials: IalsConfig {
            factors: 8,
            iterations: 5,
            ..IalsConfig::default()
        },
        ..Config::default()
    }
}

#[test]
fn ials_model_file_round_trips_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(&hand_world(), &ials_config()).unwrap();
    let path = dir.path().join("ials.kocrank");
    model_file::save(&model, &path).unwrap();
    let back = model_file::load(&path).unwrap();
    assert_eq!(back.kind(), ModelKind::Ials);
    assert_eq!(back.config(), model.config());
    let (a, b) = (Ranker::new(model), Ranker::new(back));
    for p in ["m1", "m2", "c1", "m3", "unknown"] {
        let la = a.rank(&RankRequest::new(p, 6)).unwrap();
        assert_eq!(la, b.rank(&RankRequest::new(p, 6)).unwrap(), "{p}");
        assert!(la.iter().all(|r| r.score.is_finite()), "{p}: {la:?}");
    }
    let again = dir.path().join("again.kocrank");
    model_file::save(a.model(), &again).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn ials_evaluates_through_the_ranker() {
    let ds = hand_world();
    let split = ds.split(crate::util::hand_split_at(), 30 * 86_400).unwrap();
    let ranker = Ranker::new(train(&split.train, &ials_config()).unwrap());
    let cfg = kocrank::eval::EvalConfig {
        ks: vec![3, 6],
        ..Default::default()
    };
    let report = kocrank::eval::evaluate(&ranker, &split.test, &cfg).unwrap();
    assert_eq!(report.model, "ials");
    let m = report.overall[0];
    assert!((0.0..=1.0).contains(&m.ndcg) && (0.0..=1.0).contains(&m.recall));
    // HitRate@K by hand from the ranker's own lists: the share of test promoters whose
    // top K holds an item they ordered in the test window. At K = 6 (the whole
    // catalogue of 6 items, one out of stock) every promoter has a hit.
    let test = &split.test;
    let mut relevant: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        Default::default();
    for o in 0..test.orders().len() {
        let p = test
            .promoters()
            .ids
            .name(test.orders().promoter[o])
            .unwrap();
        let i = test.catalog().ids.name(test.orders().item[o]).unwrap();
        relevant.entry(p).or_default().insert(i);
    }
    assert_eq!(report.promoters, relevant.len());
    for (at, k) in [3, 6].into_iter().enumerate() {
        let hits = relevant
            .iter()
            .filter(|(p, items)| {
                let list = ranker.rank(&RankRequest::new(**p, k)).unwrap();
                list.iter().any(|r| items.contains(r.item_id.as_str()))
            })
            .count();
        let by_hand = hits as f64 / relevant.len() as f64;
        let got = report.overall[at].hit_rate;
        assert!((got - by_hand).abs() < 1e-9, "k={k}: {got} vs {by_hand}");
        if k == 6 {
            assert_eq!(hits, relevant.len(), "k=6 holds every in-stock item");
        }
    }
}
