//! File ingest and output: CSV, Parquet and Arrow IPC through polars.
//!
//! **Reading.** [`read_dataset`] reads an orders file and, optionally, items,
//! promoters and shares files ([`DataFiles`]) into a validated [`Dataset`]. CSV is
//! read with every column as text, so a bad value is a fault of one row; Parquet and
//! Arrow columns of integer, float, text or date-time type are converted with checks.
//! Every row goes through [`DatasetBuilder`](crate::data::DatasetBuilder), which holds
//! the rules of the data model. In strict mode (the default) the first bad row is an
//! error naming file, row and column:
//!
//! ```text
//! orders.csv: row 17, column "item_id": unknown item "SKU-991" (not in the items table)
//! ```
//!
//! In lenient mode ([`ReadOptions::lenient`]) bad rows are left out and listed in the
//! [`LoadReport`], where `read = accepted + rejected` for every file. The schema, its
//! defaults and the error for each kind of bad input are in `datasets/SCHEMA.md`.
//!
//! **Public data sets.** Two adapters map real data onto the schema:
//! [`read_movielens_inter`] reads MovieLens ratings in RecBole's atomic `.inter`
//! format (fetched at run time, never shipped), and [`read_complete_journey`] reads
//! The Complete Journey grocery sample with its product hierarchy and private-label
//! flag.
//!
//! **Writing.** [`write_dataset`] and the chunked [`DatasetWriter`] write a dataset in
//! the same schema; [`write_ranked`] writes ranked lists and [`write_rejects`] a
//! rejects report. Every file is written atomically (a temporary file in the same
//! directory, synced, then renamed into place) and byte-for-byte reproducible.
//!
//! [`Dataset`]: crate::Dataset

mod columns;
mod complete_journey;
mod csv_scan;
mod files;
mod format;
mod frame;
mod movielens;
mod read;
mod report;
mod table;
mod write;

pub use crate::atomic::write_atomic;
pub use crate::data::ingest::Table;
pub use complete_journey::read_complete_journey;
pub use files::DataFiles;
pub use format::{Format, EXTENSIONS};
pub use movielens::read_movielens_inter;
pub use read::{read_dataset, read_promoter_ids, Loaded, ReadOptions};
pub use report::{LoadReport, Reject, TableReport, UnresolvedInviter};
pub use write::{write_dataset, write_ranked, write_rejects, DatasetWriter, RankedList};
