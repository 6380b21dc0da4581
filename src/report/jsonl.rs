//! `flagged.jsonl`, `rejects.jsonl` and `tickets.jsonl`: one JSON object per line.
//!
//! **flagged.jsonl** — one line per flagged ticket, sorted by `ticket_id`:
//! `ticket_id`, `agent_id` (owner), `agent_name` (or null), `reasons` (reason codes, see
//! docs/scoring.md), `customer_negativity` (number ≥ 0), `csat` (1–5 or null), and
//! `evidence`: every hit in the ticket, each with `message` (0-based index), `role`,
//! `start`/`end` (character offsets, Unicode scalar values, into the message's original text),
//! `text` (the original characters, personal data masked), `category`, and for lexicon hits
//! `entry` (as written in the lexicon), `weight` and `effect` (`counted`, `negated`,
//! `double_negated`, `excepted`) with `exception` (the phrase that cancelled it); for personal
//! data `kind`; for a slow reply `seconds`; for a low CSAT `value`. `context` is up to 40
//! characters either side of the hit, masked.
//!
//! **rejects.jsonl** — one line per rejected input line, in input order: `file`, `line`
//! (1-based, physical), `reason` (code), `detail` (one sentence), `rows` (input lines it
//! stands for: 1, or all of a table ticket's rows when the whole ticket is refused, e.g. a
//! duplicate id; `line` is then its first row), `raw` (the line's first 512 bytes; for a
//! refused table ticket, the start of the ticket as JSON).
//!
//! **tickets.jsonl** (with `--per-ticket`) — one line per audited ticket, sorted by
//! `ticket_id`: `ticket_id`, `agent_id`, `customer_negativity`, `customer_negative`,
//! `escalated`, `flagged`, `reasons`, `hits` (counted hits by category).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::lexicon::{Category, Lexicon};
use crate::matcher::Effect;
use crate::parse::{Reject, Ticket};
use crate::pii;
use crate::score::{EvidenceKind, TicketScore};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FlaggedTicket {
    pub ticket_id: String,
    pub agent_id: String,
    pub agent_name: Option<String>,
    pub reasons: Vec<String>,
    pub customer_negativity: f64,
    pub csat: Option<u8>,
    pub evidence: Vec<EvidenceLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EvidenceLine {
    pub message: u32,
    pub role: String,
    pub start: u32,
    pub end: u32,
    pub category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

const CONTEXT_CHARS: usize = 40;

pub fn flagged_ticket(
    ticket: &Ticket,
    score: &TicketScore,
    lexicon: &Lexicon,
    mask: bool,
) -> FlaggedTicket {
    let evidence = score
        .evidence
        .iter()
        .map(|e| {
            let original = ticket.messages.get(e.message as usize).map_or("", |m| m.text.as_str());
            // Masking keeps character counts, so the evidence offsets hold in the masked text.
            let shown = if mask { pii::mask(original) } else { original.to_string() };
            let mut line = EvidenceLine {
                message: e.message,
                role: e.role.key().into(),
                start: e.start,
                end: e.end,
                category: String::new(),
                text: None,
                entry: None,
                weight: None,
                effect: None,
                exception: None,
                kind: None,
                seconds: None,
                value: None,
                context: None,
            };
            if e.end > e.start {
                line.text = Some(char_slice(&shown, e.start as usize, e.end as usize));
                line.context = Some(context(&shown, e.start as usize, e.end as usize));
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
        .collect();
    FlaggedTicket {
        ticket_id: ticket.id.clone(),
        agent_id: ticket.owner.clone(),
        agent_name: ticket.agent_name.clone(),
        reasons: score.reasons.iter().map(|r| r.key().to_string()).collect(),
        customer_negativity: score.customer_negativity(),
        csat: ticket.csat,
        evidence,
    }
}

pub fn effect_key(effect: Effect) -> &'static str {
    match effect {
        Effect::Counted => "counted",
        Effect::Negated => "negated",
        Effect::DoubleNegated => "double_negated",
        Effect::Excepted(_) => "excepted",
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
    reasons: Vec<&'static str>,
    hits: BTreeMap<&'static str, u32>,
}

pub fn ticket_line(ticket: &Ticket, score: &TicketScore) -> Vec<u8> {
    let line = TicketLine {
        ticket_id: &ticket.id,
        agent_id: &ticket.owner,
        customer_negativity: score.customer_negativity(),
        customer_negative: score.customer_negative(),
        escalated: score.escalated,
        flagged: !score.reasons.is_empty(),
        reasons: score.reasons.iter().map(|r| r.key()).collect(),
        hits: Category::ALL
            .iter()
            .filter(|c| !c.is_modifier())
            .map(|c| (c.key(), score.hits[c.index()]))
            .collect(),
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

pub fn reject_line(reject: &Reject, file: &str) -> Vec<u8> {
    to_line(&RejectLine {
        file,
        line: reject.line,
        reason: reject.code.key(),
        detail: &reject.detail,
        rows: reject.rows,
        raw: &reject.raw,
    })
}

pub fn to_line<T: Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(value).expect("report values serialize");
    bytes.push(b'\n');
    bytes
}

fn char_slice(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

fn context(text: &str, start: usize, end: usize) -> String {
    let from = start.saturating_sub(CONTEXT_CHARS);
    let total = text.chars().count();
    let to = (end + CONTEXT_CHARS).min(total);
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(&char_slice(text, from, to));
    if to < total {
        out.push('…');
    }
    out
}
