//! `index.html`: the team page a QA lead reads first, rendered from `report::TeamPage` (which
//! computed every figure): run facts, hints, the agent table with the team's row (sortable by
//! a click on a header when script runs; it reads fully without), the overall-score
//! histogram as inline SVG and flags by reason. At 390 px the tables scroll sideways inside
//! their box with the agent column held in place, and everything else wraps.

use std::fmt::Write;

use base64::Engine as _;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use sha2::{Digest, Sha256};

use super::{page_head_with, PAGE_END};
use crate::report::figures;
use crate::report::kpi::Card;
use crate::report::labels::{self, NO_DATA, UNKNOWN};
use crate::report::markdown::{kpi_cell, num, score, secs, share};
use crate::report::team_page::{RowFigures, ScoreBins, TeamPage, BINS, COLUMNS, KPI_COLUMNS};

/// The team page's own CSS (the shared `STYLE` is in `mod.rs`).
const TEAM_STYLE: &str = ".facts{display:grid;grid-template-columns:max-content 1fr;\
gap:.2rem .8rem;margin:1rem 0}.facts dt{font-weight:600}.facts dd{margin:0;overflow-wrap:anywhere}\
.hint{border-left:4px solid #e65100;background:#fff3e0;padding:.5rem .8rem;margin:1rem 0}\
.scroll{overflow-x:auto;max-width:100%}.scroll table{margin:0}table.agents th,table.agents td,table.reasons th,table.reasons td{white-space:nowrap}\
table.reasons td:first-child{white-space:normal}table.reasons code{font-size:.8em;\
word-break:break-all}\
table.agents th:first-child,table.agents td:first-child{position:sticky;left:0;z-index:1;\
background:#fff}table.agents thead th:first-child,table.agents tfoot th{background:#f3f3f3}\
table.agents tfoot th,table.agents tfoot td{border-top:2px solid #888;font-weight:600}\
tr.low td,tr.low td:first-child{background:#fff8e1}.lowmark,.kpimiss{color:#b71c1c;white-space:nowrap}\
th[tabindex]{cursor:pointer}th[aria-sort=ascending]::after{content:' ▲'}\
th[aria-sort=descending]::after{content:' ▼'}svg.hist{width:100%;max-width:32rem;height:auto}svg.hist text{font-size:14px}\
.bar{fill:#5c6bc0}.bar.low{fill:#ef8a65}.axis{stroke:#444}.threshold{stroke:#b71c1c;\
stroke-dasharray:4 3}@media (max-width:30rem){body{margin:1rem auto;padding:0 .5rem}\
.facts{grid-template-columns:1fr}.facts dd{margin-bottom:.4rem}}";

/// Sorts the agent table by the clicked header (or Enter/Space on it): numbers by their
/// `data-v` (an unknown figure, `data-v=""`, always last), text by Chinese collation. The team
/// row is in `<tfoot>` and stays put. Marks the table `data-sortable` once wired.
const SORT_SCRIPT: &str = "(function(){var t=document.querySelector('table.agents');\
if(!t)return;var hs=t.tHead.rows[0].cells;\
function key(c){return c.hasAttribute('data-v')?c.getAttribute('data-v'):null;}\
Array.prototype.forEach.call(hs,function(h,i){h.tabIndex=0;h.setAttribute('aria-sort','none');\
function go(){var asc=h.getAttribute('aria-sort')!=='ascending';var b=t.tBodies[0];\
var rs=Array.prototype.slice.call(b.rows);rs.sort(function(x,y){var a=key(x.cells[i]),\
c=key(y.cells[i]);if(a!==null||c!==null){if(!a)return c?1:0;if(!c)return -1;\
var d=parseFloat(a)-parseFloat(c);return asc?d:-d;}\
var e=x.cells[i].textContent.localeCompare(y.cells[i].textContent,'zh');return asc?e:-e;});\
rs.forEach(function(r){b.appendChild(r);});\
Array.prototype.forEach.call(hs,function(o){o.setAttribute('aria-sort','none');});\
h.setAttribute('aria-sort',asc?'ascending':'descending');}\
h.addEventListener('click',go);h.addEventListener('keydown',function(e){\
if(e.key==='Enter'||e.key===' '){e.preventDefault();go();}});});\
t.setAttribute('data-sortable','1');})();";

/// `'sha256-<base64>'`: the CSP source that allows exactly [`SORT_SCRIPT`].
fn script_source() -> String {
    let digest = Sha256::digest(SORT_SCRIPT.as_bytes());
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
}

/// The team page's policy: the shared one, plus its one script by hash.
fn policy() -> String {
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src {}; \
         base-uri 'none'; form-action 'none'",
        script_source()
    )
}

pub fn index(page: &TeamPage) -> Vec<u8> {
    let mut body = String::from("<h1>质检汇总</h1>\n");
    facts(&mut body, page);
    let _ = writeln!(body, "<p>{}</p>", text(&page.counts_line()));
    for hint in &page.hints {
        let _ = writeln!(body, "<p class=hint role=note>⚠ {}</p>", text(&hint.text()));
    }
    agent_table(&mut body, page);
    histogram(&mut body, page);
    trend(&mut body, page);
    reasons(&mut body, page);
    let _ = writeln!(body, "<script>{SORT_SCRIPT}</script>");
    let mut out = page_head_with("质检汇总", &policy(), TEAM_STYLE);
    out.push_str(&body);
    out.push_str(PAGE_END);
    out.into_bytes()
}

fn facts(body: &mut String, page: &TeamPage) {
    let f = &page.facts;
    let period =
        figures::period(&f.period).unwrap_or_else(|| format!("{NO_DATA} (没有带时间的消息)"));
    body.push_str("<dl class=facts>\n");
    let _ = writeln!(body, "<dt>数据期间</dt><dd class=period>{}</dd>", text(&period));
    let names: Vec<String> =
        f.inputs.iter().map(|name| format!("<code>{}</code>", text(name))).collect();
    let more = page.more_inputs().map_or(String::new(), |m| format!(" {m}"));
    let _ = writeln!(body, "<dt>输入文件</dt><dd class=inputs>{}{more}</dd>", names.join(", "));
    let _ = writeln!(body, "<dt>口径</dt><dd class=options>{}</dd>", text(&page.options_text()));
    let _ = writeln!(
        body,
        "<dt>运行时刻</dt><dd>见 manifest.json 的 <code>runtime.started_at</code> (不写入本页: \
         同样的输入与选项, 报告逐字节相同)</dd>"
    );
    body.push_str("</dl>\n");
}

/// A numeric cell: its sort key in `data-v` (empty when unknown) and its text.
fn cell(value: Option<String>, shown: &str) -> String {
    format!("<td class=n data-v=\"{}\">{}</td>", attr(value.as_deref().unwrap_or("")), text(shown))
}

/// A row's figures, then its KPIs with their denominators (sorted by the figure; — and an
/// empty sort key when unknown), then the missed targets with their gaps.
fn figure_cells(r: &RowFigures, kpi: &Card, low: Option<f64>, change: Option<String>) -> String {
    let mut low_mark = match low {
        Some(line) => format!(" <span class=lowmark>⚠ 低于 {line}</span>"),
        None => String::new(),
    };
    if let Some(change) = change {
        let _ = write!(low_mark, " <span class=delta title=\"较基线\">{}</span>", text(&change));
    }
    let score_cell = format!(
        "<td class=n data-v=\"{}\">{}{low_mark}</td>",
        r.score.map_or(String::new(), |s| s.to_string()),
        text(&score(r.score))
    );
    let cells = [
        cell(Some(r.tickets.to_string()), &r.tickets.to_string()),
        score_cell,
        cell(r.empathy_per_100.map(|v| v.to_string()), &num(r.empathy_per_100)),
        cell(Some(r.forbidden.to_string()), &r.forbidden.to_string()),
        cell(
            r.first_response_median_secs.map(|v| v.to_string()),
            &secs(r.first_response_median_secs),
        ),
        cell(r.csat_mean.map(|v| v.to_string()), &num(r.csat_mean)),
        cell(r.compliance_pass_rate.map(|v| v.to_string()), &share(r.compliance_pass_rate)),
        cell(r.compliance_score.map(|v| v.to_string()), &score(r.compliance_score)),
        cell(Some(r.flagged.to_string()), &r.flagged.to_string()),
    ]
    .concat();
    let kpis: String = KPI_COLUMNS
        .iter()
        .map(|&k| {
            let line = &kpi.lines[k];
            cell(line.value.map(|v| v.to_string()), &kpi_cell(line))
        })
        .collect();
    let gaps = figures::kpi_gaps(kpi);
    let gaps = if gaps.is_empty() {
        "<td></td>".to_string()
    } else {
        format!("<td class=kpimiss>⚠ {}</td>", text(&gaps))
    };
    format!("{cells}{kpis}{gaps}")
}

fn agent_table(body: &mut String, page: &TeamPage) {
    let _ = writeln!(
        body,
        "<h2>客服 ({} 人)</h2>\n<div class=scroll><table class=agents>\n<thead><tr>{}</tr></thead>\n<tbody>",
        page.rows.len(),
        COLUMNS.iter().map(|c| format!("<th scope=col>{c}</th>")).collect::<String>()
    );
    for row in &page.rows {
        let _ = writeln!(
            body,
            "<tr{}><td><a href=\"agents/{}.html\">{}</a></td><td>{}</td>{}</tr>",
            match (row.low, row.kpi.any_missed()) {
                (true, true) => " class=\"low kpi\"",
                (true, false) => " class=low",
                (false, true) => " class=kpi",
                (false, false) => "",
            },
            attr(&row.stem),
            text(row.id),
            text(row.name.unwrap_or("")),
            figure_cells(
                &row.figures,
                row.kpi,
                row.low.then_some(page.low_score),
                row.change.and_then(figures::score_change)
            ),
        );
    }
    let _ = writeln!(
        body,
        "</tbody>\n<tfoot><tr class=team><th scope=row>团队</th><td></td>{}</tr></tfoot>\n</table></div>",
        figure_cells(
            &page.team,
            &page.team_kpi,
            None,
            page.trend.and_then(|t| figures::change(t.team.score_delta))
        )
    );
    if page.low_agents > 0 {
        let _ = writeln!(
            body,
            "<p class=muted>⚠ {} 名客服综合得分低于 {} (评分模板 <code>[report] low_score</code>)。</p>",
            page.low_agents, page.low_score
        );
    }
    if let Some(note) = page.kpi_note() {
        let _ = writeln!(body, "<p class=muted id=kpi>{}</p>", text(&note));
    }
}

/// With `--baseline` / `--history`: each agent's change, recent scores and repeats.
fn trend(body: &mut String, page: &TeamPage) {
    let Some(view) = page.trend else { return };
    let baseline = view
        .baseline
        .as_deref()
        .map_or(String::new(), |b| format!(" (基线: <code>{}</code>)", text(b)));
    let _ = writeln!(
        body,
        "<h2>趋势{baseline}</h2>\n<div class=scroll><table class=trend>\n<thead><tr><th>客服</th>\
         <th>综合得分变化</th><th>被标记占比变化 (百分点)</th><th>近 {} 次综合得分</th><th>近 7 次均分</th><th>近 30 次均分</th><th>屡犯 (近 7 次中 ≥ 3 次)</th></tr></thead>\n<tbody>",
        view.history.len() + 1
    );
    let dash = || labels::UNKNOWN.to_string();
    for row in &page.rows {
        let Some(change) = row.change else { continue };
        let repeated = crate::report::figures::repeated(change);
        let _ = writeln!(
            body,
            "<tr{}><td><a href=\"agents/{}.html\">{}</a></td><td class=n>{}</td><td class=n>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td></tr>",
            if repeated.is_empty() { "" } else { " class=repeat" },
            attr(&row.stem),
            text(row.id),
            text(&figures::score_change(change).unwrap_or_else(dash)),
            text(&figures::change(change.flagged_share_delta).unwrap_or_else(dash)),
            super::sparkline(&change.scores),
            figures::score(change.mean_7).unwrap_or_else(dash),
            figures::score(change.mean_30).unwrap_or_else(dash),
            text(&repeated)
        );
    }
    body.push_str("</tbody></table></div>\n");
}

/// Ten bars of 10 points, counts above them, score ticks below, the low-score line dashed.
fn histogram(body: &mut String, page: &TeamPage) {
    let bins = &page.bins;
    // The low-score line's label sits above the bars' count labels, never on them.
    let (left, top, width, height) = (50.0, 40.0, 400.0, 150.0);
    let step = width / BINS as f64;
    let most = bins.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let label: Vec<String> =
        (0..BINS).map(|i| format!("{} 分 {} 人", ScoreBins::label(i), bins.counts[i])).collect();
    let _ = writeln!(
        body,
        "<h2>综合得分分布</h2>\n<svg class=hist viewBox=\"0 0 480 250\" role=img aria-label=\"{}\">\
         <title>客服综合得分分布</title>",
        attr(&format!(
            "客服综合得分分布 (每 10 分一段): {}; 无综合得分 {} 人未计入",
            label.join(", "),
            bins.unscored
        ))
    );
    for (i, &count) in bins.counts.iter().enumerate() {
        let x = left + step * i as f64;
        let h = (count as f64 / most * height * 10.0).round() / 10.0;
        let y = top + height - h;
        let low = page.bin_is_low(i);
        let _ = write!(
            body,
            "<rect class=\"bar{}\" x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{h}\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{count}</text>",
            if low { " low" } else { "" },
            x + 2.0,
            step - 4.0,
            x + step / 2.0,
            y - 4.0,
        );
    }
    let base = top + height;
    let _ = write!(
        body,
        "<line class=axis x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\"/>\
         <line class=axis x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{base}\"/>",
        left + width
    );
    for tick in 0..=BINS {
        let x = left + step * tick as f64;
        let _ = write!(
            body,
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            base + 16.0,
            tick * 10
        );
    }
    let threshold = left + width * page.low_score / 100.0;
    let _ = writeln!(
        body,
        "<line class=threshold x1=\"{threshold}\" y1=\"{}\" x2=\"{threshold}\" y2=\"{base}\"/>\
         <text x=\"{threshold}\" y=\"{}\" text-anchor=\"middle\">低分线 {}</text>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">综合得分</text>\
         <text x=\"14\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {})\">客服人数</text>\
         </svg>",
        top - 20.0,
        top - 26.0,
        page.low_score,
        left + width / 2.0,
        base + 36.0,
        top + height / 2.0,
        top + height / 2.0,
    );
    let _ = writeln!(body, "<p class=muted>{}</p>", text(&page.histogram_note()));
}

fn reasons(body: &mut String, page: &TeamPage) {
    body.push_str(
        "<h2>标记原因</h2>\n<div class=scroll><table class=reasons><thead><tr><th>原因</th>\
         <th>等级</th><th>工单数</th><th>占已质检</th></tr></thead>\n<tbody>\n",
    );
    for r in &page.reasons {
        let _ = writeln!(
            body,
            "<tr><td>{} <br><code>{}</code></td><td>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            text(&r.label),
            text(&r.key),
            labels::severity(r.severity),
            r.tickets,
            text(&r.share.map_or(UNKNOWN.to_string(), |s| share(Some(s)))),
        );
    }
    body.push_str("</tbody></table></div>\n<p class=muted>按等级 (最严重在前)、占比排列; 一张工单可有多个原因。</p>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_exactly_the_one_script() {
        let policy = policy();
        assert!(policy.starts_with("default-src 'none';"), "{policy}");
        let digest = Sha256::digest(SORT_SCRIPT.as_bytes());
        let want = base64::engine::general_purpose::STANDARD.encode(digest);
        assert!(policy.contains(&format!("script-src 'sha256-{want}';")), "{policy}");
        assert!(!policy.contains("unsafe-eval") && !policy.contains("script-src 'unsafe-inline'"));
    }
}
