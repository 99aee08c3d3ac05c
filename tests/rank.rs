//! The ranking pipeline on a hand-made world.

use crate::util::{hand_split_at, hand_world, DAY};
use kocrank::data::PromoterIdx;
use kocrank::rules::ExcludePurchased;
use kocrank::{train, Config, Error, ModelKind, RankRequest, Ranker};

fn ranker(kind: ModelKind) -> Ranker {
    let ds = hand_world();
    let split = ds.split(hand_split_at(), 30 * DAY).unwrap();
    let mut cfg = Config {
        model: kind,
        ..Config::default()
    };
    // Too few orders to learn that phones are durables: say so.
    cfg.repurchase.durable_categories = vec!["3c".into()];
    Ranker::new(train(&split.train, &cfg).unwrap())
}

fn ids(list: &[kocrank::Ranked]) -> Vec<&str> {
    list.iter().map(|r| r.item_id.as_str()).collect()
}

#[test]
fn baseline_smooths_few_reviews_and_drops_out_of_stock() {
    let r = ranker(ModelKind::Baseline);
    let list = r.rank(&RankRequest::new("m3", 6)).unwrap();
    let got = ids(&list);
    assert!(
        !got.contains(&"cheap_phone"),
        "out of stock is filtered: {got:?}"
    );
    assert_eq!(got.len(), 5);
    // bra has 3/3 reviews and the top commission; its quality percentile must be the lowest.
    let q = &r.model().quality().posterior;
    let bra = r.model().catalog().ids.get("bra").unwrap() as usize;
    let tissue = r.model().catalog().ids.get("tissue").unwrap() as usize;
    assert!(
        q[bra] < q[tissue],
        "3 of 3 must not beat 1960 of 2000: {q:?}"
    );
}

#[test]
fn durables_bought_are_excluded_consumables_kept() {
    let r = ranker(ModelKind::Popularity);
    let list = r.rank(&RankRequest::new("c1", 10)).unwrap();
    let got = ids(&list);
    assert!(
        !got.contains(&"phone"),
        "c1 bought a phone (durable): {got:?}"
    );
    assert!(got.contains(&"eggs"), "eggs are a consumable: {got:?}");
    let mut req = RankRequest::new("c1", 10);
    req.exclude_purchased = Some(ExcludePurchased::Never);
    assert!(ids(&r.rank(&req).unwrap()).contains(&"phone"));
    req.exclude_purchased = Some(ExcludePurchased::Always);
    let got = r.rank(&req).unwrap();
    assert!(!ids(&got).contains(&"eggs") && !ids(&got).contains(&"phone"));
}

#[test]
fn popularity_follows_the_channel() {
    let r = ranker(ModelKind::Popularity);
    // A new mother gets what mothers buy; rice is the mothers' most ordered item.
    let mut req = RankRequest::new("new-mother", 3);
    req.channel = Some(kocrank::data::Channel::Mother);
    req.city_tier = Some(4);
    let got = r.rank(&req).unwrap();
    assert_eq!(got[0].item_id, "rice", "{:?}", ids(&got));
}

#[test]
fn candidates_and_exclusions() {
    let r = ranker(ModelKind::Baseline);
    let mut req = RankRequest::new("m1", 5);
    req.candidates = Some(vec!["eggs".into(), "bra".into(), "tissue".into()]);
    req.exclude = vec!["bra".into(), "no-such-item".into()];
    let got = r.rank(&req).unwrap();
    let mut names = ids(&got);
    names.sort();
    assert_eq!(names, vec!["eggs", "tissue"]);
}

#[test]
fn bad_requests_get_typed_errors() {
    let r = ranker(ModelKind::Baseline);
    let e = r.rank(&RankRequest::new("m1", 0)).unwrap_err();
    assert!(matches!(e, Error::InvalidRequest { field: "k", .. }), "{e}");
    let e = r.rank(&RankRequest::new("m1", 1_000_000)).unwrap_err();
    assert!(e.to_string().contains("outside 1..=10000"), "{e}");
    let mut req = RankRequest::new("m1", 3);
    req.candidates = Some(vec!["SKU-991".into()]);
    let e = r.rank(&req).unwrap_err().to_string();
    assert!(e.contains("candidates") && e.contains("SKU-991"), "{e}");
    let mut req = RankRequest::new("new", 3);
    req.city_tier = Some(9);
    assert!(r.rank(&req).unwrap_err().to_string().contains("city_tier"));
    // No id is a mistake, not a newcomer; an unknown id is a newcomer.
    for empty in [
        RankRequest {
            k: 3,
            ..RankRequest::default()
        },
        RankRequest::new("  ", 3),
    ] {
        let e = r.rank(&empty).unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidRequest {
                    field: "promoter_id",
                    ..
                }
            ),
            "{e}"
        );
    }
    assert_eq!(
        r.rank(&RankRequest::new("someone-new", 3)).unwrap().len(),
        3
    );
}

#[test]
fn rank_index_equals_rank() {
    let r = ranker(ModelKind::Popularity);
    for p in 0..r.model().promoters().len() as u32 {
        let id = r.model().promoters().ids.name(p).unwrap();
        let ix = r.model().promoter_index(id).unwrap();
        assert_eq!(ix, PromoterIdx::new(p));
        assert_eq!(
            r.rank_index(ix, 4, None).unwrap(),
            r.rank(&RankRequest::new(id, 4)).unwrap()
        );
    }
    // The same bounds as `rank`: no silent clamp, no silent newcomer.
    let n = r.model().promoters().len() as u32;
    for (p, k, field) in [(0, 0, "k"), (0, 10_001, "k"), (n, 4, "promoter")] {
        match r.rank_index(PromoterIdx::new(p), k, None) {
            Err(Error::InvalidRequest { field: f, .. }) => assert_eq!(f, field),
            other => panic!("rank_index({p}, {k}): {other:?}"),
        }
    }
}

#[test]
fn recent_orders_fold_in_like_a_retrain() {
    // Train without m3's orders, then give them in the request; compare with a model
    // retrained with them. The channel profiles move a little with the extra orders,
    // so the lists are compared, not the exact scores.
    let ds = hand_world();
    let split = ds.split(hand_split_at(), 30 * DAY).unwrap();
    let cfg = Config {
        model: ModelKind::Profile,
        ..Config::default()
    };
    let r = Ranker::new(train(&split.train, &cfg).unwrap());
    let days: Vec<i64> = (1..=6).map(|d| hand_split_at() - d * DAY).collect();
    let mut req = RankRequest::new("m3", 4);
    req.exclude_purchased = Some(ExcludePurchased::Never);
    req.recent_orders = days
        .iter()
        .map(|&ts| kocrank::RecentOrder {
            item_id: "bra".into(),
            ts,
        })
        .collect();
    let folded = r.rank(&req).unwrap();

    let mut o = split.train.orders().clone();
    let (m3, bra) = (
        ds.promoters().ids.get("m3").unwrap(),
        ds.catalog().ids.get("bra").unwrap(),
    );
    for &ts in &days {
        o.promoter.push(m3);
        o.item.push(bra);
        o.ts.push(ts);
        o.quantity.push(1);
        o.amount_cents.push(6_900);
        o.status.push(kocrank::data::OrderStatus::Completed);
        o.order_id.push(kocrank::data::NO_ID);
        o.buyer.push(kocrank::data::NO_ID);
        o.group.push(kocrank::data::NO_ID);
    }
    let more = split.train.with_orders(o).unwrap();
    let retrained = Ranker::new(train(&more, &cfg).unwrap());
    req.recent_orders.clear();
    let again = retrained.rank(&req).unwrap();
    assert_eq!(ids(&folded), ids(&again));
    assert_eq!(folded[0].item_id, "bra");
    for (a, b) in folded.iter().zip(&again) {
        assert!((a.score - b.score).abs() < 0.5, "{a:?} vs {b:?}");
    }

    req.recent_orders = vec![kocrank::RecentOrder {
        item_id: "nothing".into(),
        ts: days[0],
    }];
    let e = r.rank(&req).unwrap_err().to_string();
    assert!(e.contains("recent_orders") && e.contains("nothing"), "{e}");
}
