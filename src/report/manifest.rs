//! `manifest.json`, for auditors: what produced these reports. Keys: `tool`, `version`,
//! `options` (seed, sample_rate, sla_seconds, per_ticket, mask), `lexicons`: `source`
//! (`builtin v<version>` for the set embedded in the binary, else the `--lexicons` directory as
//! given) and `files`, one per category in category order: `name` (`closing.txt`), `category`,
//! `sha256` of its bytes, `entries` (entries that count) and `exceptions` (`!` lines);
//! `template` (path, sha256 of the scoring template; the built-in one is
//! `(built-in) templates/default.toml`), `inputs` (path, format `jsonl` | `table`, bytes,
//! lines: non-blank lines, or a table's rows), `counts`: `lines` (all inputs' lines and rows),
//! `audited_lines` (those inside audited tickets), `audited` (tickets), `rejected` (lines and
//! rows in `rejects.jsonl`, the sum of its `rows`), `rejected_by_reason`, `sampled`,
//! `flagged`. Invariant 1 is `lines = audited_lines + rejected`; for JSON Lines, one line is
//! one ticket and `audited_lines = audited`. `runtime` (started_at, elapsed_seconds, threads) is
//! the one part that differs between otherwise identical runs.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::AuditConfig;
use crate::lexicon::Lexicon;
use crate::read::InputFile;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Counts {
    pub lines: u64,
    pub audited_lines: u64,
    pub audited: u64,
    pub rejected: u64,
    pub rejected_by_reason: BTreeMap<&'static str, u64>,
    pub sampled: u64,
    pub flagged: u64,
}

impl Counts {
    /// Invariant 1: every line or row is in an audited ticket or rejected.
    pub fn balanced(&self) -> bool {
        self.lines == self.audited_lines + self.rejected
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
    runtime: Runtime,
}

#[derive(Serialize)]
struct Options {
    seed: u64,
    sample_rate: f64,
    sla_seconds: u32,
    per_ticket: bool,
    mask: bool,
}

#[derive(Serialize)]
struct Lexicons<'a> {
    source: &'a str,
    files: Vec<LexiconLine<'a>>,
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
}

#[derive(Serialize)]
struct InputLine<'a> {
    path: &'a str,
    format: &'static str,
    bytes: u64,
    lines: u64,
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
    runtime: Runtime,
) -> Vec<u8> {
    let manifest = Manifest {
        tool: "zhijian",
        version: env!("CARGO_PKG_VERSION"),
        options: Options {
            seed: config.seed,
            sample_rate: config.sample_rate.as_f64(),
            sla_seconds: config.sla_secs,
            per_ticket: config.per_ticket,
            mask: config.mask,
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
        },
        template: TemplateLine { path: &config.template.source, sha256: &config.template.sha256 },
        inputs: inputs
            .iter()
            .map(|f| InputLine {
                path: &f.display,
                format: f.format.key(),
                bytes: f.bytes,
                lines: f.lines,
            })
            .collect(),
        counts,
        runtime,
    };
    super::pretty_json(&manifest)
}
