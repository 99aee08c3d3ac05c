//! Any bytes as an orders CSV load or fail with an error; lenient counts add up.
#![no_main]

use kocrank::io::{read_dataset, DataFiles, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("kocrank-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("orders.csv");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let files = DataFiles::orders(&path);
    let _ = read_dataset(&files, &ReadOptions::strict());
    if let Ok(loaded) = read_dataset(&files, &ReadOptions::lenient()) {
        for t in &loaded.report.tables {
            assert_eq!(t.read, t.accepted + t.rejected);
        }
    }
});
