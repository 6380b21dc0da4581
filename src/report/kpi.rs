//! The KPI model: for one agent (or the team), each KPI the decks manage by — 平均处理时长
//! (AHT), 投诉率, 满意率, 首响达标率, 解决率 — as a [`Line`]: the figure from `Metrics`, its
//! numerator and denominator, the template's target and whether the figure misses it. Built
//! once per agent in `run` and shared by `agents.csv`, `summary.json`, the team page and the
//! agent pages, so every format marks the same agents; renderers only render.
//!
//! A figure misses its target when it is worse *as shown*: a rate is compared at the one
//! decimal of a percentage the pages print (85.96% shows as 86.0% and meets 86%), a handle time
//! in the whole seconds it is shown in; equal meets. An unknown figure (its denominator is 0)
//! is [`Status::Unknown`], never a miss and never 0.

use crate::aggregate::Metrics;
use crate::template::Targets;
use crate::vocab::{Kpi, Map};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The template sets no target for this KPI.
    NoTarget,
    Met,
    Missed,
    /// There is a target, but nothing to measure.
    Unknown,
}

/// One KPI of one agent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    pub kpi: Kpi,
    /// Whole seconds for AHT, a share 0–1 (four decimals) for a rate; `None` when unknown.
    pub value: Option<f64>,
    /// A rate's numerator; `None` for AHT (a mean has none).
    pub count: Option<u64>,
    /// The denominator: timed tickets (AHT), tickets (投诉率), rated tickets (满意率), timed
    /// first responses (首响达标率), tickets with a `resolved` field (解决率).
    pub of: u64,
    pub target: Option<f64>,
    pub status: Status,
}

/// Every KPI of one agent or of the team, in `Kpi::ALL` order.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub lines: Map<Kpi, Line>,
}

impl Card {
    /// `m`'s KPIs against `targets` (the template's `[kpi]`; `Targets::default()` for figures
    /// without marks, as the team's row shows them).
    pub fn of(m: &Metrics, targets: &Targets) -> Card {
        let lines = Map::from_fn(|kpi: Kpi| {
            let (value, count, of) = match kpi {
                Kpi::Aht => (m.handle_mean_secs.map(f64::from), None, m.handle_timed_tickets),
                Kpi::ComplaintRate => (m.complaint_rate, Some(m.complaint_tickets), m.tickets),
                Kpi::SatisfactionRate => {
                    (m.satisfaction_rate, Some(m.csat_satisfied), m.csat_count)
                }
                Kpi::FirstResponseSlaRate => (
                    m.first_response_sla_rate,
                    m.first_response_sla_breaches.map(|b| m.timed_first_responses - b),
                    m.timed_first_responses,
                ),
                Kpi::ResolutionRate => (m.resolved_share, Some(m.resolved), m.resolved_known),
            };
            let target = targets.get(kpi);
            let status = match (target, value) {
                (None, _) => Status::NoTarget,
                (Some(_), None) => Status::Unknown,
                (Some(t), Some(v)) if misses(kpi, v, t) => Status::Missed,
                (Some(_), Some(_)) => Status::Met,
            };
            Line { kpi, value, count, of, target, status }
        });
        Card { lines }
    }

    /// The KPIs whose target the figure misses, in `Kpi::ALL` order.
    pub fn missed(&self) -> impl Iterator<Item = &Line> {
        self.lines.values().filter(|l| l.status == Status::Missed)
    }

    /// The KPIs with a target but no figure to hold against it.
    pub fn unknown(&self) -> impl Iterator<Item = &Line> {
        self.lines.values().filter(|l| l.status == Status::Unknown)
    }

    pub fn any_missed(&self) -> bool {
        self.missed().next().is_some()
    }
}

/// Whether `value` is worse than `target`, compared as shown: a rate in tenths of a percentage
/// point (the figure as the pages round it) against the target in hundredths (as the template
/// can write it), both integers, so 0.9 × 100 = 90.00000000000001 never marks a 90.0%; a
/// handle time in whole seconds.
fn misses(kpi: Kpi, value: f64, target: f64) -> bool {
    let (shown, limit) = match kpi {
        Kpi::Aht => (value.round() as i64, target.round() as i64),
        _ => ((value * 1000.0).round() as i64 * 10, (target * 10_000.0).round() as i64),
    };
    if kpi.lower_is_better() {
        shown > limit
    } else {
        shown < limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_is_missed_only_by_a_worse_figure_as_shown() {
        use Kpi::*;
        let cases: &[(&str, Kpi, f64, f64, bool)] = &[
            ("AHT above", Aht, 130.0, 90.0, true),
            ("AHT at the target meets it", Aht, 90.0, 90.0, false),
            ("AHT below", Aht, 45.0, 90.0, false),
            ("满意率 6/7 = 0.8571 → 85.7% < 90%", SatisfactionRate, 0.8571, 0.9, true),
            // 0.9 × 10 000 = 9000 (not 9000.000000000002): equal meets.
            ("满意率 exactly 90%", SatisfactionRate, 0.9, 0.9, false),
            // 0.89996 shows as 90.0%: it meets 90% as shown.
            ("满意率 89.996% shows as 90.0%", SatisfactionRate, 0.89996, 0.9, false),
            ("满意率 89.94% shows as 89.9%", SatisfactionRate, 0.8994, 0.9, true),
            ("投诉率 above", ComplaintRate, 0.2, 0.05, true),
            ("投诉率 at 5%", ComplaintRate, 0.05, 0.05, false),
            ("投诉率 of 0 is known and meets", ComplaintRate, 0.0, 0.05, false),
            ("首响达标率 below", FirstResponseSlaRate, 0.5, 0.95, true),
            ("首响达标率 target of 95.5% against 95.5%", FirstResponseSlaRate, 0.955, 0.955, false),
            ("解决率 of 0 is known and misses", ResolutionRate, 0.0, 0.8, true),
        ];
        for (name, kpi, value, target, want) in cases {
            assert_eq!(misses(*kpi, *value, *target), *want, "{name}");
        }
    }
}
