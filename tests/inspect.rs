//! What a trained model holds (factors, similar items) and scores of arbitrary pairs.

use kocrank::signals::item_knn::ItemKnn;
use kocrank::synth::{generate, Scale};
use kocrank::{train, Config, Error, ModelKind, RankRequest, Ranker};

#[test]
fn scores_of_pairs_are_what_rank_orders_by_and_reach_filtered_items() {
    let w = generate(Scale::Tiny, 21).unwrap();
    let mut cfg = Config::with_model(ModelKind::ItemKnn);
    cfg.rules.exclude_purchased = kocrank::rules::ExcludePurchased::Always;
    let ranker = Ranker::new(train(&w.dataset, &cfg).unwrap());
    let p = "P000003";
    let top = ranker.rank(&RankRequest::new(p, 10)).unwrap();
    assert_eq!(top.len(), 10);
    let mut req = RankRequest::new(p, 10);
    req.candidates = Some(top.iter().map(|r| r.item_id.clone()).collect());
    let scores = ranker.score(&req).unwrap();
    for (r, s) in top.iter().zip(&scores) {
        assert_eq!(r.score, *s, "{}", r.item_id);
    }
    // An item she bought is left out of her list, and still has a score.
    let m = ranker.model();
    let pi = m.promoters().ids.get(p).unwrap();
    let bought = m
        .catalog()
        .ids
        .name(w.dataset.history().items(pi)[0])
        .unwrap();
    assert!(top.iter().all(|r| r.item_id != bought));
    req.candidates = Some(vec![bought.to_string()]);
    assert!(ranker.score(&req).unwrap()[0].is_finite());
    // k is not read; an unknown item is named.
    req.k = 0;
    req.candidates = Some(vec!["no-such-item".into()]);
    match ranker.score(&req) {
        Err(Error::InvalidRequest { field, message }) => {
            assert_eq!(field, "candidates");
            assert!(message.contains("no-such-item"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn similar_items_of_item_to_item_are_its_neighbours() {
    let w = generate(Scale::Tiny, 22).unwrap();
    let cfg = Config::with_model(ModelKind::ItemKnn);
    let model = train(&w.dataset, &cfg).unwrap();
    let h = w.dataset.history();
    let knn = ItemKnn::fit(&h, w.dataset.catalog().len(), &cfg.item_knn);
    let c = &w.dataset.catalog();
    // The most-ordered item has neighbours.
    let mut counts = vec![0usize; c.len()];
    for p in 0..h.n_promoters() as u32 {
        for &i in h.items(p) {
            counts[i as usize] += 1;
        }
    }
    let j = (0..c.len()).max_by_key(|&i| counts[i]).unwrap() as u32;
    let (n, s) = knn.neighbours(j);
    assert!(n.len() >= 5);
    let mut want: Vec<(u32, f32)> = n.iter().copied().zip(s.iter().copied()).collect();
    want.retain(|&(i, _)| i != j);
    want.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let got = model.similar_items(c.ids.name(j).unwrap(), 5).unwrap();
    let want: Vec<(String, f32)> = want
        .iter()
        .take(5)
        .map(|&(i, s)| (c.ids.name(i).unwrap().to_string(), s))
        .collect();
    assert_eq!(got, want);
    assert!(model.item_factors().is_none());
}

#[test]
fn ials_factors_have_the_catalogues_shape_and_similar_items_their_cosine() {
    let w = generate(Scale::Tiny, 23).unwrap();
    let mut cfg = Config::with_model(ModelKind::Ials);
    cfg.ials.factors = 8;
    let model = train(&w.dataset, &cfg).unwrap();
    let y = model.item_factors().unwrap();
    let x = model.promoter_factors().unwrap();
    assert_eq!(y.dim(), (w.dataset.catalog().len(), 8));
    assert_eq!(x.dim(), (w.dataset.promoters().len(), 8));
    // The best cosine, computed here from the rows.
    let j = 0usize;
    let cos = |a: usize| {
        let (u, v) = (y.row(a), y.row(j));
        let d = u.dot(&u).sqrt() * v.dot(&v).sqrt();
        if d > 0.0 {
            u.dot(&v) / d
        } else {
            f32::NEG_INFINITY
        }
    };
    let best = (0..y.nrows())
        .filter(|&a| a != j)
        .max_by(|&a, &b| cos(a).total_cmp(&cos(b)).then(b.cmp(&a)))
        .unwrap();
    let c = &w.dataset.catalog();
    let got = model
        .similar_items(c.ids.name(j as u32).unwrap(), 3)
        .unwrap();
    assert_eq!(got[0].0, c.ids.name(best as u32).unwrap());
    assert!((got[0].1 - cos(best)).abs() < 1e-4);
}

#[test]
fn similar_items_need_a_model_that_relates_items() {
    let w = generate(Scale::Tiny, 24).unwrap();
    let model = train(&w.dataset, &Config::with_model(ModelKind::Popularity)).unwrap();
    let item = w.dataset.catalog().ids.name(0).unwrap();
    assert!(matches!(
        model.similar_items(item, 5),
        Err(Error::WrongModel {
            operation: "similar items",
            found: "popularity",
            ..
        })
    ));
    assert!(matches!(
        model.similar_items("no-such-item", 5),
        Err(Error::UnknownId { .. })
    ));
}
