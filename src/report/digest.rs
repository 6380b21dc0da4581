//! `digest.md`: the night in at most [`MAX_LINES`] lines of Markdown, short enough for a
//! DingTalk, Feishu or WeCom robot message: the data period and counts, the conduct and veto
//! flags with the agents behind them, the reasons that flag more than half of the tickets,
//! with `--baseline` the team's and the largest agents' changes, with `--history` the repeat
//! offenders, and where the report is (`--report-url`, else "index.html beside this file").
//! It renders the team page's model and computes nothing. zhijian sends nothing itself: a cron
//! line posts the file (README).

use std::fmt::Write;

use super::team_page::TeamPage;
use super::{figures, labels};

/// A robot message stays readable on a phone.
pub const MAX_LINES: usize = 20;
/// Agents named per line.
const NAMED: usize = 3;

pub fn render(page: &TeamPage, report_url: Option<&str>) -> Vec<u8> {
    let mut lines = Vec::new();
    let period = figures::period(&page.facts.period)
        .unwrap_or_else(|| format!("{} (没有带时间的消息)", labels::NO_DATA));
    lines.push(format!("### 质检日报 {period}"));
    let c = &page.counts;
    lines.push(format!(
        "- 已质检 {} 张工单, 被标记 {} 张, 抽检 {} 张, 拒绝 {} 行",
        c.audited, c.flagged, c.sampled, c.rejected
    ));
    let team_change = page.trend.and_then(|t| figures::change(t.team.score_delta));
    let team_score = figures::score(page.team.score).unwrap_or_else(|| labels::UNKNOWN.into());
    match team_change {
        Some(change) => lines.push(format!("- 团队综合得分 {team_score} ({change}, 较基线)")),
        None => lines.push(format!("- 团队综合得分 {team_score}")),
    }
    if page.conduct.is_empty() {
        lines.push("- 违规及一票否决: 无".into());
    }
    for (rate, agents) in &page.conduct {
        lines.push(format!(
            "- **{}** ({}) {} 张: {}",
            rate.label,
            labels::severity(rate.severity),
            rate.tickets,
            named(agents.iter().map(|(id, n)| format!("`{}` {n}", code(id))).collect())
        ));
    }
    for hint in &page.hints {
        lines.push(format!("- ⚠ {}", hint.text()));
    }
    let movers = page.movers();
    if !movers.is_empty() {
        let moved: Vec<String> = movers
            .iter()
            .filter_map(|r| {
                let change = figures::score_change(r.change?)?;
                Some(format!("`{}` {change}", code(r.id)))
            })
            .collect();
        lines.push(format!("- 变化最大 (较基线): {}", named(moved)));
    }
    let repeat = page.repeat_offenders();
    if !repeat.is_empty() {
        let named_rows: Vec<String> = repeat
            .iter()
            .filter_map(|r| Some(format!("`{}` ({})", code(r.id), figures::repeated(r.change?))))
            .collect();
        lines.push(format!("- 屡犯 (近 7 次中 ≥ 3 次): {}", named(named_rows)));
    }
    if page.low_agents > 0 {
        lines.push(format!("- ⚠ {} 名客服综合得分低于 {}", page.low_agents, page.low_score));
    }
    lines.truncate(MAX_LINES - 1);
    lines.push(match report_url {
        Some(url) => format!("- 完整报告: {url}"),
        None => "- 完整报告: 本文件同目录的 index.html".into(),
    });
    let mut out = String::new();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    out.into_bytes()
}

/// The first [`NAMED`] and how many more.
fn named(items: Vec<String>) -> String {
    let more = items.len().saturating_sub(NAMED);
    let shown = items.into_iter().take(NAMED).collect::<Vec<_>>().join(", ");
    if more > 0 {
        format!("{shown} 等 {} 人", NAMED + more)
    } else {
        shown
    }
}

/// An id inside inline code: backticks and line breaks cannot end it early.
fn code(id: &str) -> String {
    id.replace(['`', '\n', '\r'], " ")
}
