//! `index.html` (the team) and `agents/<agent>.html` (one agent): self-contained pages for QA
//! leads and coaches — inline CSS and SVG, no script, no external resource, so they open
//! offline from a file share. Every piece of text that came from input (transcript, ids,
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

pub(super) fn page_head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head>\n<body>\n",
        text(title)
    )
}

pub(crate) fn page(title: &str, body: &str) -> Vec<u8> {
    format!("{}{body}{PAGE_END}", page_head(title)).into_bytes()
}
