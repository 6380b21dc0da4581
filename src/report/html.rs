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

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use crate::aggregate::{Metrics, ScoreComponents};
use crate::check::CheckId;
use crate::report::jsonl::{EvidenceLine, FlaggedTicket};
use crate::report::markdown::{describe, figure_rows, num, score, secs, share};
use crate::report::{labels, reason_page_path, AgentPage, ReasonPage};
use crate::score::Reason;

const STYLE: &str = "body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;\
margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}\
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem}\
th{background:#f3f3f3}td.n{text-align:right}mark{background:#ffd54f;padding:0 .1rem}\
.ev{margin:.2rem 0}.muted{color:#777}section{margin-bottom:2rem}svg text{font-size:12px}";

const PAGE_END: &str = "</body></html>\n";

fn page_head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head>\n<body>\n",
        text(title)
    )
}

fn page(title: &str, body: &str) -> Vec<u8> {
    format!("{}{body}{PAGE_END}", page_head(title)).into_bytes()
}

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
    body.push_str("</table></section>\n");

    let _ = writeln!(
        body,
        "<section><h2>抽检合规 ({} 张工单)</h2>\n<table><tr><th>检查项</th><th>通过</th>\
         <th>不通过</th><th>未知</th><th>通过率</th></tr>",
        m.sampled
    );
    for c in CheckId::ALL {
        let cm = &m.compliance[c.key()];
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td>\
             <td class=n>{}</td></tr>",
            labels::check(c),
            cm.pass,
            cm.fail,
            cm.unknown,
            share(cm.pass_rate)
        );
    }
    body.push_str("</table></section>\n");

    let _ = writeln!(body, "<section><h2>被标记工单 ({} 张)</h2>", m.flagged);
    if agent.flagged_total > agent.flagged_shown {
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
                    attr(&reason_page_path(agent.stem, line.reason)),
                    line.total
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td>\
                 <td>{link}</td></tr>",
                labels::reason(line.reason),
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
    if agent.flagged_total > agent.flagged_shown {
        let more = agent.flagged_total - agent.flagged_shown;
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
        labels::reason(page.line.reason),
        page.line.total,
        labels::severity(page.line.severity)
    );
    body.into_bytes()
}

/// `agents/<agent>/<reason>.html` after its flagged tickets.
pub fn reason_tail() -> Vec<u8> {
    format!("</section>\n{PAGE_END}").into_bytes()
}

/// One flagged ticket, as agent and reason pages list it.
pub fn flagged_ticket(ticket: &FlaggedTicket) -> Vec<u8> {
    let mut body = String::new();
    let reasons: Vec<&str> = ticket.reasons.iter().map(|r| labels::reason_key(r)).collect();
    let _ = writeln!(
        body,
        "<h3>工单 {}</h3>\n<p>原因: {} (等级: {})</p>",
        text(&ticket.ticket_id),
        text(&reasons.join("、")),
        labels::severity(ticket.severity)
    );
    for e in &ticket.evidence {
        let role = crate::parse::Role::parse(&e.role).map_or("", labels::role);
        let _ = writeln!(
            body,
            "<p class=ev>消息#{} ({role}) {}{}</p>",
            e.message + 1,
            text(&describe(e)),
            highlighted(e)
        );
    }
    if ticket.evidence_omitted > 0 {
        let _ =
            writeln!(body, "<p class=muted>另有 {} 处证据未列出。</p>", ticket.evidence_omitted);
    }
    body.into_bytes()
}

/// The hit marked inside its context, every part escaped.
fn highlighted(e: &EvidenceLine) -> String {
    let (Some(context), Some(hit)) = (&e.context, &e.text) else { return String::new() };
    match context.find(hit.as_str()).filter(|_| !hit.is_empty()) {
        Some(at) => format!(
            ": {}<mark>{}</mark>{}",
            text(&context[..at]),
            text(hit),
            text(&context[at + hit.len()..])
        ),
        None => format!(": {}", text(context)),
    }
}

/// An inline SVG radar chart of the six score components: the agent's shape filled, the
/// team's a dashed outline drawn over it, so neither hides the other. A component without data
/// gets no vertex: the shape skips its axis, the axis is dashed and its label says 无数据 —
/// never a point at the centre, which would read as 0. Labels sit beyond the outer ring,
/// anchored by the side they are on (start on the right, end on the left, middle at top and
/// bottom), so none overlaps a shape.
fn radar(mine: &ScoreComponents, team: &ScoreComponents) -> String {
    const CX: f64 = 210.0;
    const CY: f64 = 150.0;
    const RADIUS: f64 = 100.0;
    /// Labels start this far out, past the outer ring (value 100).
    const LABEL_AT: f64 = 112.0;
    let angle =
        |axis: usize| std::f64::consts::TAU * axis as f64 / 6.0 - std::f64::consts::FRAC_PI_2;
    let point = |axis: usize, value: f64| {
        let r = RADIUS * value.clamp(0.0, 100.0) / 100.0;
        (CX + r * angle(axis).cos(), CY + r * angle(axis).sin())
    };
    let points = |values: &[Option<f64>]| -> Vec<(f64, f64)> {
        values.iter().enumerate().filter_map(|(axis, v)| v.map(|v| point(axis, v))).collect()
    };
    let joined = |points: &[(f64, f64)]| -> String {
        points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ")
    };
    let mut svg = String::from(
        "<svg width=\"420\" height=\"300\" viewBox=\"0 0 420 300\" role=\"img\" \
         aria-label=\"综合得分构成\" style=\"float:right;margin-left:1rem\">",
    );
    for ring in [25.0, 50.0, 75.0, 100.0] {
        let _ = write!(
            svg,
            "<polygon points=\"{}\" fill=\"none\" stroke=\"#ddd\"/>",
            joined(&points(&[Some(ring); 6]))
        );
    }
    let values = mine.values();
    for (axis, label) in labels::COMPONENTS.iter().enumerate() {
        let (x, y) = point(axis, 100.0);
        let (cos, sin) = (angle(axis).cos(), angle(axis).sin());
        let (lx, ly) = (CX + LABEL_AT * cos, CY + LABEL_AT * sin);
        let anchor = match cos {
            c if c > 0.1 => "start",
            c if c < -0.1 => "end",
            _ => "middle",
        };
        // Above the top vertex, below the bottom one, centred beside the others.
        let dy = match sin {
            s if s < -0.9 => "0",
            s if s > 0.9 => "0.8em",
            _ => "0.35em",
        };
        let (stroke, value, fill) = match values[axis] {
            Some(v) => ("stroke=\"#ddd\"", format!("{v:.0}"), ""),
            None => (
                "stroke=\"#bbb\" stroke-dasharray=\"2 3\"",
                labels::NO_DATA.to_string(),
                " fill=\"#888\"",
            ),
        };
        let _ = write!(
            svg,
            "<line x1=\"{CX}\" y1=\"{CY}\" x2=\"{x:.1}\" y2=\"{y:.1}\" {stroke}/>\
             <text x=\"{lx:.1}\" y=\"{ly:.1}\" dy=\"{dy}\" text-anchor=\"{anchor}\"{fill}>{label} {value}</text>"
        );
    }
    let mine_points = points(&values);
    if !mine_points.is_empty() {
        let _ = write!(
            svg,
            "<polygon class=\"mine\" points=\"{}\" fill=\"#42a5f5\" fill-opacity=\"0.3\" \
             stroke=\"#1e88e5\"/>",
            joined(&mine_points)
        );
    }
    for (x, y) in &mine_points {
        let _ = write!(svg, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#1e88e5\"/>");
    }
    let team_points = points(&team.values());
    if !team_points.is_empty() {
        let _ = write!(
            svg,
            "<polygon class=\"team\" points=\"{}\" fill=\"none\" stroke=\"#455a64\" \
             stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>",
            joined(&team_points)
        );
    }
    svg.push_str("<text x=\"8\" y=\"292\">蓝: 本人 灰虚线: 团队 (无数据的分项不画点)</text></svg>");
    svg
}
