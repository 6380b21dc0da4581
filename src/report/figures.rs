//! How a figure is written, shared by every format so `agents.csv` and the pages show the same
//! digits: shares as percentages with one decimal (`0.3305` → `33.1`), rates per 100 words and
//! the CSAT mean with two decimals, scores with one, times in whole seconds (handle times and
//! KPI gaps as durations, `2分10秒`; KPI targets as the template set them, `90%`). Each function
//! gives `None` for an unknown figure; each format writes unknown its own way (an empty cell,
//! `—`, 无数据), never as 0. Formatting only: every value arrives computed in `Metrics`.

/// A share (0–1) as a percentage, without the `%`.
pub fn percent(v: Option<f64>) -> Option<String> {
    v.map(|v| format!("{:.1}", v * 100.0))
}

/// A rate or mean with two decimals.
pub fn decimal(v: Option<f64>) -> Option<String> {
    v.map(|v| format!("{v:.2}"))
}

/// A score (0–100) with one decimal.
pub fn score(v: Option<f64>) -> Option<String> {
    v.map(|v| format!("{v:.1}"))
}

/// A count that is unknown when there was nothing to count (a breach count with no timed
/// reply, say).
pub fn count(v: Option<u64>) -> Option<String> {
    v.map(|v| v.to_string())
}

/// Whole seconds, without the unit.
pub fn secs(v: Option<u32>) -> Option<String> {
    v.map(|v| v.to_string())
}

/// A duration in whole seconds as people say it: `45秒`, `1分30秒`, `2分0秒`, `1小时2分5秒`.
pub fn duration(secs: u32) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}秒"),
        (0, m) => format!("{m}分{s}秒"),
        (h, m) => format!("{h}小时{m}分{s}秒"),
    }
}

/// A KPI figure: a duration for AHT, a percentage with one decimal for a rate (`85.7%`);
/// `None` when unknown.
pub fn kpi_value(kpi: crate::vocab::Kpi, value: Option<f64>) -> Option<String> {
    match kpi {
        crate::vocab::Kpi::Aht => value.map(|v| duration(v as u32)),
        _ => percent(value).map(|p| format!("{p}%")),
    }
}

/// A KPI target as the template set it: a duration, or a percentage without trailing zeros
/// (`90%`, `95.5%`, `5%`).
pub fn kpi_target(kpi: crate::vocab::Kpi, target: f64) -> String {
    match kpi {
        crate::vocab::Kpi::Aht => duration(target as u32),
        _ => {
            let hundredths = (target * 10_000.0).round() as i64;
            let mut text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
            while text.ends_with('0') {
                text.pop();
            }
            format!("{}%", text.trim_end_matches('.'))
        }
    }
}

/// A KPI figure with its denominator: `85.7% (6/7)`, `2分10秒 (4 张)`; `None` when unknown.
pub fn kpi_with_base(line: &crate::report::kpi::Line) -> Option<String> {
    let value = kpi_value(line.kpi, line.value)?;
    Some(match line.count {
        Some(count) => format!("{value} ({count}/{})", line.of),
        None => format!("{value} ({} 张)", line.of),
    })
}

/// A missed target's gap, in the direction it is missed: `满意率 85.7% < 90%`,
/// `AHT 2分10秒 > 1分30秒`; `None` unless the line misses its target.
pub fn kpi_gap(line: &crate::report::kpi::Line) -> Option<String> {
    if line.status != crate::report::kpi::Status::Missed {
        return None;
    }
    let (value, target) = (kpi_value(line.kpi, line.value)?, line.target?);
    let sign = if line.kpi.lower_is_better() { ">" } else { "<" };
    let name = crate::report::labels::kpi_short(line.kpi);
    Some(format!("{name} {value} {sign} {}", kpi_target(line.kpi, target)))
}

/// Every missed target of a card, `; `-separated; empty when none.
pub fn kpi_gaps(card: &crate::report::kpi::Card) -> String {
    card.missed().filter_map(kpi_gap).collect::<Vec<_>>().join("; ")
}

/// An agent page's KPI mark, under its title: every missed target with its gap; `None` when
/// it misses none.
pub fn kpi_mark(card: &crate::report::kpi::Card) -> Option<String> {
    let gaps = kpi_gaps(card);
    (!gaps.is_empty()).then(|| format!("⚠ 未达 KPI 目标 (评分模板 [kpi]): {gaps}"))
}

/// The KPIs with a target but no figure, `、`-separated; empty when none.
pub fn kpi_unknowns(card: &crate::report::kpi::Card) -> String {
    let names: Vec<&str> = card.unknown().map(|l| crate::report::labels::kpi(l.kpi)).collect();
    names.join("、")
}

/// The template's KPI targets in one line, each with the direction that meets it:
/// `AHT ≤ 1分30秒, 投诉率 ≤ 5%, 满意率 ≥ 90%`; `None` when the template sets none.
pub fn kpi_targets(targets: &crate::template::Targets) -> Option<String> {
    let parts: Vec<String> = crate::vocab::Kpi::ALL
        .into_iter()
        .filter_map(|k| {
            let sign = if k.lower_is_better() { "≤" } else { "≥" };
            let t = targets.get(k)?;
            Some(format!("{} {sign} {}", crate::report::labels::kpi_short(k), kpi_target(k, t)))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// A change in points or percentage points, one decimal, with its direction: `▲1.2`,
/// `▼0.8`, `±0.0`; `None` when unknown.
pub fn change(v: Option<f64>) -> Option<String> {
    v.map(|v| match v {
        v if v > 0.0 => format!("▲{v:.1}"),
        v if v < 0.0 => format!("▼{:.1}", -v),
        _ => "±0.0".to_string(),
    })
}

/// A trend's change of overall score as one short text: `▲1.2`, `新` for an agent not in the
/// baseline, `None` without a baseline or when a score is unknown.
pub fn score_change(c: &crate::trend::Change) -> Option<String> {
    if c.new {
        return Some("新".to_string());
    }
    change(c.score_delta)
}

/// A trend's change since the baseline in words, as both page formats write it; `None` without
/// a baseline or when the agent's score is unknown.
pub fn baseline_text(c: &crate::trend::Change) -> Option<String> {
    if c.new {
        return Some("较基线: 新客服 (基线报告中没有)".to_string());
    }
    let score = score_change(c)?;
    let flagged =
        change(c.flagged_share_delta).unwrap_or_else(|| crate::report::labels::UNKNOWN.to_string());
    Some(format!("较基线: 综合得分 {score}, 被标记占比 {flagged} 个百分点"))
}

/// A trend's means of the last 7 and 30 runs in words.
pub fn means_text(c: &crate::trend::Change) -> String {
    let mean = |m: Option<f64>| score(m).unwrap_or_else(|| crate::report::labels::UNKNOWN.into());
    format!("近 7 次均分 {} · 近 30 次均分 {}", mean(c.mean_7), mean(c.mean_30))
}

/// A trend's repeated conduct reasons as the pages name them: `使用服务禁语、引导站外交易`;
/// empty when none.
pub fn repeated(c: &crate::trend::Change) -> String {
    let names: Vec<&str> = c
        .repeated
        .iter()
        .filter_map(|k| crate::vocab::Reason::from_key(k).map(crate::report::labels::reason))
        .collect();
    names.join("、")
}

/// The data period, first and last message time in China Standard Time to the second:
/// `2026-11-21 09:00:00 — 2026-11-21 11:00:50 (UTC+8)`; `None` when no message had a time.
/// Times keep no offset once read, so one zone is chosen for all: the one the transcripts are
/// written in (and `--ts-format` patterns without a zone are read in).
pub fn period(p: &crate::aggregate::Period) -> Option<String> {
    let (first, last) = (p.first_ms?, p.last_ms?);
    Some(format!("{} — {} (UTC+8)", cst(first), cst(last)))
}

fn cst(ms: i64) -> String {
    let zone = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => t.with_timezone(&zone).format("%Y-%m-%d %H:%M:%S").to_string(),
        None => ms.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures() {
        let cases: [(&str, Option<String>, Option<&str>); 8] = [
            ("share", percent(Some(0.3305)), Some("33.1")),
            ("whole share", percent(Some(1.0)), Some("100.0")),
            ("zero share is known", percent(Some(0.0)), Some("0.0")),
            ("unknown share", percent(None), None),
            ("rate", decimal(Some(7.1429)), Some("7.14")),
            ("score", score(Some(100.0)), Some("100.0")),
            ("unknown count", count(None), None),
            ("zero count is known", count(Some(0)), Some("0")),
        ];
        for (name, got, want) in cases {
            assert_eq!(got.as_deref(), want, "{name}");
        }
    }

    #[test]
    fn durations_and_kpi_targets() {
        let cases = [
            ("seconds", duration(45), "45秒"),
            ("a minute and a half", duration(90), "1分30秒"),
            ("AHT 130 s", duration(130), "2分10秒"),
            ("whole minutes keep 0秒", duration(120), "2分0秒"),
            ("an hour", duration(3725), "1小时2分5秒"),
            ("zero is a known duration", duration(0), "0秒"),
            ("AHT target", kpi_target(crate::vocab::Kpi::Aht, 90.0), "1分30秒"),
            ("90%", kpi_target(crate::vocab::Kpi::SatisfactionRate, 0.9), "90%"),
            ("95.5%", kpi_target(crate::vocab::Kpi::FirstResponseSlaRate, 0.955), "95.5%"),
            ("5%", kpi_target(crate::vocab::Kpi::ComplaintRate, 0.05), "5%"),
            ("0%", kpi_target(crate::vocab::Kpi::ComplaintRate, 0.0), "0%"),
            ("100%", kpi_target(crate::vocab::Kpi::ResolutionRate, 1.0), "100%"),
        ];
        for (name, got, want) in cases {
            assert_eq!(got, want, "{name}");
        }
        assert_eq!(kpi_value(crate::vocab::Kpi::SatisfactionRate, None), None);
    }

    #[test]
    fn periods_read_in_utc_plus_8_and_unknown_stays_unknown() {
        use crate::aggregate::Period;
        // 2026-11-21T01:00:00Z = 1 795 222 800 s.
        let p = Period { first_ms: Some(1_795_222_800_000), last_ms: Some(1_795_226_450_999) };
        assert_eq!(period(&p).unwrap(), "2026-11-21 09:00:00 — 2026-11-21 10:00:50 (UTC+8)");
        assert_eq!(period(&Period::default()), None);
    }
}
