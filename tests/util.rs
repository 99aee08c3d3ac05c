//! Builders shared by the integration tests.

use kocrank::data::{DatasetBuilder, ItemRecord, OrderRecord, PromoterRecord};
use kocrank::Dataset;

pub const DAY: i64 = 86_400;
pub const T0: i64 = 1_700_000_000;

/// id, category, price, positive reviews, reviews, commission, seller, in stock.
type ItemRow<'a> = (&'a str, &'a str, i64, i64, i64, f64, &'a str, bool);

/// A hand-made world whose right answers can be worked out on paper:
/// - items: `rice` (fresh, consumable), `eggs` (fresh), `phone` (3c, durable),
///   `bra` (underwear), `cheap_phone` (3c, out of stock), `tissue` (home);
/// - mothers `m1`, `m2` buy rice, eggs, tissue again and again; courier `c1` bought a phone;
/// - `m3` is a mother with no orders.
pub fn hand_world() -> Dataset {
    let mut b = DatasetBuilder::new();
    let items: [ItemRow; 6] = [
        (
            "rice",
            "fresh/grain/rice",
            5_000,
            950,
            1000,
            0.10,
            "marketplace",
            true,
        ),
        (
            "eggs",
            "fresh/egg/chicken",
            1_500,
            480,
            500,
            0.12,
            "marketplace",
            true,
        ),
        (
            "phone",
            "3c/phone/phone",
            199_900,
            2900,
            3000,
            0.01,
            "self_operated",
            true,
        ),
        (
            "bra",
            "underwear/women/bra",
            6_900,
            3,
            3,
            0.30,
            "marketplace",
            true,
        ),
        (
            "cheap_phone",
            "3c/phone/phone",
            49_900,
            90,
            100,
            0.20,
            "marketplace",
            false,
        ),
        (
            "tissue",
            "home/paper/tissue",
            2_900,
            1960,
            2000,
            0.08,
            "marketplace",
            true,
        ),
    ];
    for (id, cat, price, pos, tot, rate, seller, stock) in items {
        b.push_item(&ItemRecord {
            item_id: id,
            category: Some(cat),
            brand: Some("b"),
            price_cents: Some(price),
            reviews_positive: Some(pos),
            reviews_total: Some(tot),
            commission_rate: Some(rate),
            seller: Some(seller),
            in_stock: Some(stock),
            listed_at: Some(T0 - 300 * DAY),
        })
        .unwrap();
    }
    for (id, ch, tier) in [
        ("m1", "mother", 4),
        ("m2", "mother", 4),
        ("c1", "courier", 2),
        ("m3", "mother", 4),
    ] {
        b.push_promoter(&PromoterRecord {
            promoter_id: id,
            channel: Some(ch),
            city_tier: Some(tier),
            joined_at: Some(T0 - 400 * DAY),
            inviter_id: None,
        })
        .unwrap();
    }
    let mut order = |p: &str, i: &str, day: i64| {
        b.push_order(&OrderRecord {
            promoter_id: p,
            item_id: i,
            ts: T0 + day * DAY,
            ..Default::default()
        })
        .unwrap();
    };
    for week in 0..8 {
        order("m1", "rice", week * 7);
        order("m2", "rice", week * 7 + 1);
        order("m1", "eggs", week * 7 + 2);
        order("m2", "tissue", week * 7 + 3);
    }
    order("c1", "phone", 3);
    order("c1", "eggs", 10);
    // Test window (after day 60).
    order("m1", "tissue", 61);
    order("m2", "eggs", 62);
    order("c1", "bra", 63);
    b.finish().unwrap()
}

/// The split time of [`hand_world`]: day 60.
pub fn hand_split_at() -> i64 {
    T0 + 60 * DAY
}

/// Reports a test's data set as absent: on the terminal, past the test harness's
/// capture of `eprintln!`, so that a skip is never silent; and as a failure when the
/// path holds one of the `:`-separated fragments of `KOCRANK_REQUIRE_DATA`, which the
/// test command (`scripts/test.sh`) sets to what it fetched and what the machine has.
#[allow(dead_code)]
pub fn absent(what: &std::path::Path, how: &str) {
    let message = format!("SKIPPED: {} is absent{how}", what.display());
    let path = what.to_string_lossy();
    if let Some(required) = std::env::var("KOCRANK_REQUIRE_DATA")
        .ok()
        .filter(|r| r.split(':').any(|f| !f.is_empty() && path.contains(f)))
    {
        panic!("{message} (KOCRANK_REQUIRE_DATA is {required})");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{message}");
}
