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
