//! A flagged ticket's conversation, as its agent page shows it: every turn in order with its
//! role, time (北京时间) and response time, its text as every report displays it (personal data
//! masked unless `--no-mask`) cut into plain pieces and marked hits. Built once per flagged
//! ticket, while its text is in memory, from the ticket, its score and its shown text;
//! `html::conversation` and `markdown::conversation` render this model and compute nothing.
//! Also the review queue's compact transcript ([`transcript`]).
//!
//! A mark is a lexicon hit or the agent's personal data: its category (one colour each), whether
//! it backs one of the ticket's reasons (`TicketScore::reason_behind`), whether it counts (an
//! exception, a negation, an echo or a question can cancel it: `matcher::Effect`), and a
//! tooltip naming the entry, its category and the rule that changed it. Hits that overlap are
//! cut where they meet: each piece carries the most telling of the marks over it (behind a
//! reason, then counted, then first found) and the tooltips of all of them.
//!
//! Bounds: at most [`MAX_TURNS`] messages and [`MAX_TURN_CHARS`] characters of each, the rest
//! counted, so a pathological ticket cannot make a page of gigabytes.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset, Timelike};

use crate::lexicon::Lexicon;
use crate::matcher::{self, Effect};
use crate::parse::Ticket;
use crate::report::labels;
use crate::score::{Evidence, EvidenceKind, TicketScore};
use crate::vocab::{Category, Role};

/// Messages a conversation shows; the rest are counted.
pub const MAX_TURNS: usize = 200;
/// Characters of one message a conversation shows; the rest are counted.
pub const MAX_TURN_CHARS: usize = 2000;
/// Characters of the review queue's transcript, before its `…(共 N 条消息)`.
pub const TRANSCRIPT_CHARS: usize = 1000;

#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    pub ticket_id: String,
    /// All of the ticket's messages.
    pub messages: usize,
    pub turns: Vec<Turn>,
}

impl Conversation {
    /// Messages past [`MAX_TURNS`], not shown.
    pub fn turns_omitted(&self) -> usize {
        self.messages - self.turns.len()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    /// 0-based; people count from 1.
    pub message: u32,
    pub role: Role,
    /// An agent message written by another agent than the ticket's owner (a transfer).
    pub author: Option<String>,
    /// `2026-11-21 09:12:03` on the first timed message and when the day changes, else
    /// `09:12:20`; `None` without a (readable) timestamp.
    pub time: Option<String>,
    /// On an agent message that answered a waiting customer and could be timed.
    pub gap: Option<Gap>,
    pub pieces: Vec<Piece>,
    /// Characters past [`MAX_TURN_CHARS`], not shown.
    pub chars_omitted: usize,
}

/// How long the customer waited for this reply, as scoring timed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// `首响 45秒, 超时` or `回复用时 2分15秒`.
    pub label: String,
    /// Over the SLA (`--sla-secs`).
    pub slow: bool,
    /// The slow first response the ticket is flagged for.
    pub why: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub text: String,
    pub mark: Option<Mark>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// The category's key (`forbidden`, `off_platform`…), or `pii`: one colour each.
    pub class: &'static str,
    /// It backs one of the ticket's reasons.
    pub why: bool,
    /// It counts; `false` when an exception, a negation, an echo or a question cancelled it.
    pub counts: bool,
    /// What a rule did to it (`例外, 不计`), shown beside it.
    pub effect: Option<&'static str>,
    /// Entry, category, rule and reason, for a tooltip; several when hits overlap.
    pub title: String,
}

/// The mark classes a legend explains, in order, with their labels.
pub fn legend() -> Vec<(&'static str, &'static str)> {
    let mut classes: Vec<(&str, &str)> = Category::ALL
        .iter()
        .filter(|c| !c.is_modifier())
        .map(|&c| (c.key(), labels::category(c)))
        .collect();
    classes.push(("pii", labels::PII));
    classes
}

/// `shown` is each message's text as displayed (`engine::Audited::shown`): masking keeps every
/// character count, so evidence's character offsets hold in it.
pub fn build(
    ticket: &Ticket,
    score: &TicketScore,
    shown: &[Cow<'_, str>],
    lexicon: &Lexicon,
    sla_secs: u32,
) -> Conversation {
    let kept = ticket.messages.len().min(MAX_TURNS);
    let mut spans: Vec<Vec<Span>> = vec![Vec::new(); kept];
    for (order, e) in score.evidence.iter().enumerate() {
        if e.end > e.start && (e.message as usize) < kept {
            let mark = mark(e, score, lexicon);
            spans[e.message as usize].push(Span { start: e.start, end: e.end, order, mark });
        }
    }
    let cst = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    let mut day = None;
    let mut replies = score.replies.iter().peekable();
    let turns = ticket.messages[..kept]
        .iter()
        .zip(spans)
        .enumerate()
        .map(|(i, (message, spans))| {
            // The date once per day of the conversation, then the time of day only (formatted
            // by hand: chrono's formatter was 4% of a run on timestamped tickets).
            let time = message.ts_ms.and_then(DateTime::from_timestamp_millis).map(|t| {
                let t = t.with_timezone(&cst);
                if day == Some(t.date_naive()) {
                    time_of_day(&t)
                } else {
                    day = Some(t.date_naive());
                    t.format("%Y-%m-%d %H:%M:%S").to_string()
                }
            });
            while replies.next_if(|r| (r.message as usize) < i).is_some() {}
            let reply = replies.next_if(|r| r.message as usize == i);
            let gap = reply.and_then(|r| {
                let secs = r.secs?;
                let slow = secs > sla_secs;
                let why = r.first && slow && slow_first_response_is_a_reason(score, i);
                let what = if r.first { "首响" } else { "回复用时" };
                let late = if slow { ", 超时" } else { "" };
                Some(Gap { label: format!("{what} {}{late}", duration(secs)), slow, why })
            });
            let text = shown.get(i).map_or("", |t| t.as_ref());
            let (pieces, chars_omitted) = pieces(text, spans);
            let author = message.author.clone().filter(|a| *a != ticket.owner);
            Turn { message: i as u32, role: message.role, author, time, gap, pieces, chars_omitted }
        })
        .collect();
    Conversation { ticket_id: ticket.id.clone(), messages: ticket.messages.len(), turns }
}

/// `HH:MM:SS`, as chrono's `%H:%M:%S` writes it.
fn time_of_day(t: &DateTime<FixedOffset>) -> String {
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

fn slow_first_response_is_a_reason(score: &TicketScore, message: usize) -> bool {
    score.evidence.iter().any(|e| {
        e.message as usize == message
            && matches!(e.kind, EvidenceKind::SlowResponse { .. })
            && score.reason_behind(e).is_some()
    })
}

/// `45秒`, `2分15秒`, `1小时3分`.
fn duration(secs: u32) -> String {
    match secs {
        0..60 => format!("{secs}秒"),
        60..3600 => format!("{}分{}秒", secs / 60, secs % 60),
        _ => format!("{}小时{}分", secs / 3600, secs % 3600 / 60),
    }
}

fn mark(e: &Evidence, score: &TicketScore, lexicon: &Lexicon) -> Mark {
    let why = score.reason_behind(e);
    let (class, counts, effect, mut title) = match e.kind {
        EvidenceKind::Hit { entry, category, effect, .. } => {
            let label = labels::effect(effect, category);
            let mut title =
                format!("{} 「{}」", labels::category(category), lexicon.entry(entry).phrase);
            if let Some(label) = label {
                title.push_str(" · ");
                title.push_str(label);
            }
            if let Effect::Excepted(by) = effect {
                title.push_str(&format!(" (例外词「{}」)", lexicon.entry(by).phrase));
            }
            let counts = matcher::counts_as(category, effect).is_some();
            (category.key(), counts, label.filter(|_| effect != Effect::DoubleNegated), title)
        }
        EvidenceKind::Pii(kind) => {
            ("pii", true, None, format!("{} · {}", labels::PII, labels::pii(kind)))
        }
        EvidenceKind::SlowResponse { .. } | EvidenceKind::LowCsat(_) => {
            ("", true, None, String::new())
        }
    };
    if let Some(reason) = why {
        title.push_str(" · 标记原因: ");
        title.push_str(labels::reason(reason));
    }
    if e.disguised {
        title.push(' ');
        title.push_str(labels::DISGUISED);
    }
    Mark { class, why: why.is_some(), counts, effect, title }
}

#[derive(Debug, Clone)]
struct Span {
    start: u32,
    end: u32,
    /// Its place in the evidence: the first found wins a tie.
    order: usize,
    mark: Mark,
}

/// `text` cut into plain and marked pieces (character offsets), at most [`MAX_TURN_CHARS`]
/// characters of it, and how many characters were left out.
fn pieces(text: &str, mut spans: Vec<Span>) -> (Vec<Piece>, usize) {
    let total = text.chars().count();
    let shown = total.min(MAX_TURN_CHARS);
    // The byte offset of every shown character, and of the end.
    let mut byte: Vec<usize> = text.char_indices().map(|(b, _)| b).take(shown).collect();
    byte.push(text.char_indices().nth(shown).map_or(text.len(), |(b, _)| b));
    let clip = |c: u32| (c as usize).min(shown);
    spans.retain(|s| clip(s.start) < clip(s.end));
    spans.sort_by_key(|s| (s.start, s.order));
    let mut cuts: Vec<usize> = vec![0, shown];
    cuts.extend(spans.iter().flat_map(|s| [clip(s.start), clip(s.end)]));
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<Piece> = Vec::new();
    let mut active: Vec<&Span> = Vec::new();
    let mut next = spans.iter().peekable();
    for pair in cuts.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        active.retain(|s| clip(s.end) > from);
        while let Some(s) = next.next_if(|s| clip(s.start) <= from) {
            active.push(s);
        }
        let text = text[byte[from]..byte[to]].to_string();
        let best = active.iter().min_by_key(|s| (!s.mark.why, !s.mark.counts, s.order));
        let mark = best.map(|best| {
            let mut titles: Vec<&str> = Vec::new();
            let mut sorted = active.clone();
            sorted.sort_by_key(|s| s.order);
            for s in sorted {
                if !titles.contains(&s.mark.title.as_str()) {
                    titles.push(&s.mark.title);
                }
            }
            Mark { title: titles.join("；"), ..best.mark.clone() }
        });
        match (out.last_mut(), &mark) {
            (Some(last), None) if last.mark.is_none() => last.text.push_str(&text),
            _ => out.push(Piece { text, mark }),
        }
    }
    (out, total - shown)
}

/// The review queue's transcript: one line per message, `客户: …` (bot and system turns
/// labelled too), each message's text as displayed (masked unless `--no-mask`) with line
/// breaks and other control characters made spaces; cut on a character boundary after
/// [`TRANSCRIPT_CHARS`] characters, then `…(共 N 条消息)`.
pub fn transcript(ticket: &Ticket, shown: &[Cow<'_, str>]) -> String {
    let mut out = String::new();
    let mut left = TRANSCRIPT_CHARS;
    let cut_off = |out: &mut String| {
        out.push_str(&format!("…(共 {} 条消息)", ticket.messages.len()));
    };
    for (message, text) in ticket.messages.iter().zip(shown) {
        if !out.is_empty() {
            if left == 0 {
                cut_off(&mut out);
                return out;
            }
            out.push('\n');
            left -= 1;
        }
        for piece in [labels::role(message.role), ": ", text] {
            // Most pieces fit whole and hold no control character: copied in one go.
            let chars = piece.chars().count();
            if chars <= left && !piece.contains(char::is_control) {
                out.push_str(piece);
                left -= chars;
                continue;
            }
            for c in piece.chars().map(|c| if c.is_control() { ' ' } else { c }) {
                if left == 0 {
                    cut_off(&mut out);
                    return out;
                }
                out.push(c);
                left -= 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: u32, end: u32, order: usize, why: bool, title: &str) -> Span {
        let mark = Mark { class: "negative", why, counts: true, effect: None, title: title.into() };
        Span { start, end, order, mark }
    }

    fn cut(text: &str, spans: Vec<Span>) -> Vec<(String, Option<String>)> {
        let (pieces, _) = pieces(text, spans);
        pieces.into_iter().map(|p| (p.text, p.mark.map(|m| m.title))).collect()
    }

    #[test]
    fn the_time_of_day_reads_as_chronos_own_format() {
        let cst = FixedOffset::east_opt(8 * 3600).unwrap();
        // Midnight, the last second of a day, before 1970, a leap day, far ahead; every 7,919 s
        // over two years.
        let mut millis = vec![0, 86_399_999, -1, -86_400_001, 951_782_400_123, 4_102_444_799_999];
        millis.extend((0..8_000).map(|k| 1_700_000_000_000 + k * 7_919_000));
        for ms in millis {
            let t = DateTime::from_timestamp_millis(ms).unwrap().with_timezone(&cst);
            assert_eq!(time_of_day(&t), t.format("%H:%M:%S").to_string(), "{ms}");
        }
    }

    #[test]
    fn pieces_cut_text_at_marks_and_overlaps() {
        let p = |t: &str, m: Option<&str>| (t.to_string(), m.map(String::from));
        assert_eq!(cut("你好吗", vec![]), vec![p("你好吗", None)]);
        assert_eq!(
            cut("１３８好差劲", vec![span(4, 6, 0, false, "差劲")]),
            vec![p("１３８好", None), p("差劲", Some("差劲"))]
        );
        // Overlapping: the middle carries both tooltips, the mark behind a reason wins.
        let pieces =
            pieces("甲乙丙丁", vec![span(0, 3, 0, false, "A"), span(1, 4, 1, true, "B")]).0;
        let got: Vec<(&str, &str, bool)> = pieces
            .iter()
            .map(|p| {
                (
                    p.text.as_str(),
                    p.mark.as_ref().unwrap().title.as_str(),
                    p.mark.as_ref().unwrap().why,
                )
            })
            .collect();
        assert_eq!(got, vec![("甲", "A", false), ("乙丙", "A；B", true), ("丁", "B", true)]);
    }

    #[test]
    fn long_messages_are_cut_and_counted() {
        let text = "好".repeat(MAX_TURN_CHARS + 5);
        let (pieces, omitted) = pieces(
            &text,
            vec![span(MAX_TURN_CHARS as u32 - 1, MAX_TURN_CHARS as u32 + 3, 0, false, "x")],
        );
        assert_eq!(omitted, 5);
        assert_eq!(pieces.last().unwrap().text, "好");
        assert_eq!(pieces.iter().map(|p| p.text.chars().count()).sum::<usize>(), MAX_TURN_CHARS);
    }

    #[test]
    fn durations_read_as_people_say_them() {
        for (secs, want) in [(0, "0秒"), (59, "59秒"), (135, "2分15秒"), (3720, "1小时2分")]
        {
            assert_eq!(duration(secs), want);
        }
    }
}
