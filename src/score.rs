//! Stage 6 — scoring. Takes a parsed ticket and its analyzed messages (normalized, tokenized,
//! matched), yields a [`TicketScore`]: per-agent counts, customer sentiment, response times,
//! the reasons the ticket is flagged and the evidence behind every hit. Pure: no I/O, no shared
//! state. Role rules: empathy, filler, jargon, forbidden, off-platform, greeting and closing
//! count on agent turns; sentiment counts on both sides, kept apart; bot and system turns are
//! context only. The reasons and severities are `vocab`'s words; which evidence backs which
//! reason ([`TicketScore::reason_behind`]) and which a cut keeps ([`TicketScore::evidence_shown`])
//! is decided here, never in `report/`.

use crate::lexicon::Category;
use crate::matcher::{self, Effect, Hit};
use crate::normalize::NormText;
use crate::parse::{Role, Ticket};
use crate::pii::PiiSpan;
use crate::vocab::PiiKind;
pub use crate::vocab::{FlagReason, Reason, ReasonSet, Severity};

mod cues;

pub const CATEGORIES: usize = Category::COUNT;

/// A customer message is a complaint when its negative weight exceeds its positive weight by
/// at least one full entry: a mild word alone (我要退货, w=0.5) is not a complaint.
pub const COMPLAINT_MIN_MILLI: u64 = 1000;

/// A customer message with this negative and positive weight (thousandths) is a complaint.
pub fn is_complaint(negative_milli: u64, positive_milli: u64) -> bool {
    negative_milli >= positive_milli + COMPLAINT_MIN_MILLI
}

/// One message after stages 3–5.
#[derive(Debug, Default)]
pub struct AnalyzedMessage {
    pub norm: Option<NormText>,
    pub words: u32,
    pub hits: Vec<Hit>,
    /// Personal data, agent and customer turns alike (only the agent's counts as evidence;
    /// everyone's is masked in reports).
    pub pii: Vec<PiiSpan>,
}

impl Severity {
    /// Tickets at this severity or above are on their agent's page, however many there are.
    pub const NEVER_OMITTED: Severity = Severity::Conduct;
}

/// What one agent did in one ticket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentTicket {
    pub agent: String,
    pub messages: u32,
    pub words: u32,
    /// Counted hits by the category they count as (a negated positive counts as negative).
    pub hits: [u32; CATEGORIES],
    /// Customer complaints this agent answered next, and how many of them with empathy.
    pub complaints: u32,
    pub complaints_with_empathy: u32,
    /// Seconds from a waiting customer message to this agent's reply.
    pub response_secs: Vec<u32>,
    pub first_response_secs: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EvidenceKind {
    Hit { entry: u32, category: Category, effect: Effect, weight_milli: u32 },
    Pii(PiiKind),
    SlowResponse { seconds: u32 },
    LowCsat(u8),
}

/// One piece of evidence: where in which message, and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub message: u32,
    pub role: Role,
    /// Character (Unicode scalar) offsets into the message's original text.
    pub start: u32,
    pub end: u32,
    pub kind: EvidenceKind,
    /// The original text here holds characters normalization dropped (zero-width, format or
    /// stray combining characters): it was written to slip past the checks.
    pub disguised: bool,
}

impl Evidence {
    /// Evidence that is kept when a ticket's evidence is cut: a forbidden or off-platform hit
    /// (whatever a rule did to it), personal data, the slow first response, the low CSAT — each
    /// the whole story of a reason. Wider and narrower than [`TicketScore::reason_behind`] on
    /// purpose: a customer's negative words back a complaint reason by the hundred (差，差，…),
    /// and a cut must still keep the agent's one forbidden phrase.
    pub fn stands_out(&self) -> bool {
        match self.kind {
            EvidenceKind::Hit { category, .. } => {
                matches!(category, Category::Forbidden | Category::OffPlatform)
            }
            _ => true,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketScore {
    /// Every agent who wrote in the ticket, sorted by id.
    pub agents: Vec<AgentTicket>,
    /// Customer-side sentiment after negation, in thousandths of an entry weight (negative
    /// includes the implicit complaint cues).
    pub customer_negative_milli: u64,
    pub customer_positive_milli: u64,
    /// Net customer sentiment, negative minus positive, the customer's last turn weighing
    /// twice the others (see [`net_negativity`]), in thousandths.
    pub customer_net_milli: i64,
    pub escalated: bool,
    /// The customer messages (indexes in the ticket) that are complaints: sentiment words and
    /// implicit cues together (see `cues`).
    pub complaints: Vec<u32>,
    /// Counted hits by category over the whole ticket (agent-side categories on agent turns,
    /// sentiment on both).
    pub hits: [u32; CATEGORIES],
    /// At least one agent reply could be timed.
    pub timed: bool,
    /// Handle time: seconds from the earliest to the latest message time of the ticket (any
    /// role); `None` (unknown, never 0) when fewer than two messages have a time. See
    /// [`handle_secs`].
    pub handle_secs: Option<u32>,
    pub reasons: Vec<Reason>,
    pub evidence: Vec<Evidence>,
    /// Every agent message that answered a waiting customer, in message order: the response
    /// times the metrics and the first-response check count.
    pub replies: Vec<Reply>,
}

/// An agent message that answered a waiting customer (the wait starts at the first unanswered
/// customer message).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reply {
    pub message: u32,
    /// Seconds waited; `None` when either end has no timestamp.
    pub secs: Option<u32>,
    /// The ticket's first response.
    pub first: bool,
}

impl TicketScore {
    /// Higher means angrier: the net negativity (negative − positive, the customer's last turn
    /// weighing twice the others); 0 when the customer ended up no more negative than positive.
    pub fn customer_negativity(&self) -> f64 {
        self.customer_net_milli.max(0) as f64 / 1000.0
    }

    /// The reason of this ticket that `e` (one of its evidence) backs, if any: a counted
    /// forbidden or off-platform hit on an agent turn, the agent's personal data, a customer's
    /// negative hit when the customer escalated or a complaint went without empathy, the slow
    /// first response, the low CSAT.
    pub fn reason_behind(&self, e: &Evidence) -> Option<Reason> {
        let has = |r: Reason| self.reasons.contains(&r).then_some(r);
        match (e.kind, e.role) {
            (EvidenceKind::Hit { category, effect, .. }, role) => {
                match (matcher::counts_as(category, effect)?, role) {
                    (Category::Forbidden, Role::Agent) => has(Reason::ForbiddenPhrase),
                    (Category::OffPlatform, Role::Agent) => has(Reason::OffPlatform),
                    (Category::Negative, Role::Customer) => {
                        has(Reason::Escalation).or_else(|| has(Reason::ComplaintWithoutEmpathy))
                    }
                    _ => None,
                }
            }
            (EvidenceKind::Pii(_), _) => has(Reason::PiiExposed),
            (EvidenceKind::SlowResponse { .. }, _) => has(Reason::SlowFirstResponse),
            (EvidenceKind::LowCsat(_), _) => has(Reason::LowCsat),
        }
    }

    /// Indices of at most `max` evidence items, in evidence order, the [`Evidence::stands_out`]
    /// ones kept first: what flagged.jsonl lists when a ticket has more evidence than it shows.
    pub fn evidence_shown(&self, max: usize) -> Vec<usize> {
        let (mut first, rest): (Vec<usize>, Vec<usize>) =
            (0..self.evidence.len()).partition(|&i| self.evidence[i].stands_out());
        first.truncate(max);
        first.extend(rest.into_iter().take(max - first.len()));
        first.sort_unstable();
        first
    }

    /// The customer side is net negative (see [`net_negativity`]): a thanks at the end
    /// outweighs an equal complaint before it, politeness at the start does not.
    pub fn customer_negative(&self) -> bool {
        self.customer_net_milli > 0
    }
}

/// Which hits count on which side: a customer's word (`@side customer`: a defect, a feeling)
/// in an agent's turn restates the problem and is not the agent's wording.
fn hit_counts_on(role: Role, hit: &Hit) -> bool {
    counts_on(role, hit.category) && !(role == Role::Agent && hit.customer_only)
}

/// Which categories count on which side.
fn counts_on(role: Role, category: Category) -> bool {
    match role {
        Role::Agent => !category.is_modifier(),
        Role::Customer => matches!(category, Category::Positive | Category::Negative),
        Role::Bot | Role::System => false,
    }
}

/// Which of the agent's categories a customer's word excuses when the agent repeats it.
fn echoable(category: Category) -> bool {
    matches!(category, Category::Jargon | Category::Negative)
}

/// An agent's jargon or negative hit on an entry the customer used earlier in the ticket is
/// an echo, not the agent's own wording: restating the problem (您说的没收到) or the
/// customer's term (价保) is what a good agent does. So is asking about it: an agent's negative
/// hit in a question (您是没收到吗？) is `Asked`.
fn mark_echoes(ticket: &Ticket, analyzed: &mut [AnalyzedMessage]) {
    let mut said: Vec<u32> = Vec::new();
    for (message, analysis) in ticket.messages.iter().zip(analyzed.iter_mut()) {
        match message.role {
            Role::Customer => said.extend(
                analysis
                    .hits
                    .iter()
                    .filter(|h| echoable(h.category) && !matches!(h.effect, Effect::Excepted(_)))
                    .map(|h| h.entry),
            ),
            Role::Agent => {
                let text = analysis.norm.as_ref().map_or("", |n| n.text.as_str());
                for hit in analysis.hits.iter_mut().filter(|h| echoable(h.category)) {
                    if matches!(hit.effect, Effect::Excepted(_)) {
                        continue;
                    }
                    if said.contains(&hit.entry) {
                        hit.effect = Effect::Echoed;
                    } else if hit.category == Category::Negative && matcher::asks(text, hit.end) {
                        hit.effect = Effect::Asked;
                    }
                }
            }
            _ => {}
        }
    }
}

/// Scores one ticket. Marks the agent's echoes of the customer's words first (see
/// [`Effect::Echoed`]), so every count after sees them.
pub fn score_ticket(
    ticket: &Ticket,
    analyzed: &mut [AnalyzedMessage],
    sla_secs: u32,
) -> TicketScore {
    mark_echoes(ticket, analyzed);
    let analyzed = &*analyzed;
    let mut score = TicketScore::default();
    let mut agents: Vec<AgentTicket> = Vec::new();
    let mut customer_turns: Vec<i64> = Vec::new();
    let mut waiting: Option<Option<i64>> = None;
    let mut open_complaints: Vec<(usize, u8)> = Vec::new(); // (agent replies seen, answered)
    let mut first_reply_seen = false;
    let mut cues = cues::Cues::default();

    for (index, (message, analysis)) in ticket.messages.iter().zip(analyzed).enumerate() {
        let mut negative = 0u64;
        let mut positive = 0u64;
        let mut empathy = false;
        let mut cursor = CharCursor::default();
        for hit in &analysis.hits {
            if !hit_counts_on(message.role, hit) {
                continue;
            }
            score.evidence.push(hit_evidence(index, message.role, analysis, hit, &mut cursor));
            let Some(counted) = hit.counts_as() else { continue };
            score.hits[counted.index()] += 1;
            match counted {
                Category::Negative => negative += u64::from(hit.weight_milli),
                Category::Positive => positive += u64::from(hit.weight_milli),
                Category::Empathy => empathy = true,
                _ => {}
            }
        }
        match message.role {
            Role::Customer => {
                // Chat complaints are rarely sentiment words: the implicit cues (why-not-yet,
                // ??, asking again, pressing after a grievance) weigh like a negative hit.
                let text = analysis.norm.as_ref().map_or("", |n| n.text.as_str());
                let negative = negative + cues.weigh(text);
                let complaint = is_complaint(negative, positive);
                cues.complained(complaint);
                if complaint {
                    score.complaints.push(index as u32);
                }
                score.customer_negative_milli += negative;
                score.customer_positive_milli += positive;
                customer_turns.push(negative as i64 - positive as i64);
                if complaint {
                    open_complaints.push((0, 0));
                }
                // The wait starts at the first unanswered customer message; `Some(None)` is a
                // wait whose start has no timestamp, so the reply cannot be timed.
                if waiting.is_none() {
                    waiting = Some(message.ts_ms);
                }
            }
            Role::Agent => {
                let greets = analysis.hits.iter().any(|h| {
                    h.category == Category::Greeting && h.counts_as() == Some(Category::Greeting)
                });
                let refused = analysis.hits.iter().any(|h| {
                    hit_counts_on(Role::Agent, h) && h.counts_as() == Some(Category::Negative)
                });
                cues.agent_replied(greets, refused);
                let author = message.author.as_deref().unwrap_or(&ticket.owner);
                let agent = agent_entry(&mut agents, author);
                agent.messages += 1;
                agent.words += analysis.words;
                for hit in analysis.hits.iter().filter(|h| hit_counts_on(Role::Agent, h)) {
                    if let Some(counted) = hit.counts_as() {
                        agent.hits[counted.index()] += 1;
                    }
                }
                // Each open complaint waits for at most two agent replies; the first reply's
                // author answers for it.
                for complaint in open_complaints.iter_mut() {
                    if complaint.0 == 0 {
                        agent.complaints += 1;
                    }
                    complaint.0 += 1;
                    if empathy && complaint.1 == 0 {
                        complaint.1 = 1;
                        agent.complaints_with_empathy += 1;
                    }
                }
                open_complaints.retain(|c| c.0 < 2 && c.1 == 0);
                if let Some(since) = waiting.take() {
                    let gap = since.zip(message.ts_ms).filter(|(s, n)| n >= s);
                    let secs = gap.map(|(s, n)| ((n - s) / 1000).min(i64::from(u32::MAX)) as u32);
                    if let Some(secs) = secs {
                        agent.response_secs.push(secs);
                        score.timed = true;
                    }
                    score.replies.push(Reply {
                        message: index as u32,
                        secs,
                        first: !first_reply_seen,
                    });
                    if !first_reply_seen {
                        first_reply_seen = true;
                        agent.first_response_secs = secs;
                        if let Some(seconds) = secs.filter(|&s| s > sla_secs) {
                            score.reasons.push(Reason::SlowFirstResponse);
                            score.evidence.push(Evidence {
                                message: index as u32,
                                role: Role::Agent,
                                start: 0,
                                end: 0,
                                kind: EvidenceKind::SlowResponse { seconds },
                                disguised: false,
                            });
                        }
                    }
                }
                let mut pii_cursor = CharCursor::default();
                for span in &analysis.pii {
                    let (start, end, disguised) =
                        pii_cursor.original_span(analysis, span.start, span.end);
                    score.evidence.push(Evidence {
                        message: index as u32,
                        role: Role::Agent,
                        start,
                        end,
                        kind: EvidenceKind::Pii(span.kind),
                        disguised,
                    });
                }
            }
            Role::Bot | Role::System => {}
        }
    }

    let missed = ticket_reasons(&mut score, &agents, &customer_turns, ticket.csat);
    if missed {
        score.reasons.push(Reason::ComplaintWithoutEmpathy);
    }
    if let Some(csat) = ticket.csat.filter(|&c| c <= 2) {
        score.evidence.push(Evidence {
            message: 0,
            role: Role::Customer,
            start: 0,
            end: 0,
            kind: EvidenceKind::LowCsat(csat),
            disguised: false,
        });
    }
    score.reasons.sort();
    score.reasons.dedup();
    agents.sort_by(|a, b| a.agent.cmp(&b.agent));
    score.agents = agents;
    score.handle_secs = handle_secs(ticket);
    score
}

/// A ticket's handle time (处理时长): whole seconds (truncated, like response times) from its
/// first to its last message with a time, whatever their roles — taken as the earliest and the
/// latest time, so messages out of order never make it negative. `None` with fewer than two
/// timed messages: one time or none measures no span, and 0 would be a made-up figure.
pub fn handle_secs(ticket: &Ticket) -> Option<u32> {
    let mut times = ticket.messages.iter().filter_map(|m| m.ts_ms);
    let first = times.next()?;
    let (earliest, latest, timed) =
        times.fold((first, first, 1u32), |(lo, hi, n), t| (lo.min(t), hi.max(t), n + 1));
    (timed >= 2).then(|| ((latest - earliest) / 1000).min(i64::from(u32::MAX)) as u32)
}

/// Sets the hit-based reasons and escalation; returns whether a complaint went without empathy.
fn ticket_reasons(
    score: &mut TicketScore,
    agents: &[AgentTicket],
    customer_turns: &[i64],
    csat: Option<u8>,
) -> bool {
    let agent_hit = |c: Category| agents.iter().any(|a| a.hits[c.index()] > 0);
    if agent_hit(Category::Forbidden) {
        score.reasons.push(Reason::ForbiddenPhrase);
    }
    if agent_hit(Category::OffPlatform) {
        score.reasons.push(Reason::OffPlatform);
    }
    if score.evidence.iter().any(|e| matches!(e.kind, EvidenceKind::Pii(_))) {
        score.reasons.push(Reason::PiiExposed);
    }
    score.customer_net_milli = net_negativity(customer_turns);
    score.escalated = escalated(customer_turns);
    if score.escalated {
        score.reasons.push(Reason::Escalation);
    }
    if csat.is_some_and(|c| c <= 2) {
        score.reasons.push(Reason::LowCsat);
    }
    let complaints: u32 = agents.iter().map(|a| a.complaints).sum();
    let answered: u32 = agents.iter().map(|a| a.complaints_with_empathy).sum();
    complaints > answered
}

/// The ticket's net customer negativity from each customer turn's net sentiment (negative −
/// positive, thousandths, in order): a weighted sum in which the last turn weighs twice each
/// other turn and the k weights add up to k (so a one-turn ticket, or one whose turns are all
/// alike, keeps its plain sum). How a chat ends says more than how it began: a complaint
/// answered and closed with 好的谢谢 nets out, a thanks at the start does not cancel a
/// complaint at the end.
pub fn net_negativity(turns: &[i64]) -> i64 {
    let Some(&last) = turns.last() else { return 0 };
    let k = turns.len() as i64;
    (turns.iter().sum::<i64>() + last) * k / (k + 1)
}

/// A customer escalates when their last turns (up to two) are net negative and more negative,
/// in sum, than the same number of their first turns.
pub fn escalated(turns: &[i64]) -> bool {
    let n = (turns.len() / 2).min(2);
    if n == 0 {
        return false;
    }
    let first: i64 = turns[..n].iter().sum();
    let last: i64 = turns[turns.len() - n..].iter().sum();
    last > 0 && last > first
}

fn agent_entry<'a>(agents: &'a mut Vec<AgentTicket>, id: &str) -> &'a mut AgentTicket {
    let at = match agents.iter().position(|a| a.agent == id) {
        Some(at) => at,
        None => {
            agents.push(AgentTicket { agent: id.to_string(), ..AgentTicket::default() });
            agents.len() - 1
        }
    };
    &mut agents[at]
}

fn hit_evidence(
    index: usize,
    role: Role,
    analysis: &AnalyzedMessage,
    hit: &Hit,
    cursor: &mut CharCursor,
) -> Evidence {
    let (start, end, disguised) = cursor.original_span(analysis, hit.start, hit.end);
    Evidence {
        message: index as u32,
        role,
        start,
        end,
        kind: EvidenceKind::Hit {
            entry: hit.entry,
            category: hit.category,
            effect: hit.effect,
            weight_milli: hit.weight_milli,
        },
        disguised,
    }
}

/// Character offsets in a message's original text of a byte span of its normalized text, and
/// whether the original there was disguised (for evidence found after scoring, by `check`).
pub fn original_span(analysis: &AnalyzedMessage, start: usize, end: usize) -> (u32, u32, bool) {
    CharCursor::default().original_span(analysis, start, end)
}

/// Byte offsets into normalized text → character offsets, counted from the last position
/// asked for, so a message's hits (in start order) cost one pass over it, not one each.
#[derive(Default)]
struct CharCursor {
    byte: usize,
    chars: usize,
}

impl CharCursor {
    fn chars_at(&mut self, text: &str, byte: usize) -> usize {
        if byte < self.byte {
            *self = CharCursor::default();
        }
        self.chars += text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }

    /// Character offsets in the message's original text of a byte span of its normalized text,
    /// and whether the original there was disguised.
    fn original_span(
        &mut self,
        analysis: &AnalyzedMessage,
        start: usize,
        end: usize,
    ) -> (u32, u32, bool) {
        let Some(norm) = &analysis.norm else { return (0, 0, false) };
        let start_char = self.chars_at(&norm.text, start);
        let end_char = start_char + norm.text[start..end].chars().count();
        let (s, e) = norm.original_span(start_char, end_char);
        (s as u32, e as u32, norm.dropped_within(s, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_negativity_weighs_the_last_turns_twice() {
        let cases: &[(&[i64], i64)] = &[
            (&[], 0),
            // One turn, or turns all alike: the plain sum.
            (&[1500], 1500),
            (&[1000, 1000], 2000),
            // A complaint, then thanks at the end: nets out.
            (&[2000, -1000], 0),
            (&[0, 2000, -1500], -750),
            // Thanks first, then the complaint: still negative, more so than the plain sum.
            (&[-1500, 0, 2000], 1875),
            (&[1000, 0, 0, 0], 800),
        ];
        for (turns, want) in cases {
            assert_eq!(net_negativity(turns), *want, "{turns:?}");
        }
    }

    #[test]
    fn handle_time_spans_the_first_to_the_last_timed_message() {
        use crate::parse::{Message, UnreadTimes};
        let ticket = |times: &[Option<i64>]| Ticket {
            id: "T".into(),
            owner: "A".into(),
            agent_name: None,
            channel: None,
            messages: times
                .iter()
                .map(|&ts_ms| Message {
                    role: Role::Customer,
                    ts_ms,
                    text: String::new(),
                    author: None,
                })
                .collect(),
            csat: None,
            resolved: None,
            unread_times: UnreadTimes::default(),
        };
        // (name, message times in ms, handle seconds)
        type Case = (&'static str, &'static [Option<i64>], Option<u32>);
        let cases: &[Case] = &[
            ("no messages", &[], None),
            ("no times", &[None, None], None),
            ("one time is no span", &[Some(1_000), None], None),
            ("two times: 130 s", &[Some(0), Some(130_000)], Some(130)),
            ("untimed messages between are skipped", &[Some(0), None, Some(90_000)], Some(90)),
            // 09:00:00.000 → 09:01:29.999: 89.999 s truncates to 89, like response times.
            ("whole seconds, truncated", &[Some(0), Some(89_999)], Some(89)),
            // Out of order: earliest 0, latest 60 000 → 60 s, never negative.
            ("out of order", &[Some(30_000), Some(0), Some(60_000)], Some(60)),
            ("two equal times: a known 0", &[Some(5_000), Some(5_000)], Some(0)),
        ];
        for (name, times, want) in cases {
            assert_eq!(handle_secs(&ticket(times)), *want, "{name}");
        }
    }
}
