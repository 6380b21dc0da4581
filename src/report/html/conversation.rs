//! A flagged ticket's whole conversation on its agent page, from `report::conversation`: a
//! `<details>` (closed; the ticket's heading, reasons and evidence stay above it) holding the
//! turns as a chat — customer on the left, agent on the right, bot and system in the middle,
//! each with its role label, time and response time — and every hit marked in its category's
//! colour (`k-<category>`), bold and outlined when it backs a reason (`why`), struck through
//! with the rule beside it when it does not count (`x`), its tooltip naming entry, category
//! and rule. Every piece of text is escaped here.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use crate::report::conversation::{self, Conversation, Turn};
use crate::report::labels;
use crate::vocab::Role;

/// The conversation, closed until opened.
pub fn conversation(c: &Conversation) -> Vec<u8> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<details class=conv><summary>对话全文 ({} 条消息, 时间为{})</summary>\n<ol class=chat>",
        c.messages,
        labels::TIME_ZONE
    );
    for turn in &c.turns {
        push_turn(&mut out, turn);
    }
    out.push_str("</ol>\n");
    if c.turns_omitted() > 0 {
        let _ = writeln!(out, "<p class=muted>另有 {} 条消息未显示。</p>", c.turns_omitted());
    }
    out.push_str("</details>\n");
    out.into_bytes()
}

fn push_turn(out: &mut String, turn: &Turn) {
    let side = match turn.role {
        Role::Customer => "customer",
        Role::Agent => "agent",
        Role::Bot => "bot",
        Role::System => "system",
    };
    let _ = write!(
        out,
        "<li class=\"t {side}\"><div class=meta>#{} <strong>{}</strong>",
        turn.message + 1,
        labels::role(turn.role)
    );
    if let Some(author) = &turn.author {
        let _ = write!(out, " {}", text(author));
    }
    if let Some(time) = &turn.time {
        let _ = write!(out, " <time>{}</time>", text(time));
    }
    if let Some(gap) = &turn.gap {
        let class = match (gap.why, gap.slow) {
            (true, _) => "gap slow why",
            (false, true) => "gap slow",
            _ => "gap",
        };
        let _ = write!(out, " <span class=\"{class}\">{}</span>", text(&gap.label));
    }
    out.push_str("</div><div class=bubble>");
    for piece in &turn.pieces {
        match &piece.mark {
            None => out.push_str(&text(&piece.text)),
            Some(mark) => {
                let mut class = format!("k-{}", mark.class);
                if mark.why {
                    class.push_str(" why");
                }
                if !mark.counts {
                    class.push_str(" x");
                }
                let _ = write!(
                    out,
                    "<mark class=\"{class}\" title=\"{}\">{}</mark>",
                    attr(&mark.title),
                    text(&piece.text)
                );
                if let Some(effect) = mark.effect {
                    let _ = write!(out, "<small class=fx>〔{effect}〕</small>");
                }
            }
        }
    }
    if turn.chars_omitted > 0 {
        let _ = write!(out, "<small class=muted>…(另有 {} 字未显示)</small>", turn.chars_omitted);
    }
    out.push_str("</div></li>\n");
}

/// What the colours and styles of a conversation mean: once per agent page.
pub fn legend() -> String {
    let mut out = String::from("<p class=legend>对话图例:");
    for (class, label) in conversation::legend() {
        let _ = write!(out, " <mark class=\"k-{class}\">{label}</mark>");
    }
    out.push_str(
        " · <mark class=\"k-forbidden why\">加粗描边</mark> 为标记原因的依据 · \
         <mark class=\"k-negative x\">删除线</mark> 为被规则排除、不计 · 悬停查看词条与规则</p>\n",
    );
    out
}
