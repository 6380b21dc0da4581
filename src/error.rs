//! Fatal errors: the ones that stop a run. Each reaches the user as one sentence naming the
//! file, flag or value at fault and, where there is one, the fix. Per-line problems in the input
//! are not errors but data (`parse::Reject`), so one bad line never stops a night's audit.

use std::path::PathBuf;

/// Exit code for a run that finished (rejected lines do not change it).
pub const EXIT_OK: i32 = 0;
/// Exit code for a fatal error: unreadable input, bad lexicon, unwritable output.
pub const EXIT_FAILURE: i32 = 1;
/// Exit code for a command line that does not parse (clap's own convention).
pub const EXIT_USAGE: i32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },

    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },

    #[error("input {path} does not exist (give a .jsonl, .csv or .tsv file, optionally .gz, a directory, or - for stdin)")]
    MissingInput { path: PathBuf },

    #[error("{path} is a table: give --mapping FILE or --table-columns ticket=N,role=N,text=N to say which column is which (see README, Tables)")]
    TableWithoutMapping { path: PathBuf },

    #[error("table mapping {origin}: {problem}")]
    Mapping { origin: String, problem: String },

    #[error("{path}:{line}: {problem}")]
    Lexicon { path: PathBuf, line: usize, problem: String },

    #[error("lexicon directory {path}: {problem}")]
    LexiconDir { path: PathBuf, problem: String },

    #[error("output directory {path} already holds files that are not a zhijian report; choose a new or empty directory")]
    ForeignOutput { path: PathBuf },

    #[error("lexicon check found {problems} problem(s), listed above")]
    LexiconCheck { problems: usize },

    #[error("{flag}: {problem}")]
    Option { flag: &'static str, problem: String },

    #[error("{path}: {problem}")]
    Input { path: PathBuf, problem: String },

    /// `at` is `path` or `path:line`.
    #[error("scoring template {at}: {problem}")]
    Template { at: String, problem: String },

    /// `at` is `path`, `path:line` or `path:line:column` of a filled-in review queue.
    #[error("review queue {at}: {problem}")]
    Queue { at: String, problem: String },

    /// `problems`: each missing or empty category file and what reads it, joined by "; ".
    #[error("lexicon directory {dir}: {problems}; give every category a file with at least one entry (see lexicons/README.md), or leave out --lexicons to use the built-in lexicons")]
    LexiconIncomplete { dir: PathBuf, problems: String },
}

impl Error {
    pub fn read(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Read { path, source }
    }

    pub fn write(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Write { path, source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
