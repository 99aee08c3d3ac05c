//! One pass over a CSV file's bytes before polars reads them: the field count of every
//! record against the header's, blank lines, a quote left open, a byte-order mark.
//!
//! polars fails a whole file on a record with too many fields (with no row number), pads a
//! record with too few with nulls, and reads a blank line as a row of nulls. This pass
//! finds those records first, so that each is a fault of one row (or, for a blank line,
//! a row skipped and counted): in the bytes polars reads, each is replaced by a record of
//! empty fields, which the readers skip instead of reading. Rows keep their numbers: row
//! `N` is the `N`-th record after the header, blank lines included, so it sits on line
//! `N + 1` unless a quoted field above it holds a line break.
//!
//! Records are split as polars splits them: a field that starts with `"` runs to the
//! next `,` or line end outside quotes (`""` is a quote inside it, and a quoted field may
//! hold line breaks); any other field runs to the next `,` or line end. A `\r` before a
//! line end belongs to the line end.

/// A record whose field count is not the header's, or that holds a quote never closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ragged {
    /// 0-based data row: records after the header, blank lines included.
    pub row: usize,
    /// 1-based line of the file where the record starts (the header is line 1).
    pub line: u64,
    /// Fields found.
    pub found: usize,
    /// Fields in the header.
    pub expected: usize,
    /// When a quoted field opened in this record is never closed: the lines it swallows
    /// (the rest of the file).
    pub unclosed: Option<u64>,
    /// Quotes that do not pair up: a quoted field with text after its closing quote
    /// (`"a"b`), or a quote inside an unquoted field, which polars misreads.
    pub bad_quote: bool,
}

impl Ragged {
    /// What is wrong with the record, naming its line.
    pub(crate) fn message(&self) -> String {
        match self.unclosed {
            Some(lines) => format!(
                "a quoted field on line {} is never closed, so the rest of the file ({lines} \
                 lines) would be one field; close the quote or double it (\"\")",
                self.line
            ),
            None if self.bad_quote => format!(
                "the quotes on line {} do not pair up (text after a closing quote, or a \
                 quote inside an unquoted field); quote the field and write a quote inside \
                 it twice (\"\")",
                self.line
            ),
            None => format!(
                "{} on line {}, expected {} (as in the header)",
                fields(self.found),
                self.line,
                self.expected
            ),
        }
    }
}

fn fields(n: usize) -> String {
    match n {
        1 => "1 field".to_string(),
        n => format!("{n} fields"),
    }
}

/// What the scan found in one CSV file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CsvScan {
    /// The 0-based data rows that are blank lines (nothing but spaces, tabs or `\r`),
    /// skipped, in order.
    pub blank: Vec<usize>,
    /// Ragged records, by row.
    pub ragged: Vec<Ragged>,
}

/// A record of the input replaced by a record of empty fields in the bytes given to
/// polars.
struct Edit {
    start: usize,
    end: usize,
}

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// Scans `bytes` (a CSV file with a header, uncompressed) and returns what it found,
/// with the bytes polars should read when they differ from `bytes`: without a leading
/// byte-order mark, and with each blank line and ragged record replaced by a record of
/// empty fields, so that polars' row `i` is still data row `i`.
pub(crate) fn scan(bytes: &[u8]) -> (CsvScan, Option<Vec<u8>>) {
    let skip = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    let mut s = Scanner {
        b: bytes,
        pos: skip,
        line: 1,
    };
    let header = s.record();
    let expected = header.fields;
    let mut found = CsvScan::default();
    let mut edits = Vec::new();
    let mut row = 0usize;
    while s.pos < bytes.len() {
        let start = s.pos;
        if let Some(end) = s.blank_line() {
            found.blank.push(row);
            edits.push(Edit { start, end });
            row += 1;
            continue;
        }
        let line = s.line;
        let r = s.record();
        if r.fields != expected || r.unclosed || r.bad_quote {
            found.ragged.push(Ragged {
                row,
                line,
                found: r.fields,
                expected,
                // The lines the record spans: its line breaks, and the last line when
                // the file does not end with one.
                unclosed: r
                    .unclosed
                    .then(|| s.line - line + u64::from(!bytes.ends_with(b"\n"))),
                bad_quote: r.bad_quote,
            });
            edits.push(Edit { start, end: s.pos });
        }
        row += 1;
    }
    if skip == 0 && edits.is_empty() {
        return (found, None);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = skip;
    for e in &edits {
        out.extend_from_slice(bytes.get(at..e.start).unwrap_or_default());
        if expected > 1 {
            out.resize(out.len() + expected - 1, b',');
        } else {
            // One empty field, quoted, so that the line is not blank.
            out.extend_from_slice(b"\"\"");
        }
        out.push(b'\n');
        at = e.end;
    }
    out.extend_from_slice(bytes.get(at..).unwrap_or_default());
    (found, Some(out))
}

/// One record as split: its field count, whether a quote was left open, and whether a
/// quoted field has text after its closing quote.
struct Record {
    fields: usize,
    unclosed: bool,
    bad_quote: bool,
}

struct Scanner<'a> {
    b: &'a [u8],
    pos: usize,
    /// The 1-based line at `pos`.
    line: u64,
}

impl Scanner<'_> {
    /// When the line at `pos` is blank, moves past it and returns its end.
    fn blank_line(&mut self) -> Option<usize> {
        let rest = self.b.get(self.pos..)?;
        let mut i = 0;
        while let Some(&c) = rest.get(i) {
            match c {
                b'\n' => {
                    self.pos += i + 1;
                    self.line += 1;
                    return Some(self.pos);
                }
                b' ' | b'\t' | b'\r' => i += 1,
                _ => return None,
            }
        }
        // Spaces at the very end of the file, with no line end.
        self.pos += i;
        Some(self.pos)
    }

    /// Splits the record at `pos` and moves past its line end.
    ///
    /// Fields are split as polars splits them: a field that starts with a quote runs to
    /// the next `,` or line end outside quotes, any other field to the next `,` or line
    /// end. polars also cuts a file into parts at line ends after an even number of
    /// quotes, wherever they stand; a quote inside an unquoted field can move those
    /// cuts, so it is a fault of its record too.
    fn record(&mut self) -> Record {
        let b = self.b;
        let mut fields = 1;
        let mut bad_quote = false;
        loop {
            let mut in_quotes = false;
            let mut i = self.pos;
            let start = i;
            if b.get(i) == Some(&b'"') {
                while let Some(&c) = b.get(i) {
                    match c {
                        b'"' => {
                            in_quotes = !in_quotes;
                        }
                        b',' | b'\n' if !in_quotes => break,
                        b'\n' => self.line += 1,
                        _ => {}
                    }
                    i += 1;
                }
                // polars reads a quoted field only when it ends with its quote (a `\r`
                // at its end dropped first).
                let field = b.get(start..i).unwrap_or_default();
                let field = field.strip_suffix(b"\r").unwrap_or(field);
                bad_quote |= !in_quotes && (field.len() < 2 || !field.ends_with(b"\""));
            } else {
                while let Some(&c) = b.get(i) {
                    match c {
                        b',' | b'\n' => break,
                        // polars cuts records at line ends after an even number of
                        // quotes, counted from the record's start whatever the fields:
                        // a quote in an unquoted field can move a cut even when the
                        // record's quotes pair up (`a",,"b` then a quoted line break).
                        b'"' => bad_quote = true,
                        _ => {}
                    }
                    i += 1;
                }
            }
            match b.get(i) {
                Some(b',') => {
                    fields += 1;
                    self.pos = i + 1;
                }
                Some(_) => {
                    self.pos = i + 1;
                    self.line += 1;
                    return Record {
                        fields,
                        unclosed: false,
                        bad_quote,
                    };
                }
                None => {
                    self.pos = b.len();
                    return Record {
                        fields,
                        unclosed: in_quotes,
                        bad_quote: !in_quotes && bad_quote,
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (CsvScan, String) {
        let (found, out) = scan(text.as_bytes());
        let out = out.map_or_else(|| text.to_string(), |b| String::from_utf8(b).unwrap());
        (found, out)
    }

    #[test]
    fn a_clean_file_is_passed_as_it_is() {
        let text = "a,b,c\n1,\"x, y\",3\r\n4,\"two\nlines\",6\n7,\"say \"\"hi\"\"\",9";
        let (found, out) = scan(text.as_bytes());
        assert_eq!(found, CsvScan::default());
        assert!(out.is_none());
    }

    #[test]
    fn ragged_records_name_their_line_and_row() {
        // Line 3 holds a quoted line break, so row 3 starts on line 5.
        let text = "a,b,c\n1,2,3\n4,\"x\ny\",6\n7,8\n9,10,11,12\n13,14,15\n";
        let (found, out) = run(text);
        assert!(found.blank.is_empty());
        let got: Vec<(usize, u64, usize)> = found
            .ragged
            .iter()
            .map(|r| (r.row, r.line, r.found))
            .collect();
        assert_eq!(got, vec![(2, 5, 2), (3, 6, 4)]);
        assert_eq!(
            found.ragged[1].message(),
            "4 fields on line 6, expected 3 (as in the header)"
        );
        assert_eq!(out, "a,b,c\n1,2,3\n4,\"x\ny\",6\n,,\n,,\n13,14,15\n");
    }

    #[test]
    fn blank_lines_keep_their_row_and_a_bom_is_dropped() {
        let text = "\u{feff}a,b\r\n1,2\r\n\r\n  \n3,4\n\n";
        let (found, out) = run(text);
        assert_eq!(found.blank, vec![1, 2, 4]);
        assert!(found.ragged.is_empty());
        assert_eq!(out, "a,b\r\n1,2\r\n,\n,\n3,4\n,\n");
        let (found, out) = run("id\nA\n\nB\n");
        assert_eq!(found.blank, vec![1]);
        assert_eq!(out, "id\nA\n\"\"\nB\n");
    }

    #[test]
    fn a_quote_left_open_is_one_ragged_record() {
        let text = "a,b\n1,2\n3,\"open\n5,6\n7,8\n";
        let (found, out) = run(text);
        assert_eq!(found.ragged.len(), 1);
        let r = &found.ragged[0];
        assert_eq!((r.row, r.line, r.found, r.unclosed), (1, 3, 2, Some(3)));
        assert!(r.message().contains("never closed"), "{}", r.message());
        assert_eq!(out, "a,b\n1,2\n,\n");
    }

    #[test]
    fn text_after_a_closing_quote_is_a_fault_of_its_row() {
        let (found, out) = run("a,b\n\"x\"y,2\n\"o\"\"k\",\"z\"\r\n3,\"\"\n");
        assert_eq!(found.ragged.len(), 1, "{found:?}");
        let r = &found.ragged[0];
        assert!(r.bad_quote && r.row == 0 && r.found == 2, "{r:?}");
        assert!(r.message().contains("do not pair up"), "{}", r.message());
        assert_eq!(out, "a,b\n,\n\"o\"\"k\",\"z\"\r\n3,\"\"\n");
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_a_fault_of_its_row() {
        // polars would cut the file after `two` (the quote of `a"` counts there) and
        // then fail on `"two`.
        let (found, out) = run("a,b,c\nx,a\",\"two\nlines\"\n1,2,3\n4,5\"x\"6,7\n");
        assert_eq!(found.ragged.len(), 2, "{found:?}");
        let r = &found.ragged[0];
        assert!(r.bad_quote && r.row == 0 && r.found == 3, "{r:?}");
        assert!(found.ragged[1].bad_quote && found.ragged[1].row == 2);
        assert_eq!(out, "a,b,c\n,,\n1,2,3\n,,\n");
        // Quotes that pair up within the record still move polars' cut: `lines"` and
        // `"two` make two before the line break inside the quoted field.
        let (found, out) = run("a,b,c\nlines\",\"two\nlines\",0\"\n1,2,3\n");
        assert_eq!(found.ragged.len(), 1, "{found:?}");
        assert_eq!(out, "a,b,c\n,,\n1,2,3\n");
    }

    #[test]
    fn a_last_line_without_line_end_is_a_record() {
        let (found, out) = run("a,b\n1,2\n3");
        assert_eq!(found.ragged.len(), 1);
        assert_eq!(found.ragged[0].line, 3);
        assert_eq!(out, "a,b\n1,2\n,\n");
    }
}
