//! Stage 1b — tables: message-per-row exports (CSV, TSV; header or not; gzip or not), the
//! only place that knows table mappings. Takes a seekable table file and a [`TableMapping`],
//! yields one [`InputLine`] per session holding that ticket as JSON (built with serde, so the
//! parser and everything after it are the same as for JSON Lines), and one per row that cannot
//! be read, carrying its reason.
//!
//! **Two passes, bounded memory.** Pass 1 reads every row and keeps, per session, only where
//! its rows lie (runs of consecutive rows: byte offset, line, count); pass 2 reads each
//! session's rows back by offset and emits the ticket. So sessions need not be contiguous, and
//! no message text is held beyond one ticket. Tickets come out in order of their first row;
//! messages in row order. A gzip or stdin table is first copied, decompressed, to the staging
//! directory, since pass 2 must seek.
//!
//! **Counting.** A row is a record: a table's `lines` are its non-blank rows (a header row is
//! not counted), and an emitted ticket stands for all of its rows ([`InputLine::rows`]).

pub mod mapping;
pub mod row;

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::PathBuf;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::read::{self, InputLine, KEPT_BYTES, MAX_LINE_BYTES};
use crate::vocab::{RejectCode, Role};
pub use mapping::{Column, TableMapping};
use row::{Layout, Row, RowError};

/// A row as read from the file: where it starts and its cells, or why it has none.
struct RawRow {
    offset: u64,
    line_no: u64,
    /// The row's first bytes, for `rejects.jsonl`.
    head: Vec<u8>,
    cells: Result<Vec<Vec<u8>>, RowError>,
}

/// Reads rows (a quoted cell may span physical lines), skipping blank lines, tracking the
/// byte offset and physical line number of each row.
struct RowReader<R> {
    reader: R,
    pos: u64,
    line_no: u64,
    delimiter: u8,
    quoting: bool,
}

impl<R: BufRead> RowReader<R> {
    fn next_row(&mut self) -> io::Result<Option<RawRow>> {
        let mut splitter = None;
        let (mut offset, mut first_line, mut total) = (0, 0, 0);
        let mut head = Vec::new();
        loop {
            let mut line = Vec::new();
            let (read, too_long) =
                read::read_line(&mut self.reader, &mut line, read::LineEnds::Lf)?;
            if read == 0 {
                // End of file inside a quoted cell: the row is all that was left.
                let detail = "a quoted cell is never closed before the end of the file";
                return Ok(splitter.map(|_: row::Splitter| RawRow {
                    offset,
                    line_no: first_line,
                    head,
                    cells: Err((RejectCode::UnclosedQuote, detail.into())),
                }));
            }
            let at = self.pos;
            self.pos += read as u64;
            self.line_no += 1;
            if self.line_no == 1 && line.starts_with(b"\xEF\xBB\xBF") {
                line.drain(..3);
            }
            match splitter.as_mut() {
                None => {
                    if !too_long && line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    (offset, first_line) = (at, self.line_no);
                    splitter = Some(row::Splitter::new(self.delimiter, self.quoting));
                }
                Some(s) => {
                    s.feed(b"\n");
                    total += 1;
                }
            }
            let room = (KEPT_BYTES + 8).saturating_sub(head.len());
            head.extend_from_slice(&line[..line.len().min(room)]);
            total += line.len();
            if too_long || total > MAX_LINE_BYTES {
                let detail = format!("row longer than {} MiB", MAX_LINE_BYTES >> 20);
                let cells = Err((RejectCode::LineTooLong, detail));
                return Ok(Some(RawRow { offset, line_no: first_line, head, cells }));
            }
            let s = splitter.as_mut().expect("set above");
            s.feed(&line);
            if !s.open() {
                let cells = Ok(splitter.take().expect("set above").finish());
                return Ok(Some(RawRow { offset, line_no: first_line, head, cells }));
            }
        }
    }
}

enum Entry {
    Session(u32),
    Reject { offset: u64, line_no: u64 },
}

/// Consecutive rows of one session.
struct Run {
    offset: u64,
    line_no: u64,
    rows: u32,
}

#[derive(Default)]
struct Session {
    runs: Vec<Run>,
    /// The bytes of its rows: a ticket is capped like a JSON line ([`MAX_LINE_BYTES`]), so a
    /// session column that is constant (a mapping mistake) cannot build one giant ticket.
    bytes: u64,
}

/// One table file after pass 1, emitting tickets and rejected rows in pass 2.
pub struct TableReader {
    file: u32,
    path: PathBuf,
    /// A decompressed copy in the staging directory, removed when the table is done.
    temp: Option<PathBuf>,
    layout: Option<Layout>,
    entries: std::vec::IntoIter<Entry>,
    sessions: Vec<Session>,
    default_agent: Option<String>,
    reader: Option<RowReader<BufReader<File>>>,
    /// Non-blank rows, the header excluded.
    pub rows: u64,
}

impl TableReader {
    /// Pass 1 over `source` (the table's bytes, decoded), which `path` holds too, for pass 2.
    /// `name` picks the default delimiter (`.csv`: comma; else tab).
    pub fn index(
        file: u32,
        name: &str,
        source: Box<dyn BufRead + '_>,
        path: PathBuf,
        temp: Option<PathBuf>,
        mapping: &TableMapping,
    ) -> Result<TableReader> {
        let (delimiter, quoting) = row::dialect(mapping, name);
        let mut rows = RowReader { reader: source, pos: 0, line_no: 0, delimiter, quoting };
        let failed = |problem: String| Error::Input { path: PathBuf::from(name), problem };
        let io_failed =
            |line: u64, e: io::Error| failed(format!("read failed after line {line}: {e}"));
        let header = if mapping.has_header {
            match rows.next_row().map_err(|e| io_failed(rows.line_no, e))? {
                None => None,
                Some(RawRow { cells: Ok(cells), .. }) => Some(cells),
                Some(RawRow { line_no, cells: Err((_, why)), .. }) => {
                    return Err(failed(format!("header row (line {line_no}): {why}")))
                }
            }
        } else {
            None
        };
        let empty = mapping.has_header && header.is_none();
        let layout = if empty {
            None
        } else {
            Some(Layout::resolve(mapping, name, header.as_deref()).map_err(failed)?)
        };
        let mut entries = Vec::new();
        let mut sessions: Vec<Session> = Vec::new();
        let mut by_id: HashMap<String, u32> = HashMap::new();
        let mut last = None;
        let mut count = 0;
        while let Some(raw) = rows.next_row().map_err(|e| io_failed(rows.line_no, e))? {
            count += 1;
            let layout = layout.as_ref().expect("a table with rows has a layout");
            let Ok(row) = raw.cells.and_then(|cells| row::map_row(&cells, layout)) else {
                entries.push(Entry::Reject { offset: raw.offset, line_no: raw.line_no });
                last = None;
                continue;
            };
            let id = match by_id.get(&row.session) {
                Some(&id) => id,
                None => {
                    let id = sessions.len() as u32;
                    sessions.push(Session::default());
                    entries.push(Entry::Session(id));
                    by_id.insert(row.session, id);
                    id
                }
            };
            let session = &mut sessions[id as usize];
            session.bytes += rows.pos - raw.offset;
            let runs = &mut session.runs;
            match runs.last_mut() {
                Some(run) if last == Some(id) => run.rows += 1,
                _ => runs.push(Run { offset: raw.offset, line_no: raw.line_no, rows: 1 }),
            }
            last = Some(id);
        }
        Ok(TableReader {
            file,
            path,
            temp,
            layout,
            entries: entries.into_iter(),
            sessions,
            default_agent: mapping.default_agent.clone(),
            reader: None,
            rows: count,
        })
    }

    /// Pass 2: the next ticket or rejected row, in order of first row; `None` when done.
    pub fn next_line(&mut self) -> Result<Option<InputLine>> {
        let Some(entry) = self.entries.next() else {
            if let Some(temp) = self.temp.take() {
                let _ = std::fs::remove_file(temp);
            }
            return Ok(None);
        };
        let line = match entry {
            Entry::Reject { offset, line_no } => {
                let raw = self.read_row(offset, line_no)?;
                let layout = self.layout.as_ref().expect("rows imply a layout");
                let reason = match raw.cells.and_then(|c| row::map_row(&c, layout)) {
                    Err(reason) => reason,
                    Ok(_) => return Err(self.changed(line_no)),
                };
                InputLine {
                    file: self.file,
                    line_no,
                    bytes: raw.head,
                    too_long: false,
                    rows: 1,
                    reject: Some(reason),
                }
            }
            Entry::Session(id) => {
                let session = std::mem::take(&mut self.sessions[id as usize]);
                let runs = session.runs;
                if session.bytes > MAX_LINE_BYTES as u64 {
                    let rows: u64 = runs.iter().map(|r| u64::from(r.rows)).sum();
                    let first = self.read_row(runs[0].offset, runs[0].line_no)?;
                    let detail = format!(
                        "a ticket of {rows} rows and {} MiB, over the {} MiB a ticket may hold \
                         (is the ticket column right?)",
                        session.bytes >> 20,
                        MAX_LINE_BYTES >> 20
                    );
                    return Ok(Some(InputLine {
                        file: self.file,
                        line_no: runs[0].line_no,
                        bytes: first.head,
                        too_long: false,
                        rows,
                        reject: Some((RejectCode::LineTooLong, detail)),
                    }));
                }
                let mut rows = Vec::new();
                for run in &runs {
                    for i in 0..run.rows {
                        let raw = if i == 0 {
                            self.read_row(run.offset, run.line_no)?
                        } else {
                            self.next_raw(run.line_no)?
                        };
                        let layout = self.layout.as_ref().expect("rows imply a layout");
                        match raw.cells.and_then(|c| row::map_row(&c, layout)) {
                            Ok(row) => rows.push(row),
                            Err(_) => return Err(self.changed(raw.line_no)),
                        }
                    }
                }
                InputLine {
                    file: self.file,
                    line_no: runs[0].line_no,
                    bytes: ticket_json(&rows, self.default_agent.as_deref()),
                    too_long: false,
                    rows: rows.len() as u64,
                    reject: None,
                }
            }
        };
        Ok(Some(line))
    }

    /// The row at `offset`, seeking only when the reader is not already there.
    fn read_row(&mut self, offset: u64, line_no: u64) -> Result<RawRow> {
        if self.reader.is_none() {
            let file = File::open(&self.path).map_err(Error::read(&self.path))?;
            let layout = self.layout.as_ref().expect("rows imply a layout");
            self.reader = Some(RowReader {
                reader: BufReader::with_capacity(64 << 10, file),
                pos: 0,
                line_no: 0,
                delimiter: layout.delimiter,
                quoting: layout.quoting,
            });
        }
        let reader = self.reader.as_mut().expect("opened above");
        if reader.pos != offset {
            let delta = offset as i64 - reader.pos as i64;
            reader.reader.seek_relative(delta).map_err(Error::read(&self.path))?;
            reader.pos = offset;
        }
        // Physical line numbers restart from the run's; BOM handling only applies at line 1.
        reader.line_no = line_no - 1;
        self.next_raw(line_no)
    }

    fn next_raw(&mut self, line_no: u64) -> Result<RawRow> {
        let reader = self.reader.as_mut().expect("read_row opens the reader");
        match reader.next_row() {
            Ok(Some(raw)) => Ok(raw),
            Ok(None) => Err(self.changed(line_no)),
            Err(e) => Err(Error::read(&self.path)(e)),
        }
    }

    fn changed(&self, line_no: u64) -> Error {
        Error::Input {
            path: self.path.clone(),
            problem: format!(
                "changed while being read (rows near line {line_no} differ between passes); \
                 audit a copy that nothing writes to"
            ),
        }
    }
}

#[derive(Serialize)]
struct TicketJson<'a> {
    ticket_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent_name: Option<&'a str>,
    messages: Vec<MessageJson<'a>>,
}

#[derive(Serialize)]
struct MessageJson<'a> {
    role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<&'a str>,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent_id: Option<&'a str>,
}

/// One session's rows as a JSON Lines ticket. Agent rows carry their agent cell; the mapping's
/// default agent owns the ticket only when no agent row names one.
fn ticket_json(rows: &[Row], default_agent: Option<&str>) -> Vec<u8> {
    let is_agent = |r: &&Row| r.role == Role::Agent;
    let named = rows.iter().filter(is_agent).any(|r| r.agent.is_some());
    let ticket = TicketJson {
        ticket_id: &rows[0].session,
        agent_id: if named { None } else { default_agent },
        agent_name: rows
            .iter()
            .filter(is_agent)
            .filter_map(|r| r.agent_name.as_deref())
            .next_back(),
        messages: rows
            .iter()
            .map(|r| MessageJson {
                role: r.role.key(),
                ts: r.ts.as_deref(),
                text: &r.text,
                agent_id: if r.role == Role::Agent { r.agent.as_deref() } else { None },
            })
            .collect(),
    };
    serde_json::to_vec(&ticket).expect("a ticket serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    fn mapping(list: &str) -> TableMapping {
        TableMapping::from_pairs(&mapping::list_pairs("--table-columns", list).unwrap()).unwrap()
    }

    /// Indexes `table` (written to a temp file) and drains pass 2.
    fn emit(table: &str, m: &TableMapping) -> Vec<InputLine> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, table).unwrap();
        let source = Box::new(BufReader::new(File::open(&path).unwrap()));
        let mut reader = TableReader::index(0, "t.csv", source, path, None, m).unwrap();
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().unwrap() {
            out.push(line);
        }
        out
    }

    #[test]
    fn interleaved_sessions_group_and_bad_rows_reject() {
        let m = mapping("ticket=sid,role=who,text=msg,agent=agent");
        let table = "sid,who,msg,agent\n\
                     S1,customer,在吗,\n\
                     S2,customer,你好,\n\
                     S1,agent,\"在的, 请讲\",A1\n\
                     S1,martian,??,\n\
                     \n\
                     S2,客服,\"您好\n有什么可以帮您\",A2\n\
                     S1,customer,谢谢,\n";
        let lines = emit(table, &m);
        let summary: Vec<(u64, u64, Option<RejectCode>)> =
            lines.iter().map(|l| (l.line_no, l.rows, l.reject.as_ref().map(|r| r.0))).collect();
        assert_eq!(
            summary,
            [(2, 3, None), (3, 2, None), (5, 1, Some(RejectCode::UnknownRole))],
            "tickets in order of first row, rows counted, the bad row rejected at its line"
        );
        let s1 = parse::parse_line(&lines[0], &Default::default()).unwrap();
        let texts: Vec<&str> = s1.messages.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["在吗", "在的, 请讲", "谢谢"]);
        assert_eq!(s1.owner, "A1");
        let s2 = parse::parse_line(&lines[1], &Default::default()).unwrap();
        assert_eq!(s2.messages[1].text, "您好\n有什么可以帮您");
    }

    #[test]
    fn default_agent_owns_unnamed_sessions() {
        let m = mapping("ticket=0,role=1,text=2,header=false,default_agent=jd,delimiter=tab");
        let m = TableMapping {
            role_values: [("1".to_string(), Role::Agent), ("0".to_string(), Role::Customer)].into(),
            ..m
        };
        let lines = emit("s\t0\t在吗\ns\t1\t在的\nt\t0\t人呢\n", &m);
        let owners: Vec<String> = lines
            .iter()
            .map(|l| parse::parse_line(l, &Default::default()).unwrap().owner)
            .collect();
        assert_eq!(owners, ["jd", "jd"]);
    }

    #[test]
    fn header_only_and_empty_tables_yield_nothing() {
        let m = mapping("ticket=sid,role=who,text=msg");
        assert!(emit("sid,who,msg\n", &m).is_empty());
        assert!(emit("", &m).is_empty());
    }
}
