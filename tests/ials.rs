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
        ks: vec![3],
        ..Default::default()
    };
    let report = kocrank::eval::evaluate(&ranker, &split.test, &cfg).unwrap();
    assert_eq!(report.model, "ials");
    let m = report.overall[0];
    assert!((0.0..=1.0).contains(&m.ndcg) && (0.0..=1.0).contains(&m.recall));
}
