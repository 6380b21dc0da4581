//! The scoring template (评分模板): owns every number of the overall score and of the per-ticket
//! compliance score — component weights, language and conduct coefficients, and per check its
//! weight in the pass rate, its deduction and whether it is a veto item (一票否决) — and the
//! severity of each flag reason, which orders agent pages. Takes TOML text (`--template FILE`,
//! else the built-in `templates/default.toml`), yields a validated [`Template`]; every problem
//! is one sentence naming the file and, where known, the line.
//!
//! Every key is required, with one exception: the `[severity]` table as a whole may be left
//! out, and then [`DEFAULT_SEVERITY`] applies. Severities change no figure (only the order of
//! an agent page and which flags it lists in full), and templates written before the table
//! existed must keep loading; a table that is there must name all seven reasons, so a typo
//! never falls back silently. The manifest records the severities a run used.
//!
//! The `[report]` table may be left out as well: its one key, `low_score` (0–100, default
//! [`DEFAULT_LOW_SCORE`]), is the overall score below which the team page marks an agent. It
//! changes no figure either, only a mark; the manifest records the value used.
//!
//! The `[sampling]` table may be left out too (`template/sampling.rs`, docs/sampling.md): the
//! compliance sample is then the plain ⌈rate × n⌉ per agent; `mode = "risk"` asks for
//! risk-weighted sampling with its rate, floor and cap.
//!
//! The `[kpi]` table, and each key in it, may be left out too (`kpi.rs`): KPI targets (AHT,
//! 投诉率, 满意率, 首响达标率, 解决率) that mark agents outside them; a KPI without a target
//! marks no one. The manifest records the targets used.

use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::error::{Error, Result};
use crate::sample::TemplateSampling;
use crate::vocab::{FlagReason, Outcome, Reason, RuleId, Severity};

pub mod rules;
use rules::{Phrases, RawRule, Rule, RuleBits};

mod kpi;
pub use kpi::{Targets, MAX_AHT_SECS};
mod sampling;
pub use sampling::MAX_COUNT as MAX_SAMPLE_COUNT;

/// The shipped default, built into the binary so a run needs no file beside it.
pub const DEFAULT_TOML: &str = include_str!("../templates/default.toml");
/// How the manifest names the built-in template.
pub const DEFAULT_SOURCE: &str = "(built-in) templates/default.toml";

/// The range of every number a template holds (`templates/default.toml` says them beside each
/// key); anything outside, nan and inf included, is refused at load. Weights are relative: up to
/// 1000 leaves three orders of magnitude between components and keeps Σ weight × value far from
/// overflowing (a weight of 1e308 made the overall score NaN).
pub const MAX_WEIGHT: f64 = 1000.0;
/// A language coefficient of 100 already zeroes the component at one hit per 100 agent words.
pub const MAX_COEFFICIENT: f64 = 100.0;
/// A conduct multiplier of 100 already zeroes the component at a 1% ticket share.
pub const MAX_MULTIPLIER: f64 = 100.0;
/// A deduction is points off a 100-point score.
pub const MAX_DEDUCTION: i64 = 100;

/// Each reason's severity (in `Reason::ALL` order) when a template has no `[severity]` table:
/// the shipped default's. Off-platform and personal data are `veto`, as their checks are
/// 一票否决 items; a forbidden phrase is `conduct`; complaint handling above speed and CSAT.
pub const DEFAULT_SEVERITY: [Severity; Reason::COUNT] = [
    Severity::Conduct,
    Severity::Veto,
    Severity::Veto,
    Severity::Complaint,
    Severity::Complaint,
    Severity::Service,
    Severity::Service,
];

/// The overall score below which the team page marks an agent (⚠ 低于 60) when the template
/// has no `[report]` table: the pass mark of a 100-point scale, as QA teams read scores.
pub const DEFAULT_LOW_SCORE: f64 = 60.0;
/// `low_score` is a score, so 0 to 100 like the score it is compared with.
pub const MAX_LOW_SCORE: f64 = 100.0;

/// The six components of the overall score, in the order docs/scoring.md lists them: their
/// weights here (`f64`), their per-agent values in `aggregate::ScoreComponents`.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Components<T = f64> {
    pub language: T,
    pub conduct: T,
    pub empathy: T,
    pub responsiveness: T,
    pub satisfaction: T,
    pub compliance: T,
}

/// The six checks of templates written before `[[rules]]` (`[checks.<id>]` tables), in their
/// order: such a template's numbers apply to the built-in rules of these ids.
pub const LEGACY_CHECKS: [&str; 6] =
    ["greeting", "closing", "no_forbidden", "first_response_sla", "no_off_platform", "no_pii"];

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub overall: Components,
    /// Points off the language component per hit per 100 agent words.
    pub language_filler: f64,
    pub language_jargon: f64,
    pub language_negative: f64,
    /// Multipliers on the ticket shares in the conduct component.
    pub conduct_forbidden: f64,
    pub conduct_off_platform: f64,
    /// The compliance rules, in template order (indexed by `RuleId`), and their phrases.
    pub rules: Vec<Rule>,
    pub phrases: Phrases,
    /// Indexed by `Reason as usize`.
    pub severity: [Severity; Reason::COUNT],
    /// The team page marks agents whose overall score is below this (`[report] low_score`).
    pub low_score: f64,
    /// KPI targets (`[kpi]`): agents outside one are marked; none when the table is left out.
    pub kpi: Targets,
    /// How the compliance sample is drawn (`[sampling]`; plain when the table is left out).
    pub sampling: TemplateSampling,
    /// Where it came from, as the manifest shows it, and the sha256 of its bytes followed by
    /// those of each phrase file its rules read (`file:`, in the order read), so two runs with
    /// the same sha256 score alike.
    pub source: String,
    pub sha256: String,
    /// The template as read, so a report can carry an exact copy (`report::provenance`).
    pub text: String,
}

/// One ticket's compliance score, as the review queue shows it and the aggregate sums it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketCompliance {
    /// 0–100.
    pub points: u32,
    /// A veto check failed, so `points` is 0.
    pub vetoed: bool,
    /// Which veto rules failed (the review queue's 一票否决项).
    pub failed_vetoes: RuleBits,
}

impl Template {
    pub fn builtin() -> Template {
        Template::parse(DEFAULT_TOML, DEFAULT_SOURCE).expect("the shipped template is valid")
    }

    pub fn load(path: &Path) -> Result<Template> {
        let bytes = std::fs::read(path).map_err(Error::read(path))?;
        let source = path.display().to_string();
        let text = std::str::from_utf8(&bytes).map_err(|_| Error::Template {
            at: source.clone(),
            problem: "the file is not UTF-8 text".into(),
        })?;
        let dir = path.parent().map(|d| if d.as_os_str().is_empty() { Path::new(".") } else { d });
        Template::parse_in(text.strip_prefix('\u{feff}').unwrap_or(text), &source, dir)
    }

    /// Parses and validates; `source` names the file in errors and in the manifest. A rule's
    /// `file:` phrases cannot be read (there is no directory to read them from).
    pub fn parse(text: &str, source: &str) -> Result<Template> {
        Template::parse_in(text, source, None)
    }

    /// Parses and validates; `file:` phrases are read from `dir`.
    pub fn parse_in(text: &str, source: &str, dir: Option<&Path>) -> Result<Template> {
        let at = |span: Option<std::ops::Range<usize>>| match span {
            Some(span) => format!("{source}:{}", line_of(text, span.start)),
            None => source.to_string(),
        };
        let raw: RawTemplate = toml::from_str(text).map_err(|e| Error::Template {
            at: at(e.span()),
            problem: e.message().trim().replace('\n', " "),
        })?;
        // `what` names the kind of number in the error, which shows the value as written.
        let bounded = |value: &Spanned<f64>, name: &str, what: &str, max: f64| -> Result<f64> {
            let v = *value.get_ref();
            if (0.0..=max).contains(&v) {
                return Ok(v);
            }
            let written = text.get(value.span()).map_or_else(|| v.to_string(), |w| w.to_string());
            Err(Error::Template {
                at: at(Some(value.span())),
                problem: format!("`{name}` is {written}, but {what} is a number from 0 to {max}"),
            })
        };
        let weight = |value: &Spanned<f64>, name: &str| {
            bounded(value, name, "an overall weight", MAX_WEIGHT)
        };
        let coefficient = |value: &Spanned<f64>, name: &str| {
            bounded(value, name, "a language coefficient", MAX_COEFFICIENT)
        };
        let multiplier = |value: &Spanned<f64>, name: &str| {
            bounded(value, name, "a conduct multiplier", MAX_MULTIPLIER)
        };
        let o = &raw.overall;
        let overall = Components {
            language: weight(&o.language, "overall.language")?,
            conduct: weight(&o.conduct, "overall.conduct")?,
            empathy: weight(&o.empathy, "overall.empathy")?,
            responsiveness: weight(&o.responsiveness, "overall.responsiveness")?,
            satisfaction: weight(&o.satisfaction, "overall.satisfaction")?,
            compliance: weight(&o.compliance, "overall.compliance")?,
        };
        if overall.values().iter().all(|&w| w == 0.0) {
            return Err(Error::Template {
                at: at(None),
                problem: "every [overall] weight is 0, so no score could be computed; give at \
                          least one component a weight above 0"
                    .into(),
            });
        }
        let check_weight =
            |value: &Spanned<f64>, name: &str| bounded(value, name, "a check weight", MAX_WEIGHT);
        let (rules, phrases, files) = match (&raw.rules, &raw.checks) {
            (Some(_), Some(checks)) => {
                return Err(Error::Template {
                    at: at(Some(checks.span())),
                    problem: "the template has both `[[rules]]` and old `[checks.*]` tables; \
                              move each check's numbers into its rule and delete the \
                              `[checks.*]` tables"
                        .into(),
                })
            }
            (Some(raw_rules), None) => {
                let at_dyn = |span: Option<std::ops::Range<usize>>| at(span);
                let mut builder = rules::Builder::new(&at_dyn, dir, source);
                let bounded_rule = |value: &Spanned<f64>, name: &str| {
                    check_weight(value, name).map_err(|e| match e {
                        Error::Template { at, problem } => (at, problem),
                        other => (source.to_string(), other.to_string()),
                    })
                };
                let rules = builder
                    .rules(raw_rules, &bounded_rule)
                    .map_err(|(at, problem)| Error::Template { at, problem })?;
                let (phrases, files) = builder.finish();
                (rules, phrases, files)
            }
            (None, Some(checks)) => {
                // A template from before `[[rules]]`: the built-in six, with its numbers.
                let builtin = Template::builtin();
                let mut rules = builtin.rules[..LEGACY_CHECKS.len()].to_vec();
                for rule in &mut rules {
                    let check = checks.get_ref().get(&rule.id);
                    let name = format!("checks.{}", rule.id);
                    let deduction = *check.deduction.get_ref();
                    if !(0..=MAX_DEDUCTION).contains(&deduction) {
                        return Err(Error::Template {
                            at: at(Some(check.deduction.span())),
                            problem: format!(
                                "`{name}.deduction` is {deduction}, but a deduction is 0 to \
                                 {MAX_DEDUCTION} points"
                            ),
                        });
                    }
                    rule.weight = check_weight(&check.weight, &format!("{name}.weight"))?;
                    rule.deduction = deduction as u32;
                    rule.veto = check.veto;
                }
                (rules, builtin.phrases, Vec::new())
            }
            (None, None) => {
                return Err(Error::Template {
                    at: at(None),
                    problem: "the template has no `[[rules]]`; copy them from \
                              templates/default.toml (docs/rules.md)"
                        .into(),
                })
            }
        };
        let mut severity = DEFAULT_SEVERITY;
        if let Some(table) = &raw.severity {
            for (reason, level) in Reason::ALL.into_iter().zip(&mut severity) {
                let written = table.get(reason);
                *level = Severity::from_key(written.get_ref()).ok_or_else(|| Error::Template {
                    at: at(Some(written.span())),
                    problem: format!(
                        "`severity.{}` is {:?}, but a severity is one of `service`, \
                         `complaint`, `conduct`, `veto`",
                        reason.key(),
                        written.get_ref()
                    ),
                })?;
            }
        }
        let low_score = match &raw.report {
            Some(report) => {
                bounded(&report.low_score, "report.low_score", "a score", MAX_LOW_SCORE)?
            }
            None => DEFAULT_LOW_SCORE,
        };
        let kpi = match &raw.kpi {
            Some(table) => table.targets(text, &at)?,
            None => Targets::default(),
        };
        let sampling = match &raw.sampling {
            Some(table) => table.validate(text, source)?,
            None => TemplateSampling::default(),
        };
        Ok(Template {
            overall,
            language_filler: coefficient(&raw.language.filler, "language.filler")?,
            language_jargon: coefficient(&raw.language.jargon, "language.jargon")?,
            language_negative: coefficient(&raw.language.negative, "language.negative")?,
            conduct_forbidden: multiplier(&raw.conduct.forbidden, "conduct.forbidden")?,
            conduct_off_platform: multiplier(&raw.conduct.off_platform, "conduct.off_platform")?,
            rules,
            phrases,
            severity,
            low_score,
            kpi,
            sampling,
            source: source.to_string(),
            sha256: files
                .iter()
                .fold(Sha256::new().chain_update(text.as_bytes()), |h, f| h.chain_update(f))
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            text: text.to_string(),
        })
    }

    pub fn rule(&self, rule: RuleId) -> &Rule {
        &self.rules[rule.index()]
    }

    /// Every rule's id, in template order.
    pub fn rule_ids(&self) -> impl Iterator<Item = RuleId> {
        (0..self.rules.len() as u8).map(RuleId)
    }

    /// The rule with this key, if the template has one.
    pub fn rule_by_key(&self, key: &str) -> Option<RuleId> {
        self.rules.iter().position(|r| r.id == key).map(|i| RuleId(i as u8))
    }

    pub fn severity(&self, reason: Reason) -> Severity {
        self.severity[reason as usize]
    }

    /// A flagged ticket's severity: that of its most serious reason; `None` when not flagged.
    pub fn ticket_severity<R: Into<FlagReason> + Copy>(&self, reasons: &[R]) -> Option<Severity> {
        reasons.iter().map(|&r| self.flag_severity(r.into())).max()
    }

    /// A flag reason's severity: the `[severity]` table's for a built-in reason, the rule's
    /// own for a rule (a rule without one never flags; it counts as `service` if asked).
    pub fn flag_severity(&self, reason: FlagReason) -> Severity {
        match reason {
            FlagReason::Builtin(r) => self.severity(r),
            FlagReason::Rule(id) => self.rule(id).severity.unwrap_or(Severity::Service),
        }
    }

    /// A flag reason's key in flagged.jsonl: the built-in key or the rule's id.
    pub fn flag_key(&self, reason: FlagReason) -> &str {
        match reason {
            FlagReason::Builtin(r) => r.key(),
            FlagReason::Rule(id) => &self.rule(id).id,
        }
    }

    /// The flag reason with this key, a built-in one or a rule of this template.
    pub fn flag_by_key(&self, key: &str) -> Option<FlagReason> {
        Reason::from_key(key)
            .map(FlagReason::Builtin)
            .or_else(|| self.rule_by_key(key).map(FlagReason::Rule))
    }

    /// Every flag reason this template can give, in report order: the seven built-in ones,
    /// then its rules that have a severity.
    pub fn flag_reasons(&self) -> impl Iterator<Item = FlagReason> + '_ {
        FlagReason::all(self.rules.len()).filter(|&r| match r {
            FlagReason::Builtin(_) => true,
            FlagReason::Rule(id) => self.rule(id).severity.is_some(),
        })
    }

    /// A ticket's flag reasons: its built-in `reasons` (in `Reason::ALL` order), then each rule
    /// with a severity that it failed (`outcomes` in rule order), in template order.
    pub fn ticket_flags(&self, reasons: &[Reason], outcomes: &[Outcome]) -> Vec<FlagReason> {
        let failed = self.rule_ids().filter(|&id| {
            self.rule(id).severity.is_some() && outcomes.get(id.index()) == Some(&Outcome::Fail)
        });
        reasons
            .iter()
            .map(|&r| FlagReason::Builtin(r))
            .chain(failed.map(FlagReason::Rule))
            .collect()
    }

    /// A sampled ticket's compliance score: 100 minus the deductions of its failed checks (never
    /// below 0), or 0 when a veto check failed. Unknown and n/a never deduct. `None` when no
    /// check passed or failed: nothing was measured, so there is no score (never 100).
    pub fn ticket_compliance(&self, outcomes: &[Outcome]) -> Option<TicketCompliance> {
        if !outcomes.iter().any(|o| matches!(o, Outcome::Pass | Outcome::Fail)) {
            return None;
        }
        let failed = || self.rule_ids().filter(|&r| outcomes[r.index()] == Outcome::Fail);
        let mut failed_vetoes = RuleBits::default();
        failed().filter(|&r| self.rule(r).veto).for_each(|r| failed_vetoes.insert(r));
        let vetoed = !failed_vetoes.is_empty();
        let deducted: u32 = failed().map(|c| self.rule(c).deduction).sum();
        let points = if vetoed { 0 } else { 100u32.saturating_sub(deducted) };
        Some(TicketCompliance { points, vetoed, failed_vetoes })
    }
}

impl<T: Copy> Components<T> {
    /// In the order the overall score and the radar chart list them.
    pub fn values(&self) -> [T; 6] {
        [
            self.language,
            self.conduct,
            self.empathy,
            self.responsiveness,
            self.satisfaction,
            self.compliance,
        ]
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

// The file as written: every key required, unknown keys refused, numbers kept with their
// spans so a bad value is reported at its line.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    overall: RawOverall,
    language: RawLanguage,
    conduct: RawConduct,
    #[serde(default)]
    checks: Option<Spanned<RawChecks>>,
    #[serde(default)]
    rules: Option<Vec<Spanned<RawRule>>>,
    #[serde(default)]
    severity: Option<RawSeverity>,
    #[serde(default)]
    report: Option<RawReport>,
    #[serde(default)]
    kpi: Option<kpi::RawKpi>,
    sampling: Option<sampling::RawSampling>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    low_score: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverall {
    language: Spanned<f64>,
    conduct: Spanned<f64>,
    empathy: Spanned<f64>,
    responsiveness: Spanned<f64>,
    satisfaction: Spanned<f64>,
    compliance: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    filler: Spanned<f64>,
    jargon: Spanned<f64>,
    negative: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConduct {
    forbidden: Spanned<f64>,
    off_platform: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecks {
    greeting: RawCheck,
    closing: RawCheck,
    no_forbidden: RawCheck,
    first_response_sla: RawCheck,
    no_off_platform: RawCheck,
    no_pii: RawCheck,
}

impl RawChecks {
    fn get(&self, id: &str) -> &RawCheck {
        match id {
            "greeting" => &self.greeting,
            "closing" => &self.closing,
            "no_forbidden" => &self.no_forbidden,
            "first_response_sla" => &self.first_response_sla,
            "no_off_platform" => &self.no_off_platform,
            _ => &self.no_pii,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeverity {
    forbidden_phrase: Spanned<String>,
    off_platform: Spanned<String>,
    pii_exposed: Spanned<String>,
    escalation: Spanned<String>,
    complaint_without_empathy: Spanned<String>,
    slow_first_response: Spanned<String>,
    low_csat: Spanned<String>,
}

impl RawSeverity {
    fn get(&self, reason: Reason) -> &Spanned<String> {
        match reason {
            Reason::ForbiddenPhrase => &self.forbidden_phrase,
            Reason::OffPlatform => &self.off_platform,
            Reason::PiiExposed => &self.pii_exposed,
            Reason::Escalation => &self.escalation,
            Reason::ComplaintWithoutEmpathy => &self.complaint_without_empathy,
            Reason::SlowFirstResponse => &self.slow_first_response,
            Reason::LowCsat => &self.low_csat,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    weight: Spanned<f64>,
    deduction: Spanned<i64>,
    veto: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use Outcome::{Fail as F, NotApplicable as N, Pass as P, Unknown as U};

    /// The shipped default as it was before `[[rules]]`: one `[checks.<id>]` table per check.
    /// Such templates still load, with the same numbers and the same errors.
    const LEGACY_TOML: &str = include_str!("../tests/fixtures/templates/checks_v1.toml");

    #[test]
    fn the_builtin_template_has_the_documented_defaults() {
        let t = Template::builtin();
        assert_eq!(t.overall.values(), [25.0, 20.0, 15.0, 15.0, 10.0, 15.0]);
        assert_eq!((t.language_filler, t.language_jargon, t.language_negative), (10.0, 10.0, 20.0));
        assert_eq!((t.conduct_forbidden, t.conduct_off_platform), (3.0, 3.0));
        let deductions: Vec<u32> = t.rules.iter().map(|r| r.deduction).collect();
        assert_eq!(deductions, [10, 10, 30, 10, 40, 40]);
        let vetoes: Vec<bool> = t.rules.iter().map(|r| r.veto).collect();
        assert_eq!(vetoes, [false, false, false, false, true, true]);
        let ids: Vec<&str> = t.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, LEGACY_CHECKS);
        assert_eq!(t.source, DEFAULT_SOURCE);
        assert_eq!(t.sha256.len(), 64);
    }

    #[test]
    fn ticket_compliance_scores() {
        // Outcomes in rule order: greeting, closing, no_forbidden, first_response_sla,
        // no_off_platform, no_pii.
        type Case = (&'static str, [Outcome; 6], Option<(u32, bool)>);
        let cases: &[Case] = &[
            ("all pass", [P, P, P, P, P, P], Some((100, false))),
            ("no greeting", [F, P, P, P, P, P], Some((90, false))),
            ("greeting, closing, forbidden", [F, F, F, P, P, P], Some((50, false))),
            ("every non-veto check fails", [F, F, F, F, P, P], Some((40, false))),
            ("off-platform is a veto", [P, P, P, P, F, P], Some((0, true))),
            ("pii is a veto", [P, P, P, P, P, F], Some((0, true))),
            ("unknown never deducts", [P, P, P, U, P, P], Some((100, false))),
            ("n/a never deducts", [P, P, P, N, P, P], Some((100, false))),
            ("nothing measured has no score", [N, N, N, U, N, N], None),
        ];
        let t = Template::builtin();
        for (name, outcomes, want) in cases {
            let got = t.ticket_compliance(outcomes).map(|c| (c.points, c.vetoed));
            assert_eq!(got, *want, "{name}");
        }
    }

    #[test]
    fn deductions_never_go_below_zero() {
        let text = DEFAULT_TOML.replace("deduction = 10", "deduction = 90");
        let t = Template::parse(&text, "t.toml").unwrap();
        assert_eq!(t.ticket_compliance(&[F, F, P, P, P, P]).unwrap().points, 0);
    }

    #[test]
    fn errors_name_file_line_and_problem() {
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "negative weight",
                "language = 25",
                "language = -5",
                "t.toml:12: `overall.language` is -5",
            ),
            (
                "unknown check",
                "[checks.no_pii]",
                "[checks.no_pi]",
                "t.toml:62: unknown field `no_pi`",
            ),
            (
                "deduction above 100",
                "deduction = 40\nveto = true\n\n[checks.no_pii]",
                "deduction = 140\nveto = true\n\n[checks.no_pii]",
                "`checks.no_off_platform.deduction` is 140",
            ),
            ("not a number", "filler = 10", "filler = \"ten\"", "t.toml:21:"),
            (
                "unknown key",
                "veto = false\n\n[checks.closing]",
                "veto = false\nveta = true\n\n[checks.closing]",
                "unknown field `veta`",
            ),
            ("broken toml", "\n[conduct]\n", "\n[conduct\n", "t.toml:26:"),
        ];
        for (name, from, to, says) in cases {
            let text = LEGACY_TOML.replacen(from, to, 1);
            assert_ne!(text, LEGACY_TOML, "{name}: the case does not change the template");
            let err = match Template::parse(&text, "t.toml") {
                Ok(_) => panic!("{name}: accepted"),
                Err(err) => err.to_string(),
            };
            assert!(err.contains(says), "{name}: {err}");
            assert!(err.starts_with("scoring template t.toml"), "{name}: {err}");
            assert!(!err.contains('\n'), "{name}: {err}");
        }
        let zero =
            ["language", "conduct", "empathy", "responsiveness", "satisfaction", "compliance"]
                .iter()
                .fold(LEGACY_TOML.to_string(), |text, key| {
                    let line = text.lines().find(|l| l.starts_with(&format!("{key} = "))).unwrap();
                    text.replacen(line, &format!("{key} = 0"), 1)
                });
        let err = Template::parse(&zero, "t.toml").unwrap_err().to_string();
        assert!(err.contains("every [overall] weight is 0"), "{err}");
    }

    #[test]
    fn severity_defaults_to_the_shipped_table_when_a_template_has_none() {
        use Severity::{Complaint, Conduct, Service, Veto};
        let want = [Conduct, Veto, Veto, Complaint, Complaint, Service, Service];
        assert_eq!(Template::builtin().severity, want);
        assert_eq!(DEFAULT_SEVERITY, want);
        // A template written before `[severity]` existed: everything from that line on cut.
        let older = &DEFAULT_TOML[..DEFAULT_TOML.find("\n# Severity of each flag").unwrap()];
        assert!(!older.contains("[severity]"));
        assert_eq!(Template::parse(older, "old.toml").unwrap().severity, want);
        let t = Template::builtin();
        let ticket = |reasons: &[Reason]| t.ticket_severity(reasons);
        assert_eq!(ticket(&[]), None);
        assert_eq!(ticket(&[Reason::SlowFirstResponse]), Some(Service));
        assert_eq!(ticket(&[Reason::ForbiddenPhrase, Reason::LowCsat]), Some(Conduct));
        assert_eq!(ticket(&[Reason::ForbiddenPhrase, Reason::PiiExposed]), Some(Veto));
    }

    #[test]
    fn low_score_defaults_to_60_when_a_template_has_no_report_table() {
        assert_eq!(Template::builtin().low_score, DEFAULT_LOW_SCORE);
        let without = &DEFAULT_TOML[..DEFAULT_TOML.find("\n# The team page marks").unwrap()];
        assert!(!without.contains("[report]"));
        assert_eq!(Template::parse(without, "old.toml").unwrap().low_score, 60.0);
        let mine = DEFAULT_TOML.replacen("low_score = 60", "low_score = 72.5", 1);
        assert_eq!(Template::parse(&mine, "t.toml").unwrap().low_score, 72.5);
    }

    #[test]
    fn a_severity_table_names_every_reason_with_a_known_level() {
        let line = |key: &str| {
            let at = DEFAULT_TOML.find(&format!("\n{key} = \"")).unwrap() + 1;
            DEFAULT_TOML[..at].matches('\n').count() + 1
        };
        let cases: &[(&str, &str, &str, String)] = &[
            (
                "unknown level",
                "low_csat = \"service\"",
                "low_csat = \"minor\"",
                format!(
                    "t.toml:{}: `severity.low_csat` is \"minor\", but a severity is one of \
                     `service`, `complaint`, `conduct`, `veto`",
                    line("low_csat")
                ),
            ),
            (
                "a number is no level",
                "escalation = \"complaint\"",
                "escalation = 2",
                format!(
                    "t.toml:{}: invalid type: integer `2`, expected a string",
                    line("escalation")
                ),
            ),
            (
                "unknown reason",
                "low_csat = \"service\"",
                "low_csat = \"service\"\nslow_reply = \"service\"",
                format!("t.toml:{}: unknown field `slow_reply`", line("low_csat") + 1),
            ),
            (
                "a reason left out",
                "low_csat = \"service\"\n",
                "",
                "missing field `low_csat`".to_string(),
            ),
        ];
        for (name, from, to, says) in cases {
            let text = DEFAULT_TOML.replacen(from, to, 1);
            assert_ne!(text, DEFAULT_TOML, "{name}: the case does not change the template");
            let err = match Template::parse(&text, "t.toml") {
                Ok(_) => panic!("{name}: accepted"),
                Err(err) => err.to_string(),
            };
            assert!(err.contains(says.as_str()), "{name}: {err}");
            assert!(err.starts_with("scoring template t.toml"), "{name}: {err}");
            assert!(!err.contains('\n'), "{name}: {err}");
        }
    }

    /// One template number changed: `from` → `to` (the first occurrence).
    struct Bound {
        name: &'static str,
        from: &'static str,
        to: &'static str,
        /// What the error says after `t.toml:<line>: `; empty when the template is accepted.
        says: &'static str,
    }

    const fn b(
        name: &'static str,
        from: &'static str,
        to: &'static str,
        says: &'static str,
    ) -> Bound {
        Bound { name, from, to, says }
    }

    // Issue 8, item 13: overall weights of 1e308 overflowed Σ weight × value into NaN.
    const BOUNDS: &[Bound] = &[
        b(
            "overall weight 1e308",
            "language = 25",
            "language = 1e308",
            "`overall.language` is 1e308, but an overall weight is a number from 0 to 1000",
        ),
        b(
            "overall weight nan",
            "conduct = 20",
            "conduct = nan",
            "`overall.conduct` is nan, but an overall weight is a number from 0 to 1000",
        ),
        b(
            "overall weight inf",
            "empathy = 15",
            "empathy = inf",
            "`overall.empathy` is inf, but an overall weight is a number from 0 to 1000",
        ),
        b(
            "overall weight -inf",
            "satisfaction = 10",
            "satisfaction = -inf",
            "`overall.satisfaction` is -inf, but an overall weight is a number from 0 to 1000",
        ),
        b(
            "overall weight just over",
            "compliance = 15",
            "compliance = 1000.5",
            "`overall.compliance` is 1000.5, but an overall weight is a number from 0 to 1000",
        ),
        b("overall weight at the bound", "compliance = 15", "compliance = 1000", ""),
        b(
            "language coefficient over 100",
            "filler = 10",
            "filler = 101",
            "`language.filler` is 101, but a language coefficient is a number from 0 to 100",
        ),
        b(
            "language coefficient nan",
            "negative = 20",
            "negative = nan",
            "`language.negative` is nan, but a language coefficient is a number from 0 to 100",
        ),
        b("language coefficient at the bound", "jargon = 10", "jargon = 100", ""),
        b(
            "conduct multiplier 1e9",
            "forbidden = 3",
            "forbidden = 1e9",
            "`conduct.forbidden` is 1e9, but a conduct multiplier is a number from 0 to 100",
        ),
        b(
            "conduct multiplier -0.5",
            "off_platform = 3",
            "off_platform = -0.5",
            "`conduct.off_platform` is -0.5, but a conduct multiplier is a number from 0 to 100",
        ),
        b("conduct multiplier 0", "forbidden = 3", "forbidden = 0", ""),
        b(
            "check weight 1e308",
            "[checks.greeting]\nweight = 1",
            "[checks.greeting]\nweight = 1e308",
            "`checks.greeting.weight` is 1e308, but a check weight is a number from 0 to 1000",
        ),
        b(
            "check weight +inf",
            "[checks.closing]\nweight = 1",
            "[checks.closing]\nweight = +inf",
            "`checks.closing.weight` is +inf, but a check weight is a number from 0 to 1000",
        ),
        b(
            "check weight at the bound",
            "[checks.no_pii]\nweight = 1",
            "[checks.no_pii]\nweight = 1000",
            "",
        ),
        b(
            "deduction -1",
            "deduction = 10",
            "deduction = -1",
            "`checks.greeting.deduction` is -1, but a deduction is 0 to 100 points",
        ),
        b("deduction at the bound", "deduction = 10", "deduction = 100", ""),
        b(
            "low score above 100",
            "low_score = 60",
            "low_score = 100.5",
            "`report.low_score` is 100.5, but a score is a number from 0 to 100",
        ),
        b(
            "low score nan",
            "low_score = 60",
            "low_score = nan",
            "`report.low_score` is nan, but a score is a number from 0 to 100",
        ),
        b(
            "low score negative",
            "low_score = 60",
            "low_score = -1",
            "`report.low_score` is -1, but a score is a number from 0 to 100",
        ),
        b("low score at the bound", "low_score = 60", "low_score = 100", ""),
    ];

    #[test]
    fn every_number_is_bounded_at_load() {
        for case in BOUNDS {
            let text = LEGACY_TOML.replacen(case.from, case.to, 1);
            assert_ne!(text, LEGACY_TOML, "{}: the case does not change the template", case.name);
            let result = Template::parse(&text, "t.toml");
            if case.says.is_empty() {
                assert!(result.is_ok(), "{}: {:?}", case.name, result.err());
                continue;
            }
            let err = match result {
                Ok(_) => panic!("{}: accepted", case.name),
                Err(err) => err.to_string(),
            };
            // The line of the changed number: the last line of `to`.
            let at = text.find(case.to).unwrap() + case.to.rfind('=').unwrap();
            let line = text[..at].matches('\n').count() + 1;
            let want = format!("scoring template t.toml:{line}: {}", case.says);
            assert_eq!(err, want, "{}", case.name);
            assert!(!err.contains('\n'), "{}: {err}", case.name);
        }
    }
}

#[cfg(test)]
mod rule_tests {
    use super::rules::{Condition, Limit, Scope, Who};
    use super::*;
    use crate::vocab::Category;

    /// The default template with one more rule appended (its lines after the default's).
    fn with_rule(rule: &str) -> String {
        format!("{DEFAULT_TOML}\n[[rules]]\n{rule}\n")
    }

    /// A rule's head: id, label, weight and deduction.
    const HEAD: &str = "id = \"x\"\nlabel = \"测试\"\nweight = 1\ndeduction = 5\n";

    #[test]
    fn a_malformed_rule_names_file_and_line() {
        // (what is wrong, the rule's lines after the head, the line of the problem counted
        // from the rule's first line `id = …` as 1, what the message says)
        let many: String = (0..33)
            .map(|i| format!("[[rules]]\nid = \"r{i}\"\nlabel = \"规则\"\nweight = 1\ndeduction = 1\nsilence = {{ max_secs = 60 }}\n"))
            .collect();
        let cases: &[(&str, String, usize, &str)] = &[
            ("unknown condition key", "forbidd = { who = \"agent\", says = [\"a\"] }".into(), 5, "unknown field `forbidd`"),
            ("two conditions", "forbid = { who = \"agent\", says = [\"a\"] }\nrequire = { who = \"agent\", says = [\"b\"] }".into(), 6, "rule `x` has two conditions, `forbid` and `require`; a rule has exactly one"),
            ("no condition", String::new(), 1, "rule `x` has no condition; give it one of `forbid`, `require`, `follow`, `reply`, `silence`, `repeat`"),
            ("unknown category", "forbid = { who = \"agent\", says = [\"@greetings\"] }".into(), 5, "names `@greetings`, which is no lexicon category; use one of `@empathy`"),
            ("a modifier is no category", "forbid = { who = \"agent\", says = [\"@negation\"] }".into(), 5, "names `@negation`, which is no lexicon category"),
            ("bad in", "require = { who = \"agent\", says = [\"您好\"], in = \"first two\" }".into(), 5, "`in` of rule `x` is \"first two\", but it is `any`, `first N`, `last N`, `before_first_reply` or `after_first_reply`"),
            ("first 0", "require = { who = \"agent\", says = [\"您好\"], in = \"first 0\" }".into(), 5, "`in` of rule `x` is \"first 0\""),
            ("bad who", "forbid = { who = \"seller\", says = [\"a\"] }".into(), 5, "`who` of rule `x` is \"seller\", but it is `agent`, `customer` or `any`"),
            ("missing file", "forbid = { who = \"agent\", says = [\"file:none.txt\"] }".into(), 5, "rule `x` reads `file:none.txt`, but t.toml is not a file beside phrase files"),
            ("similarity above 1", "repeat = { who = \"customer\", similarity = 1.5 }".into(), 5, "`similarity` of rule `x` is 1.5, but it is a share of shared tokens above 0 and at most 1"),
            ("similarity 0", "repeat = { similarity = 0.0 }".into(), 5, "`similarity` of rule `x` is 0"),
            ("repeat once", "repeat = { similarity = 0.5, min_count = 1 }".into(), 5, "`min_count` of rule `x` is 1, but it is a whole number from 2 up"),
            ("min_count 0", "forbid = { who = \"agent\", says = [\"a\"], min_count = 0 }".into(), 5, "`min_count` of rule `x` is 0, but it is a whole number from 1 up"),
            ("require has no min_count", "require = { who = \"agent\", says = [\"a\"], min_count = 2 }".into(), 5, "unknown field `min_count`"),
            ("empty says", "forbid = { who = \"agent\", says = [] }".into(), 5, "`says` of rule `x` is empty"),
            ("bad max_secs", "reply = { max_secs = \"taobao\" }".into(), 5, "`reply.max_secs` of rule `x` is \"taobao\", but it is seconds (1 to 86400), `sla` (the run's --sla-seconds) or a platform preset: `jd`"),
            ("silence of 0 s", "silence = { max_secs = 0 }".into(), 5, "`max_secs` of rule `x` is 0, but it is a whole number from 1 up"),
            ("follow within 0", "follow = { after = { who = \"customer\", says = [\"投诉\"] }, then = { who = \"agent\", says = [\"抱歉\"] }, within = 0 }".into(), 5, "`within` of rule `x` is 0"),
            ("deduction above 100", "silence = { max_secs = 60 }".into(), 4, "`deduction` of rule `x` is 101, but a deduction is 0 to 100 points"),
        ];
        for (name, body, line, says) in cases {
            let mut head = HEAD.to_string();
            if *name == "deduction above 100" {
                head = head.replace("deduction = 5", "deduction = 101");
            }
            let text = with_rule(&format!("{head}{body}"));
            let first = text.lines().position(|l| l == "id = \"x\"").unwrap() + 1;
            let err = match Template::parse(&text, "t.toml") {
                Ok(_) => panic!("{name}: accepted"),
                Err(err) => err.to_string(),
            };
            let at = format!("scoring template t.toml:{}: ", first + line - 1);
            assert!(err.starts_with(&at), "{name}: want {at}…, got {err}");
            assert!(err.contains(says), "{name}: {err}");
            assert!(!err.contains('\n'), "{name}: {err}");
        }
        // Rule ids: their characters, and unique.
        let bad_id = with_rule(
            &HEAD
                .replace("id = \"x\"", "id = \"No-PII\"")
                .replace("weight", "silence = { max_secs = 60 }\nweight"),
        );
        let err = Template::parse(&bad_id, "t.toml").unwrap_err().to_string();
        let line = bad_id.lines().position(|l| l == "id = \"No-PII\"").unwrap() + 1;
        assert!(
            err.starts_with(&format!(
                "scoring template t.toml:{line}: rule id \"No-PII\" is not ASCII lowercase"
            )),
            "{err}"
        );
        let twice = with_rule("id = \"greeting\"\nlabel = \"再问候\"\nweight = 1\ndeduction = 1\nsilence = { max_secs = 60 }");
        let err = Template::parse(&twice, "t.toml").unwrap_err().to_string();
        let lines: Vec<&str> = twice.lines().collect();
        let line = lines.iter().rposition(|l| *l == "id = \"greeting\"").unwrap() + 1;
        assert_eq!(err, format!("scoring template t.toml:{line}: rule id `greeting` is used twice; each rule needs its own id"));
        // More than 32: the 33rd rule is named (the default's six plus 33 more).
        let text = format!("{DEFAULT_TOML}\n{many}");
        let err = Template::parse(&text, "t.toml").unwrap_err().to_string();
        let line = text.lines().position(|l| l == "id = \"r26\"").unwrap();
        assert!(
            err.starts_with(&format!(
                "scoring template t.toml:{line}: the template has 39 rules, but at most 32"
            )),
            "{err}"
        );
        // Both the old tables and rules.
        let legacy = include_str!("../tests/fixtures/templates/checks_v1.toml");
        let checks =
            &legacy[legacy.find("[checks.greeting]").unwrap()..legacy.find("# Severity").unwrap()];
        let both = format!("{DEFAULT_TOML}\n{checks}");
        let err = Template::parse(&both, "t.toml").unwrap_err().to_string();
        assert!(err.contains("has both `[[rules]]` and old `[checks.*]` tables"), "{err}");
        // Neither.
        let cut = DEFAULT_TOML.find("# Compliance rules").unwrap();
        let end = DEFAULT_TOML.find("# Severity of each flag").unwrap();
        let none = format!("{}{}", &DEFAULT_TOML[..cut], &DEFAULT_TOML[end..]);
        let err = Template::parse(&none, "t.toml").unwrap_err().to_string();
        assert_eq!(err, "scoring template t.toml: the template has no `[[rules]]`; copy them from templates/default.toml (docs/rules.md)");
    }

    #[test]
    fn the_ecommerce_pack_keeps_the_default_template_and_adds_nine_rules() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/ecommerce.toml");
        let pack = Template::load(&path).unwrap();
        let default = Template::builtin();
        assert_eq!(pack.rules[..6], default.rules[..]);
        assert_eq!(pack.rules.len(), 6 + 9);
        assert_eq!(
            (pack.overall, pack.severity, pack.low_score),
            (default.overall, default.severity, default.low_score)
        );
        assert!(!pack.phrases.is_empty());
    }

    #[test]
    fn the_default_rules_are_the_six_checks() {
        let t = Template::builtin();
        let labels: Vec<&str> = t.rules.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            labels,
            ["开场问候", "规范结束语", "无服务禁语", "首响达标", "无站外引流", "无隐私泄露"]
        );
        let Condition::Require { find } = &t.rules[0].condition else { panic!("greeting") };
        assert_eq!((find.who, find.scope), (Who::Agent, Scope::First(2)));
        assert_eq!(find.says.only_category(), Some(Category::Greeting));
        let Condition::Require { find } = &t.rules[1].condition else { panic!("closing") };
        assert_eq!(find.scope, Scope::Last(2));
        assert_eq!(t.rules[3].condition, Condition::Reply { max_secs: Limit::Sla });
        let Condition::Forbid { find, min_count: 1 } = &t.rules[5].condition else { panic!("pii") };
        assert!(find.says.pii && find.says.categories.is_empty());
        assert!(t.phrases.is_empty(), "the built-in template has no phrases");
    }

    #[test]
    fn an_old_checks_template_loads_as_the_six_rules_with_its_numbers() {
        let legacy = include_str!("../tests/fixtures/templates/checks_v1.toml");
        let old = Template::parse(legacy, "old.toml").unwrap();
        let new = Template::builtin();
        assert_eq!(old.rules, new.rules);
        let changed =
            legacy.replacen("deduction = 40\nveto = true", "deduction = 25\nveto = false", 1);
        let t = Template::parse(&changed, "old.toml").unwrap();
        assert_eq!(
            (t.rules[4].id.as_str(), t.rules[4].deduction, t.rules[4].veto),
            ("no_off_platform", 25, false)
        );
    }

    #[test]
    fn rule_options_read_as_written() {
        let text = with_rule(&format!(
            "{HEAD}veto = true\nforbid = {{ who = \"any\", says = [\"@pii\", \"加V\", \"@forbidden\"], in = \"after_first_reply\", min_count = 2 }}"
        ));
        let t = Template::parse(&text, "t.toml").unwrap();
        let r = t.rules.last().unwrap();
        assert!(r.veto);
        let Condition::Forbid { find, min_count: 2 } = &r.condition else { panic!("{r:?}") };
        assert_eq!((find.who, find.scope), (Who::Any, Scope::AfterFirstReply));
        assert_eq!((find.says.pii, &find.says.categories[..]), (true, &[Category::Forbidden][..]));
        assert_eq!(t.phrases.written(find.says.list.unwrap(), 0), "加V");
        for (written, secs) in [("\"jd\"", 30), ("45", 45)] {
            let text = with_rule(&format!("{HEAD}reply = {{ max_secs = {written} }}"));
            let t = Template::parse(&text, "t.toml").unwrap();
            assert_eq!(
                t.rules.last().unwrap().condition,
                Condition::Reply { max_secs: Limit::Secs(secs) }
            );
        }
        let text = with_rule(&format!("{HEAD}repeat = {{ similarity = 0.6 }}"));
        let t = Template::parse(&text, "t.toml").unwrap();
        let want = Condition::Repeat { who: Who::Customer, similarity: 0.6, min_count: 2 };
        assert_eq!(t.rules.last().unwrap().condition, want);
    }
}
