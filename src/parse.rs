//! Stage 2 — parsing. Takes one raw input line (a JSON Lines line, or a ticket that `table`
//! assembled from rows, or a table row `table` already refused), yields a [`Ticket`] that satisfies the input
//! contract (DESIGN §2) or a [`Reject`] saying why not. Pure: duplicates across lines are the
//! spine's to detect, since only it sees every line.
//!
//! [`Role`] and [`RejectCode`] are `vocab`'s words; the input's spellings of a role are here.
//! Role aliases accepted (case-insensitive): customer = 客户, 顾客, 买家, 用户, buyer, user,
//! client; agent = 客服, 人工, 卖家, 商家, seller, staff, waiter, support; bot = 机器人,
//! 智能客服, robot; system = 系统, sys.

use std::borrow::Cow;

use serde::Deserialize;

use crate::read::{InputLine, KEPT_BYTES};
use crate::timestamp::{self, TsFormat};

pub use crate::vocab::{RejectCode, Role};

/// The input contract's role aliases (the module header lists them).
impl Role {
    pub fn parse(value: &str) -> Option<Role> {
        let lower = value.trim().to_lowercase();
        let role = match lower.as_str() {
            "customer" | "客户" | "顾客" | "买家" | "用户" | "buyer" | "user" | "client" => {
                Role::Customer
            }
            "agent" | "客服" | "人工" | "卖家" | "商家" | "seller" | "staff" | "waiter"
            | "support" => Role::Agent,
            "bot" | "机器人" | "智能客服" | "robot" => Role::Bot,
            "system" | "系统" | "sys" => Role::System,
            _ => return None,
        };
        Some(role)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub role: Role,
    /// Milliseconds since the Unix epoch.
    pub ts_ms: Option<i64>,
    pub text: String,
    /// Who wrote it, for agent messages: its own `agent_id`, else the ticket's owner.
    pub author: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    pub id: String,
    /// The ticket's `agent_id`, else the agent of its last agent message.
    pub owner: String,
    pub agent_name: Option<String>,
    pub channel: Option<String>,
    pub messages: Vec<Message>,
    pub csat: Option<u8>,
    pub resolved: Option<bool>,
    /// Message times that did not read: those messages' times are unknown.
    pub unread_times: UnreadTimes,
}

/// The `ts` values of a ticket that read neither as RFC 3339 nor in the run's `--ts-format`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnreadTimes {
    pub count: u32,
    /// The first: (0-based message index, the value as written, cut to 40 characters).
    pub first: Option<(u32, String)>,
}

/// Why a line was not audited. `code` is stable for machines; `detail` is for people.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub file: u32,
    pub line: u64,
    pub code: RejectCode,
    pub detail: String,
    /// Input rows it stands for: 1, or a table ticket's rows when the whole ticket is refused.
    pub rows: u64,
    /// The start of the raw line, lossily decoded, cut on a character boundary.
    pub raw: String,
}

#[derive(Deserialize)]
struct RawTicket<'a> {
    ticket_id: String,
    #[serde(default)]
    agent_id: Option<String>,
    #[serde(default)]
    agent_name: Option<String>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(borrow)]
    messages: Vec<RawMessage<'a>>,
    #[serde(default)]
    csat: Option<f64>,
    #[serde(default)]
    resolved: Option<bool>,
}

/// `role` and `ts` are read in place when they hold no escape (they always do in practice): two
/// allocations fewer per message.
#[derive(Deserialize)]
struct RawMessage<'a> {
    #[serde(borrow)]
    role: Cow<'a, str>,
    #[serde(default, borrow)]
    ts: Option<Cow<'a, str>>,
    text: String,
    #[serde(default)]
    agent_id: Option<String>,
}

impl Reject {
    pub fn new(line: &InputLine, code: RejectCode, detail: impl Into<String>) -> Reject {
        Reject {
            file: line.file,
            line: line.line_no,
            code,
            detail: detail.into(),
            rows: line.rows,
            raw: kept_text(&line.bytes),
        }
    }
}

/// `times` says how `ts` values that are not RFC 3339 read.
pub fn parse_line(line: &InputLine, times: &TsFormat) -> Result<Ticket, Reject> {
    if let Some((code, detail)) = &line.reject {
        return Err(Reject::new(line, *code, detail.clone()));
    }
    if line.too_long {
        let detail = format!("line longer than {} MiB", crate::read::MAX_LINE_BYTES >> 20);
        return Err(Reject::new(line, RejectCode::LineTooLong, detail));
    }
    let text = std::str::from_utf8(&line.bytes).map_err(|e| {
        let detail = format!("invalid UTF-8 at byte {}", e.valid_up_to());
        Reject::new(line, RejectCode::InvalidUtf8, detail)
    })?;
    let raw: RawTicket = serde_json::from_str(text).map_err(|e| {
        use serde_json::error::Category as C;
        let message = e.to_string();
        let code = match e.classify() {
            C::Syntax | C::Eof | C::Io => RejectCode::InvalidJson,
            C::Data if message.starts_with("missing field") => RejectCode::MissingField,
            C::Data => RejectCode::WrongType,
        };
        Reject::new(line, code, message)
    })?;
    validate(raw, times).map_err(|(code, detail)| Reject::new(line, code, detail))
}

fn validate(raw: RawTicket<'_>, times: &TsFormat) -> Result<Ticket, (RejectCode, String)> {
    let invalid = |detail: String| (RejectCode::InvalidValue, detail);
    if raw.ticket_id.trim().is_empty() {
        return Err(invalid("ticket_id is empty".into()));
    }
    let ticket_agent = non_empty(raw.agent_id, "agent_id").map_err(invalid)?;
    let csat = match raw.csat {
        None => None,
        Some(v) if (1.0..=5.0).contains(&v) && v.fract() == 0.0 => Some(v as u8),
        Some(v) => return Err(invalid(format!("csat {v} is not a whole number from 1 to 5"))),
    };
    let mut messages = Vec::with_capacity(raw.messages.len());
    let mut unread_times = UnreadTimes::default();
    for (index, m) in raw.messages.into_iter().enumerate() {
        let role = Role::parse(&m.role).ok_or_else(|| {
            (RejectCode::UnknownRole, format!("message {index}: unknown role `{}`", m.role))
        })?;
        let ts_ms = match m.ts.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(ts) => {
                let read = timestamp::parse(ts, times);
                if read.is_none() {
                    unread_times.count += 1;
                    if unread_times.first.is_none() {
                        unread_times.first = Some((index as u32, ts.chars().take(40).collect()));
                    }
                }
                read
            }
        };
        let own_agent = non_empty(m.agent_id, "agent_id")
            .map_err(|d| invalid(format!("message {index}: {d}")))?;
        let author = if role == Role::Agent { own_agent } else { None };
        messages.push(Message { role, ts_ms, text: m.text, author });
    }
    let last_author = messages.iter().rev().find_map(|m| m.author.clone());
    let owner = ticket_agent.or(last_author).ok_or_else(|| {
        let detail = "no agent: give the ticket an agent_id or its agent messages one";
        (RejectCode::NoAgent, detail.to_string())
    })?;
    for m in messages.iter_mut().filter(|m| m.role == Role::Agent && m.author.is_none()) {
        m.author = Some(owner.clone());
    }
    Ok(Ticket {
        id: raw.ticket_id,
        owner,
        agent_name: raw.agent_name.filter(|n| !n.trim().is_empty()),
        channel: raw.channel,
        messages,
        csat,
        resolved: raw.resolved,
        unread_times,
    })
}

fn non_empty(value: Option<String>, field: &str) -> Result<Option<String>, String> {
    match value {
        Some(v) if v.trim().is_empty() => Err(format!("{field} is empty")),
        other => Ok(other),
    }
}

/// The first [`KEPT_BYTES`] of a line as text, cut on a grapheme boundary.
pub fn kept_text(bytes: &[u8]) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(KEPT_BYTES + 8)]);
    let mut kept = String::new();
    for grapheme in text.graphemes(true) {
        if kept.len() + grapheme.len() > KEPT_BYTES {
            kept.push('…');
            break;
        }
        kept.push_str(grapheme);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &[u8]) -> InputLine {
        InputLine {
            file: 0,
            line_no: 7,
            bytes: text.to_vec(),
            too_long: false,
            rows: 1,
            reject: None,
        }
    }

    fn code(text: &str) -> RejectCode {
        parse_line(&line(text.as_bytes()), &TsFormat::Rfc3339).unwrap_err().code
    }

    #[test]
    fn escaped_roles_and_times_read_as_plain_ones() {
        // Read in place when plain, decoded when escaped: the same ticket either way.
        let plain = r#"{"ticket_id":"T","agent_id":"A","messages":[{"role":"agent","ts":"2024-05-01T08:00:00Z","text":"x"}]}"#;
        let escaped = r#"{"ticket_id":"T","agent_id":"A","messages":[{"role":"\u0061gent","ts":"2024-05-01T08:00:00\u005a","text":"x"}]}"#;
        let read = |text: &str| parse_line(&line(text.as_bytes()), &TsFormat::Rfc3339).unwrap();
        let ticket = read(escaped);
        assert_eq!(ticket, read(plain));
        assert_eq!(ticket.messages[0].role, Role::Agent);
        // 2024-05-01T08:00:00Z: 19,844 days after 1970-01-01, plus 8 hours.
        assert_eq!(ticket.messages[0].ts_ms, Some((19_844 * 86_400 + 8 * 3_600) * 1_000));
    }

    #[test]
    fn rejects_name_the_problem() {
        let cases: &[(&str, RejectCode)] = &[
            ("{\"ticket_id\":\"T1\",", RejectCode::InvalidJson),
            ("[1,2]", RejectCode::WrongType),
            ("{\"agent_id\":\"A\",\"messages\":[]}", RejectCode::MissingField),
            ("{\"ticket_id\":5,\"agent_id\":\"A\",\"messages\":[]}", RejectCode::WrongType),
            ("{\"ticket_id\":null,\"agent_id\":\"A\",\"messages\":[]}", RejectCode::WrongType),
            ("{\"ticket_id\":\"T\",\"messages\":[]}", RejectCode::NoAgent),
            ("{\"ticket_id\":\"T\",\"agent_id\":\"\",\"messages\":[]}", RejectCode::InvalidValue),
            ("{\"ticket_id\":\"T\",\"agent_id\":\"A\",\"csat\":9,\"messages\":[]}", RejectCode::InvalidValue),
            (
                "{\"ticket_id\":\"T\",\"agent_id\":\"A\",\"messages\":[{\"role\":\"alien\",\"text\":\"x\"}]}",
                RejectCode::UnknownRole,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(code(text), *want, "line {text}");
        }
        let bad_utf8 =
            parse_line(&line(b"{\"ticket_id\":\"\xff\"}"), &TsFormat::Rfc3339).unwrap_err();
        assert_eq!(bad_utf8.code, RejectCode::InvalidUtf8);
        assert_eq!(bad_utf8.line, 7);
    }

    #[test]
    fn an_unreadable_time_is_unknown_and_counted_not_a_reject() {
        let text = r#"{"ticket_id":"T","agent_id":"A","messages":[
            {"role":"customer","ts":"yesterday","text":"在吗"},
            {"role":"agent","ts":"2026-11-21 09:12:20","text":"在的"},
            {"role":"agent","ts":"2026-11-21T09:12:30+08:00","text":"请讲"}]}"#;
        let ticket = parse_line(&line(text.as_bytes()), &TsFormat::Rfc3339).unwrap();
        let times: Vec<Option<i64>> = ticket.messages.iter().map(|m| m.ts_ms).collect();
        assert_eq!(times, [None, None, Some(1_795_223_550_000)]);
        assert_eq!(ticket.unread_times.count, 2);
        assert_eq!(ticket.unread_times.first, Some((0, "yesterday".to_string())));

        let pattern = TsFormat::Pattern("%Y-%m-%d %H:%M:%S".into());
        let ticket = parse_line(&line(text.as_bytes()), &pattern).unwrap();
        assert_eq!(ticket.messages[1].ts_ms, Some(1_795_223_540_000));
        assert_eq!(ticket.unread_times.count, 1);
    }

    #[test]
    fn owner_and_authors_follow_the_contract() {
        let text = r#"{"ticket_id":"T","messages":[
            {"role":"买家","text":"在吗"},
            {"role":"客服","text":"在的","agent_id":"A1"},
            {"role":"agent","text":"转接","agent_id":"A2"}]}"#;
        let ticket = parse_line(&line(text.as_bytes()), &TsFormat::Rfc3339).unwrap();
        assert_eq!(ticket.owner, "A2");
        assert_eq!(ticket.messages[0].role, Role::Customer);
        assert_eq!(ticket.messages[1].author.as_deref(), Some("A1"));

        let text = r#"{"ticket_id":"T","agent_id":"A9","messages":[{"role":"agent","text":"您好","ts":"2026-11-21T09:12:20+08:00"}]}"#;
        let ticket = parse_line(&line(text.as_bytes()), &TsFormat::Rfc3339).unwrap();
        assert_eq!(ticket.owner, "A9");
        assert_eq!(ticket.messages[0].author.as_deref(), Some("A9"));
        assert_eq!(ticket.messages[0].ts_ms, Some(1_795_223_540_000));
    }

    #[test]
    fn kept_text_cuts_on_graphemes() {
        let long = "差".repeat(400);
        let kept = kept_text(long.as_bytes());
        assert!(kept.len() <= KEPT_BYTES + '…'.len_utf8());
        assert!(kept.ends_with('…'));
    }
}
