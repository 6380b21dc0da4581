//! `manifest.json`, for auditors: what produced these reports. Keys: `tool`, `version`,
//! `options` (seed, sample_rate, `sampling` {mode, rate_from (where sample_rate came from),
//! and in risk mode floor and cap: docs/sampling.md}, sla_seconds, per_ticket, mask), `lexicons`: `source`
//! (`builtin v<version>` for the set embedded in the binary, else the `--lexicons` directory as
//! given) and `files`, one per category in category order: `name` (`closing.txt`), `category`,
//! `sha256` of its bytes, `entries` (entries that count) and `exceptions` (`!` lines);
//! `template` (path, sha256 of the scoring template; the built-in one is
//! `(built-in) templates/default.toml`; `severity`: each reason code's level as this run used
//! it, from the template's `[severity]` or, when it has none, the built-in defaults;
//! `low_score`: the overall score below which the team page marks an agent; `kpi`: the KPI
//! targets of the template's `[kpi]` by key, `aht_secs`, `complaint_rate`,
//! `satisfaction_rate`, `first_response_sla_rate`, `resolution_rate`, null where unset),
//! `inputs`
//! (path, format `jsonl` | `table`, bytes, lines: non-blank lines, or a table's rows, sha256
//! of the bytes as read: the input's fingerprint), `counts`: `lines` (all inputs' lines and rows),
//! `audited_lines` (those inside audited tickets), `audited` (tickets), `rejected` (lines and
//! rows in `rejects.jsonl`, the sum of its `rows`), `rejected_by_reason`, `sampled`,
//! `flagged`. `warnings`: `unread_times` (message times that read neither as RFC 3339 nor
//! in `--ts-format`, so unknown) and `unread_time_examples` (the first five by ticket id:
//! `file`, `line`, `ticket_id`, `message` (0-based), `value`). Invariant 1 is `lines = audited_lines + rejected`; for JSON Lines, one line is
//! one ticket and `audited_lines = audited`. `runtime` (started_at, elapsed_seconds, threads) is
//! the one part that differs between otherwise identical runs.

use serde::Serialize;

use crate::config::AuditConfig;
use crate::lexicon::Lexicon;
use crate::parse::Ticket;
use crate::read::InputFile;
use crate::vocab::{self, Map, Reason, RejectCode, Severity};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Counts {
    pub lines: u64,
    pub audited_lines: u64,
    pub audited: u64,
    pub rejected: u64,
    /// Keys in alphabetical order, as the manifest has always written them.
    #[serde(serialize_with = "vocab::serialize_by_key")]
    pub rejected_by_reason: Map<RejectCode, u64>,
    pub sampled: u64,
    pub flagged: u64,
}

impl Counts {
    /// Invariant 1: every line or row is in an audited ticket or rejected.
    pub fn balanced(&self) -> bool {
        self.lines == self.audited_lines + self.rejected
    }
}

/// What the run read but could not use, without refusing a line.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Warnings {
    pub unread_times: u64,
    pub unread_time_examples: Vec<UnreadTimeExample>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnreadTimeExample {
    pub ticket_id: String,
    pub message: u32,
    pub file: String,
    pub line: u64,
    pub value: String,
}

impl Warnings {
    const EXAMPLES: usize = 5;

    /// Counts a ticket's unread times; keeps the examples of the smallest ticket ids, so the
    /// examples do not depend on thread count. `mask` masks personal data in the value shown.
    pub fn note(&mut self, ticket: &Ticket, file: &str, line: u64, mask: bool) {
        if let Some((count, example)) = Warnings::of(ticket, file, line, mask) {
            self.add(count, example);
        }
    }

    /// A ticket's unread times and its example, as [`Warnings::note`] counts them (a partial
    /// carries them until it is known whether its ticket is audited or a duplicate).
    pub fn of(
        ticket: &Ticket,
        file: &str,
        line: u64,
        mask: bool,
    ) -> Option<(u64, UnreadTimeExample)> {
        let unread = &ticket.unread_times;
        let (message, value) = unread.first.as_ref()?;
        let example = UnreadTimeExample {
            ticket_id: ticket.id.clone(),
            message: *message,
            file: file.to_string(),
            line,
            value: if mask { crate::pii::mask_text(value).into_owned() } else { value.clone() },
        };
        Some((u64::from(unread.count), example))
    }

    pub fn add(&mut self, count: u64, example: UnreadTimeExample) {
        self.unread_times += count;
        let at = self.unread_time_examples.partition_point(|e| *e < example);
        if at < Self::EXAMPLES {
            self.unread_time_examples.insert(at, example);
            self.unread_time_examples.truncate(Self::EXAMPLES);
        }
    }
}

#[derive(Serialize)]
struct Manifest<'a> {
    tool: &'static str,
    version: &'static str,
    options: Options,
    lexicons: Lexicons<'a>,
    template: TemplateLine<'a>,
    inputs: Vec<InputLine<'a>>,
    counts: &'a Counts,
    warnings: &'a Warnings,
    runtime: Runtime,
}

#[derive(Serialize)]
struct Options {
    seed: u64,
    sample_rate: f64,
    sampling: crate::sample::Written,
    sla_seconds: u32,
    per_ticket: bool,
    mask: bool,
    ts_format: String,
    max_reject_rate: f64,
}

#[derive(Serialize)]
struct Lexicons<'a> {
    source: &'a str,
    files: Vec<LexiconLine<'a>>,
    fingerprint: String,
}

#[derive(Serialize)]
struct LexiconLine<'a> {
    name: String,
    category: &'static str,
    sha256: &'a str,
    entries: usize,
    exceptions: usize,
}

#[derive(Serialize)]
struct TemplateLine<'a> {
    path: &'a str,
    sha256: &'a str,
    #[serde(serialize_with = "vocab::serialize_by_key")]
    severity: Map<Reason, Severity>,
    low_score: f64,
    kpi: crate::template::Targets,
}

#[derive(Serialize)]
struct InputLine<'a> {
    path: &'a str,
    format: &'static str,
    bytes: u64,
    lines: u64,
    sha256: Option<&'a str>,
    lines_digest: String,
}

#[derive(Serialize)]
pub struct Runtime {
    pub started_at: String,
    pub elapsed_seconds: f64,
    pub threads: usize,
}

pub fn render(
    config: &AuditConfig,
    lexicon: &Lexicon,
    inputs: &[InputFile],
    counts: &Counts,
    warnings: &Warnings,
    runtime: Runtime,
) -> Vec<u8> {
    let manifest = Manifest {
        tool: "zhijian",
        version: env!("CARGO_PKG_VERSION"),
        options: Options {
            seed: config.seed,
            sample_rate: config.sampling.rate.as_f64(),
            sampling: config.sampling.written(false),
            sla_seconds: config.sla_secs,
            per_ticket: config.per_ticket,
            mask: config.mask,
            ts_format: config.ts_format.key().to_string(),
            max_reject_rate: config.max_reject_rate,
        },
        lexicons: Lexicons {
            source: &lexicon.source,
            files: lexicon
                .files
                .iter()
                .map(|f| LexiconLine {
                    name: f.path.file_name().unwrap_or_default().to_string_lossy().into_owned(),
                    category: f.category.key(),
                    sha256: &f.sha256,
                    entries: f.entries,
                    exceptions: f.exceptions,
                })
                .collect(),
            fingerprint: lexicon.fingerprint(),
        },
        template: TemplateLine {
            path: &config.template.source,
            sha256: &config.template.sha256,
            severity: Map::from_fn(|r| config.template.severity(r)),
            low_score: config.template.low_score,
            kpi: config.template.kpi,
        },
        inputs: inputs
            .iter()
            .map(|f| InputLine {
                path: &f.display,
                format: f.format.key(),
                bytes: f.bytes,
                lines: f.lines,
                sha256: f.sha256.as_deref(),
                lines_digest: format!("{:032x}", f.lines_digest),
            })
            .collect(),
        counts,
        warnings,
        runtime,
    };
    super::pretty_json(&manifest)
}
