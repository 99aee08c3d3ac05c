//! Hostile input, generated: damaged model files and garbled CSV never panic; they
//! load or give an error, and lenient ingest's counts always add up.

use kocrank::model_file;
use kocrank::synth::{generate, Scale};
use kocrank::{train, Config, Error, ModelKind, RankRequest, Ranker};
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

fn model_bytes() -> &'static Vec<u8> {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| {
        let world = generate(Scale::Tiny, 31).unwrap();
        let m = train(
            &world.dataset,
            &Config {
                model: ModelKind::Blend,
                ..Config::default()
            },
        )
        .unwrap();
        model_file::to_bytes(&m).unwrap()
    })
}

/// Section table entries: (offset, length, crc position).
fn sections(b: &[u8]) -> Vec<(usize, usize, usize)> {
    let n = u32::from_le_bytes([b[12], b[13], b[14], b[15]]) as usize;
    (0..n)
        .map(|s| {
            let e = 16 + s * 36;
            let rd = |a: usize| u64::from_le_bytes(b[a..a + 8].try_into().unwrap()) as usize;
            (rd(e + 16), rd(e + 24), e + 32)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A byte changed inside a section, with the checksum fixed so the decoder itself
    /// must notice (or accept a still-valid file).
    #[test]
    fn damaged_sections_never_panic(section in 0usize..8, at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in proptest::option::of(any::<prop::sample::Index>())) {
        let mut b = model_bytes().clone();
        let secs = sections(&b);
        let (off, len, crc_at) = secs[section % secs.len()];
        if len > 0 {
            b[off + at.index(len)] = byte;
        }
        let crc = crc32fast::hash(&b[off..off + len]);
        b[crc_at..crc_at + 4].copy_from_slice(&crc.to_le_bytes());
        if let Some(c) = cut {
            b.truncate(c.index(b.len()));
        }
        if let Ok(m) = model_file::from_bytes(&b, Path::new("fuzzed.kocrank")) {
            let r = Ranker::new(m);
            for p in ["P000001", "P000002", "new"] {
                let _ = r.rank(&RankRequest::new(p, 10));
            }
        }
    }

    /// Any file under a fixed header: strict mode loads it or names a row or an empty
    /// file; lenient mode loads it with counts that add up, or says that no row was
    /// accepted. Never polars' whole-file failure.
    #[test]
    fn garbled_csv_never_panics(
        bom in any::<bool>(),
        crlf in any::<bool>(),
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..6), 0..12),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let end = if crlf { "\r\n" } else { "\n" };
        let mut text = String::from(if bom { "\u{feff}" } else { "" });
        text.push_str("promoter_id,item_id,ts,quantity,status");
        text.push_str(end);
        for r in &rows {
            text.push_str(&r.join(","));
            text.push_str(end);
        }
        let path = dir.path().join("orders.csv");
        std::fs::write(&path, &text).unwrap();
        let files = kocrank::io::DataFiles::orders(&path);
        match kocrank::io::read_dataset(&files, &kocrank::io::ReadOptions::strict()) {
            Ok(_) | Err(Error::Empty(_)) => {}
            Err(Error::InvalidData { location, .. }) => prop_assert!(location.row.is_some()),
            Err(Error::RaggedRow { row, line, .. }) => prop_assert!(row >= 1 && line > row),
            Err(other) => prop_assert!(false, "strict: {other:?}\n{text:?}"),
        }
        match kocrank::io::read_dataset(&files, &kocrank::io::ReadOptions::lenient()) {
            Ok(loaded) => {
                for t in &loaded.report.tables {
                    prop_assert_eq!(t.read, t.accepted + t.rejected);
                    prop_assert!(t.accepted >= 1);
                }
                prop_assert_eq!(loaded.report.rejects.len() as u64, loaded.report.rejected());
                prop_assert_eq!(
                    loaded.dataset.orders().len() as u64,
                    loaded.report.tables[0].accepted
                );
            }
            Err(Error::Empty(m)) => prop_assert!(
                m.contains("was accepted") || m.contains("no data rows"),
                "{m}"
            ),
            Err(other) => prop_assert!(false, "lenient: {other:?}\n{text:?}"),
        }
    }
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("p1".to_string()),
        Just("A".to_string()),
        Just("1700000000".to_string()),
        Just("2011-10-01".to_string()),
        Just("-3".to_string()),
        Just("1e400".to_string()),
        Just("NaN".to_string()),
        Just("\"quoted, comma\"".to_string()),
        Just("\"unterminated".to_string()),
        Just("completed".to_string()),
        Just("ünïcødé".to_string()),
        Just("\"two\nlines\"".to_string()),
        Just("\"cr\r\nlf\"".to_string()),
        Just("\"say \"\"hi\"\"\"".to_string()),
        Just("\r".to_string()),
        Just("bare\nbreak".to_string()),
        Just("\u{feff}".to_string()),
        Just("   ".to_string()),
        "[ -~]{0,12}",
    ]
}

/// Tables built or edited by hand that do not fit together are an error naming the
/// column when they become a dataset, never a dataset that panics in a fit: a
/// `Dataset` cannot be edited after it is made.
#[test]
fn hand_edited_tables_are_an_error_not_a_dataset() {
    use kocrank::data::{Catalog, Orders, Promoters, Shares};
    let world = generate(Scale::Tiny, 6).unwrap();
    let good = world.dataset;
    let n_items = good.catalog().len() as u32;
    let n_promoters = good.promoters().len() as u32;
    type Parts = (Catalog, Promoters, Orders, Shares);
    type Breaks = Box<dyn Fn(&mut Parts)>;
    let breakages: Vec<(&str, Breaks)> = vec![
        ("order items", Box::new(move |d| d.2.item[3] = n_items)),
        (
            "order promoters",
            Box::new(move |d| d.2.promoter[0] = n_promoters + 7),
        ),
        (
            "order times",
            Box::new(|d| {
                d.2.ts.pop();
            }),
        ),
        ("share items", Box::new(move |d| d.3.item[0] = n_items + 1)),
        (
            "inviters",
            Box::new(move |d| d.1.inviter[1] = Some(n_promoters)),
        ),
        ("brands", Box::new(|d| d.0.brand[0] = u32::MAX - 1)),
        (
            "price",
            Box::new(|d| {
                d.0.price_cents.pop();
            }),
        ),
    ];
    let parts = || -> Parts {
        (
            good.catalog().clone(),
            good.promoters().clone(),
            good.orders().clone(),
            good.shares().clone(),
        )
    };
    let (c, p, o, s) = parts();
    assert_eq!(kocrank::Dataset::new(c, p, o, s).unwrap(), good);
    for (what, breaks) in &breakages {
        let mut bad = parts();
        breaks(&mut bad);
        let (c, p, o, s) = bad;
        match kocrank::Dataset::new(c, p, o.clone(), s.clone()) {
            Err(Error::InvalidData { message, .. }) => {
                assert!(message.contains(what), "{what}: {message}")
            }
            other => panic!("{what}: expected invalid data, got {other:?}"),
        }
        // The same through the dataset's own rebuilders.
        if *what == "order items" || *what == "order promoters" || *what == "order times" {
            assert!(good.with_orders(o).is_err(), "{what}");
        }
        if *what == "share items" {
            assert!(good.with_shares(s).is_err(), "{what}");
        }
    }
}
