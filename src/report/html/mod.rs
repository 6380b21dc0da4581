//! `index.html` (the team) and `agents/<agent>.html` (one agent): self-contained pages for QA
//! leads and coaches — inline CSS and SVG, no external resource, so they open offline from a
//! file share. Each page carries a Content-Security-Policy that forbids everything else
//! ([`CSP`]); the team page alone has one inline script (sorting its table), allowed by its
//! sha256 and nothing more, and reads fully without it. Every piece of text that came from input (transcript, ids,
//! names, lexicon entries) goes through `html_escape`; personal data is already masked in the
//! evidence unless `--no-mask`, and evidence whose text hid invisible characters is marked
//! 〔含隐藏字符〕. The agent page shows the agent beside the team, a radar chart of the six
//! score components (one without data has no vertex and reads 无数据), compliance on the
//! sample and the flagged tickets with each hit marked inside its context, most serious first
//! (the order `pages` laid out), each opening (`<details>`) to its whole conversation as a
//! chat (`conversation.rs`, with a colour legend once per page); when it leaves some off, a
//! table of the agent's flags by reason links to `agents/<stem>/<reason>.html`, which lists all
//! of them with their brief evidence only (no conversation: those pages can list thousands of
//! tickets). Agent and reason pages come in parts (head, one fragment per flagged ticket,
//! tail) so they can be written one ticket at a time.

mod agent;
mod conversation;
mod radar;
mod team;

pub use agent::{agent_head, agent_tail, flagged_ticket, reason_head, reason_tail};
pub use conversation::conversation;
pub use team::index;

use html_escape::encode_text as text;

const STYLE: &str = "body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;\
margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}\
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem}\
th{background:#f3f3f3}td.n{text-align:right}mark{background:#ffd54f;padding:0 .1rem}\
.ev{margin:.2rem 0}.ev mark.why{background:#ffab91;font-weight:600;outline:1px solid #bf360c}\
.backs{font-size:.8rem;color:#fff;background:#b71c1c;border-radius:.3rem;padding:0 .3rem}.muted{color:#777}.kpimark{border-left:4px solid #b71c1c;background:#ffebee;padding:.5rem .8rem}section{margin-bottom:2rem}svg text{font-size:12px}body,td,.ev{overflow-wrap:anywhere}table{max-width:100%}details.conv{margin:.4rem 0 1.4rem}details.conv>summary{cursor:pointer;color:#1565c0}ol.chat{list-style:none;padding:0;margin:.5rem 0;max-width:48rem}.t{display:flex;flex-direction:column;align-items:flex-start;margin:.5rem 0}.t.agent{align-items:flex-end}.t.bot,.t.system{align-items:center}.meta{font-size:.8rem;color:#666;margin:0 .3rem}.bubble{max-width:85%;padding:.4rem .7rem;border-radius:.7rem;background:#f1f1f1;white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.6}.t.agent .bubble{background:#e3f2fd}.t.bot .bubble,.t.system .bubble{background:none;color:#777;font-size:.9rem}.gap.slow{color:#b71c1c}.gap.why{font-weight:bold}mark.why{font-weight:bold;outline:2px solid #b71c1c}mark.x{text-decoration:line-through;opacity:.7}.fx{font-size:.75rem;color:#777}.legend{font-size:.9rem;line-height:2}mark.k-empathy{background:#c8e6c9}mark.k-filler{background:#e0e0e0}mark.k-jargon{background:#e1bee7}mark.k-negative{background:#ffcdd2}mark.k-positive{background:#bbdefb}mark.k-forbidden{background:#ff8a65}mark.k-greeting{background:#b2dfdb}mark.k-closing{background:#dcedc8}mark.k-off_platform{background:#ffb74d}mark.k-pii{background:#b0bec5}";

pub(super) const PAGE_END: &str = "</body></html>\n";

/// What a page may load: its own inline styles and `data:` images, nothing else (no script,
/// no request, no form, no `<base>`).
pub(super) const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

pub(super) fn page_head(title: &str) -> String {
    page_head_with(title, CSP, "")
}

/// A page head with its own policy and CSS added after the shared [`STYLE`].
pub(super) fn page_head_with(title: &str, csp: &str, css: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}{css}</style></head>\n<body>\n",
        html_escape::encode_double_quoted_attribute(csp),
        text(title)
    )
}

pub(crate) fn page(title: &str, body: &str) -> Vec<u8> {
    format!("{}{body}{PAGE_END}", page_head(title)).into_bytes()
}

/// The overall scores of the last runs as a small inline SVG line (0–100 bottom to top), the
/// last point (tonight) marked; an unknown score breaks the line. Empty without scores.
pub(super) fn sparkline(scores: &[Option<f64>]) -> String {
    use std::fmt::Write;
    const W: f64 = 120.0;
    const H: f64 = 24.0;
    if scores.iter().all(Option::is_none) {
        return String::new();
    }
    let step = if scores.len() > 1 { W / (scores.len() - 1) as f64 } else { 0.0 };
    let at = |i: usize, v: f64| (i as f64 * step, H - H * v.clamp(0.0, 100.0) / 100.0);
    let mut svg = format!(
        "<svg class=spark width=\"{W}\" height=\"{H}\" viewBox=\"-2 -2 {} {}\" role=img aria-label=\"近 {} 次综合得分\">",
        W + 4.0,
        H + 4.0,
        scores.len()
    );
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, svg: &mut String| {
        if run.len() > 1 {
            let _ = write!(
                svg,
                "<polyline points=\"{}\" fill=none stroke=\"#1e88e5\"/>",
                run.join(" ")
            );
        }
        run.clear();
    };
    for (i, score) in scores.iter().enumerate() {
        match score {
            Some(v) => {
                let (x, y) = at(i, *v);
                run.push(format!("{x:.1},{y:.1}"));
            }
            None => flush(&mut run, &mut svg),
        }
    }
    flush(&mut run, &mut svg);
    if let Some(Some(v)) = scores.last() {
        let (x, y) = at(scores.len() - 1, *v);
        let _ = write!(svg, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2\" fill=\"#1e88e5\"/>");
    }
    let shown: Vec<String> = scores
        .iter()
        .map(|s| s.map_or(crate::report::labels::UNKNOWN.to_string(), |v| format!("{v:.1}")))
        .collect();
    let _ = write!(svg, "<title>{}</title></svg>", text(&shown.join(" → ")));
    svg
}
