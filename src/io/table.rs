//! One input file opened against its table's schema: columns matched by name or
//! alias, required columns checked, the rest listed as ignored.

use super::columns::Field;
use super::format::Format;
use super::frame::read_frame;
use super::schema::{canonical, Col};
use crate::error::{Error, Result};
use std::path::Path;

/// An input file with its schema columns found.
pub(crate) struct TableFile {
    /// The path as given, for messages.
    pub display: String,
    pub format: Format,
    /// Data rows.
    pub n_rows: usize,
    /// Per schema column: the file's name for it (when it differs) and its cells.
    fields: Vec<(&'static str, Option<&'static str>, Field)>,
    /// File columns not in the schema, in file order.
    pub ignored: Vec<String>,
}

impl TableFile {
    /// Reads `path` and matches its columns against `schema`.
    ///
    /// # Errors
    /// As `read_frame`, and [`Error::MissingColumn`] listing the columns found when a
    /// required column is absent, [`Error::InvalidData`] naming the column when its
    /// physical type does not fit.
    pub(crate) fn open(path: &Path, schema: &'static [Col]) -> Result<TableFile> {
        let format = Format::from_path(path)?;
        let df = read_frame(path, format)?;
        let display = path.display().to_string();
        let names: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        // Exact names first, then aliases, so that a schema name wins over an alias.
        let mut chosen: Vec<Option<usize>> = vec![None; schema.len()];
        for alias_pass in [false, true] {
            for (i, name) in names.iter().enumerate() {
                let name = name.trim();
                let canon = canonical(name);
                if alias_pass == (canon == name) {
                    continue;
                }
                if let Some(c) = schema.iter().position(|c| c.name == canon) {
                    if let Some(slot @ None) = chosen.get_mut(c) {
                        *slot = Some(i);
                    }
                }
            }
        }
        let mut fields = Vec::new();
        for (col, pick) in schema.iter().zip(&chosen) {
            let Some(i) = *pick else {
                if col.required {
                    return Err(Error::MissingColumn {
                        source_name: display,
                        column: col.name.to_string(),
                        found: names.join(", "),
                    });
                }
                continue;
            };
            let column = df.columns().get(i).ok_or_else(|| Error::MissingColumn {
                source_name: display.clone(),
                column: col.name.to_string(),
                found: names.join(", "),
            })?;
            let field = Field::new(path, col, column.as_materialized_series())?;
            let file_name = names.get(i).map(|n| n.trim()).unwrap_or(col.name);
            let alias = super::schema::ALIASES
                .iter()
                .find(|(a, _)| *a == file_name)
                .map(|(a, _)| *a);
            fields.push((col.name, alias, field));
        }
        let ignored = names
            .iter()
            .enumerate()
            .filter(|(i, _)| !chosen.contains(&Some(*i)))
            .map(|(_, n)| n.clone())
            .collect();
        Ok(TableFile {
            display,
            format,
            n_rows: df.height(),
            fields,
            ignored,
        })
    }

    /// The field for schema column `name`, if the file has it.
    pub(crate) fn field(&self, name: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, _, f)| f)
    }

    /// The field for a required column (present once `open` succeeded).
    pub(crate) fn required(&self, name: &str) -> Result<&Field> {
        self.field(name).ok_or_else(|| Error::MissingColumn {
            source_name: self.display.clone(),
            column: name.to_string(),
            found: String::new(),
        })
    }

    /// The column name to show for schema column `name`: the alias the file used, if any.
    pub(crate) fn shown(&self, name: &'static str) -> &'static str {
        self.fields
            .iter()
            .find(|(n, _, _)| *n == name)
            .and_then(|(_, alias, _)| *alias)
            .unwrap_or(name)
    }

    /// [`Error::Empty`] when the file has a header and no data row.
    pub(crate) fn require_rows(&self, what: &str) -> Result<()> {
        if self.n_rows == 0 {
            return Err(Error::Empty(format!(
                "{}: no data rows, only a header (expected at least one {what})",
                self.display
            )));
        }
        Ok(())
    }
}
