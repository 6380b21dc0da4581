//! The nightly trend: earlier reports read back so tonight's figures stand beside them.
//! `--baseline REPORT` gives each agent and the team the change since that report (overall
//! score in points, flagged share in percentage points); `--history DIR` (a folder of earlier
//! reports, one per night) gives each the last [`SERIES`] overall scores and marks **repeat
//! offenders**: an agent flagged for the same conduct or veto reason on at least
//! [`REPEAT_NIGHTS`] of the last [`REPEAT_WINDOW`] runs, tonight's included.
//!
//! Only `summary.json` and `manifest.json` of each earlier report are read, and of those only
//! the overall score, tickets, flagged and flagged-by-reason counts per agent, so 30 nights of
//! 10⁵ agents stay small. Earlier reports are ordered by their run's start time
//! (`manifest.json` `runtime.started_at`), then by directory name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::aggregate::Metrics;
use crate::error::{Error, Result};
use crate::report::marker;
use crate::score::{Reason, Severity};
use crate::template::Template;

/// Overall scores per agent on the sparkline: the last 30 runs, tonight's last.
pub const SERIES: usize = 30;
/// Repeat offender: the same conduct or veto reason on at least 3 of the last 7 runs.
pub const REPEAT_NIGHTS: usize = 3;
pub const REPEAT_WINDOW: usize = 7;

/// One earlier report, as much of it as the trend needs.
#[derive(Debug, Clone)]
pub struct Earlier {
    pub dir: String,
    pub started_at: String,
    pub team: Point,
    pub agents: BTreeMap<String, Point>,
}

/// One agent (or the team) in one report.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Point {
    #[serde(default)]
    pub score: Option<f64>,
    #[serde(default)]
    pub tickets: u64,
    #[serde(default)]
    pub flagged: u64,
    #[serde(default)]
    pub flagged_by_reason: BTreeMap<String, u64>,
}

impl Point {
    fn of(metrics: &Metrics) -> Point {
        Point {
            score: metrics.score,
            tickets: metrics.tickets,
            flagged: metrics.flagged,
            flagged_by_reason: metrics
                .flagged_by_reason
                .iter()
                .map(|(k, v)| (k.key().to_string(), *v))
                .collect(),
        }
    }

    /// Flagged tickets as a percentage of tickets; `None` without tickets.
    fn flagged_percent(&self) -> Option<f64> {
        (self.tickets > 0).then(|| 100.0 * self.flagged as f64 / self.tickets as f64)
    }
}

/// The earlier reports a run compares with.
#[derive(Debug, Default)]
pub struct Trend {
    pub baseline: Option<Earlier>,
    /// Oldest first, at most [`SERIES`] − 1 (tonight makes the last point).
    pub history: Vec<Earlier>,
}

/// What the reports show for one agent or the team.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Change {
    /// Overall score now minus at the baseline, points; `None` when either is unknown or the
    /// agent is new.
    pub score_delta: Option<f64>,
    /// Flagged share now minus at the baseline, percentage points.
    pub flagged_share_delta: Option<f64>,
    /// The agent is not in the baseline report.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub new: bool,
    /// Overall scores of the history's runs then tonight, oldest first (`None`: unknown or
    /// absent that night). Empty without `--history`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<Option<f64>>,
    /// The mean of the known overall scores of the last 7 and the last 30 runs, tonight's
    /// included (one decimal); `None` without `--history` or without a known score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_7: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_30: Option<f64>,
    /// Conduct and veto reasons flagged on at least [`REPEAT_NIGHTS`] of the last
    /// [`REPEAT_WINDOW`] runs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repeated: Vec<&'static str>,
}

impl Trend {
    /// Reads `--baseline` and `--history`; fails with the path when one is not a report.
    pub fn load(baseline: Option<&Path>, history: Option<&Path>) -> Result<Trend> {
        let baseline = baseline.map(read).transpose()?;
        let mut earlier = Vec::new();
        if let Some(dir) = history {
            let listing = std::fs::read_dir(dir).map_err(Error::read(dir))?;
            let mut dirs: Vec<PathBuf> = Vec::new();
            for item in listing {
                let path = item.map_err(Error::read(dir))?.path();
                if path.is_dir() && marker::is_report(&path) {
                    dirs.push(path);
                }
            }
            if dirs.is_empty() {
                return Err(Error::Option {
                    flag: "--history",
                    problem: format!("{} holds no zhijian report", dir.display()),
                });
            }
            for path in dirs {
                earlier.push(read(&path)?);
            }
            earlier.sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.dir.cmp(&b.dir)));
            let keep = earlier.len().saturating_sub(SERIES - 1);
            earlier.drain(..keep);
        }
        Ok(Trend { baseline, history: earlier })
    }

    pub fn is_empty(&self) -> bool {
        self.baseline.is_none() && self.history.is_empty()
    }

    /// The team's change.
    pub fn team(&self, now: &Metrics, template: &Template) -> Change {
        self.change(|e| Some(&e.team), now, template)
    }

    /// One agent's change.
    pub fn agent(&self, id: &str, now: &Metrics, template: &Template) -> Change {
        self.change(|e| e.agents.get(id), now, template)
    }

    fn change<'e>(
        &'e self,
        find: impl Fn(&'e Earlier) -> Option<&'e Point>,
        now: &Metrics,
        template: &Template,
    ) -> Change {
        let tonight = Point::of(now);
        let mut change = Change::default();
        if let Some(baseline) = &self.baseline {
            match find(baseline) {
                Some(then) => {
                    change.score_delta = difference(tonight.score, then.score);
                    change.flagged_share_delta =
                        difference(tonight.flagged_percent(), then.flagged_percent());
                }
                None => change.new = true,
            }
        }
        if !self.history.is_empty() {
            let mut nights: Vec<Option<&Point>> = self.history.iter().map(&find).collect();
            nights.push(Some(&tonight));
            change.scores = nights.iter().map(|p| p.and_then(|p| p.score)).collect();
            change.mean_7 = mean_of_last(&change.scores, REPEAT_WINDOW);
            change.mean_30 = mean_of_last(&change.scores, SERIES);
            let recent = &nights[nights.len().saturating_sub(REPEAT_WINDOW)..];
            change.repeated = Reason::ALL
                .iter()
                .filter(|&&r| template.severity(r) >= Severity::Conduct)
                .filter(|r| {
                    let flagged = |p: &&Option<&Point>| {
                        p.is_some_and(|p| p.flagged_by_reason.get(r.key()).is_some_and(|&n| n > 0))
                    };
                    recent.iter().filter(flagged).count() >= REPEAT_NIGHTS
                })
                .map(|r| r.key())
                .collect();
        }
        change
    }
}

/// The mean of the known scores among the last `runs`, one decimal.
fn mean_of_last(scores: &[Option<f64>], runs: usize) -> Option<f64> {
    let known: Vec<f64> =
        scores[scores.len().saturating_sub(runs)..].iter().flatten().copied().collect();
    (!known.is_empty())
        .then(|| (known.iter().sum::<f64>() / known.len() as f64 * 10.0).round() / 10.0)
}

/// `now − then`, one decimal (the pages' digits), when both are known.
fn difference(now: Option<f64>, then: Option<f64>) -> Option<f64> {
    Some(((now? - then?) * 10.0).round() / 10.0)
}

fn read(dir: &Path) -> Result<Earlier> {
    if !marker::is_report(dir) {
        return Err(Error::NotAReport { path: dir.to_path_buf() });
    }
    #[derive(Deserialize)]
    struct Summary {
        team: Point,
        agents: Vec<AgentPoint>,
    }
    #[derive(Deserialize)]
    struct AgentPoint {
        agent_id: String,
        #[serde(flatten)]
        point: Point,
    }
    #[derive(Deserialize, Default)]
    struct Runtime {
        #[serde(default)]
        started_at: String,
    }
    #[derive(Deserialize)]
    struct Manifest {
        #[serde(default)]
        runtime: Runtime,
    }
    let json = |name: &str| -> Result<Vec<u8>> {
        let path = dir.join(name);
        std::fs::read(&path).map_err(Error::read(&path))
    };
    let bad = |name: &str, e: serde_json::Error| Error::Input {
        path: dir.join(name),
        problem: format!("is not the JSON zhijian writes: {e}"),
    };
    let summary: Summary =
        serde_json::from_slice(&json("summary.json")?).map_err(|e| bad("summary.json", e))?;
    let manifest: Manifest =
        serde_json::from_slice(&json("manifest.json")?).map_err(|e| bad("manifest.json", e))?;
    Ok(Earlier {
        dir: dir.display().to_string(),
        started_at: manifest.runtime.started_at,
        team: summary.team,
        agents: summary.agents.into_iter().map(|a| (a.agent_id, a.point)).collect(),
    })
}

/// The trend as every report shows it: built once per run, rendered by each format.
#[derive(Debug, PartialEq, Serialize)]
pub struct View {
    /// The `--baseline` report, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// The `--history` reports used, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<String>,
    pub team: Change,
    /// By agent id.
    pub agents: BTreeMap<String, Change>,
}

impl Trend {
    /// `None` without `--baseline` and `--history`.
    pub fn view(
        &self,
        team: &Metrics,
        rows: &[(String, Option<String>, Metrics)],
        template: &Template,
    ) -> Option<View> {
        if self.is_empty() {
            return None;
        }
        Some(View {
            baseline: self.baseline.as_ref().map(|b| b.dir.clone()),
            history: self.history.iter().map(|e| e.dir.clone()).collect(),
            team: self.team(team, template),
            agents: rows
                .iter()
                .map(|(id, _, metrics)| (id.clone(), self.agent(id, metrics, template)))
                .collect(),
        })
    }
}
