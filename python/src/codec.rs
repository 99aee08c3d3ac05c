//! A dataset and its load report as bytes, for pickling (`Dataset.to_bytes`).
//!
//! The layout: the magic `KOCRPD02` (`01` stored rejects without their code); the length (little-endian `u64`) and bytes of the
//! core's own encoding of the dataset (`kocrank::Dataset::to_bytes`, which checks
//! every length and index when read back); the load report as JSON; and the CRC-32 of
//! everything after the magic. Damaged bytes are an error, never a panic.

use crate::frames::{LoadReport, Reject, TableCounts};
use kocrank::data::FaultCode;
use kocrank::Dataset;
use serde_json::{json, Value};

const MAGIC: &[u8; 8] = b"KOCRPD02";
const TABLES: [&str; 4] = ["items", "promoters", "orders", "shares"];

type R<T> = Result<T, String>;

/// The dataset and its load report as bytes.
pub fn to_bytes(ds: &Dataset, report: &LoadReport) -> Vec<u8> {
    let data = ds.to_bytes();
    let report = json!({
        "strict": report.strict,
        "tables": report.tables.iter().map(|t| json!({
            "table": t.table,
            "read": t.read,
            "accepted": t.accepted,
            "rejected": t.rejected,
            "ignored_columns": t.ignored_columns,
        })).collect::<Vec<_>>(),
        "rejects": report.rejects.iter().map(|r| json!([r.table, r.row, r.column, r.code.as_str(), r.reason])).collect::<Vec<_>>(),
        "unresolved_inviters": report.unresolved_inviters,
    })
    .to_string();
    let mut out = Vec::with_capacity(MAGIC.len() + 8 + data.len() + report.len() + 4);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(data.len() as u64).to_le_bytes());
    out.extend_from_slice(&data);
    out.extend_from_slice(report.as_bytes());
    let crc = crc32fast::hash(&out[MAGIC.len()..]);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

fn table_name(name: &str) -> R<&'static str> {
    TABLES
        .iter()
        .find(|&&t| t == name)
        .copied()
        .ok_or_else(|| format!("unknown table \"{name}\""))
}

/// A dataset and its load report from [`to_bytes`]'s bytes.
///
/// # Errors
/// Why the bytes are not a dataset: another magic, a checksum mismatch, a length or an
/// index out of range, a report that is not the one written.
pub fn from_bytes(bytes: &[u8]) -> R<(Dataset, LoadReport)> {
    if bytes.len() < MAGIC.len() + 12 || !bytes.starts_with(MAGIC) {
        return Err(
            if bytes.len() >= MAGIC.len() + 12 && bytes.starts_with(b"KOCRPD01") {
                "the bytes of a dataset pickled by an earlier kocrank (KOCRPD01): load it again from its frames".into()
            } else {
                "not the bytes of a kocrank dataset (no KOCRPD02 header)".into()
            },
        );
    }
    let (body, crc) = bytes[MAGIC.len()..].split_at(bytes.len() - MAGIC.len() - 4);
    if crc32fast::hash(body).to_le_bytes() != crc {
        return Err("checksum mismatch: the bytes are damaged".into());
    }
    let (len, rest) = body.split_at(8);
    let len = u64::from_le_bytes(len.try_into().map_err(|_| "truncated".to_string())?);
    let len = usize::try_from(len)
        .ok()
        .filter(|&n| n <= rest.len())
        .ok_or_else(|| format!("a dataset of {len} bytes does not fit in {}", rest.len()))?;
    let (data, report) = rest.split_at(len);
    let dataset = Dataset::from_bytes(data).map_err(|e| e.to_string())?;
    let v: Value = serde_json::from_slice(report).map_err(|e| format!("the load report: {e}"))?;
    Ok((
        dataset,
        report_of(&v).map_err(|e| format!("the load report: {e}"))?,
    ))
}

fn report_of(v: &Value) -> R<LoadReport> {
    let list = |key: &str| -> R<&Vec<Value>> {
        v.get(key)
            .and_then(Value::as_array)
            .ok_or_else(|| format!("no list \"{key}\""))
    };
    let text = |v: &Value| -> R<String> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| "a text field is not text".to_string())
    };
    let count = |v: &Value, key: &str| -> R<u64> {
        v.get(key)
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("no count \"{key}\""))
    };
    let mut report = LoadReport {
        strict: v.get("strict").and_then(Value::as_bool).unwrap_or(true),
        ..LoadReport::default()
    };
    for t in list("tables")? {
        report.tables.push(TableCounts {
            table: table_name(&text(t.get("table").unwrap_or(&Value::Null))?)?,
            read: count(t, "read")?,
            accepted: count(t, "accepted")?,
            rejected: count(t, "rejected")?,
            ignored_columns: t
                .get("ignored_columns")
                .and_then(Value::as_array)
                .map_or(Ok(Vec::new()), |c| c.iter().map(text).collect::<R<_>>())?,
        });
    }
    for r in list("rejects")? {
        let field = |i: usize| r.get(i).unwrap_or(&Value::Null);
        let code = text(field(3))?;
        report.rejects.push(Reject {
            table: table_name(&text(field(0))?)?,
            row: field(1).as_u64().ok_or("a reject's row is not a count")?,
            column: text(field(2))?,
            code: FaultCode::parse(&code)
                .ok_or_else(|| format!("unknown reject code \"{code}\""))?,
            reason: text(field(4))?,
        });
    }
    for pair in list("unresolved_inviters")? {
        let field = |i: usize| pair.get(i).unwrap_or(&Value::Null);
        report
            .unresolved_inviters
            .push((text(field(0))?, text(field(1))?));
    }
    Ok(report)
}
