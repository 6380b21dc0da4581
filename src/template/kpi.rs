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
/// a rate as a share 0–1. Serializes (in the manifest) as an object keyed by the template's
/// keys, `null` for a KPI without a target.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Targets(pub Map<Kpi, Option<f64>>);

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
