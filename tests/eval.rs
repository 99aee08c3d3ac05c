//! Evaluation on the hand-made world, checked against values worked out on paper.

use crate::util::{hand_split_at, hand_world, DAY};
use kocrank::eval::{evaluate, EvalConfig};
use kocrank::{train, Config, ModelKind, Ranker};

#[test]
fn popularity_on_hand_world() {
    let split = hand_world().split(hand_split_at(), 30 * DAY).unwrap();
    let mut config = Config {
        model: ModelKind::Popularity,
        ..Config::default()
    };
    config.repurchase.durable_categories = vec!["3c".into()];
    let ranker = Ranker::new(train(&split.train, &config).unwrap());
    let cfg = EvalConfig {
        ks: vec![1, 5],
        ..EvalConfig::default()
    };
    let rep = evaluate(&ranker, &split.test, &cfg).unwrap();
    // Three promoters ordered in the test window: m1 (tissue), m2 (eggs), c1 (bra).
    assert_eq!(rep.promoters, 3);
    assert_eq!(rep.cold_promoters, 0);
    assert_eq!(rep.test_orders, 3);
    // At K=5 over 5 rankable items (cheap_phone out of stock; phone excluded for c1 as a
    // bought durable), every relevant item is in every list: recall 1, hit rate 1.
    assert_eq!(rep.overall[1].recall, 1.0);
    assert_eq!(rep.overall[1].hit_rate, 1.0);
    // bra was never ordered in training: it cannot be first for c1, so HitRate@1 < 1.
    assert!(rep.overall[0].hit_rate < 1.0);
    // GMV@5: tissue 29.00 + eggs 15.00 + bra 69.00, averaged over 3 promoters.
    assert!(
        (rep.overall[1].gmv - (29.0 + 15.0 + 69.0) / 3.0).abs() < 1e-9,
        "{}",
        rep.overall[1].gmv
    );
    let comm = (29.0 * 0.08 + 15.0 * 0.12 + 69.0 * 0.30) / 3.0;
    assert!((rep.overall[1].commission - comm).abs() < 1e-6);
    // Segments cover every evaluated promoter once per dimension.
    for dim in ["channel", "city_tier", "history"] {
        let n: usize = rep
            .segments
            .iter()
            .filter(|s| s.dimension == dim)
            .map(|s| s.promoters)
            .sum();
        assert_eq!(n, 3, "{dim}");
    }
}

#[test]
fn no_repeats_removes_training_items_from_relevance() {
    let split = hand_world().split(hand_split_at(), 30 * DAY).unwrap();
    let ranker = Ranker::new(
        train(
            &split.train,
            &Config::with_model(kocrank::ModelKind::Baseline),
        )
        .unwrap(),
    );
    // m2 re-ordered eggs? No: m2 bought rice and tissue in training, eggs is new.
    // c1 bought eggs and phone; bra is new. m1 bought rice and eggs; tissue is new.
    let cfg = EvalConfig {
        ks: vec![10],
        count_repeats: false,
        ..EvalConfig::default()
    };
    let rep = evaluate(&ranker, &split.test, &cfg).unwrap();
    assert_eq!(rep.promoters, 3);
    assert_eq!(rep.overall[0].recall, 1.0);
}

#[test]
fn empty_test_is_a_clear_error() {
    let ds = hand_world();
    let ranker =
        Ranker::new(train(&ds, &Config::with_model(kocrank::ModelKind::Baseline)).unwrap());
    let empty = ds.with_orders(ds.orders().filter(|_| false)).unwrap();
    let e = evaluate(&ranker, &empty, &EvalConfig::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("no promoter has a completed order"), "{e}");
    let e = evaluate(
        &ranker,
        &ds,
        &EvalConfig {
            ks: vec![],
            ..EvalConfig::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("no cut-off"));
}

/// The automatic split tests the last window up to the end of the last, partial day:
/// no order is in neither part. An explicit split counts what falls after its window.
#[test]
fn auto_split_keeps_the_last_partial_day() {
    use kocrank::data::{DatasetBuilder, OrderRecord};
    let t0 = 1_700_006_400; // a UTC midnight
    let times = [
        t0 + 10 * 3600,
        t0 + 20 * DAY + 10 * 3600,
        t0 + 45 * DAY + 3 * 3600,
        t0 + 45 * DAY + 22 * 3600,
    ];
    let mut b = DatasetBuilder::new();
    for (n, ts) in times.into_iter().enumerate() {
        b.push_order(&OrderRecord {
            promoter_id: if n % 2 == 0 { "p1" } else { "p2" },
            item_id: "x",
            ts,
            ..Default::default()
        })
        .unwrap();
    }
    let ds = b.finish().unwrap();
    let at = ds.last_window_start(30 * DAY).unwrap();
    assert_eq!(
        at,
        t0 + 16 * DAY,
        "the window ends at the midnight after the last order"
    );
    let split = ds.split(at, 30 * DAY).unwrap();
    assert_eq!(split.train.orders().ts, vec![times[0]]);
    assert_eq!(split.test.orders().ts, times[1..].to_vec());
    assert_eq!(split.excluded, 0);
    let early = ds.split(t0 + 10 * DAY, 20 * DAY).unwrap();
    assert_eq!(
        (
            early.train.orders().len(),
            early.test.orders().len(),
            early.excluded
        ),
        (1, 1, 2)
    );
}
