//! Synthetic ticket generator for benchmarks and scale tests (`zhijian synth`).
//! Owns the conversation shape and the phrase pools at the bottom of this file.
//! Output is deterministic: the same `SynthOptions` give byte-identical JSON Lines
//! on every platform. The text is invented and models no real shop, person or data set.

use std::io::{self, Write};

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

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
#[allow(clippy::items_after_test_module)]
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

const TOPICS: [Topic; 6] = [
    Topic { opening: LOGISTICS_OPEN, followup: LOGISTICS_FOLLOW, answer: LOGISTICS_ANSWER },
    Topic { opening: RETURN_OPEN, followup: RETURN_FOLLOW, answer: RETURN_ANSWER },
    Topic { opening: SIZE_OPEN, followup: SIZE_FOLLOW, answer: SIZE_ANSWER },
    Topic { opening: INVOICE_OPEN, followup: INVOICE_FOLLOW, answer: INVOICE_ANSWER },
    Topic { opening: QUALITY_OPEN, followup: QUALITY_FOLLOW, answer: QUALITY_ANSWER },
    Topic { opening: PRICE_OPEN, followup: PRICE_FOLLOW, answer: PRICE_ANSWER },
];

const LOGISTICS_OPEN: &[&str] = &[
    "我买的{p}{d}天了还没发货，什么时候能发？",
    "快递{d}天了一直显示在途中，物流信息也不更新了",
    "请问我的{p}发的什么快递，大概几天能到？",
    "订单号{o}，物流好几天没动了，帮我查一下",
    "能不能帮我催一下发货，我这边急着用{p}",
    "物流显示已签收，可是我根本没收到包裹啊",
    "快递员说放驿站了，但是驿站说没有我的件",
    "我下单的时候写错地址了，现在还能改吗？",
    "为什么别人比我晚下单的都发货了，我的还没发？",
    "{p}预计什么时候送到，周末家里没人",
    "能不能指定发顺丰，我可以补运费",
    "我的包裹怎么被退回去了，我没有拒收啊",
];
const LOGISTICS_FOLLOW: &[&str] = &[
    "那大概还要等几天呢？",
    "能给我一个准确的时间吗，我好安排",
    "你们能不能直接联系一下快递公司",
    "地址改成公司的可以吗，白天家里没人",
    "物流还是没有更新，到底在哪里了",
    "如果明天还不到是不是可以退款",
    "能不能让快递员送货上门，不要放快递柜",
    "包裹外面都压扁了，我要不要签收？",
    "快递电话一直打不通，怎么办",
    "那我再等等，有消息麻烦告诉我一声",
];
const LOGISTICS_ANSWER: &[&str] = &[
    "已经帮您联系快递公司加急处理了，预计{d}天内送达",
    "这边查询到您的包裹正在派送途中，请您留意电话",
    "您的订单已经催促仓库优先发货，今天之内会发出",
    "物流信息更新可能有延迟，包裹实际在正常运输中",
    "已经给您登记了修改地址，仓库会按新地址发出",
    "驿站这边我们已经联系核实，请您稍后再去取一下",
    "如果{d}天内还没有送到，我们这边直接给您补发",
    "已经帮您备注了送货上门，快递员派送前会先联系您",
    "签收异常的情况我们已经提交给快递公司调查了",
    "目前仓库订单比较多，发货会稍微晚一点，请您谅解",
    "您这边拒收之后包裹会退回仓库，退款会原路返回",
];

const RETURN_OPEN: &[&str] = &[
    "我想退货，{p}收到以后不太喜欢",
    "七天无理由退货怎么操作，我找不到入口",
    "这个{p}能换个颜色吗，还没拆吊牌",
    "我申请退款两天了怎么还没人处理？",
    "退货的运费谁出，我买了运费险",
    "已经寄回去了，什么时候给我退款",
    "买了两件想退一件，优惠会不会被扣回去",
    "退款被拒绝了，理由写的是影响二次销售，我不认可",
    "换货寄回去一周了，新的还没寄出来",
    "{p}用了一次就坏了，能退吗？",
];
const RETURN_FOLLOW: &[&str] = &[
    "退货地址发我一下",
    "上门取件要钱吗？",
    "退款是退到原来的支付方式吗",
    "我已经填了快递单号，你们看看收到没有",
    "那我直接拒收可以吗",
    "包装盒扔了还能退吗",
    "运费险赔付多少钱，什么时候到账",
    "能不能先退款我再寄回去",
    "大概几个工作日能到账？",
    "那换货的话要重新付运费吗",
];
const RETURN_ANSWER: &[&str] = &[
    "您可以在订单详情里点申请售后，选择退货退款就可以了",
    "商品不影响二次销售的情况下支持七天无理由退换",
    "您的运费险会在退货签收后自动理赔，一般{d}天内到账",
    "退款会原路退回到您的支付账户，请您注意查收",
    "退货地址已经发到您的订单消息里了，寄的时候请写上订单号",
    "已经帮您加急审核了，仓库收到退货后会尽快退款",
    "换货商品我们收到后会在{d}个工作日内给您寄出",
    "可以预约上门取件，运费由运费险承担，您不用额外支付",
    "部分退货的话，满减优惠会按比例扣除，退您{m}元",
    "这边已经同意您的退款申请，请您按照提示寄回商品",
];

const SIZE_OPEN: &[&str] = &[
    "我身高165体重110斤，{p}穿什么码合适？",
    "这款{p}偏大还是偏小，平时穿M码",
    "鞋子是正码吗，我脚长24.5厘米",
    "衣服洗了会不会缩水，想买大一号",
    "尺码表上的胸围是平铺量的还是围量的？",
    "收到的{p}太小了，能不能换大一码",
    "孩子今年五岁，身高115，选哪个尺码",
    "腰围二尺二应该拍哪个码",
];
const SIZE_FOLLOW: &[&str] = &[
    "那L码会不会太宽松了",
    "我肩比较宽，选大一码吗",
    "袖长大概多少厘米",
    "如果不合适可以换吗",
    "那我拍M码吧，现在有货吗",
    "有没有真人试穿的参考",
    "这个面料有弹性吗",
    "裤长够不够，我腿比较长",
];
const SIZE_ANSWER: &[&str] = &[
    "根据您的身高体重，建议您选择M码，穿着会比较合身",
    "这款版型偏小一码，建议您拍大一码哦",
    "尺码表是平铺测量的，可能会有一到两厘米的误差",
    "面料经过预缩处理，正常洗涤基本不会缩水",
    "如果尺码不合适，签收后七天内可以免费换一次",
    "这款鞋子是标准码，您平时穿多大就拍多大",
    "喜欢宽松一点的话可以选L码，修身就选M码",
    "儿童款建议按身高选码，115的话拍120码刚好",
];

const INVOICE_OPEN: &[&str] = &[
    "请问可以开发票吗？我要开公司抬头",
    "我需要增值税专用发票，怎么申请",
    "发票什么时候能开出来，报销要用",
    "电子发票发到哪里了，我没收到",
    "发票抬头写错了，能不能重新开",
    "下单的时候忘了选发票，现在还能补开吗？",
    "纸质发票会跟{p}一起寄过来吗",
];
const INVOICE_FOLLOW: &[&str] = &[
    "税号我发给你，你帮我填一下",
    "开票内容能写办公用品吗",
    "专票需要提供哪些资料",
    "电子发票可以发我邮箱吗",
    "大概几天能开好",
    "发票金额是按实付金额开吗",
];
const INVOICE_ANSWER: &[&str] = &[
    "可以的，您在订单详情里点申请开票，填写抬头和税号就行",
    "电子发票会在确认收货后{d}天内开具，发送到您的邮箱",
    "增值税专票需要您提供开票资料，我这边帮您登记",
    "发票抬头写错的话可以申请换开，我已经给您提交了",
    "发票金额按您实际支付的{m}元开具，优惠部分不计入",
    "纸质发票会单独寄出，大概{d}天左右能收到",
];

const QUALITY_OPEN: &[&str] = &[
    "收到的{p}有破损，外包装都压坏了",
    "你们这个{p}是正品吗？跟专柜的不一样",
    "打开发现少件了，说明书和配件都没有",
    "{p}有很大的味道，是不是质量有问题",
    "刚用了{d}天就坏了，这质量也太差了吧",
    "颜色和图片差别很大，有严重色差",
    "我怀疑收到的是假货，防伪码扫不出来",
    "衣服上有线头还有污渍，是不是二手的",
    "包裹里只有一个，我明明买了两个",
    "{p}开机没反应，充了一晚上电也不行",
];
const QUALITY_FOLLOW: &[&str] = &[
    "我拍了照片，你看一下",
    "这种情况是补发还是退款？",
    "你们能保证是正品吗，有没有检测报告",
    "能不能直接给我换一个新的",
    "少的那个配件什么时候补寄",
    "我不想退了，给我补偿一点就行",
    "专柜说这个批次号查不到",
    "外箱破损我签收的时候没注意",
];
const QUALITY_ANSWER: &[&str] = &[
    "麻烦您拍一下商品和外包装的照片，我们核实后马上处理",
    "我们所有商品都是品牌官方授权，支持专柜验货",
    "少件的情况已经给您登记补发了，{d}天内寄出",
    "新品有轻微气味是正常的，通风两三天就会散掉",
    "质量问题我们承担来回运费，给您换一个新的",
    "已经给您申请了{m}元的补偿，您看可以吗",
    "色差可能和显示器有关，不满意的话可以无理由退",
    "这边已经反馈给品控部门，同时给您优先处理售后",
    "防伪码需要刮开涂层后在官网查询，我把步骤发给您",
    "已经帮您安排补发了，原来的商品您不用寄回",
];

const PRICE_OPEN: &[&str] = &[
    "我昨天买的{p}今天就降价了，能保价吗？",
    "优惠券领了但是下单用不了，怎么回事",
    "满减活动怎么没有算进去，多付了{m}块钱",
    "会员价和活动价能叠加吗",
    "现在下单还有赠品吗？",
    "价保申请提交了，差价什么时候退",
    "为什么我的订单没有享受到店铺的优惠",
    "双十一的定金可以退吗",
];
const PRICE_FOLLOW: &[&str] = &[
    "那差价能退多少",
    "优惠券过期了还能补发吗",
    "能不能再便宜一点，我买两件",
    "赠品是随商品一起发吗",
    "价保是退到哪里",
    "那我退了重新拍可以吗",
];
const PRICE_ANSWER: &[&str] = &[
    "您的订单在价保期内，差价{m}元会退回到原支付账户",
    "这张优惠券需要满{m}元才能使用，您的订单还差一点",
    "已经帮您申请了差价补偿，{d}个工作日内到账",
    "店铺优惠和平台券可以叠加使用，下单时系统会自动计算",
    "赠品数量有限，送完即止，您现在下单还有的",
    "定金在活动规则里是不退的，尾款没付的话订单会自动关闭",
    "给您补发了一张无门槛优惠券，下次购物可以使用",
];

const CUSTOMER_PREFIXES: &[&str] =
    &["你好，", "在吗？", "客服你好，", "您好，", "亲，", "请问一下，", "我想问下，", "哈喽，"];
const CUSTOMER_DETAILS: &[&str] = &[
    "，订单是{d}天前下的",
    "，急着送人的",
    "，订单号{o}",
    "，麻烦快一点",
    "，我等了好久了",
    "，第一次在你们家买",
    "，之前买过一次挺好的",
    "，是给我妈买的",
    "，价格是{m}元",
    "，下周就要出门了等着用",
    "，页面上写的是{d}天内发货",
    "，这已经是我第二次来问了",
    "，之前问过另一个客服也没说清楚",
];
const CUSTOMER_GENERIC: &[&str] = &[
    "好的，我知道了",
    "没有问题，那就这样吧",
    "不好意思，刚才在忙",
    "我不生气，就是想快点解决",
    "这个处理方式我不太满意",
    "说实话不太好，但是算了",
    "嗯，那你们尽快吧",
    "不是我不相信你们，是真的等太久了",
    "也不是很着急，你们按流程来",
    "我没有别的问题了，就这个",
    "行吧，那我再等等看",
    "不用退了，帮我处理一下就行",
];
const COMPLAINTS: [&[&str]; 3] = [COMPLAINTS_MILD, COMPLAINTS_ANGRY, COMPLAINTS_FURIOUS];
const COMPLAINTS_MILD: &[&str] = &[
    "怎么这么慢啊，都等了{d}天了",
    "有点失望，和描述的不太一样",
    "你们的回复也太慢了吧",
    "这个体验真的不太好",
    "能不能上点心，我已经问了两遍了",
    "说好的今天发货，结果又没发",
    "不满意，希望你们改进一下",
];
const COMPLAINTS_ANGRY: &[&str] = &[
    "太过分了，一直拖着不处理",
    "你们就是在敷衍我，每次都说在催",
    "质量这么差还好意思卖{m}块钱",
    "我很生气，到底有没有人管",
    "再不给我解决我就去平台投诉了",
    "你们是不是欺负消费者，什么破服务",
    "我真的受够了，一个问题问了三天",
];
const COMPLAINTS_FURIOUS: &[&str] = &[
    "垃圾店铺，我要投诉到12315！",
    "骗子！卖假货还不承认！",
    "气死我了，马上给我退款，不然差评",
    "你们这什么态度！叫你们主管出来！",
    "我已经录屏了，等着被曝光吧",
    "别跟我说什么流程，我现在就要解决！",
];
const CUSTOMER_THANKS: &[&str] = &[
    "好的，谢谢你",
    "明白了，辛苦了",
    "好的，麻烦你了，谢谢",
    "行，那我等消息",
    "没有问题了，谢谢客服",
    "好滴，辛苦啦",
    "不好意思麻烦你这么久，谢谢",
    "嗯嗯，收到，谢谢",
];
const FURIOUS_ENDINGS: &[&str] = &[
    "不用说了，我直接给差评",
    "我已经投诉了，你们等着吧",
    "再也不会在你们家买东西了",
    "这事没完，我会找平台介入的",
    "服务太差了，非常不满意",
];
const TRADITIONAL_CUSTOMER: &[&str] = &[
    "請問{p}什麼時候發貨？",
    "物流一直沒有更新，麻煩幫我查詢一下",
    "你們的服務態度很好，謝謝",
    "收到的商品有破損，這樣怎麼處理？",
    "我不太滿意，顏色跟圖片差很多",
    "可以開發票嗎？需要公司抬頭",
    "好的，謝謝您的幫忙",
    "這個尺碼偏大還是偏小？",
];
const CUSTOMER_PHONE_LEADS: &[&str] = &["，有事打我电话", "，我手机号是", "，联系电话"];
const ASK_FOR_HUMAN: &[&str] =
    &["转人工", "人工客服", "我要找人工，机器人听不懂", "转人工服务谢谢"];

const GREETINGS: &[&str] = &[
    "亲，您好，很高兴为您服务，",
    "您好，欢迎光临本店，",
    "亲爱的顾客您好，我是客服，",
    "您好呀，这里是售后客服，",
    "亲，在的哦，",
    "您好，感谢您的耐心等待，",
];
const EMPATHY: &[&str] = &[
    "非常抱歉给您带来不好的体验，",
    "理解您的心情，换作是我也会着急，",
    "真的很抱歉让您久等了，",
    "您先别着急，这个问题我一定帮您处理好，",
    "给您添麻烦了，实在不好意思，",
    "辛苦您了，我们非常重视您的反馈，",
];
const FILLERS: &[&str] = &["嗯嗯，", "那个，", "就是说，", "呃，", "然后呢，", "这个的话，"];
const JARGON_PHRASES: &[&str] = &[
    "，我这边给您提个工单",
    "，SKU编码对应的库存已经锁定",
    "，快递已经揽收，等妥投就好",
    "，拦截件需要走逆向流程",
    "，已经推给仓配侧处理",
    "，走一下RMA流程",
    "，这个要看WMS里的出库状态",
    "，签收后系统会自动触发理赔节点",
];
const FORBIDDEN: &[&str] = &[
    "你自己看详情页吧",
    "这个不归我管",
    "这是规定，没办法",
    "我也没办法",
    "爱买不买",
    "你问快递去",
    "不是跟你说过了吗",
    "你到底买不买",
];
const DIVERSIONS: &[&str] = &["，加我微信私聊吧", "，你加我VX我给你便宜点", "，留个QQ我们线下处理"];
const AGENT_EXTRAS: &[&str] = &[
    "，处理进度您可以在订单详情里随时查看",
    "，有任何进展我会第一时间通知您",
    "，请您放心，我们会跟进到底的",
    "，后续如果还有问题可以直接回复这个对话",
    "，麻烦您留意一下短信通知",
    "，这边也给您做了备注，其他同事也能看到",
    "，您看这样处理可以吗？",
    "，稍后会有专员给您回电，请保持电话畅通",
];
const AGENT_PHONE_LEADS: &[&str] = &["，有事直接打我电话", "，我的手机号是"];
const CLOSINGS: &[&str] = &[
    "请问还有其他可以帮您的吗？",
    "感谢您的耐心，祝您生活愉快！",
    "如有问题随时联系我们，祝您购物愉快",
    "麻烦您对本次服务做个评价，谢谢亲",
    "还有什么问题随时找我哦，再见",
];

const SYSTEM_OPEN: &[&str] =
    &["用户从订单详情页进入会话", "会话已接入，排队人数3人", "用户通过商品页咨询入口发起会话"];
const BOT_GREETINGS: &[&str] = &[
    "您好，我是智能助手小蜜，请问有什么可以帮您？",
    "欢迎光临，智能客服为您服务，您可以输入订单号查询物流",
];
const BOT_ANSWERS: &[&str] = &[
    "猜您想问：如何申请退款？请点击订单详情页的申请售后按钮",
    "您的问题我暂时无法理解，可以换个说法试试",
    "物流查询请点击订单详情中的查看物流",
];

const PRODUCTS: &[&str] = &[
    "连衣裙",
    "羽绒服",
    "运动鞋",
    "蓝牙耳机",
    "保温杯",
    "扫地机器人",
    "面霜",
    "纸尿裤",
    "手机壳",
    "电饭煲",
    "四件套",
    "牛仔裤",
    "行李箱",
    "猫粮",
    "茶叶礼盒",
    "儿童书包",
    "空气炸锅",
    "口红",
    "充电宝",
    "乳胶枕",
];
const DAY_COUNTS: &[&str] = &["两", "三", "四", "五", "1", "2", "3", "7"];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢",
];
const GIVEN_NAMES: &[&str] = &[
    "小美", "晓东", "欣怡", "子涵", "浩然", "静", "雨桐", "梓萱", "俊杰", "思远", "佳琪", "明",
    "一鸣", "婷婷", "文博", "可馨", "天宇", "若曦", "嘉怡", "志强",
];
