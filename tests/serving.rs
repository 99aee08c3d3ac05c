//! Serving: live item updates, and readers ranking while writers swap snapshots.

use kocrank::rank::{ItemUpdate, SharedRanker};
use kocrank::synth::{generate, Scale};
use kocrank::{train, Config, Error, ModelKind, RankRequest, Ranker};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

fn ranker() -> Ranker {
    let world = generate(Scale::Tiny, 8).unwrap();
    Ranker::new(
        train(
            &world.dataset,
            &Config {
                model: ModelKind::Profile,
                ..Config::default()
            },
        )
        .unwrap(),
    )
}

#[test]
fn updates_change_the_next_snapshot_only() {
    let r0 = ranker();
    let req = RankRequest::new("P000002", 5);
    let before = r0.rank(&req).unwrap();
    let top = before[0].item_id.clone();
    let r1 = r0
        .with_item_updates(&[ItemUpdate {
            item_id: top.clone(),
            in_stock: Some(false),
            ..Default::default()
        }])
        .unwrap();
    assert!(r1.rank(&req).unwrap().iter().all(|x| x.item_id != top));
    assert_eq!(
        r0.rank(&req).unwrap(),
        before,
        "the old snapshot is unchanged"
    );

    // A new item with content is ranked by its category at once.
    let cat = r0
        .model()
        .catalog()
        .category_path(before[0].item.get())
        .to_string();
    let new = ItemUpdate {
        item_id: "NEW-1".into(),
        category: Some(cat),
        price: Some(1_990),
        commission_rate: Some(0.2),
        ..Default::default()
    };
    let r2 = r1.with_item_updates(&[new]).unwrap();
    assert_eq!(r2.model().catalog().len(), r0.model().catalog().len() + 1);
    let mut with_new = RankRequest::new("P000002", 3);
    with_new.candidates = Some(vec!["NEW-1".into()]);
    assert_eq!(r2.rank(&with_new).unwrap()[0].item_id, "NEW-1");

    // Bad updates name the update and the field, and change nothing.
    for (u, field) in [
        (
            ItemUpdate {
                item_id: top.clone(),
                price: Some(-1),
                ..Default::default()
            },
            "price",
        ),
        (
            ItemUpdate {
                item_id: top.clone(),
                commission_rate: Some(1.5),
                ..Default::default()
            },
            "commission_rate",
        ),
        (
            ItemUpdate {
                item_id: top.clone(),
                reviews_positive: Some(i64::MAX),
                ..Default::default()
            },
            "reviews_positive",
        ),
        (
            ItemUpdate {
                item_id: top.clone(),
                category: Some("x".into()),
                ..Default::default()
            },
            "category",
        ),
        (
            ItemUpdate {
                item_id: "NEW-2".into(),
                category: Some("a/b/c/d".into()),
                ..Default::default()
            },
            "category",
        ),
    ] {
        let noop = ItemUpdate {
            item_id: top.clone(),
            ..Default::default()
        };
        let e = r1.with_item_updates(&[noop, u]).unwrap_err();
        assert!(matches!(e, Error::InvalidData { .. }), "{e}");
        let text = e.to_string();
        assert!(
            text.contains("updates[1]") && text.contains(field),
            "{text}"
        );
    }
}

#[test]
fn readers_rank_while_snapshots_are_swapped() {
    let shared = Arc::new(SharedRanker::new(ranker()));
    let snapshots = Arc::new(Mutex::new(vec![shared.load()]));
    let items: Vec<String> = shared
        .load()
        .model()
        .catalog()
        .ids
        .names()
        .take(40)
        .map(String::from)
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    // One more than the newest generation any reader has ranked with (0: none yet), so
    // that the first swap too waits for a reader: under load the readers may start
    // after the writer, and generation 0 would go unseen.
    let newest = Arc::new(AtomicU64::new(0));
    let promoters = ["P000001", "P000002", "P000003", "someone-new"];
    let readers: Vec<_> = (0..4)
        .map(|t| {
            let (shared, stop) = (Arc::clone(&shared), Arc::clone(&stop));
            let newest = Arc::clone(&newest);
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                let mut n = 0usize;
                while !stop.load(Ordering::Relaxed) || n < 50 {
                    let snap = shared.load();
                    let req = RankRequest::new(promoters[(t + n) % promoters.len()], 10);
                    let list = snap.rank(&req).expect("no request fails");
                    newest.fetch_max(snap.generation() + 1, Ordering::Relaxed);
                    seen.push((snap.generation(), req, list));
                    n += 1;
                }
                seen
            })
        })
        .collect();
    for round in 0..200 {
        // Swap only once a reader has ranked with the current generation, so that the
        // readers' answers span the swaps instead of all coming before or after them.
        let current = shared.load().generation();
        while newest.load(Ordering::Relaxed) <= current {
            std::thread::yield_now();
        }
        let item = items[round % items.len()].clone();
        let next = shared
            .update(|r| {
                r.with_item_updates(&[ItemUpdate {
                    item_id: item,
                    in_stock: Some(round % 3 != 0),
                    ..Default::default()
                }])
            })
            .unwrap();
        snapshots.lock().unwrap().push(next);
    }
    stop.store(true, Ordering::Relaxed);
    let snaps = snapshots.lock().unwrap();
    assert_eq!(snaps.len(), 201);
    let mut checked = 0;
    let mut generations = std::collections::BTreeSet::new();
    let mut readers_across_swaps = 0;
    for h in readers {
        let answers = h.join().unwrap();
        let own: std::collections::BTreeSet<u64> = answers.iter().map(|a| a.0).collect();
        readers_across_swaps += usize::from(own.len() >= 2);
        generations.extend(own);
        for (g, req, list) in answers {
            // Each answer is exactly what its own snapshot gives: one generation, whole.
            let snap = &snaps[g as usize];
            assert_eq!(snap.generation(), g);
            assert_eq!(snap.rank(&req).unwrap(), list, "generation {g}");
            checked += 1;
        }
    }
    assert!(checked >= 200, "{checked} answers checked");
    // Readers ranked with every generation but perhaps the last, while swaps ran.
    assert!(
        generations.len() >= 200,
        "{} generations seen",
        generations.len()
    );
    assert!(readers_across_swaps >= 1, "no reader saw two generations");
}
