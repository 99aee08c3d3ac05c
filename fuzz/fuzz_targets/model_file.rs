//! Any bytes given as a model file load or fail with an error; a model that loads ranks.
#![no_main]

use kocrank::{model_file, RankRequest, Ranker};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = model_file::from_bytes(data, Path::new("fuzz.kocrank")) {
        let ranker = Ranker::new(model);
        let _ = ranker.rank(&RankRequest::new("P000001", 5));
    }
});
