//! kocrank ranks catalogue items for each promoter of a social-commerce platform, by
//! blending what her circle bought, item quality (reviews) and what an order earns
//! (commission), under business rules. Every list — storefront, nightly batch,
//! evaluation — comes out of one [`Ranker`] pipeline.
//!
//! # Quickstart
//!
//! ```
//! use kocrank::{synth, train, Config, ModelKind, RankRequest, Ranker};
//!
//! // A seeded synthetic world (or `kocrank::io::read_dataset` for files).
//! let world = synth::generate(synth::Scale::Tiny, 42)?;
//! let split = world.dataset.split(world.suggested_split(), 30 * 86_400)?;
//!
//! // Learn each promoter's circle from the orders she brought.
//! let config = Config { model: ModelKind::Profile, ..Config::default() };
//! let ranker = Ranker::new(train(&split.train, &config)?);
//!
//! let promoter = world.dataset.promoters().ids.name(0).unwrap_or_default();
//! let list = ranker.rank(&RankRequest::new(promoter, 5))?;
//! assert_eq!(list.len(), 5);
//!
//! // The same pipeline evaluates it on the held-out window.
//! let report = kocrank::eval::evaluate(&ranker, &split.test, &Default::default())?;
//! assert!(report.overall[0].ndcg > 0.0);
//! # Ok::<(), kocrank::Error>(())
//! ```
//!
//! # Core concepts
//!
//! - [`Dataset`]: catalogue, promoters, orders and shares, validated by
//!   [`data::DatasetBuilder`], split in time by [`Dataset::split`].
//! - [`signals::Scorer`]: a fitted signal scoring candidates for one promoter
//!   (quality-and-commission baseline, segment popularity, circle profile).
//! - [`Model`]: what [`train()`] returns; saved and loaded by [`model_file`].
//! - [`Ranker`] and [`RankRequest`]: the one ranking pipeline (candidates, scores,
//!   rules, top-k), with a cold-start path for promoters the model does not know.
//! - [`eval`]: metrics on a temporal split, through the [`Ranker`].
//!
//! # Features
//!
//! - `io` (default): CSV, Parquet and Arrow IPC ingest and output via polars ([`io`]).
//! - `cli` (default): the `kocrank` command line.
//! - Without default features the core has no polars or arrow dependency.

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

pub(crate) mod atomic;
pub mod auto;
pub mod batch;
pub mod blend;
mod codec;
pub mod config;
pub mod data;
pub mod error;
pub mod eval;
mod fit;
mod inspect;
#[cfg(feature = "io")]
pub mod io;
mod kind;
/// Dense kernels, public only for the benches that measure them; not part of the API.
#[doc(hidden)]
pub mod linalg;
pub mod model;
pub mod model_file;
pub mod rank;
mod rng;
pub mod rules;
pub mod selection;
pub mod signals;
pub mod study;
pub mod synth;
mod topk;
mod train;

pub use config::{Config, ModelKind};
pub use data::Dataset;
pub use error::{ConfigError, Error, Location, Result};
pub use model::Model;
pub use rank::{RankRequest, Ranked, Ranker, RecentOrder};
pub use train::{train, train_with};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
