//! Stage 8 — compliance checks (DESIGN §4). Takes a scored ticket, yields pass / fail / not
//! applicable / unknown for each check, with the evidence a reviewer needs. Checks run on every
//! ticket (they are cheap next to tokenizing) so the sample can be chosen at the end without a
//! second pass; only the sampled tickets' results are reported.

use crate::lexicon::Category;
use crate::matcher::Hit;
use crate::parse::{Role, Ticket};
use crate::score::{AnalyzedMessage, EvidenceKind, TicketScore};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckId {
    /// The agent greets in their opening (first two agent messages).
    Greeting,
    /// The agent closes properly (last two agent messages).
    Closing,
    /// No 服务禁语 on agent turns.
    NoForbidden,
    /// First agent reply within the SLA; unknown without timestamps, never a pass.
    FirstResponseSla,
    /// No moving the customer off the platform.
    NoOffPlatform,
    /// No unmasked personal data typed by the agent.
    NoPii,
}

impl CheckId {
    pub const ALL: [CheckId; 6] = [
        CheckId::Greeting,
        CheckId::Closing,
        CheckId::NoForbidden,
        CheckId::FirstResponseSla,
        CheckId::NoOffPlatform,
        CheckId::NoPii,
    ];
    pub const COUNT: usize = CheckId::ALL.len();

    pub fn key(self) -> &'static str {
        match self {
            CheckId::Greeting => "greeting",
            CheckId::Closing => "closing",
            CheckId::NoForbidden => "no_forbidden",
            CheckId::FirstResponseSla => "first_response_sla",
            CheckId::NoOffPlatform => "no_off_platform",
            CheckId::NoPii => "no_pii",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Outcome {
    Pass,
    Fail,
    #[default]
    NotApplicable,
    /// The data needed is missing (no timestamps): neither pass nor fail.
    Unknown,
}

impl Outcome {
    pub const ALL: [Outcome; 4] =
        [Outcome::Pass, Outcome::Fail, Outcome::NotApplicable, Outcome::Unknown];

    pub fn key(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::NotApplicable => "n/a",
            Outcome::Unknown => "unknown",
        }
    }

    fn code(self) -> u16 {
        self as u16
    }

    fn from_code(code: u16) -> Outcome {
        Outcome::ALL[usize::from(code & 3)]
    }
}

/// What a reviewer is shown for one check: the message and the evidence text (from the
/// lexicon, or a measured figure), never more of the transcript than the hit itself.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckEvidence {
    pub message: Option<u32>,
    /// The matched lexicon entry, PII kind or measured seconds, for the reviewer.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Compliance {
    pub outcomes: [Outcome; CheckId::COUNT],
    pub evidence: [CheckEvidence; CheckId::COUNT],
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

pub fn check_ticket(
    ticket: &Ticket,
    analyzed: &[AnalyzedMessage],
    score: &TicketScore,
    sla_secs: u32,
    entry_phrase: impl Fn(u32) -> String,
) -> Compliance {
    let mut c = Compliance::default();
    let agent_turns: Vec<usize> =
        (0..ticket.messages.len()).filter(|&i| ticket.messages[i].role == Role::Agent).collect();
    let mut set = |check: CheckId, outcome: Outcome, message: Option<usize>, detail: String| {
        c.outcomes[check as usize] = outcome;
        c.evidence[check as usize] = CheckEvidence { message: message.map(|m| m as u32), detail };
    };
    let find_in = |turns: &[usize], category: Category| -> Option<(usize, &Hit)> {
        turns.iter().find_map(|&i| {
            analyzed[i].hits.iter().find(|h| h.counts_as() == Some(category)).map(|h| (i, h))
        })
    };

    if !agent_turns.is_empty() {
        let opening = &agent_turns[..agent_turns.len().min(2)];
        let closing = &agent_turns[agent_turns.len().saturating_sub(2)..];
        for (check, turns, category) in [
            (CheckId::Greeting, opening, Category::Greeting),
            (CheckId::Closing, closing, Category::Closing),
        ] {
            match find_in(turns, category) {
                Some((i, hit)) => set(check, Outcome::Pass, Some(i), entry_phrase(hit.entry)),
                None => set(check, Outcome::Fail, turns.first().copied(), String::new()),
            }
        }
        for (check, category) in [
            (CheckId::NoForbidden, Category::Forbidden),
            (CheckId::NoOffPlatform, Category::OffPlatform),
        ] {
            match find_in(&agent_turns, category) {
                Some((i, hit)) => set(check, Outcome::Fail, Some(i), entry_phrase(hit.entry)),
                None => set(check, Outcome::Pass, None, String::new()),
            }
        }
        let pii = score.evidence.iter().find_map(|e| match e.kind {
            EvidenceKind::Pii(kind) => Some((e.message, kind)),
            _ => None,
        });
        match pii {
            Some((m, kind)) => {
                set(CheckId::NoPii, Outcome::Fail, Some(m as usize), kind.key().into())
            }
            None => set(CheckId::NoPii, Outcome::Pass, None, String::new()),
        }
    }

    let first_reply = score.agents.iter().find_map(|a| a.first_response_secs);
    let answered_customer = first_reply_index(ticket);
    match (answered_customer, first_reply) {
        (None, _) => {}
        (Some(i), Some(secs)) => {
            let outcome = if secs <= sla_secs { Outcome::Pass } else { Outcome::Fail };
            set(CheckId::FirstResponseSla, outcome, Some(i), format!("{secs}"));
        }
        (Some(i), None) => set(CheckId::FirstResponseSla, Outcome::Unknown, Some(i), String::new()),
    }
    c
}

/// The first agent message that answers a customer message, if any.
fn first_reply_index(ticket: &Ticket) -> Option<usize> {
    let first_customer = ticket.messages.iter().position(|m| m.role == Role::Customer)?;
    (first_customer..ticket.messages.len()).find(|&i| ticket.messages[i].role == Role::Agent)
}
