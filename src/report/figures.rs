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
}
