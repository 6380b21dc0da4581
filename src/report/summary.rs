//! `summary.json`, for machines: every figure any other report shows.
//!
//! - `schema`: 1. `counts`: as in the manifest. `sampling`: how the compliance sample was
//!   drawn (docs/sampling.md): `mode` (`plain` | `risk`), `rate`, `rate_from` (`default`,
//!   `--sample-rate` or `template`), and in risk mode `floor` and `cap`.
//! - `team` and each of `agents[]` (sorted by `agent_id`, with `agent_name`): `tickets` (owned),
//!   `participated`, `messages`, `words` (agent word tokens); `categories.<category>`:
//!   `hits`, `per_100_words`, `ticket_share`; `complaints`, `empathy_after_complaint`,
//!   `customer_negative_share`, `complaint_tickets` and `complaint_rate` (投诉率: tickets with
//!   a customer complaint ÷ `tickets`), `escalations`, `escalation_share`;
//!   `handle_timed_tickets` (owned tickets with two or more timed messages),
//!   `handle_{median,p90,mean}_secs` (handle time, first to last timed message; the mean is
//!   AHT, 平均处理时长; null when no ticket is timed);
//!   `first_response_{median,p90}_secs`, `first_response_sla_breaches`,
//!   `timed_first_responses`, `first_response_sla_rate` (首响达标率: within the SLA ÷ timed),
//!   `response_{median,p90}_secs`, `response_sla_breaches`, `timed_responses` (a breach count
//!   is null when nothing was timed); `csat_mean`,
//!   `csat_count`, `csat_satisfied` and `satisfaction_rate` (满意率: CSAT 4–5 ÷ `csat_count`),
//!   `resolved`, `resolved_known` and `resolved_share` (解决率: `resolved` ÷ `resolved_known`);
//!   `flagged`, `flagged_by_reason`; `sampled`,
//!   `sampled_by_reason` {conduct, escalation, floor, random, veto} (summing to `sampled`),
//!   `must_review_left_out` (must-review tickets a risk-mode cap left out; null in plain mode),
//!   `compliance.<check>` {pass, fail, not_applicable, unknown, pass_rate},
//!   `compliance_pass_rate` (weighted by the template's check weights), `compliance_score`
//!   (mean 0–100 per-ticket compliance score of the sample), `compliance_scored` (sampled
//!   tickets with a score), `compliance_vetoed` (of those, zeroed by a 一票否决 check; null
//!   when none has a score);
//!   `score_components` {language, conduct, empathy, responsiveness, satisfaction, compliance}
//!   (0–100 each, null when unmeasured); `score` (0–100, docs/scoring.md, weights from the
//!   scoring template). Each agent also has `kpi_missed` (the KPI keys of the template's
//!   `[kpi]` whose target its figure misses, `report::kpi`) and `kpi_unknown` (those with a
//!   target but no figure); `kpi_targets` (top level) holds the targets, null where unset.
//! - `lexicon`: per entry `category`, `entry`, `hits` (counted), `tickets` (with a counted
//!   hit), sorted by category then
//!   file order; `never_hit`: the entries with no hit in this run, for trainers.
//!
//! - `trend` (only with `--baseline` or `--history`): `baseline` (the report compared with),
//!   `history` (the earlier reports used, oldest first), `team` and `agents.<agent_id>`, each
//!   with `score_delta` (points), `flagged_share_delta` (percentage points; both null when
//!   unknown), `new` (true for an agent not in the baseline), `scores` (the overall scores of the
//!   history's runs and this one, oldest first, null where unknown or absent) and `repeated`
//!   (conduct and veto reason codes flagged on at least 3 of the last 7 runs).
//!
//! Shares are 0–1 with four decimals. `null` means unknown (nothing to measure), never 0.

use serde::Serialize;

use crate::aggregate::{EntryCount, Metrics};
use crate::report::kpi::Card;
use crate::report::manifest::Counts;
use crate::sample::Plan;
use crate::vocab::Kpi;

#[derive(Serialize)]
struct Summary<'a> {
    schema: u32,
    counts: &'a Counts,
    sampling: crate::sample::Written,
    sla_seconds: u32,
    kpi_targets: &'a crate::template::Targets,
    team: &'a Metrics,
    agents: Vec<AgentLine<'a>>,
    lexicon: LexiconSummary<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trend: Option<&'a crate::trend::View>,
}

#[derive(Serialize)]
struct AgentLine<'a> {
    agent_id: &'a str,
    agent_name: Option<&'a str>,
    #[serde(flatten)]
    metrics: &'a Metrics,
    kpi_missed: Vec<Kpi>,
    kpi_unknown: Vec<Kpi>,
}

#[derive(Serialize)]
struct LexiconSummary<'a> {
    entries: Vec<&'a EntryCount<'a>>,
    never_hit: Vec<&'a EntryCount<'a>>,
}

/// `rows` (agent, name, metrics) in agent id order and `team`, as the run computed them once
/// for every report, with each row's KPI card (`cards[i]` for `rows[i]`) and the targets;
/// `entries`: each counted lexicon entry's hits and tickets
/// ([`crate::aggregate::Aggregate::entry_counts`]).
#[allow(clippy::too_many_arguments)]
pub fn render(
    counts: &Counts,
    sla_secs: u32,
    sampling: &Plan,
    rows: &[(String, Option<String>, Metrics)],
    cards: &[Card],
    targets: &crate::template::Targets,
    team: &Metrics,
    entries: &[EntryCount],
    trend: Option<&crate::trend::View>,
) -> Vec<u8> {
    let agents = rows
        .iter()
        .zip(cards)
        .map(|((id, name, metrics), card)| AgentLine {
            agent_id: id,
            agent_name: name.as_deref(),
            metrics,
            kpi_missed: card.missed().map(|l| l.kpi).collect(),
            kpi_unknown: card.unknown().map(|l| l.kpi).collect(),
        })
        .collect();
    let never_hit = entries.iter().filter(|e| e.hits == 0).collect();
    let summary = Summary {
        schema: 1,
        counts,
        sampling: sampling.written(true),
        sla_seconds: sla_secs,
        kpi_targets: targets,
        team,
        agents,
        lexicon: LexiconSummary { entries: entries.iter().collect(), never_hit },
        trend,
    };
    super::pretty_json(&summary)
}
