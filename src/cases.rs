//! `zhijian lexicon test`: regression cases for the lexicons, and the cases `calibrate
//! --cases` writes from overruled review verdicts. A case file is TSV, UTF-8 (a BOM is fine):
//!
//! ```text
//! # comment lines and blank lines are ignored
//! role→text→must→must_not→note
//! 客服→请不要线下交易，以免受骗→→off_platform:*→a warning is not the violation
//! 客户→一点也不好用→negative:*→positive:*→negated praise
//! ```
//! (→ is a tab.)
//!
//! The first other line is the header; columns are found by name (`note` is optional). `role`
//! is 客户/customer or 客服/agent (the audit's role aliases are accepted). `must` and `must_not`
//! hold specs separated by `|`: `category:entry` (the entry as written in `category.txt`),
//! `category:*` or `category` (any entry). Each case is one message of that role in a ticket
//! of its own, audited by the audit's engine ([`Engine::audit_ticket`]); a spec holds when a
//! **counted** hit matches it: an excepted, negated, echoed or asked hit does not count, and a
//! negated positive counts as negative (不太满意 hits `negative:*` and `negative:满意`, not
//! `positive:*`). Every `must` spec has to hold and no `must_not` spec may. A spec naming an
//! unknown category, a modifier, or an entry that is not in the lexicons fails its case, so a
//! typo never passes silently.

use std::path::{Path, PathBuf};

use crate::cli::TestArgs;
use crate::engine::Engine;
use crate::error::{for_terminal, Error, Result};
use crate::lexicon::{builtin, Category, Lexicon};
use crate::normalize;
use crate::parse::{Message, Role, Ticket, UnreadTimes};
use crate::score::EvidenceKind;

/// The header `calibrate --cases` writes, and the columns every case file needs.
pub const HEADER: [&str; 5] = ["role", "text", "must", "must_not", "note"];

/// What a spec asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub category: Category,
    /// Normalized, `None` for any entry.
    pub entry: Option<String>,
    /// As written in the case file.
    pub written: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub line: usize,
    pub role: Role,
    pub text: String,
    pub must: Vec<Spec>,
    pub must_not: Vec<Spec>,
}

/// A case file read: its cases, and the lines that are not cases (`line`, problem).
#[derive(Debug, Default)]
pub struct CaseFile {
    pub cases: Vec<Case>,
    pub problems: Vec<(usize, String)>,
}

/// Column positions of a header line.
struct Columns {
    role: usize,
    text: usize,
    must: usize,
    must_not: usize,
}

/// The header's columns, or what is missing.
fn columns(header: &str) -> std::result::Result<Columns, String> {
    let names: Vec<&str> = header.split('\t').map(str::trim).collect();
    let find = |name: &str| {
        names.iter().position(|n| *n == name).ok_or_else(|| {
            format!("the header has no `{name}` column (it needs {})", HEADER[..4].join(", "))
        })
    };
    Ok(Columns {
        role: find("role")?,
        text: find("text")?,
        must: find("must")?,
        must_not: find("must_not")?,
    })
}

/// The lines that hold cases: not blank, not `#` comments; the first is the header.
fn case_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

/// Parses a case file's text. A missing or wrong header is fatal (nothing could be read); a
/// bad line is a problem of that line, and the others still run.
pub fn parse(at: &str, text: &str, lexicon: &Lexicon) -> Result<CaseFile> {
    let mut lines = case_lines(text);
    let Some((header_line, header)) = lines.next() else {
        return Err(Error::Cases { at: at.into(), problem: "holds no header and no cases".into() });
    };
    let cols = columns(header)
        .map_err(|problem| Error::Cases { at: format!("{at}:{header_line}"), problem })?;
    let mut file = CaseFile::default();
    for (line, raw) in lines {
        let cells: Vec<&str> = raw.split('\t').collect();
        let cell = |i: usize| cells.get(i).map_or("", |c| c.trim());
        let case = (|| {
            let role = match Role::parse(cell(cols.role)) {
                Some(role @ (Role::Customer | Role::Agent)) => role,
                _ => {
                    return Err(format!(
                        "role `{}` is not 客户/customer or 客服/agent",
                        cell(cols.role)
                    ))
                }
            };
            let text = cell(cols.text);
            if text.is_empty() {
                return Err("the text is empty".to_string());
            }
            let must = specs(cell(cols.must), lexicon)?;
            let must_not = specs(cell(cols.must_not), lexicon)?;
            if must.is_empty() && must_not.is_empty() {
                return Err("neither must nor must_not says what to expect".to_string());
            }
            Ok(Case { line, role, text: text.to_string(), must, must_not })
        })();
        match case {
            Ok(case) => file.cases.push(case),
            Err(problem) => file.problems.push((line, problem)),
        }
    }
    Ok(file)
}

/// `a:b|c:*|d` → specs, each checked against the lexicons.
fn specs(cell: &str, lexicon: &Lexicon) -> std::result::Result<Vec<Spec>, String> {
    let mut out = Vec::new();
    for written in cell.split('|').map(str::trim).filter(|s| !s.is_empty()) {
        let (key, entry) = written.split_once(':').unwrap_or((written, "*"));
        let (key, entry) = (key.trim(), entry.trim());
        let category = Category::from_key(key)
            .ok_or_else(|| format!("`{written}`: `{key}` is not a category"))?;
        if category.is_modifier() {
            return Err(format!("`{written}`: {key} entries never count by themselves"));
        }
        let entry = match entry {
            "*" | "" => None,
            entry => {
                let normalized = normalize::for_matching(entry);
                // A negated positive counts as negative, so negative specs may name one.
                let can_count_as = |c: Category| {
                    c == category || (c == Category::Positive && category == Category::Negative)
                };
                let known = lexicon.entries.iter().any(|e| {
                    !e.is_exception && can_count_as(e.category) && e.normalized == normalized
                });
                if !known {
                    return Err(format!("`{written}`: no entry `{entry}` in {key}.txt"));
                }
                Some(normalized)
            }
        };
        out.push(Spec { category, entry, written: written.to_string() });
    }
    Ok(out)
}

/// The counted hits of `text` said by `role`, as (the category it counts as, its entry
/// normalized, its entry as written), in the order the audit found them.
pub fn counted_hits(engine: &Engine, role: Role, text: &str) -> Vec<(Category, String, String)> {
    let ticket = Ticket {
        id: "case".into(),
        owner: "case".into(),
        agent_name: None,
        channel: None,
        messages: vec![Message { role, ts_ms: None, text: text.into(), author: None }],
        csat: None,
        resolved: None,
        unread_times: UnreadTimes::default(),
    };
    let audited = engine.audit_ticket(&ticket);
    let mut hits = Vec::new();
    for evidence in &audited.score.evidence {
        let EvidenceKind::Hit { entry, category, effect, .. } = evidence.kind else {
            continue;
        };
        if let Some(counts_as) = crate::matcher::counts_as(category, effect) {
            let e = engine.lexicon.entry(entry);
            hits.push((counts_as, e.normalized.clone(), e.phrase.clone()));
        }
    }
    hits
}

/// What is wrong with `case` under `engine`, if anything: `expected …, got …`.
pub fn failure(engine: &Engine, case: &Case) -> Option<String> {
    let hits = counted_hits(engine, case.role, &case.text);
    let holds = |spec: &Spec| {
        hits.iter().any(|(category, normalized, _)| {
            *category == spec.category && spec.entry.as_ref().is_none_or(|e| e == normalized)
        })
    };
    let mut wrong: Vec<String> = Vec::new();
    wrong.extend(case.must.iter().filter(|s| !holds(s)).map(|s| format!("{} to hit", s.written)));
    wrong.extend(
        case.must_not.iter().filter(|s| holds(s)).map(|s| format!("{} not to hit", s.written)),
    );
    if wrong.is_empty() {
        return None;
    }
    let got = if hits.is_empty() {
        "no counted hit".to_string()
    } else {
        let named: Vec<String> =
            hits.iter().map(|(c, _, phrase)| format!("{}:{phrase}", c.key())).collect();
        named.join(" | ")
    };
    Some(format!("expected {}, got {got} (text: {})", wrong.join(" and "), case.text))
}

/// The case files to run: those named (directories give their `*.tsv`), else `DIR/tests/*.tsv`
/// with `--lexicons DIR`, else the built-in ones. Each as (how it is shown, its text).
fn sources(args: &TestArgs) -> Result<Vec<(String, String)>> {
    let mut paths: Vec<PathBuf> = Vec::new();
    let named = if args.files.is_empty() {
        match &args.lexicons {
            None => {
                return Ok(builtin::CASES
                    .iter()
                    .map(|(name, text)| {
                        (builtin::case_path(name).display().to_string(), text.to_string())
                    })
                    .collect())
            }
            Some(dir) => vec![dir.join("tests")],
        }
    } else {
        args.files.clone()
    };
    for path in &named {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(Error::read(path))?
                .filter_map(|item| item.ok().map(|i| i.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Error::Cases {
                    at: path.display().to_string(),
                    problem: "holds no *.tsv case files".into(),
                });
            }
            paths.extend(found);
        } else {
            paths.push(path.clone());
        }
    }
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).map_err(Error::read(&path))?;
            let text = String::from_utf8(bytes).map_err(|_| Error::Cases {
                at: path.display().to_string(),
                problem: "is not UTF-8 text; save it as UTF-8".into(),
            })?;
            Ok((path.display().to_string(), text))
        })
        .collect()
}

/// `zhijian lexicon test`: every failing case (and every line that is not a case) on stdout as
/// `file:line: …`, then a count line; fails when any did.
pub fn run(args: &TestArgs) -> Result<()> {
    let lexicon = Lexicon::load(args.lexicons.as_deref())?;
    let files = sources(args)?;
    let engine = Engine::new(lexicon, 30, false, false);
    let (mut total, mut failed) = (0, 0);
    let mut out = String::new();
    for (at, text) in &files {
        let file = parse(at, text, &engine.lexicon)?;
        for (line, problem) in &file.problems {
            out.push_str(&format!("{at}:{line}: {problem}\n"));
        }
        total += file.cases.len() + file.problems.len();
        failed += file.problems.len();
        for case in &file.cases {
            if let Some(why) = failure(&engine, case) {
                out.push_str(&format!("{at}:{}: {why}\n", case.line));
                failed += 1;
            }
        }
    }
    if failed == 0 {
        out.push_str(&format!("{total} cases in {} files: all pass\n", files.len()));
    }
    use std::io::Write;
    std::io::stdout().write_all(for_terminal_lines(&out).as_bytes()).map_err(Error::write("-"))?;
    match failed {
        0 => Ok(()),
        failed => Err(Error::CasesFailed { failed, total }),
    }
}

/// Each line made safe for a terminal, line breaks kept.
fn for_terminal_lines(text: &str) -> String {
    text.lines().map(|l| for_terminal(l) + "\n").collect()
}

/// One case as `calibrate --cases` writes it: a TSV line (tabs and line breaks in a cell
/// become spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub role: Role,
    pub text: String,
    pub must: String,
    pub must_not: String,
    pub note: String,
}

impl NewCase {
    fn cells(&self) -> [String; 5] {
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ").trim().to_string();
        let role = if self.role == Role::Agent { "客服" } else { "客户" };
        [
            role.into(),
            clean(&self.text),
            clean(&self.must),
            clean(&self.must_not),
            clean(&self.note),
        ]
    }

    /// What makes two cases the same: all but the note.
    fn key(&self) -> [String; 4] {
        let [role, text, must, must_not, _] = self.cells();
        [role, text, must, must_not]
    }
}

/// Appends `cases` to the case file at `path` (creating it with a header), skipping those
/// already in it (same role, text, must and must_not; the role by meaning, 客服 = agent).
/// Refuses a file that exists but is not a case file. Written whole, then renamed. Returns
/// (added, already there).
pub fn append(path: &Path, cases: &[NewCase]) -> Result<(usize, usize)> {
    let at = path.display().to_string();
    let existing = match std::fs::read(path) {
        Ok(bytes) => Some(String::from_utf8(bytes).map_err(|_| Error::Cases {
            at: at.clone(),
            problem: "exists and is not a UTF-8 case file; choose a new file for --cases".into(),
        })?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::Read { path: path.into(), source: e }),
    };
    // An empty file (made ready with `touch`) is as good as none.
    let existing = existing.filter(|text| !text.trim_start_matches('\u{feff}').trim().is_empty());
    let mut known: Vec<[String; 4]> = Vec::new();
    let mut text = match &existing {
        None => format!("{}\n", HEADER.join("\t")),
        Some(text) => {
            let mut lines = case_lines(text);
            let not_cases = |problem: String| Error::Cases {
                at: at.clone(),
                problem: format!(
                    "exists and is not a regression case file ({problem}); choose a new file for \
                     --cases"
                ),
            };
            let (_, header) = lines.next().ok_or_else(|| not_cases("no header".into()))?;
            let cols = columns(header).map_err(not_cases)?;
            for (_, raw) in lines {
                let cells: Vec<&str> = raw.split('\t').collect();
                let cell = |i: usize| cells.get(i).map_or("", |c| c.trim()).to_string();
                let role = Role::parse(&cell(cols.role)).unwrap_or(Role::Agent);
                let case = NewCase {
                    role,
                    text: cell(cols.text),
                    must: cell(cols.must),
                    must_not: cell(cols.must_not),
                    note: String::new(),
                };
                known.push(case.key());
            }
            let mut text = text.clone();
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text
        }
    };
    let (mut added, mut already) = (0, 0);
    for case in cases {
        if known.contains(&case.key()) {
            already += 1;
            continue;
        }
        known.push(case.key());
        text.push_str(&case.cells().join("\t"));
        text.push('\n');
        added += 1;
    }
    if added > 0 || existing.is_none() {
        let partial = path.with_extension("partial");
        std::fs::write(&partial, text).map_err(Error::write(&partial))?;
        std::fs::rename(&partial, path).map_err(Error::write(path))?;
    }
    Ok((added, already))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> CaseFile {
        parse("t.tsv", text, &Lexicon::builtin()).unwrap()
    }

    #[test]
    fn lines_that_are_not_cases_say_why() {
        let text = "# 说明\nrole\ttext\tmust\tmust_not\tnote\n\
                    机器人\t您好\tgreeting:*\t\t\n\
                    客服\t\tgreeting:*\t\t\n\
                    客服\t您好\tgreeting:您号\t\t\n\
                    客服\t您好\tnegation:*\t\t\n\
                    客服\t您好\tfeelings:*\t\t\n\
                    客服\t您好\t\t\t\n\
                    agent\t您好\tgreeting:您好\toff_platform\tok\n";
        let f = file(text);
        let problems: Vec<String> = f.problems.iter().map(|(l, p)| format!("{l}: {p}")).collect();
        assert_eq!(
            problems,
            [
                "3: role `机器人` is not 客户/customer or 客服/agent",
                "4: the text is empty",
                "5: `greeting:您号`: no entry `您号` in greeting.txt",
                "6: `negation:*`: negation entries never count by themselves",
                "7: `feelings:*`: `feelings` is not a category",
                "8: neither must nor must_not says what to expect",
            ]
        );
        assert_eq!(f.cases.len(), 1);
        assert_eq!(f.cases[0].line, 9);
        let err = parse("t.tsv", "role\ttext\n", &Lexicon::builtin()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "regression cases t.tsv:1: the header has no `must` column (it needs role, text, must, must_not)"
        );
    }

    #[test]
    fn a_negated_positive_counts_as_negative() {
        let engine = Engine::new(Lexicon::builtin(), 30, false, false);
        let f = file("role\ttext\tmust\tmust_not\n客户\t我不太满意\tnegative:满意\tpositive:*\n");
        assert_eq!(f.problems, []);
        assert_eq!(failure(&engine, &f.cases[0]), None);
    }
}
