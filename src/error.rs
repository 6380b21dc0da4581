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
/// Exit code for a run that finished and wrote its reports, but rejected more than
/// `--max-reject-rate` of its input lines: the export probably changed shape.
pub const EXIT_TOO_MANY_REJECTS: i32 = 3;
/// `zhijian diff`: the two reports differ (0 when they do not).
pub const EXIT_CHANGED: i32 = 4;

/// A message made safe for a terminal: control characters (and the bidirectional overrides
/// that reorder what a terminal shows) from file names or input are written as `\u{..}`
/// escapes, so input can neither move the cursor, recolour the screen nor hide text.
pub fn for_terminal(message: &str) -> String {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !message.contains(unsafe_char) {
        return message.to_string();
    }
    message
        .chars()
        .map(|c| if unsafe_char(c) { c.escape_unicode().to_string() } else { c.to_string() })
        .collect()
}

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

    /// `unknown`: what zhijian did not write there, sorted (directories end in `/`).
    #[error("output directory {path} is not a zhijian report: it holds files zhijian did not write ({}); move them out or choose another --out", some_of(.unknown))]
    ForeignOutput { path: PathBuf, unknown: Vec<String> },

    #[error("lexicon check found {problems} problem(s), listed above")]
    LexiconCheck { problems: usize },

    #[error("{failed} of {total} lexicon regression case(s) failed, listed above")]
    CasesFailed { failed: usize, total: usize },

    /// `at` is `path` or `path:line` of a regression case file (`lexicons/tests/*.tsv`).
    #[error("regression cases {at}: {problem}")]
    Cases { at: String, problem: String },

    #[error("{flag}: {problem}")]
    Option { flag: &'static str, problem: String },

    #[error("{path} is not a zhijian report (no .zhijian-report or zhijian manifest.json): give the --out directory of an audit")]
    NotAReport { path: PathBuf },

    #[error("{path}: {problem}")]
    Input { path: PathBuf, problem: String },

    /// Partial records (`zhijian combine`, `zhijian render`) that cannot be merged.
    #[error("partial records {at}: {problem}")]
    Partial { at: String, problem: String },

    /// `at` is `path` or `path:line`.
    #[error("scoring template {at}: {problem}")]
    Template { at: String, problem: String },

    /// `at` is `path`, `path:line` or `path:line:column` of a filled-in review queue.
    #[error("review queue {at}: {problem}")]
    Queue { at: String, problem: String },

    /// `problems`: each missing or empty category file and what reads it, joined by "; ".
    #[error("lexicon directory {dir}: {problems}; give every category a file with at least one entry (see lexicons/README.md), or leave out --lexicons to use the built-in lexicons")]
    LexiconIncomplete { dir: PathBuf, problems: String },

    #[error("--out {path} is a link to {to}, which does not exist; create that directory or choose another --out")]
    OutputLink { path: PathBuf, to: PathBuf },

    #[error(
        "--out {path} is not a directory; choose a new or empty directory, or an earlier report"
    )]
    OutputNotDirectory { path: PathBuf },
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

    /// Writing to standard output failed because its reader went away (`| head`).
    pub fn is_closed_pipe(&self) -> bool {
        matches!(self, Error::Write { path, source }
            if path.as_os_str() == "-" && source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// The first three of `names` and how many more: `a, b, c and 2 more`.
pub fn some_of(names: &[String]) -> String {
    const SHOWN: usize = 3;
    let shown = names[..names.len().min(SHOWN)].join(", ");
    match names.len().saturating_sub(SHOWN) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_escapes_what_could_drive_the_terminal() {
        let cases = [
            ("plain", "cannot read 输入.jsonl", "cannot read 输入.jsonl"),
            ("escape sequence", "a\u{1b}[2Jb", "a\\u{1b}[2Jb"),
            ("newline", "a\nb", "a\\u{a}b"),
            ("C1 control", "a\u{9b}b", "a\\u{9b}b"),
            ("right-to-left override", "x\u{202E}gpj.exe", "x\\u{202e}gpj.exe"),
        ];
        for (name, input, want) in cases {
            assert_eq!(for_terminal(input), want, "{name}");
        }
    }
}
