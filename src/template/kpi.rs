//! The scoring template's `[kpi]` table: the targets the training decks manage agents by
//! (AHT, 投诉率, 满意率, 首响达标率, 解决率). Takes the table as written, yields [`Targets`]
//! validated with file:line errors like the rest of the template. The table and each key in it
//! are optional: a KPI without a target marks no one. Targets change no figure, only marks
//! (`report::kpi` decides them); the manifest records the targets a run used.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{Error, Result};
use crate::vocab::{Kpi, Map};

/// The longest handle-time target: a day. A target is whole seconds from 1.
pub const MAX_AHT_SECS: f64 = 86_400.0;

/// One target per KPI, `None` where the template sets none: a handle time in whole seconds,
/// a rate as a share 0–1. Serializes (in the manifest and summary.json) as an object keyed by
/// the template's keys in `Kpi::ALL` order, `aht_secs` a whole number, `null` for a KPI without
/// a target.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Targets(pub Map<Kpi, Option<f64>>);

impl Serialize for Targets {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(Kpi::COUNT))?;
        for (kpi, target) in &self.0 {
            match (kpi, target) {
                // Validated whole seconds from 1 to a day: exact as an integer.
                (Kpi::Aht, Some(secs)) => map.serialize_entry(kpi.key(), &(*secs as u64))?,
                _ => map.serialize_entry(kpi.key(), target)?,
            }
        }
        map.end()
    }
}

impl Targets {
    pub fn get(&self, kpi: Kpi) -> Option<f64> {
        self.0[kpi]
    }

    /// At least one KPI has a target.
    pub fn any(&self) -> bool {
        self.0.values().any(Option::is_some)
    }
}

/// `[kpi]` as written: every key optional, unknown keys refused, numbers kept with their spans.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawKpi {
    aht_secs: Option<Spanned<f64>>,
    complaint_rate: Option<Spanned<f64>>,
    satisfaction_rate: Option<Spanned<f64>>,
    first_response_sla_rate: Option<Spanned<f64>>,
    resolution_rate: Option<Spanned<f64>>,
}

impl RawKpi {
    fn get(&self, kpi: Kpi) -> Option<&Spanned<f64>> {
        match kpi {
            Kpi::Aht => self.aht_secs.as_ref(),
            Kpi::ComplaintRate => self.complaint_rate.as_ref(),
            Kpi::SatisfactionRate => self.satisfaction_rate.as_ref(),
            Kpi::FirstResponseSlaRate => self.first_response_sla_rate.as_ref(),
            Kpi::ResolutionRate => self.resolution_rate.as_ref(),
        }
    }

    /// Validates every target: a handle time is whole seconds from 1 to a day, a rate a share
    /// from 0 to 1 (a percentage written as 90 is refused, saying to write 0.9). `text` is the
    /// template as read (to quote a number as written); `at` turns a span into `file:line`.
    pub(super) fn targets(
        &self,
        text: &str,
        at: &dyn Fn(Option<std::ops::Range<usize>>) -> String,
    ) -> Result<Targets> {
        let mut targets = Targets::default();
        for kpi in Kpi::ALL {
            let Some(value) = self.get(kpi) else { continue };
            let v = *value.get_ref();
            let ok = match kpi {
                Kpi::Aht => (1.0..=MAX_AHT_SECS).contains(&v) && v.fract() == 0.0,
                _ => (0.0..=1.0).contains(&v),
            };
            if ok {
                targets.0[kpi] = Some(v);
                continue;
            }
            let written = text.get(value.span()).map_or_else(|| v.to_string(), str::to_string);
            let what = match kpi {
                Kpi::Aht => format!(
                    "a handle-time target is whole seconds from 1 to {MAX_AHT_SECS} (90 for 1.5 \
                     minutes)"
                ),
                _ => "a rate target is a share from 0 to 1 (0.9 for 90%)".to_string(),
            };
            return Err(Error::Template {
                at: at(Some(value.span())),
                problem: format!("`kpi.{}` is {written}, but {what}", kpi.key()),
            });
        }
        Ok(targets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Template, DEFAULT_TOML};

    #[test]
    fn the_builtin_template_ships_the_decks_targets() {
        let t = Template::builtin().kpi;
        // AHT under 1.5 minutes, CSAT 90%, first response within the SLA 95% of the time, an
        // example complaint rate; resolution ships commented out.
        assert_eq!(t.get(Kpi::Aht), Some(90.0));
        assert_eq!(t.get(Kpi::SatisfactionRate), Some(0.9));
        assert_eq!(t.get(Kpi::FirstResponseSlaRate), Some(0.95));
        assert_eq!(t.get(Kpi::ComplaintRate), Some(0.05));
        assert_eq!(t.get(Kpi::ResolutionRate), None);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json,
            r#"{"aht_secs":90,"complaint_rate":0.05,"satisfaction_rate":0.9,"first_response_sla_rate":0.95,"resolution_rate":null}"#
        );
    }

    #[test]
    fn the_table_and_each_key_may_be_left_out() {
        // The shipped template with its `[kpi]` section (comments and table) cut out.
        let (start, end) = (
            DEFAULT_TOML.find("\n# KPI targets").unwrap(),
            DEFAULT_TOML.find("\n# How the compliance sample").unwrap(),
        );
        let without = format!("{}{}", &DEFAULT_TOML[..start], &DEFAULT_TOML[end..]);
        assert!(!without.contains("[kpi]") && without.contains("[sampling]"));
        let without = without.as_str();
        let t = Template::parse(without, "old.toml").unwrap();
        assert_eq!(t.kpi, Targets::default());
        assert!(!t.kpi.any());
        let one = format!("{without}\n[kpi]\nresolution_rate = 0.8\n");
        let t = Template::parse(&one, "t.toml").unwrap();
        assert_eq!(t.kpi.get(Kpi::ResolutionRate), Some(0.8));
        assert_eq!(t.kpi.get(Kpi::Aht), None);
        let empty = format!("{without}\n[kpi]\n");
        assert_eq!(Template::parse(&empty, "t.toml").unwrap().kpi, Targets::default());
    }

    #[test]
    fn a_malformed_target_is_refused_naming_file_and_line() {
        let line = |text: &str, key: &str| {
            let at = text.find(&format!("\n{key} = ")).unwrap() + 1;
            text[..at].matches('\n').count() + 1
        };
        let cases: &[(&str, &str, &str, &str, &str)] = &[
            (
                "a percentage for a share",
                "satisfaction_rate = 0.90",
                "satisfaction_rate = 90",
                "satisfaction_rate",
                "`kpi.satisfaction_rate` is 90, but a rate target is a share from 0 to 1 (0.9 \
                 for 90%)",
            ),
            (
                "a negative rate",
                "complaint_rate = 0.05",
                "complaint_rate = -0.05",
                "complaint_rate",
                "`kpi.complaint_rate` is -0.05, but a rate target is a share from 0 to 1",
            ),
            (
                "nan",
                "first_response_sla_rate = 0.95",
                "first_response_sla_rate = nan",
                "first_response_sla_rate",
                "`kpi.first_response_sla_rate` is nan, but a rate target",
            ),
            (
                "fractional seconds",
                "aht_secs = 90 ",
                "aht_secs = 90.5 ",
                "aht_secs",
                "`kpi.aht_secs` is 90.5, but a handle-time target is whole seconds from 1 to \
                 86400 (90 for 1.5 minutes)",
            ),
            (
                "minutes for seconds",
                "aht_secs = 90 ",
                "aht_secs = 0 ",
                "aht_secs",
                "`kpi.aht_secs` is 0, but a handle-time target is whole seconds",
            ),
            (
                "a word for a number",
                "aht_secs = 90 ",
                "aht_secs = \"90\" ",
                "aht_secs",
                "invalid type: string \"90\", expected f64",
            ),
            ("an unknown key", "aht_secs = 90 ", "aht = 90 ", "aht", "unknown field `aht`"),
        ];
        for (name, from, to, key, says) in cases {
            let text = DEFAULT_TOML.replacen(from, to, 1);
            assert_ne!(text, DEFAULT_TOML, "{name}: the case does not change the template");
            let err = match Template::parse(&text, "t.toml") {
                Ok(_) => panic!("{name}: accepted"),
                Err(err) => err.to_string(),
            };
            let want = format!("scoring template t.toml:{}: {says}", line(&text, key));
            assert!(err.starts_with(&want), "{name}: {err}\nwant: {want}");
            assert!(!err.contains('\n'), "{name}: {err}");
        }
    }
}
