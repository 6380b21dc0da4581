//! Reading one report directory back for `zhijian diff`: its manifest and summary whole (they
//! are small), its lexicons and template from the copies it carries, and its two per-ticket
//! files as streams in the order the audit wrote them (`flagged.jsonl` by ticket id,
//! `review_queue.csv` by agent, then ticket id), so two reports of millions of tickets are
//! compared in one pass each, holding only what changed.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::lexicon::Lexicon;
use crate::report::provenance::{LEXICONS_DIR, TEMPLATE_FILE};
use crate::report::{labels, marker};

/// One report directory, read but for its per-ticket files.
pub struct Report {
    pub dir: PathBuf,
    pub manifest: Value,
    pub summary: Value,
    /// The lexicons it carries; `None` for a report of a release that carried none.
    pub lexicon: Option<Lexicon>,
    /// Its template's text, likewise.
    pub template: Option<String>,
}

impl Report {
    pub fn open(dir: &Path) -> Result<Report> {
        if !marker::is_report(dir) {
            return Err(Error::NotAReport { path: dir.to_path_buf() });
        }
        let json = |name: &str| -> Result<Value> {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).map_err(Error::read(&path))?;
            serde_json::from_slice(&bytes).map_err(|e| Error::Input {
                path: path.clone(),
                problem: format!("is not the JSON zhijian writes: {e}"),
            })
        };
        let lexicons = dir.join(LEXICONS_DIR);
        let lexicon = if lexicons.is_dir() { Some(Lexicon::load_dir(&lexicons)?) } else { None };
        let template_path = dir.join(TEMPLATE_FILE);
        let template = match std::fs::read_to_string(&template_path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => return Err(Error::Read { path: template_path, source }),
        };
        Ok(Report {
            dir: dir.to_path_buf(),
            manifest: json("manifest.json")?,
            summary: json("summary.json")?,
            lexicon,
            template,
        })
    }

    /// The inputs' fingerprints of one kind (`sha256` of the bytes, or `lines_digest`, which
    /// a sharded run records too), sorted; `None` when one of them has none (stdin cut short,
    /// a file no one process read whole, or a report of a release that recorded none).
    pub fn input_fingerprints(&self, kind: &str) -> Option<Vec<String>> {
        let inputs = self.manifest.get("inputs")?.as_array()?;
        let mut sums: Vec<String> = inputs
            .iter()
            .map(|input| input.get(kind).and_then(Value::as_str).map(String::from))
            .collect::<Option<_>>()?;
        sums.sort();
        Some(sums)
    }

    pub fn flagged(&self) -> Result<FlaggedStream> {
        let path = self.dir.join("flagged.jsonl");
        let file = File::open(&path).map_err(Error::read(&path))?;
        Ok(FlaggedStream { lines: BufReader::new(file), path, line: 0, last: None })
    }

    pub fn queue(&self) -> Result<QueueStream> {
        let path = self.dir.join("review_queue.csv");
        let file = File::open(&path).map_err(Error::read(&path))?;
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
        let bad = |problem: String| Error::Input { path: path.clone(), problem };
        let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
        let column = |name: &str| -> Result<usize> {
            let name = name.trim_start_matches('\u{feff}');
            headers
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}') == name)
                .ok_or_else(|| bad(format!("has no `{name}` column")))
        };
        let agent = column(labels::QUEUE_AGENT)?;
        let ticket = column(labels::QUEUE_TICKET)?;
        // Each rule's result column (`<label>-结果`), named by the rule's id when the built-in
        // template has a rule of that label, else by the label.
        let builtin = crate::template::Template::builtin();
        let results: Vec<(String, usize)> = headers
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let label = h.trim_start_matches('\u{feff}').strip_suffix("-结果")?;
                let rule = builtin.rules.iter().find(|r| r.label == label);
                Some((rule.map_or(label, |r| r.id.as_str()).to_string(), i))
            })
            .collect();
        Ok(QueueStream { records: reader.into_records(), path, agent, ticket, results, last: None })
    }
}

/// What `diff` needs of one `flagged.jsonl` line.
#[derive(Debug, Deserialize)]
pub struct Flagged {
    pub ticket_id: String,
    pub agent_id: String,
    pub reasons: Vec<String>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize)]
pub struct Evidence {
    pub category: String,
    #[serde(default)]
    pub entry: Option<String>,
    #[serde(default)]
    pub effect: Option<String>,
}

pub struct FlaggedStream {
    lines: BufReader<File>,
    path: PathBuf,
    line: u64,
    last: Option<String>,
}

impl FlaggedStream {
    /// The next flagged ticket; an error if the file is not in ticket-id order.
    pub fn next(&mut self) -> Result<Option<Flagged>> {
        let mut line = String::new();
        loop {
            line.clear();
            let read = self.lines.read_line(&mut line).map_err(Error::read(&self.path))?;
            if read == 0 {
                return Ok(None);
            }
            self.line += 1;
            if !line.trim().is_empty() {
                break;
            }
        }
        let at = format!("{}:{}", self.path.display(), self.line);
        let flagged: Flagged = serde_json::from_str(&line).map_err(|e| Error::Input {
            path: PathBuf::from(&at),
            problem: format!("is not a flagged.jsonl line: {e}"),
        })?;
        in_order(&mut self.last, &flagged.ticket_id, &at)?;
        Ok(Some(flagged))
    }
}

/// One review-queue row: who, which ticket, each check's result as written (通过, 不通过…).
#[derive(Debug, PartialEq)]
pub struct Queued {
    pub agent_id: String,
    pub ticket_id: String,
    /// Per rule, its name and result.
    pub results: Vec<(String, String)>,
}

pub struct QueueStream {
    records: csv::StringRecordsIntoIter<File>,
    path: PathBuf,
    agent: usize,
    ticket: usize,
    results: Vec<(String, usize)>,
    last: Option<String>,
}

impl QueueStream {
    /// The next sampled ticket; an error if the queue is not in the audit's order.
    pub fn next(&mut self) -> Result<Option<Queued>> {
        let Some(record) = self.records.next() else { return Ok(None) };
        let record = record.map_err(|e| Error::Input {
            path: self.path.clone(),
            problem: format!("cannot be read as CSV: {e}"),
        })?;
        let cell = |i: usize| record.get(i).unwrap_or("").to_string();
        let queued = Queued {
            agent_id: cell(self.agent),
            ticket_id: cell(self.ticket),
            results: self.results.iter().map(|(name, i)| (name.clone(), cell(*i))).collect(),
        };
        let line = record.position().map_or(0, |p| p.line());
        let at = format!("{}:{line}", self.path.display());
        // Agent ids hold no NUL, so this orders exactly as (agent, ticket) pairs.
        in_order(&mut self.last, &format!("{}\0{}", queued.agent_id, queued.ticket_id), &at)?;
        Ok(Some(queued))
    }
}

/// Errs unless `key` comes strictly after the previous one.
fn in_order(last: &mut Option<String>, key: &str, at: &str) -> Result<()> {
    if last.as_deref().is_some_and(|last| last >= key) {
        return Err(Error::Input {
            path: PathBuf::from(at),
            problem: "is out of the order zhijian writes (was the file edited or sorted?)".into(),
        });
    }
    *last = Some(key.to_string());
    Ok(())
}

/// Every number (and null) below `value`, by dotted path: `categories.empathy.hits`.
pub fn figures(value: &Value) -> BTreeMap<String, Option<f64>> {
    fn walk(value: &Value, path: &str, out: &mut BTreeMap<String, Option<f64>>) {
        match value {
            Value::Number(n) => {
                out.insert(path.to_string(), n.as_f64());
            }
            Value::Null => {
                out.insert(path.to_string(), None);
            }
            Value::Object(map) => {
                for (key, value) in map {
                    let path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                    walk(value, &path, out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    walk(value, "", &mut out);
    out
}
