//! Recognizing a report zhijian wrote, so that nothing else is ever deleted. A run writes the
//! marker `.zhijian-report` last into its staging directory: JSON `{"tool": "zhijian",
//! "version", "files"}`, `files` being every file the run wrote (relative, `/`-separated,
//! sorted; the marker itself excluded). It names no time or size, so it is as deterministic as
//! the reports.
//!
//! A directory is zhijian's to replace ([`Contents::Ours`]) when it is empty, or when it holds
//! only the files its marker lists, none modified after the marker was written (allowing
//! [`CLOCK_SLACK`] for coarse file-system clocks): a reviewer's file saved into the report, or
//! `review_queue.csv` filled in place, makes it [`Contents::Foreign`]. A report of the release
//! before the marker is recognized when every file has a report-set name and `manifest.json`
//! is zhijian's; such a report cannot show an edit.

use crate::report::provenance::LEXICONS_DIR;
use std::collections::BTreeSet;
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// The marker's file name: hidden, so it stays out of people's way.
pub const MARKER: &str = ".zhijian-report";
const TOOL: &str = "zhijian";
/// A file modified this long after the marker still counts as written by the run.
pub const CLOCK_SLACK: Duration = Duration::from_secs(2);
/// Top-level files of the report set (the previous release wrote no marker).
const REPORT_SET: &[&str] = &[
    "manifest.json",
    "summary.json",
    "summary.md",
    "index.html",
    "agents.csv",
    "flagged.jsonl",
    "review_queue.csv",
    "rejects.jsonl",
    "tickets.jsonl",
];
const AGENTS: &str = "agents";

#[derive(Serialize, Deserialize)]
struct Marker {
    tool: String,
    version: String,
    files: Vec<String>,
}

/// The marker for a run that wrote `files` (relative, `/`-separated).
pub fn render(mut files: Vec<String>) -> Vec<u8> {
    files.sort();
    let marker = Marker { tool: TOOL.into(), version: env!("CARGO_PKG_VERSION").into(), files };
    super::pretty_json(&marker)
}

/// Which rule proves a directory is zhijian's.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Proof {
    /// The marker, or the previous release's report set with zhijian's `manifest.json`.
    Report,
    /// The previous release's set-aside `.<out>.old`, possibly half deleted: report-set names
    /// suffice, since its manifest may already be gone.
    ReportSetNames,
}

/// A directory as far as replacing it goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Contents {
    Missing,
    /// zhijian's: these files (relative), then these directories, may be removed.
    Ours {
        files: Vec<String>,
        dirs: Vec<String>,
    },
    /// Holds what zhijian did not write (sorted; directories end in `/`).
    Foreign {
        unknown: Vec<String>,
    },
}

/// What `dir` holds, by `proof`. Links inside are never followed: a link is foreign.
pub fn inspect(dir: &Path, proof: Proof) -> io::Result<Contents> {
    let Some(found) = Found::list(dir)? else { return Ok(Contents::Missing) };
    let mut unknown = found.odd.clone();
    let marker = if found.files.iter().any(|f| f == MARKER) { read_marker(dir) } else { None };
    match &marker {
        Some(listed) => {
            let written_at = std::fs::metadata(dir.join(MARKER))?.modified()?;
            for file in found.files.iter().filter(|f| *f != MARKER) {
                if !listed.contains(file) {
                    unknown.push(file.clone());
                } else if modified_after(&dir.join(file), written_at)? {
                    unknown.push(format!("{file} (edited)"));
                }
            }
        }
        None => {
            let manifest_ok = proof == Proof::ReportSetNames
                || found.files.is_empty()
                || is_zhijian_manifest(&dir.join("manifest.json"));
            for file in &found.files {
                if !manifest_ok || !in_report_set(file) {
                    unknown.push(file.clone());
                }
            }
        }
    }
    if unknown.is_empty() {
        Ok(Contents::Ours { files: found.files, dirs: found.dirs })
    } else {
        unknown.sort();
        Ok(Contents::Foreign { unknown })
    }
}

/// A directory's entries: files of the top level, of `agents/` and of each `agents/<stem>/`
/// (an agent's reason pages), of `lexicons/` (the report's copy of its lexicons), those
/// directories (deepest first), and anything else (other directories, links, sockets) as
/// `odd`.
struct Found {
    files: Vec<String>,
    dirs: Vec<String>,
    odd: Vec<String>,
}

impl Found {
    fn list(dir: &Path) -> io::Result<Option<Found>> {
        let mut found = Found { files: Vec::new(), dirs: Vec::new(), odd: Vec::new() };
        match std::fs::read_dir(dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
            Ok(_) => found.add(dir, "")?,
        }
        Ok(Some(found))
    }

    fn add(&mut self, dir: &Path, prefix: &str) -> io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let kind = entry.file_type()?;
            if kind.is_file() {
                self.files.push(name);
            } else if kind.is_dir()
                && (name == AGENTS || name == LEXICONS_DIR || prefix == "agents/")
            {
                self.add(&entry.path(), &format!("{name}/"))?;
                self.dirs.push(name);
            } else if kind.is_dir() {
                self.odd.push(format!("{name}/"));
            } else {
                self.odd.push(name);
            }
        }
        Ok(())
    }
}

fn read_marker(dir: &Path) -> Option<BTreeSet<String>> {
    let bytes = std::fs::read(dir.join(MARKER)).ok()?;
    let marker: Marker = serde_json::from_slice(&bytes).ok()?;
    (marker.tool == TOOL).then(|| marker.files.into_iter().collect())
}

fn modified_after(path: &Path, written_at: SystemTime) -> io::Result<bool> {
    let modified = std::fs::metadata(path)?.modified()?;
    Ok(modified > written_at + CLOCK_SLACK)
}

/// A name the previous release wrote: the report set, or `agents/<stem>.md|.html`.
fn in_report_set(file: &str) -> bool {
    match file.strip_prefix("agents/") {
        Some(page) => !page.contains('/') && (page.ends_with(".md") || page.ends_with(".html")),
        None => REPORT_SET.contains(&file),
    }
}

/// `path` is a `manifest.json` that zhijian wrote (`"tool": "zhijian"`).
pub fn is_zhijian_manifest(path: &Path) -> bool {
    #[derive(Deserialize)]
    struct Head {
        tool: String,
        version: String,
    }
    let Ok(bytes) = std::fs::read(path) else { return false };
    serde_json::from_slice::<Head>(&bytes).is_ok_and(|h| h.tool == TOOL && !h.version.is_empty())
}

/// `dir` holds a zhijian report (marked, or the previous release's manifest).
pub fn is_report(dir: &Path) -> bool {
    read_marker(dir).is_some() || is_zhijian_manifest(&dir.join("manifest.json"))
}

/// Every file under `dir` (the staging directory), relative and `/`-separated.
pub fn files_under(dir: &Path) -> io::Result<Vec<String>> {
    let found = Found::list(dir)?.unwrap_or(Found { files: vec![], dirs: vec![], odd: vec![] });
    Ok(found.files)
}

/// Removes what [`inspect`] found to be zhijian's: the files (the manifest and the marker
/// last, so a kill midway leaves a directory still recognized), then the directories, each
/// only if empty, so a file saved in the meantime stops the removal instead of being lost.
pub fn remove(dir: &Path, files: &[String], dirs: &[String]) -> io::Result<()> {
    let last = |f: &String| match f.as_str() {
        MARKER => 2,
        "manifest.json" => 1,
        _ => 0,
    };
    let mut files: Vec<&String> = files.iter().collect();
    files.sort_by_key(|f| last(f));
    for file in files {
        match std::fs::remove_file(dir.join(file)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    for sub in dirs {
        std::fs::remove_dir(dir.join(sub))?;
    }
    std::fs::remove_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        name: &'static str,
        files: &'static [(&'static str, &'static str)],
        marker: Option<&'static [&'static str]>,
        proof: Proof,
        unknown: &'static [&'static str],
    }

    const MANIFEST: &str = r#"{"tool":"zhijian","version":"0.1.0"}"#;

    const CASES: &[Case] = &[
        Case { name: "empty", files: &[], marker: None, proof: Proof::Report, unknown: &[] },
        Case {
            name: "marked report",
            files: &[("summary.json", "{}"), ("agents/A1.md", "#")],
            marker: Some(&["agents/A1.md", "summary.json"]),
            proof: Proof::Report,
            unknown: &[],
        },
        Case {
            name: "marked report with reason pages",
            files: &[("agents/A1.md", "#"), ("agents/A1/low_csat.md", "#")],
            marker: Some(&["agents/A1.md", "agents/A1/low_csat.md"]),
            proof: Proof::Report,
            unknown: &[],
        },
        Case {
            name: "a directory inside reason pages",
            files: &[("agents/A1/low_csat.md", "#"), ("agents/A1/x/a.md", "#")],
            marker: Some(&["agents/A1/low_csat.md"]),
            proof: Proof::Report,
            unknown: &["agents/A1/x/"],
        },
        Case {
            name: "previous release with a directory of pages",
            files: &[("manifest.json", MANIFEST), ("agents/A1/low_csat.md", "#")],
            marker: None,
            proof: Proof::Report,
            unknown: &["agents/A1/low_csat.md"],
        },
        Case {
            name: "marked report, listed file deleted",
            files: &[("summary.json", "{}")],
            marker: Some(&["agents/A1.md", "summary.json"]),
            proof: Proof::Report,
            unknown: &[],
        },
        Case {
            name: "marked report with a reviewer's file",
            files: &[("summary.json", "{}"), ("review_queue_已复核.csv", "x")],
            marker: Some(&["summary.json"]),
            proof: Proof::Report,
            unknown: &["review_queue_已复核.csv"],
        },
        Case {
            name: "marked report, a report-set name it did not write",
            files: &[("summary.json", "{}"), ("tickets.jsonl", "x")],
            marker: Some(&["summary.json"]),
            proof: Proof::Report,
            unknown: &["tickets.jsonl"],
        },
        Case {
            name: "previous release",
            files: &[("manifest.json", MANIFEST), ("agents/A1.html", "<p>")],
            marker: None,
            proof: Proof::Report,
            unknown: &[],
        },
        Case {
            name: "previous release with notes",
            files: &[("manifest.json", MANIFEST), ("agents/notes.txt", "x")],
            marker: None,
            proof: Proof::Report,
            unknown: &["agents/notes.txt"],
        },
        Case {
            name: "someone else's manifest",
            files: &[("manifest.json", r#"{"name":"app"}"#), ("index.html", "<h1>")],
            marker: None,
            proof: Proof::Report,
            unknown: &["index.html", "manifest.json"],
        },
        Case {
            name: "report-set names without a manifest",
            files: &[("index.html", "<h1>")],
            marker: None,
            proof: Proof::Report,
            unknown: &["index.html"],
        },
        Case {
            name: "the previous release's half-deleted set-aside",
            files: &[("index.html", "<h1>"), ("agents/A1.md", "#")],
            marker: None,
            proof: Proof::ReportSetNames,
            unknown: &[],
        },
        Case {
            name: "another directory",
            files: &[("manifest.json", MANIFEST), ("photos/a.jpg", "x")],
            marker: None,
            proof: Proof::Report,
            unknown: &["photos/"],
        },
    ];

    #[test]
    fn inspect_tells_zhijians_reports_from_anything_else() {
        for case in CASES {
            let dir = tempfile::tempdir().unwrap();
            for (name, text) in case.files {
                let path = dir.path().join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            if let Some(listed) = case.marker {
                let listed = listed.iter().map(|s| s.to_string()).collect();
                std::fs::write(dir.path().join(MARKER), render(listed)).unwrap();
            }
            let got = inspect(dir.path(), case.proof).unwrap();
            match (got, case.unknown) {
                (Contents::Ours { .. }, []) => {}
                (Contents::Foreign { unknown }, want) => assert_eq!(unknown, want, "{}", case.name),
                (got, want) => panic!("{}: {got:?}, wanted unknown {want:?}", case.name),
            }
        }
    }

    #[test]
    fn a_missing_directory_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(inspect(&dir.path().join("no"), Proof::Report).unwrap(), Contents::Missing);
    }

    #[test]
    fn a_file_edited_after_the_marker_is_foreign() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("review_queue.csv"), "x").unwrap();
        std::fs::write(dir.path().join(MARKER), render(vec!["review_queue.csv".into()])).unwrap();
        let later = SystemTime::now() + Duration::from_secs(3600);
        let file = std::fs::File::options().write(true).open(dir.path().join("review_queue.csv"));
        file.unwrap().set_modified(later).unwrap();
        let got = inspect(dir.path(), Proof::Report).unwrap();
        assert_eq!(got, Contents::Foreign { unknown: vec!["review_queue.csv (edited)".into()] });
    }
}
