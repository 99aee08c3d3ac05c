//! MovieLens ratings in RecBole's atomic `.inter` format, read as orders.
//!
//! RecBole ships MovieLens-100k inside its wheel as `ml-100k.inter`: tab-separated,
//! one rating per line, with a header of typed field names
//! (`user_id:token`, `item_id:token`, `rating:float`, `timestamp:float`). Each rating
//! becomes one completed order: the user is the promoter, the film the item, the
//! rating time the order time. The rating value is not read (every rating counts as
//! an interaction, as in RecBole's general-recommendation quick start) and is listed
//! among the ignored columns. There is no catalogue: items get neutral defaults
//! (no price, no reviews, no commission), so only accuracy metrics mean anything.
//!
//! The MovieLens licence forbids redistribution: kocrank never ships the file;
//! `benches/peers/run.sh` and `scripts/reproduce.sh` fetch it at run time from the
//! `recbole` wheel on PyPI.

use super::format::Format;
use super::frame::check_utf8;
use super::read::{Loaded, ReadOptions};
use super::report::{LoadReport, Reject, TableReport};
use super::write::write_rejects;
use crate::data::ingest::Table;
use crate::data::{DatasetBuilder, FaultCode, OrderRecord, RowFault};
use crate::error::{Error, Location, Result};
use std::path::Path;

/// Reads a RecBole atomic `.inter` file (tab-separated, typed header) as orders.
///
/// The header must name `user_id`, `item_id` and `timestamp` fields (the `:type`
/// suffix is optional); other fields are listed as ignored. Timestamps are unix
/// seconds, written as integers or whole floats. In strict mode (the default) the
/// first bad line is an error naming the file, the 1-based data row and the field as
/// the file spells it; in lenient mode bad lines are left out and reported.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Empty`] for an empty file, a
/// header with no data row, or no accepted row; [`Error::Format`] for bytes that are
/// not UTF-8; [`Error::MissingColumn`] when a required field is absent; in strict
/// mode [`Error::InvalidData`] for the first bad row.
///
/// # Examples
/// ```
/// use kocrank::io::{read_movielens_inter, ReadOptions};
/// use kocrank::Error;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("ml.inter");
/// let header = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n";
/// std::fs::write(&path, format!("{header}196\t242\t3\t881250949\n186\t302\t3\t891717742\n")).unwrap();
/// let loaded = read_movielens_inter(&path, &ReadOptions::default()).unwrap();
/// assert_eq!(loaded.dataset.orders().len(), 2);
/// assert_eq!(loaded.report.tables[0].ignored_columns, vec!["rating:float"]);
///
/// std::fs::write(&path, format!("{header}196\t242\t3\tyesterday\n")).unwrap();
/// match read_movielens_inter(&path, &ReadOptions::default()) {
///     Err(Error::InvalidData { location, .. }) => {
///         assert_eq!(location.row, Some(1));
///         assert_eq!(location.column.as_deref(), Some("timestamp"));
///     }
///     other => panic!("expected invalid data, got {other:?}"),
/// }
/// ```
pub fn read_movielens_inter(path: &Path, opts: &ReadOptions) -> Result<Loaded> {
    let display = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if bytes.is_empty() {
        return Err(Error::Empty(format!(
            "{display}: file is empty (expected a header row and data rows)"
        )));
    }
    check_utf8(path, &bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let field_name = |h: &str| h.split(':').next().unwrap_or("").trim().to_string();
    let find = |name: &str| -> Result<usize> {
        header
            .iter()
            .position(|h| field_name(h) == name)
            .ok_or_else(|| Error::MissingColumn {
                source_name: display.clone(),
                column: name.to_string(),
                found: header.join(", "),
            })
    };
    let (user, item, ts) = (find("user_id")?, find("item_id")?, find("timestamp")?);
    let ignored: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|(i, _)| ![user, item, ts].contains(i))
        .map(|(_, h)| h.trim().to_string())
        .collect();

    let mut b = DatasetBuilder::new();
    let (mut read, mut accepted, mut blank_lines) = (0u64, 0u64, 0u64);
    let mut rejects = Vec::new();
    for (row, line) in lines.enumerate() {
        if line.trim().is_empty() {
            blank_lines += 1;
            continue;
        }
        read += 1;
        let cells: Vec<&str> = line.split('\t').collect();
        let outcome = push_rating(&mut b, &cells, user, item, ts);
        let Err(fault) = outcome else {
            accepted += 1;
            continue;
        };
        // Name the field as the file spells it.
        let column = match fault.column {
            "promoter_id" => "user_id",
            "ts" => "timestamp",
            other => other,
        };
        let row = row as u64 + 1;
        if opts.strict {
            return Err(Error::invalid(
                Location::source(display.clone()).row(row).column(column),
                fault.message,
            ));
        }
        rejects.push(Reject {
            file: display.clone(),
            row,
            column: column.to_string(),
            code: fault.code,
            reason: fault.message,
        });
    }
    if read == 0 {
        return Err(Error::Empty(format!(
            "{display}: no data rows, only a header (expected at least one rating)"
        )));
    }
    if !opts.strict {
        if let Some(p) = &opts.rejects {
            write_rejects(p, &rejects)?;
        }
    }
    if accepted == 0 {
        return Err(Error::Empty(format!(
            "{display}: none of the {read} rating rows was accepted{}",
            rejects
                .first()
                .map(|r| format!("; the first reject: {r}"))
                .unwrap_or_default()
        )));
    }
    let report = LoadReport {
        tables: vec![TableReport {
            table: Table::Orders,
            file: display,
            format: Format::Csv,
            read,
            accepted,
            rejected: read - accepted,
            blank_lines,
            ignored_columns: ignored,
        }],
        rejects,
        unresolved_inviters: Vec::new(),
    };
    Ok(Loaded {
        dataset: b.finish()?,
        report,
    })
}

/// Pushes one rating line as an order.
fn push_rating(
    b: &mut DatasetBuilder,
    cells: &[&str],
    user: usize,
    item: usize,
    ts: usize,
) -> std::result::Result<(), RowFault> {
    let cell = |i: usize, column: &'static str| {
        cells
            .get(i)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| RowFault::new(column, FaultCode::MissingValue, "missing value"))
    };
    let promoter_id = cell(user, "user_id")?;
    let item_id = cell(item, "item_id")?;
    let ts = parse_seconds(cell(ts, "timestamp")?)?;
    b.push_order(&OrderRecord {
        promoter_id,
        item_id,
        ts,
        ..Default::default()
    })
}

/// Unix seconds written as an integer or a whole float (`881250949.0`).
fn parse_seconds(s: &str) -> std::result::Result<i64, RowFault> {
    if let Ok(v) = s.parse::<i64>() {
        return Ok(v);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 => Ok(v as i64),
        Ok(v) => Err(RowFault::new(
            "timestamp",
            FaultCode::NotANumber,
            format!("{v} is not a whole number of seconds"),
        )),
        Err(_) => Err(RowFault::new(
            "timestamp",
            FaultCode::Unreadable,
            format!("cannot read \"{s}\" as unix seconds"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n";

    fn write(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ml-100k.inter");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn reads_ratings_as_orders() {
        let (_d, path) = write(&format!(
            "{HEADER}1\t10\t5\t881250949.0\n1\t11\t1\t881250950\n2\t10\t4\t881250951\n"
        ));
        let l = read_movielens_inter(&path, &ReadOptions::default()).unwrap();
        assert_eq!(l.dataset.orders.len(), 3);
        assert_eq!(l.dataset.promoters.len(), 2);
        assert_eq!(l.dataset.catalog.len(), 2);
        assert_eq!(l.dataset.orders.ts[0], 881_250_949);
        assert!(l.report.is_clean());
    }

    #[test]
    fn lenient_counts_bad_rows_and_strict_names_them() {
        let (_d, path) = write(&format!(
            "{HEADER}1\t10\t5\t881250949\n\t11\t1\t881250950\n2\t10\t4\t1.5\n3\t12\t4\n"
        ));
        let l = read_movielens_inter(&path, &ReadOptions::lenient()).unwrap();
        let t = &l.report.tables[0];
        assert_eq!((t.read, t.accepted, t.rejected), (4, 1, 3));
        let cols: Vec<&str> = l.report.rejects.iter().map(|r| r.column.as_str()).collect();
        assert_eq!(cols, ["user_id", "timestamp", "timestamp"]);
        let err = read_movielens_inter(&path, &ReadOptions::strict()).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("row 2, column \"user_id\": missing value"),
            "{err}"
        );
    }

    #[test]
    fn missing_field_and_empty_file_are_errors() {
        let (_d, path) = write("user_id:token\titem_id:token\n1\t2\n");
        let err = read_movielens_inter(&path, &ReadOptions::default()).unwrap_err();
        assert!(matches!(err, Error::MissingColumn { ref column, .. } if column == "timestamp"));
        let (_d, path) = write(HEADER);
        let err = read_movielens_inter(&path, &ReadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("no data rows"), "{err}");
    }
}
