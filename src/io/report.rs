//! What a load did: rows read, accepted and rejected per table, the rejects, the
//! columns ignored and the inviters cleared.

use super::format::Format;
use crate::data::ingest::Table;
use crate::data::FaultCode;
use serde::Serialize;
use std::fmt;

/// One row left out in lenient mode, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    /// The file, as given.
    pub file: String,
    /// The 1-based data row (the header is not counted).
    pub row: u64,
    /// The column at fault; empty for a fault of the whole row (a CSV record whose
    /// field count is not the header's).
    pub column: String,
    /// The kind of fault, to group rejects by.
    pub code: FaultCode,
    /// What was found and what was expected.
    pub reason: String,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            // A fault of the whole row (a CSV record with too many or too few fields).
            return write!(f, "{}: row {}: {}", self.file, self.row, self.reason);
        }
        write!(
            f,
            "{}: row {}, column \"{}\": {}",
            self.file, self.row, self.column, self.reason
        )
    }
}

/// A promoter whose inviter is not in the promoters table; in lenient mode her inviter
/// is cleared and she is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnresolvedInviter {
    /// The promoter.
    pub promoter_id: String,
    /// The inviter id she names.
    pub inviter_id: String,
}

/// The counts for one input file. `read == accepted + rejected` always.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableReport {
    /// Which table the file holds.
    pub table: Table,
    /// The file, as given.
    pub file: String,
    /// Its format.
    pub format: Format,
    /// Data rows read.
    pub read: u64,
    /// Rows that made it into the dataset.
    pub accepted: u64,
    /// Rows left out (lenient mode only; strict mode stops at the first).
    pub rejected: u64,
    /// Blank lines skipped (CSV; in both modes): they are not rows, so not in `read`.
    pub blank_lines: u64,
    /// Columns of the file that are not in the schema, in file order; they were not read.
    pub ignored_columns: Vec<String>,
}

/// The report of one [`read_dataset`](super::read_dataset) call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoadReport {
    /// One entry per file read, in reading order (items, promoters, orders, shares).
    pub tables: Vec<TableReport>,
    /// Every row left out, in reading order.
    pub rejects: Vec<Reject>,
    /// Inviters not found in the promoters table (lenient mode; cleared).
    pub unresolved_inviters: Vec<UnresolvedInviter>,
}

impl LoadReport {
    /// The entry for `table`, if its file was read.
    pub fn table(&self, table: Table) -> Option<&TableReport> {
        self.tables.iter().find(|t| t.table == table)
    }

    /// Total rows rejected over all files.
    pub fn rejected(&self) -> u64 {
        self.tables.iter().map(|t| t.rejected).sum()
    }

    /// Blank lines skipped over all files.
    pub fn blank_lines(&self) -> u64 {
        self.tables.iter().map(|t| t.blank_lines).sum()
    }

    /// True when no row was rejected and no inviter cleared.
    pub fn is_clean(&self) -> bool {
        self.rejected() == 0 && self.unresolved_inviters.is_empty()
    }
}

/// How many rejects and cleared inviters [`LoadReport`]'s `Display` lists in full.
const SHOWN: usize = 10;

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for t in &self.tables {
            write!(
                f,
                "{} ({}): {} rows read, {} accepted, {} rejected",
                t.file, t.table, t.read, t.accepted, t.rejected
            )?;
            match t.blank_lines {
                0 => {}
                1 => write!(f, "; 1 blank line skipped")?,
                n => write!(f, "; {n} blank lines skipped")?,
            }
            if !t.ignored_columns.is_empty() {
                write!(f, "; ignored columns: {}", t.ignored_columns.join(", "))?;
            }
            writeln!(f)?;
        }
        if !self.rejects.is_empty() {
            let mut by_code: Vec<(FaultCode, usize)> = Vec::new();
            for r in &self.rejects {
                match by_code.iter_mut().find(|(c, _)| *c == r.code) {
                    Some((_, n)) => *n += 1,
                    None => by_code.push((r.code, 1)),
                }
            }
            by_code.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let kinds: Vec<String> = by_code.iter().map(|(c, n)| format!("{c}: {n}")).collect();
            writeln!(
                f,
                "rejected rows ({}; {}):",
                self.rejects.len(),
                kinds.join(", ")
            )?;
            for r in self.rejects.iter().take(SHOWN) {
                writeln!(f, "  {r}")?;
            }
            if self.rejects.len() > SHOWN {
                writeln!(f, "  ... and {} more", self.rejects.len() - SHOWN)?;
            }
        }
        if !self.unresolved_inviters.is_empty() {
            writeln!(
                f,
                "inviters not in the promoters table, cleared ({}):",
                self.unresolved_inviters.len()
            )?;
            for u in self.unresolved_inviters.iter().take(SHOWN) {
                writeln!(
                    f,
                    "  promoter \"{}\" names inviter \"{}\"",
                    u.promoter_id, u.inviter_id
                )?;
            }
            if self.unresolved_inviters.len() > SHOWN {
                writeln!(
                    f,
                    "  ... and {} more",
                    self.unresolved_inviters.len() - SHOWN
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_summarises() {
        let report = LoadReport {
            tables: vec![TableReport {
                table: Table::Orders,
                file: "orders.csv".into(),
                format: Format::Csv,
                read: 3,
                accepted: 2,
                rejected: 1,
                blank_lines: 2,
                ignored_columns: vec!["invoice".into()],
            }],
            rejects: vec![Reject {
                file: "orders.csv".into(),
                row: 2,
                column: "ts".into(),
                code: FaultCode::MissingValue,
                reason: "missing timestamp".into(),
            }],
            unresolved_inviters: vec![],
        };
        let text = report.to_string();
        assert_eq!(
            text,
            "orders.csv (orders): 3 rows read, 2 accepted, 1 rejected; 2 blank lines skipped; \
             ignored columns: invoice\n\
             rejected rows (1; missing_value: 1):\n  orders.csv: row 2, column \"ts\": missing timestamp\n"
        );
        assert!(!report.is_clean());
        assert_eq!(report.table(Table::Orders).map(|t| t.read), Some(3));
        assert!(report.table(Table::Items).is_none());
    }
}
