//! `zhijian diff OLD NEW`: what changed between two reports, and why. It compares how they
//! were made (version, options, template, lexicon entries added, removed or changed), every
//! figure of `summary.json` for the team and each agent, each lexicon entry's hits and tickets,
//! and — when both audited the same input (equal input fingerprints in the manifests) — every
//! ticket whose reasons, sample membership or sampled compliance results changed, with the
//! lexicon entries behind the change: the change simulator a trainer runs before shipping a
//! lexicon edit. Without the same input it says so and compares aggregates (the nightly
//! trend). The [`Diff`] built here is the page model; `render` only formats it.

mod load;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use std::io::Write;

use crate::cli::DiffArgs;
use crate::error::{Error, Result, EXIT_CHANGED, EXIT_OK};
use crate::lexicon::{Entry, Lexicon};
use crate::report::Staging;
use load::{Flagged, Queued, Report};

/// Everything that differs between two reports. Empty lists and `None` mean "no change".
#[derive(Debug, Serialize)]
pub struct Diff {
    pub old: String,
    pub new: String,
    pub changes: Changes,
    /// Whether both reports audited the same input: then `tickets` is ticket by ticket.
    pub same_input: bool,
    pub team: Vec<Figure>,
    /// Agents whose overall score moved more than `threshold` first (largest move first), then
    /// the others with any changed figure, by id.
    pub agents: Vec<AgentDelta>,
    pub threshold: f64,
    pub entries: Vec<EntryDelta>,
    /// `None` without the same input.
    pub tickets: Option<Vec<TicketDelta>>,
}

impl Diff {
    /// Nothing differs but the run's own facts (start time, duration, threads, paths).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
            && self.same_input
            && self.team.is_empty()
            && self.agents.is_empty()
            && self.entries.is_empty()
            && self.tickets.as_ref().is_none_or(Vec::is_empty)
    }
}

/// How the two reports were made, where it differs.
#[derive(Debug, Default, Serialize)]
pub struct Changes {
    /// `[old, new]` zhijian versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<[String; 2]>,
    /// Options (`manifest.json` `options`) with their old and new values.
    pub options: Vec<Setting>,
    /// Template values that differ (`overall.empathy`, `severity.low_csat`…), or the one line
    /// `sha256` when a report carries no copy of its template.
    pub template: Vec<Setting>,
    pub lexicon: LexiconChanges,
}

impl Changes {
    fn is_empty(&self) -> bool {
        self.version.is_none()
            && self.options.is_empty()
            && self.template.is_empty()
            && self.lexicon.is_empty()
    }
}

#[derive(Debug, Serialize)]
pub struct Setting {
    pub name: String,
    pub old: Value,
    pub new: Value,
}

#[derive(Debug, Default, Serialize)]
pub struct LexiconChanges {
    pub added: Vec<EntryRef>,
    pub removed: Vec<EntryRef>,
    /// Same category and phrase, another weight or option.
    pub changed: Vec<EntryChange>,
    /// Set when a report carries no copy of its lexicons: the files' sha256 sums that differ.
    pub unlisted: Vec<Setting>,
}

impl LexiconChanges {
    fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.unlisted.is_empty()
    }

    /// The entries added, removed or changed, and their categories.
    fn edited(&self) -> Edited {
        let changed = self.changed.iter().map(|c| &c.entry);
        let all: Vec<&EntryRef> = self.added.iter().chain(&self.removed).chain(changed).collect();
        Edited {
            entries: all.iter().map(|e| format!("{}:{}", e.category, e.entry)).collect(),
            categories: all.iter().map(|e| e.category.clone()).collect(),
        }
    }
}

/// What a lexicon edit touched, as `category:entry` and as categories.
struct Edited {
    entries: BTreeSet<String>,
    categories: BTreeSet<String>,
}

/// A lexicon entry as a trainer wrote it: `category`, the phrase, and whether it is a `!`
/// exception.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntryRef {
    pub category: String,
    pub entry: String,
    pub exception: bool,
}

#[derive(Debug, Serialize)]
pub struct EntryChange {
    pub entry: EntryRef,
    /// The entry's options, as `weight=1.5 boundary needs=degree alt=…`.
    pub old: String,
    pub new: String,
}

/// One figure of `summary.json`, by dotted path; `None` is unknown (null) or absent.
#[derive(Debug, Serialize, PartialEq)]
pub struct Figure {
    pub figure: String,
    pub old: Option<f64>,
    pub new: Option<f64>,
    pub delta: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct AgentDelta {
    pub agent_id: String,
    /// The overall score (0–100), old and new; `None` when unknown or the agent is absent.
    pub old: Option<f64>,
    pub new: Option<f64>,
    pub delta: Option<f64>,
    /// In only one of the reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_in: Option<&'static str>,
    /// Every changed figure, the score included.
    pub figures: Vec<Figure>,
}

#[derive(Debug, Serialize)]
pub struct EntryDelta {
    pub category: String,
    pub entry: String,
    pub old_hits: Option<u64>,
    pub new_hits: Option<u64>,
    pub old_tickets: Option<u64>,
    pub new_tickets: Option<u64>,
}

#[derive(Debug, Default, Serialize)]
pub struct TicketDelta {
    pub ticket_id: String,
    pub agent_id: String,
    /// Reason codes the ticket has only in the new report, and only in the old.
    pub gained: Vec<String>,
    pub lost: Vec<String>,
    /// `joined` or `left` the compliance sample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<&'static str>,
    /// Checks whose result changed on a ticket sampled in both.
    pub compliance: Vec<Setting>,
    /// The lexicon entries behind the change, `category:entry`.
    pub entries: Vec<String>,
}

/// `zhijian diff`: prints the table (or JSON), writes the pages with `--out`, and returns
/// [`EXIT_CHANGED`] when anything differs.
pub fn run(args: &DiffArgs) -> Result<i32> {
    let diff = diff(&args.old, &args.new, args.threshold)?;
    if let Some(out) = &args.out {
        let staging = Staging::create_bare(out, args.quiet)?;
        staging.write("diff.html", &render::html(&diff))?;
        staging.write("diff.md", &render::markdown(&diff))?;
        staging.write("diff.json", &render::json(&diff))?;
        staging.commit()?;
    }
    let printed =
        if args.json { render::json(&diff) } else { render::terminal(&diff).into_bytes() };
    std::io::stdout().write_all(&printed).map_err(Error::write("-"))?;
    Ok(if diff.is_empty() { EXIT_OK } else { EXIT_CHANGED })
}

/// Compares the reports in `old` and `new`.
pub fn diff(old: &Path, new: &Path, threshold: f64) -> Result<Diff> {
    let (old_report, new_report) = (Report::open(old)?, Report::open(new)?);
    let changes = changes(&old_report, &new_report);
    // The line digests where both reports have them (a sharded run has no file's sha256),
    // else the files' sha256 (reports of earlier releases).
    let fingerprints =
        |kind| (old_report.input_fingerprints(kind), new_report.input_fingerprints(kind));
    let same_input = match fingerprints("lines_digest") {
        (Some(a), Some(b)) => a == b,
        _ => matches!(fingerprints("sha256"), (Some(a), Some(b)) if a == b),
    };
    let team = changed_figures(&old_report.summary["team"], &new_report.summary["team"]);
    let agents = agents(&old_report.summary, &new_report.summary, threshold);
    let entries = entries(&old_report.summary, &new_report.summary);
    let tickets = if same_input {
        Some(tickets(&old_report, &new_report, &changes.lexicon.edited())?)
    } else {
        None
    };
    Ok(Diff {
        old: old.display().to_string(),
        new: new.display().to_string(),
        changes,
        same_input,
        team,
        agents,
        threshold,
        entries,
        tickets,
    })
}

fn changes(old: &Report, new: &Report) -> Changes {
    let version = |r: &Report| r.manifest["version"].as_str().unwrap_or("").to_string();
    let version = Some([version(old), version(new)]).filter(|[a, b]| a != b);
    let options = settings(&old.manifest["options"], &new.manifest["options"]);
    let template = match (&old.template, &new.template) {
        (Some(a), Some(b)) => {
            let parse = |text: &str| toml::from_str::<Value>(text).ok();
            match (parse(a), parse(b)) {
                (Some(a), Some(b)) => settings(&a, &b),
                _ => sha_setting("sha256", &old.manifest["template"], &new.manifest["template"]),
            }
        }
        _ => sha_setting("sha256", &old.manifest["template"], &new.manifest["template"]),
    };
    let lexicon = match (&old.lexicon, &new.lexicon) {
        (Some(a), Some(b)) => lexicon_changes(a, b),
        _ => LexiconChanges {
            unlisted: lexicon_sums(&old.manifest, &new.manifest),
            ..LexiconChanges::default()
        },
    };
    Changes { version, options, template, lexicon }
}

/// Leaves under `old` and `new` (objects flattened to dotted names) whose values differ.
fn settings(old: &Value, new: &Value) -> Vec<Setting> {
    fn leaves(value: &Value, path: &str, out: &mut BTreeMap<String, Value>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    let path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                    leaves(value, &path, out);
                }
            }
            other => {
                out.insert(path.to_string(), other.clone());
            }
        }
    }
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    leaves(old, "", &mut a);
    leaves(new, "", &mut b);
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let (old, new) = (a.get(name), b.get(name));
            (old != new).then(|| Setting {
                name: name.clone(),
                old: old.cloned().unwrap_or(Value::Null),
                new: new.cloned().unwrap_or(Value::Null),
            })
        })
        .collect()
}

fn sha_setting(name: &str, old: &Value, new: &Value) -> Vec<Setting> {
    let (a, b) = (&old["sha256"], &new["sha256"]);
    if a == b {
        return Vec::new();
    }
    vec![Setting { name: name.to_string(), old: a.clone(), new: b.clone() }]
}

fn lexicon_sums(old: &Value, new: &Value) -> Vec<Setting> {
    let sums = |manifest: &Value| -> Value {
        let files = manifest["lexicons"]["files"].as_array().cloned().unwrap_or_default();
        let map = files
            .iter()
            .map(|f| (f["name"].as_str().unwrap_or("").to_string(), f["sha256"].clone()))
            .collect();
        Value::Object(map)
    };
    settings(&sums(old), &sums(new))
}

fn entry_ref(e: &Entry) -> EntryRef {
    EntryRef {
        category: e.category.key().to_string(),
        entry: e.phrase.clone(),
        exception: e.is_exception,
    }
}

/// An entry's options as a trainer would write them.
fn entry_options(e: &Entry) -> String {
    let mut parts = vec![format!("weight={}", f64::from(e.weight_milli) / 1000.0)];
    parts.push(if e.needs_boundary { "boundary" } else { "no-boundary" }.to_string());
    if e.needs_degree {
        parts.push("needs=degree".into());
    }
    if let Some(alt) = &e.alt {
        parts.push(format!("alt={alt}"));
    }
    parts.join(" ")
}

fn lexicon_changes(old: &Lexicon, new: &Lexicon) -> LexiconChanges {
    let index = |lexicon: &Lexicon| -> BTreeMap<EntryRef, String> {
        lexicon.entries.iter().map(|e| (entry_ref(e), entry_options(e))).collect()
    };
    let (a, b) = (index(old), index(new));
    let mut changes = LexiconChanges::default();
    for (entry, options) in &a {
        match b.get(entry) {
            None => changes.removed.push(entry.clone()),
            Some(new) if new != options => changes.changed.push(EntryChange {
                entry: entry.clone(),
                old: options.clone(),
                new: new.clone(),
            }),
            Some(_) => {}
        }
    }
    changes.added = b.keys().filter(|e| !a.contains_key(*e)).cloned().collect();
    changes
}

/// The figures under `old` and `new` that differ (a figure absent on one side is `None`).
fn changed_figures(old: &Value, new: &Value) -> Vec<Figure> {
    let (a, b) = (load::figures(old), load::figures(new));
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let (old, new) = (a.get(name).copied().flatten(), b.get(name).copied().flatten());
            (old != new).then(|| Figure { figure: name.clone(), old, new, delta: delta(old, new) })
        })
        .collect()
}

fn delta(old: Option<f64>, new: Option<f64>) -> Option<f64> {
    Some(round4(new? - old?))
}

/// Four decimals, as the reports write shares: `0.1 + 0.2` reads 0.3.
fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn agents(old: &Value, new: &Value, threshold: f64) -> Vec<AgentDelta> {
    let by_id = |summary: &Value| -> BTreeMap<String, Value> {
        let agents = summary["agents"].as_array().cloned().unwrap_or_default();
        agents.into_iter().map(|a| (a["agent_id"].as_str().unwrap_or("").to_string(), a)).collect()
    };
    let (a, b) = (by_id(old), by_id(new));
    let ids: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut agents: Vec<AgentDelta> = ids
        .into_iter()
        .filter_map(|id| {
            let (old, new) = (a.get(id), b.get(id));
            let only_in = match (old, new) {
                (Some(_), None) => Some("old"),
                (None, Some(_)) => Some("new"),
                _ => None,
            };
            let figures = changed_figures(old.unwrap_or(&Value::Null), new.unwrap_or(&Value::Null));
            if figures.is_empty() && only_in.is_none() {
                return None;
            }
            let score = |side: Option<&Value>| side.and_then(|v| v["score"].as_f64());
            let (old, new) = (score(old), score(new));
            Some(AgentDelta {
                agent_id: id.clone(),
                old,
                new,
                delta: delta(old, new),
                only_in,
                figures,
            })
        })
        .collect();
    let moved = |a: &AgentDelta| a.delta.map_or(0.0, f64::abs);
    agents.sort_by(|x, y| {
        let (mx, my) = (moved(x) > threshold, moved(y) > threshold);
        my.cmp(&mx)
            .then_with(
                || if mx { moved(y).total_cmp(&moved(x)) } else { std::cmp::Ordering::Equal },
            )
            .then_with(|| x.agent_id.cmp(&y.agent_id))
    });
    agents
}

fn entries(old: &Value, new: &Value) -> Vec<EntryDelta> {
    type Counts = BTreeMap<(String, String), (Option<u64>, Option<u64>)>;
    let by_entry = |summary: &Value| -> Counts {
        let entries = summary["lexicon"]["entries"].as_array().cloned().unwrap_or_default();
        entries
            .iter()
            .map(|e| {
                let key = |k: &str| e[k].as_str().unwrap_or("").to_string();
                ((key("category"), key("entry")), (e["hits"].as_u64(), e["tickets"].as_u64()))
            })
            .collect()
    };
    let (a, b) = (by_entry(old), by_entry(new));
    let keys: BTreeSet<&(String, String)> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let (old_hits, old_tickets) = a.get(key).copied().unwrap_or_default();
            let (new_hits, new_tickets) = b.get(key).copied().unwrap_or_default();
            (old_hits != new_hits || old_tickets != new_tickets || a.get(key) != b.get(key)).then(
                || EntryDelta {
                    category: key.0.clone(),
                    entry: key.1.clone(),
                    old_hits,
                    new_hits,
                    old_tickets,
                    new_tickets,
                },
            )
        })
        .collect()
}

/// Ticket by ticket: both reports' flagged tickets joined by id, their review queues by agent
/// and id, each in one pass.
fn tickets(old: &Report, new: &Report, changed: &Edited) -> Result<Vec<TicketDelta>> {
    let mut deltas: BTreeMap<String, TicketDelta> = BTreeMap::new();
    let (mut a, mut b) = (old.flagged()?, new.flagged()?);
    merge_join(
        || a.next(),
        || b.next(),
        |f: &Flagged| f.ticket_id.clone(),
        |x, y| {
            if let Some(delta) = flagged_delta(x.as_ref(), y.as_ref(), changed) {
                deltas.insert(delta.ticket_id.clone(), delta);
            }
        },
    )?;
    let (mut a, mut b) = (old.queue()?, new.queue()?);
    merge_join(
        || a.next(),
        || b.next(),
        |q: &Queued| (q.agent_id.clone(), q.ticket_id.clone()),
        |x, y| queue_delta(x, y, &mut deltas),
    )?;
    Ok(deltas.into_values().collect())
}

/// Walks two streams sorted by `key` in step, handing `visit` each key's item from the old
/// side, the new side or both.
fn merge_join<T, K: Ord>(
    mut old: impl FnMut() -> Result<Option<T>>,
    mut new: impl FnMut() -> Result<Option<T>>,
    key: impl Fn(&T) -> K,
    mut visit: impl FnMut(Option<T>, Option<T>),
) -> Result<()> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let (mut x, mut y) = (old()?, new()?);
    loop {
        let order = match (&x, &y) {
            (None, None) => return Ok(()),
            (Some(_), None) => Less,
            (None, Some(_)) => Greater,
            (Some(p), Some(q)) => key(p).cmp(&key(q)),
        };
        match order {
            Less => {
                visit(x.take(), None);
                x = old()?;
            }
            Greater => {
                visit(None, y.take());
                y = new()?;
            }
            Equal => {
                visit(x.take(), y.take());
                x = old()?;
                y = new()?;
            }
        }
    }
}

/// A flagged ticket's change of reasons, and the entries behind it: when flagged in both, the
/// hits whose entry or effect differs; when flagged in one only, its hits of an entry that was
/// added, removed or changed, or failing those (an exception added cancels hits of other
/// entries), its hits in a category whose lexicon changed.
fn flagged_delta(
    old: Option<&Flagged>,
    new: Option<&Flagged>,
    changed: &Edited,
) -> Option<TicketDelta> {
    let reasons = |f: Option<&Flagged>| -> BTreeSet<String> {
        f.map(|f| f.reasons.iter().cloned().collect()).unwrap_or_default()
    };
    let (a, b) = (reasons(old), reasons(new));
    if a == b {
        return None;
    }
    let hits = |f: Option<&Flagged>| -> BTreeSet<(String, String, String)> {
        let evidence = f.map(|f| f.evidence.as_slice()).unwrap_or_default();
        evidence
            .iter()
            .filter_map(|e| {
                let entry = e.entry.clone()?;
                Some((e.category.clone(), entry, e.effect.clone().unwrap_or_default()))
            })
            .collect()
    };
    let (ha, hb) = (hits(old), hits(new));
    let name = |(c, e, _): &(String, String, String)| format!("{c}:{e}");
    let behind: BTreeSet<String> = if old.is_some() && new.is_some() {
        ha.symmetric_difference(&hb).map(name).collect()
    } else {
        let all: Vec<&(String, String, String)> = ha.union(&hb).collect();
        let edited: BTreeSet<String> =
            all.iter().map(|h| name(h)).filter(|n| changed.entries.contains(n)).collect();
        if edited.is_empty() {
            all.iter().filter(|(c, ..)| changed.categories.contains(c)).map(|h| name(h)).collect()
        } else {
            edited
        }
    };
    let side = old.or(new).expect("one side is flagged");
    Some(TicketDelta {
        ticket_id: side.ticket_id.clone(),
        agent_id: side.agent_id.clone(),
        gained: b.difference(&a).cloned().collect(),
        lost: a.difference(&b).cloned().collect(),
        entries: behind.into_iter().collect(),
        ..TicketDelta::default()
    })
}

fn queue_delta(
    old: Option<Queued>,
    new: Option<Queued>,
    deltas: &mut BTreeMap<String, TicketDelta>,
) {
    let (sample, compliance) = match (&old, &new) {
        (Some(_), None) => (Some("left"), Vec::new()),
        (None, Some(_)) => (Some("joined"), Vec::new()),
        (Some(a), Some(b)) => {
            let changed = b
                .results
                .iter()
                .filter_map(|(name, y)| {
                    let (_, x) = a.results.iter().find(|(n, _)| n == name)?;
                    (x != y).then(|| Setting {
                        name: name.clone(),
                        old: Value::from(x.as_str()),
                        new: Value::from(y.as_str()),
                    })
                })
                .collect();
            (None, changed)
        }
        (None, None) => return,
    };
    if sample.is_none() && compliance.is_empty() {
        return;
    }
    let side = old.or(new).expect("one side is queued");
    let delta = deltas.entry(side.ticket_id.clone()).or_insert_with(|| TicketDelta {
        ticket_id: side.ticket_id.clone(),
        agent_id: side.agent_id.clone(),
        ..TicketDelta::default()
    });
    delta.sample = sample;
    delta.compliance = compliance;
}
