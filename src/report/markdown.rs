//! `summary.md` (the team), `agents/<agent>.md` (one agent) and `agents/<agent>/<reason>.md`
//! (all of its flagged tickets with one reason): Markdown for a wiki or a chat paste. Figures
//! come from `aggregate::Metrics`; flagged tickets from `flagged.jsonl` lines, in the order
//! `pages` laid out, each rendered on its own between a page's head and tail.
//! Agent and ticket ids are inline code, verbatim, so `grep` finds them; names and transcript
//! text are Markdown-escaped and evidence is shown as **【hit】** inside its context, then on
//! agent pages the whole conversation as a quoted list ([`conversation`]);
//! personal data arrives masked (unless `--no-mask`) and disguised evidence is marked 〔含隐藏字符〕.

use std::fmt::Write;

use crate::aggregate::{Metrics, REPORTED};
use crate::report::conversation::Conversation;
use crate::report::figures;
use crate::report::jsonl::EvidenceLine;
use crate::report::jsonl::FlaggedTicket;
use crate::report::kpi::{Card, Line, Status};
use crate::report::labels::{self, NO_DATA, UNKNOWN};
use crate::report::team_page::{RowFigures, ScoreBins, TeamPage, COLUMNS, KPI_COLUMNS};
use crate::report::{reason_page_path, AgentPage, ReasonPage};
use crate::template::Template;
use crate::vocab::Category;

pub(crate) fn share(v: Option<f64>) -> String {
    figures::percent(v).map_or(UNKNOWN.into(), |v| format!("{v}%"))
}

pub(crate) fn num(v: Option<f64>) -> String {
    figures::decimal(v).unwrap_or_else(|| UNKNOWN.into())
}

pub(crate) fn score(v: Option<f64>) -> String {
    figures::score(v).unwrap_or_else(|| UNKNOWN.into())
}

pub(crate) fn secs(v: Option<u32>) -> String {
    figures::secs(v).map_or(UNKNOWN.into(), |v| format!("{v} 秒"))
}

/// A duration as people say it (`2分10秒`), or —.
pub(crate) fn duration(v: Option<u32>) -> String {
    v.map_or(UNKNOWN.into(), figures::duration)
}

pub(crate) fn count(v: Option<u64>) -> String {
    figures::count(v).unwrap_or_else(|| UNKNOWN.into())
}

/// The rows shown for one agent beside the team, as (label, agent, team).
pub(crate) fn figure_rows(m: &Metrics, team: &Metrics) -> Vec<(String, String, String)> {
    let mut rows = vec![("综合得分".into(), score(m.score), score(team.score))];
    let (mine, all) = (m.score_components.values(), team.score_components.values());
    for (i, (a, t)) in mine.into_iter().zip(all).enumerate() {
        rows.push((labels::component(i), score(a), score(t)));
    }
    rows.extend([
        ("工单数".into(), m.tickets.to_string(), team.tickets.to_string()),
        ("客服消息数".into(), m.messages.to_string(), team.messages.to_string()),
    ]);
    for c in REPORTED {
        let (a, t) = (&m.categories[c], &team.categories[c]);
        rows.push((
            format!("{}/百词", labels::category(c)),
            num(a.per_100_words),
            num(t.per_100_words),
        ));
    }
    rows.extend([
        (
            "抱怨后共情率".into(),
            share(m.empathy_after_complaint),
            share(team.empathy_after_complaint),
        ),
        (
            "客户负面工单占比".into(),
            share(m.customer_negative_share),
            share(team.customer_negative_share),
        ),
        ("情绪升级工单".into(), m.escalations.to_string(), team.escalations.to_string()),
        (
            "首响中位数".into(),
            secs(m.first_response_median_secs),
            secs(team.first_response_median_secs),
        ),
        ("首响P90".into(), secs(m.first_response_p90_secs), secs(team.first_response_p90_secs)),
        (
            "首响超时数".into(),
            count(m.first_response_sla_breaches),
            count(team.first_response_sla_breaches),
        ),
        ("回复超时数".into(), count(m.response_sla_breaches), count(team.response_sla_breaches)),
        (
            "处理时长中位数".into(),
            duration(m.handle_median_secs),
            duration(team.handle_median_secs),
        ),
        ("处理时长P90".into(), duration(m.handle_p90_secs), duration(team.handle_p90_secs)),
        ("满意度均分".into(), num(m.csat_mean), num(team.csat_mean)),
        (
            "合规通过率(抽检)".into(),
            share(m.compliance_pass_rate),
            share(team.compliance_pass_rate),
        ),
        ("合规得分均值(抽检)".into(), score(m.compliance_score), score(team.compliance_score)),
        ("一票否决工单(抽检)".into(), count(m.compliance_vetoed), count(team.compliance_vetoed)),
        ("被标记工单".into(), m.flagged.to_string(), team.flagged.to_string()),
    ]);
    rows
}

/// `summary.md`: the team page (`TeamPage`) as Markdown, the same facts as `index.html`.
pub fn team(page: &TeamPage) -> Vec<u8> {
    let f = &page.facts;
    let mut out = String::new();
    let _ = writeln!(out, "# 质检汇总\n");
    let period =
        figures::period(&f.period).unwrap_or_else(|| format!("{NO_DATA} (没有带时间的消息)"));
    let _ = writeln!(out, "- 数据期间: {period}");
    let names: Vec<String> = f.inputs.iter().map(|name| code(name, Cell::Text)).collect();
    let more = page.more_inputs().map_or(String::new(), |m| format!(" {m}"));
    let _ = writeln!(out, "- 输入文件: {}{more}", names.join(", "));
    let _ = writeln!(out, "- 口径: {}", page.options_text());
    let _ = writeln!(out, "- 运行时刻: 见 manifest.json 的 `runtime.started_at` (不写入本页: 同样的输入与选项, 报告逐字节相同)\n");
    let _ = writeln!(out, "{}\n", page.counts_line());
    for hint in &page.hints {
        let _ = writeln!(out, "> ⚠ {}\n", escape(&hint.text()));
    }
    let _ = writeln!(out, "## 客服 ({} 人)\n", page.rows.len());
    let _ = writeln!(out, "| {} |", COLUMNS.join(" | "));
    // 客服 and 姓名 left, the figures right, the missed targets (text) left.
    let figures = "---:|".repeat(COLUMNS.len() - 3);
    let _ = writeln!(out, "|---|---|{figures}---|");
    for row in &page.rows {
        let mut low =
            if row.low { format!(" ⚠ 低于 {}", page.low_score) } else { String::new() };
        if let Some(change) = row.change.and_then(figures::score_change) {
            low.push_str(&format!(" {change}"));
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            code(row.id, Cell::Table),
            escape(row.name.unwrap_or("")),
            figure_cells(&row.figures, row.kpi, &low)
        );
    }
    let team_change = page.trend.and_then(|t| figures::change(t.team.score_delta));
    let team_change = team_change.map_or(String::new(), |c| format!(" {c}"));
    let _ = writeln!(
        out,
        "| **团队** |  | {} |",
        figure_cells(&page.team, &page.team_kpi, &team_change)
    );
    if page.low_agents > 0 {
        let _ = writeln!(
            out,
            "\n⚠ {} 名客服综合得分低于 {} (评分模板 `[report] low_score`)。",
            page.low_agents, page.low_score
        );
    }
    if let Some(note) = page.kpi_note() {
        let _ = writeln!(out, "\n{note}");
    }
    let _ = writeln!(out, "\n## 综合得分分布\n\n| 分数段 | 客服数 |\n|---|---:|");
    for (i, count) in page.bins.counts.iter().enumerate() {
        let _ = writeln!(out, "| {} | {count} |", ScoreBins::label(i));
    }
    let _ = writeln!(out, "\n{}", page.histogram_note());
    trend(&mut out, page);
    let _ =
        writeln!(out, "\n## 标记原因\n\n| 原因 | 等级 | 工单数 | 占已质检 |\n|---|---|---:|---:|");
    for r in &page.reasons {
        let _ = writeln!(
            out,
            "| {} (`{}`) | {} | {} | {} |",
            escape(&r.label),
            r.key,
            labels::severity(r.severity),
            r.tickets,
            share(r.share)
        );
    }
    let _ = writeln!(out, "\n按等级 (最严重在前)、占比排列; 一张工单可有多个原因。");
    out.into_bytes()
}

/// With `--baseline` / `--history`: each agent's change, recent scores and repeats.
fn trend(out: &mut String, page: &TeamPage) {
    let Some(view) = page.trend else { return };
    let baseline = view
        .baseline
        .as_deref()
        .map_or(String::new(), |b| format!(" (基线: {})", code(b, Cell::Text)));
    let _ = writeln!(
        out,
        "\n## 趋势{baseline}\n\n| 客服 | 综合得分变化 | 被标记占比变化 (百分点) | 近 {} 次综合得分 | 近 7 次均分 | 近 30 次均分 | 屡犯 (近 7 次中 ≥ 3 次) |\n|---|---:|---:|---|---:|---:|---|",
        view.history.len() + 1
    );
    let dash = || UNKNOWN.to_string();
    for row in &page.rows {
        let Some(change) = row.change else { continue };
        let scores: Vec<String> =
            change.scores.iter().map(|s| figures::score(*s).unwrap_or_else(dash)).collect();
        let repeated = crate::report::figures::repeated(change);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            code(row.id, Cell::Table),
            figures::score_change(change).unwrap_or_else(dash),
            figures::change(change.flagged_share_delta).unwrap_or_else(dash),
            scores.join(" → "),
            figures::score(change.mean_7).unwrap_or_else(dash),
            figures::score(change.mean_30).unwrap_or_else(dash),
            repeated
        );
    }
}

/// A row's figures as table cells (without the outer pipes); `low` follows the score; the
/// KPIs with their denominators (— when unknown) and the missed targets' gaps end the row.
fn figure_cells(r: &RowFigures, kpi: &Card, low: &str) -> String {
    let mut cells = vec![
        r.tickets.to_string(),
        format!("{}{low}", score(r.score)),
        num(r.empathy_per_100),
        r.forbidden.to_string(),
        secs(r.first_response_median_secs),
        num(r.csat_mean),
        share(r.compliance_pass_rate),
        score(r.compliance_score),
        r.flagged.to_string(),
    ];
    cells.extend(KPI_COLUMNS.map(|k| kpi_cell(&kpi.lines[k])));
    cells.push(figures::kpi_gaps(kpi));
    cells.join(" | ")
}

/// A KPI figure with its denominator (`85.7% (6/7)`), or — when unknown (never 0).
pub(crate) fn kpi_cell(line: &Line) -> String {
    figures::kpi_with_base(line).unwrap_or_else(|| UNKNOWN.into())
}

/// The KPI table of an agent page, as (指标, 本人, 团队, 目标, 状态): each KPI with its
/// denominator (an unknown one says why: — (无已评价工单)); the target or 未设目标; the status
/// 达标, ⚠ 未达标 with the gap, 未知 (a target but no figure: never a mark), or — (no target).
pub(crate) fn kpi_rows(page: &AgentPage) -> Vec<[String; 5]> {
    KPI_COLUMNS
        .iter()
        .map(|&k| {
            let (mine, team) = (&page.kpi.lines[k], &page.team_kpi.lines[k]);
            let target = mine.target.map_or(labels::KPI_NO_TARGET.to_string(), |t| {
                let sign = if k.lower_is_better() { "≤" } else { "≥" };
                format!("{sign} {}", figures::kpi_target(k, t))
            });
            let status = match mine.status {
                Status::Met => labels::KPI_MET.to_string(),
                Status::Missed => format!(
                    "⚠ {}: {}",
                    labels::KPI_MISSED,
                    figures::kpi_gap(mine).unwrap_or_default()
                ),
                Status::Unknown => labels::KPI_UNKNOWN.to_string(),
                Status::NoTarget => UNKNOWN.to_string(),
            };
            let mine = match mine.value {
                Some(_) => kpi_cell(mine),
                None => format!("{UNKNOWN} ({})", labels::kpi_none(k)),
            };
            [labels::kpi(k).to_string(), mine, kpi_cell(team), target, status]
        })
        .collect()
}

/// `agents/<agent>.md` up to its flagged tickets; when the page leaves some off, the agent's
/// flags by reason with links to their pages.
pub fn agent_head(page: &AgentPage) -> Vec<u8> {
    let AgentPage { metrics: m, team, .. } = *page;
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", title(page));
    if let Some(mark) = figures::kpi_mark(page.kpi) {
        let _ = writeln!(out, "{mark}\n");
    }
    let _ = writeln!(out, "| 指标 | 本人 | 团队 |\n|---|---:|---:|");
    for (label, mine, all) in figure_rows(m, team) {
        let _ = writeln!(out, "| {label} | {mine} | {all} |");
    }
    if let Some(change) = page.change {
        if let Some(baseline) = figures::baseline_text(change) {
            let _ = writeln!(out, "\n{baseline}");
        }
        if !change.scores.is_empty() {
            let dash = || UNKNOWN.to_string();
            let scores: Vec<String> =
                change.scores.iter().map(|s| figures::score(*s).unwrap_or_else(dash)).collect();
            let _ = writeln!(out, "\n近 {} 次综合得分: {}", scores.len(), scores.join(" → "));
            let _ = writeln!(out, "\n{}", figures::means_text(change));
        }
        let repeated = figures::repeated(change);
        if !repeated.is_empty() {
            let _ = writeln!(out, "\n⚠ 屡犯 (近 7 次中 ≥ 3 次): {repeated}");
        }
    }
    let _ =
        writeln!(out, "\n## KPI\n\n| 指标 | 本人 | 团队 | 目标 | 状态 |\n|---|---:|---:|---|---|");
    for cells in kpi_rows(page) {
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    let _ = writeln!(out, "\n## 抽检合规 ({} 张工单)\n\n| 检查项 | 通过 | 不通过 | 未知 | 通过率 |\n|---|---:|---:|---:|---:|", m.sampled);
    for cm in &m.compliance {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            escape(&cm.label),
            cm.pass,
            cm.fail,
            cm.unknown,
            share(cm.pass_rate)
        );
    }
    let _ = writeln!(out, "\n## 被标记工单 ({} 张)\n", m.flagged);
    if page.flagged_left_off() > 0 {
        let _ = writeln!(
            out,
            "按严重程度、工单号排列。本页列出 {} 张: 违规及一票否决级的全部列出, 其余见各原因的完整列表。\n\n\
             | 原因 | 等级 | 工单数 | 本页列出 | 完整列表 |\n|---|---|---:|---:|---|",
            page.flagged_shown
        );
        for line in page.reasons {
            let link = if line.has_page() {
                let path = reason_page_path(page.stem, line.reason, page.template);
                format!("[全部 {} 张]({path}.md)", line.total)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {link} |",
                escape(labels::flag_reason(line.reason, page.template)),
                labels::severity(line.severity),
                line.total,
                line.shown
            );
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// `agents/<agent>.md` after its flagged tickets.
pub fn agent_tail(page: &AgentPage) -> Vec<u8> {
    if page.flagged_left_off() > 0 {
        let more = page.flagged_left_off();
        format!("另有 {more} 张较轻的被标记工单未在本页列出, 见上表各原因的完整列表。\n")
            .into_bytes()
    } else {
        Vec::new()
    }
}

/// `agents/<agent>/<reason>.md` up to its flagged tickets (it needs no tail).
pub fn reason_head(page: &ReasonPage) -> Vec<u8> {
    format!(
        "# {} — {}\n\n[← {}](../{}.md)\n\n## {} ({} 张)\n\n原因等级: {}。按严重程度、工单号排列。\n\n",
        title(page.agent),
        escape(labels::flag_reason(page.line.reason, page.agent.template)),
        code(page.agent.id, Cell::Text),
        page.agent.stem,
        escape(labels::flag_reason(page.line.reason, page.agent.template)),
        page.line.total,
        labels::severity(page.line.severity)
    )
    .into_bytes()
}

/// One flagged ticket, as agent and reason pages list it.
pub fn flagged_ticket(
    ticket: &FlaggedTicket,
    with_conversation: bool,
    template: &Template,
) -> Vec<u8> {
    let mut out = String::new();
    let reasons: Vec<&str> =
        ticket.reasons.iter().map(|&r| labels::flag_reason(r, template)).collect();
    let _ = writeln!(
        out,
        "### 工单 {}\n\n原因: {} (等级: {})\n",
        code(&ticket.ticket_id, Cell::Text),
        escape(&reasons.join("、")),
        labels::severity(ticket.severity)
    );
    let (listed, others) = ticket.evidence_listed(with_conversation);
    for e in listed {
        let what = escape(&describe(e));
        let context = match (&e.context, &e.text) {
            (Some(context), Some(text)) => format!(": {}", highlight(context, text)),
            _ => String::new(),
        };
        let role = labels::role(e.role);
        let backs = e
            .backs
            .map_or(String::new(), |r| format!("{} ← ", escape(labels::flag_reason(r, template))));
        // People count messages from 1; flagged.jsonl's index counts from 0.
        let _ = writeln!(out, "- {backs}消息#{} ({role}) {what}{context}", e.message + 1);
    }
    if others > 0 {
        let _ = writeln!(out, "- 另有 {others} 处命中不构成标记原因, 见下方对话全文");
    }
    out.push('\n');
    out.into_bytes()
}

/// A flagged ticket's whole conversation, compact: a line naming the ticket (its id as inline
/// code, greppable), then one quoted list item per turn, `> - #2 **客服** 09:12:20 首响 17秒:
/// …`, with hits behind a reason as **【hit】**, other counted hits as 【hit】 and hits that do
/// not count struck through with the rule beside them (~~hit~~〔例外, 不计〕).
pub fn conversation(c: &Conversation) -> Vec<u8> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "对话全文 ({}, {} 条消息, 时间为{}):\n",
        code(&c.ticket_id, Cell::Text),
        c.messages,
        labels::TIME_ZONE
    );
    for turn in &c.turns {
        let _ = write!(out, "> - #{} **{}**", turn.message + 1, labels::role(turn.role));
        if let Some(author) = &turn.author {
            let _ = write!(out, " {}", code(author, Cell::Text));
        }
        for part in [turn.time.as_deref(), turn.gap.as_ref().map(|g| g.label.as_str())]
            .into_iter()
            .flatten()
        {
            let _ = write!(out, " {part}");
        }
        out.push_str(": ");
        for piece in &turn.pieces {
            let text = escape(&piece.text);
            match &piece.mark {
                None => out.push_str(&text),
                Some(m) if !m.counts => {
                    let _ = write!(out, "~~{text}~~〔{}〕", m.effect.unwrap_or(""));
                }
                Some(m) if m.why => {
                    let _ = write!(out, "**【{text}】**");
                }
                Some(_) => {
                    let _ = write!(out, "【{text}】");
                }
            }
        }
        if turn.chars_omitted > 0 {
            let _ = write!(out, "…(另有 {} 字未显示)", turn.chars_omitted);
        }
        out.push('\n');
    }
    if c.turns_omitted() > 0 {
        let _ = writeln!(out, ">\n> 另有 {} 条消息未显示。", c.turns_omitted());
    }
    out.push('\n');
    out.into_bytes()
}

/// What one piece of evidence is, in plain text for people (callers escape it), marked when
/// its text was disguised with invisible characters.
pub(crate) fn describe(e: &EvidenceLine) -> String {
    let what = what(e);
    if e.disguised {
        format!("{what} {}", labels::DISGUISED)
    } else {
        what
    }
}

fn what(e: &EvidenceLine) -> String {
    // A rule's spot, without the message the line already names: 「保证今天到」.
    if let Some(detail) = &e.detail {
        let own = format!("消息#{}", e.message + 1);
        return match detail.strip_prefix(&own) {
            Some(rest) if !rest.starts_with('、') => rest.trim_start().to_string(),
            _ => detail.clone(),
        };
    }
    match (&e.entry, e.seconds, e.value, &e.kind) {
        (Some(entry), ..) => {
            let effect = e.effect.as_deref().unwrap_or("counted");
            let category = Category::from_key(&e.category).map_or("", labels::category);
            format!("{category} 「{entry}」 {}", effect_label(effect))
        }
        (_, Some(s), ..) => format!("首次响应 {s} 秒"),
        (_, _, Some(v), _) => format!("满意度 {v} 分"),
        (_, _, _, Some(kind)) => format!("隐私信息 {kind}"),
        _ => e.category.clone(),
    }
}

pub(crate) fn effect_label(effect: &str) -> &'static str {
    match effect {
        "negated" => "(被否定)",
        "double_negated" => "(双重否定, 照常计)",
        "excepted" => "(例外, 不计)",
        _ => "",
    }
}

fn highlight(context: &str, text: &str) -> String {
    match context.find(text) {
        Some(at) => format!(
            "{}**【{}】**{}",
            escape(&context[..at]),
            escape(text),
            escape(&context[at + text.len()..])
        ),
        None => escape(context),
    }
}

/// An agent page's title, as `AgentPage::title` words it, the id as inline code.
fn title(page: &AgentPage) -> String {
    match page.name {
        Some(name) => format!("客服质检报告: {} ({})", escape(name), code(page.id, Cell::Text)),
        None => format!("客服质检报告: {}", code(page.id, Cell::Text)),
    }
}

/// Where inline code goes: a table cell must also escape `|`, which GFM splits cells on even
/// inside code.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cell {
    Text,
    Table,
}

/// An id (agent, ticket) as inline code, so it stays greppable verbatim (`csds-0390_a.b`) and
/// nothing in it can format the page: inside code Markdown reads no `*`, `_`, `<` or `[`. The
/// fence is one backtick longer than the longest run of backticks in the id, and padded with
/// a space on each side when the id starts or ends with a backtick or a space (CommonMark
/// strips one such pair); line breaks become spaces. In a table, `|` is written `\|`.
fn code(id: &str, at: Cell) -> String {
    let mut body = String::with_capacity(id.len());
    let (mut run, mut longest) = (0, 0);
    for c in id.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
        match c {
            '\n' | '\r' => body.push(' '),
            '|' if at == Cell::Table => body.push_str("\\|"),
            _ => body.push(c),
        }
    }
    if body.is_empty() {
        // `` alone would be two literal backticks.
        return "` `".into();
    }
    let fence = "`".repeat(longest + 1);
    let pad = if body.starts_with(['`', ' ']) || body.ends_with(['`', ' ']) { " " } else { "" };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Backslash-escapes the ASCII characters Markdown reads inside a line (emphasis, code, links,
/// HTML, entities, tables, strikethrough, a heading's closing `#`s), and turns line breaks into
/// spaces, so transcript text can neither format the page nor break a table. Text never
/// starts a line here, so what only matters there (`-`, `+`, `.` of list items) stays as is
/// and stays greppable.
pub fn escape(text: &str) -> String {
    let special = |c: char| {
        matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&' | '\n' | '\r'
        )
    };
    // Runs between special characters are copied whole.
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, c) in text.match_indices(special) {
        out.push_str(&text[copied..at]);
        match c {
            "\n" | "\r" => out.push(' '),
            _ => {
                out.push('\\');
                out.push_str(c);
            }
        }
        copied = at + c.len();
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_inline_code() {
        let cases = [
            ("plain", "T1", Cell::Text, "`T1`"),
            ("dash, underscore, dot", "csds-0390_a.b", Cell::Text, "`csds-0390_a.b`"),
            ("emphasis and HTML stay literal", "*x*<b>", Cell::Text, "`*x*<b>`"),
            ("a backtick inside", "a`b", Cell::Text, "``a`b``"),
            ("a run of two", "a``b`", Cell::Text, "``` a``b` ```"),
            ("starts with a backtick", "`a", Cell::Text, "`` `a ``"),
            ("pipe in text", "a|b", Cell::Text, "`a|b`"),
            ("pipe in a table", "a|b", Cell::Table, "`a\\|b`"),
            ("line break", "a\nb", Cell::Text, "`a b`"),
            ("empty", "", Cell::Text, "` `"),
        ];
        for (name, id, at, want) in cases {
            assert_eq!(code(id, at), want, "{name}");
        }
    }

    #[test]
    fn escapes_only_what_formats_inside_a_line() {
        let cases = [
            ("ids and numbers stay greppable", "订单 csds-0390_1.2+3", "订单 csds-0390\\_1.2+3"),
            ("emphasis", "*好*", "\\*好\\*"),
            ("link", "[x](y)", "\\[x\\](y)"),
            ("html", "<b>", "\\<b\\>"),
            ("table", "a|b", "a\\|b"),
            ("line break", "a\r\nb", "a  b"),
        ];
        for (name, text, want) in cases {
            assert_eq!(escape(text), want, "{name}");
        }
    }
}
