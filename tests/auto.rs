//! `model = "auto"`: the carving, the search's determinism and budget, and logs the
//! blend used to refuse (no timestamps, two days).

use kocrank::auto::carve::{carve, cut_regulars, CUT_FROM};
use kocrank::config::{AutoConfig, Stack};
use kocrank::data::{Dataset, History, OrderStatus};
use kocrank::rules::ExcludePurchased;
use kocrank::selection::Holdout;
use kocrank::synth::{generate, Scale};
use kocrank::{train, Config, ModelKind, RankRequest, Ranker};
use std::collections::HashMap;

/// Completed orders as a multiset of (promoter id, item id, time).
fn multiset(d: &Dataset) -> HashMap<(String, String, i64), usize> {
    let o = &d.orders();
    let mut m = HashMap::new();
    for r in 0..o.len() {
        if o.status[r] != OrderStatus::Completed {
            continue;
        }
        let p = d.promoters().ids.name(o.promoter[r]).unwrap().to_string();
        let i = d.catalog().ids.name(o.item[r]).unwrap().to_string();
        *m.entry((p, i, o.ts[r])).or_insert(0) += 1;
    }
    m
}

fn quick(trials: usize) -> Config {
    let mut c = Config::default();
    c.auto.max_trials = trials;
    c
}

#[test]
fn temporal_carving_partitions_the_training_orders_and_never_sees_the_test() {
    let w = generate(Scale::Tiny, 3).unwrap();
    let split = w.dataset.split(w.suggested_split(), 30 * 86_400).unwrap();
    let h = split.train.history();
    let c = carve(&split.train, &h, &AutoConfig::default());
    assert_eq!(c.holdout, Holdout::Temporal);
    // Everything carved comes from the training part, before the test window.
    assert!(c.train.orders().ts.iter().all(|&t| t < split.at));
    assert!(c.valid.orders().ts.iter().all(|&t| t < split.at));
    // No held-out order trains, and nothing after the cut trains.
    let cut = *c.valid.orders().ts.iter().min().unwrap();
    assert!(c.train.orders().ts.iter().all(|&t| t < cut));
    // Train + validation = the training part's completed orders (every promoter is
    // sampled in the tiny world).
    let mut both = multiset(&c.train);
    for (k, n) in multiset(&c.valid) {
        *both.entry(k).or_insert(0) += n;
    }
    assert_eq!(both, multiset(&split.train));
    // The share held out is about the configured tenth.
    let share = c.valid.orders().len() as f64 / h.nnz() as f64;
    assert!((0.05..0.2).contains(&share), "{share}");
}

#[test]
fn cutting_regulars_keeps_their_last_few_orders_and_leaves_everyone_else_alone() {
    let d = generate(Scale::Tiny, 3).unwrap().dataset;
    let c = carve(&d, &d.history(), &AutoConfig::default());
    let ch = c.train.history();
    let cut = cut_regulars(&c, &ch, 7).expect("the tiny world has validation regulars");
    let cuth = cut.train.history();
    let (v, cv) = (c.valid.history(), cut.valid.history());
    let eligible = (0..ch.n_promoters() as u32)
        .filter(|&p| v.count(p) > 0 && ch.count(p) >= CUT_FROM)
        .count();
    let mut n_cut = 0;
    for p in 0..ch.n_promoters() as u32 {
        if cv.count(p) > 0 {
            // A cut promoter: a validation regular left with her last one to four
            // orders (her items and times are the suffix of her history), her
            // held-out orders all kept.
            n_cut += 1;
            assert!(ch.count(p) >= CUT_FROM && v.count(p) == cv.count(p), "{p}");
            let k = cuth.count(p);
            assert!((1..=4).contains(&k), "promoter {p} keeps {k}");
            let from = ch.count(p) - k;
            assert_eq!(cuth.items(p), &ch.items(p)[from..], "{p}");
            assert_eq!(cuth.times(p), &ch.times(p)[from..], "{p}");
        } else {
            assert_eq!(cuth.items(p), ch.items(p), "{p} is not cut");
        }
    }
    assert_eq!(n_cut, cut.promoters);
    // About a quarter of those that qualify, drawn per seed.
    assert!(
        n_cut * 8 > eligible && n_cut * 8 < 3 * eligible,
        "{n_cut} of {eligible}"
    );
    let again = cut_regulars(&c, &ch, 7).unwrap();
    assert_eq!(again.train.orders(), cut.train.orders());
    let other = cut_regulars(&c, &ch, 8).unwrap();
    assert_ne!(other.valid.orders(), cut.valid.orders());
}

#[test]
fn a_log_without_timestamps_is_held_out_per_promoter() {
    let w = generate(Scale::Tiny, 4).unwrap();
    let mut orders = w.dataset.orders().clone();
    orders.ts.iter_mut().for_each(|t| *t = 1_700_000_000);
    let d = w.dataset.with_orders(orders).unwrap();
    let h = d.history();
    let c = carve(&d, &h, &AutoConfig::default());
    assert_eq!(c.holdout, Holdout::Random);
    let train = multiset(&c.train);
    let valid = multiset(&c.valid);
    let mut both = train.clone();
    for (k, n) in &valid {
        *both.entry(k.clone()).or_insert(0) += n;
    }
    assert_eq!(both, multiset(&d));
    // Every promoter with a held-out order keeps at least one training order, and
    // holds out at most a tenth of her history (rounded), at least one.
    let (vh, th) = (c.valid.history(), c.train.history());
    for p in 0..h.n_promoters() as u32 {
        let held = vh.count(p);
        if held > 0 {
            assert!(th.count(p) >= 1);
            let n = h.count(p);
            assert!(held <= ((n as f64 * 0.1).round() as usize).max(1));
            assert!(n >= 2);
        }
    }
}

#[test]
fn one_order_each_and_no_time_order_ships_the_documented_fallback() {
    let w = generate(Scale::Tiny, 5).unwrap();
    // Keep each promoter's first completed order only, all at one instant.
    let mut seen = vec![false; w.dataset.promoters().len()];
    let o = w.dataset.orders();
    let keep: Vec<bool> = (0..o.len())
        .map(|r| {
            let p = o.promoter[r] as usize;
            let first = o.status[r] == OrderStatus::Completed && !seen[p];
            if first {
                seen[p] = true;
            }
            first
        })
        .collect();
    let mut kept = o.filter(|r| keep[r]);
    kept.ts.iter_mut().for_each(|t| *t = 1_700_000_000);
    let d = w.dataset.with_orders(kept).unwrap();
    let model = train(&d, &quick(5)).unwrap();
    let sel = model.selection().unwrap();
    assert_eq!(sel.holdout, Holdout::None);
    assert!(sel.trials.is_empty());
    assert_eq!(model.kind(), ModelKind::ItemKnn);
    assert!(sel.reason.contains("fallback"), "{}", sel.reason);
}

#[test]
fn auto_is_deterministic_for_a_seed_and_a_trial_budget() {
    let w = generate(Scale::Tiny, 6).unwrap();
    let cfg = quick(7);
    let a = train(&w.dataset, &cfg).unwrap();
    let b = train(&w.dataset, &cfg).unwrap();
    let (sa, sb) = (a.selection().unwrap(), b.selection().unwrap());
    assert_eq!(sa.trials.len(), sb.trials.len());
    assert!(sa.trials.len() >= 7, "{sa}");
    for (x, y) in sa.trials.iter().zip(&sb.trials) {
        assert_eq!(
            (x.label(), x.ndcg, x.lo, x.hi),
            (y.label(), y.ndcg, y.lo, y.hi)
        );
    }
    assert_eq!(sa.chosen_label, sb.chosen_label);
    assert_eq!(a.kind(), b.kind());
    let first_label = sa.trials[0].label();
    let (ra, rb) = (Ranker::new(a.clone()), Ranker::new(b.clone()));
    for p in ["P000001", "P000010", "P000123"] {
        let req = RankRequest::new(p, 20);
        let la: Vec<String> = ra
            .rank(&req)
            .unwrap()
            .into_iter()
            .map(|r| r.item_id)
            .collect();
        let lb: Vec<String> = rb
            .rank(&req)
            .unwrap()
            .into_iter()
            .map(|r| r.item_id)
            .collect();
        assert_eq!(la, lb);
    }
    // Another seed carves another validation sample of promoters... and the same
    // first wave; the figures may differ, the labels of the first wave do not.
    let mut other = cfg.clone();
    other.auto.seed = 9;
    let c = train(&w.dataset, &other).unwrap();
    let sc = c.selection().unwrap();
    assert_eq!(sc.trials[0].label(), first_label);
}

#[test]
fn the_chosen_trial_is_the_best_on_validation_and_is_what_ships() {
    let w = generate(Scale::Tiny, 7).unwrap();
    let mut cfg = quick(9);
    cfg.auto.stack = Stack::Never;
    let model = train(&w.dataset, &cfg).unwrap();
    let sel = model.selection().unwrap();
    let chosen = &sel.trials[sel.chosen.unwrap()];
    // The search's best, or an exclusion rule that beat it by the minimum gain; a rule
    // that gained less is not chosen.
    for t in &sel.trials {
        let slack = if t.stage == "rule" {
            1.0 + kocrank::auto::MIN_GAIN
        } else {
            1.0
        };
        assert!(t.ndcg <= chosen.ndcg * slack, "{sel}");
    }
    assert_eq!(model.kind(), chosen.kind);
    assert_eq!(sel.chosen_label, chosen.label());
    // Refitted on everything: the model's history is the whole log's.
    assert_eq!(model.history().nnz(), w.dataset.history().nnz());
    // The record survives the model file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auto.kocrank");
    kocrank::model_file::save(&model, &path).unwrap();
    let back = kocrank::model_file::load(&path).unwrap();
    assert_eq!(back.selection(), Some(sel));
}

#[test]
fn auto_stays_within_its_time_budget() {
    let w = generate(Scale::Tiny, 8).unwrap();
    let mut cfg = Config::default();
    cfg.auto.budget_seconds = 3.0;
    let t0 = std::time::Instant::now();
    let model = train(&w.dataset, &cfg).unwrap();
    let wall = t0.elapsed().as_secs_f64();
    let sel = model.selection().unwrap();
    assert!(wall <= 3.3, "took {wall:.2} s for a 3 s budget:\n{sel}");
    assert!(sel.seconds <= wall);
}

/// A copy of `d` where each promoter ordered each item at most once (her first order
/// of it kept).
fn without_repeats(d: &Dataset) -> Dataset {
    let o = &d.orders();
    let mut seen = std::collections::HashSet::new();
    let mut rows: Vec<usize> = (0..o.len()).collect();
    rows.sort_by_key(|&r| (o.ts[r], r));
    let mut keep = vec![false; o.len()];
    for r in rows {
        keep[r] = seen.insert((o.promoter[r], o.item[r]));
    }
    d.with_orders(o.filter(|r| keep[r])).unwrap()
}

#[test]
fn auto_leaves_out_past_items_only_where_nobody_buys_twice() {
    let w = generate(Scale::Tiny, 5).unwrap();
    let mut cfg = quick(6);
    cfg.auto.stack = Stack::Never;
    cfg.rules.exclude_purchased = ExcludePurchased::Never;
    // The world re-orders consumables: showing past items again is kept.
    let model = train(&w.dataset, &cfg).unwrap();
    let sel = model.selection().unwrap();
    assert_eq!(
        model.config().rules.exclude_purchased,
        ExcludePurchased::Never,
        "{sel}"
    );
    assert!(sel.trials.iter().any(|t| t.stage == "rule"), "{sel}");
    // The same log with every repeat removed: a past item is never bought again, and
    // auto learns on validation to leave them out.
    let once = without_repeats(&w.dataset);
    let model = train(&once, &cfg).unwrap();
    let sel = model.selection().unwrap();
    assert_ne!(
        model.config().rules.exclude_purchased,
        ExcludePurchased::Never,
        "{sel}"
    );
    assert!(sel.chosen_label.contains("exclude_purchased="), "{sel}");
    // Turned off, the configured rule stays.
    cfg.auto.choose_exclusion = false;
    let model = train(&once, &cfg).unwrap();
    assert_eq!(
        model.config().rules.exclude_purchased,
        ExcludePurchased::Never
    );
    assert!(model
        .selection()
        .unwrap()
        .trials
        .iter()
        .all(|t| t.stage != "rule"));
}

/// A copy of `d` whose order times are squeezed into `span` seconds (order kept), or
/// all set to one instant when `span` is 0.
fn squeezed(d: &Dataset, span: i64) -> Dataset {
    let mut orders = d.orders().clone();
    let (lo, hi) = orders.time_range().unwrap();
    let width = (hi - lo).max(1) as f64;
    for t in orders.ts.iter_mut() {
        *t = 1_700_000_000 + ((*t - lo) as f64 / width * span as f64) as i64;
    }
    d.with_orders(orders).unwrap()
}

#[test]
fn a_two_day_log_and_a_log_without_timestamps_both_train_the_stacked_blend() {
    let w = generate(Scale::Tiny, 9).unwrap();
    let mut cfg = quick(6);
    cfg.auto.stack = Stack::Always;
    for (span, holdout) in [(2 * 86_400, Holdout::Temporal), (0, Holdout::Random)] {
        let d = squeezed(&w.dataset, span);
        // The named blend refuses a log shorter than its label window...
        if span > 0 {
            let e = train(&d, &Config::with_model(ModelKind::Blend)).unwrap_err();
            assert!(e.to_string().contains("label window"), "{e}");
        }
        // ...auto trains it on its validation split.
        let model = train(&d, &cfg).unwrap();
        let sel = model.selection().unwrap();
        assert_eq!(sel.holdout, holdout, "{sel}");
        assert_eq!(model.kind(), ModelKind::Blend, "{sel}");
        assert!(sel.trials.last().unwrap().stage == "stack");
        let list = Ranker::new(model)
            .rank(&RankRequest::new("P000002", 10))
            .unwrap();
        assert_eq!(list.len(), 10);
    }
}

#[test]
fn without_commissions_or_reviews_auto_says_it_ranks_for_accuracy() {
    let w = generate(Scale::Tiny, 10).unwrap();
    let (cat, promoters, orders, shares) = w.dataset.clone().into_parts();
    let mut cat = (*cat).clone();
    cat.commission_rate.iter_mut().for_each(|x| *x = 0.0);
    cat.reviews_total.iter_mut().for_each(|x| *x = 0);
    cat.reviews_positive.iter_mut().for_each(|x| *x = 0);
    let d = Dataset::new(cat, promoters, orders, shares).unwrap();
    let mut cfg = quick(5);
    cfg.auto.stack = Stack::Always;
    let model = train(&d, &cfg).unwrap();
    let sel = model.selection().unwrap();
    assert!(
        sel.notes.iter().any(|n| n.contains("accuracy only")),
        "{sel}"
    );
    assert_eq!(model.config().blend.gamma, 0.0);
    assert!(!sel.profile.present.commissions && !sel.profile.present.ratings);
}

#[test]
fn history_profile_counts_repeats_and_quantiles() {
    let d = crate::util::hand_world();
    let h: History = d.history();
    let p = kocrank::data::DataProfile::of(&d);
    // Worked out from the data: every completed order, its promoter and item.
    let mut pairs = std::collections::HashSet::new();
    let mut repeats = 0;
    for pr in 0..h.n_promoters() as u32 {
        for &i in h.items(pr) {
            if !pairs.insert((pr, i)) {
                repeats += 1;
            }
        }
    }
    assert_eq!(p.orders, h.nnz());
    assert!((p.repeat_share - repeats as f64 / h.nnz() as f64).abs() < 1e-12);
    assert!(p.orders_per_promoter[0] <= p.orders_per_promoter[1]);
    assert!(p.orders_per_promoter[2] <= p.orders_per_promoter[3]);
}

#[test]
fn a_bare_orders_log_profiles_as_nothing_beyond_promoter_item_time() {
    use kocrank::data::{DatasetBuilder, OrderRecord};
    let mut b = DatasetBuilder::new();
    for (p, i, t) in [
        ("a", "x", 10),
        ("a", "y", 20),
        ("b", "x", 30),
        ("a", "x", 40),
    ] {
        b.push_order(&OrderRecord {
            promoter_id: p,
            item_id: i,
            ts: 1_700_000_000 + t,
            ..Default::default()
        })
        .unwrap();
    }
    let d = b.finish().unwrap();
    let p = kocrank::data::DataProfile::of(&d);
    assert_eq!(p.present, kocrank::data::Present::default(), "{p}");
    assert!(p
        .to_string()
        .contains("nothing beyond (promoter, item, time)"));
    // Worked out by hand: 4 orders, 1 repeat (a re-orders x), 3 distinct pairs over
    // 2 promoters × 2 items.
    assert_eq!((p.orders, p.active_promoters, p.ordered_items), (4, 2, 2));
    assert!((p.repeat_share - 0.25).abs() < 1e-12);
    assert!((p.density - 0.75).abs() < 1e-12);
    // Quantiles by nearest rank over the sorted counts [1, 3] (index rounded half up).
    assert_eq!(p.orders_per_promoter, [1, 3, 3, 3]);
}

#[test]
fn a_large_log_is_searched_on_a_sample_of_promoters() {
    let w = generate(Scale::Tiny, 11).unwrap();
    let d = &w.dataset;
    let h = d.history();
    let cfg = AutoConfig {
        validation_promoters: 100,
        search_orders: h.nnz() / 2,
        ..AutoConfig::default()
    };
    let c = carve(d, &h, &cfg);
    assert_eq!(c.holdout, Holdout::Temporal);
    assert!(
        c.description.contains("the search fits on"),
        "{}",
        c.description
    );
    let (ct, cv) = (c.train.history(), c.valid.history());
    let active = |x: &History| {
        (0..x.n_promoters() as u32)
            .filter(|&p| x.count(p) > 0)
            .count()
    };
    assert!(active(&ct) < active(&h));
    // Every validating promoter keeps all her orders before the cut.
    let cut = *c.valid.orders().ts.iter().min().unwrap();
    for p in 0..h.n_promoters() as u32 {
        if cv.count(p) > 0 {
            let before = h.times(p).iter().filter(|&&t| t < cut).count();
            assert_eq!(ct.count(p), before, "promoter {p}");
        }
    }
    // Without the cap, every active promoter's orders before the cut train.
    let all = carve(
        d,
        &h,
        &AutoConfig {
            validation_promoters: 100,
            ..AutoConfig::default()
        },
    );
    assert!(!all.description.contains("the search fits on"));
    assert!(all.train.orders().len() > c.train.orders().len());
}

/// Two camps of ten items each; forty promoters buy `a` items and ten buy `b` items
/// over ninety days, so popularity favours `a`. Thirty newcomers share three `b`
/// items on day 50 and buy `b` items only on days 95–99, after the validation cut;
/// five more have shared and never ordered.
fn newcomers_who_shared() -> Dataset {
    use kocrank::data::{DatasetBuilder, ItemRecord, OrderRecord, ShareRecord};
    let mut b = DatasetBuilder::new();
    for camp in ["a", "b"] {
        for j in 0..10 {
            let (id, cat) = (format!("{camp}{j}"), format!("{camp}/x/y"));
            b.push_item(&ItemRecord {
                item_id: &id,
                category: Some(&cat),
                ..Default::default()
            })
            .unwrap();
        }
    }
    let day = 86_400i64;
    let t0 = 1_700_000_000;
    let mut order = |p: &str, item: String, t: i64| {
        b.push_order(&OrderRecord {
            promoter_id: p,
            item_id: &item,
            ts: t,
            ..Default::default()
        })
        .unwrap();
    };
    for p in 0..50 {
        let camp = if p < 40 { "a" } else { "b" };
        for j in 0..6 {
            order(
                &format!("v{p}"),
                format!("{camp}{}", (p + 3 * j) % 10),
                t0 + (p + 15 * j) as i64 * day / 2,
            );
        }
    }
    for n in 0..30 {
        for j in 0..3 {
            order(
                &format!("n{n}"),
                format!("b{}", (n + j) % 10),
                t0 + (95 + (n + j) % 5) as i64 * day,
            );
        }
    }
    for n in 0..35 {
        for j in 0..3 {
            let who = if n < 30 { "n" } else { "s" };
            let (p, item) = (format!("{who}{n}"), format!("b{}", (n + j + 1) % 10));
            b.push_share(&ShareRecord {
                promoter_id: &p,
                item_id: &item,
                ts: t0 + 50 * day + j,
                ..Default::default()
            })
            .unwrap();
        }
    }
    b.finish().unwrap()
}

#[test]
fn auto_ranks_newcomers_from_their_shares_where_validation_shows_a_gain() {
    let d = newcomers_who_shared();
    let m = train(&d, &quick(4)).unwrap();
    let sel = m.selection().unwrap();
    let notes = sel.notes.join("\n");
    assert!(
        notes.contains("newcomers ranked from their own shares") && notes.contains("(kept)"),
        "{notes}"
    );
    assert_eq!(m.config().network.own_shares, 50);
    // The shipped model ranks the five who only shared from their shares.
    assert_eq!(m.newcomer_shares().nnz(), 15);
    // Without the shares, nothing is tried and nothing is kept.
    let bare = d.with_shares(Default::default()).unwrap();
    let m = train(&bare, &quick(4)).unwrap();
    assert_eq!(m.config().network.own_shares, 0);
    let notes = m.selection().unwrap().notes.join("\n");
    assert!(!notes.contains("own shares"), "{notes}");
}

/// Two camps of ten items, `a0`..`a9` and `b0`..`b9`, and `orders` as (promoter, item,
/// time).
fn camps_log(orders: &[(String, String, i64)]) -> Dataset {
    use kocrank::data::{DatasetBuilder, ItemRecord, OrderRecord};
    let mut b = DatasetBuilder::new();
    for camp in ["a", "b"] {
        for j in 0..10 {
            b.push_item(&ItemRecord {
                item_id: &format!("{camp}{j}"),
                ..Default::default()
            })
            .unwrap();
        }
    }
    for (p, item, t) in orders {
        b.push_order(&OrderRecord {
            promoter_id: p,
            item_id: item,
            ts: *t,
            ..Default::default()
        })
        .unwrap();
    }
    b.finish().unwrap()
}

/// Two camps of ten items: sixty promoters buy 600 `a` items over days 0–70, thirteen
/// buy 130 `b` items over days 70–100, so a thirty-day popularity still favours `a`
/// and a week's favours `b`. Fifty newcomers place their three orders on days 95–99,
/// of the `b` camp when `follow_the_trend`, else of the `a` camp.
fn a_trend(follow_the_trend: bool) -> Dataset {
    let (day, t0) = (86_400i64, 1_700_000_000i64);
    let mut orders = Vec::new();
    let mut order = |p: String, item: String, t: i64| orders.push((p, item, t));
    for p in 0..60i64 {
        for j in 0..10 {
            let d = (7 * p + 10 * j) % 70;
            order(
                format!("v{p}"),
                format!("a{}", (p + j) % 10),
                t0 + d * day + p,
            );
        }
    }
    for p in 0..13i64 {
        for j in 0..10 {
            let d = 70 + (7 * p + 3 * j) % 30;
            order(
                format!("w{p}"),
                format!("b{}", (p + j) % 10),
                t0 + d * day + p,
            );
        }
    }
    let camp = if follow_the_trend { "b" } else { "a" };
    for n in 0..50i64 {
        for j in 0..3 {
            let t = t0 + (95 + n % 5) * day + 60 * n + j;
            order(format!("n{n}"), format!("{camp}{}", (n + 2 * j) % 10), t);
        }
    }
    camps_log(&orders)
}

#[test]
fn auto_gives_newcomers_a_shorter_popularity_memory_only_where_they_follow_the_trend() {
    let someone_new = RankRequest::new("someone-new", 10);
    let camps = |m: kocrank::Model| -> String {
        Ranker::new(m)
            .rank(&someone_new)
            .unwrap()
            .iter()
            .map(|r| &r.item_id[..1])
            .collect()
    };
    let m = train(&a_trend(true), &quick(4)).unwrap();
    let notes = m.selection().unwrap().notes.join("\n");
    assert!(
        notes.contains("newcomers ranked from their segment's popularity at a 7-day half-life")
            && notes.contains("(kept)"),
        "{notes}"
    );
    assert_eq!(m.config().network.newcomer_half_life_days, Some(7.0));
    // The shipped model ranks a promoter it has never seen by the trend...
    assert_eq!(camps(m.clone()), "bbbbbbbbbb");
    // ...with the week's memory: the configured thirty days scores her otherwise,
    // while a promoter with orders gets the same list either way.
    let thirty = m.clone().with_newcomer_half_life(None).unwrap();
    let rank = |m: &kocrank::Model, req| Ranker::new(m.clone()).rank(req).unwrap();
    assert_ne!(rank(&thirty, &someone_new), rank(&m, &someone_new));
    let regular = RankRequest::new("w3", 10);
    assert_eq!(rank(&thirty, &regular), rank(&m, &regular));
    let e = m
        .with_newcomer_half_life(Some(0.0))
        .unwrap_err()
        .to_string();
    assert!(e.contains("network.newcomer_half_life_days"), "{e}");

    // Newcomers who buy the old favourites: the week is tried and not kept.
    let m = train(&a_trend(false), &quick(4)).unwrap();
    let tried = trials_of(&m);
    assert!(
        tried
            .iter()
            .any(|(l, _)| l.contains("newcomer_half_life=7d")),
        "{tried:?}"
    );
    assert_ne!(m.config().network.newcomer_half_life_days, Some(7.0));
    assert_eq!(camps(m), "aaaaaaaaaa");
}

/// Twenty-five promoters re-buy `a` items and ten `b` items, nine orders over a hundred
/// days and a tenth on day 100; twenty-five more ordered one `b` item in those days and
/// order two more on day 100: `a` items, the crowd's favourites, when `crowd`, else `b`
/// items, her first item's neighbours.
fn thin_promoters(crowd: bool) -> Dataset {
    let (day, t0) = (86_400i64, 1_700_000_000i64);
    let mut orders = Vec::new();
    let mut order = |p: String, item: String, t: i64| orders.push((p, item, t));
    for p in 0..35i64 {
        let camp = if p < 25 { "a" } else { "b" };
        for j in 0..9 {
            let t = t0 + ((11 * p + 10 * j) % 99) * day + p;
            order(format!("r{p}"), format!("{camp}{}", (p + j) % 4), t);
        }
        order(
            format!("r{p}"),
            format!("{camp}{}", p % 4),
            t0 + 100 * day + 60 * p,
        );
    }
    for p in 0..25i64 {
        order(
            format!("t{p}"),
            format!("b{}", p % 4),
            t0 + (10 + 3 * p) * day,
        );
        for j in 0..2 {
            let t = t0 + 100 * day + 60 * p + 30 + j;
            let camp = if crowd { "a" } else { "b" };
            order(format!("t{p}"), format!("{camp}{}", (p + j) % 4), t);
        }
    }
    camps_log(&orders)
}

#[test]
fn auto_ranks_promoters_of_one_order_by_popularity_only_where_validation_says_so() {
    let m = train(&thin_promoters(true), &quick(4)).unwrap();
    let sel = m.selection().unwrap();
    let notes = sel.notes.join("\n");
    assert!(
        notes.contains("promoters with one to four orders ranked from their segment's popularity")
            && notes.contains("(kept)"),
        "{} chosen; {notes}",
        sel.chosen_label
    );
    assert!(
        [2, 3, 5].contains(&m.config().network.popularity_below),
        "{:?}",
        m.config().network
    );
    // Where they buy what their first order's neighbours are, it is tried and left off.
    let m = train(&thin_promoters(false), &quick(4)).unwrap();
    assert!(
        trials_of(&m)
            .iter()
            .any(|(l, _)| l.contains("popularity_below=")),
        "{:?}",
        trials_of(&m)
    );
    assert_eq!(m.config().network.popularity_below, 0);
    // The stage is judged on validation regulars cut to a few orders as well.
    let notes = m.selection().unwrap().notes.join("\n");
    assert!(
        notes.contains("regulars cut to their last one to four"),
        "{notes}"
    );
}

/// Trial labels and figures of a model's selection.
fn trials_of(m: &kocrank::Model) -> Vec<(String, f64)> {
    m.selection()
        .map(|s| s.trials.iter().map(|t| (t.label(), t.ndcg)).collect())
        .unwrap_or_default()
}

#[test]
fn a_cancel_flag_set_before_the_call_stops_every_kind_at_once() {
    use std::sync::atomic::AtomicBool;
    let w = generate(Scale::Small, 1).unwrap();
    let stop = AtomicBool::new(true);
    for kind in [
        ModelKind::Auto,
        ModelKind::Ials,
        ModelKind::Popularity,
        ModelKind::Blend,
    ] {
        let t0 = std::time::Instant::now();
        let got = kocrank::train_with(&w.dataset, &Config::with_model(kind), &|_| {}, &stop);
        match got {
            Err(kocrank::Error::Cancelled(m)) => assert!(m.contains("stopped"), "{m}"),
            other => panic!(
                "{kind}: expected Cancelled, got {:?}",
                other.map(|m| m.kind())
            ),
        }
        assert!(
            t0.elapsed().as_secs_f64() < 1.0,
            "{kind}: {:?}",
            t0.elapsed()
        );
    }
}

#[test]
fn a_cancel_flag_set_during_the_search_stops_before_the_next_trial() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let w = generate(Scale::Tiny, 2).unwrap();
    let stop = AtomicBool::new(false);
    let trials = std::cell::Cell::new(0usize);
    let got = kocrank::train_with(
        &w.dataset,
        &quick(12),
        &|p| {
            if let kocrank::auto::Progress::Trial(_) = p {
                trials.set(trials.get() + 1);
                if trials.get() == 2 {
                    // What another thread does on Ctrl-C.
                    stop.store(true, Ordering::Relaxed);
                }
            }
        },
        &stop,
    );
    assert!(
        matches!(&got, Err(kocrank::Error::Cancelled(m)) if m.contains("after 2 trials")),
        "{:?}",
        got.map(|m| m.kind())
    );
    assert_eq!(trials.get(), 2);
}

#[test]
fn a_cancel_flag_set_during_an_ials_fit_stops_it_between_sweeps() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let w = generate(Scale::Tiny, 2).unwrap();
    let mut c = Config::with_model(ModelKind::Ials);
    c.ials.iterations = 6;
    let stop = AtomicBool::new(false);
    let sweeps = std::cell::RefCell::new(Vec::new());
    let got = kocrank::train_with(
        &w.dataset,
        &c,
        &|p| {
            if let kocrank::auto::Progress::Sweep { done, total } = p {
                sweeps.borrow_mut().push((done, total));
                if done == 2 {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        },
        &stop,
    );
    assert!(
        matches!(&got, Err(kocrank::Error::Cancelled(m)) if m.contains("sweep 3 of 6")),
        "{:?}",
        got.map(|m| m.kind())
    );
    assert_eq!(*sweeps.borrow(), vec![(1, 6), (2, 6)]);
}

#[test]
fn an_unset_cancel_flag_changes_nothing_and_progress_hears_every_step() {
    use std::sync::atomic::AtomicBool;
    let w = generate(Scale::Tiny, 4).unwrap();
    let never = AtomicBool::new(false);
    let config = quick(6);
    let heard = std::cell::RefCell::new(Vec::new());
    let with = kocrank::train_with(
        &w.dataset,
        &config,
        &|p| {
            heard.borrow_mut().push(match p {
                kocrank::auto::Progress::Start { .. } => "start".to_string(),
                kocrank::auto::Progress::Trial(t) => format!("trial {}", t.label()),
                kocrank::auto::Progress::Stage(s) => format!("stage {s}"),
                kocrank::auto::Progress::Sweep { .. } => "sweep".to_string(),
            })
        },
        &never,
    )
    .unwrap();
    let plain = train(&w.dataset, &config).unwrap();
    assert_eq!(trials_of(&with), trials_of(&plain));
    assert_eq!(with.config(), plain.config());
    let (a, b) = (Ranker::new(with.clone()), Ranker::new(plain));
    for p in w.dataset.promoters().ids.names().take(20) {
        let req = RankRequest::new(p, 20);
        assert_eq!(a.rank(&req).unwrap(), b.rank(&req).unwrap(), "{p}");
    }
    let heard = heard.into_inner();
    assert_eq!(heard.first().map(String::as_str), Some("start"));
    let trials: Vec<String> = with
        .selection()
        .unwrap()
        .trials
        .iter()
        .map(|t| format!("trial {}", t.label()))
        .collect();
    let heard_trials: Vec<&String> = heard.iter().filter(|h| h.starts_with("trial")).collect();
    assert_eq!(heard_trials.len(), trials.len(), "{heard:?}");
    assert!(
        heard.iter().any(|h| h.starts_with("stage refitting")),
        "{heard:?}"
    );
}
