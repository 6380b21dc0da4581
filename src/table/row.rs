//! One table row: splitting it into cells ([`Splitter`], fed a physical line at a time so a
//! quoted cell may span lines) and reading the cells through a [`Layout`] into a [`Row`] or
//! the reason it cannot be read. Pure: the fuzz target `parse_table_row` drives it directly.
//!
//! Quoting follows RFC 4180 as the csv crate reads it: a `"` at the start of a cell opens a
//! quoted cell, `""` inside is one `"`, and a `"` anywhere else is an ordinary character.

use crate::table::mapping::{Column, TableMapping};
use crate::vocab::{RejectCode, Role};

/// Splits rows into cells incrementally. Memory: the cells of one row.
#[derive(Debug)]
pub struct Splitter {
    delimiter: u8,
    quoting: bool,
    cells: Vec<Vec<u8>>,
    cell: Vec<u8>,
    at_cell_start: bool,
    in_quotes: bool,
    /// Just left a quoted part: a `"` now is an escaped quote, not a literal.
    after_quote: bool,
}

impl Splitter {
    pub fn new(delimiter: u8, quoting: bool) -> Splitter {
        Splitter {
            delimiter,
            quoting,
            cells: Vec::new(),
            cell: Vec::new(),
            at_cell_start: true,
            in_quotes: false,
            after_quote: false,
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.in_quotes {
                if b == b'"' {
                    self.in_quotes = false;
                    self.after_quote = true;
                } else {
                    self.cell.push(b);
                }
                continue;
            }
            if self.quoting && b == b'"' && (self.at_cell_start || self.after_quote) {
                if self.after_quote {
                    self.cell.push(b'"');
                }
                self.in_quotes = true;
                self.at_cell_start = false;
                self.after_quote = false;
                continue;
            }
            self.after_quote = false;
            if b == self.delimiter {
                self.cells.push(std::mem::take(&mut self.cell));
                self.at_cell_start = true;
            } else {
                self.cell.push(b);
                self.at_cell_start = false;
            }
        }
    }

    /// Inside a quoted cell: the row continues on the next physical line.
    pub fn open(&self) -> bool {
        self.in_quotes
    }

    pub fn finish(mut self) -> Vec<Vec<u8>> {
        self.cells.push(self.cell);
        self.cells
    }
}

/// The delimiter and quoting of one file: the mapping's, else `,` with quoting for `.csv` and
/// tab without quoting for everything else.
pub fn dialect(mapping: &TableMapping, file_name: &str) -> (u8, bool) {
    let is_csv = file_name.ends_with(".csv") || file_name.ends_with(".csv.gz");
    let delimiter = mapping.delimiter.unwrap_or(if is_csv { b',' } else { b'\t' });
    (delimiter, mapping.quoting.unwrap_or(delimiter == b','))
}

/// A mapping resolved against one file: column positions, delimiter, quoting.
#[derive(Debug, Clone)]
pub struct Layout {
    pub delimiter: u8,
    pub quoting: bool,
    pub columns: Option<usize>,
    pub ticket: usize,
    pub role: usize,
    pub text: usize,
    pub agent: Option<usize>,
    pub agent_name: Option<usize>,
    pub ts: Option<usize>,
    pub role_values: std::collections::BTreeMap<String, Role>,
}

impl Layout {
    /// Resolves header names to positions. `file_name` picks the default delimiter.
    pub fn resolve(
        mapping: &TableMapping,
        file_name: &str,
        header: Option<&[Vec<u8>]>,
    ) -> Result<Layout, String> {
        let (delimiter, quoting) = dialect(mapping, file_name);
        let names: Vec<String> = header
            .unwrap_or(&[])
            .iter()
            .map(|c| String::from_utf8_lossy(c).trim().to_string())
            .collect();
        let find = |key: &str, column: &Column| -> Result<usize, String> {
            match column {
                // With a header the table's width is known: a column past it is a typo, fatal
                // like an unknown name (else every row would be rejected one by one).
                Column::Index(i) if header.is_some_and(|h| *i >= h.len()) => Err(format!(
                    "mapping {key} = {i}: the header has {} columns (0 to {})",
                    names.len(),
                    names.len().saturating_sub(1)
                )),
                Column::Index(i) => Ok(*i),
                Column::Name(name) => names.iter().position(|n| n == name).ok_or_else(|| {
                    format!(
                        "mapping {key} = {name}: the header has no such column (it has: {})",
                        names.join(", ")
                    )
                }),
            }
        };
        let optional =
            |key: &str, column: &Option<Column>| column.as_ref().map(|c| find(key, c)).transpose();
        Ok(Layout {
            delimiter,
            quoting,
            columns: mapping.columns.or(header.map(<[_]>::len)),
            ticket: find("ticket", &mapping.ticket)?,
            role: find("role", &mapping.role)?,
            text: find("text", &mapping.text)?,
            agent: optional("agent", &mapping.agent)?,
            agent_name: optional("agent_name", &mapping.agent_name)?,
            ts: optional("ts", &mapping.ts)?,
            role_values: mapping.role_values.clone(),
        })
    }

    pub fn splitter(&self) -> Splitter {
        Splitter::new(self.delimiter, self.quoting)
    }

    fn needed(&self) -> usize {
        [Some(self.ticket), Some(self.role), Some(self.text), self.agent, self.agent_name, self.ts]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(0)
            + 1
    }
}

/// One message row, read through a layout. `ts` is the cell as written: the parser reads it
/// (`timestamp`), like a JSON Lines `ts`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub session: String,
    pub role: Role,
    pub text: String,
    pub agent: Option<String>,
    pub agent_name: Option<String>,
    pub ts: Option<String>,
}

pub type RowError = (RejectCode, String);

/// Reads split cells as a message row, or says why the row cannot be one.
pub fn map_row(cells: &[Vec<u8>], layout: &Layout) -> Result<Row, RowError> {
    if let Some(want) = layout.columns {
        if cells.len() != want {
            let detail = format!("row has {} columns, the table has {want}", cells.len());
            return Err((RejectCode::ColumnCount, detail));
        }
    }
    // Also with a known column count: a header shorter than the mapping's columns.
    if cells.len() < layout.needed() {
        let detail =
            format!("row has {} columns, the mapping needs {}", cells.len(), layout.needed());
        return Err((RejectCode::ColumnCount, detail));
    }
    let text_of = |index: usize, what: &str| -> Result<&str, RowError> {
        std::str::from_utf8(&cells[index]).map_err(|e| {
            let detail =
                format!("{what} (column {index}): invalid UTF-8 at byte {}", e.valid_up_to());
            (RejectCode::InvalidUtf8, detail)
        })
    };
    let optional = |index: Option<usize>, what: &str| -> Result<Option<String>, RowError> {
        match index {
            None => Ok(None),
            Some(i) => {
                let value = text_of(i, what)?.trim();
                Ok((!value.is_empty()).then(|| value.to_string()))
            }
        }
    };
    let session = text_of(layout.ticket, "ticket id")?.trim();
    if session.is_empty() {
        return Err((
            RejectCode::InvalidValue,
            format!("empty ticket id (column {})", layout.ticket),
        ));
    }
    let role_cell = text_of(layout.role, "role")?.trim();
    let role = if layout.role_values.is_empty() {
        Role::parse(role_cell)
    } else {
        layout.role_values.get(role_cell).copied()
    }
    .ok_or_else(|| {
        let known: Vec<&str> = layout.role_values.keys().map(String::as_str).collect();
        let known = if known.is_empty() { "a role name or alias".into() } else { known.join(", ") };
        (
            RejectCode::UnknownRole,
            format!("unknown role `{role_cell}` (column {}; expected {known})", layout.role),
        )
    })?;
    let text = text_of(layout.text, "text")?.to_string();
    let ts = optional(layout.ts, "ts")?;
    Ok(Row {
        session: session.to_string(),
        role,
        text,
        agent: optional(layout.agent, "agent")?,
        agent_name: optional(layout.agent_name, "agent_name")?,
        ts,
    })
}

/// Splits and maps a whole row given as bytes (no multi-line handling: the fuzz entry point).
pub fn parse_row(bytes: &[u8], layout: &Layout) -> Result<Row, RowError> {
    let mut splitter = layout.splitter();
    splitter.feed(bytes);
    if splitter.open() {
        return Err((RejectCode::UnclosedQuote, "a quoted cell is never closed".into()));
    }
    map_row(&splitter.finish(), layout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::mapping::{list_pairs, TableMapping};

    fn layout(list: &str) -> Layout {
        let mapping =
            TableMapping::from_pairs(&list_pairs("--table-columns", list).unwrap()).unwrap();
        Layout::resolve(&mapping, "t.csv", None).unwrap()
    }

    #[test]
    fn splitting() {
        struct Case {
            name: &'static str,
            row: &'static [u8],
            quoting: bool,
            cells: &'static [&'static str],
        }
        let cases = [
            Case { name: "plain", row: b"a,b,c", quoting: true, cells: &["a", "b", "c"] },
            Case { name: "empty cells", row: b",,", quoting: true, cells: &["", "", ""] },
            Case { name: "quoted comma", row: b"\"a,b\",c", quoting: true, cells: &["a,b", "c"] },
            Case {
                name: "escaped quote",
                row: b"\"say \"\"hi\"\"\",x",
                quoting: true,
                cells: &["say \"hi\"", "x"],
            },
            Case {
                name: "quote mid-cell is literal",
                row: b"ab\"c,d",
                quoting: true,
                cells: &["ab\"c", "d"],
            },
            Case { name: "quoting off", row: b"\"a,b\"", quoting: false, cells: &["\"a", "b\""] },
            Case {
                name: "chinese",
                row: "您好,在的".as_bytes(),
                quoting: true,
                cells: &["您好", "在的"],
            },
        ];
        for case in cases {
            let mut s = Splitter::new(b',', case.quoting);
            s.feed(case.row);
            assert!(!s.open(), "{}", case.name);
            let cells: Vec<String> =
                s.finish().into_iter().map(|c| String::from_utf8(c).unwrap()).collect();
            assert_eq!(cells, case.cells, "{}", case.name);
        }
        let mut s = Splitter::new(b',', true);
        s.feed(b"1,\"two");
        assert!(s.open());
        s.feed(b"\nlines\",3");
        assert!(!s.open());
        assert_eq!(s.finish()[1], b"two\nlines");
    }

    #[test]
    fn rows_map_or_say_why_not() {
        let l = layout("ticket=0,role=1,text=2,ts=3,roles=1=agent,header=false");
        // `roles=1=agent` is cut by the list syntax at the comma: only `1` is known.
        let cases: &[(&str, &[u8], Result<Role, RejectCode>)] = &[
            ("agent row", b"S1,1,hello,", Ok(Role::Agent)),
            ("ts rfc3339", b"S1,1,hi,2026-11-21T09:12:03+08:00", Ok(Role::Agent)),
            ("unknown role value", b"S1,2,hello,", Err(RejectCode::UnknownRole)),
            ("too few columns", b"S1,1", Err(RejectCode::ColumnCount)),
            ("empty session", b" ,1,hello,", Err(RejectCode::InvalidValue)),
            // A time is read by the parser: an unreadable one is a warning, not a bad row.
            ("bad ts", b"S1,1,hello,yesterday", Ok(Role::Agent)),
            ("invalid utf8 text", b"S1,1,\xff\xfe,", Err(RejectCode::InvalidUtf8)),
            ("unclosed quote", b"S1,1,\"hello", Err(RejectCode::UnclosedQuote)),
        ];
        // Found by fuzzing (parse_table): a header of 1 column, a mapping using 3, a 1-cell row.
        let short = Layout { columns: Some(1), ..l.clone() };
        assert_eq!(parse_row(b"f", &short).unwrap_err().0, RejectCode::ColumnCount);
        for (name, row, want) in cases {
            let got = parse_row(row, &l).map(|r| r.role).map_err(|e| e.0);
            assert_eq!(&got, want, "{name}");
        }
    }
}
