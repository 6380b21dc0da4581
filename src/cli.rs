//! The command line, as clap derive types. Doc comments here are the `--help` text; checking
//! values against each other is `config`'s job.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "zhijian",
    version,
    about = "质检: batch quality inspection of Chinese customer-service chats"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit tickets (JSON Lines, or tables with a mapping) and write the report set to --out.
    Audit(Box<AuditArgs>),
    /// Audit a shard of the input into partial records (`KEY<TAB>JSON` lines) for `combine`
    /// and `render`: the steps of `audit` that a distributed engine runs (docs/spark.md).
    Map(Box<MapArgs>),
    /// Merge partial records, in any grouping and order, into fewer (one per ticket id).
    Combine(CombineArgs),
    /// Write the report set from partial records: the same bytes `audit` writes for the same
    /// input, options and seed.
    Render(Box<AuditArgs>),
    /// Show how text is normalized, tokenized and matched: every hit and what changed it.
    Explain(ExplainArgs),
    /// Lexicon tools for trainers.
    #[command(subcommand)]
    Lexicon(LexiconCommand),
    /// Write N synthetic tickets of realistic shape as JSON Lines (for benchmarks).
    Synth(SynthArgs),
    /// Compare two report directories: how they were made, every figure, each lexicon entry,
    /// and (same input) every ticket that changed. Exit 0: no change; 4: something changed.
    Diff(DiffArgs),
    /// Read filled-in review_queue.csv files: how often reviewers agreed with each check and
    /// each lexicon entry, most-overruled entries first.
    Calibrate(CalibrateArgs),
}

#[derive(Debug, Args)]
#[command(mut_arg("out", |arg| arg
    .help("Where the partial records go: a file (written whole, then renamed), or - for stdout")
    .value_name("FILE")))]
// What only `render` uses: hidden from map's help (still accepted, so one option list serves).
#[command(mut_arg("baseline", |arg| arg.hide(true)))]
#[command(mut_arg("history", |arg| arg.hide(true)))]
#[command(mut_arg("report_url", |arg| arg.hide(true)))]
#[command(mut_arg("seed", |arg| arg.hide(true)))]
#[command(mut_arg("sample_rate", |arg| arg.hide(true)))]
#[command(mut_arg("max_reject_rate", |arg| arg.hide(true)))]
pub struct MapArgs {
    /// Read stdin as rows `FILE<TAB>LINE<TAB>TEXT` (what Spark's `SELECT TRANSFORM` sends),
    /// each naming its input file and line, instead of reading INPUT files.
    #[arg(long)]
    pub rows: bool,

    /// `audit`'s options; the sampling, baseline and page options are `render`'s, not map's.
    /// INPUT is `-` with --rows.
    #[command(flatten)]
    pub audit: AuditArgs,
}

#[derive(Debug, Args)]
pub struct CombineArgs {
    /// Partial-record files (`zhijian map` or `combine` output) [default: stdin].
    #[arg(value_name = "PARTIALS")]
    pub inputs: Vec<PathBuf>,

    /// Write to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier report directory (an audit's --out).
    #[arg(value_name = "OLD_REPORT")]
    pub old: PathBuf,

    /// The later report directory.
    #[arg(value_name = "NEW_REPORT")]
    pub new: PathBuf,

    /// Print JSON (every changed ticket) instead of the table.
    #[arg(long)]
    pub json: bool,

    /// Also write diff.html, diff.md and diff.json into this directory (replaced whole, like
    /// an audit's --out).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Agents whose overall score moved more than this many points are listed first.
    #[arg(long, default_value_t = 1.0, value_name = "POINTS")]
    pub threshold: f64,

    /// Say nothing on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// review_queue.csv files with the reviewers' verdicts (同意/不同意, agree/disagree, y/n,
    /// 1/0, ✓/✗; blank = not reviewed).
    #[arg(required = true, value_name = "REVIEWED_QUEUE.csv")]
    pub queues: Vec<PathBuf>,

    /// Print JSON instead of the tables.
    #[arg(long)]
    pub json: bool,

    /// Also turn every overruled verdict that cites a lexicon hit into a regression case
    /// (`must_not <category>:*`) appended to FILE.tsv, skipping cases already in it; FILE must
    /// be new or a regression case file (see `zhijian lexicon test`).
    #[arg(long, value_name = "FILE.tsv")]
    pub cases: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum LexiconCommand {
    /// Find duplicate, cross-category and shadowed entries; exit 1 if there are any.
    Check(LexiconArgs),
    /// Audit the inputs as `audit` does and show, per entry, what it hits (counts, tickets,
    /// agents, what cancelled or changed it, examples in context) and which entries never fired.
    Stats(Box<StatsArgs>),
    /// Run regression cases (TSV: role, text, must, must_not, note) through the audit's
    /// matching; print each failing case as file:line and exit 1 if any fails.
    Test(TestArgs),
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Input, as for `audit`: .jsonl, .csv or .tsv files (optionally .gz), directories, or -.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Lexicon directory [default: the built-in lexicons].
    #[arg(long, value_name = "DIR")]
    pub lexicons: Option<PathBuf>,

    /// Examples in context shown per entry: the first N hits by ticket id, then message.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub examples: usize,

    /// Print JSON instead of the table.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,

    /// Print CSV (UTF-8 with a BOM, for Excel) instead of the table.
    #[arg(long)]
    pub csv: bool,

    /// Write to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Worker threads [default: one per core]; the output is the same for any number.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    #[command(flatten)]
    pub table: TableArgs,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Lexicon directory [default: the built-in lexicons].
    #[arg(long, value_name = "DIR")]
    pub lexicons: Option<PathBuf>,

    /// Case files (*.tsv) or directories of them [default: DIR/tests/*.tsv with --lexicons,
    /// else the cases built in with the lexicons].
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LexiconArgs {
    /// Lexicon directory [default: the built-in lexicons].
    #[arg(long, value_name = "DIR")]
    pub lexicons: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Text to explain, one message per argument.
    #[arg(required = true, value_name = "TEXT")]
    pub texts: Vec<String>,

    /// Lexicon directory [default: the built-in lexicons].
    #[arg(long, value_name = "DIR")]
    pub lexicons: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Input: a .jsonl, .csv or .tsv file (optionally .gz), a directory (searched
    /// recursively), or - for stdin. With a table mapping, other named files and stdin are
    /// read as tables.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// An earlier report (last night's --out): show each agent's and the team's change since
    /// it (▲/▼) on the pages, in agents.csv and summary.json.
    #[arg(long, value_name = "REPORT")]
    pub baseline: Option<PathBuf>,

    /// A folder of earlier reports (one per night): a trend of the last 30 runs per agent, and
    /// repeat offenders (the same conduct reason on 3 of the last 7 runs) marked.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,

    /// Where the team opens this report (a share or intranet address), for digest.md's last
    /// line; without it the digest points to index.html beside it.
    #[arg(long, value_name = "URL")]
    pub report_url: Option<String>,

    /// Directory to write the reports to (replaced whole, atomically, at the end of the run).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,

    /// Lexicon directory, one <category>.txt per category, replacing the built-in set whole
    /// [default: the built-in lexicons, embedded at build time; never an implicit ./lexicons].
    #[arg(long, value_name = "DIR")]
    pub lexicons: Option<PathBuf>,

    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Seed of the compliance sample: the same seed picks the same tickets.
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,

    /// Share of each agent's tickets sampled for compliance review, from 0 to 1 (in the
    /// template's risk mode, of those not must-review; this flag wins over the template's
    /// rate; docs/sampling.md) [default: 0.30, or the template's [sampling] rate].
    #[arg(long, value_name = "R")]
    pub sample_rate: Option<f64>,

    /// First-response SLA in seconds (replies slower than this count as breaches).
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub sla_seconds: u32,

    /// Scoring template (TOML): overall weights, compliance rules (docs/rules.md) with their
    /// deductions and 一票否决 items [default: the built-in templates/default.toml].
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,

    /// Also write tickets.jsonl: one line of scores per audited ticket.
    #[arg(long)]
    pub per_ticket: bool,

    /// Show personal data (phone, ID card, bank card, e-mail) unmasked in reports.
    #[arg(long)]
    pub no_mask: bool,

    /// How message times read when they are not RFC 3339: unix, unix_ms, or a strftime
    /// pattern such as "%Y-%m-%d %H:%M:%S" (no zone: China Standard Time). A time that reads
    /// neither way is unknown and counted in manifest.json's warnings.
    #[arg(long, value_name = "FORMAT")]
    pub ts_format: Option<String>,

    /// Exit with code 3 (reports still written) when more than this share of input lines
    /// is rejected: a night whose export changed shape should not pass as a quiet success.
    #[arg(long, default_value_t = 0.5, value_name = "SHARE")]
    pub max_reject_rate: f64,

    /// No progress bar and no closing summary line.
    #[arg(long, short)]
    pub quiet: bool,

    // Last, so that its help heading covers only the table options.
    #[command(flatten)]
    pub table: TableArgs,
}

/// How to read message-per-row tables (CSV/TSV): a mapping file, flags, or both (flags win).
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Tables (one message per row)")]
pub struct TableArgs {
    /// Table mapping file: `key = value` lines (see README, Tables).
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,

    /// Columns, 0-based or by header name: ticket=N,role=N,text=N[,agent=N,ts=N,agent_name=N].
    #[arg(long, value_name = "LIST")]
    pub table_columns: Option<String>,

    /// How role cells read, e.g. 1=agent,0=customer [default: role names and aliases].
    #[arg(long, value_name = "LIST")]
    pub role_map: Option<String>,

    /// Cell delimiter: tab, comma, or one character [default: comma for .csv, else tab].
    #[arg(long, value_name = "D")]
    pub delimiter: Option<String>,

    /// The table has no header row.
    #[arg(long)]
    pub no_header: bool,

    /// Agent owning sessions whose rows name none (exports without agent ids).
    #[arg(long, value_name = "ID")]
    pub default_agent: Option<String>,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// How many tickets to write.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub tickets: u64,

    /// How many agents the tickets are spread over.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub agents: u32,

    /// Seed: the same seed writes the same bytes.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,

    /// Leave out timestamps (response-time metrics become unknown).
    #[arg(long)]
    pub no_timestamps: bool,

    /// Write to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}
