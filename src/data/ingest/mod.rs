//! One ingest for every source: the input schema, the matching of column names, the
//! conversion of cells and the pushing of rows, written once for files (polars),
//! Python frames (arrow-rs) and any other columnar backend.
//!
//! A backend does three things:
//! 1. matches its column names against a [`Table`]'s schema with [`Matched::new`];
//! 2. wraps each matched column in a type implementing [`Cells`], and that in a
//!    [`Field`], which checks the physical type against the column's [`Kind`];
//! 3. pushes each row with [`Columns::push`], and counts the outcome: a [`RowFault`]
//!    stops a strict load and is a reject of a lenient one.
//!
//! Every rule of the data model lives behind this, in
//! [`DatasetBuilder`](crate::data::DatasetBuilder); the messages are the same whatever
//! the source.
//!
//! [`RowFault`]: crate::data::RowFault

mod cells;
mod rows;
mod schema;

pub use cells::{Cells, Field, Physical, Ticks};
pub use rows::Columns;
pub use schema::{canonical, Col, Kind, Matched, Table};
