//! The promoter network: newcomers ranked from their segment's popularity, tilted
//! toward their inviter's categories when borrowing is on.

use kocrank::data::network::NetworkConfig;
use kocrank::data::{
    Dataset, DatasetBuilder, ItemRecord, OrderRecord, PromoterRecord, ShareRecord,
};
use kocrank::synth::{generate, Scale};
use kocrank::{train, Config, Error, ModelKind, RankRequest, Ranker};

/// Ten items in each of two top-level categories; thirty promoters buy only `a`
/// items, so the segment's popularity favours them; `ann` buys only `b` items; `bea`
/// (invited by `ann`) and `cat` (invited by `bea`) have no orders; `dot` and `eve` are
/// invited by nobody and have no orders.
fn two_camps() -> Dataset {
    camps().finish().unwrap()
}

/// [`two_camps`], before its shares (none) and its end.
fn camps() -> DatasetBuilder {
    let mut b = DatasetBuilder::new();
    for camp in ["a", "b"] {
        for j in 0..10 {
            let id = format!("{camp}{j}");
            let cat = format!("{camp}/x/y");
            b.push_item(&ItemRecord {
                item_id: &id,
                category: Some(&cat),
                ..Default::default()
            })
            .unwrap();
        }
    }
    b.push_promoter(&PromoterRecord {
        promoter_id: "ann",
        ..Default::default()
    })
    .unwrap();
    for (p, inv) in [("bea", "ann"), ("cat", "bea")] {
        b.push_promoter(&PromoterRecord {
            promoter_id: p,
            inviter_id: Some(inv),
            ..Default::default()
        })
        .unwrap();
    }
    for p in ["dot", "eve"] {
        b.push_promoter(&PromoterRecord {
            promoter_id: p,
            ..Default::default()
        })
        .unwrap();
    }
    let t0 = 1_700_000_000;
    for p in 0..30 {
        let pid = format!("p{p}");
        b.push_promoter(&PromoterRecord {
            promoter_id: &pid,
            ..Default::default()
        })
        .unwrap();
        for j in 0..5 {
            let item = format!("a{}", (p + j) % 10);
            b.push_order(&OrderRecord {
                promoter_id: &pid,
                item_id: &item,
                ts: t0 + (p * 10 + j) as i64 * 3600,
                ..Default::default()
            })
            .unwrap();
        }
    }
    for j in 0..8 {
        let item = format!("b{j}");
        b.push_order(&OrderRecord {
            promoter_id: "ann",
            item_id: &item,
            ts: t0 + j * 3600,
            ..Default::default()
        })
        .unwrap();
    }
    b
}

fn config(kind: ModelKind, inviter_orders: usize) -> Config {
    let mut c = Config::with_model(kind);
    c.network = NetworkConfig {
        inviter_orders,
        prior_orders: 1.0,
        ..NetworkConfig::default()
    };
    c
}

fn top(ranker: &Ranker, req: &RankRequest) -> Vec<String> {
    ranker
        .rank(req)
        .unwrap()
        .into_iter()
        .map(|r| r.item_id)
        .collect()
}

fn camp(list: &[String]) -> String {
    list.iter().map(|i| &i[..1]).collect()
}

#[test]
fn an_inviter_tilts_a_newcomers_list_toward_her_circles_categories() {
    let d = two_camps();
    for kind in [ModelKind::Popularity, ModelKind::ItemKnn] {
        let off = Ranker::new(train(&d, &config(kind, 0)).unwrap());
        let on = Ranker::new(train(&d, &config(kind, 50)).unwrap());
        let bea = RankRequest::new("bea", 5);
        // Off: her segment's popularity, the `a` camp.
        assert_eq!(camp(&top(&off, &bea)), "aaaaa", "{kind}");
        // On: her inviter bought only `b` items, and they lead.
        assert_eq!(camp(&top(&on, &bea)), "bbbbb", "{kind}");
        // One level up the chain: `cat`'s inviter `bea` has no orders, `ann` has.
        assert_eq!(camp(&top(&on, &RankRequest::new("cat", 5))), "bbbbb");
        let mut no_chain = config(kind, 50);
        no_chain.network.follow_chain = false;
        let no_chain = Ranker::new(train(&d, &no_chain).unwrap());
        assert_eq!(camp(&top(&no_chain, &RankRequest::new("cat", 5))), "aaaaa");
        // Nobody invited `dot`: popularity either way.
        let dot = RankRequest::new("dot", 5);
        assert_eq!(top(&on, &dot), top(&off, &dot));
        // An unknown promoter naming her inviter gets what a known invitee gets.
        let mut newcomer = RankRequest::new("someone-new", 5);
        newcomer.inviter_id = Some("ann".into());
        assert_eq!(top(&on, &newcomer), top(&on, &bea));
    }
}

#[test]
fn an_unknown_inviter_id_is_named_in_the_error() {
    let d = two_camps();
    let ranker = Ranker::new(train(&d, &config(ModelKind::Popularity, 50)).unwrap());
    let mut req = RankRequest::new("someone-new", 5);
    req.inviter_id = Some("ghost".into());
    match ranker.rank(&req) {
        Err(Error::InvalidRequest { field, message }) => {
            assert_eq!(field, "inviter_id");
            assert!(message.contains("ghost"), "{message}");
        }
        other => panic!("expected an invalid request, got {other:?}"),
    }
}

#[test]
fn a_newcomer_never_gets_less_than_her_segments_popularity() {
    // Whatever the model, a promoter with no orders (known or not) gets the list the
    // popularity model gives her: a learned model's cold start cannot fall below it.
    let w = generate(Scale::Tiny, 11).unwrap();
    let h = w.dataset.history();
    let empty: Vec<&str> = (0..w.dataset.promoters().len() as u32)
        .filter(|&p| h.count(p) == 0)
        .take(5)
        .map(|p| w.dataset.promoters().ids.name(p).unwrap())
        .collect();
    assert!(
        !empty.is_empty(),
        "the tiny world has promoters with no orders"
    );
    let pop = Ranker::new(train(&w.dataset, &Config::with_model(ModelKind::Popularity)).unwrap());
    for kind in [ModelKind::ItemKnn, ModelKind::Ials, ModelKind::Profile] {
        let m = Ranker::new(train(&w.dataset, &Config::with_model(kind)).unwrap());
        for id in &empty {
            let req = RankRequest::new(*id, 10);
            assert_eq!(top(&m, &req), top(&pop, &req), "{kind} {id}");
        }
        let mut unknown = RankRequest::new("someone-new", 10);
        unknown.channel = Some(kocrank::data::Channel::Reseller);
        unknown.city_tier = Some(3);
        assert_eq!(top(&m, &unknown), top(&pop, &unknown), "{kind}");
        // A promoter with orders is not ranked by popularity.
        let most = (0..w.dataset.promoters().len() as u32)
            .max_by_key(|&p| (h.count(p), std::cmp::Reverse(p)))
            .unwrap();
        let known = w.dataset.promoters().ids.name(most).unwrap();
        let req = RankRequest::new(known, 10);
        assert_ne!(top(&m, &req), top(&pop, &req), "{kind}");
    }
}

#[test]
fn nothing_changes_when_the_log_has_no_inviters() {
    let w = generate(Scale::Tiny, 12).unwrap();
    let (catalog, promoters, orders, shares) = w.dataset.clone().into_parts();
    let mut promoters = (*promoters).clone();
    promoters.inviter.iter_mut().for_each(|x| *x = None);
    let d = kocrank::Dataset::new(catalog, promoters, orders, shares).unwrap();
    let off = Ranker::new(train(&d, &config(ModelKind::ItemKnn, 0)).unwrap());
    let on = Ranker::new(train(&d, &config(ModelKind::ItemKnn, 50)).unwrap());
    for p in 0..d.promoters().len().min(200) as u32 {
        let req = RankRequest::new(d.promoters().ids.name(p).unwrap(), 10);
        assert_eq!(top(&on, &req), top(&off, &req));
    }
}

/// [`two_camps`] where `eve`, who has no order, shared three `b` items.
fn eve_shares() -> Dataset {
    let mut b = camps();
    for (j, item) in ["b1", "b2", "b3"].into_iter().enumerate() {
        b.push_share(&ShareRecord {
            promoter_id: "eve",
            item_id: item,
            ts: 1_700_100_000 + j as i64,
            ..Default::default()
        })
        .unwrap();
    }
    b.finish().unwrap()
}

fn shares_on(kind: ModelKind) -> Config {
    let mut c = Config::with_model(kind);
    c.network.own_shares = 50;
    c
}

#[test]
fn a_newcomers_own_shares_rank_her_until_her_first_order() {
    let d = eve_shares();
    let eve = RankRequest::new("eve", 5);
    for kind in [ModelKind::ItemKnn, ModelKind::Profile, ModelKind::BuyAgain] {
        // Off by default.
        let off = Ranker::new(train(&d, &Config::with_model(kind)).unwrap());
        let on = Ranker::new(train(&d, &shares_on(kind)).unwrap());
        // Off: her segment's popularity, the `a` camp.
        assert_eq!(camp(&top(&off, &eve)), "aaaaa", "{kind}");
        // On: she shared `b` items, and the model ranks her from them.
        let list = top(&on, &eve);
        assert_eq!(&camp(&list)[..3], "bbb", "{kind} {list:?}");
        assert_eq!(on.model().newcomer_shares().nnz(), 3);
        // What she shared is not what she bought: the rules leave it in.
        let mut always = eve.clone();
        always.exclude_purchased = Some(kocrank::rules::ExcludePurchased::Always);
        assert_eq!(top(&on, &always), list, "{kind}");
        // Her first order ends it: she is ranked from her orders.
        let mut first = eve.clone();
        first.recent_orders = vec![kocrank::RecentOrder {
            item_id: "a3".into(),
            ts: 1_700_200_000,
        }];
        assert_ne!(top(&on, &first), list, "{kind}");
    }
    // `explain` says so.
    let on = Ranker::new(train(&d, &shares_on(ModelKind::ItemKnn)).unwrap());
    let text = on.explain("eve", "b1").unwrap().to_string();
    assert!(text.contains("ranked from the items she shared"), "{text}");
    assert!(text.contains("she shared it once"), "{text}");
}

#[test]
fn a_model_file_keeps_the_newcomers_shares() {
    let d = eve_shares();
    let m = train(&d, &shares_on(ModelKind::ItemKnn)).unwrap();
    let bytes = kocrank::model_file::to_bytes(&m).unwrap();
    let back = kocrank::model_file::from_bytes(&bytes, std::path::Path::new("mem")).unwrap();
    assert_eq!(back.newcomer_shares(), m.newcomer_shares());
    let eve = RankRequest::new("eve", 5);
    assert_eq!(top(&Ranker::new(back), &eve), top(&Ranker::new(m), &eve));
}

#[test]
fn an_unknown_newcomer_is_ranked_from_the_shares_her_request_carries() {
    let d = eve_shares();
    let shared: Vec<kocrank::RecentOrder> = ["b1", "b2", "b3"]
        .into_iter()
        .enumerate()
        .map(|(j, item)| kocrank::RecentOrder {
            item_id: item.into(),
            ts: 1_700_100_000 + j as i64,
        })
        .collect();
    let zoe = RankRequest {
        recent_shares: shared,
        ..RankRequest::new("zoe", 5)
    };
    for kind in [ModelKind::ItemKnn, ModelKind::Profile] {
        let on = Ranker::new(train(&d, &shares_on(kind)).unwrap());
        // The same shares rank her as the model ranks eve, who shared them in the log.
        assert_eq!(
            top(&on, &zoe),
            top(&on, &RankRequest::new("eve", 5)),
            "{kind}"
        );
        assert_eq!(&camp(&top(&on, &zoe))[..3], "bbb", "{kind}");
        // Without the option, her shares are not used: her segment's popularity.
        let off = Ranker::new(train(&d, &Config::with_model(kind)).unwrap());
        assert_eq!(camp(&top(&off, &zoe)), "aaaaa", "{kind}");
        // An order of her own ends it, as for eve.
        let mut first = zoe.clone();
        first.recent_orders = vec![kocrank::RecentOrder {
            item_id: "a3".into(),
            ts: 1_700_200_000,
        }];
        assert_ne!(top(&on, &first), top(&on, &zoe), "{kind}");
    }
    // An unknown shared item is an error naming the field.
    let on = Ranker::new(train(&d, &shares_on(ModelKind::ItemKnn)).unwrap());
    let mut bad = zoe.clone();
    bad.recent_shares[0].item_id = "nope".into();
    let e = on.rank(&bad).unwrap_err().to_string();
    assert!(e.contains("recent_shares") && e.contains("nope"), "{e}");
    // Also where the model does not read them: nothing is ignored silently.
    let off = Ranker::new(train(&d, &Config::with_model(ModelKind::ItemKnn)).unwrap());
    assert!(off.rank(&bad).is_err());
}

#[test]
fn a_promoter_below_popularity_below_is_ranked_as_a_newcomer_and_keeps_her_rules() {
    let mut b = camps();
    b.push_promoter(&PromoterRecord {
        promoter_id: "fay",
        ..Default::default()
    })
    .unwrap();
    b.push_order(&OrderRecord {
        promoter_id: "fay",
        item_id: "b0",
        ts: 1_700_000_000 + 400 * 3600,
        ..Default::default()
    })
    .unwrap();
    let d = b.finish().unwrap();
    let with = |below: usize| {
        let mut c = config(ModelKind::ItemKnn, 0);
        c.network.popularity_below = below;
        c.rules.exclude_purchased = kocrank::rules::ExcludePurchased::Always;
        Ranker::new(train(&d, &c).unwrap())
    };
    let (model, thin) = (with(0), with(2));
    let fay = RankRequest::new("fay", 5);
    // Her one order's neighbours, from the model; her segment's popularity below two.
    assert_eq!(camp(&top(&model, &fay)), "bbbbb");
    assert_eq!(camp(&top(&thin, &fay)), "aaaaa");
    assert_eq!(top(&thin, &fay), top(&thin, &RankRequest::new("dot", 5)));
    // `ann`, with eight orders, is ranked by the model either way.
    let ann = RankRequest::new("ann", 5);
    assert_eq!(top(&thin, &ann), top(&model, &ann));
    // The rules still read what she bought: with every item asked for, b0 stays out.
    let everything = RankRequest::new("fay", 20);
    assert!(!top(&thin, &everything).contains(&"b0".to_string()));
    assert_eq!(top(&thin, &everything).len(), 19);
    let why = thin.explain("fay", "a1").unwrap().to_string();
    assert!(why.contains("fewer than 2 orders of her own"), "{why}");
    let why = model.explain("fay", "a1").unwrap().to_string();
    assert!(!why.contains("fewer than"), "{why}");
    // The batch's fused scan of iALS factors takes the same turn.
    let mut c = config(ModelKind::Ials, 0);
    c.network.popularity_below = 2;
    let ials = Ranker::new(train(&d, &c).unwrap());
    assert!(ials.dense_scan().is_some());
    let ids: Vec<String> = ["fay", "ann", "dot"].map(String::from).to_vec();
    let batch = kocrank::batch::rank_many(&ials, &ids, 5, |_| {}).unwrap();
    for (id, list) in ids.iter().zip(&batch) {
        assert_eq!(
            list,
            &ials.rank(&RankRequest::new(id.as_str(), 5)).unwrap(),
            "{id}"
        );
    }
    assert_eq!(camp(&top(&ials, &fay)), "aaaaa");
    // Out of range is named.
    let mut c = config(ModelKind::ItemKnn, 0);
    c.network.popularity_below = 1001;
    let e = train(&d, &c).unwrap_err().to_string();
    assert!(e.contains("network.popularity_below"), "{e}");
}
