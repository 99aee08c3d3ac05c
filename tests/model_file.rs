//! Model files: exact round trip, and a clear error for every kind of damage.

use crate::util::hand_world;
use kocrank::model_file::{self, FORMAT_VERSION};
use kocrank::{train, Config, Error, ModelKind, RankRequest, Ranker};
use std::path::Path;

fn saved(dir: &Path) -> (std::path::PathBuf, kocrank::Model) {
    let model = train(
        &hand_world(),
        &Config {
            model: ModelKind::Popularity,
            ..Config::default()
        },
    )
    .unwrap();
    let path = dir.join("m.kocrank");
    model_file::save(&model, &path).unwrap();
    (path, model)
}

#[test]
fn round_trip_ranks_identically() {
    let dir = tempfile::tempdir().unwrap();
    let (path, model) = saved(dir.path());
    let back = model_file::load(&path).unwrap();
    assert_eq!(back.catalog(), model.catalog());
    assert_eq!(back.promoters(), model.promoters());
    assert_eq!(back.history(), model.history());
    assert_eq!(back.config(), model.config());
    let (a, b) = (Ranker::new(model), Ranker::new(back));
    for p in ["m1", "m2", "c1", "m3", "unknown"] {
        assert_eq!(
            a.rank(&RankRequest::new(p, 6)).unwrap(),
            b.rank(&RankRequest::new(p, 6)).unwrap()
        );
    }
    // Saving again gives the same bytes.
    let again = dir.path().join("again.kocrank");
    model_file::save(&a.model().clone(), &again).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn truncated_file_is_named_as_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = saved(dir.path());
    let bytes = std::fs::read(&path).unwrap();
    for cut in [0, 7, 20, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let e = model_file::load(&path).unwrap_err();
        assert!(matches!(e, Error::CorruptModel { .. }), "cut {cut}: {e}");
        assert!(e.to_string().contains("m.kocrank"), "{e}");
    }
    std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
    assert!(model_file::load(&path)
        .unwrap_err()
        .to_string()
        .contains("truncated"));
}

#[test]
fn flipped_byte_fails_its_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = saved(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 3;
    bytes[last] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();
    let e = model_file::load(&path).unwrap_err().to_string();
    assert!(e.contains("checksum") && e.contains("history"), "{e}");
}

#[test]
fn newer_version_is_incompatible() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = saved(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let e = model_file::load(&path).unwrap_err();
    assert!(
        matches!(e, Error::IncompatibleModel { found, .. } if found == FORMAT_VERSION + 1),
        "{e}"
    );
    assert!(e.to_string().contains("retrain"), "{e}");
}

#[test]
fn missing_file_names_the_path() {
    let e = model_file::load(Path::new("/no/such/model.kocrank")).unwrap_err();
    assert!(matches!(e, Error::Io { .. }));
    assert!(e.to_string().contains("/no/such/model.kocrank"));
}

/// Version 1 files (before the iALS Gram matrix was stored) still load, recompute the
/// matrix, and rank exactly as the version 2 file of the same model.
#[test]
fn version_1_ials_file_loads_and_ranks_identically() {
    let mut cfg = Config {
        model: ModelKind::Ials,
        ..Config::default()
    };
    cfg.ials.factors = 4;
    cfg.ials.iterations = 3;
    let model = train(&hand_world(), &cfg).unwrap();
    let v2 = model_file::to_bytes(&model).unwrap();
    // Rebuild the file with the learned section cut before its Gram matrix
    // (a length, then 4 × 4 f64), version 1 and fresh checksums.
    let u64_at = |b: &[u8], at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap());
    let count = u32::from_le_bytes(v2[12..16].try_into().unwrap()) as usize;
    let mut sections: Vec<([u8; 16], Vec<u8>)> = (0..count)
        .map(|s| {
            let e = &v2[16 + s * 36..16 + (s + 1) * 36];
            let (off, len) = (u64_at(e, 16) as usize, u64_at(e, 24) as usize);
            (e[..16].try_into().unwrap(), v2[off..off + len].to_vec())
        })
        .collect();
    let learned = sections
        .iter_mut()
        .find(|(n, _)| n.starts_with(b"learned\0"))
        .unwrap();
    let cut = learned.1.len() - (8 + 16 * 8);
    assert_eq!(
        u64_at(&learned.1, cut),
        16,
        "the Gram matrix is the section's tail"
    );
    learned.1.truncate(cut);
    let mut v1 = b"KOCRANK\0".to_vec();
    v1.extend_from_slice(&1u32.to_le_bytes());
    v1.extend_from_slice(&(count as u32).to_le_bytes());
    let mut offset = (16 + 36 * count) as u64;
    for (name, body) in &sections {
        v1.extend_from_slice(name);
        v1.extend_from_slice(&offset.to_le_bytes());
        v1.extend_from_slice(&(body.len() as u64).to_le_bytes());
        v1.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
        offset += body.len() as u64;
    }
    for (_, body) in &sections {
        v1.extend_from_slice(body);
    }
    let old = model_file::from_bytes(&v1, Path::new("v1.kocrank")).unwrap();
    let new = model_file::from_bytes(&v2, Path::new("v2.kocrank")).unwrap();
    let (a, b) = (Ranker::new(old), Ranker::new(new));
    for p in ["m1", "m2", "c1", "m3", "unknown"] {
        let mut req = RankRequest::new(p, 6);
        assert_eq!(a.rank(&req).unwrap(), b.rank(&req).unwrap());
        // A fold-in uses the Gram matrix: recomputed on one side, read on the other.
        req.recent_orders = vec![kocrank::RecentOrder {
            item_id: a.model().catalog().ids.name(0).unwrap().to_string(),
            ts: a.model().trained_until(),
        }];
        assert_eq!(a.rank(&req).unwrap(), b.rank(&req).unwrap());
    }
}
