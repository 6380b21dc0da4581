//! The integration tests' helper: a fresh work directory per test and a `zhijian` command that,
//! when something is off, says the command, the directory listing, stdout and stderr.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(&path, bytes).expect("write fixture");
        path
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.join(name))
            .unwrap_or_else(|e| panic!("read {name}: {e}\n{}", self.listing()))
    }

    pub fn read_json(&self, name: &str) -> serde_json::Value {
        serde_json::from_slice(&self.read(name))
            .unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
    }

    pub fn read_jsonl(&self, name: &str) -> Vec<serde_json::Value> {
        let bytes = self.read(name);
        std::str::from_utf8(&bytes)
            .expect("UTF-8")
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: {e}: {l}")))
            .collect()
    }

    /// `<out>/review_queue.csv` as ticket id → header → cell (it must start with a UTF-8 BOM).
    pub fn review_queue(
        &self,
        out: &str,
    ) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>> {
        let bytes = self.read(&format!("{out}/review_queue.csv"));
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "review_queue.csv needs a UTF-8 BOM");
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let headers = reader.headers().unwrap().clone();
        reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                let row: std::collections::BTreeMap<String, String> = headers
                    .iter()
                    .zip(r.iter())
                    .map(|(h, v)| (h.to_string(), v.to_string()))
                    .collect();
                (row["工单ID"].clone(), row)
            })
            .collect()
    }

    /// `<out>/agents.csv` as its header row and agent id → header → cell (it must start with a
    /// UTF-8 BOM).
    pub fn agents_csv(
        &self,
        out: &str,
    ) -> (Vec<String>, std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>)
    {
        let bytes = self.read(&format!("{out}/agents.csv"));
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "agents.csv needs a UTF-8 BOM");
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                let row: std::collections::BTreeMap<String, String> =
                    headers.iter().cloned().zip(r.iter().map(String::from)).collect();
                (row["客服ID"].clone(), row)
            })
            .collect();
        (headers, rows)
    }

    pub fn listing(&self) -> String {
        walk(self.path())
            .iter()
            .map(|p| format!("  {}", p.strip_prefix(self.path()).unwrap_or(p).display()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `zhijian ARGS...` run in this directory.
    pub fn zhijian(&self, args: &[&str]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_zhijian"));
        command.args(args).current_dir(self.path());
        let output = command.output().expect("run zhijian");
        Run { args: args.iter().map(|s| s.to_string()).collect(), output, listing: self.listing() }
    }

    /// `zhijian ARGS... | head -c 100`: reads 100 bytes of stdout, closes the pipe, then waits.
    pub fn closed_pipe(&self, args: &[&str]) -> Output {
        use std::io::Read;
        let mut child = Command::new(env!("CARGO_BIN_EXE_zhijian"))
            .args(args)
            .current_dir(self.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run zhijian");
        let mut head = [0; 100];
        child.stdout.take().unwrap().read_exact(&mut head).unwrap();
        child.wait_with_output().expect("wait for zhijian")
    }

    /// `PROGRAM ARGS...` run in this directory: a copy of the binary, say.
    pub fn run(&self, program: &Path, args: &[&str]) -> Run {
        let mut command = Command::new(program);
        command.args(args).current_dir(self.path());
        let output = command.output().expect("run the program");
        Run { args: args.iter().map(|s| s.to_string()).collect(), output, listing: self.listing() }
    }

    /// `zhijian audit INPUT --out out --lexicons <fixture lexicons> --quiet` plus `extra`.
    pub fn audit(&self, input: &str, extra: &[&str]) -> Run {
        let lexicons = fixture("lexicons");
        let mut args = vec![
            "audit",
            input,
            "--out",
            "out",
            "--lexicons",
            lexicons.to_str().unwrap(),
            "--quiet",
        ];
        args.extend_from_slice(extra);
        self.zhijian(&args)
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Every file of a report directory by its path inside it, with its bytes; in `manifest.json`
/// the top-level keys `manifest_ignored` are removed (`runtime`, the wall clock and thread
/// count, in every comparison; `inputs` too where the runs read differently ordered input).
pub fn report_files(dir: &Path, manifest_ignored: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for path in walk(dir).into_iter().filter(|p| p.is_file()) {
        let name = path.strip_prefix(dir).unwrap().display().to_string();
        let mut bytes = std::fs::read(&path).unwrap();
        if name == "manifest.json" {
            let mut manifest: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            for key in manifest_ignored {
                manifest.as_object_mut().unwrap().remove(*key).expect("the manifest has it");
            }
            bytes = serde_json::to_vec(&manifest).unwrap();
        }
        files.insert(name, bytes);
    }
    files
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            out.push(path.clone());
            if path.is_dir() {
                out.extend(walk(&path));
            }
        }
    }
    out
}

pub struct Run {
    args: Vec<String>,
    pub output: Output,
    listing: String,
}

impl Run {
    fn explain(&self) -> String {
        format!(
            "command: zhijian {}\nstatus: {}\nfiles:\n{}\nstdout:\n{}\nstderr:\n{}",
            self.args.join(" "),
            self.output.status,
            self.listing,
            String::from_utf8_lossy(&self.output.stdout),
            String::from_utf8_lossy(&self.output.stderr)
        )
    }

    pub fn success(self) -> Run {
        assert!(self.output.status.success(), "expected success\n{}", self.explain());
        self
    }

    pub fn failure(self) -> Run {
        assert!(!self.output.status.success(), "expected failure\n{}", self.explain());
        self
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn stdout(&self) -> Vec<u8> {
        self.output.stdout.clone()
    }
}

/// A customer turn's role, and an agent's, for [`one_agent_ticket`].
pub const C: &str = "customer";
pub const A: &str = "agent";

/// A ticket of agent A1 from (role, seconds after 09:00 or None, text) turns.
pub fn one_agent_ticket(id: &str, turns: &[(&str, Option<u32>, &str)]) -> String {
    let messages: Vec<serde_json::Value> = turns
        .iter()
        .map(|(role, at, text)| match at {
            Some(s) => serde_json::json!({"role": role, "text": text,
                "ts": format!("2026-11-21T09:{:02}:{:02}+08:00", s / 60, s % 60)}),
            None => serde_json::json!({"role": role, "text": text}),
        })
        .collect();
    serde_json::json!({"ticket_id": id, "agent_id": "A1", "messages": messages}).to_string()
}

/// One compliance rule on one ticket: the result and the evidence review_queue.csv must show
/// in the rule's columns (`<label>-结果`, `<label>-证据`).
pub struct QueueCase {
    pub name: &'static str,
    /// The rule's label, which names its columns.
    pub label: &'static str,
    pub turns: &'static [(&'static str, Option<u32>, &'static str)],
    pub result: &'static str,
    pub evidence: &'static str,
}

pub const fn queue_case(
    name: &'static str,
    label: &'static str,
    turns: &'static [(&'static str, Option<u32>, &'static str)],
    result: &'static str,
    evidence: &'static str,
) -> QueueCase {
    QueueCase { name, label, turns, result, evidence }
}
