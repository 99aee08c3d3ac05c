//! kocrank ranks catalogue items for each promoter of a social-commerce platform, by
//! blending what her circle bought, item quality (reviews) and what an order earns
//! (commission), under business rules.
//!
//! (Crate docs are completed as the pieces land.)

#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::todo,
        clippy::unimplemented
    )
)]

pub mod atomic;
pub mod batch;
mod codec;
pub mod config;
pub mod data;
pub mod error;
pub mod eval;
#[cfg(feature = "io")]
pub mod io;
pub mod linalg;
pub mod model;
pub mod model_file;
pub mod rank;
pub mod rules;
pub mod signals;
pub mod synth;
mod train;

pub use config::{Config, ModelKind};
pub use data::Dataset;
pub use error::{ConfigError, Error, Location, Result};
pub use model::Model;
pub use rank::{RankRequest, Ranked, Ranker};
pub use train::train;
