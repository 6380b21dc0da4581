//! Stage 9 — aggregation. Takes ticket scores, yields per-agent aggregates and the figures the
//! reports show. Everything here is an integer count (weights in thousandths, times in
//! seconds) so that [`Aggregate::merge`] is associative and commutative *exactly*: threads,
//! batches and shards on other machines all meet in that one function, and any merge order
//! gives the same bytes. Derived figures (rates, medians, the overall score) are computed from
//! the merged counts only, in [`AgentAggregate::metrics`], whose tables are `vocab::Map`s keyed
//! by the words (strings only when serialized).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::parse::Ticket;
use crate::sample::Mode;
use crate::score::{TicketScore, CATEGORIES};
use crate::template::Template;
use crate::vocab::{self, Category, FlagReason, Map, Outcome, Reason, SampleReason};

/// Response times in seconds, bucketed so memory stays bounded per agent: exact below ten
/// minutes, 10 s buckets below an hour, 1 min buckets below a day, 1 h buckets beyond.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Histogram {
    buckets: BTreeMap<u32, u64>,
}

impl Histogram {
    pub fn add(&mut self, secs: u32) {
        let bucket = match secs {
            0..600 => secs,
            600..3600 => secs - secs % 10,
            3600..86_400 => secs - secs % 60,
            _ => secs - secs % 3600,
        };
        *self.buckets.entry(bucket).or_default() += 1;
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (&bucket, &count) in &other.buckets {
            *self.buckets.entry(bucket).or_default() += count;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    pub fn count(&self) -> u64 {
        self.buckets.values().sum()
    }

    /// Nearest-rank quantile: the smallest value with at least ⌈q·n⌉ values at or below it.
    /// `None` when there is nothing to measure (unknown, never zero).
    pub fn quantile(&self, q: f64) -> Option<u32> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        self.buckets.iter().find_map(|(&bucket, &count)| {
            seen += count;
            (seen >= rank).then_some(bucket)
        })
    }

    pub fn above(&self, limit: u32) -> u64 {
        self.buckets.range(limit + 1..).map(|(_, &c)| c).sum()
    }
}

/// One agent's counts. Ticket-level counts (tickets, flags, CSAT, escalations) belong to the
/// ticket's owner; message-level counts to the agent who wrote the message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentAggregate {
    /// The smallest non-empty `agent_name` seen, so the choice does not depend on order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub tickets: u64,
    /// Tickets the agent wrote at least one message in (owned or transferred in).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub participated: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub messages: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub words: u64,
    #[serde(default, skip_serializing_if = "all_zero")]
    pub hits: [u64; CATEGORIES],
    /// Tickets in which this agent had at least one hit of the category.
    #[serde(default, skip_serializing_if = "all_zero")]
    pub tickets_with: [u64; CATEGORIES],
    #[serde(default, skip_serializing_if = "is_zero")]
    pub complaints: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub complaints_with_empathy: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub customer_negative_tickets: u64,
    /// Owned tickets with at least one customer complaint (`TicketScore::complaints`): 投诉率's
    /// numerator.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub complaint_tickets: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub escalations: u64,
    /// Handle times of the owned tickets that have one (the whole ticket to its owner, see
    /// docs/kpi.md), and their exact sum in seconds for the mean (AHT): the histogram's
    /// buckets give the median and p90, the sum keeps the mean exact above ten minutes.
    #[serde(default, skip_serializing_if = "Histogram::is_empty")]
    pub handle: Histogram,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub handle_secs_total: u64,
    #[serde(default, skip_serializing_if = "Histogram::is_empty")]
    pub first_response: Histogram,
    #[serde(default, skip_serializing_if = "Histogram::is_empty")]
    pub responses: Histogram,
    /// Owned tickets where no reply could be timed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub untimed_tickets: u64,
    /// CSAT counts for scores 1..=5.
    #[serde(default, skip_serializing_if = "all_zero")]
    pub csat: [u64; 5],
    #[serde(default, skip_serializing_if = "is_zero")]
    pub resolved: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub resolved_known: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub flagged: u64,
    #[serde(default, skip_serializing_if = "all_zero")]
    pub reasons: [u64; Reason::ALL.len()],
    /// Tickets flagged by each rule with a severity, indexed by `RuleId` (as long as the last
    /// rule that flagged one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rule_flags: Vec<u64>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sampled: u64,
    /// Sampled tickets by why they were sampled (`SampleReason as usize`), summing to
    /// `sampled`; and must-review tickets a risk-mode cap left out of the sample.
    #[serde(default, skip_serializing_if = "all_zero")]
    pub sampled_by: [u64; SampleReason::COUNT],
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sample_left_out: u64,
    /// Outcome counts per template rule (in rule order) over the sampled tickets; empty until
    /// a sampled ticket is counted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<[u64; 4]>,
    /// Sampled tickets with a compliance score (at least one check passed or failed), the sum
    /// of their scores (whole points, so merging stays exact) and how many a veto zeroed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub compliance_scored: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub compliance_points: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub compliance_vetoed: u64,
}

impl AgentAggregate {
    pub fn merge(&mut self, other: &AgentAggregate) {
        self.name = match (self.name.take(), &other.name) {
            (Some(a), Some(b)) => Some(a.min(b.clone())),
            (a, b) => a.or_else(|| b.clone()),
        };
        self.tickets += other.tickets;
        self.participated += other.participated;
        self.messages += other.messages;
        self.words += other.words;
        add_arrays(&mut self.hits, &other.hits);
        add_arrays(&mut self.tickets_with, &other.tickets_with);
        self.complaints += other.complaints;
        self.complaints_with_empathy += other.complaints_with_empathy;
        self.customer_negative_tickets += other.customer_negative_tickets;
        self.complaint_tickets += other.complaint_tickets;
        self.escalations += other.escalations;
        self.handle.merge(&other.handle);
        self.handle_secs_total += other.handle_secs_total;
        self.first_response.merge(&other.first_response);
        self.responses.merge(&other.responses);
        self.untimed_tickets += other.untimed_tickets;
        add_arrays(&mut self.csat, &other.csat);
        self.resolved += other.resolved;
        self.resolved_known += other.resolved_known;
        self.flagged += other.flagged;
        add_arrays(&mut self.reasons, &other.reasons);
        if self.rule_flags.len() < other.rule_flags.len() {
            self.rule_flags.resize(other.rule_flags.len(), 0);
        }
        for (a, b) in self.rule_flags.iter_mut().zip(&other.rule_flags) {
            *a += b;
        }
        self.sampled += other.sampled;
        if self.checks.len() < other.checks.len() {
            self.checks.resize(other.checks.len(), [0; 4]);
        }
        add_arrays(&mut self.sampled_by, &other.sampled_by);
        self.sample_left_out += other.sample_left_out;
        for (mine, theirs) in self.checks.iter_mut().zip(&other.checks) {
            add_arrays(mine, theirs);
        }
        self.compliance_scored += other.compliance_scored;
        self.compliance_points += other.compliance_points;
        self.compliance_vetoed += other.compliance_vetoed;
    }

    /// Counts a sampled ticket from its packed check outcomes and why it was sampled; its
    /// compliance score is computed here, from the outcomes alone, so the sampling record stays
    /// as small as it is.
    pub fn record_sampled(
        &mut self,
        outcomes: &[Outcome],
        reason: SampleReason,
        template: &Template,
    ) {
        self.sampled += 1;
        self.sampled_by[reason as usize] += 1;
        if self.checks.len() < outcomes.len() {
            self.checks.resize(outcomes.len(), [0; 4]);
        }
        for (counts, outcome) in self.checks.iter_mut().zip(outcomes) {
            counts[*outcome as usize] += 1;
        }
        if let Some(score) = template.ticket_compliance(outcomes) {
            self.compliance_scored += 1;
            self.compliance_points += u64::from(score.points);
            self.compliance_vetoed += u64::from(score.vetoed);
        }
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn all_zero<const N: usize>(counts: &[u64; N]) -> bool {
    counts.iter().all(|&n| n == 0)
}

fn add_arrays<const N: usize>(mine: &mut [u64; N], theirs: &[u64; N]) {
    for (a, b) in mine.iter_mut().zip(theirs) {
        *a += b;
    }
}

/// The data period: the first and the last message time (milliseconds since the Unix epoch)
/// of the audited tickets. Both are `None` when no message had a time (unknown, never a made-up
/// date). Merged by min and max, which are associative and commutative, so threads, batches
/// and shards agree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
}

impl Period {
    pub fn add(&mut self, ms: i64) {
        self.merge(&Period { first_ms: Some(ms), last_ms: Some(ms) });
    }

    pub fn merge(&mut self, other: &Period) {
        let pick = |a: Option<i64>, b: Option<i64>, f: fn(i64, i64) -> i64| match (a, b) {
            (Some(a), Some(b)) => Some(f(a, b)),
            (a, b) => a.or(b),
        };
        self.first_ms = pick(self.first_ms, other.first_ms, i64::min);
        self.last_ms = pick(self.last_ms, other.last_ms, i64::max);
    }
}

/// One lexicon entry's counts over the run.
#[derive(Debug, Clone, Serialize)]
pub struct EntryCount<'l> {
    pub category: crate::vocab::Category,
    pub entry: &'l str,
    pub hits: u64,
    pub tickets: u64,
}

/// Everything a run (or a shard of one) has counted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    pub agents: BTreeMap<String, AgentAggregate>,
    /// Counted hits per lexicon entry (by `EntryId`), for trainers.
    pub entry_hits: Vec<u64>,
    /// Tickets with at least one counted hit of the entry (by `EntryId`).
    #[serde(default)]
    pub entry_tickets: Vec<u64>,
    /// First and last message time over every audited ticket.
    #[serde(default)]
    pub period: Period,
}

impl Aggregate {
    pub fn with_entries(entries: usize) -> Aggregate {
        Aggregate {
            agents: BTreeMap::new(),
            entry_hits: vec![0; entries],
            entry_tickets: vec![0; entries],
            period: Period::default(),
        }
    }

    /// `flags` are the ticket's flag reasons (`Template::ticket_flags`): built-in, then rules.
    pub fn add_ticket(&mut self, ticket: &Ticket, score: &TicketScore, flags: &[FlagReason]) {
        ticket.messages.iter().filter_map(|m| m.ts_ms).for_each(|ms| self.period.add(ms));
        let mut owner = AgentAggregate {
            name: ticket.agent_name.clone(),
            tickets: 1,
            customer_negative_tickets: u64::from(score.customer_negative()),
            complaint_tickets: u64::from(!score.complaints.is_empty()),
            escalations: u64::from(score.escalated),
            handle_secs_total: score.handle_secs.map_or(0, u64::from),
            untimed_tickets: u64::from(!score.timed),
            resolved: u64::from(ticket.resolved == Some(true)),
            resolved_known: u64::from(ticket.resolved.is_some()),
            flagged: u64::from(!flags.is_empty()),
            ..AgentAggregate::default()
        };
        if let Some(csat) = ticket.csat {
            owner.csat[usize::from(csat - 1)] += 1;
        }
        if let Some(secs) = score.handle_secs {
            owner.handle.add(secs);
        }
        for &flag in flags {
            match flag {
                FlagReason::Builtin(reason) => owner.reasons[reason as usize] += 1,
                FlagReason::Rule(id) => {
                    if owner.rule_flags.len() <= id.index() {
                        owner.rule_flags.resize(id.index() + 1, 0);
                    }
                    owner.rule_flags[id.index()] += 1;
                }
            }
        }
        self.agent(&ticket.owner).merge(&owner);
        for part in &score.agents {
            let mut agent = AgentAggregate {
                participated: 1,
                messages: u64::from(part.messages),
                words: u64::from(part.words),
                complaints: u64::from(part.complaints),
                complaints_with_empathy: u64::from(part.complaints_with_empathy),
                ..AgentAggregate::default()
            };
            for (i, &count) in part.hits.iter().enumerate() {
                agent.hits[i] = u64::from(count);
                agent.tickets_with[i] = u64::from(count > 0);
            }
            part.response_secs.iter().for_each(|&s| agent.responses.add(s));
            if let Some(first) = part.first_response_secs {
                agent.first_response.add(first);
            }
            self.agent(&part.agent).merge(&agent);
        }
        let mut hit = Vec::new();
        for evidence in &score.evidence {
            if let crate::score::EvidenceKind::Hit { entry, category, effect, .. } = evidence.kind {
                let counted = !matches!(effect, crate::matcher::Effect::Excepted(_));
                if counted && !category.is_modifier() {
                    self.entry_hits[entry as usize] += 1;
                    hit.push(entry);
                }
            }
        }
        hit.sort_unstable();
        hit.dedup();
        for entry in hit {
            self.entry_tickets[entry as usize] += 1;
        }
    }

    pub fn agent(&mut self, id: &str) -> &mut AgentAggregate {
        if !self.agents.contains_key(id) {
            self.agents.insert(id.to_string(), AgentAggregate::default());
        }
        self.agents.get_mut(id).expect("just inserted")
    }

    /// The one place results meet: threads, batches and shards.
    pub fn merge(&mut self, other: Aggregate) {
        for (id, agent) in other.agents {
            match self.agents.get_mut(&id) {
                Some(mine) => mine.merge(&agent),
                None => {
                    self.agents.insert(id, agent);
                }
            }
        }
        for (mine, theirs) in [
            (&mut self.entry_hits, other.entry_hits),
            (&mut self.entry_tickets, other.entry_tickets),
        ] {
            if mine.len() < theirs.len() {
                mine.resize(theirs.len(), 0);
            }
            for (a, b) in mine.iter_mut().zip(&theirs) {
                *a += b;
            }
        }
        self.period.merge(&other.period);
    }

    /// Each lexicon entry that counts (no exception, no modifier), in lexicon order, with its
    /// counted hits and the tickets it hit: what trainers read in summary.json.
    pub fn entry_counts<'l>(&self, lexicon: &'l crate::lexicon::Lexicon) -> Vec<EntryCount<'l>> {
        lexicon
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.is_exception && !e.category.is_modifier())
            .map(|(id, e)| EntryCount {
                category: e.category,
                entry: &e.phrase,
                hits: self.entry_hits.get(id).copied().unwrap_or(0),
                tickets: self.entry_tickets.get(id).copied().unwrap_or(0),
            })
            .collect()
    }

    /// All agents merged: the team.
    pub fn team(&self) -> AgentAggregate {
        let mut team = AgentAggregate::default();
        for agent in self.agents.values() {
            team.merge(agent);
        }
        team.name = None;
        team
    }
}

/// Figures derived from the counts. `None` is "unknown" (nothing to measure), never zero.
/// Tables are keyed by the vocabulary (`m.categories[Category::Empathy]`); `summary.json` writes
/// their keys in alphabetical order, as it always has.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub tickets: u64,
    pub participated: u64,
    pub messages: u64,
    pub words: u64,
    /// Every category; the [`REPORTED`] ones are shown and serialized (a modifier never counts
    /// by itself, so its figures are always 0).
    #[serde(serialize_with = "reported_by_key")]
    pub categories: Map<Category, CategoryMetrics>,
    pub empathy_after_complaint: Option<f64>,
    pub complaints: u64,
    pub customer_negative_share: Option<f64>,
    /// 投诉率: owned tickets with at least one customer complaint ÷ owned tickets (`tickets`).
    pub complaint_tickets: u64,
    pub complaint_rate: Option<f64>,
    pub escalations: u64,
    pub escalation_share: Option<f64>,
    /// Owned tickets with a handle time (two or more timed messages), and over them the
    /// median, p90 and mean (AHT, 平均处理时长) in whole seconds; unknown when none.
    pub handle_timed_tickets: u64,
    pub handle_median_secs: Option<u32>,
    pub handle_p90_secs: Option<u32>,
    pub handle_mean_secs: Option<u32>,
    pub first_response_median_secs: Option<u32>,
    pub first_response_p90_secs: Option<u32>,
    /// First responses over the SLA; unknown when no first response could be timed.
    pub first_response_sla_breaches: Option<u64>,
    /// First responses that could be timed, and 首响达标率: those within the SLA (timed −
    /// breaches) ÷ timed.
    pub timed_first_responses: u64,
    pub first_response_sla_rate: Option<f64>,
    pub response_median_secs: Option<u32>,
    pub response_p90_secs: Option<u32>,
    /// Replies over the SLA; unknown when no reply could be timed.
    pub response_sla_breaches: Option<u64>,
    pub timed_responses: u64,
    pub csat_mean: Option<f64>,
    pub csat_count: u64,
    /// 满意率: tickets rated 4 or 5 ÷ rated tickets (`csat_count`).
    pub csat_satisfied: u64,
    pub satisfaction_rate: Option<f64>,
    /// 解决率: `resolved` true ÷ tickets with a `resolved` field (`resolved_known`).
    pub resolved: u64,
    pub resolved_known: u64,
    pub resolved_share: Option<f64>,
    pub flagged: u64,
    #[serde(serialize_with = "vocab::serialize_by_key")]
    pub flagged_by_reason: Map<Reason, u64>,
    /// Tickets flagged by each rule, indexed by `RuleId` (every rule of the template; 0 for a
    /// rule without severity); summary.json has it, by rule id, as `flagged_by_rule`.
    #[serde(skip)]
    pub flagged_by_rule: Vec<u64>,
    /// The same counts keyed by rule id, for the rules with a severity (the ones that can
    /// flag), in id order; left out of summary.json when the template has none.
    #[serde(rename = "flagged_by_rule", skip_serializing_if = "BTreeMap::is_empty")]
    pub flagged_by_rule_id: BTreeMap<String, u64>,
    pub sampled: u64,
    /// The sampled tickets by why they were sampled (docs/sampling.md); they sum to `sampled`.
    #[serde(serialize_with = "vocab::serialize_by_key")]
    pub sampled_by_reason: Map<SampleReason, u64>,
    /// Must-review tickets a risk-mode cap left out of the sample; null in plain mode, which
    /// has no must-review tickets.
    pub must_review_left_out: Option<u64>,
    /// Per template rule, in rule order; serialized by rule id in alphabetical order.
    #[serde(serialize_with = "by_rule_key")]
    pub compliance: Vec<CheckMetrics>,
    /// Σ weight × pass / Σ weight × (pass + fail), weights from the template.
    pub compliance_pass_rate: Option<f64>,
    /// Mean compliance score (0–100) of the sampled tickets that have one, and how many
    /// of them a veto check zeroed.
    pub compliance_score: Option<f64>,
    pub compliance_scored: u64,
    /// Unknown when no sampled ticket has a compliance score.
    pub compliance_vetoed: Option<u64>,
    /// The overall score's six components (0–100 each; null when nothing to measure).
    pub score_components: ScoreComponents,
    pub score: Option<f64>,
}

impl Metrics {
    /// Tickets flagged with this reason, a built-in one or a rule.
    pub fn flagged_by(&self, reason: FlagReason) -> u64 {
        match reason {
            FlagReason::Builtin(r) => self.flagged_by_reason[r],
            FlagReason::Rule(id) => self.flagged_by_rule.get(id.index()).copied().unwrap_or(0),
        }
    }
}

/// The parts of the overall score, each 0–100, `None` when there is nothing to measure.
pub type ScoreComponents = crate::template::Components<Option<f64>>;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryMetrics {
    pub hits: u64,
    pub per_100_words: Option<f64>,
    pub ticket_share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckMetrics {
    /// The rule's id and label, from the template (not serialized: the id is the key).
    #[serde(skip)]
    pub key: String,
    #[serde(skip)]
    pub label: String,
    pub pass: u64,
    pub fail: u64,
    pub not_applicable: u64,
    pub unknown: u64,
    /// pass / (pass + fail); unknown and n/a are left out.
    pub pass_rate: Option<f64>,
}

fn by_rule_key<S: serde::Serializer>(rules: &[CheckMetrics], s: S) -> Result<S::Ok, S::Error> {
    let mut sorted: Vec<&CheckMetrics> = rules.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    s.collect_map(sorted.into_iter().map(|m| (m.key.as_str(), m)))
}

fn reported_by_key<S: serde::Serializer>(
    categories: &Map<Category, CategoryMetrics>,
    s: S,
) -> Result<S::Ok, S::Error> {
    vocab::serialize_sorted(categories.iter().filter(|(c, _)| REPORTED.contains(c)), s)
}

/// The categories reported per agent, in the order pages and `agents.csv` list them
/// (modifiers are not reported).
pub const REPORTED: [Category; 9] = [
    Category::Empathy,
    Category::Filler,
    Category::Jargon,
    Category::Negative,
    Category::Positive,
    Category::Forbidden,
    Category::OffPlatform,
    Category::Greeting,
    Category::Closing,
];

impl AgentAggregate {
    pub fn metrics(&self, sla_secs: u32, template: &Template) -> Metrics {
        let categories = Map::from_fn(|c: Category| {
            let hits = self.hits[c.index()];
            CategoryMetrics {
                hits,
                per_100_words: ratio(hits * 100, self.words),
                ticket_share: ratio(self.tickets_with[c.index()], self.participated),
            }
        });
        let counts = |i: usize| self.checks.get(i).copied().unwrap_or_default();
        let compliance = template
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let [pass, fail, not_applicable, unknown] = counts(i);
                let pass_rate = ratio(pass, pass + fail);
                let (key, label) = (rule.id.clone(), rule.label.clone());
                CheckMetrics { key, label, pass, fail, not_applicable, unknown, pass_rate }
            })
            .collect();
        let (mut passed, mut judged) = (0.0, 0.0);
        for (i, rule) in template.rules.iter().enumerate() {
            let [pass, fail, ..] = counts(i);
            let weight = rule.weight;
            passed += weight * pass as f64;
            judged += weight * (pass + fail) as f64;
        }
        let csat_count: u64 = self.csat.iter().sum();
        let csat_sum: u64 = self.csat.iter().enumerate().map(|(i, &n)| (i as u64 + 1) * n).sum();
        let csat_satisfied = self.csat[3] + self.csat[4];
        let timed_first_responses = self.first_response.count();
        let first_response_sla_breaches =
            (timed_first_responses > 0).then(|| self.first_response.above(sla_secs));
        let handle_timed_tickets = self.handle.count();
        let mut metrics = Metrics {
            tickets: self.tickets,
            participated: self.participated,
            messages: self.messages,
            words: self.words,
            categories,
            empathy_after_complaint: ratio(self.complaints_with_empathy, self.complaints),
            complaints: self.complaints,
            customer_negative_share: ratio(self.customer_negative_tickets, self.tickets),
            complaint_tickets: self.complaint_tickets,
            complaint_rate: ratio(self.complaint_tickets, self.tickets),
            escalations: self.escalations,
            escalation_share: ratio(self.escalations, self.tickets),
            handle_timed_tickets,
            handle_median_secs: self.handle.quantile(0.5),
            handle_p90_secs: self.handle.quantile(0.9),
            handle_mean_secs: (handle_timed_tickets > 0)
                .then(|| mean_secs(self.handle_secs_total, handle_timed_tickets)),
            first_response_median_secs: self.first_response.quantile(0.5),
            first_response_p90_secs: self.first_response.quantile(0.9),
            first_response_sla_breaches,
            timed_first_responses,
            first_response_sla_rate: first_response_sla_breaches.and_then(|breaches| {
                ratio(timed_first_responses - breaches, timed_first_responses)
            }),
            response_median_secs: self.responses.quantile(0.5),
            response_p90_secs: self.responses.quantile(0.9),
            response_sla_breaches: (self.responses.count() > 0)
                .then(|| self.responses.above(sla_secs)),
            timed_responses: self.responses.count(),
            csat_mean: ratio(csat_sum, csat_count).map(|m| round(m, 2)),
            csat_count,
            csat_satisfied,
            satisfaction_rate: ratio(csat_satisfied, csat_count),
            resolved: self.resolved,
            resolved_known: self.resolved_known,
            resolved_share: ratio(self.resolved, self.resolved_known),
            flagged: self.flagged,
            flagged_by_reason: Map::from_fn(|r: Reason| self.reasons[r as usize]),
            flagged_by_rule: (0..template.rules.len())
                .map(|i| self.rule_flags.get(i).copied().unwrap_or(0))
                .collect(),
            flagged_by_rule_id: template
                .rules
                .iter()
                .enumerate()
                .filter(|(_, rule)| rule.severity.is_some())
                .map(|(i, rule)| (rule.id.clone(), self.rule_flags.get(i).copied().unwrap_or(0)))
                .collect(),
            sampled: self.sampled,
            sampled_by_reason: Map::from_fn(|r: SampleReason| self.sampled_by[r as usize]),
            must_review_left_out: matches!(template.sampling.mode, Mode::Risk(_))
                .then_some(self.sample_left_out),
            compliance,
            compliance_pass_rate: (judged > 0.0).then(|| round(passed / judged, 4)),
            compliance_score: (self.compliance_scored > 0)
                .then(|| round(self.compliance_points as f64 / self.compliance_scored as f64, 2)),
            compliance_scored: self.compliance_scored,
            compliance_vetoed: (self.compliance_scored > 0).then_some(self.compliance_vetoed),
            score_components: ScoreComponents::default(),
            score: None,
        };
        metrics.score_components = score_components(&metrics, template);
        metrics.score = overall_score(&metrics.score_components, template);
        metrics
    }
}

/// A share rounded to four decimals (so the bytes are stable), or unknown when the
/// denominator is zero.
fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| round(numerator as f64 / denominator as f64, 4))
}

/// A mean of whole seconds, rounded half up to a whole second (times are whole seconds
/// everywhere): exact integer arithmetic, so every merge order gives the same figure.
fn mean_secs(total: u64, count: u64) -> u32 {
    ((total * 2 + count) / (count * 2)).min(u64::from(u32::MAX)) as u32
}

fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// The six components of the overall score (see docs/scoring.md), every coefficient from the
/// template; a component with nothing to measure is `None`, never 0.
pub fn score_components(m: &Metrics, t: &Template) -> ScoreComponents {
    let rate = |c: Category| m.categories[c].per_100_words;
    let share = |c: Category| m.categories[c].ticket_share;
    let language = match (rate(Category::Filler), rate(Category::Jargon), rate(Category::Negative))
    {
        (Some(f), Some(j), Some(n)) => Some(
            (100.0 - t.language_filler * f - t.language_jargon * j - t.language_negative * n)
                .max(0.0),
        ),
        _ => None,
    };
    let conduct = match (share(Category::Forbidden), share(Category::OffPlatform)) {
        (Some(f), Some(o)) => {
            Some(100.0 * (1.0 - (t.conduct_forbidden * f + t.conduct_off_platform * o).min(1.0)))
        }
        _ => None,
    };
    let responsiveness = m
        .response_sla_breaches
        .map(|breaches| 100.0 * (1.0 - breaches as f64 / m.timed_responses as f64));
    let one_decimal = |v: Option<f64>| v.map(|v| round(v, 1));
    ScoreComponents {
        language: one_decimal(language),
        conduct: one_decimal(conduct),
        empathy: one_decimal(m.empathy_after_complaint.map(|e| 100.0 * e)),
        responsiveness: one_decimal(responsiveness),
        satisfaction: one_decimal(m.csat_mean.map(|c| (c - 1.0) / 4.0 * 100.0)),
        compliance: one_decimal(m.compliance_score),
    }
}

/// The overall score, 0–100: the weighted mean of the components that can be measured, the
/// weights from the template. A component with nothing to measure is left out and the others'
/// weights renormalized, so an agent is never rewarded or punished for missing data.
pub fn overall_score(components: &ScoreComponents, t: &Template) -> Option<f64> {
    let w = &t.overall;
    let weights =
        [w.language, w.conduct, w.empathy, w.responsiveness, w.satisfaction, w.compliance];
    let (sum, total) = components
        .values()
        .iter()
        .zip(weights)
        .filter_map(|(value, weight)| value.map(|v| (v * weight, weight)))
        .fold((0.0, 0.0), |(s, w), (v, wt)| (s + v, w + wt));
    (total > 0.0).then(|| round(sum / total, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(first: Option<i64>, last: Option<i64>) -> Period {
        Period { first_ms: first, last_ms: last }
    }

    #[test]
    fn the_period_merges_by_min_and_max_in_any_order_and_grouping() {
        let parts =
            [p(None, None), p(Some(50), Some(70)), p(Some(10), Some(20)), p(Some(60), Some(90))];
        let merged = |order: &[usize]| {
            let mut all = Period::default();
            order.iter().for_each(|&i| all.merge(&parts[i]));
            all
        };
        let want = p(Some(10), Some(90));
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1], [1, 3, 0, 2]] {
            assert_eq!(merged(&order), want, "{order:?}");
        }
        // (a ∪ b) ∪ c = a ∪ (b ∪ c)
        let (mut left, mut right) = (parts[1], parts[2]);
        left.merge(&parts[2]);
        left.merge(&parts[3]);
        right.merge(&parts[3]);
        let mut a = parts[1];
        a.merge(&right);
        assert_eq!(left, a);
        // Nothing timed stays unknown, never 0 or the epoch.
        assert_eq!(merged(&[0, 0]), Period::default());
    }

    /// One owned ticket with a handle time (`None`: fewer than two timed messages).
    fn owned(handle: Option<u32>) -> AgentAggregate {
        let mut a = AgentAggregate { tickets: 1, ..AgentAggregate::default() };
        if let Some(secs) = handle {
            a.handle.add(secs);
            a.handle_secs_total += u64::from(secs);
        }
        a
    }

    #[test]
    fn handle_time_merges_exactly_in_any_order() {
        // 40, 90, 130 s and one untimed ticket, split across partials every which way:
        // timed 3 of 4; median = the 2nd of 3 (⌈0.5·3⌉) = 90; p90 = the 3rd (⌈0.9·3⌉) = 130;
        // mean (40 + 90 + 130) / 3 = 86.67 → 87 (half up, whole seconds).
        let parts = [owned(Some(130)), owned(None), owned(Some(40)), owned(Some(90))];
        let t = Template::builtin();
        let merged = |order: &[usize]| {
            let mut all = AgentAggregate::default();
            order.iter().for_each(|&i| all.merge(&parts[i]));
            all.metrics(30, &t)
        };
        let want = merged(&[0, 1, 2, 3]);
        assert_eq!(want.handle_timed_tickets, 3);
        assert_eq!(
            (want.handle_median_secs, want.handle_p90_secs, want.handle_mean_secs),
            (Some(90), Some(130), Some(87))
        );
        for order in [[3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]] {
            assert_eq!(merged(&order), want, "{order:?}");
        }
        // (a + b) + c = a + (b + c)
        let (mut left, mut right) = (parts[0].clone(), parts[2].clone());
        left.merge(&parts[2]);
        left.merge(&parts[3]);
        right.merge(&parts[3]);
        let mut a = parts[0].clone();
        a.merge(&right);
        assert_eq!(left, a);
        // Nothing timed: unknown, never 0.
        let none = owned(None).metrics(30, &t);
        assert_eq!((none.handle_timed_tickets, none.handle_mean_secs), (0, None));
        assert_eq!((none.handle_median_secs, none.handle_p90_secs), (None, None));
    }

    #[test]
    fn mean_seconds_round_half_up() {
        assert_eq!(mean_secs(260, 3), 87); // 86.67
        assert_eq!(mean_secs(5, 2), 3); // 2.5 → 3
        assert_eq!(mean_secs(7, 4), 2); // 1.75 → 2
        assert_eq!(mean_secs(220, 2), 110);
        assert_eq!(mean_secs(0, 5), 0); // five known zero-second tickets
    }
}
