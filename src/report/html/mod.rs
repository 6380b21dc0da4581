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
//! (the order `pages` laid out); when it leaves some off, a table of the agent's flags by
//! reason links to `agents/<stem>/<reason>.html`, which lists all of them. Agent and reason
//! pages come in parts (head, one fragment per flagged ticket, tail) so they can be written
//! one ticket at a time.

mod agent;
mod radar;
mod team;

pub use agent::{agent_head, agent_tail, flagged_ticket, reason_head, reason_tail};
pub use team::index;

use html_escape::encode_text as text;

const STYLE: &str = "body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;\
margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}\
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem}\
th{background:#f3f3f3}td.n{text-align:right}mark{background:#ffd54f;padding:0 .1rem}\
.ev{margin:.2rem 0}.muted{color:#777}section{margin-bottom:2rem}svg text{font-size:12px}";

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
