//! kocrank's integration tests: one binary, a module per area.

mod util;

mod eval;
mod model_file;
mod rank;
