//! Which files make a dataset: an orders file, and optionally items, promoters and shares.

use super::format::{Format, EXTENSIONS};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The files of one dataset. Only `orders` is required.
///
/// Without an items file, items are known only from the orders and take neutral
/// defaults; without a promoters file, promoters likewise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFiles {
    /// The order log (`promoter_id, item_id, ts`, ...).
    pub orders: PathBuf,
    /// The catalogue; when given, every order must name an item in it.
    pub items: Option<PathBuf>,
    /// The promoter table; when given, every order must name a promoter in it.
    pub promoters: Option<PathBuf>,
    /// The share log.
    pub shares: Option<PathBuf>,
}

/// The file stems [`DataFiles::from_dir`] looks for, in reading order.
const STEMS: [&str; 4] = ["items", "promoters", "orders", "shares"];

impl DataFiles {
    /// Just an orders file.
    pub fn orders(path: impl Into<PathBuf>) -> Self {
        DataFiles {
            orders: path.into(),
            items: None,
            promoters: None,
            shares: None,
        }
    }

    /// These files with an items file.
    #[must_use]
    pub fn with_items(mut self, path: impl Into<PathBuf>) -> Self {
        self.items = Some(path.into());
        self
    }

    /// These files with a promoters file.
    #[must_use]
    pub fn with_promoters(mut self, path: impl Into<PathBuf>) -> Self {
        self.promoters = Some(path.into());
        self
    }

    /// These files with a shares file.
    #[must_use]
    pub fn with_shares(mut self, path: impl Into<PathBuf>) -> Self {
        self.shares = Some(path.into());
        self
    }

    /// Finds `orders.*`, `items.*`, `promoters.*` and `shares.*` in `dir`, with any
    /// extension of [`Format::from_path`] (`csv`, `csv.gz`, `parquet`, `arrow`, ...).
    /// Other files in the directory are not looked at.
    ///
    /// # Errors
    /// [`Error::Io`] naming `dir` when it cannot be listed or holds no orders file;
    /// [`Error::Format`] when a table has two files (`orders.csv` and
    /// `orders.parquet`) or only a file with an unknown extension (`orders.xlsx`).
    ///
    /// # Examples
    /// ```
    /// use kocrank::io::DataFiles;
    /// use kocrank::Error;
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("items.csv"), "item_id\nA\n").unwrap();
    /// match DataFiles::from_dir(dir.path()) {
    ///     Err(Error::Io { path, source }) => {
    ///         assert_eq!(path, dir.path());
    ///         assert!(source.to_string().contains("no orders file"));
    ///     }
    ///     other => panic!("expected an io error, got {other:?}"),
    /// }
    /// std::fs::write(dir.path().join("orders.csv"), "promoter_id,item_id,ts\np,A,0\n").unwrap();
    /// let files = DataFiles::from_dir(dir.path()).unwrap();
    /// assert_eq!(files.items, Some(dir.path().join("items.csv")));
    /// assert_eq!(files.promoters, None);
    /// ```
    pub fn from_dir(dir: &Path) -> Result<DataFiles> {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        let mut found: [Option<PathBuf>; 4] = Default::default();
        for (slot, stem) in found.iter_mut().zip(STEMS) {
            *slot = find_table(dir, &names, stem)?;
        }
        let [items, promoters, orders, shares] = found;
        let orders = orders.ok_or_else(|| {
            Error::io(
                dir,
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("no orders file (looked for orders.* with extension {EXTENSIONS})"),
                ),
            )
        })?;
        Ok(DataFiles {
            orders,
            items,
            promoters,
            shares,
        })
    }

    /// The files in reading order, with their table: items, promoters, orders, shares.
    pub(crate) fn in_order(&self) -> [(super::Table, Option<&Path>); 4] {
        use super::Table;
        [
            (Table::Items, self.items.as_deref()),
            (Table::Promoters, self.promoters.as_deref()),
            (Table::Orders, Some(self.orders.as_path())),
            (Table::Shares, self.shares.as_deref()),
        ]
    }
}

fn find_table(dir: &Path, names: &[String], stem: &str) -> Result<Option<PathBuf>> {
    let prefix = format!("{stem}.");
    let candidates: Vec<&String> = names
        .iter()
        .filter(|n| n.to_ascii_lowercase().starts_with(&prefix))
        .collect();
    let known: Vec<&&String> = candidates.iter().filter(|n| Format::is_known(n)).collect();
    match (known.as_slice(), candidates.first()) {
        ([one], _) => Ok(Some(dir.join(one))),
        ([], None) => Ok(None),
        ([], Some(unknown)) => Format::from_path(&dir.join(unknown)).map(|_| None),
        (many, _) => Err(Error::Format {
            path: dir.to_path_buf(),
            message: format!(
                "{} {stem} files ({}); keep one",
                many.len(),
                many.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_one_file_per_table() {
        let names: Vec<String> = [
            "orders.csv.gz",
            "orders_old.csv",
            "users.csv.gz",
            "items.parquet",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let d = Path::new("d");
        assert_eq!(
            find_table(d, &names, "orders").unwrap(),
            Some(d.join("orders.csv.gz"))
        );
        assert_eq!(
            find_table(d, &names, "items").unwrap(),
            Some(d.join("items.parquet"))
        );
        assert_eq!(find_table(d, &names, "shares").unwrap(), None);
        let two = vec!["orders.csv".to_string(), "orders.arrow".to_string()];
        assert!(find_table(d, &two, "orders")
            .unwrap_err()
            .to_string()
            .contains("keep one"));
        let odd = vec!["orders.xlsx".to_string()];
        assert!(find_table(d, &odd, "orders")
            .unwrap_err()
            .to_string()
            .contains("xlsx"));
    }
}
