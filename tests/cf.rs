//! Collaborative-filtering models (item_knn, ease): model-file round trip, and quality
//! against the baseline on the synthetic tiny world.

use kocrank::eval::{evaluate, EvalConfig};
use kocrank::model_file;
use kocrank::synth::{generate, Scale};
use kocrank::{train, Config, ModelKind, RankRequest, Ranker};

const DAY: i64 = 86_400;

fn config(model: ModelKind) -> Config {
    Config {
        model,
        ..Config::default()
    }
}

fn round_trip(model: ModelKind) {
    let world = generate(Scale::Tiny, 1).unwrap();
    let trained = train(&world.dataset, &config(model)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.kocrank");
    model_file::save(&trained, &path).unwrap();
    let back = model_file::load(&path).unwrap();
    assert_eq!(back.kind(), model);
    let (a, b) = (Ranker::new(trained), Ranker::new(back));
    let ids: Vec<String> = (0..20u32)
        .filter_map(|p| world.dataset.promoters().ids.name(p).map(str::to_string))
        .chain(["newcomer".to_string()])
        .collect();
    for p in &ids {
        let (x, y) = (
            a.rank(&RankRequest::new(p.clone(), 20)).unwrap(),
            b.rank(&RankRequest::new(p.clone(), 20)).unwrap(),
        );
        assert_eq!(x, y, "{p}");
    }
    // Saving the loaded model again gives the same bytes.
    let again = dir.path().join("again.kocrank");
    model_file::save(b.model(), &again).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&again).unwrap()
    );
    // A damaged learned section is reported, never a panic.
    let bytes = std::fs::read(&path).unwrap();
    let cut = &bytes[..bytes.len() - 3];
    let e = model_file::from_bytes(cut, &path).unwrap_err().to_string();
    assert!(e.contains("corrupt model file"), "{e}");
}

#[test]
fn item_knn_round_trips() {
    round_trip(ModelKind::ItemKnn);
}

#[test]
fn ease_round_trips() {
    round_trip(ModelKind::Ease);
}

fn ndcg20(model: ModelKind) -> f64 {
    let world = generate(Scale::Tiny, 1).unwrap();
    let split = world
        .dataset
        .split(world.suggested_split(), 30 * DAY)
        .unwrap();
    let ranker = Ranker::new(train(&split.train, &config(model)).unwrap());
    let cfg = EvalConfig {
        ks: vec![20],
        ..EvalConfig::default()
    };
    evaluate(&ranker, &split.test, &cfg).unwrap().overall[0].ndcg
}

#[test]
fn item_knn_beats_the_baseline_on_the_tiny_world() {
    let (knn, base) = (ndcg20(ModelKind::ItemKnn), ndcg20(ModelKind::Baseline));
    assert!(
        knn > base,
        "item_knn NDCG@20 {knn:.4} vs baseline {base:.4}"
    );
}
