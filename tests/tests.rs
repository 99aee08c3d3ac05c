//! kocrank's integration tests: one binary, a module per area.

mod util;

mod cf;
mod eval;
#[cfg(feature = "io")]
mod ingest;
mod model_file;
mod rank;
