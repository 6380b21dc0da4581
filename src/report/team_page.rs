//! The team page's model: everything `index.html` (`html::index`) and `summary.md`
//! (`markdown::team`) show, computed once here from the merged figures, so the two formats
//! render the same facts and compute nothing.
//!
//! - Run facts: the data period (first and last message time of the audited tickets, from
//!   `Aggregate::period`; unknown when no message had a time), the input files (as given,
//!   sorted, so their order on the command line changes nothing), and the options that change
//!   figures: sample rate, SLA, seed, and the template's and lexicons' sha256 (the manifest's,
//!   shortened). The run's wall-clock time is *not* on the page: invariant 2 keeps reports
//!   byte-identical for the same inputs, and only `manifest.json`'s `runtime` may differ, so
//!   the page points there; the data period is what tells one night's page from another's.
//! - One row per agent and the team's row, with the same figures.
//! - Flags per reason: tickets, share of audited tickets, severity; most serious first, then
//!   by share. A hint for each reason that flags more than half of the audited tickets: then
//!   the rule or its threshold, rather than the agents, may be the story.
//! - The agents' overall scores in ten 10-point bins (agents without a score left out and
//!   counted), and the agents below the template's `[report] low_score`.
//! - The KPIs (`report::kpi`): each agent's and the team's AHT, 投诉率, 满意率, 解决率 and
//!   首响达标率 with their denominators, the template's `[kpi]` targets, and per agent the
//!   targets it misses with the gap; how many agents miss one.

use crate::aggregate::{Metrics, Period};
use crate::config::AuditConfig;
use crate::lexicon::Lexicon;
use crate::read::InputFile;
use crate::report::kpi::Card;
use crate::report::labels;
use crate::report::manifest::Counts;
use crate::template::{Targets, Template};
use crate::vocab::{Category, FlagReason, Reason, Severity};

/// Hex digits of a sha256 the page shows: enough to tell runs apart at a glance; the manifest
/// has the whole digest.
pub const SHORT_SHA: usize = 12;
/// Input files listed by name; past this the page says how many more.
pub const INPUTS_SHOWN: usize = 20;
/// The histogram's bins: 0–9, 10–19, …, 90–100 (100 falls in the last).
pub const BINS: usize = 10;

/// What produced the figures, shown at the top of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFacts {
    pub period: Period,
    /// Input files as given, sorted and without repeats, at most [`INPUTS_SHOWN`].
    pub inputs: Vec<String>,
    /// How many distinct input files there were.
    pub inputs_total: usize,
    /// The sample rate as a percentage (30 for 0.30).
    pub sample_percent: f64,
    /// Plain or risk-weighted sampling (with its floor and cap).
    pub sample_mode: crate::sample::Mode,
    pub sla_secs: u32,
    pub seed: u64,
    /// The first [`SHORT_SHA`] hex digits of the template's sha256 and of the lexicon set's
    /// fingerprint, as `manifest.json` records them in full.
    pub template_sha: String,
    pub lexicon_sha: String,
}

impl RunFacts {
    pub fn new(
        config: &AuditConfig,
        lexicon: &Lexicon,
        inputs: &[InputFile],
        period: Period,
    ) -> RunFacts {
        let mut names: Vec<String> = inputs.iter().map(|f| f.display.clone()).collect();
        names.sort();
        names.dedup();
        let inputs_total = names.len();
        names.truncate(INPUTS_SHOWN);
        let short = |sha: &str| sha.chars().take(SHORT_SHA).collect();
        RunFacts {
            period,
            inputs: names,
            inputs_total,
            sample_percent: config.sampling.rate.percent(),
            sample_mode: config.sampling.mode,
            sla_secs: config.sla_secs,
            seed: config.seed,
            template_sha: short(&config.template.sha256),
            lexicon_sha: short(&lexicon.fingerprint()),
        }
    }
}

/// The figures of one row of the agent table (an agent's or the team's).
#[derive(Debug, Clone, PartialEq)]
pub struct RowFigures {
    pub tickets: u64,
    pub score: Option<f64>,
    pub empathy_per_100: Option<f64>,
    pub forbidden: u64,
    pub first_response_median_secs: Option<u32>,
    pub csat_mean: Option<f64>,
    pub compliance_pass_rate: Option<f64>,
    pub compliance_score: Option<f64>,
    pub flagged: u64,
}

impl RowFigures {
    fn of(m: &Metrics) -> RowFigures {
        RowFigures {
            tickets: m.tickets,
            score: m.score,
            empathy_per_100: m.categories[Category::Empathy].per_100_words,
            forbidden: m.categories[Category::Forbidden].hits,
            first_response_median_secs: m.first_response_median_secs,
            csat_mean: m.csat_mean,
            compliance_pass_rate: m.compliance_pass_rate,
            compliance_score: m.compliance_score,
            flagged: m.flagged,
        }
    }
}

/// The agent table's columns, in order, as both formats head them: the figures, then the
/// KPIs in [`KPI_COLUMNS`] order, then the missed targets.
pub const COLUMNS: [&str; 17] = [
    "客服",
    "姓名",
    "工单数",
    "综合得分",
    "共情/百词",
    "服务禁语",
    "首响中位数",
    "满意度",
    "合规通过率",
    "合规得分",
    "被标记",
    "平均处理时长",
    "投诉率",
    "满意率",
    "首响达标率",
    "解决率",
    labels::KPI_MISSED_COLUMN,
];

/// The KPI columns of the agent table, in order.
pub const KPI_COLUMNS: [crate::vocab::Kpi; 5] = crate::vocab::Kpi::ALL;

#[derive(Debug, Clone, PartialEq)]
pub struct AgentRow<'a> {
    pub id: &'a str,
    pub name: Option<&'a str>,
    /// The agent page's file stem (`agents/<stem>.html`).
    pub stem: String,
    pub figures: RowFigures,
    /// With `--baseline` / `--history`.
    pub change: Option<&'a crate::trend::Change>,
    /// Its overall score is below the template's `low_score` (an agent without a score is
    /// never marked: unknown is not low).
    pub low: bool,
    /// Its KPIs against the template's targets.
    pub kpi: &'a Card,
}

/// One flag reason over the team: a built-in reason or a rule with a severity.
#[derive(Debug, Clone, PartialEq)]
pub struct ReasonRate {
    pub reason: FlagReason,
    /// Its code (flagged.jsonl's) and its Chinese label.
    pub key: String,
    pub label: String,
    pub severity: Severity,
    /// Audited tickets flagged with this reason.
    pub tickets: u64,
    /// Of the audited tickets (0–1, four decimals); unknown when none was audited.
    pub share: Option<f64>,
}

/// A reason that flags more than half of the audited tickets.
#[derive(Debug, Clone, PartialEq)]
pub struct Hint {
    pub reason: FlagReason,
    pub label: String,
    pub share: f64,
    /// For a slow first response: the SLA it was measured against, worth checking first.
    pub sla_secs: Option<u32>,
}

impl Hint {
    /// In words; for a slow first response it asks about the SLA, for any other reason it
    /// points at the rule.
    pub fn text(&self) -> String {
        let share = crate::report::figures::percent(Some(self.share)).unwrap_or_default();
        let head = format!("{share}% 的工单被标记为「{}」", self.label);
        match self.sla_secs {
            Some(sla) => format!("{head} — SLA {sla} 秒是否符合本渠道？"),
            None => format!(
                "{head} — 超过一半: 多半是规则或阈值的问题, 而不是客服的问题, 请先核对规则。"
            ),
        }
    }
}

/// The agents' overall scores in [`BINS`] bins of 10 points.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreBins {
    pub counts: [u64; BINS],
    /// Agents without an overall score (nothing to measure): not drawn, counted here.
    pub unscored: u64,
}

impl ScoreBins {
    /// The bin of a score: 0–9.9 → 0, …, 90–100 → 9 (tenths, so 59.95 cannot fall in 6).
    pub fn bin(score: f64) -> usize {
        let tenths = (score * 10.0).round().max(0.0) as u64;
        ((tenths / 100) as usize).min(BINS - 1)
    }

    /// `0–9`, `10–19`, …, `90–100`.
    pub fn label(bin: usize) -> String {
        let low = bin * 10;
        let high = if bin + 1 == BINS { 100 } else { low + 9 };
        format!("{low}–{high}")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamPage<'a> {
    pub facts: RunFacts,
    pub counts: Counts,
    /// In agent id order.
    pub rows: Vec<AgentRow<'a>>,
    pub team: RowFigures,
    /// Most serious first, then by share, then in report order (built-in, then rules).
    pub reasons: Vec<ReasonRate>,
    pub hints: Vec<Hint>,
    pub bins: ScoreBins,
    /// The template's `[report] low_score`, and how many agents are below it.
    pub low_score: f64,
    pub low_agents: usize,
    /// The team's KPIs (figures only: the targets mark agents), the template's `[kpi]`
    /// targets, and how many agents miss at least one.
    pub team_kpi: Card,
    pub targets: Targets,
    pub kpi_agents: usize,
    /// With `--baseline` / `--history`: the team's and every agent's change.
    pub trend: Option<&'a crate::trend::View>,
    /// Each conduct or veto reason that flagged a ticket, most serious first: the agents
    /// flagged with it, most tickets first (ties by id), with their ticket counts.
    pub conduct: Vec<(ReasonRate, Vec<(&'a str, u64)>)>,
    /// Risk-weighted sampling: must-review tickets the per-agent cap left out of the sample
    /// (`None` in plain mode).
    pub sample_left_out: Option<u64>,
}

impl<'a> TeamPage<'a> {
    /// `rows` in agent id order, `cards[i]` the KPI card of `rows[i]`; the template gives each
    /// reason's severity, the low-score line and the KPI targets; `stem` names an agent's page.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        facts: RunFacts,
        counts: &Counts,
        rows: &'a [(String, Option<String>, Metrics)],
        cards: &'a [Card],
        team: &Metrics,
        template: &Template,
        trend: Option<&'a crate::trend::View>,
        stem: impl Fn(&str) -> String,
    ) -> TeamPage<'a> {
        let low_score = template.low_score;
        let audited = team.tickets;
        let mut reasons: Vec<ReasonRate> = template
            .flag_reasons()
            .map(|reason| {
                let tickets = team.flagged_by(reason);
                let share =
                    (audited > 0).then(|| (tickets as f64 / audited as f64 * 1e4).round() / 1e4);
                ReasonRate {
                    reason,
                    key: template.flag_key(reason).to_string(),
                    label: labels::flag_reason(reason, template).to_string(),
                    severity: template.flag_severity(reason),
                    tickets,
                    share,
                }
            })
            .collect();
        // Stable: equal severity and count keep report order (built-in, then rules).
        reasons.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.tickets.cmp(&a.tickets)));
        let hints = reasons
            .iter()
            .filter(|r| r.tickets * 2 > audited)
            .map(|r| Hint {
                reason: r.reason,
                label: r.label.clone(),
                share: r.share.expect("more than half of a non-zero count"),
                sla_secs: (r.reason == FlagReason::Builtin(Reason::SlowFirstResponse))
                    .then_some(facts.sla_secs),
            })
            .collect();
        let mut bins = ScoreBins { counts: [0; BINS], unscored: 0 };
        let by_agent = rows;
        let rows: Vec<AgentRow> = rows
            .iter()
            .zip(cards)
            .map(|((id, name, m), kpi)| {
                match m.score {
                    Some(score) => bins.counts[ScoreBins::bin(score)] += 1,
                    None => bins.unscored += 1,
                }
                AgentRow {
                    id,
                    name: name.as_deref(),
                    stem: stem(id),
                    figures: RowFigures::of(m),
                    change: trend.map(|t| &t.agents[id]),
                    low: m.score.is_some_and(|s| s < low_score),
                    kpi,
                }
            })
            .collect();
        let low_agents = rows.iter().filter(|r| r.low).count();
        let kpi_agents = rows.iter().filter(|r| r.kpi.any_missed()).count();
        let conduct = reasons
            .iter()
            .filter(|r| r.severity >= Severity::Conduct && r.tickets > 0)
            .map(|r| {
                let mut agents: Vec<(&str, u64)> = by_agent
                    .iter()
                    .map(|(id, _, m)| (id.as_str(), m.flagged_by(r.reason)))
                    .filter(|(_, n)| *n > 0)
                    .collect();
                agents.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                (r.clone(), agents)
            })
            .collect();
        TeamPage {
            facts,
            counts: counts.clone(),
            rows,
            team: RowFigures::of(team),
            reasons,
            hints,
            bins,
            low_score,
            low_agents,
            team_kpi: Card::of(team, &Targets::default()),
            targets: template.kpi,
            kpi_agents,
            trend,
            conduct,
            sample_left_out: team.must_review_left_out,
        }
    }

    /// Agents by how far their overall score moved since the baseline, largest first (ties by
    /// id), with the team's change; empty without `--baseline`.
    pub fn movers(&self) -> Vec<&AgentRow<'a>> {
        let moved = |r: &AgentRow| r.change.and_then(|c| c.score_delta).map(f64::abs);
        let mut rows: Vec<&AgentRow> = self.rows.iter().filter(|r| moved(r).is_some()).collect();
        rows.sort_by(|a, b| moved(b).unwrap_or(0.0).total_cmp(&moved(a).unwrap_or(0.0)));
        rows
    }

    /// Agents with a repeated conduct or veto reason, in id order.
    pub fn repeat_offenders(&self) -> Vec<&AgentRow<'a>> {
        self.rows.iter().filter(|r| r.change.is_some_and(|c| !c.repeated.is_empty())).collect()
    }

    /// Every score in the bin is below the low-score line (its bar is drawn as low).
    pub fn bin_is_low(&self, bin: usize) -> bool {
        (bin as f64 + 1.0) * 10.0 <= self.low_score
    }

    /// The options that change figures, in one line.
    pub fn options_text(&self) -> String {
        let f = &self.facts;
        let sample = match f.sample_mode {
            crate::sample::Mode::Plain => format!("抽检率 {}%", f.sample_percent),
            crate::sample::Mode::Risk(limits) => {
                let left_out = self.sample_left_out.unwrap_or(0);
                labels::risk_sampling(f.sample_percent, limits, left_out)
            }
        };
        format!(
            "{sample}, SLA {} 秒, 随机种子 {}, 评分模板 sha256 {}, 词库 sha256 {}, 低分线 {}",
            f.sla_secs, f.seed, f.template_sha, f.lexicon_sha, self.low_score
        )
    }

    /// Under the agent table, when the template sets KPI targets: the targets, and how many
    /// agents miss one. `None` without targets.
    pub fn kpi_note(&self) -> Option<String> {
        let targets = crate::report::figures::kpi_targets(&self.targets)?;
        let missed = match self.kpi_agents {
            0 => "所有客服均达标或无数据".to_string(),
            n => format!("⚠ {n} 名客服未达标"),
        };
        Some(format!(
            "KPI 目标 (评分模板 [kpi]): {targets}。{missed}; 数据不足的指标记为未知, 不算未达标。"
        ))
    }

    /// `等共 N 个文件` when some input files are left off the list.
    pub fn more_inputs(&self) -> Option<String> {
        let f = &self.facts;
        (f.inputs_total > f.inputs.len()).then(|| format!("等共 {} 个文件", f.inputs_total))
    }

    /// Under the histogram: how many agents it draws, and how many it cannot.
    pub fn histogram_note(&self) -> String {
        let drawn: u64 = self.bins.counts.iter().sum();
        let mut note = format!("共 {drawn} 名客服有综合得分。");
        if self.bins.unscored > 0 {
            note.push_str(&format!(
                " {} 名客服无综合得分 (没有可计量的数据), 未计入。",
                self.bins.unscored
            ));
        }
        note
    }

    /// The counts in one sentence, as both formats print it.
    pub fn counts_line(&self) -> String {
        let c = &self.counts;
        format!(
            "{} 行输入: {} 张工单已质检, {} 行被拒绝, {} 张抽检, {} 张被标记。",
            c.lines, c.audited, c.rejected, c.sampled, c.flagged
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_bins() {
        let cases = [
            ("zero", 0.0, 0),
            ("just under ten", 9.9, 0),
            ("ten", 10.0, 1),
            ("59.9 is not 60", 59.9, 5),
            ("sixty", 60.0, 6),
            ("ninety", 90.0, 9),
            ("a hundred shares the last bin", 100.0, 9),
        ];
        for (name, score, bin) in cases {
            assert_eq!(ScoreBins::bin(score), bin, "{name}");
        }
        assert_eq!(ScoreBins::label(0), "0–9");
        assert_eq!(ScoreBins::label(9), "90–100");
    }
}
