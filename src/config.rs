//! The validated, typed options of an audit, built from the command line. Every default
//! carries its reason here, and every invalid value is refused before any input is read.

use std::path::PathBuf;

use crate::cli::{AuditArgs, TableArgs};
use crate::error::{Error, Result};
use crate::sample::{Plan, Rate};
use crate::table::mapping::{self, Origin, Pair, TableMapping};
use crate::template::Template;
use crate::timestamp::TsFormat;

#[derive(Debug, Clone)]
pub struct AuditConfig {
    pub inputs: Vec<PathBuf>,
    /// How to read tables; `None` when no mapping was given (tables are then an error).
    pub table: Option<TableMapping>,
    pub out: PathBuf,
    /// `--lexicons DIR`; `None` is the built-in set (never an implicit `./lexicons`).
    pub lexicons: Option<PathBuf>,
    pub threads: usize,
    pub seed: u64,
    /// How the compliance sample is drawn: the template's `[sampling]` mode, at `--sample-rate`
    /// when given, else the template's risk-mode rate, else 0.30 (QA teams review 30% of each
    /// agent's tickets, 抽查30%工单).
    pub sampling: Plan,
    /// 30 s is the common first-response target of Chinese e-commerce platforms' service rules.
    pub sla_secs: u32,
    /// The built-in `templates/default.toml` unless `--template` names another.
    pub template: Template,
    /// How non-RFC 3339 times read: `--ts-format`, else a table mapping's `ts_format`.
    pub ts_format: TsFormat,
    /// Above this share of rejected lines the run exits with [`crate::error::EXIT_TOO_MANY_REJECTS`].
    pub max_reject_rate: f64,
    pub per_ticket: bool,
    pub mask: bool,
    pub quiet: bool,
    /// `--baseline REPORT` and `--history DIR`: earlier reports to compare with.
    pub baseline: Option<PathBuf>,
    pub history: Option<PathBuf>,
    /// `--report-url`: where readers of `digest.md` open the report.
    pub report_url: Option<String>,
}

/// More worker threads than this buys nothing on any machine zhijian runs on and only costs
/// memory (each holds its own partial aggregates).
pub const MAX_THREADS: usize = 512;

impl AuditConfig {
    pub fn from_args(args: AuditArgs) -> Result<AuditConfig> {
        let flag_rate = match args.sample_rate {
            Some(rate) => Some(Rate::from_fraction(rate).ok_or_else(|| Error::Option {
                flag: "--sample-rate",
                problem: format!("{rate} is not a share between 0 and 1 (e.g. 0.30)"),
            })?),
            None => None,
        };
        let threads = match args.threads {
            Some(0) => {
                return Err(Error::Option {
                    flag: "--threads",
                    problem: "must be at least 1".into(),
                })
            }
            Some(n) if n > MAX_THREADS => {
                return Err(Error::Option {
                    flag: "--threads",
                    problem: format!("{n} is more than {MAX_THREADS}"),
                })
            }
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_THREADS),
        };
        if let Some(dir) = args.lexicons.as_ref().filter(|dir| !dir.is_dir()) {
            return Err(Error::Option {
                flag: "--lexicons",
                problem: format!("{} is not a directory of lexicon files", dir.display()),
            });
        }
        let template = match &args.template {
            Some(path) => Template::load(path)?,
            None => Template::builtin(),
        };
        if !(0.0..=1.0).contains(&args.max_reject_rate) {
            return Err(Error::Option {
                flag: "--max-reject-rate",
                problem: format!("{} is not a share between 0 and 1", args.max_reject_rate),
            });
        }
        let table = table_mapping(&args.table)?;
        let ts_format = match &args.ts_format {
            Some(value) => TsFormat::from_key(value)
                .map_err(|problem| Error::Option { flag: "--ts-format", problem })?,
            None => table.as_ref().and_then(|t| t.ts_format.clone()).unwrap_or_default(),
        };
        Ok(AuditConfig {
            inputs: args.inputs,
            table,
            out: args.out,
            lexicons: args.lexicons,
            threads,
            seed: args.seed,
            sampling: Plan::new(template.sampling, flag_rate),
            sla_secs: args.sla_seconds,
            template,
            ts_format,
            max_reject_rate: args.max_reject_rate,
            per_ticket: args.per_ticket,
            mask: !args.no_mask,
            quiet: args.quiet,
            baseline: args.baseline,
            history: args.history,
            report_url: args.report_url,
        })
    }
}

/// The mapping file's pairs, then the flags' (so flags override); `None` if neither is given.
pub fn table_mapping(args: &TableArgs) -> Result<Option<TableMapping>> {
    let mut pairs = match &args.mapping {
        Some(path) => mapping::file_pairs(path)?,
        None => Vec::new(),
    };
    if let Some(list) = &args.table_columns {
        pairs.extend(mapping::list_pairs("--table-columns", list)?);
    }
    let flag = |flag: &'static str, key: &str, value: &str| Pair {
        origin: Origin::Flag(flag),
        key: key.into(),
        value: value.into(),
    };
    if let Some(list) = &args.role_map {
        pairs.push(flag("--role-map", "roles", list));
    }
    if let Some(d) = &args.delimiter {
        pairs.push(flag("--delimiter", "delimiter", d));
    }
    if args.no_header {
        pairs.push(flag("--no-header", "header", "false"));
    }
    if let Some(agent) = &args.default_agent {
        pairs.push(flag("--default-agent", "default_agent", agent));
    }
    if pairs.is_empty() && args.mapping.is_none() {
        return Ok(None);
    }
    TableMapping::from_pairs(&pairs).map(Some)
}
