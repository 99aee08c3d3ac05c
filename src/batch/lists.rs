//! Ranked lists read back from the batch job's CSV part files, in the lean core: what
//! a storefront needs to re-rank each promoter's nightly list online without linking
//! polars.
//!
//! The part files are kocrank's own output (`kocrank rank --all --format csv`,
//! [`crate::batch::rank_to_parts`]): a header naming at least `promoter_id`, `rank` and
//! `item_id`, then one row per listed item. Fields are RFC 4180: a field holding a
//! comma, a quote or a line break is quoted, with quotes doubled inside.

use crate::error::{Error, Location, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Each promoter's listed item ids, best first.
pub type RankedLists = HashMap<String, Vec<String>>;

/// Reads every `part-*.csv` of the run folder `dir` (in name order) into each
/// promoter's item ids, ordered by `rank`.
///
/// # Errors
/// [`Error::Io`] when the folder or a file cannot be read; [`Error::Empty`] when the
/// folder holds no CSV part (a run written as Parquet is read with
/// [`crate::io`]); [`Error::MissingColumn`] for a header without `promoter_id`, `rank`
/// or `item_id`; [`Error::InvalidData`] naming the file and line of a row with a
/// missing field, an unclosed quote or a rank that is not a whole number ≥ 1.
///
/// # Examples
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(
///     dir.path().join("part-00000.csv"),
///     "promoter_id,rank,item_id,score\np1,2,B,0.5\np1,1,\"A, large\",0.9\n",
/// )
/// .unwrap();
/// let lists = kocrank::batch::read_ranked_parts(dir.path()).unwrap();
/// assert_eq!(lists["p1"], ["A, large", "B"]);
/// ```
pub fn read_ranked_parts(dir: &Path) -> Result<RankedLists> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut parts: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("part-") && name.ends_with(".csv") {
            parts.push(path);
        }
    }
    parts.sort();
    if parts.is_empty() {
        return Err(Error::Empty(format!(
            "{}: no part-*.csv files (write them with `kocrank rank --all --format csv --out DIR`)",
            dir.display()
        )));
    }
    let mut ranked: HashMap<String, Vec<(u32, String)>> = HashMap::new();
    for part in &parts {
        let text = std::fs::read_to_string(part).map_err(|e| Error::io(part, e))?;
        read_part(part, &text, &mut ranked)?;
    }
    Ok(by_rank(ranked))
}

/// Each promoter's (rank, item) rows as her item ids, best first.
fn by_rank(ranked: HashMap<String, Vec<(u32, String)>>) -> RankedLists {
    ranked
        .into_iter()
        .map(|(p, mut items)| {
            items.sort_by_key(|x| x.0);
            (p, items.into_iter().map(|x| x.1).collect())
        })
        .collect()
}

/// Adds the rows of one part file (`text`, read from `path`) to `ranked`.
fn read_part(
    path: &Path,
    text: &str,
    ranked: &mut HashMap<String, Vec<(u32, String)>>,
) -> Result<()> {
    let shown = path.display().to_string();
    let mut records = Records {
        rest: text,
        line: 1,
    };
    let Some((_, header)) = records.next_record(&shown)? else {
        return Err(Error::Empty(format!(
            "{shown}: empty file (expected a header)"
        )));
    };
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| Error::MissingColumn {
                source_name: shown.clone(),
                column: name.to_string(),
                found: header.join(", "),
            })
    };
    let (p, r, i) = (col("promoter_id")?, col("rank")?, col("item_id")?);
    // Data rows as the file readers count them: the header and blank lines are not rows.
    let mut row = 0u64;
    while let Some((_, fields)) = records.next_record(&shown)? {
        if fields.len() == 1 && fields[0].is_empty() {
            continue;
        }
        row += 1;
        let at = |column: &str| Location::source(shown.clone()).row(row).column(column);
        let field = |k: usize, name: &str| {
            fields
                .get(k)
                .ok_or_else(|| Error::invalid(at(name), "no value (the row is too short)"))
        };
        let rank_text = field(r, "rank")?;
        let rank = rank_text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|&x| x >= 1)
            .ok_or_else(|| {
                Error::invalid(
                    at("rank"),
                    format!("\"{rank_text}\" is not a rank (a whole number ≥ 1)"),
                )
            })?;
        ranked
            .entry(field(p, "promoter_id")?.clone())
            .or_default()
            .push((rank, field(i, "item_id")?.clone()));
    }
    Ok(())
}

/// The records of a CSV text, one at a time.
struct Records<'a> {
    rest: &'a str,
    /// The line the next record starts on (1-based).
    line: u64,
}

impl Records<'_> {
    /// The next record's first line and fields, or `None` at the end of the text.
    fn next_record(&mut self, shown: &str) -> Result<Option<(u64, Vec<String>)>> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let start = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars = self.rest.char_indices().peekable();
        let mut quoted = false;
        let mut at_field_start = true;
        let mut end = self.rest.len();
        while let Some((k, c)) = chars.next() {
            if quoted {
                match c {
                    '"' if chars.peek().map(|x| x.1) == Some('"') => {
                        field.push('"');
                        chars.next();
                    }
                    '"' => quoted = false,
                    '\n' => {
                        self.line += 1;
                        field.push(c);
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                '"' if at_field_start => {
                    quoted = true;
                    at_field_start = false;
                }
                ',' => {
                    fields.push(std::mem::take(&mut field));
                    at_field_start = true;
                }
                '\n' => {
                    end = k + 1;
                    self.line += 1;
                    break;
                }
                '\r' if chars.peek().map(|x| x.1) == Some('\n') => {}
                _ => {
                    field.push(c);
                    at_field_start = false;
                }
            }
        }
        if quoted {
            return Err(Error::invalid(
                Location::source(shown),
                format!("the quoted field opened on line {start} is not closed before the end of the file"),
            ));
        }
        fields.push(field);
        self.rest = self.rest.get(end..).unwrap_or("");
        Ok(Some((start, fields)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<RankedLists> {
        let mut ranked = HashMap::new();
        read_part(Path::new("part-00000.csv"), text, &mut ranked)?;
        Ok(by_rank(ranked))
    }

    #[test]
    fn quoted_fields_line_breaks_and_crlf() {
        let text = "item_id,rank,promoter_id\r\n\"say \"\"hi\"\"\",2,p1\r\n\"two\nlines\",1,p1\r\n\nB,1,\"p,2\"\n";
        let lists = read(text).unwrap();
        assert_eq!(lists["p1"], ["two\nlines", "say \"hi\""]);
        assert_eq!(lists["p,2"], ["B"]);
    }

    #[test]
    fn faults_name_the_line_and_column() {
        let e = read("promoter_id,rank\np1,1\n").unwrap_err();
        assert!(matches!(e, Error::MissingColumn { ref column, .. } if column == "item_id"));
        // Rows are records: the first spans lines 2 and 3, the second is on line 4.
        let e = read("promoter_id,rank,item_id\np1,1,\"a\nb\"\np1,x,C\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "part-00000.csv: row 2, column \"rank\": \"x\" is not a rank (a whole number ≥ 1)"
        );
        let e = read("promoter_id,rank,item_id\np1,0,C\n").unwrap_err();
        assert!(e.to_string().contains("row 1, column \"rank\""), "{e}");
        let e = read("promoter_id,rank,item_id\np1,1\n").unwrap_err();
        assert!(
            e.to_string().contains("column \"item_id\": no value"),
            "{e}"
        );
        let e = read("promoter_id,rank,item_id\np1,1,\"open\n").unwrap_err();
        assert!(
            e.to_string().contains("opened on line 2 is not closed"),
            "{e}"
        );
    }
}
