//! Reading one file into a polars `DataFrame`, with file-level checks.
//!
//! CSV is read with every column as text, so that a bad value becomes a fault of one
//! row (with its row number) instead of a failure of the whole file; a compressed CSV
//! is decompressed first, and its bytes go through [`csv_scan`](super::csv_scan), which
//! finds ragged records and blank lines before polars sees them. Parquet and Arrow IPC
//! keep their physical types; `columns` converts them with checks.

use super::csv_scan::{scan, CsvScan};
use super::format::Format;
use crate::error::{Error, Result};
use polars::prelude::{
    CsvReadOptions, DataFrame, IpcReader, ParquetReader, PolarsError, SerReader,
};
use std::fs::File;
use std::io::Cursor;
use std::path::Path;

/// The magic bytes of the compressions polars decompresses (gzip, zlib, zstd).
fn is_compressed(bytes: &[u8]) -> bool {
    matches!(
        bytes,
        [0x1f, 0x8b, ..] | [0x78, 0x01 | 0x5e | 0x9c | 0xda, ..] | [0x28, 0xb5, 0x2f, 0xfd, ..]
    )
}

/// A polars error about `path`, as an [`Error::Format`].
pub(crate) fn format_error(path: &Path, e: PolarsError) -> Error {
    Error::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Reads `path` as `format`, with what the scan of a CSV file found (nothing for the
/// other formats).
///
/// # Errors
/// [`Error::Io`] when the file cannot be read, [`Error::Empty`] for a file of zero
/// bytes, [`Error::Format`] for bytes that are not UTF-8 (CSV, with the line), a
/// compressed file that does not decompress, or a file the format's reader rejects.
pub(crate) fn read_frame(path: &Path, format: Format) -> Result<(DataFrame, CsvScan)> {
    let empty = || {
        Error::Empty(format!(
            "{}: file is empty (expected a header row and data rows)",
            path.display()
        ))
    };
    if format == Format::Csv {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        if bytes.is_empty() {
            return Err(empty());
        }
        return read_csv(path, bytes);
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len == 0 {
        return Err(empty());
    }
    match format {
        Format::Parquet => ParquetReader::new(file).finish(),
        _ => IpcReader::new(file).finish(),
    }
    .map(|df| (df, CsvScan::default()))
    .map_err(|e| format_error(path, e))
}

fn read_csv(path: &Path, bytes: Vec<u8>) -> Result<(DataFrame, CsvScan)> {
    let bytes = if is_compressed(&bytes) {
        decompress(path, &bytes)?
    } else {
        bytes
    };
    check_utf8(path, &bytes)?;
    let (found, cleaned) = scan(&bytes);
    let bytes = cleaned.unwrap_or(bytes);
    let df = CsvReadOptions::default()
        .with_has_header(true)
        // No inference: every column is text, converted row by row.
        .with_infer_schema_length(Some(0))
        .with_raise_if_empty(true)
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map_err(|e| format_error(path, e))?;
    Ok((df, found))
}

/// The bytes of a gzip, zlib or zstd file, decompressed.
fn decompress(path: &Path, bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    // polars' own decompression, as it would do on reading: deprecated there in favour
    // of a streaming reader, which the whole-file read here does not need.
    #[allow(deprecated)]
    let got = polars::io::utils::compression::maybe_decompress_bytes(bytes, &mut out)
        .map_err(|e| Error::Format {
            path: path.to_path_buf(),
            message: format!("cannot decompress: {e}"),
        })?
        .len();
    if got == 0 && out.is_empty() {
        return Err(Error::Empty(format!(
            "{}: file is empty once decompressed (expected a header row and data rows)",
            path.display()
        )));
    }
    Ok(out)
}

/// Checks that `bytes` are UTF-8; the error names the line and byte offset of the
/// first bad byte.
pub(crate) fn check_utf8(path: &Path, bytes: &[u8]) -> Result<()> {
    let Err(e) = std::str::from_utf8(bytes) else {
        return Ok(());
    };
    let at = e.valid_up_to();
    let before = bytes.get(..at).unwrap_or(bytes);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let byte = bytes.get(at).copied().unwrap_or(0);
    let row = match line {
        1 => "the header".to_string(),
        n => format!("data row {}", n - 1),
    };
    Err(Error::Format {
        path: path.to_path_buf(),
        message: format!(
            "line {line} ({row}): byte 0x{byte:02x} at offset {at} is not UTF-8; save the file as UTF-8"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_error_names_the_line() {
        let bytes = b"a,b\n1,2\n3,\xff\n";
        let e = check_utf8(Path::new("x.csv"), bytes)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "x.csv: line 3 (data row 2): byte 0xff at offset 10 is not UTF-8; save the file as UTF-8"
        );
        assert!(check_utf8(Path::new("x.csv"), "a,é\n".as_bytes()).is_ok());
    }

    #[test]
    fn compression_magic() {
        assert!(is_compressed(&[0x1f, 0x8b, 8, 0]));
        assert!(!is_compressed(b"promoter_id,item_id"));
    }
}
