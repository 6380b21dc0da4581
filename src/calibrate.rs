//! `zhijian calibrate`: takes review_queue.csv files that reviewers filled in, yields how often
//! they agreed with each automated check (its precision, split by automated pass and fail) and
//! with each lexicon entry the evidence named (「entry」), most-overruled entries first — the
//! list a trainer fixes next. Columns are found by their headers, so reordered or extra columns
//! are fine; a BOM is optional; a row's verdicts on n/a or unknown results are counted apart,
//! never as agreement. Every row counts, so a ticket reviewed in two files counts twice.
//!
//! With `--cases FILE.tsv`, overruled verdicts also become regression cases for `zhijian
//! lexicon test` (format in `cases.rs`). A case needs text, and the queue cites text only for
//! lexicon hits: a failed no_forbidden or no_off_platform, or a passed greeting or closing,
//! rests on the hits its evidence cell quotes (「entry」, or the written text after `原文:`).
//! When the reviewer overrules such a result, each quoted hit becomes one case: role 客服 (these
//! checks read agent turns), the quoted text as the queue shows it (masked if it was), `must`
//! empty, `must_not` `<category>:*` (forbidden, off_platform, greeting, closing), and a note
//! naming the queue file, line, ticket, spot and the reviewer's 复核备注. An overruled result
//! that rests on no hit (a passed no_* check, a failed greeting or closing: a false negative)
//! quotes nothing to test, so it gives no case and is counted in the stderr line; the time and
//! personal-data checks are not lexicon checks. The cases are appended to FILE, skipping
//! those already in it; a FILE that exists but is not a case file is refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cases::{self, NewCase};
use crate::check::{Outcome, RuleId};
use crate::template::rules::Condition;
use crate::template::Template;

/// The rules calibrate reads: the built-in template's (the queue's other columns are left
/// alone). Their ids and labels live as long as the program.
static RULES: std::sync::LazyLock<Template> = std::sync::LazyLock::new(Template::builtin);

/// A rule's id (the JSON key) and label.
fn key(rule: RuleId) -> &'static str {
    RULES.rules[rule.index()].id.as_str()
}

fn label(rule: RuleId) -> &'static str {
    RULES.rules[rule.index()].label.as_str()
}

fn all_rules() -> impl Iterator<Item = RuleId> {
    RULES.rule_ids()
}
use crate::cli::CalibrateArgs;
use crate::error::{for_terminal, Error, Result};
use crate::lexicon::Category;
use crate::parse::Role;
use crate::report::labels;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Agree,
    Disagree,
}

/// A cell that is neither blank nor one of the accepted verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAVerdict;

/// A verdict cell: `Ok(None)` when blank (not reviewed).
/// Accepted, case-insensitive: 同意/不同意, agree/disagree, y/n, yes/no, 1/0, ✓/✗ (also ✔/✘,
/// √/×), 对/错, 是/否.
pub fn parse_verdict(cell: &str) -> std::result::Result<Option<Verdict>, NotAVerdict> {
    match cell.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "同意" | "agree" | "y" | "yes" | "1" | "✓" | "✔" | "√" | "对" | "是" => {
            Ok(Some(Verdict::Agree))
        }
        "不同意" | "disagree" | "n" | "no" | "0" | "✗" | "✘" | "×" | "错" | "否" => {
            Ok(Some(Verdict::Disagree))
        }
        _ => Err(NotAVerdict),
    }
}

/// Verdicts on one set of automated results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tally {
    pub reviewed: u64,
    pub agreed: u64,
    pub disagreed: u64,
    /// agreed / reviewed, four decimals; `null` when nothing was reviewed.
    pub agreement: Option<f64>,
}

impl Tally {
    fn of(agreed: u64, disagreed: u64) -> Tally {
        let reviewed = agreed + disagreed;
        let agreement =
            (reviewed > 0).then(|| (agreed as f64 / reviewed as f64 * 1e4).round() / 1e4);
        Tally { reviewed, agreed, disagreed, agreement }
    }

    fn add(&mut self, verdict: Verdict) {
        *self = match verdict {
            Verdict::Agree => Tally::of(self.agreed + 1, self.disagreed),
            Verdict::Disagree => Tally::of(self.agreed, self.disagreed + 1),
        };
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckLine {
    pub check: &'static str,
    /// Verdicts on automated passes and fails together, then each apart.
    #[serde(flatten)]
    pub all: Tally,
    pub on_pass: Tally,
    pub on_fail: Tally,
    /// Verdicts given where the automated result was n/a or unknown (not counted above).
    pub on_other: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryLine {
    pub check: &'static str,
    pub entry: String,
    #[serde(flatten)]
    pub tally: Tally,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    pub files: usize,
    /// Ticket rows read, and those with at least one verdict.
    pub rows: u64,
    pub reviewed_rows: u64,
    pub checks: Vec<CheckLine>,
    /// Most disagreements first, ties by entry, then check.
    pub entries: Vec<EntryLine>,
}

/// `zhijian calibrate FILE... [--json]`.
pub fn run(args: &CalibrateArgs) -> Result<()> {
    let (calibration, cases) = read_queues(&args.queues)?;
    if let Some(path) = &args.cases {
        let (added, already) = cases::append(path, &cases.cases)?;
        eprintln!(
            "{}",
            for_terminal(&format!(
                "zhijian: {added} regression case(s) added to {} ({already} already there); {} \
                 overruled verdict(s) quote no hit and gave no case",
                path.display(),
                cases.uncited
            ))
        );
    }
    let out = if args.json {
        crate::report::pretty_json(&calibration)
    } else {
        render(&calibration).into_bytes()
    };
    use std::io::Write;
    std::io::stdout().write_all(&out).map_err(Error::write("-"))
}

pub fn calibrate(paths: &[PathBuf]) -> Result<Calibration> {
    read_queues(paths).map(|(calibration, _)| calibration)
}

/// The calibration, and the regression cases the overruled verdicts give.
pub fn read_queues(paths: &[PathBuf]) -> Result<(Calibration, Overruled)> {
    let mut state = State::default();
    for path in paths {
        let bytes = std::fs::read(path).map_err(Error::read(path))?;
        state.read(path, &bytes)?;
    }
    let overruled = std::mem::take(&mut state.overruled);
    Ok((state.finish(paths.len()), overruled))
}

/// Overruled verdicts as regression cases (see the module header).
#[derive(Debug, Default)]
pub struct Overruled {
    pub cases: Vec<NewCase>,
    /// Overruled lexicon-check results that quote no hit (false negatives): no case.
    pub uncited: u64,
}

/// The category whose hits a check's evidence quotes, and whether `outcome` rests on them.
/// A rule that requires one category passes on its hit; one that forbids one fails on its
/// hits; no other rule's evidence quotes lexicon hits.
fn quoted_hits(check: RuleId, outcome: Outcome) -> Option<(Category, bool)> {
    let pass = outcome == Outcome::Pass;
    match &RULES.rule(check).condition {
        Condition::Require { find } => Some((find.says.only_category()?, pass)),
        Condition::Forbid { find, .. } => Some((find.says.only_category()?, !pass)),
        _ => None,
    }
}

/// The spots of an evidence cell that quote a hit, as (the spot, the text it quotes): the
/// written text after `原文:` when given, else the entry.
fn quoted_spots(evidence: &str) -> Vec<(&str, &str)> {
    evidence
        .split('；')
        .filter_map(|spot| {
            let entry = *quoted_entries(spot).first()?;
            let text = spot
                .split_once("(原文: ")
                .and_then(|(_, rest)| rest.rsplit_once(')'))
                .map_or(entry, |(text, _)| text);
            Some((spot.trim(), text))
        })
        .collect()
}

#[derive(Default)]
struct State {
    rows: u64,
    reviewed_rows: u64,
    /// Per rule of [`RULES`]; empty until the first file is read.
    checks: Vec<(Tally, Tally, u64)>,
    entries: BTreeMap<(RuleId, String), Tally>,
    overruled: Overruled,
}

/// Where one check's three cells are.
struct Columns {
    result: usize,
    evidence: Option<usize>,
    verdict: usize,
}

impl State {
    fn read(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let fail = |at: String, problem: String| Error::Queue { at, problem };
        let bytes = bytes.strip_prefix(crate::report::csv::BOM).unwrap_or(bytes);
        if std::str::from_utf8(bytes).is_err() {
            return Err(fail(
                path.display().to_string(),
                "the file is not UTF-8 text; in Excel save it as “CSV UTF-8 (逗号分隔)”".into(),
            ));
        }
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let csv_error = |e: csv::Error| {
            let line = e.position().map_or(String::new(), |p| format!(":{}", p.line()));
            fail(format!("{}{line}", path.display()), e.to_string())
        };
        let headers = reader.headers().map_err(csv_error)?.clone();
        let find = |name: &str| headers.iter().position(|h| h.trim() == name);
        let missing = |name: &str| {
            fail(
                format!("{}:1", path.display()),
                format!("no column `{name}`; is this a review_queue.csv written by zhijian audit?"),
            )
        };
        let ticket = find(labels::QUEUE_TICKET).ok_or_else(|| missing(labels::QUEUE_TICKET))?;
        let comment = find(labels::QUEUE_COMMENT);
        self.checks.resize(RULES.rules.len(), Default::default());
        let mut columns = Vec::with_capacity(RULES.rules.len());
        for check in all_rules() {
            let result = labels::queue_result(label(check));
            let verdict = format!("{}-复核", label(check));
            columns.push(Columns {
                result: find(&result).ok_or_else(|| missing(&result))?,
                evidence: find(&labels::queue_evidence(label(check))),
                verdict: headers
                    .iter()
                    .position(|h| h.trim().starts_with(&verdict))
                    .ok_or_else(|| missing(&labels::queue_verdict(label(check))))?,
            });
        }

        for record in reader.records() {
            let record = record.map_err(csv_error)?;
            let line = record.position().map_or(0, |p| line_at(bytes, p.byte()));
            let cell = |i: usize| record.get(i).unwrap_or("");
            let at = |i: usize| format!("{}:{line}:{}", path.display(), i + 1);
            self.rows += 1;
            let mut any = false;
            for (check, col) in all_rules().zip(&columns) {
                let verdict = parse_verdict(cell(col.verdict)).map_err(|NotAVerdict| {
                    fail(
                        at(col.verdict),
                        format!(
                            "verdict `{}` in column {} is not 同意 or 不同意 (also accepted: \
                             agree/disagree, y/n, 1/0, ✓/✗); leave it blank if not reviewed",
                            cell(col.verdict).trim(),
                            headers.get(col.verdict).unwrap_or("")
                        ),
                    )
                })?;
                let Some(verdict) = verdict else { continue };
                any = true;
                let outcome = Outcome::ALL
                    .into_iter()
                    .find(|&o| labels::outcome(o) == cell(col.result).trim());
                let (on_pass, on_fail, on_other) = &mut self.checks[check.index()];
                match outcome {
                    Some(Outcome::Pass) => on_pass.add(verdict),
                    Some(Outcome::Fail) => on_fail.add(verdict),
                    Some(Outcome::NotApplicable | Outcome::Unknown) => {
                        *on_other += 1;
                        continue;
                    }
                    None => {
                        return Err(fail(
                            at(col.result),
                            format!(
                                "result `{}` is not one of 通过, 不通过, 不适用, 未知",
                                cell(col.result).trim()
                            ),
                        ))
                    }
                }
                let evidence = col.evidence.map_or("", cell);
                if verdict == Verdict::Disagree {
                    let at = format!("{}:{line}", path.display());
                    let comment = comment.map_or("", cell).trim();
                    let row = (at.as_str(), cell(ticket), comment);
                    self.overrule(check, outcome.expect("pass or fail here"), evidence, row);
                }
                let mut entries = quoted_entries(evidence);
                entries.sort_unstable();
                entries.dedup();
                for entry in entries {
                    self.entries.entry((check, entry.to_string())).or_default().add(verdict);
                }
            }
            self.reviewed_rows += u64::from(any);
        }
        Ok(())
    }

    /// An overruled pass or fail of `check`: its quoted hits as cases, or one uncited verdict.
    /// `row` is (`path:line`, ticket id, the reviewer's comment).
    fn overrule(
        &mut self,
        check: RuleId,
        outcome: Outcome,
        evidence: &str,
        row: (&str, &str, &str),
    ) {
        let Some((category, rests_on_hits)) = quoted_hits(check, outcome) else { return };
        let spots = if rests_on_hits { quoted_spots(evidence) } else { Vec::new() };
        if spots.is_empty() {
            self.overruled.uncited += 1;
            return;
        }
        let (at, ticket, comment) = row;
        for (spot, text) in spots {
            let mut note = format!(
                "{at} {ticket} {spot} {}={} 复核不同意",
                label(check),
                labels::outcome(outcome)
            );
            if !comment.is_empty() {
                note.push_str(&format!(": {comment}"));
            }
            self.overruled.cases.push(NewCase {
                role: Role::Agent,
                text: text.to_string(),
                must: String::new(),
                must_not: format!("{}:*", category.key()),
                note,
            });
        }
    }

    fn finish(self, files: usize) -> Calibration {
        let checks = all_rules()
            .map(|check| {
                let (on_pass, on_fail, on_other) =
                    self.checks.get(check.index()).copied().unwrap_or_default();
                let all = Tally::of(
                    on_pass.agreed + on_fail.agreed,
                    on_pass.disagreed + on_fail.disagreed,
                );
                CheckLine { check: key(check), all, on_pass, on_fail, on_other }
            })
            .collect();
        let mut entries: Vec<EntryLine> = self
            .entries
            .into_iter()
            .map(|((check, entry), tally)| EntryLine { check: key(check), entry, tally })
            .collect();
        entries.sort_by(|a, b| {
            (b.tally.disagreed, &a.entry, a.check).cmp(&(a.tally.disagreed, &b.entry, b.check))
        });
        Calibration { files, rows: self.rows, reviewed_rows: self.reviewed_rows, checks, entries }
    }
}

/// The 1-based line a record starts on. The csv crate's own line count runs one behind after
/// a CRLF (Excel's line end): the record's start offset sits on the LF, so skip line ends.
fn line_at(bytes: &[u8], offset: u64) -> u64 {
    let mut start = (offset as usize).min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    bytes[..start].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// The lexicon entries an evidence cell names, as 「entry」.
fn quoted_entries(evidence: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = evidence;
    while let Some(open) = rest.find('「') {
        let after = &rest[open + '「'.len_utf8()..];
        let Some(close) = after.find('」') else { break };
        if close > 0 {
            out.push(&after[..close]);
        }
        rest = &after[close + '」'.len_utf8()..];
    }
    out
}

/// The readable report: two tables with Chinese headers.
pub fn render(c: &Calibration) -> String {
    let pct =
        |t: &Tally| t.agreement.map_or(labels::UNKNOWN.into(), |a| format!("{:.1}%", a * 100.0));
    let label = |key: &'static str| -> String {
        RULES.rule_by_key(key).map_or(key, self::label).to_string()
    };
    let mut out = format!(
        "复核校准: {} 个文件, {} 张工单, 其中 {} 张有复核意见\n\n按检查项 (同意率 = 复核员认可自动结果的比例)\n",
        c.files, c.rows, c.reviewed_rows
    );
    let mut rows = vec![labels::CALIBRATE_CHECK_HEADER.map(String::from).to_vec()];
    for line in &c.checks {
        rows.push(vec![
            label(line.check),
            line.all.reviewed.to_string(),
            line.all.agreed.to_string(),
            line.all.disagreed.to_string(),
            pct(&line.all),
            line.on_pass.reviewed.to_string(),
            pct(&line.on_pass),
            line.on_fail.reviewed.to_string(),
            pct(&line.on_fail),
            line.on_other.to_string(),
        ]);
    }
    out.push_str(&table(&rows));
    out.push_str("\n按词条 (被推翻最多的在前)\n");
    if c.entries.is_empty() {
        out.push_str("(证据中没有被复核的词条)\n");
    } else {
        let mut rows = vec![labels::CALIBRATE_ENTRY_HEADER.map(String::from).to_vec()];
        for e in &c.entries {
            rows.push(vec![
                label(e.check),
                format!("「{}」", e.entry),
                e.tally.reviewed.to_string(),
                e.tally.agreed.to_string(),
                e.tally.disagreed.to_string(),
                pct(&e.tally),
            ]);
        }
        out.push_str(&table(&rows));
    }
    out
}

/// Columns padded to their display width; the first two columns left-aligned unless they hold a
/// figure, the figures right-aligned.
fn table(rows: &[Vec<String>]) -> String {
    let left =
        |i: usize, cell: &str| i < 2 && !cell.chars().next().is_some_and(|c| c.is_ascii_digit());
    let mut out = String::new();
    for line in crate::tools::aligned_lines(rows, left) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_cells() {
        let cases = [
            ("同意", Ok(Some(Verdict::Agree))),
            (" AGREE ", Ok(Some(Verdict::Agree))),
            ("y", Ok(Some(Verdict::Agree))),
            ("1", Ok(Some(Verdict::Agree))),
            ("✓", Ok(Some(Verdict::Agree))),
            ("不同意", Ok(Some(Verdict::Disagree))),
            ("Disagree", Ok(Some(Verdict::Disagree))),
            ("N", Ok(Some(Verdict::Disagree))),
            ("0", Ok(Some(Verdict::Disagree))),
            ("✗", Ok(Some(Verdict::Disagree))),
            ("", Ok(None)),
            ("  ", Ok(None)),
            ("maybe", Err(NotAVerdict)),
            ("同意?", Err(NotAVerdict)),
        ];
        for (cell, want) in cases {
            assert_eq!(parse_verdict(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn record_lines_with_either_line_end() {
        let (lf, crlf) = (b"h\na\nb\n".as_slice(), b"h\r\na\r\nb\r\n".as_slice());
        let cases =
            [(lf, 2, 2), (lf, 4, 3), (crlf, 2, 2), (crlf, 3, 2), (crlf, 5, 3), (crlf, 6, 3)];
        for (bytes, offset, line) in cases {
            assert_eq!(line_at(bytes, offset), line, "{bytes:?} at {offset}");
        }
    }

    #[test]
    fn quoted_text_of_each_spot() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            (
                "消息#2「你自己看」；消息#2「不归我管」",
                &[("消息#2「你自己看」", "你自己看"), ("消息#2「不归我管」", "不归我管")],
            ),
            (
                "消息#4「加微信」(原文: 加薇信)〔含隐藏字符〕",
                &[("消息#4「加微信」(原文: 加薇信)〔含隐藏字符〕", "加薇信")],
            ),
            ("消息#2「再见」(原文: 再見)；等共 7 处", &[("消息#2「再见」(原文: 再見)", "再見")]),
            ("消息#2、#4 未见问候语", &[]),
        ];
        for (cell, want) in cases {
            assert_eq!(&quoted_spots(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn entries_in_evidence() {
        let cases: &[(&str, &[&str])] = &[
            ("消息#2「你自己看」；消息#2「不归我管」", &["你自己看", "不归我管"]),
            ("消息#2「再见」(原文: 再見)", &["再见"]),
            ("消息#2 手机号 138****5678", &[]),
            ("「」「未闭合", &[]),
            ("", &[]),
        ];
        for (cell, want) in cases {
            assert_eq!(&quoted_entries(cell), want, "{cell:?}");
        }
    }
}
