//! `flagged.jsonl`, `rejects.jsonl` and `tickets.jsonl`: one JSON object per line.
//!
//! **flagged.jsonl** — one line per flagged ticket, sorted by `ticket_id` (a machine file keeps
//! the one order that diffs, joins and shard merges rely on; agent pages order by severity):
//! `ticket_id`, `agent_id` (owner), `agent_name` (or null), `reasons` (reason codes, see
//! docs/scoring.md: the built-in ones, then the ids of the template rules with a severity the
//! ticket failed, docs/rules.md), `severity` (the ticket's: its most serious reason's level in the scoring
//! template's `[severity]`, one of `service` < `complaint` < `conduct` < `veto`),
//! `customer_negativity` (number ≥ 0), `csat` (1–5 or null), and
//! `evidence`: every hit in the ticket, each with `message` (0-based index), `role`,
//! `start`/`end` (character offsets, Unicode scalar values, into the message's original text),
//! `text` (the original characters, personal data masked), `category`, and for lexicon hits
//! `entry` (as written in the lexicon), `weight` and `effect` (`counted`, `negated`,
//! `double_negated`, `excepted`, `echoed`: an agent repeating the customer's own word, `asked`: an agent asking about the
//! customer's problem) with `exception` (the phrase that cancelled it); for personal
//! data `kind`; for a slow reply `seconds`; for a low CSAT `value`. `context` is up to 40
//! characters either side of the hit, masked. `disguised` is present, and `true`, only when
//! the original span holds characters normalization dropped before matching (zero-width and
//! other format characters, variation selectors, combining marks on Han: see
//! `normalize.rs`): the text was written to slip past the checks, and `text` still holds those
//! invisible characters. At most 200 items per ticket (those that stand for a reason on their
//! own first, as `TicketScore::evidence_shown` chose them); `evidence_omitted` counts the rest.
//! After them, the spots of each flagging rule (at most 5 each): `category` `rule`, `backs` the
//! rule id, `detail` the spot in the review queue's words, `start` = `end` = 0.
//!
//! Masking (unless `--no-mask`): personal data in `text` and `context` is masked from the spans
//! detection found (`pii::mask_original`) — customers' as well as agents' — keeping its shape
//! and its character count (`138****5678`, `１３８　****　５６７８`).
//!
//! **rejects.jsonl** — one line per rejected input line, in input order: `file`, `line`
//! (1-based, physical), `reason` (code), `detail` (one sentence), `rows` (input lines it
//! stands for: 1, or all of a table ticket's rows when the whole ticket is refused, e.g. a
//! duplicate id; `line` is then its first row), `raw` (the line's first 512 bytes; for a
//! refused table ticket, the start of the ticket as JSON). Unless `--no-mask`, personal data in
//! `raw` and `detail` is masked (`pii::mask_text`), and a number cut off at the end of `raw`
//! shows only its first three digits.
//!
//! **tickets.jsonl** (with `--per-ticket`) — one line per audited ticket, sorted by
//! `ticket_id`: `ticket_id`, `agent_id`, `customer_negativity`, `customer_negative`,
//! `escalated`, `flagged`, `reasons`, `hits` (counted hits by category), `complaint` (a
//! customer complaint in it: 投诉率's numerator), `handle_secs` (first to last timed message;
//! null with fewer than two times).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::check::{Compliance, Finding};
use crate::lexicon::Lexicon;
use crate::matcher::Effect;
use crate::parse::{Reject, Ticket};
use crate::pii;
use crate::score::{EvidenceKind, TicketScore};
use crate::template::Template;
use crate::vocab::{Category, FlagReason, Role, Severity};

/// One flagged.jsonl line. In memory a reason is a [`FlagReason`]; on the wire (`R = String`)
/// it is its key, the built-in reason's or the rule's id, which only the template knows:
/// [`FlaggedTicket::into_line`] spells it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FlaggedTicket<R = FlagReason> {
    pub ticket_id: String,
    pub agent_id: String,
    pub agent_name: Option<String>,
    pub reasons: Vec<R>,
    pub severity: Severity,
    pub customer_negativity: f64,
    pub csat: Option<u8>,
    pub evidence: Vec<EvidenceLine<R>>,
    /// Evidence items left out past [`MAX_EVIDENCE`].
    pub evidence_omitted: usize,
}

impl<R> FlaggedTicket<R> {
    /// The same ticket with each reason (and each item's `backs`) mapped by `f`.
    fn map<S>(self, f: impl Fn(R) -> S) -> FlaggedTicket<S> {
        FlaggedTicket {
            ticket_id: self.ticket_id,
            agent_id: self.agent_id,
            agent_name: self.agent_name,
            reasons: self.reasons.into_iter().map(&f).collect(),
            severity: self.severity,
            customer_negativity: self.customer_negativity,
            csat: self.csat,
            evidence: self.evidence.into_iter().map(|e| e.map(&f)).collect(),
            evidence_omitted: self.evidence_omitted,
        }
    }
}

impl FlaggedTicket {
    /// The flagged.jsonl line, reasons spelled by their keys. Takes the ticket: spelling the
    /// keys moves its fields rather than copying them.
    pub fn into_line(self, template: &Template) -> Vec<u8> {
        to_line(&self.map(|r| template.flag_key(r).to_string()))
    }

    /// The evidence a page lists, and how many items it leaves to the conversation: with the
    /// conversation on the page, the items behind a reason (all of them when none is: a ticket
    /// flagged only on figures); without, every item.
    pub fn evidence_listed(&self, with_conversation: bool) -> (Vec<&EvidenceLine>, usize) {
        let behind: Vec<&EvidenceLine> =
            self.evidence.iter().filter(|e| e.backs.is_some()).collect();
        if !with_conversation || behind.is_empty() {
            return (self.evidence.iter().collect(), 0);
        }
        let others = self.evidence.len() - behind.len();
        (behind, others)
    }

    /// The same ticket with at most `items` evidence items (those behind a reason code come
    /// first), the rest counted in `evidence_omitted`.
    pub fn brief(&self, items: usize) -> FlaggedTicket {
        let kept = self.evidence.len().min(items);
        FlaggedTicket {
            evidence: self.evidence[..kept].to_vec(),
            evidence_omitted: self.evidence_omitted + (self.evidence.len() - kept),
            ..self.clone()
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EvidenceLine<R = FlagReason> {
    pub message: u32,
    pub role: Role,
    /// The reason code this item is evidence for, when it backs one (the forbidden phrase of
    /// `forbidden_phrase`, a rule's spot for the rule's id); absent for a hit that flags
    /// nothing by itself (a greeting, 谢谢).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backs: Option<R>,
    pub start: u32,
    pub end: u32,
    pub category: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disguised: bool,
    /// A rule's spot (`category` `rule`), in the review queue's words: `消息#3「保证今天到」`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl<R> EvidenceLine<R> {
    /// An item with its place and category only; each kind of evidence fills in the rest.
    fn bare(
        message: u32,
        role: Role,
        backs: Option<R>,
        (start, end): (u32, u32),
        category: String,
    ) -> Self {
        EvidenceLine {
            message,
            role,
            backs,
            start,
            end,
            category,
            text: None,
            entry: None,
            weight: None,
            effect: None,
            exception: None,
            kind: None,
            seconds: None,
            value: None,
            context: None,
            disguised: false,
            detail: None,
        }
    }

    fn map<S>(self, f: impl Fn(R) -> S) -> EvidenceLine<S> {
        EvidenceLine {
            message: self.message,
            role: self.role,
            backs: self.backs.map(f),
            start: self.start,
            end: self.end,
            category: self.category,
            text: self.text,
            entry: self.entry,
            weight: self.weight,
            effect: self.effect,
            exception: self.exception,
            kind: self.kind,
            seconds: self.seconds,
            value: self.value,
            context: self.context,
            disguised: self.disguised,
            detail: self.detail,
        }
    }
}

const CONTEXT_CHARS: usize = 40;

/// At most this many evidence items per ticket: a pathological ticket (one message of
/// megabytes) must not make a report line of gigabytes. Evidence behind a reason code comes
/// first; `evidence_omitted` counts what was left out.
pub const MAX_EVIDENCE: usize = 200;

/// `shown` is each message's text as displayed (masked unless `--no-mask`, see
/// `engine::Audited`). Masking keeps character counts, so the evidence offsets hold in it.
/// `severity` is the ticket's, from the scoring template; `chosen` the indices of the evidence
/// to write, in evidence order (`TicketScore::evidence_shown`, at most [`MAX_EVIDENCE`]).
pub fn flagged_ticket(
    ticket: &Ticket,
    (score, compliance, flags): (&TicketScore, &Compliance, &[FlagReason]),
    severity: Severity,
    chosen: &[usize],
    shown: &[Cow<'_, str>],
    lexicon: &Lexicon,
) -> FlaggedTicket {
    // Each message's needed offsets are found in one pass over it.
    let mut texts: BTreeMap<u32, ShownText> = BTreeMap::new();
    for &i in chosen {
        let e = &score.evidence[i];
        if e.end > e.start {
            let offsets = texts.entry(e.message).or_default();
            let (start, end) = (e.start as usize, e.end as usize);
            offsets.wanted.extend([
                start.saturating_sub(CONTEXT_CHARS),
                start,
                end,
                end + CONTEXT_CHARS,
            ]);
        }
    }
    for (&message, text) in texts.iter_mut() {
        text.fill(shown.get(message as usize).map_or("", |t| t.as_ref()));
    }
    let evidence = chosen
        .iter()
        .map(|&i| {
            let e = &score.evidence[i];
            let mut line = EvidenceLine::bare(
                e.message,
                e.role,
                score.reason_behind(e).map(FlagReason::Builtin),
                (e.start, e.end),
                String::new(),
            );
            line.disguised = e.disguised;
            if let Some(text) = texts.get(&e.message).filter(|_| e.end > e.start) {
                let (start, end) = (e.start as usize, e.end as usize);
                line.text = Some(text.slice(start, end).to_string());
                line.context = Some(text.context(start, end));
            }
            match e.kind {
                EvidenceKind::Hit { entry, category, effect, weight_milli } => {
                    line.category = category.key().into();
                    line.entry = Some(lexicon.entry(entry).phrase.clone());
                    line.weight = Some(f64::from(weight_milli) / 1000.0);
                    line.effect = Some(effect_key(effect).into());
                    if let Effect::Excepted(by) = effect {
                        line.exception = Some(lexicon.entry(by).phrase.clone());
                    }
                }
                EvidenceKind::Pii(kind) => {
                    line.category = "pii".into();
                    line.kind = Some(kind.key().into());
                }
                EvidenceKind::SlowResponse { seconds } => {
                    line.category = "response_time".into();
                    line.seconds = Some(seconds);
                }
                EvidenceKind::LowCsat(value) => {
                    line.category = "csat".into();
                    line.value = Some(value);
                }
            }
            line
        })
        .collect::<Vec<EvidenceLine>>();
    let mut evidence = evidence;
    evidence.extend(rule_evidence(ticket, compliance, flags));
    FlaggedTicket {
        ticket_id: ticket.id.clone(),
        agent_id: ticket.owner.clone(),
        agent_name: ticket.agent_name.clone(),
        reasons: flags.to_vec(),
        severity,
        customer_negativity: score.customer_negativity(),
        csat: ticket.csat,
        evidence,
        evidence_omitted: score.evidence.len() - chosen.len(),
    }
}

/// The spots behind each rule that flags the ticket (`flags`' rules, in template order), each
/// an item with `category` `rule`, `backs` the rule, the spot in the review queue's words
/// (`detail`), and the phrase, personal data kind or seconds it names.
fn rule_evidence<'a>(
    ticket: &'a Ticket,
    compliance: &'a Compliance,
    flags: &'a [FlagReason],
) -> impl Iterator<Item = EvidenceLine> + 'a {
    flags
        .iter()
        .filter_map(|&f| match f {
            FlagReason::Rule(id) => Some(id),
            FlagReason::Builtin(_) => None,
        })
        .flat_map(move |id| {
            compliance.evidence[id.index()].iter().map(move |finding| {
                let message = finding.message();
                let role = ticket.messages.get(message as usize).map_or(Role::Agent, |m| m.role);
                let backs = Some(FlagReason::Rule(id));
                let mut line = EvidenceLine::bare(message, role, backs, (0, 0), "rule".into());
                line.detail = Some(crate::report::csv::spot(finding));
                match finding {
                    Finding::Entry { entry, text, disguised, .. } => {
                        line.entry = Some(entry.clone());
                        line.text = Some(text.clone());
                        line.disguised = *disguised;
                    }
                    Finding::Pii { kind, text, disguised, .. } => {
                        line.kind = Some(kind.key().into());
                        line.text = Some(text.clone());
                        line.disguised = *disguised;
                    }
                    Finding::Seconds { secs, .. } | Finding::Gap { secs, .. } => {
                        line.seconds = Some(*secs);
                    }
                    Finding::Said { text, .. } => line.text = Some(text.clone()),
                    _ => {}
                }
                line
            })
        })
}

/// A message's displayed text and the byte offsets of the character offsets evidence needs.
#[derive(Default)]
struct ShownText<'a> {
    text: &'a str,
    wanted: Vec<usize>,
    byte_of: BTreeMap<usize, usize>,
}

impl<'a> ShownText<'a> {
    fn fill(&mut self, text: &'a str) {
        self.wanted.sort_unstable();
        self.wanted.dedup();
        let mut wanted = self.wanted.iter().copied().peekable();
        for (chars, (byte, _)) in text.char_indices().enumerate() {
            while wanted.next_if(|&w| w == chars).is_some() {
                self.byte_of.insert(chars, byte);
            }
            if wanted.peek().is_none() {
                break;
            }
        }
        for past_the_end in wanted {
            self.byte_of.insert(past_the_end, text.len());
        }
        self.text = text;
    }

    fn byte(&self, chars: usize) -> usize {
        self.byte_of.get(&chars).copied().unwrap_or(self.text.len())
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        &self.text[self.byte(start)..self.byte(end)]
    }

    fn context(&self, start: usize, end: usize) -> String {
        let from = start.saturating_sub(CONTEXT_CHARS);
        let (from_byte, to_byte) = (self.byte(from), self.byte(end + CONTEXT_CHARS));
        let mut out = String::new();
        if from_byte > 0 {
            out.push('…');
        }
        out.push_str(&self.text[from_byte..to_byte]);
        if to_byte < self.text.len() {
            out.push('…');
        }
        out
    }
}

pub fn effect_key(effect: Effect) -> &'static str {
    match effect {
        Effect::Counted => "counted",
        Effect::Negated => "negated",
        Effect::DoubleNegated => "double_negated",
        Effect::Excepted(_) => "excepted",
        Effect::Echoed => "echoed",
        Effect::Asked => "asked",
    }
}

#[derive(Serialize)]
struct TicketLine<'a> {
    ticket_id: &'a str,
    agent_id: &'a str,
    customer_negativity: f64,
    customer_negative: bool,
    escalated: bool,
    flagged: bool,
    reasons: Vec<&'a str>,
    hits: BTreeMap<&'static str, u32>,
    complaint: bool,
    handle_secs: Option<u32>,
}

/// `flags` are the ticket's flag reasons (`Template::ticket_flags`).
pub fn ticket_line(
    ticket: &Ticket,
    score: &TicketScore,
    flags: &[FlagReason],
    template: &Template,
) -> Vec<u8> {
    let line = TicketLine {
        ticket_id: &ticket.id,
        agent_id: &ticket.owner,
        customer_negativity: score.customer_negativity(),
        customer_negative: score.customer_negative(),
        escalated: score.escalated,
        flagged: !flags.is_empty(),
        reasons: flags.iter().map(|&r| template.flag_key(r)).collect(),
        hits: Category::ALL
            .iter()
            .filter(|c| !c.is_modifier())
            .map(|c| (c.key(), score.hits[c.index()]))
            .collect(),
        complaint: !score.complaints.is_empty(),
        handle_secs: score.handle_secs,
    };
    to_line(&line)
}

#[derive(Serialize)]
struct RejectLine<'a> {
    file: &'a str,
    line: u64,
    reason: &'static str,
    detail: &'a str,
    rows: u64,
    raw: &'a str,
}

/// One `rejects.jsonl` line; `mask` (the default) masks personal data in `raw` and `detail`,
/// which echo input values.
pub fn reject_line(reject: &Reject, file: &str, mask: bool) -> Vec<u8> {
    reject_line_with(reject, file, mask, &shown_raw(&reject.raw, mask))
}

/// The start of a rejected line as `rejects.jsonl` shows it: masked unless `--no-mask`. A
/// duplicate copy keeps it in this form until the run knows it lost (so partial records never
/// hold personal data in clear); [`reject_line_shown`] writes it.
pub fn shown_raw(raw: &str, mask: bool) -> Cow<'_, str> {
    if mask {
        pii::mask_cut_text(raw)
    } else {
        Cow::Borrowed(raw)
    }
}

/// As [`reject_line`], for a reject whose `raw` is already [`shown_raw`].
pub fn reject_line_shown(reject: &Reject, file: &str, mask: bool) -> Vec<u8> {
    reject_line_with(reject, file, mask, &reject.raw)
}

fn reject_line_with(reject: &Reject, file: &str, mask: bool, raw: &str) -> Vec<u8> {
    let detail =
        if mask { pii::mask_text(&reject.detail) } else { Cow::Borrowed(reject.detail.as_str()) };
    to_line(&RejectLine {
        file,
        line: reject.line,
        reason: reject.code.key(),
        detail: &detail,
        rows: reject.rows,
        raw,
    })
}

pub fn to_line<T: Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(value).expect("report values serialize");
    bytes.push(b'\n');
    bytes
}
