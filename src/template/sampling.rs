//! The scoring template's `[sampling]` table (docs/sampling.md): `mode = "plain"`, the default
//! and what a template without the table gets, or `mode = "risk"` with its `rate`, `floor` and
//! `cap`, all three required. Takes the table as read, yields [`TemplateSampling`]; every
//! problem is one sentence naming the file and line, like the rest of the template.

use serde::Deserialize;
use toml::Spanned;

use super::line_of;
use crate::error::{Error, Result};
use crate::sample::{Limits, Mode, Rate, TemplateSampling};

/// The largest `floor` or `cap`: far above any agent's tickets in a run, far below overflow.
/// A team that wants no cap writes this.
pub const MAX_COUNT: i64 = 1_000_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSampling {
    mode: Spanned<String>,
    #[serde(default)]
    rate: Option<Spanned<f64>>,
    #[serde(default)]
    floor: Option<Spanned<i64>>,
    #[serde(default)]
    cap: Option<Spanned<i64>>,
}

impl RawSampling {
    /// `text` and `source` are the template's, for the line and file of each problem.
    pub(super) fn validate(&self, text: &str, source: &str) -> Result<TemplateSampling> {
        let fail = |span: std::ops::Range<usize>, problem: String| Error::Template {
            at: format!("{source}:{}", line_of(text, span.start)),
            problem,
        };
        let written = |span: std::ops::Range<usize>| text.get(span).unwrap_or("").to_string();
        match self.mode.get_ref().as_str() {
            "plain" => {
                let extra = [
                    ("rate", self.rate.as_ref().map(Spanned::span)),
                    ("floor", self.floor.as_ref().map(Spanned::span)),
                    ("cap", self.cap.as_ref().map(Spanned::span)),
                ];
                if let Some((key, Some(span))) = extra.into_iter().find(|(_, s)| s.is_some()) {
                    return Err(fail(
                        span,
                        format!(
                            "`sampling.{key}` applies only to mode = \"risk\" (plain mode samples \
                             --sample-rate of each agent's tickets, 0.30 by default); remove it \
                             or set mode = \"risk\""
                        ),
                    ));
                }
                Ok(TemplateSampling::default())
            }
            "risk" => {
                let missing = |key: &str| {
                    fail(
                        self.mode.span(),
                        format!(
                            "`sampling.{key}` is missing: mode = \"risk\" needs `rate`, `floor` \
                             and `cap`"
                        ),
                    )
                };
                let rate = self.rate.as_ref().ok_or_else(|| missing("rate"))?;
                let floor = self.floor.as_ref().ok_or_else(|| missing("floor"))?;
                let cap = self.cap.as_ref().ok_or_else(|| missing("cap"))?;
                let share = Rate::from_fraction(*rate.get_ref()).ok_or_else(|| {
                    fail(
                        rate.span(),
                        format!(
                            "`sampling.rate` is {}, but a sampling rate is a number from 0 to 1",
                            written(rate.span())
                        ),
                    )
                })?;
                let count = |value: &Spanned<i64>, key: &str| -> Result<u32> {
                    let v = *value.get_ref();
                    if (0..=MAX_COUNT).contains(&v) {
                        return Ok(v as u32);
                    }
                    Err(fail(
                        value.span(),
                        format!(
                            "`sampling.{key}` is {}, but a {key} is a number of tickets from 0 \
                             to {MAX_COUNT}",
                            written(value.span())
                        ),
                    ))
                };
                let limits = Limits { floor: count(floor, "floor")?, cap: count(cap, "cap")? };
                if limits.floor > limits.cap {
                    return Err(fail(
                        floor.span(),
                        format!(
                            "`sampling.floor` is {}, above `sampling.cap` {}: reaching the floor \
                             could take must-review tickets the cap leaves out; make floor at \
                             most cap",
                            limits.floor, limits.cap
                        ),
                    ));
                }
                Ok(TemplateSampling { mode: Mode::Risk(limits), rate: Some(share) })
            }
            other => Err(fail(
                self.mode.span(),
                format!("`sampling.mode` is {other:?}, but a sampling mode is `plain` or `risk`"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::sample::{Limits, Mode, Rate};
    use crate::template::{Template, DEFAULT_TOML};

    /// The shipped template with its `[sampling]` table replaced by `table` (appended last, so
    /// its first line is the template's line `base + 1`).
    fn with(table: &str) -> (String, usize) {
        let cut = DEFAULT_TOML.find("\n[sampling]").expect("the default has a table");
        let text = format!("{}\n{table}", &DEFAULT_TOML[..cut]);
        let base = DEFAULT_TOML[..cut].matches('\n').count() + 1;
        (text, base)
    }

    #[test]
    fn the_default_and_a_template_without_the_table_sample_plain() {
        assert_eq!(Template::builtin().sampling.mode, Mode::Plain);
        assert_eq!(Template::builtin().sampling.rate, None);
        let cut = DEFAULT_TOML.find("\n# How the compliance sample").unwrap();
        let older = &DEFAULT_TOML[..cut];
        assert!(!older.contains("[sampling]"));
        assert_eq!(Template::parse(older, "old.toml").unwrap().sampling.mode, Mode::Plain);
    }

    #[test]
    fn risk_mode_reads_rate_floor_and_cap() {
        let (text, _) = with("[sampling]\nmode = \"risk\"\nrate = 0.125\nfloor = 5\ncap = 50\n");
        let t = Template::parse(&text, "t.toml").unwrap();
        assert_eq!(t.sampling.mode, Mode::Risk(Limits { floor: 5, cap: 50 }));
        assert_eq!(t.sampling.rate, Rate::from_fraction(0.125));
    }

    #[test]
    fn a_bad_sampling_table_is_refused_with_file_line_and_problem() {
        // (name, table, the table's line of the problem (1 = `[sampling]`), what is said)
        let cases: &[(&str, &str, usize, &str)] = &[
            (
                "unknown mode",
                "[sampling]\nmode = \"weighted\"\n",
                2,
                "`sampling.mode` is \"weighted\", but a sampling mode is `plain` or `risk`",
            ),
            (
                "plain with a rate",
                "[sampling]\nmode = \"plain\"\nrate = 0.1\n",
                3,
                "`sampling.rate` applies only to mode = \"risk\" (plain mode samples \
                 --sample-rate of each agent's tickets, 0.30 by default); remove it or set \
                 mode = \"risk\"",
            ),
            (
                "plain with a cap",
                "[sampling]\nmode = \"plain\"\ncap = 3\n",
                3,
                "`sampling.cap` applies only to mode = \"risk\"",
            ),
            (
                "risk without a cap",
                "[sampling]\nmode = \"risk\"\nrate = 0.1\nfloor = 1\n",
                2,
                "`sampling.cap` is missing: mode = \"risk\" needs `rate`, `floor` and `cap`",
            ),
            (
                "rate above 1",
                "[sampling]\nmode = \"risk\"\nrate = 1.5\nfloor = 1\ncap = 2\n",
                3,
                "`sampling.rate` is 1.5, but a sampling rate is a number from 0 to 1",
            ),
            (
                "rate nan",
                "[sampling]\nmode = \"risk\"\nrate = nan\nfloor = 1\ncap = 2\n",
                3,
                "`sampling.rate` is nan, but a sampling rate is a number from 0 to 1",
            ),
            (
                "negative floor",
                "[sampling]\nmode = \"risk\"\nrate = 0.1\nfloor = -1\ncap = 2\n",
                4,
                "`sampling.floor` is -1, but a floor is a number of tickets from 0 to 1000000",
            ),
            (
                "cap too large",
                "[sampling]\nmode = \"risk\"\nrate = 0.1\nfloor = 1\ncap = 1000001\n",
                5,
                "`sampling.cap` is 1000001, but a cap is a number of tickets from 0 to 1000000",
            ),
            (
                "floor above cap",
                "[sampling]\nmode = \"risk\"\nrate = 0.1\nfloor = 6\ncap = 5\n",
                4,
                "`sampling.floor` is 6, above `sampling.cap` 5: reaching the floor could take \
                 must-review tickets the cap leaves out; make floor at most cap",
            ),
            (
                "a fractional floor",
                "[sampling]\nmode = \"risk\"\nrate = 0.1\nfloor = 1.5\ncap = 5\n",
                4,
                "invalid type: floating point `1.5`, expected i64",
            ),
            (
                "unknown key",
                "[sampling]\nmode = \"risk\"\nrates = 0.1\n",
                3,
                "unknown field `rates`",
            ),
        ];
        for (name, table, line, says) in cases {
            let (text, base) = with(table);
            let err = match Template::parse(&text, "t.toml") {
                Ok(_) => panic!("{name}: accepted"),
                Err(err) => err.to_string(),
            };
            let want = format!("scoring template t.toml:{}: {says}", base + line);
            assert!(err.starts_with(&want), "{name}: {err}\nwant: {want}");
            assert!(!err.contains('\n'), "{name}: {err}");
        }
        // At the bounds: accepted.
        let (text, _) = with("[sampling]\nmode = \"risk\"\nrate = 0\nfloor = 0\ncap = 0\n");
        assert!(Template::parse(&text, "t.toml").is_ok());
        let (text, _) =
            with("[sampling]\nmode = \"risk\"\nrate = 1\nfloor = 1000000\ncap = 1000000\n");
        assert!(Template::parse(&text, "t.toml").is_ok());
    }
}
