//! Message times. Takes a `ts` value as written (a JSON Lines field or a table cell) and the
//! run's [`TsFormat`]; yields milliseconds since the Unix epoch, or `None` when the value
//! reads neither as RFC 3339 nor in that format. An unreadable time is not a reason to refuse
//! a ticket: the message's time is unknown (response times skip it) and the run counts it as a
//! warning. The one place that parses times, for JSON Lines and tables alike.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};

/// How times that are not RFC 3339 read (`--ts-format`, or a table mapping's `ts_format`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TsFormat {
    /// RFC 3339 only.
    #[default]
    Rfc3339,
    UnixSeconds,
    UnixMillis,
    /// A chrono strftime pattern; without a zone in it, times are China Standard Time.
    Pattern(String),
}

impl TsFormat {
    /// `rfc3339`, `unix`, `unix_ms`, or a strftime pattern (anything else with a `%`).
    pub fn from_key(value: &str) -> Result<TsFormat, String> {
        match value.trim() {
            "" => Err("empty format".into()),
            "rfc3339" => Ok(TsFormat::Rfc3339),
            "unix" => Ok(TsFormat::UnixSeconds),
            "unix_ms" => Ok(TsFormat::UnixMillis),
            pattern if pattern.contains('%') => Ok(TsFormat::Pattern(pattern.into())),
            other => Err(format!(
                "`{other}` is not rfc3339, unix, unix_ms or a strftime pattern such as \
                 \"%Y-%m-%d %H:%M:%S\""
            )),
        }
    }

    /// As the manifest and warnings name it.
    pub fn key(&self) -> &str {
        match self {
            TsFormat::Rfc3339 => "rfc3339",
            TsFormat::UnixSeconds => "unix",
            TsFormat::UnixMillis => "unix_ms",
            TsFormat::Pattern(p) => p,
        }
    }
}

/// China Standard Time, for exports whose times carry no zone (the usual case).
const CST_SECONDS: i32 = 8 * 3600;

/// RFC 3339 always; then `format`. Years outside 0–9999 are refused (RFC 3339 has four digits).
pub fn parse(value: &str, format: &TsFormat) -> Option<i64> {
    let value = value.trim();
    let cst = FixedOffset::east_opt(CST_SECONDS).expect("valid offset");
    let time: DateTime<FixedOffset> = match DateTime::parse_from_rfc3339(value) {
        Ok(t) => t,
        Err(_) => match format {
            TsFormat::Rfc3339 => return None,
            TsFormat::UnixSeconds => cst.timestamp_opt(value.parse().ok()?, 0).single()?,
            TsFormat::UnixMillis => cst.timestamp_millis_opt(value.parse().ok()?).single()?,
            TsFormat::Pattern(p) => match DateTime::parse_from_str(value, p) {
                Ok(t) => t,
                Err(_) => cst
                    .from_local_datetime(&NaiveDateTime::parse_from_str(value, p).ok()?)
                    .single()?,
            },
        },
    };
    (0..=9999).contains(&chrono::Datelike::year(&time)).then(|| time.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_rfc3339_or_in_the_given_format() {
        // 2026-11-21T09:12:03+08:00 is 1_795_223_523 s after the epoch (date -d … +%s).
        let ms = Some(1_795_223_523_000);
        let pattern = || TsFormat::Pattern("%Y-%m-%d %H:%M:%S".into());
        let cases = [
            ("rfc3339", TsFormat::Rfc3339, "2026-11-21T09:12:03+08:00", ms),
            ("rfc3339 in utc", TsFormat::Rfc3339, "2026-11-21T01:12:03Z", ms),
            ("rfc3339 beside a pattern", pattern(), "2026-11-21T09:12:03+08:00", ms),
            ("unix", TsFormat::UnixSeconds, "1795223523", ms),
            ("unix_ms", TsFormat::UnixMillis, "1795223523000", ms),
            ("pattern without zone is CST", pattern(), "2026-11-21 09:12:03", ms),
            ("space-separated without a format", TsFormat::Rfc3339, "2026-11-21 09:12:03", None),
            ("pattern mismatch", pattern(), "21/11/2026", None),
            ("not a number", TsFormat::UnixSeconds, "soon", None),
            ("year past 9999", TsFormat::UnixSeconds, "999999999999", None),
            ("year before 0", TsFormat::UnixMillis, "-99999999999999", None),
        ];
        for (name, format, value, want) in cases {
            assert_eq!(parse(value, &format), want, "{name}: {value}");
        }
    }

    #[test]
    fn format_keys_round_trip_and_nonsense_is_refused() {
        for key in ["rfc3339", "unix", "unix_ms", "%d/%m/%Y %H:%M"] {
            assert_eq!(TsFormat::from_key(key).unwrap().key(), key);
        }
        assert!(TsFormat::from_key("iso").is_err());
        assert!(TsFormat::from_key(" ").is_err());
    }
}
