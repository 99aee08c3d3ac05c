//! Per-event weights: shares, refunds, cancellations and units in what the
//! interaction models fit.

use kocrank::auto::carve::carve;
use kocrank::config::AutoConfig;
use kocrank::data::events::{training_history, EventWeights};
use kocrank::data::{Dataset, DatasetBuilder, ItemRecord, OrderRecord, OrderStatus, ShareRecord};
use kocrank::selection::Holdout;
use kocrank::signals::item_knn::{ItemKnn, ItemKnnConfig};
use kocrank::synth::{generate, Scale};
use kocrank::{train, Config, ModelKind, RankRequest, Ranker};

/// Ten promoters each order `a` and `c`; each shares `b` (never ordered); each
/// refunds one `c`; one order of `d` is for 3 units.
fn log() -> Dataset {
    let mut b = DatasetBuilder::new();
    for id in ["a", "b", "c", "d"] {
        b.push_item(&ItemRecord {
            item_id: id,
            ..Default::default()
        })
        .unwrap();
    }
    let t0 = 1_700_000_000;
    for p in 0..10 {
        let pid = format!("p{p}");
        let t = t0 + p * 86_400;
        for (item, status, dt) in [
            ("a", "completed", 0),
            ("c", "completed", 60),
            ("c", "refunded", 120),
        ] {
            b.push_order(&OrderRecord {
                promoter_id: &pid,
                item_id: item,
                ts: t + dt,
                status: Some(status),
                ..Default::default()
            })
            .unwrap();
        }
        b.push_share(&ShareRecord {
            promoter_id: &pid,
            item_id: "b",
            ts: t + 30,
            ..Default::default()
        })
        .unwrap();
    }
    b.push_order(&OrderRecord {
        promoter_id: "p0",
        item_id: "d",
        ts: t0 + 200,
        quantity: Some(3),
        ..Default::default()
    })
    .unwrap();
    b.finish().unwrap()
}

fn neighbours_of(d: &Dataset, item: &str, events: &EventWeights) -> Vec<String> {
    let h = d.history();
    let t = training_history(d, &h, i64::MAX, events);
    let cfg = ItemKnnConfig {
        half_life_days: 0.0,
        ..ItemKnnConfig::default()
    };
    let knn = ItemKnn::fit(&t, d.catalog().len(), &cfg);
    let (n, s) = knn.neighbours(d.catalog().ids.get(item).unwrap());
    n.iter()
        .zip(s)
        .filter(|(_, &s)| s > 0.0)
        .map(|(&j, _)| d.catalog().ids.name(j).unwrap().to_string())
        .collect()
}

#[test]
fn a_share_weight_makes_shared_items_neighbours() {
    let d = log();
    let plain = EventWeights::default();
    assert!(!neighbours_of(&d, "a", &plain).contains(&"b".to_string()));
    let shares = EventWeights {
        share: 0.5,
        ..EventWeights::default()
    };
    assert!(neighbours_of(&d, "a", &shares).contains(&"b".to_string()));
}

#[test]
fn a_refund_weighed_minus_one_takes_the_order_back() {
    let d = log();
    assert!(neighbours_of(&d, "a", &EventWeights::default()).contains(&"c".to_string()));
    let refunds = EventWeights {
        refunded: -1.0,
        ..EventWeights::default()
    };
    assert!(!neighbours_of(&d, "a", &refunds).contains(&"c".to_string()));
    // Half a refund leaves half a preference.
    let half = EventWeights {
        refunded: -0.5,
        ..EventWeights::default()
    };
    assert!(neighbours_of(&d, "a", &half).contains(&"c".to_string()));
}

#[test]
fn entries_carry_the_weights_as_specified() {
    let d = log();
    let h = d.history();
    let cfg = EventWeights {
        order: 2.0,
        share: 0.25,
        received: 0.0,
        refunded: -0.5,
        cancelled: 0.0,
        quantity: true,
        ..EventWeights::default()
    };
    let t = training_history(&d, &h, i64::MAX, &cfg);
    let p0 = d.promoters().ids.get("p0").unwrap();
    let name = |i: u32| d.catalog().ids.name(i).unwrap();
    let got: Vec<(&str, f32)> = t
        .items(p0)
        .iter()
        .zip(t.weights(p0).unwrap())
        .map(|(&i, &w)| (name(i), w))
        .collect();
    // In time order: a, the share of b, c, the refund of c, 3 units of d.
    assert_eq!(
        got,
        vec![("a", 2.0), ("b", 0.25), ("c", 2.0), ("c", -0.5), ("d", 6.0)]
    );
    // Events at or after `until` are left out.
    let early = training_history(&d, &h, 1_700_000_000 + 31, &cfg);
    assert_eq!(early.items(p0).len(), 2);
    // The default is the completed orders themselves.
    assert_eq!(
        *training_history(&d, &h, i64::MAX, &EventWeights::default()),
        h
    );
}

#[test]
fn bad_weights_are_refused_naming_the_field() {
    let e = Config::from_toml_str("[events]\nshare = 50.0\n").unwrap_err();
    assert!(e.to_string().contains("events.share"), "{e}");
    let e = Config::from_toml_str("[events]\norder = 0.0\n").unwrap_err();
    assert!(e.to_string().contains("events.order"), "{e}");
}

/// The top 10 of the first 100 promoters.
fn lists(ranker: &Ranker, d: &Dataset) -> Vec<Vec<u32>> {
    (0..d.promoters().len().min(100) as u32)
        .map(|p| {
            let req = RankRequest::new(d.promoters().ids.name(p).unwrap(), 10);
            ranker
                .rank(&req)
                .unwrap()
                .iter()
                .map(|r| r.item.get())
                .collect()
        })
        .collect()
}

#[test]
fn nothing_changes_when_the_log_has_no_shares() {
    let w = generate(Scale::Tiny, 13).unwrap();
    let d = w.dataset.with_shares(Default::default()).unwrap();
    let mut cfg = Config::with_model(ModelKind::ItemKnn);
    let plain = Ranker::new(train(&d, &cfg).unwrap());
    cfg.events.share = 0.5;
    let with = Ranker::new(train(&d, &cfg).unwrap());
    assert_eq!(lists(&plain, &d), lists(&with, &d));
    // With the world's shares, the fitted model differs.
    let with_shares = Ranker::new(train(&w.dataset, &cfg).unwrap());
    let plain_shares =
        Ranker::new(train(&w.dataset, &Config::with_model(ModelKind::ItemKnn)).unwrap());
    assert_ne!(
        lists(&plain_shares, &w.dataset),
        lists(&with_shares, &w.dataset)
    );
}

#[test]
fn a_random_holdout_leaves_no_share_or_refund_of_a_held_out_pair_in_training() {
    let w = generate(Scale::Tiny, 14).unwrap();
    // No usable time order: every event at one instant.
    let (catalog, promoters, mut orders, mut shares) = w.dataset.clone().into_parts();
    orders.ts.iter_mut().for_each(|t| *t = 1_700_000_000);
    shares.ts.iter_mut().for_each(|t| *t = 1_700_000_000);
    let d = kocrank::Dataset::new(catalog, promoters, orders, shares).unwrap();
    let h = d.history();
    let c = carve(&d, &h, &AutoConfig::default());
    assert_eq!(c.holdout, Holdout::Random);
    let v = &c.valid.orders();
    let held: std::collections::HashSet<(u32, u32)> =
        (0..v.len()).map(|r| (v.promoter[r], v.item[r])).collect();
    assert!(!held.is_empty());
    let s = &c.train.shares();
    assert!((0..s.len()).all(|r| !held.contains(&(s.promoter[r], s.item[r]))));
    let o = &c.train.orders();
    assert!((0..o.len())
        .all(|r| o.status[r] == OrderStatus::Completed
            || !held.contains(&(o.promoter[r], o.item[r]))));
    // The world has shares of held-out pairs to remove.
    let all = &d.shares();
    assert!((0..all.len()).any(|r| held.contains(&(all.promoter[r], all.item[r]))));
}

#[test]
fn a_received_share_is_an_interaction_of_its_receiver_only_when_weighed() {
    let mut b = DatasetBuilder::new();
    let t0 = 1_700_000_000;
    for (p, item) in [("ann", "a"), ("bea", "b")] {
        b.push_order(&OrderRecord {
            promoter_id: p,
            item_id: item,
            ts: t0,
            ..Default::default()
        })
        .unwrap();
    }
    b.push_share(&ShareRecord {
        promoter_id: "ann",
        item_id: "a",
        ts: t0 + 10,
        receiver_id: Some("bea"),
        ..Default::default()
    })
    .unwrap();
    let d = b.finish().unwrap();
    let h = d.history();
    let bea = d.promoters().ids.get("bea").unwrap();
    let a = d.catalog().ids.get("a").unwrap();
    let b_item = d.catalog().ids.get("b").unwrap();
    // Unweighed, the receiver link teaches nothing.
    assert_eq!(
        *training_history(&d, &h, i64::MAX, &EventWeights::default()),
        h
    );
    let cfg = EventWeights {
        received: 0.3,
        ..EventWeights::default()
    };
    let t = training_history(&d, &h, i64::MAX, &cfg);
    assert_eq!(t.items(bea), &[b_item, a]);
    assert_eq!(t.weights(bea).unwrap(), &[1.0, 0.3]);
    // The sharer's own entries do not change (her share weight is 0).
    let ann = d.promoters().ids.get("ann").unwrap();
    assert_eq!(t.items(ann), &[a]);
    // A share received at or after `until` is left out.
    let early = training_history(&d, &h, t0 + 10, &cfg);
    assert_eq!(early.items(bea), &[b_item]);
    let e = Config::from_toml_str("[events]\nreceived = 11.0\n").unwrap_err();
    assert!(e.to_string().contains("events.received"), "{e}");
}

/// Ten promoters each buy `a`, view `b` (status `pv`) and put `c` in a cart
/// (`add-to-cart`), read from a CSV whose event column is `event_type`.
#[cfg(feature = "io")]
fn browse_log() -> Dataset {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    let mut text = String::from("user_id,item_id,timestamp,event_type\n");
    for p in 0..10 {
        let t = 1_700_000_000 + p * 86_400;
        for (item, kind, dt) in [("b", "pv", 0), ("c", "add-to-cart", 10), ("a", "buy", 20)] {
            text.push_str(&format!("p{p},{item},{},{kind}\n", t + dt));
        }
    }
    std::fs::write(&path, text).unwrap();
    let files = kocrank::io::DataFiles::orders(&path);
    kocrank::io::read_dataset(&files, &kocrank::io::ReadOptions::strict())
        .unwrap()
        .dataset
}

#[cfg(feature = "io")]
#[test]
fn views_and_carts_load_as_events_and_teach_only_when_weighed() {
    let d = browse_log();
    assert_eq!(d.orders().len(), 30);
    let count = |s: OrderStatus| d.orders().status.iter().filter(|&&x| x == s).count();
    assert_eq!(
        (
            count(OrderStatus::Completed),
            count(OrderStatus::Viewed),
            count(OrderStatus::Carted)
        ),
        (10, 10, 10)
    );
    // What she bought is her completed orders only.
    let h = d.history();
    assert_eq!(h.nnz(), 10);
    let others = |w: &EventWeights| -> Vec<String> {
        let mut v = neighbours_of(&d, "a", w);
        v.retain(|i| i != "a");
        v
    };
    let plain = others(&EventWeights::default());
    assert!(plain.is_empty(), "{plain:?}");
    let views = EventWeights {
        viewed: 0.1,
        ..EventWeights::default()
    };
    assert_eq!(others(&views), vec!["b".to_string()]);
    let carts = EventWeights {
        carted: 0.3,
        ..EventWeights::default()
    };
    assert_eq!(others(&carts), vec!["c".to_string()]);
    // auto's first wave tries them, on item-to-item and iALS.
    let profile = kocrank::data::DataProfile::of(&d);
    assert!(profile.present.views && profile.present.carts);
    let wave = kocrank::auto::space::first_wave(&Config::default(), &profile, 1, &mut Vec::new());
    let browse: Vec<&str> = wave
        .iter()
        .filter(|c| c.config.events.viewed > 0.0 && c.config.events.carted > 0.0)
        .map(|c| c.config.model.as_str())
        .collect();
    assert_eq!(browse, vec!["item_knn", "ials"]);
    // A log without them gets no such trial.
    let bare = kocrank::data::DataProfile::of(&log());
    let wave = kocrank::auto::space::first_wave(&Config::default(), &bare, 1, &mut Vec::new());
    assert!(wave.iter().all(|c| c.config.events.viewed == 0.0));
}

#[test]
fn an_unknown_event_kind_is_a_fault_naming_the_kinds() {
    let e = OrderStatus::parse("shipped").unwrap_err();
    assert!(
        e.contains("\"shipped\"") && e.contains("viewed or carted"),
        "{e}"
    );
    for (text, want) in [
        ("Purchase", OrderStatus::Completed),
        ("transaction", OrderStatus::Completed),
        ("CLICK", OrderStatus::Viewed),
        ("add_to_cart", OrderStatus::Carted),
        ("fav", OrderStatus::Carted),
        ("canceled", OrderStatus::Cancelled),
    ] {
        assert_eq!(OrderStatus::parse(text).unwrap(), want, "{text}");
    }
}

#[test]
fn a_row_weight_multiplies_its_event_weight() {
    let mut b = DatasetBuilder::new();
    for (item, weight) in [("a", None), ("b", Some(2.5)), ("c", Some(0.0))] {
        b.push_order(&OrderRecord {
            promoter_id: "p",
            item_id: item,
            ts: 1_700_000_000,
            weight,
            ..Default::default()
        })
        .unwrap();
    }
    let fault = b
        .push_order(&OrderRecord {
            promoter_id: "p",
            item_id: "a",
            ts: 1_700_000_000,
            weight: Some(-1.0),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(fault.column, "weight");
    let d = b.finish().unwrap();
    assert_eq!(d.orders().weight, vec![1.0, 2.5, 0.0]);
    let h = d.history();
    let name = |i: u32| d.catalog().ids.name(i).unwrap();
    let entries = |cfg: &EventWeights| {
        let t = training_history(&d, &h, i64::MAX, cfg);
        let w = t.weights(0).map(<[f32]>::to_vec);
        let items: Vec<&str> = t.items(0).iter().map(|&i| name(i)).collect();
        (items, w)
    };
    // A row weighing 0 teaches nothing; the others weigh their weight times 1.
    assert_eq!(
        entries(&EventWeights::default()),
        (vec!["a", "b"], Some(vec![1.0, 2.5]))
    );
    let doubled = EventWeights {
        order: 2.0,
        ..EventWeights::default()
    };
    assert_eq!(entries(&doubled), (vec!["a", "b"], Some(vec![2.0, 5.0])));
    // What she bought, for the rules and evaluation, is every completed order.
    assert_eq!(h.items(0).len(), 3);
}
