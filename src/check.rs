//! Stage 8 — compliance rules (DESIGN §4, docs/rules.md). Takes a scored ticket and its analyzed
//! messages, yields pass / fail / not applicable / unknown for each of the template's rules
//! (`template::rules`), with the evidence a reviewer needs to find the spot (message, matched
//! entry or phrase and original text as displayed, PII kind, seconds, whether the text was
//! disguised with invisible characters, or where a required thing was searched for). Rules run
//! on every ticket (they are cheap next to tokenizing) so the sample can be chosen at the end
//! without a second pass; only the sampled tickets' results are reported, and a rule with a
//! `severity` flags every ticket it fails. What a ticket's outcomes score is the template's
//! (`Template::ticket_compliance`).

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::lexicon::Category;
use crate::matcher::{self, Effect};
use crate::parse::{Role, Ticket};
use crate::score::{self, AnalyzedMessage, Evidence, EvidenceKind, TicketScore};
use crate::template::rules::{
    Condition, Find, Limit, PhraseHit, Phrases, Rule, Scope, Who, MAX_RULES,
};
use crate::template::Template;
use crate::tokenize::Tokenizer;
use crate::vocab::PiiKind;
pub use crate::vocab::{Outcome, RuleId};

/// How a rule's outcome packs into the sampling record's two bits.
impl Outcome {
    fn code(self) -> u64 {
        self as u64
    }

    fn from_code(code: u64) -> Outcome {
        Outcome::ALL[(code & 3) as usize]
    }
}

/// One spot a reviewer is pointed at. Message indexes count from 0 here (as in
/// flagged.jsonl); the review queue shows them counting from 1.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// A counted lexicon hit or rule phrase: the entry (phrase as written), and the original
    /// text it matched as displayed (which differs from the entry for traditional, full-width
    /// or disguised writing).
    Entry { message: u32, entry: String, text: String, disguised: bool },
    /// Personal data, as displayed (masked unless `--no-mask`).
    Pii { message: u32, kind: PiiKind, text: String, disguised: bool },
    /// The first reply to the customer and how long it took.
    Seconds { message: u32, secs: u32 },
    /// The first reply, which could not be timed (a timestamp is missing).
    Untimed { message: u32 },
    /// The first and last message searched, where nothing was found; `missing` names what
    /// (a category's label key, or none for phrases).
    Searched { first: u32, last: u32, missing: Option<Category> },
    /// Nothing of the required role came after this message.
    NoReply { after: u32 },
    /// A customer message that waited `secs` for the agent's next message.
    Gap { message: u32, reply: u32, secs: u32 },
    /// The chat ends on this customer question, unanswered.
    Unanswered { message: u32 },
    /// A message repeated (a `repeat` rule): its text as displayed, cut short.
    Said { message: u32, text: String },
}

impl Finding {
    /// The message it points at (the first one searched, for a search).
    pub fn message(&self) -> u32 {
        match *self {
            Finding::Entry { message, .. }
            | Finding::Pii { message, .. }
            | Finding::Seconds { message, .. }
            | Finding::Untimed { message }
            | Finding::Gap { message, .. }
            | Finding::Unanswered { message }
            | Finding::Said { message, .. } => message,
            Finding::Searched { first, .. } => first,
            Finding::NoReply { after } => after,
        }
    }
}

/// How many spots of evidence a rule keeps for the reviewer; `found` counts them all.
pub const SPOTS_KEPT: usize = 5;
/// A repeated message is quoted up to this many characters.
const SAID_CHARS: usize = 30;

/// Everything behind one ticket's results; it lives only while the ticket's text does. Indexed
/// by `RuleId`, one entry per rule of the template.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Compliance {
    pub outcomes: Vec<Outcome>,
    /// Per rule, the first [`SPOTS_KEPT`] spots that decided it, in message order.
    pub evidence: Vec<Vec<Finding>>,
    /// Per rule, how many spots decided it (all the forbidden hits, not just those kept).
    pub found: Vec<usize>,
}

impl Compliance {
    fn new(rules: usize) -> Compliance {
        Compliance {
            outcomes: vec![Outcome::NotApplicable; rules],
            evidence: vec![Vec::new(); rules],
            found: vec![0; rules],
        }
    }

    pub fn outcome(&self, rule: RuleId) -> Outcome {
        self.outcomes[rule.index()]
    }

    /// Two bits a rule: what the sampling record keeps (at most [`MAX_RULES`] rules).
    pub fn pack(&self) -> u64 {
        debug_assert!(self.outcomes.len() <= MAX_RULES);
        self.outcomes.iter().enumerate().fold(0, |acc, (i, o)| acc | (o.code() << (2 * i)))
    }

    pub fn unpack(packed: u64, rules: usize) -> Vec<Outcome> {
        (0..rules).map(|i| Outcome::from_code(packed >> (2 * i))).collect()
    }
}

/// What one message of the ticket offers the rules.
struct Turn {
    role: Role,
    ts_ms: Option<i64>,
}

/// The ticket as the rules see it, with what each needs built once.
struct View<'a, F: Fn(u32) -> String> {
    score: &'a TicketScore,
    analyzed: &'a [AnalyzedMessage],
    shown: &'a [Cow<'a, str>],
    phrases: &'a Phrases,
    /// Each message's counted phrase hits (every list), found once for all the rules.
    phrase_hits: Vec<Vec<PhraseHit>>,
    tokenizer: &'a Tokenizer,
    entry_phrase: F,
    turns: Vec<Turn>,
    first_reply: Option<u32>,
}

/// One spot behind a hit, before its text is cut out (only kept spots need their text).
#[derive(Clone, Copy)]
enum Spot<'e> {
    Evidence(&'e Evidence),
    Pii { message: u32, kind: PiiKind, start: u32, end: u32, disguised: bool },
    Phrase { message: u32, list: u16, phrase: u32, start: u32, end: u32, disguised: bool },
}

impl Spot<'_> {
    fn message(&self) -> u32 {
        match self {
            Spot::Evidence(e) => e.message,
            Spot::Pii { message, .. } | Spot::Phrase { message, .. } => *message,
        }
    }

    fn start(&self) -> u32 {
        match self {
            Spot::Evidence(e) => e.start,
            Spot::Pii { start, .. } | Spot::Phrase { start, .. } => *start,
        }
    }
}

/// `shown` is each message's text as reports display it (`pii::mask_original`, or the original
/// with `--no-mask`); findings quote it.
pub fn check_ticket(
    ticket: &Ticket,
    score: &TicketScore,
    analyzed: &[AnalyzedMessage],
    shown: &[Cow<'_, str>],
    sla_secs: u32,
    (template, tokenizer): (&Template, &Tokenizer),
    entry_phrase: impl Fn(u32) -> String,
) -> Compliance {
    let turns: Vec<Turn> =
        ticket.messages.iter().map(|m| Turn { role: m.role, ts_ms: m.ts_ms }).collect();
    let phrase_hits = analyzed
        .iter()
        .map(|a| match &a.norm {
            Some(norm) if !template.phrases.is_empty() => {
                // The analysis dropped its tokens; boundaries are cut again, lazily, by the
                // same tokenizer (only for templates with phrases).
                let tokens = tokenizer.tokenize_lazily(&norm.text);
                template.phrases.find(&norm.text, &tokens, &a.hits)
            }
            _ => Vec::new(),
        })
        .collect();
    let view = View {
        phrase_hits,
        tokenizer,
        score,
        analyzed,
        shown,
        phrases: &template.phrases,
        entry_phrase,
        first_reply: first_reply_index(ticket),
        turns,
    };
    let mut c = Compliance::new(template.rules.len());
    for (i, rule) in template.rules.iter().enumerate() {
        let (outcome, evidence, found) = view.evaluate(rule, sla_secs);
        c.outcomes[i] = outcome;
        c.evidence[i] = evidence;
        c.found[i] = found;
    }
    c
}

type Result3 = (Outcome, Vec<Finding>, usize);

impl<'a, F: Fn(u32) -> String> View<'a, F> {
    fn evaluate(&self, rule: &Rule, sla_secs: u32) -> Result3 {
        match &rule.condition {
            Condition::Forbid { find, min_count } => self.forbid(find, *min_count),
            Condition::Require { find } => self.require(find),
            Condition::Follow { after, then, within } => self.follow(after, then, *within),
            Condition::Reply { max_secs } => {
                let limit = match max_secs {
                    Limit::Secs(s) => *s,
                    Limit::Sla => sla_secs,
                };
                self.reply(limit)
            }
            Condition::Silence { max_secs, at_end } => self.silence(*max_secs, *at_end),
            Condition::Repeat { who, similarity, min_count } => {
                self.repeat(*who, *similarity, *min_count)
            }
        }
    }

    /// The messages of `find`'s role in its scope, in order.
    fn scope(&self, who: Who, scope: Scope) -> Vec<u32> {
        let of_role =
            (0..self.turns.len() as u32).filter(|&i| who.includes(self.turns[i as usize].role));
        match scope {
            Scope::Any => of_role.collect(),
            Scope::First(n) => of_role.take(n as usize).collect(),
            Scope::Last(n) => {
                let all: Vec<u32> = of_role.collect();
                all[all.len().saturating_sub(n as usize)..].to_vec()
            }
            Scope::BeforeFirstReply => match self.first_reply {
                Some(reply) => of_role.filter(|&i| i < reply).collect(),
                None => of_role.collect(),
            },
            Scope::AfterFirstReply => match self.first_reply {
                Some(reply) => of_role.filter(|&i| i >= reply).collect(),
                None => Vec::new(),
            },
        }
    }

    /// Every counted spot of `find` in `messages`, in message order, then position.
    fn spots(&self, find: &Find, messages: &[u32]) -> Vec<Spot<'a>> {
        let says = &find.says;
        let mut spots: Vec<Spot<'a>> = Vec::new();
        let mut in_scope = vec![false; self.turns.len()];
        messages.iter().for_each(|&i| in_scope[i as usize] = true);
        if !says.categories.is_empty() || says.pii {
            // Counted hits, exactly as the pipeline counts them: negated, excepted, echoed,
            // asked and warning-framed hits do not count (whatever their category).
            for e in self.score.evidence.iter() {
                if !in_scope[e.message as usize] || !find.who.includes(e.role) {
                    continue;
                }
                let wanted = match e.kind {
                    EvidenceKind::Hit { category, effect, .. } => {
                        says.categories.contains(&category)
                            && !matches!(
                                effect,
                                Effect::Excepted(_)
                                    | Effect::Negated
                                    | Effect::Echoed
                                    | Effect::Asked
                            )
                    }
                    EvidenceKind::Pii(_) => says.pii,
                    _ => false,
                };
                if wanted {
                    spots.push(Spot::Evidence(e));
                }
            }
            // `score` keeps the agent's personal data as evidence; anyone else's is read here.
            if says.pii {
                for &i in messages.iter().filter(|&&i| self.turns[i as usize].role != Role::Agent) {
                    let analysis = &self.analyzed[i as usize];
                    for span in &analysis.pii {
                        let (start, end, disguised) =
                            score::original_span(analysis, span.start, span.end);
                        spots.push(Spot::Pii {
                            message: i,
                            kind: span.kind,
                            start,
                            end,
                            disguised,
                        });
                    }
                }
            }
        }
        if let Some(list) = says.list {
            for &i in messages {
                let analysis = &self.analyzed[i as usize];
                for hit in self.phrase_hits[i as usize].iter().filter(|h| h.list == list) {
                    let (start, end, disguised) =
                        score::original_span(analysis, hit.start, hit.end);
                    spots.push(Spot::Phrase {
                        message: i,
                        list,
                        phrase: hit.phrase,
                        start,
                        end,
                        disguised,
                    });
                }
            }
        }
        spots.sort_by_key(|s| (s.message(), s.start()));
        spots
    }

    fn displayed(&self, message: u32, start: u32, end: u32) -> String {
        let text = &self.shown[message as usize];
        text.chars().skip(start as usize).take((end - start) as usize).collect()
    }

    fn finding(&self, spot: &Spot) -> Finding {
        match *spot {
            Spot::Evidence(e) => match e.kind {
                EvidenceKind::Hit { entry, .. } => Finding::Entry {
                    message: e.message,
                    entry: (self.entry_phrase)(entry),
                    text: self.displayed(e.message, e.start, e.end),
                    disguised: e.disguised,
                },
                EvidenceKind::Pii(kind) => Finding::Pii {
                    message: e.message,
                    kind,
                    text: self.displayed(e.message, e.start, e.end),
                    disguised: e.disguised,
                },
                _ => unreachable!("only hits and personal data are spots"),
            },
            Spot::Pii { message, kind, start, end, disguised } => {
                Finding::Pii { message, kind, text: self.displayed(message, start, end), disguised }
            }
            Spot::Phrase { message, list, phrase, start, end, disguised } => Finding::Entry {
                message,
                entry: self.phrases.written(list, phrase).to_string(),
                text: self.displayed(message, start, end),
                disguised,
            },
        }
    }

    fn forbid(&self, find: &Find, min_count: u32) -> Result3 {
        let messages = self.scope(find.who, find.scope);
        if messages.is_empty() {
            return (Outcome::NotApplicable, Vec::new(), 0);
        }
        let spots = self.spots(find, &messages);
        if spots.len() < min_count as usize || spots.is_empty() {
            return (Outcome::Pass, Vec::new(), 0);
        }
        let kept = spots.iter().take(SPOTS_KEPT).map(|s| self.finding(s)).collect();
        (Outcome::Fail, kept, spots.len())
    }

    fn require(&self, find: &Find) -> Result3 {
        let messages = self.scope(find.who, find.scope);
        let (Some(&first), Some(&last)) = (messages.first(), messages.last()) else {
            return (Outcome::NotApplicable, Vec::new(), 0);
        };
        match self.spots(find, &messages).first() {
            Some(spot) => (Outcome::Pass, vec![self.finding(spot)], 1),
            None => {
                let missing = find.says.only_category();
                (Outcome::Fail, vec![Finding::Searched { first, last, missing }], 1)
            }
        }
    }

    /// Each message with a trigger must be followed by `then` within the next `within`
    /// messages of then's role. Evidence of a failure: the first unanswered trigger and where
    /// the answer was looked for; `found` counts the unanswered triggers.
    fn follow(&self, after: &Find, then: &Find, within: u32) -> Result3 {
        let messages = self.scope(after.who, after.scope);
        let triggers = self.spots(after, &messages);
        let mut seen = BTreeSet::new();
        let mut unanswered: Vec<(Spot, Finding)> = Vec::new();
        let mut answer: Option<Spot> = None;
        for trigger in &triggers {
            if !seen.insert(trigger.message()) {
                continue;
            }
            let next: Vec<u32> = (trigger.message() + 1..self.turns.len() as u32)
                .filter(|&i| then.who.includes(self.turns[i as usize].role))
                .take(within as usize)
                .collect();
            match self.spots(then, &next).first() {
                Some(spot) => {
                    answer.get_or_insert(*spot);
                }
                None => {
                    let searched = match (next.first(), next.last()) {
                        (Some(&first), Some(&last)) => {
                            Finding::Searched { first, last, missing: then.says.only_category() }
                        }
                        _ => Finding::NoReply { after: trigger.message() },
                    };
                    unanswered.push((*trigger, searched));
                }
            }
        }
        match (seen.is_empty(), unanswered.first()) {
            (true, _) => (Outcome::NotApplicable, Vec::new(), 0),
            (false, Some((trigger, searched))) => {
                (Outcome::Fail, vec![self.finding(trigger), searched.clone()], unanswered.len())
            }
            (false, None) => {
                let shown = answer.map(|a| vec![self.finding(&a)]).unwrap_or_default();
                (Outcome::Pass, shown, 1)
            }
        }
    }

    /// The first response is timed by `score` (the first agent message after the first
    /// customer message); only one agent in the ticket can hold it.
    fn reply(&self, limit: u32) -> Result3 {
        let first_reply = self.score.agents.iter().find_map(|a| a.first_response_secs);
        match (self.first_reply, first_reply) {
            (None, _) => (Outcome::NotApplicable, Vec::new(), 0),
            (Some(i), Some(secs)) => {
                let outcome = if secs <= limit { Outcome::Pass } else { Outcome::Fail };
                (outcome, vec![Finding::Seconds { message: i, secs }], 1)
            }
            (Some(i), None) => (Outcome::Unknown, vec![Finding::Untimed { message: i }], 1),
        }
    }

    /// Waits after the first reply (the first is `reply`'s): from the first customer message
    /// the agent has not answered to the agent's next message. Over `max_secs` fails; a wait
    /// that cannot be timed makes the rule unknown unless another fails. With `at_end`, a chat
    /// whose customer messages after the agent's last one hold a question fails too.
    fn silence(&self, max_secs: u32, at_end: bool) -> Result3 {
        if !self.turns.iter().any(|t| t.role == Role::Customer) {
            return (Outcome::NotApplicable, Vec::new(), 0);
        }
        let mut spots: Vec<Finding> = Vec::new();
        let mut untimed = false;
        let mut waiting: Option<u32> = None;
        for (i, turn) in self.turns.iter().enumerate() {
            let i = i as u32;
            match turn.role {
                Role::Customer => {
                    waiting.get_or_insert(i);
                }
                Role::Agent => {
                    let Some(since) = waiting.take() else { continue };
                    if self.first_reply.is_none_or(|first| i <= first) {
                        continue;
                    }
                    let start = self.turns[since as usize].ts_ms;
                    match start.zip(turn.ts_ms).filter(|(s, n)| n >= s) {
                        Some((s, n)) => {
                            let secs = ((n - s) / 1000).min(i64::from(u32::MAX)) as u32;
                            if secs > max_secs {
                                spots.push(Finding::Gap { message: since, reply: i, secs });
                            }
                        }
                        None => untimed = true,
                    }
                }
                Role::Bot | Role::System => {}
            }
        }
        if let (true, Some(since)) = (at_end, waiting) {
            let asked = (since..self.turns.len() as u32)
                .rev()
                .find(|&i| self.turns[i as usize].role == Role::Customer && self.asks(i));
            if let Some(message) = asked {
                spots.push(Finding::Unanswered { message });
            }
        }
        match (spots.len(), untimed) {
            (0, true) => (Outcome::Unknown, Vec::new(), 0),
            (0, false) => (Outcome::Pass, Vec::new(), 0),
            (found, _) => (Outcome::Fail, spots.into_iter().take(SPOTS_KEPT).collect(), found),
        }
    }

    /// A customer message asks something: one of its clauses is a question (ends in ?, or in
    /// 吗, or asks A-not-A: `matcher::asks`).
    fn asks(&self, message: u32) -> bool {
        let Some(norm) = &self.analyzed[message as usize].norm else { return false };
        let text = norm.text.as_str();
        let marks = ['。', '!', '?', ',', ';', '\n'];
        std::iter::once(0)
            .chain(text.match_indices(marks).map(|(at, m)| at + m.len()))
            .filter(|&at| at < text.len())
            .any(|at| matcher::asks(text, at))
    }

    /// The first message of `who` that at least `min_count − 1` others (of that role) repeat:
    /// the characters of their content tokens overlap (Jaccard) by at least `similarity`.
    /// Characters, not whole tokens: the tokenizer knows lexicon phrases, so the same words
    /// may be cut differently (什么|时候 beside 到底什么时候), while their characters agree.
    fn repeat(&self, who: Who, similarity: f64, min_count: u32) -> Result3 {
        let messages = self.scope(who, Scope::Any);
        if messages.is_empty() {
            return (Outcome::NotApplicable, Vec::new(), 0);
        }
        let sets: Vec<(u32, BTreeSet<char>)> = messages
            .iter()
            .filter_map(|&i| {
                let analysis = &self.analyzed[i as usize];
                let norm = analysis.norm.as_ref()?;
                let tokens = self.tokenizer.tokenize(&norm.text);
                let words: Vec<&str> = tokens.content_words(&norm.text).collect();
                let set = words.iter().flat_map(|w| w.chars()).collect();
                (words.len() >= MIN_CONTENT_TOKENS).then_some((i, set))
            })
            .collect();
        for (a, (message, set)) in sets.iter().enumerate() {
            let similar: Vec<u32> = sets
                .iter()
                .enumerate()
                .filter(|&(b, (_, other))| a == b || jaccard(set, other) >= similarity)
                .map(|(_, (m, _))| *m)
                .collect();
            if similar.len() >= min_count as usize && similar.first() == Some(message) {
                let kept = similar
                    .iter()
                    .take(SPOTS_KEPT)
                    .map(|&m| Finding::Said {
                        message: m,
                        text: self.shown[m as usize].chars().take(SAID_CHARS).collect(),
                    })
                    .collect();
                return (Outcome::Fail, kept, similar.len());
            }
        }
        (Outcome::Pass, Vec::new(), 0)
    }
}

/// A message needs this many content tokens to count as a repeat: 好的 and 谢谢 are not a
/// question asked again.
pub const MIN_CONTENT_TOKENS: usize = 2;

/// |a ∩ b| / |a ∪ b|.
fn jaccard(a: &BTreeSet<char>, b: &BTreeSet<char>) -> f64 {
    let shared = a.intersection(b).count();
    let all = a.len() + b.len() - shared;
    if all == 0 {
        0.0
    } else {
        shared as f64 / all as f64
    }
}

/// The first agent message that answers a customer message, if any.
fn first_reply_index(ticket: &Ticket) -> Option<u32> {
    let first_customer = ticket.messages.iter().position(|m| m.role == Role::Customer)?;
    (first_customer..ticket.messages.len())
        .find(|&i| ticket.messages[i].role == Role::Agent)
        .map(|i| i as u32)
}
