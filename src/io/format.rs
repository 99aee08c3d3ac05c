//! File formats, chosen by extension.

use crate::error::{Error, Result};
use serde::Serialize;
use std::path::Path;

/// A table file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Comma-separated text with a header row (`.csv`; `.csv.gz` and `.csv.zst` when reading).
    Csv,
    /// Apache Parquet (`.parquet`).
    Parquet,
    /// Arrow IPC file, also called Feather v2 (`.arrow`, `.ipc`, `.feather`).
    Ipc,
}

/// The extensions [`Format::from_path`] knows, as shown in error messages.
pub const EXTENSIONS: &str = "csv, csv.gz, csv.zst, parquet, arrow, ipc or feather";

/// Extensions of files read as compressed CSV.
const COMPRESSED_CSV: [&str; 3] = ["csv.gz", "csv.zst", "csv.zstd"];

impl Format {
    /// The format of `path`, from its extension (case-insensitive).
    ///
    /// # Errors
    /// [`Error::Format`] naming the file when the extension is not one of
    /// [`EXTENSIONS`].
    ///
    /// # Examples
    /// ```
    /// use kocrank::io::Format;
    /// assert_eq!(Format::from_path("orders.csv.gz".as_ref()).unwrap(), Format::Csv);
    /// assert_eq!(Format::from_path("items.feather".as_ref()).unwrap(), Format::Ipc);
    /// let err = Format::from_path("orders.xlsx".as_ref()).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "orders.xlsx: unknown file extension \"xlsx\" (expected csv, csv.gz, csv.zst, parquet, arrow, ipc or feather)"
    /// );
    /// ```
    pub fn from_path(path: &Path) -> Result<Format> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase());
        let name = name.unwrap_or_default();
        if COMPRESSED_CSV
            .iter()
            .any(|ext| name.ends_with(&format!(".{ext}")))
        {
            return Ok(Format::Csv);
        }
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "csv" => Ok(Format::Csv),
            "parquet" | "pq" => Ok(Format::Parquet),
            "arrow" | "ipc" | "feather" => Ok(Format::Ipc),
            "" => Err(Error::Format {
                path: path.to_path_buf(),
                message: format!("no file extension (expected {EXTENSIONS})"),
            }),
            other => Err(Error::Format {
                path: path.to_path_buf(),
                message: format!("unknown file extension \"{other}\" (expected {EXTENSIONS})"),
            }),
        }
    }

    /// The format of a file to be written at `path`: as [`Format::from_path`], except
    /// that compressed CSV is not written.
    ///
    /// # Errors
    /// [`Error::Format`] for an unknown extension or a compressed CSV name.
    pub fn for_writing(path: &Path) -> Result<Format> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase());
        let name = name.unwrap_or_default();
        if COMPRESSED_CSV
            .iter()
            .any(|ext| name.ends_with(&format!(".{ext}")))
        {
            return Err(Error::Format {
                path: path.to_path_buf(),
                message: "compressed CSV is read but not written; write .csv or .parquet".into(),
            });
        }
        Format::from_path(path)
    }

    /// The extension this format is written with: `csv`, `parquet` or `arrow`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Ipc => "arrow",
        }
    }

    /// True when `file_name` ends with an extension this module reads.
    pub(crate) fn is_known(file_name: &str) -> bool {
        Format::from_path(Path::new(file_name)).is_ok()
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Ipc => "arrow ipc",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_map_to_formats() {
        let f = |p: &str| Format::from_path(Path::new(p));
        assert_eq!(f("a/b/ORDERS.CSV").unwrap(), Format::Csv);
        assert_eq!(f("orders.csv.zst").unwrap(), Format::Csv);
        assert_eq!(f("x.pq").unwrap(), Format::Parquet);
        assert_eq!(f("x.ipc").unwrap(), Format::Ipc);
        assert!(f("x.gz").is_err());
        assert!(f("orders")
            .unwrap_err()
            .to_string()
            .contains("no file extension"));
        assert!(Format::for_writing(Path::new("o.csv.gz")).is_err());
        assert_eq!(
            Format::for_writing(Path::new("o.arrow")).unwrap(),
            Format::Ipc
        );
    }
}
