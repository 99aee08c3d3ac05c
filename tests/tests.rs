//! kocrank's integration tests: one binary, a module per area.

mod util;

#[cfg(feature = "cli")]
mod batch;
#[cfg(feature = "cli")]
mod cli;

mod auto;
mod blend;
mod cf;
mod eval;
mod events;
#[cfg(feature = "io")]
mod hostile;
mod ials;
#[cfg(feature = "io")]
mod ingest;
mod inspect;
mod invariants;
mod model_file;
mod network;
mod profile;
mod rank;
mod replay;
#[cfg(feature = "report")]
mod report;
mod rules;
mod serving;
