//! `agents/<agent>.html` and its reason pages `agents/<agent>/<reason>.html`, in parts (head,
//! one fragment per flagged ticket, tail) so they are written one ticket at a time.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::radar::radar;
use super::{page_head, PAGE_END};
use crate::report::jsonl::{EvidenceLine, FlaggedTicket};
use crate::report::markdown::{describe, figure_rows, kpi_rows, share};
use crate::report::{labels, reason_page_path, AgentPage, ReasonPage};
use crate::template::Template;

/// `agents/<agent>.html` up to its flagged tickets: the figures, compliance on the sample, and
/// when the page leaves flagged tickets off, the agent's flags by reason with links.
pub fn agent_head(agent: &AgentPage) -> Vec<u8> {
    let AgentPage { metrics: m, team, .. } = *agent;
    let title = agent.title();
    let mut body = page_head(&title);
    let _ = writeln!(
        body,
        "<p><a href=\"../index.html\">← 团队汇总</a></p>\n<h1>{}</h1>",
        text(&title)
    );
    if let Some(mark) = crate::report::figures::kpi_mark(agent.kpi) {
        let _ = writeln!(body, "<p class=kpimark role=note>{}</p>", text(&mark));
    }
    body.push_str("<section>");
    body.push_str(&radar(&m.score_components, &team.score_components));
    body.push_str("<table><tr><th>指标</th><th>本人</th><th>团队</th></tr>\n");
    for (label, mine, all) in figure_rows(m, team) {
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            text(&label),
            text(&mine),
            text(&all)
        );
    }
    body.push_str("</table>");
    if let Some(change) = agent.change {
        body.push_str(&trend_line(change));
    }
    body.push_str("</section>\n");

    body.push_str(
        "<section><h2>KPI</h2>\n<table class=kpi><tr><th>指标</th><th>本人</th><th>团队</th>\
         <th>目标</th><th>状态</th></tr>\n",
    );
    for [label, mine, team, target, status] in kpi_rows(agent) {
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td><td>{}</td></tr>",
            text(&label),
            text(&mine),
            text(&team),
            text(&target),
            text(&status)
        );
    }
    body.push_str("</table></section>\n");

    let _ = writeln!(
        body,
        "<section><h2>抽检合规 ({} 张工单)</h2>\n<table><tr><th>检查项</th><th>通过</th>\
         <th>不通过</th><th>未知</th><th>通过率</th></tr>",
        m.sampled
    );
    for cm in &m.compliance {
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td>\
             <td class=n>{}</td></tr>",
            text(&cm.label),
            cm.pass,
            cm.fail,
            cm.unknown,
            share(cm.pass_rate)
        );
    }
    body.push_str("</table></section>\n");

    let _ = writeln!(body, "<section><h2>被标记工单 ({} 张)</h2>", m.flagged);
    if agent.flagged_shown > 0 {
        body.push_str(&super::conversation::legend());
    }
    if agent.flagged_left_off() > 0 {
        let _ = writeln!(
            body,
            "<p>按严重程度、工单号排列。本页列出 {} 张: 违规及一票否决级的全部列出, 其余见各原因的完整列表。</p>\n\
             <table><tr><th>原因</th><th>等级</th><th>工单数</th><th>本页列出</th><th>完整列表</th></tr>",
            agent.flagged_shown
        );
        for line in agent.reasons {
            let link = if line.has_page() {
                format!(
                    "<a href=\"{}.html\">全部 {} 张</a>",
                    attr(&reason_page_path(agent.stem, line.reason, agent.template)),
                    line.total
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td>\
                 <td>{link}</td></tr>",
                text(labels::flag_reason(line.reason, agent.template)),
                labels::severity(line.severity),
                line.total,
                line.shown
            );
        }
        body.push_str("</table>\n");
    }
    body.into_bytes()
}

/// `agents/<agent>.html` after its flagged tickets.
pub fn agent_tail(agent: &AgentPage) -> Vec<u8> {
    let mut body = String::new();
    if agent.flagged_left_off() > 0 {
        let more = agent.flagged_left_off();
        let _ = writeln!(
            body,
            "<p class=muted>另有 {more} 张较轻的被标记工单未在本页列出, 见上表各原因的完整列表。</p>"
        );
    }
    body.push_str("</section>\n");
    body.push_str(PAGE_END);
    body.into_bytes()
}

/// `agents/<agent>/<reason>.html` up to its flagged tickets.
pub fn reason_head(page: &ReasonPage) -> Vec<u8> {
    let title = page.title();
    let mut body = page_head(&title);
    let _ = writeln!(
        body,
        "<p><a href=\"../{}.html\">← {}</a> · <a href=\"../../index.html\">团队汇总</a></p>\n\
         <h1>{}</h1>\n<section><h2>{} ({} 张)</h2>\n<p class=muted>原因等级: {}。按严重程度、工单号排列。</p>",
        attr(page.agent.stem),
        text(page.agent.id),
        text(&title),
        text(labels::flag_reason(page.line.reason, page.agent.template)),
        page.line.total,
        labels::severity(page.line.severity)
    );
    body.into_bytes()
}

/// `agents/<agent>/<reason>.html` after its flagged tickets.
pub fn reason_tail() -> Vec<u8> {
    format!("</section>\n{PAGE_END}").into_bytes()
}

/// One flagged ticket, as agent and reason pages list it. With its conversation below it (an
/// agent page), only the evidence behind its reasons is listed, each item with the reason it
/// backs, and the other hits are counted: they are all marked in the conversation. Without
/// (a reason page), every item is listed.
pub fn flagged_ticket(
    ticket: &FlaggedTicket,
    with_conversation: bool,
    template: &Template,
) -> Vec<u8> {
    let mut body = String::new();
    let reasons: Vec<&str> =
        ticket.reasons.iter().map(|&r| labels::flag_reason(r, template)).collect();
    let _ = writeln!(
        body,
        "<h3>工单 {}</h3>\n<p>原因: {} (等级: {})</p>",
        text(&ticket.ticket_id),
        text(&reasons.join("、")),
        labels::severity(ticket.severity)
    );
    let (listed, others) = ticket.evidence_listed(with_conversation);
    for e in listed {
        let role = labels::role(e.role);
        let backs = e.backs.map_or(String::new(), |r| {
            format!("<span class=backs>{}</span> ", text(labels::flag_reason(r, template)))
        });
        let _ = writeln!(
            body,
            "<p class=ev>{backs}消息#{} ({role}) {}{}</p>",
            e.message + 1,
            text(&describe(e)),
            highlighted(e, e.backs.is_some())
        );
    }
    if others > 0 {
        let _ = writeln!(
            body,
            "<p class=muted>另有 {others} 处命中不构成标记原因, 在下方对话全文中标出。</p>"
        );
    }
    if ticket.evidence_omitted > 0 {
        let _ =
            writeln!(body, "<p class=muted>另有 {} 处证据未列出。</p>", ticket.evidence_omitted);
    }
    body.into_bytes()
}

/// The hit marked inside its context, every part escaped.
fn highlighted(e: &EvidenceLine, why: bool) -> String {
    let (Some(context), Some(hit)) = (&e.context, &e.text) else { return String::new() };
    let mark = if why { "<mark class=why>" } else { "<mark>" };
    match context.find(hit.as_str()).filter(|_| !hit.is_empty()) {
        Some(at) => format!(
            ": {}{mark}{}</mark>{}",
            text(&context[..at]),
            text(hit),
            text(&context[at + hit.len()..])
        ),
        None => format!(": {}", text(context)),
    }
}

/// The agent's change since the baseline, recent scores and repeated conduct reasons.
fn trend_line(change: &crate::trend::Change) -> String {
    use crate::report::figures;
    let baseline = figures::baseline_text(change).unwrap_or_default();
    let mut html = format!("<p class=trend>{}", text(&baseline));
    if !change.scores.is_empty() {
        let _ =
            write!(html, " 近 {} 次: {}", change.scores.len(), super::sparkline(&change.scores));
        let _ = write!(html, " {}", figures::means_text(change));
    }
    let repeated = figures::repeated(change);
    if !repeated.is_empty() {
        let _ = write!(
            html,
            " <span class=lowmark>⚠ 屡犯 (近 7 次中 ≥ 3 次): {}</span>",
            text(&repeated)
        );
    }
    html.push_str("</p>");
    html
}
