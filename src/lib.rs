//! zhijian (质检): batch quality inspection of Chinese customer-service chat transcripts.
//!
//! ```text
//! read ─▶ parse ─▶ normalize ─▶ tokenize ─▶ match ─▶ score ─▶ sample ─▶ check ─▶ aggregate ─▶ report
//! ```
//!
//! Tickets flow through the per-ticket stages independently (rayon); only the per-agent
//! aggregates meet, in one associative merge. The invariants every release keeps:
//! 1. Nothing lost: every non-blank line (table row) is audited or listed in `rejects.jsonl`.
//! 2. Deterministic: same inputs, lexicons, options and seed → byte-identical reports.
//! 3. Exact sampling: ⌈rate × n⌉ per agent, smallest keyed hash of (seed, ticket_id).
//! 4. Bounded memory: text lives only as long as its batch.
//! 5. Safe output: staged then renamed; personal data masked; formulas neutralized.

// the shared words (categories, reasons, checks, roles…) and maps keyed by them, below all
pub mod vocab;

pub mod cli;
pub mod config;
pub mod error;
pub mod progress;
pub mod run;
pub mod synth;
pub mod tools;
// the scoring template: overall weights, check deductions and vetoes
pub mod template;
// `zhijian calibrate`: reviewers' verdicts → how accurate each check and entry is
pub mod calibrate;
// `zhijian lexicon stats`: what each lexicon entry hits in an audit, and what never fires
pub mod stats;
// `zhijian lexicon test`: regression cases (lexicons/tests/*.tsv) through the audit's matching
pub mod cases;
// `zhijian diff`: two reports compared, from what each carries.
pub mod diff;

// 1. read: files, directories, stdin → numbered raw lines
pub mod read;
// 1b. table: message-per-row CSV/TSV → one line per ticket (two passes, by offset)
pub mod table;
// 2. parse: raw line → Ticket | Reject
pub mod parse;
// message times: RFC 3339 or the run's --ts-format; unreadable ones are unknown, not rejects
pub mod timestamp;
// 3. normalize: NFKC, lower case, traditional → simplified, with a map back
pub mod normalize;
// 4. tokenize: jieba token boundaries
pub mod tokenize;
// the hidden switch (ZHIJIAN_NO_SHORTCUTS) behind the exact speed shortcuts
pub mod shortcuts;
// lexicons: loaded once, shared read-only
pub mod lexicon;
// 5. match: lexicon hits on token boundaries, exceptions, negation, degree
pub mod matcher;
// personal data detection, for the PII check and for masking
pub mod pii;
// 6. score: per-ticket counts, sentiment, response times, reasons, evidence
pub mod score;
// 7. sample: keyed hash, exact per-agent sample size
pub mod sample;
// 8. check: compliance checks
pub mod check;
// 9. aggregate: per-agent counts with one associative merge
pub mod aggregate;
pub mod engine;
pub mod partial;
// 9b. pages: which flagged tickets an agent page lists, by severity, and what goes per reason
pub mod pages;
// 10. report: formats return bytes; one place writes, atomically
pub mod report;
// --baseline / --history: earlier reports read back for the nightly trend
pub mod trend;
