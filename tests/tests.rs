//! kocrank's integration tests: one binary, a module per area.

mod util;

mod eval;
mod ials;
#[cfg(feature = "io")]
mod ingest;
mod model_file;
mod rank;
