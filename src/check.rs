//! Stage 8 — compliance checks (DESIGN §4). Takes a scored ticket, yields pass / fail / not
//! applicable / unknown for each check, with the evidence a reviewer needs to find the spot
//! (message, matched entry and original text as displayed, PII kind, seconds, whether the text
//! was disguised with invisible characters). Checks run on every
//! ticket (they are cheap next to tokenizing) so the sample can be chosen at the end without a
//! second pass; only the sampled tickets' results are reported. The checks and outcomes are
//! `vocab`'s words; what a ticket's outcomes score is the template's (`Template::ticket_compliance`).

use std::borrow::Cow;

use crate::lexicon::Category;
use crate::matcher::Effect;
use crate::parse::{Role, Ticket};
use crate::score::{Evidence, EvidenceKind, TicketScore};
use crate::vocab::PiiKind;
pub use crate::vocab::{CheckId, Outcome};

/// How a check's outcome packs into the sampling record's two bits.
impl Outcome {
    fn code(self) -> u16 {
        self as u16
    }

    fn from_code(code: u16) -> Outcome {
        Outcome::ALL[usize::from(code & 3)]
    }
}

/// One spot a reviewer is pointed at. Message indexes count from 0 here (as in
/// flagged.jsonl); the review queue shows them counting from 1.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// A counted lexicon hit: the entry, and the original text it matched as displayed (which
    /// differs from the entry for traditional, full-width or disguised writing).
    Entry { message: u32, entry: String, text: String, disguised: bool },
    /// Personal data an agent typed, as displayed (masked unless `--no-mask`).
    Pii { message: u32, kind: PiiKind, text: String, disguised: bool },
    /// The first reply to the customer and how long it took.
    Seconds { message: u32, secs: u32 },
    /// The first reply, which could not be timed (a timestamp is missing).
    Untimed { message: u32 },
    /// The (at most two) agent messages searched, where nothing was found.
    Searched { first: u32, last: u32 },
}

/// How many spots of evidence a check keeps for the reviewer; `found` counts them all.
pub const SPOTS_KEPT: usize = 5;

/// Everything behind one ticket's results; it lives only while the ticket's text does.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Compliance {
    pub outcomes: [Outcome; CheckId::COUNT],
    /// Per check, the first [`SPOTS_KEPT`] spots that decided it, in message order.
    pub evidence: [Vec<Finding>; CheckId::COUNT],
    /// Per check, how many spots decided it (all the forbidden hits, not just those kept).
    pub found: [usize; CheckId::COUNT],
}

impl Compliance {
    pub fn outcome(&self, check: CheckId) -> Outcome {
        self.outcomes[check as usize]
    }

    /// Two bits a check: what the sampling record keeps.
    pub fn pack(&self) -> u16 {
        self.outcomes.iter().enumerate().fold(0, |acc, (i, o)| acc | (o.code() << (2 * i)))
    }

    pub fn unpack(packed: u16) -> [Outcome; CheckId::COUNT] {
        std::array::from_fn(|i| Outcome::from_code(packed >> (2 * i)))
    }
}

/// `shown` is each message's text as reports display it (`pii::mask_original`, or the original
/// with `--no-mask`); findings quote it.
pub fn check_ticket(
    ticket: &Ticket,
    score: &TicketScore,
    shown: &[Cow<'_, str>],
    sla_secs: u32,
    entry_phrase: impl Fn(u32) -> String,
) -> Compliance {
    let mut c = Compliance::default();
    let agent_turns: Vec<u32> = (0..ticket.messages.len() as u32)
        .filter(|&i| ticket.messages[i as usize].role == Role::Agent)
        .collect();
    // Only kept spots need their text (as displayed), so slicing by characters stays cheap even
    // for a message with a hundred thousand hits.
    let displayed = |e: &Evidence| -> String {
        let text = &shown[e.message as usize];
        text.chars().skip(e.start as usize).take((e.end - e.start) as usize).collect()
    };
    // Counted hits of a category on agent turns, in message order. Negation applies only to
    // sentiment and empathy, so for these categories "not excepted" is "counted".
    let counted = |category: Category| {
        score.evidence.iter().filter(move |e| {
            e.role == Role::Agent
                && matches!(e.kind, EvidenceKind::Hit { category: c, effect, .. }
                if c == category
                    && !matches!(
                        effect,
                        Effect::Excepted(_) | Effect::Negated | Effect::Echoed | Effect::Asked
                    ))
        })
    };
    let finding = |e: &Evidence| match e.kind {
        EvidenceKind::Hit { entry, .. } => Finding::Entry {
            message: e.message,
            entry: entry_phrase(entry),
            text: displayed(e),
            disguised: e.disguised,
        },
        EvidenceKind::Pii(kind) => {
            Finding::Pii { message: e.message, kind, text: displayed(e), disguised: e.disguised }
        }
        _ => unreachable!("only hits and personal data are findings"),
    };
    let hits_of = |category: Category| -> (Vec<Finding>, usize) {
        let kept = counted(category).take(SPOTS_KEPT).map(finding).collect();
        (kept, counted(category).count())
    };
    let mut set = |check: CheckId, outcome: Outcome, findings: Vec<Finding>, found: usize| {
        c.outcomes[check as usize] = outcome;
        c.evidence[check as usize] = findings;
        c.found[check as usize] = found;
    };

    if !agent_turns.is_empty() {
        let opening = &agent_turns[..agent_turns.len().min(2)];
        let closing = &agent_turns[agent_turns.len().saturating_sub(2)..];
        for (check, turns, category) in [
            (CheckId::Greeting, opening, Category::Greeting),
            (CheckId::Closing, closing, Category::Closing),
        ] {
            match counted(category).find(|e| turns.contains(&e.message)) {
                Some(e) => set(check, Outcome::Pass, vec![finding(e)], 1),
                None => {
                    let searched =
                        Finding::Searched { first: turns[0], last: turns[turns.len() - 1] };
                    set(check, Outcome::Fail, vec![searched], 1);
                }
            }
        }
        for (check, category) in [
            (CheckId::NoForbidden, Category::Forbidden),
            (CheckId::NoOffPlatform, Category::OffPlatform),
        ] {
            match hits_of(category) {
                (_, 0) => set(check, Outcome::Pass, Vec::new(), 0),
                (hits, found) => set(check, Outcome::Fail, hits, found),
            }
        }
        let pii = || score.evidence.iter().filter(|e| matches!(e.kind, EvidenceKind::Pii(_)));
        match pii().count() {
            0 => set(CheckId::NoPii, Outcome::Pass, Vec::new(), 0),
            found => set(
                CheckId::NoPii,
                Outcome::Fail,
                pii().take(SPOTS_KEPT).map(finding).collect(),
                found,
            ),
        }
    }

    // The first response is timed by `score` (the first agent message after the first customer
    // message); only one agent in the ticket can hold it.
    let first_reply = score.agents.iter().find_map(|a| a.first_response_secs);
    match (first_reply_index(ticket), first_reply) {
        (None, _) => {}
        (Some(i), Some(secs)) => {
            let outcome = if secs <= sla_secs { Outcome::Pass } else { Outcome::Fail };
            set(CheckId::FirstResponseSla, outcome, vec![Finding::Seconds { message: i, secs }], 1);
        }
        (Some(i), None) => set(
            CheckId::FirstResponseSla,
            Outcome::Unknown,
            vec![Finding::Untimed { message: i }],
            1,
        ),
    }
    c
}

/// The first agent message that answers a customer message, if any.
fn first_reply_index(ticket: &Ticket) -> Option<u32> {
    let first_customer = ticket.messages.iter().position(|m| m.role == Role::Customer)?;
    (first_customer..ticket.messages.len())
        .find(|&i| ticket.messages[i].role == Role::Agent)
        .map(|i| i as u32)
}
