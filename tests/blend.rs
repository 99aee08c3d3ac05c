//! The learned blend: trains, ranks, explains itself exactly, and survives the model file.

use kocrank::signals::Context;
use kocrank::synth::{generate, Scale};
use kocrank::{model_file, train, Config, ModelKind, RankRequest, Ranker};

fn blend_ranker() -> (Ranker, kocrank::synth::World) {
    let world = generate(Scale::Tiny, 13).unwrap();
    let split = world
        .dataset
        .split(world.suggested_split(), 30 * 86_400)
        .unwrap();
    let cfg = Config {
        model: ModelKind::Blend,
        ..Config::default()
    };
    (Ranker::new(train(&split.train, &cfg).unwrap()), world)
}

#[test]
fn breakdown_adds_up_to_the_score() {
    let (r, _) = blend_ranker();
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
            now: m.trained_until(),
            fold_in: false,
        };
        for item in r.rank(&RankRequest::new(pid, 5)).unwrap() {
            let parts = m.breakdown(&ctx, item.item).unwrap();
            let sum: f64 = parts.iter().map(|c| c.contribution).sum();
            assert!(
                (sum - f64::from(item.score)).abs() < 1e-3,
                "{sum} vs {} for {parts:?}",
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
    let (r, world) = blend_ranker();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blend.kocrank");
    model_file::save(r.model(), &path).unwrap();
    let back = Ranker::new(model_file::load(&path).unwrap());
    for pid in world
        .dataset
        .promoters
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
    assert!(e.contains("blend.components") && e.contains("magic"), "{e}");
    let world = generate(Scale::Tiny, 13).unwrap();
    let mut cfg = Config {
        model: ModelKind::Blend,
        ..Config::default()
    };
    cfg.blend.label_days = 3000.0;
    let e = train(&world.dataset, &cfg).unwrap_err().to_string();
    assert!(e.contains("label window"), "{e}");
}
