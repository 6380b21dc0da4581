//! How a figure is written, shared by every format so `agents.csv` and the pages show the same
//! digits: shares as percentages with one decimal (`0.3305` → `33.1`), rates per 100 words and
//! the CSAT mean with two decimals, scores with one, times in whole seconds. Each function
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
    fn periods_read_in_utc_plus_8_and_unknown_stays_unknown() {
        use crate::aggregate::Period;
        // 2026-11-21T01:00:00Z = 1 795 222 800 s.
        let p = Period { first_ms: Some(1_795_222_800_000), last_ms: Some(1_795_226_450_999) };
        assert_eq!(period(&p).unwrap(), "2026-11-21 09:00:00 — 2026-11-21 10:00:50 (UTC+8)");
        assert_eq!(period(&Period::default()), None);
    }
}
