//! Synthetic ticket generator for benchmarks and scale tests (`zhijian synth`).
//! Owns the conversation shape and the phrase pools at the bottom of this file.
//! Output is deterministic: the same `SynthOptions` give byte-identical JSON Lines
//! on every platform. The text is invented and models no real shop, person or data set.

use std::io::{self, Write};

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

mod phrases;
use phrases::*;

/// What to generate. `agents` of 0 is treated as 1.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    pub tickets: u64,
    pub agents: u32,
    pub seed: u64,
    pub timestamps: bool,
}

/// Writes `opts.tickets` tickets, one JSON object per line, in the input contract.
pub fn write_tickets<W: Write>(opts: &SynthOptions, out: W) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let base = ChaCha8Rng::seed_from_u64(opts.seed);
    for n in 0..opts.tickets {
        // One ChaCha stream per ticket: ticket n never depends on the tickets
        // before it, so a short run is a prefix of a long one and the work can
        // later be split across threads without changing a byte.
        let mut rng = base.clone();
        rng.set_stream(n);
        let ticket = make_ticket(opts, n, Dice(rng));
        serde_json::to_writer(&mut out, &ticket)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

#[derive(Serialize)]
struct Ticket {
    ticket_id: String,
    agent_id: String,
    agent_name: String,
    channel: &'static str,
    messages: Vec<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    csat: Option<u8>,
    resolved: bool,
}

#[derive(Serialize)]
struct Message {
    role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<String>,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent_id: Option<String>,
}

/// Integer-only sampling on top of the raw ChaCha words. rand's own
/// distributions may change their algorithms between minor releases, and
/// float math through libm may differ across platforms; neither is used here.
struct Dice(ChaCha8Rng);

impl Dice {
    /// Uniform in `0..n` by multiply-shift (bias below 2^-32 * n, irrelevant here).
    fn below(&mut self, n: u32) -> u32 {
        ((u64::from(self.0.next_u32()) * u64::from(n)) >> 32) as u32
    }

    fn range(&mut self, lo: u32, hi_inclusive: u32) -> u32 {
        lo + self.below(hi_inclusive - lo + 1)
    }

    fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < per_mille
    }

    fn pick(&mut self, pool: &[&'static str]) -> &'static str {
        pool[self.below(pool.len() as u32) as usize]
    }
}

/// How an agent behaves; probabilities are per mille, per message.
struct Style {
    greet: u32,
    empathy: u32,
    close: u32,
    jargon: u32,
    filler: u32,
    forbidden: u32,
    diversion: u32,
    phone: u32,
    /// Multiplier on the first reply gap: slow agents make customers wait.
    first_reply_scale: u64,
    csat_base: i32,
}

const EXCELLENT: Style = Style {
    greet: 960,
    empathy: 900,
    close: 950,
    jargon: 20,
    filler: 20,
    forbidden: 0,
    diversion: 0,
    phone: 0,
    first_reply_scale: 1,
    csat_base: 5,
};
const AVERAGE: Style = Style {
    greet: 700,
    empathy: 400,
    close: 600,
    jargon: 80,
    filler: 100,
    forbidden: 8,
    diversion: 1,
    phone: 0,
    first_reply_scale: 2,
    csat_base: 4,
};
const JARGON: Style = Style {
    greet: 600,
    empathy: 300,
    close: 500,
    jargon: 600,
    filler: 500,
    forbidden: 10,
    diversion: 2,
    phone: 1,
    first_reply_scale: 2,
    csat_base: 4,
};
const RUDE: Style = Style {
    greet: 150,
    empathy: 50,
    close: 150,
    jargon: 150,
    filler: 150,
    forbidden: 250,
    diversion: 30,
    phone: 20,
    first_reply_scale: 5,
    csat_base: 2,
};

/// An agent's style is a fixed function of (seed, agent), so per-agent
/// aggregates in the audit have something real to separate: roughly 30%
/// excellent, 45% average, 15% jargon-heavy, 10% rude.
fn style_of(seed: u64, agent: u32) -> &'static Style {
    match splitmix64(seed ^ u64::from(agent).wrapping_mul(0x9E37_79B9_7F4A_7C15)) % 20 {
        0..=5 => &EXCELLENT,
        6..=14 => &AVERAGE,
        15..=17 => &JARGON,
        _ => &RUDE,
    }
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn agent_id(agent: u32) -> String {
    format!("A{:04}", u64::from(agent) + 1)
}

/// Names repeat once agents outnumber the combinations; ids stay unique.
fn agent_name(agent: u32) -> String {
    let a = agent as usize;
    let surname = SURNAMES[a % SURNAMES.len()];
    // A stride coprime to the pool keeps neighbouring agents from sharing a given name.
    let given = GIVEN_NAMES[(a * 7 + a / SURNAMES.len()) % GIVEN_NAMES.len()];
    format!("{surname}{given}")
}

fn make_ticket(opts: &SynthOptions, n: u64, mut dice: Dice) -> Ticket {
    let agents = opts.agents.max(1);
    let owner = dice.below(agents);
    // ~5% of tickets end up handed to a colleague part-way through.
    let transfer = if agents > 1 && dice.chance(65) {
        Some((owner + 1 + dice.below(agents - 1)) % agents)
    } else {
        None
    };
    let channel = pick_channel(&mut dice);
    let len = message_count(&mut dice);
    let mut conv = Conversation::new(opts, n, dice, owner);
    conv.run(len, transfer);
    let (csat, resolved) = conv.outcome();
    Ticket {
        ticket_id: format!("S{}-{:08}", opts.seed, n),
        agent_id: agent_id(owner),
        agent_name: agent_name(owner),
        channel,
        messages: conv.messages,
        csat,
        resolved,
    }
}

fn pick_channel(dice: &mut Dice) -> &'static str {
    match dice.below(100) {
        0..=39 => "taobao",
        40..=64 => "jd",
        65..=84 => "app",
        _ => "web",
    }
}

/// 3..=30 messages, right-skewed, mean about 12: most chats are a dozen
/// lines, a few are one question and an answer, a few drag on.
fn message_count(dice: &mut Dice) -> usize {
    let n = match dice.below(100) {
        0..=9 => dice.range(3, 6),
        10..=94 => 5 + dice.below(8) + dice.below(8),
        _ => dice.range(14, 30),
    };
    n as usize
}

/// One kind of enquiry: how it opens, how the customer follows up, what agents answer.
struct Topic {
    opening: &'static [&'static str],
    followup: &'static [&'static str],
    answer: &'static [&'static str],
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Customer,
    Agent,
}

/// 2026-01-01 as days since 1970-01-01; clocks count seconds of +08:00 wall time from it.
const BASE_DAY: i64 = 20_454;
/// Dates advance with the ticket number, independent of how many are generated.
const TICKETS_PER_DAY: u64 = 2_000;

struct Conversation<'o> {
    opts: &'o SynthOptions,
    dice: Dice,
    style: &'static Style,
    topic: &'static Topic,
    product: &'static str,
    /// 0 calm .. 3 furious; moves during the chat.
    anger: u32,
    escalating: bool,
    traditional: bool,
    clock: u64,
    customer_turns: u32,
    agent_turns: u32,
    owner_id: String,
    /// Set after a transfer: the message-level agent_id of later agent lines.
    speaker: Option<String>,
    messages: Vec<Message>,
}

impl<'o> Conversation<'o> {
    fn new(opts: &'o SynthOptions, n: u64, mut dice: Dice, owner: u32) -> Self {
        let style = style_of(opts.seed, owner);
        let topic = &TOPICS[dice.below(TOPICS.len() as u32) as usize];
        let product = dice.pick(PRODUCTS);
        let anger = match dice.below(100) {
            0..=54 => 0,
            55..=79 => 1,
            80..=92 => 2,
            _ => 3,
        };
        let escalating = anger == 0 && dice.chance(60);
        let traditional = dice.chance(10);
        let clock = (n / TICKETS_PER_DAY) * 86_400 + u64::from(dice.range(8 * 3600, 22 * 3600));
        Conversation {
            opts,
            dice,
            style,
            topic,
            product,
            anger,
            escalating,
            traditional,
            clock,
            owner_id: agent_id(owner),
            customer_turns: 0,
            agent_turns: 0,
            speaker: None,
            messages: Vec::with_capacity(32),
        }
    }

    fn run(&mut self, len: usize, mut transfer: Option<u32>) {
        if len >= 6 {
            self.preamble(len);
        }
        let transfer_after = 1 + self.dice.below(3);
        // After a bot hand-off the customer has already asked; a human answers next.
        let mut role = if self.customer_turns > 0 { Role::Agent } else { Role::Customer };
        while self.messages.len() < len {
            let left = len - self.messages.len();
            let hand_over_due =
                role == Role::Agent && self.agent_turns == transfer_after && left >= 3;
            if let Some(to) = transfer.filter(|_| hand_over_due) {
                transfer = None;
                self.hand_over(to);
                continue;
            }
            match role {
                Role::Customer => self.customer_turn(left),
                Role::Agent => self.agent_turn(left),
            }
            // Mostly alternate; a repeat models someone sending two lines in a row.
            if !self.dice.chance(120) {
                role = if role == Role::Customer { Role::Agent } else { Role::Customer };
            }
        }
    }

    /// Platform noise before a human answers: a session notice, or a bot
    /// that fails to help and hands the customer over.
    fn preamble(&mut self, len: usize) {
        if self.dice.chance(80) {
            let text = self.dice.pick(SYSTEM_OPEN).to_string();
            self.push("system", text, 0, None);
        }
        if !self.dice.chance(150) {
            return;
        }
        let text = self.dice.pick(BOT_GREETINGS).to_string();
        self.push("bot", text, 1, None);
        if len >= 10 && self.dice.chance(400) {
            self.customer_turn(len);
            let text = self.dice.pick(BOT_ANSWERS).to_string();
            self.push("bot", text, 2, None);
            let text = self.dice.pick(ASK_FOR_HUMAN).to_string();
            let gap = self.customer_gap();
            self.push("customer", text, gap, None);
            self.push("system", "正在为您转接人工客服，请稍候".to_string(), 1, None);
        }
    }

    fn hand_over(&mut self, to: u32) {
        let from = self.speaker.clone().unwrap_or_else(|| self.owner_id.clone());
        let to_id = agent_id(to);
        let text = format!("会话已由客服{from}转接至客服{to_id}");
        self.push("system", text, 2, None);
        self.speaker = Some(to_id);
        self.style = style_of(self.opts.seed, to);
        // The colleague greets afresh, as a real hand-over does.
        self.agent_turns = 0;
    }

    fn customer_turn(&mut self, left: usize) {
        if self.escalating && self.customer_turns > 0 && self.dice.chance(450) {
            self.anger = (self.anger + 1).min(3);
        }
        let mut text = String::with_capacity(128);
        if self.traditional {
            let tpl = self.dice.pick(TRADITIONAL_CUSTOMER);
            self.expand(&mut text, tpl);
        } else if self.customer_turns == 0 {
            self.opening_question(&mut text);
        } else if left <= 2 {
            let pool = if self.anger >= 2 { FURIOUS_ENDINGS } else { CUSTOMER_THANKS };
            let tpl = self.dice.pick(pool);
            self.expand(&mut text, tpl);
        } else {
            self.customer_middle(&mut text);
        }
        if self.dice.chance(15) {
            let tpl = self.dice.pick(CUSTOMER_PHONE_LEADS);
            self.expand(&mut text, tpl);
            self.fake_phone(&mut text);
        }
        self.customer_turns += 1;
        let gap = self.customer_gap();
        self.push("customer", text, gap, None);
    }

    fn opening_question(&mut self, text: &mut String) {
        if self.dice.chance(500) {
            text.push_str(self.dice.pick(CUSTOMER_PREFIXES));
        }
        let tpl = self.dice.pick(self.topic.opening);
        self.expand(text, tpl);
        if self.dice.chance(700) {
            let tpl = self.dice.pick(CUSTOMER_DETAILS);
            self.expand(text, tpl);
        }
    }

    fn customer_middle(&mut self, text: &mut String) {
        let tpl = if self.anger > 0 && self.dice.chance(650) {
            self.dice.pick(COMPLAINTS[self.anger as usize - 1])
        } else if self.dice.chance(250) {
            self.dice.pick(CUSTOMER_GENERIC)
        } else {
            self.dice.pick(self.topic.followup)
        };
        self.expand(text, tpl);
        if self.dice.chance(700) {
            let tpl = self.dice.pick(CUSTOMER_DETAILS);
            self.expand(text, tpl);
        }
    }

    fn agent_turn(&mut self, left: usize) {
        let s = self.style;
        let first = self.agent_turns == 0;
        let gap = self.agent_gap(first);
        let mut text = String::with_capacity(160);
        if self.dice.chance(s.filler) {
            text.push_str(self.dice.pick(FILLERS));
        }
        if first && self.dice.chance(s.greet) {
            text.push_str(self.dice.pick(GREETINGS));
        }
        if self.anger > 0 && self.dice.chance(s.empathy) {
            text.push_str(self.dice.pick(EMPATHY));
            // Being heard calms people down, about half the time.
            if self.dice.chance(500) {
                self.anger -= 1;
            }
        }
        self.agent_body(&mut text, left, first);
        if self.dice.chance(s.diversion) {
            let tpl = self.dice.pick(DIVERSIONS);
            self.expand(&mut text, tpl);
        }
        if self.dice.chance(s.phone) {
            let tpl = self.dice.pick(AGENT_PHONE_LEADS);
            self.expand(&mut text, tpl);
            self.fake_phone(&mut text);
        }
        self.agent_turns += 1;
        let speaker = self.speaker.clone();
        self.push("agent", text, gap, speaker);
    }

    fn agent_body(&mut self, text: &mut String, left: usize, first: bool) {
        let s = self.style;
        if self.dice.chance(s.forbidden) {
            text.push_str(self.dice.pick(FORBIDDEN));
            // Stonewalling makes things worse; the audit should see both sides of that.
            self.anger = (self.anger + 1).min(3);
        } else if left <= 2 && !first && self.dice.chance(s.close) {
            text.push_str(self.dice.pick(CLOSINGS));
        } else {
            let tpl = self.dice.pick(self.topic.answer);
            self.expand(text, tpl);
            if self.dice.chance(700) {
                let tpl = self.dice.pick(AGENT_EXTRAS);
                self.expand(text, tpl);
            }
        }
        if self.dice.chance(s.jargon) {
            let tpl = self.dice.pick(JARGON_PHRASES);
            self.expand(text, tpl);
        }
    }

    /// Seconds before an agent line: most 5–60 s, a tail of minutes.
    fn agent_gap(&mut self, first: bool) -> u64 {
        let gap = u64::from(match self.dice.below(100) {
            0..=59 => self.dice.range(5, 25),
            60..=86 => self.dice.range(26, 60),
            87..=97 => self.dice.range(61, 300),
            _ => self.dice.range(301, 900),
        });
        if first {
            gap * self.style.first_reply_scale
        } else {
            gap
        }
    }

    /// Customers type slower than agents and sometimes wander off for a while.
    fn customer_gap(&mut self) -> u64 {
        u64::from(match self.dice.below(100) {
            0..=69 => self.dice.range(3, 40),
            70..=94 => self.dice.range(41, 180),
            _ => self.dice.range(181, 1200),
        })
    }

    fn push(&mut self, role: &'static str, text: String, gap: u64, agent_id: Option<String>) {
        self.clock += gap;
        let ts = self.opts.timestamps.then(|| format_ts(self.clock));
        self.messages.push(Message { role, ts, text, agent_id });
    }

    /// csat on ~60% of tickets; both it and `resolved` track how angry the
    /// customer ended up and how good the last agent was.
    fn outcome(&mut self) -> (Option<u8>, bool) {
        let resolved = self.dice.chance(920 - 200 * self.anger);
        let csat = self.dice.chance(600).then(|| {
            let noise = self.dice.below(3) as i32 - 1;
            let unresolved = i32::from(!resolved);
            let score = self.style.csat_base - self.anger as i32 - unresolved + noise;
            score.clamp(1, 5) as u8
        });
        (csat, resolved)
    }

    /// Fills `{p}` product, `{d}` a count of days, `{m}` a price, `{o}` an order number.
    /// A clause that opens with a comma drops it after a question mark or full stop.
    fn expand(&mut self, out: &mut String, tpl: &str) {
        let mut rest = tpl;
        if out.ends_with(['？', '！', '。']) {
            rest = rest.strip_prefix('，').unwrap_or(rest);
        }
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            match rest.as_bytes().get(i + 1) {
                Some(b'p') => out.push_str(self.product),
                Some(b'd') => out.push_str(self.dice.pick(DAY_COUNTS)),
                Some(b'm') => out.push_str(&self.dice.range(9, 899).to_string()),
                Some(b'o') => self.digits(out, '2', 15),
                _ => {}
            }
            rest = rest.get(i + 3..).unwrap_or("");
        }
        out.push_str(rest);
    }

    /// An 11-digit mobile-format number (1[3-9]…): fictitious, but shaped so PII checks fire.
    fn fake_phone(&mut self, out: &mut String) {
        let second = b"3456789"[self.dice.below(7) as usize] as char;
        out.push('1');
        self.digits(out, second, 9);
    }

    fn digits(&mut self, out: &mut String, first: char, more: u32) {
        out.push(first);
        for _ in 0..more {
            out.push(char::from(b'0' + self.dice.below(10) as u8));
        }
    }
}

fn format_ts(clock: u64) -> String {
    let (y, m, d) = civil_from_days(BASE_DAY + (clock / 86_400) as i64);
    let s = clock % 86_400;
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00", s / 3600, s / 60 % 60, s % 60)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm);
/// avoids pulling a date crate into a module that only needs to count forward.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

// The phrase pools below are data, kept last so the logic reads first.
#[cfg(test)]
mod tests {
    use super::*;

    fn generate(tickets: u64, seed: u64, timestamps: bool) -> Vec<u8> {
        let opts = SynthOptions { tickets, agents: 12, seed, timestamps };
        let mut buf = Vec::new();
        write_tickets(&opts, &mut buf).expect("writing to a Vec cannot fail");
        buf
    }

    #[test]
    fn same_seed_same_bytes() {
        assert_eq!(generate(300, 7, true), generate(300, 7, true));
    }

    #[test]
    fn different_seed_different_bytes() {
        assert_ne!(generate(50, 7, true), generate(50, 8, true));
    }

    #[test]
    fn short_run_is_prefix_of_long_run() {
        let short = generate(20, 3, true);
        assert!(generate(200, 3, true).starts_with(&short));
    }

    #[test]
    fn lines_parse_and_match_count() {
        let out = String::from_utf8(generate(500, 42, true)).expect("utf-8");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 500);
        for line in lines {
            let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON");
            assert!(v["ticket_id"].as_str().is_some_and(|id| id.starts_with("S42-")));
            assert!(v["agent_id"].as_str().is_some_and(|id| id.starts_with('A')));
            let msgs = v["messages"].as_array().expect("messages array");
            assert!((3..=30).contains(&msgs.len()), "{} messages", msgs.len());
            assert!(msgs.iter().all(|m| m["ts"].is_string() && m["text"].is_string()));
        }
    }

    #[test]
    fn no_timestamps_when_disabled() {
        let out = String::from_utf8(generate(50, 1, false)).expect("utf-8");
        assert!(!out.contains("\"ts\""));
    }

    #[test]
    fn zero_tickets_zero_agents() {
        let opts = SynthOptions { tickets: 0, agents: 0, seed: 0, timestamps: true };
        let mut buf = Vec::new();
        write_tickets(&opts, &mut buf).expect("vec");
        assert!(buf.is_empty());
        let opts = SynthOptions { tickets: 3, agents: 0, seed: 0, timestamps: true };
        write_tickets(&opts, &mut buf).expect("vec");
        assert_eq!(String::from_utf8_lossy(&buf).lines().count(), 3);
    }

    #[test]
    fn calendar() {
        assert_eq!(civil_from_days(BASE_DAY), (2026, 1, 1));
        assert_eq!(civil_from_days(BASE_DAY + 58), (2026, 2, 28));
        assert_eq!(civil_from_days(BASE_DAY + 59), (2026, 3, 1));
        assert_eq!(civil_from_days(BASE_DAY + 365 + 59), (2027, 3, 1));
        assert_eq!(civil_from_days(BASE_DAY + 730 + 59), (2028, 2, 29));
        assert_eq!(format_ts(9 * 3600 + 12 * 60 + 3), "2026-01-01T09:12:03+08:00");
    }
}

// ---------------------------------------------------------------------------
// Phrase pools. Invented text in the register of Chinese e-commerce chat.
// Placeholders: {p} product, {d} days, {m} price, {o} order number.
// ---------------------------------------------------------------------------
