//! A [`Diff`] as the terminal table, JSON, Markdown and HTML. Formatting only: every value
//! is computed in `diff`. The pages list at most [`PAGE_TICKETS`] changed tickets and the
//! terminal [`TERMINAL_TICKETS`]; `--json` lists them all.

use std::fmt::Write;

use html_escape::encode_text as text;
use serde_json::Value;

use super::{Diff, Figure, Setting};
use crate::report::labels;

pub const TERMINAL_TICKETS: usize = 50;
pub const PAGE_TICKETS: usize = 1000;

fn value(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn number(x: Option<f64>) -> String {
    x.map_or(labels::UNKNOWN.to_string(), |x| format!("{x}"))
}

fn signed(x: Option<f64>) -> String {
    match x {
        Some(x) if x > 0.0 => format!("+{x}"),
        Some(x) => format!("{x}"),
        None => labels::UNKNOWN.to_string(),
    }
}

fn count(x: Option<u64>) -> String {
    x.map_or(labels::UNKNOWN.to_string(), |x| x.to_string())
}

fn setting(s: &Setting) -> String {
    format!("{} {} → {}", s.name, value(&s.old), value(&s.new))
}

fn figure(f: &Figure) -> String {
    format!("{} {} → {} ({})", f.figure, number(f.old), number(f.new), signed(f.delta))
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "—".into()
    } else {
        items.join(", ")
    }
}

/// One line per change of how the reports were made.
fn made_lines(diff: &Diff) -> Vec<String> {
    let c = &diff.changes;
    let mut lines = Vec::new();
    if let Some([old, new]) = &c.version {
        lines.push(format!("version {old} → {new}"));
    }
    lines.extend(c.options.iter().map(|s| format!("option {}", setting(s))));
    lines.extend(c.template.iter().map(|s| format!("template {}", setting(s))));
    let l = &c.lexicon;
    let tag = |exception: bool| if exception { " (exception)" } else { "" };
    lines.extend(
        l.added.iter().map(|e| format!("lexicon + {}:{}{}", e.category, e.entry, tag(e.exception))),
    );
    lines.extend(
        l.removed
            .iter()
            .map(|e| format!("lexicon − {}:{}{}", e.category, e.entry, tag(e.exception))),
    );
    lines.extend(l.changed.iter().map(|c| {
        format!("lexicon ~ {}:{} {} → {}", c.entry.category, c.entry.entry, c.old, c.new)
    }));
    lines.extend(l.unlisted.iter().map(|s| format!("lexicon file {}", setting(s))));
    lines
}

fn input_line(diff: &Diff) -> &'static str {
    if diff.same_input {
        "same input (equal fingerprints): tickets compared one by one"
    } else {
        "different input: aggregates compared only (the nightly trend)"
    }
}

/// The terminal table.
pub fn terminal(diff: &Diff) -> String {
    let mut out = format!("zhijian diff {} → {}\n", diff.old, diff.new);
    if diff.is_empty() {
        out.push_str("no change\n");
        return out;
    }
    let _ = writeln!(out, "{}", input_line(diff));
    let made = made_lines(diff);
    if !made.is_empty() {
        out.push_str("\nhow they were made\n");
        for line in made {
            let _ = writeln!(out, "  {line}");
        }
    }
    if !diff.team.is_empty() {
        out.push_str("\nteam\n");
        for f in &diff.team {
            let _ = writeln!(out, "  {}", figure(f));
        }
    }
    if !diff.agents.is_empty() {
        let _ = writeln!(
            out,
            "\nagents (score moved more than {} points first)\n  {:<16} {:>8} {:>8} {:>8}  changed figures",
            diff.threshold, "agent", "old", "new", "delta"
        );
        for a in &diff.agents {
            let only = a.only_in.map_or(String::new(), |side| format!(" (only in {side})"));
            let _ = writeln!(
                out,
                "  {:<16} {:>8} {:>8} {:>8}  {}{only}",
                a.agent_id,
                number(a.old),
                number(a.new),
                signed(a.delta),
                a.figures.len()
            );
        }
    }
    if !diff.entries.is_empty() {
        out.push_str("\nlexicon entries (hits, tickets)\n");
        for e in &diff.entries {
            let _ = writeln!(
                out,
                "  {}:{}  hits {} → {}, tickets {} → {}",
                e.category,
                e.entry,
                count(e.old_hits),
                count(e.new_hits),
                count(e.old_tickets),
                count(e.new_tickets)
            );
        }
    }
    if let Some(tickets) = &diff.tickets {
        let _ = writeln!(out, "\ntickets changed: {}", tickets.len());
        for t in tickets.iter().take(TERMINAL_TICKETS) {
            let _ = writeln!(out, "  {}", ticket_line(t));
        }
        if tickets.len() > TERMINAL_TICKETS {
            let _ =
                writeln!(out, "  … {} more (--json lists all)", tickets.len() - TERMINAL_TICKETS);
        }
    }
    out
}

fn ticket_line(t: &super::TicketDelta) -> String {
    let mut parts = vec![format!("{} ({})", t.ticket_id, t.agent_id)];
    if !t.gained.is_empty() {
        parts.push(format!("gained {}", t.gained.join(",")));
    }
    if !t.lost.is_empty() {
        parts.push(format!("lost {}", t.lost.join(",")));
    }
    if let Some(sample) = t.sample {
        parts.push(format!("{sample} the sample"));
    }
    parts.extend(t.compliance.iter().map(setting));
    if !t.entries.is_empty() {
        parts.push(format!("entries {}", t.entries.join(",")));
    }
    parts.join("; ")
}

pub fn json(diff: &Diff) -> Vec<u8> {
    crate::report::pretty_json(diff)
}

/// `diff.md`: the same as the page, for Markdown readers.
pub fn markdown(diff: &Diff) -> Vec<u8> {
    let md = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = format!("# 质检报告对比\n\n`{}` → `{}`\n\n", md(&diff.old), md(&diff.new));
    if diff.is_empty() {
        out.push_str("无变化。\n");
        return out.into_bytes();
    }
    let _ = writeln!(out, "{}\n", input_line(diff));
    let made = made_lines(diff);
    if !made.is_empty() {
        out.push_str("## 生成条件的变化\n\n");
        for line in made {
            let _ = writeln!(out, "- {}", md(&line));
        }
        out.push('\n');
    }
    if !diff.team.is_empty() {
        out.push_str("## 团队\n\n| 指标 | 旧 | 新 | 变化 |\n|---|---:|---:|---:|\n");
        for f in &diff.team {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                f.figure,
                number(f.old),
                number(f.new),
                signed(f.delta)
            );
        }
        out.push('\n');
    }
    if !diff.agents.is_empty() {
        let _ = writeln!(
            out,
            "## 客服 (综合得分变化超过 {} 分的在前)\n\n| 客服 | 旧 | 新 | 变化 | 变化的指标 |\n|---|---:|---:|---:|---|",
            diff.threshold
        );
        for a in &diff.agents {
            let figures: Vec<String> = a.figures.iter().map(figure).collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                md(&a.agent_id),
                number(a.old),
                number(a.new),
                signed(a.delta),
                md(&list(&figures))
            );
        }
        out.push('\n');
    }
    if !diff.entries.is_empty() {
        out.push_str(
            "## 词条\n\n| 类别 | 词条 | 命中 旧 → 新 | 工单 旧 → 新 |\n|---|---|---|---|\n",
        );
        for e in &diff.entries {
            let _ = writeln!(
                out,
                "| {} | {} | {} → {} | {} → {} |",
                e.category,
                md(&e.entry),
                count(e.old_hits),
                count(e.new_hits),
                count(e.old_tickets),
                count(e.new_tickets)
            );
        }
        out.push('\n');
    }
    if let Some(tickets) = &diff.tickets {
        let _ = writeln!(out, "## 变化的工单 ({} 张)\n", tickets.len());
        for t in tickets.iter().take(PAGE_TICKETS) {
            let _ = writeln!(out, "- {}", md(&ticket_line(t)));
        }
        if tickets.len() > PAGE_TICKETS {
            let _ = writeln!(
                out,
                "- … 另有 {} 张, 见 `zhijian diff --json`",
                tickets.len() - PAGE_TICKETS
            );
        }
    }
    out.into_bytes()
}

/// `diff.html`: self-contained, every input-derived string escaped.
pub fn html(diff: &Diff) -> Vec<u8> {
    let mut body = format!(
        "<h1>质检报告对比</h1>\n<p><code>{}</code> → <code>{}</code></p>\n",
        text(&diff.old),
        text(&diff.new)
    );
    if diff.is_empty() {
        body.push_str("<p>无变化。</p>\n");
        return crate::report::html::page("质检报告对比", &body);
    }
    let _ = writeln!(body, "<p>{}</p>", text(input_line(diff)));
    let made = made_lines(diff);
    if !made.is_empty() {
        body.push_str("<h2>生成条件的变化</h2>\n<ul>");
        for line in made {
            let _ = write!(body, "<li>{}</li>", text(&line));
        }
        body.push_str("</ul>\n");
    }
    let row = |cells: &[String]| -> String {
        let cells: String = cells.iter().map(|c| format!("<td>{}</td>", text(c))).collect();
        format!("<tr>{cells}</tr>\n")
    };
    if !diff.team.is_empty() {
        body.push_str(
            "<h2>团队</h2>\n<table><tr><th>指标</th><th>旧</th><th>新</th><th>变化</th></tr>\n",
        );
        for f in &diff.team {
            body.push_str(&row(&[f.figure.clone(), number(f.old), number(f.new), signed(f.delta)]));
        }
        body.push_str("</table>\n");
    }
    if !diff.agents.is_empty() {
        let _ = writeln!(
            body,
            "<h2>客服 (综合得分变化超过 {} 分的在前)</h2>\n<table><tr><th>客服</th><th>旧</th><th>新</th><th>变化</th><th>变化的指标</th></tr>",
            diff.threshold
        );
        for a in &diff.agents {
            let figures: Vec<String> = a.figures.iter().map(figure).collect();
            body.push_str(&row(&[
                a.agent_id.clone(),
                number(a.old),
                number(a.new),
                signed(a.delta),
                list(&figures),
            ]));
        }
        body.push_str("</table>\n");
    }
    if !diff.entries.is_empty() {
        body.push_str(
            "<h2>词条</h2>\n<table><tr><th>类别</th><th>词条</th><th>命中 旧 → 新</th><th>工单 旧 → 新</th></tr>\n",
        );
        for e in &diff.entries {
            body.push_str(&row(&[
                e.category.clone(),
                e.entry.clone(),
                format!("{} → {}", count(e.old_hits), count(e.new_hits)),
                format!("{} → {}", count(e.old_tickets), count(e.new_tickets)),
            ]));
        }
        body.push_str("</table>\n");
    }
    if let Some(tickets) = &diff.tickets {
        let _ = writeln!(body, "<h2>变化的工单 ({} 张)</h2>\n<ul>", tickets.len());
        for t in tickets.iter().take(PAGE_TICKETS) {
            let _ = writeln!(body, "<li>{}</li>", text(&ticket_line(t)));
        }
        body.push_str("</ul>\n");
        if tickets.len() > PAGE_TICKETS {
            let _ = writeln!(
                body,
                "<p>另有 {} 张, 见 <code>zhijian diff --json</code>。</p>",
                tickets.len() - PAGE_TICKETS
            );
        }
    }
    crate::report::html::page("质检报告对比", &body)
}
