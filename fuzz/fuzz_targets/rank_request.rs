//! Any JSON rank request against a small model ranks or fails with an error.
#![no_main]

use kocrank::synth::{generate, Scale};
use kocrank::{train, Config, ModelKind, RankRequest, Ranker};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn ranker() -> &'static Ranker {
    static R: OnceLock<Ranker> = OnceLock::new();
    R.get_or_init(|| {
        let world = generate(Scale::Tiny, 1).expect("tiny world");
        Ranker::new(
            train(
                &world.dataset,
                &Config {
                    model: ModelKind::Profile,
                    ..Config::default()
                },
            )
            .expect("model"),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = serde_json::from_slice::<RankRequest>(data) {
        if let Ok(list) = ranker().rank(&req) {
            assert!(list.len() <= req.k);
            assert!(list.iter().all(|r| r.score.is_finite()));
        }
    }
});
