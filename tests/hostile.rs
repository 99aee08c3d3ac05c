//! Hostile input, generated: damaged model files and garbled CSV never panic; they
//! load or give an error, and lenient ingest's counts always add up.

use kocrank::model_file;
use kocrank::synth::{generate, Scale};
use kocrank::{train, Config, ModelKind, RankRequest, Ranker};
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

    #[test]
    fn garbled_csv_never_panics(rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..5), 0..12)) {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("promoter_id,item_id,ts,quantity,status\n");
        for r in &rows {
            text.push_str(&r.join(","));
            text.push('\n');
        }
        let path = dir.path().join("orders.csv");
        std::fs::write(&path, &text).unwrap();
        let files = kocrank::io::DataFiles::orders(&path);
        let _ = kocrank::io::read_dataset(&files, &kocrank::io::ReadOptions::strict());
        if let Ok(loaded) = kocrank::io::read_dataset(&files, &kocrank::io::ReadOptions::lenient()) {
            for t in &loaded.report.tables {
                prop_assert_eq!(t.read, t.accepted + t.rejected);
            }
            prop_assert_eq!(loaded.report.rejects.len() as u64, loaded.report.rejected());
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
        "[ -~]{0,12}",
    ]
}
