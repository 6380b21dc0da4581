//! Partial records as text lines, `KEY<TAB>JSON`, for engines that pipe rows through a program
//! (Spark SQL's `SELECT TRANSFORM`, Hive, MaxCompute) and group them by key. One record is one
//! ticket (with its rendered report lines and its not-yet-counted aggregate contribution), one
//! rejected line, one input file's line count, or the header naming what the records were
//! made with. The key spreads tickets by a hash of their id, so every copy of a ticket id meets
//! in the same group; it only guides grouping: `combine` and `render` merge whatever they are
//! given, by the records' contents.

use std::collections::BTreeMap;
use std::hash::Hasher;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use siphasher::sip::SipHasher13;

use crate::aggregate::{AgentAggregate, Aggregate, Period};
use crate::error::{Error, Result};
use crate::report::manifest::UnreadTimeExample;
use crate::vocab::{RejectCode, Severity};

/// Lines read per batch, parsed on the thread pool.
const BATCH_LINES: usize = 4096;

/// The format of these records; a render refuses records of another. 2: a flagged ticket's
/// agent-page fragment holds its evidence before its conversation.
pub const VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Record {
    Header(Header),
    Input(InputPart),
    Reject(RejectPart),
    Ticket(Box<TicketPart>),
}

/// What the records were made with: the record format, the zhijian version, and a digest of
/// everything that changes a ticket's rendered lines (lexicons, template, options).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    pub version: String,
    pub fingerprint: String,
}

impl Header {
    /// For a run with these lexicons and options: what its tickets' rendered lines depend on.
    pub fn of(config: &crate::config::AuditConfig, lexicon: &crate::lexicon::Lexicon) -> Header {
        use sha2::{Digest, Sha256};
        let shaped_by = serde_json::json!({
            "lexicons": lexicon.fingerprint(),
            "template": config.template.sha256,
            "sla_seconds": config.sla_secs,
            "mask": config.mask,
            "per_ticket": config.per_ticket,
            "ts_format": config.ts_format.key(),
        });
        Header {
            format: VERSION,
            version: env!("CARGO_PKG_VERSION").to_string(),
            fingerprint: format!("{:x}", Sha256::digest(shaped_by.to_string())),
        }
    }
}

/// One input file's share: its non-blank lines (rows) in this partial. `bytes` and `sha256`
/// describe the whole file and are known only when one process read all of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputPart {
    pub file: String,
    pub format: String,
    pub lines: u64,
    pub bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// `read::InputFile::lines_digest` of this share, 32 hex digits; shares add up.
    pub lines_digest: String,
}

impl InputPart {
    pub fn of(file: &crate::read::InputFile) -> InputPart {
        InputPart {
            file: file.display.clone(),
            format: file.format.key().to_string(),
            lines: file.lines,
            bytes: file.bytes,
            sha256: file.sha256.clone(),
            lines_digest: format!("{:032x}", file.lines_digest),
        }
    }

    pub fn digest(&self) -> Result<u128> {
        u128::from_str_radix(&self.lines_digest, 16).map_err(|_| Error::Partial {
            at: format!("input {}", self.file),
            problem: format!("lines_digest `{}` is not 32 hex digits", self.lines_digest),
        })
    }
}

/// A rejected input line, rendered as `rejects.jsonl` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectPart {
    pub file: String,
    pub line: u64,
    pub rows: u64,
    pub code: RejectCode,
    /// The `rejects.jsonl` line, without its newline.
    pub rendered: String,
}

/// Where a copy of a ticket was read, and what its duplicate-id reject shows if it loses to an
/// earlier copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Copy {
    pub file: String,
    pub line: u64,
    pub rows: u64,
    /// The start of the raw line as its reject would show it (`report::jsonl::shown_raw`:
    /// masked unless `--no-mask`).
    pub raw: String,
}

/// One audited ticket: the copy that counts, the copies that lost to it (same ticket id, later
/// in input order), and everything the reports need from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketPart {
    pub id: String,
    pub copy: Copy,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<Copy>,
    pub owner: String,
    /// Two bits per template rule (`check::Compliance::pack`).
    pub checks: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// `vocab::ReasonSet` bits.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reasons: u64,
    pub lines: Lines,
    /// Counted only if this copy is the one audited, once every partial is merged.
    pub contribution: Contribution,
}

/// A ticket's rendered report lines (`engine::Rendered`), empty when they do not apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lines {
    pub queue: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub flagged: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ticket: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub brief_html: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub brief_md: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub conv_html: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub conv_md: String,
}

/// What one ticket adds to the aggregates and the manifest's warnings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub agents: BTreeMap<String, AgentAggregate>,
    /// Lexicon entries it counted: `[entry, hits]`; each adds one ticket to the entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<[u64; 2]>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub period: Period,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread_times: Option<(u64, UnreadTimeExample)>,
}

impl Contribution {
    /// From the aggregate of this one ticket.
    pub fn of(aggregate: Aggregate, unread_times: Option<(u64, UnreadTimeExample)>) -> Self {
        let entries = (aggregate.entry_hits.iter().enumerate())
            .filter(|(_, &hits)| hits > 0)
            .map(|(entry, &hits)| [entry as u64, hits])
            .collect();
        Contribution { agents: aggregate.agents, entries, period: aggregate.period, unread_times }
    }

    /// Adds it to `aggregate` (whose entry tables are as long as the lexicon).
    pub fn add_to(self, aggregate: &mut Aggregate) {
        let mut one = Aggregate::with_entries(aggregate.entry_hits.len());
        for [entry, hits] in self.entries {
            let entry = entry as usize;
            if entry >= one.entry_hits.len() {
                one.entry_hits.resize(entry + 1, 0);
                one.entry_tickets.resize(entry + 1, 0);
            }
            one.entry_hits[entry] += hits;
            one.entry_tickets[entry] += 1;
        }
        one.agents = self.agents;
        one.period = self.period;
        aggregate.merge(one);
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

impl Record {
    /// Its grouping key: `h` for the header, `i`/`r`/`t` and a hash of the file, the file and
    /// line, or the ticket id.
    pub fn key(&self) -> String {
        let hash = |parts: &[&[u8]]| {
            let mut hasher = SipHasher13::new_with_keys(0x7a68_696a_6961_6e00, 0x6b65_7973);
            for part in parts {
                hasher.write(part);
                hasher.write_u8(0xff);
            }
            hasher.finish()
        };
        match self {
            Record::Header(_) => "h".to_string(),
            Record::Input(input) => format!("i{:016x}", hash(&[input.file.as_bytes()])),
            Record::Reject(reject) => {
                let line = reject.line.to_le_bytes();
                format!("r{:016x}", hash(&[reject.file.as_bytes(), &line]))
            }
            Record::Ticket(ticket) => format!("t{:016x}", hash(&[ticket.id.as_bytes()])),
        }
    }

    /// `KEY<TAB>JSON\n`: compact JSON never holds a raw tab or newline.
    pub fn to_line(&self) -> Vec<u8> {
        let mut line = self.key().into_bytes();
        line.push(b'\t');
        serde_json::to_writer(&mut line, self).expect("records serialize");
        line.push(b'\n');
        line
    }

    /// Reads a `KEY<TAB>JSON` line (a line of bare JSON too); `Err` says why not.
    pub fn from_line(line: &str) -> std::result::Result<Record, String> {
        let json = line.split_once('\t').map_or(line, |(_, json)| json);
        serde_json::from_str(json.trim_end_matches(['\r', '\n']))
            .map_err(|e| format!("not a partial record ({e})"))
    }
}

/// Reads records from files (`-` is stdin) and gives each to `absorb`, parsing a batch of
/// lines on the thread pool; a line that is not a record is an error naming file and line.
pub fn read(inputs: &[PathBuf], mut absorb: impl FnMut(Record) -> Result<()>) -> Result<()> {
    for path in inputs {
        let name = path.display().to_string();
        let reader: Box<dyn BufRead> = if name == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            Box::new(BufReader::new(File::open(path).map_err(Error::read(path))?))
        };
        let mut lines = reader.lines().enumerate().peekable();
        while lines.peek().is_some() {
            let batch: Vec<(usize, String)> = (&mut lines)
                .take(BATCH_LINES)
                .map(|(i, line)| line.map(|l| (i + 1, l)).map_err(Error::read(path)))
                .collect::<Result<_>>()?;
            let records: Vec<Result<Option<Record>>> = batch
                .par_iter()
                .map(|(line_no, line)| {
                    if line.trim().is_empty() {
                        return Ok(None);
                    }
                    Record::from_line(line).map(Some).map_err(|problem| Error::Partial {
                        at: format!("{name}:{line_no}"),
                        problem,
                    })
                })
                .collect();
            for record in records {
                if let Some(record) = record? {
                    absorb(record)?;
                }
            }
        }
    }
    Ok(())
}

/// As `File::create` makes a file: readable by others unless the umask says otherwise (a
/// render may run as another user than the maps).
#[cfg(unix)]
fn readable() -> std::fs::Permissions {
    std::os::unix::fs::PermissionsExt::from_mode(0o666)
}

#[cfg(not(unix))]
fn readable() -> std::fs::Permissions {
    std::fs::metadata(".").map(|m| m.permissions()).expect("the working directory exists")
}

/// Where records go: a file, written under a temporary name and renamed into place when
/// complete (a failed run leaves no half file), or stdout for `-` or none.
pub struct Output {
    out: BufWriter<Box<dyn Write + Send>>,
    path: PathBuf,
    temp: Option<tempfile::TempPath>,
}

impl Output {
    pub fn create(path: Option<&PathBuf>) -> Result<Output> {
        match path.filter(|p| p.as_os_str() != "-") {
            Some(path) => {
                let dir =
                    path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
                let temp = tempfile::Builder::new()
                    .prefix(".zhijian-records-")
                    .permissions(readable())
                    .tempfile_in(dir)
                    .map_err(Error::write(path))?;
                let (file, temp) = temp.into_parts();
                let out: Box<dyn Write + Send> = Box::new(file);
                Ok(Output {
                    out: BufWriter::with_capacity(1 << 20, out),
                    path: path.clone(),
                    temp: Some(temp),
                })
            }
            None => {
                let out: Box<dyn Write + Send> = Box::new(std::io::stdout());
                Ok(Output {
                    out: BufWriter::with_capacity(1 << 20, out),
                    path: "-".into(),
                    temp: None,
                })
            }
        }
    }

    pub fn write(&mut self, record: &Record) -> Result<()> {
        self.write_line(&record.to_line())
    }

    /// A line from [`Record::to_line`].
    pub fn write_line(&mut self, line: &[u8]) -> Result<()> {
        self.out.write_all(line).map_err(Error::write(&self.path))
    }

    pub fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(Error::write(&self.path))?;
        if let Some(temp) = self.temp.take() {
            temp.persist(&self.path).map_err(|e| Error::write(&self.path)(e.error))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_copy_of_a_ticket_id_has_the_same_key_and_the_key_has_no_tab() {
        let ticket = |file: &str| {
            Record::Ticket(Box::new(TicketPart {
                id: "T\t1".into(),
                copy: Copy { file: file.into(), line: 1, rows: 1, raw: String::new() },
                duplicates: Vec::new(),
                owner: "A".into(),
                checks: 0,
                severity: None,
                reasons: 0,
                lines: Lines::default(),
                contribution: Contribution {
                    agents: BTreeMap::new(),
                    entries: Vec::new(),
                    period: Period::default(),
                    unread_times: None,
                },
            }))
        };
        let (a, b) = (ticket("a.jsonl"), ticket("b.jsonl"));
        assert_eq!(a.key(), b.key());
        let line = String::from_utf8(a.to_line()).unwrap();
        assert_eq!(line.matches('\t').count(), 1, "{line}");
        assert_eq!(line.matches('\n').count(), 1);
        assert_eq!(Record::from_line(&line).unwrap(), a);
    }
}
