//! `index.html`: the team page a QA lead reads first.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::page;
use crate::aggregate::Metrics;
use crate::report::labels;
use crate::report::markdown::{num, score, secs};
use crate::score::Reason;

/// `index.html`: counts, the per-agent table with links to the agent pages, flags by reason.
pub fn index(
    rows: &[(String, Option<String>, Metrics)],
    team: &Metrics,
    counts_line: &str,
    page_of: impl Fn(&str) -> String,
) -> Vec<u8> {
    let mut body = format!("<h1>质检汇总</h1>\n<p>{}</p>\n", text(counts_line));
    body.push_str(
        "<table><tr><th>客服</th><th>姓名</th><th>工单数</th><th>综合得分</th><th>共情/百词</th>\
         <th>服务禁语</th><th>首响中位数</th><th>满意度</th><th>合规得分</th><th>被标记</th></tr>\n",
    );
    for (id, name, m) in rows {
        let _ = writeln!(
            body,
            "<tr><td><a href=\"agents/{}.html\">{}</a></td><td>{}</td><td class=n>{}</td>\
             <td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td>\
             <td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            attr(&page_of(id)),
            text(id),
            text(name.as_deref().unwrap_or("")),
            m.tickets,
            score(m.score),
            num(m.categories["empathy"].per_100_words),
            m.categories["forbidden"].hits,
            text(&secs(m.first_response_median_secs)),
            num(m.csat_mean),
            num(m.compliance_score),
            m.flagged,
        );
    }
    let _ = writeln!(
        body,
        "<tr><th>团队</th><th></th><th class=n>{}</th><th class=n>{}</th><th></th><th></th>\
         <th></th><th></th><th></th><th class=n>{}</th></tr></table>",
        team.tickets,
        score(team.score),
        team.flagged
    );
    body.push_str("<h2>标记原因</h2>\n<table><tr><th>原因</th><th>代码</th><th>工单数</th></tr>\n");
    for r in Reason::ALL {
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td><code>{}</code></td><td class=n>{}</td></tr>",
            labels::reason(r),
            r.key(),
            team.flagged_by_reason[r.key()]
        );
    }
    body.push_str("</table>\n");
    page("质检汇总", &body)
}
