//! Partial records as text lines, `KEY<TAB>JSON`, for engines that pipe rows through a program
//! (Spark SQL's `SELECT TRANSFORM`, Hive, MaxCompute) and group them by key. One record is one
//! ticket (with its rendered report lines and its not-yet-counted aggregate contribution), one
//! rejected line, one input file's line count, or the header naming what the records were
//! made with. The key spreads tickets by a hash of their id, so every copy of a ticket id meets
//! in the same group; it only guides grouping: `combine` and `render` merge whatever they are
//! given, by the records' contents.

use std::collections::BTreeMap;
use std::hash::Hasher;

use serde::{Deserialize, Serialize};
use siphasher::sip::SipHasher13;

use crate::aggregate::{AgentAggregate, Aggregate, Period};
use crate::report::manifest::UnreadTimeExample;
use crate::vocab::{RejectCode, Severity};

/// The format of these records; a render refuses records of another.
pub const VERSION: u32 = 1;

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
}

impl InputPart {
    pub fn of(file: &crate::read::InputFile) -> InputPart {
        InputPart {
            file: file.display.clone(),
            format: file.format.key().to_string(),
            lines: file.lines,
            bytes: file.bytes,
            sha256: file.sha256.clone(),
        }
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
    /// The start of the raw line (`parse::kept_text`), unmasked as read.
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
    pub fn from_line(line: &str) -> Result<Record, String> {
        let json = line.split_once('\t').map_or(line, |(_, json)| json);
        serde_json::from_str(json.trim_end_matches(['\r', '\n']))
            .map_err(|e| format!("not a partial record ({e})"))
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
