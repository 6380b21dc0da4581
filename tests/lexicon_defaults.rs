//! Which lexicons a run uses and what it refuses: the built-in set (embedded in the binary)
//! unless `--lexicons DIR` names a directory, never a `./lexicons` picked up from the working
//! directory; the manifest says which; a directory missing a category, or holding one without
//! entries, stops the run before anything is scored. Also: `lexicon check` prints its verdict on
//! stdout, and a scoring template's numbers are bounded at load.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::util::{fixture, Workdir};

const TICKET: &str = r#"{"ticket_id":"T1","agent_id":"A1","messages":[{"role":"customer","text":"在吗"},{"role":"agent","text":"您好"}]}"#;

/// The eleven lexicon files, in the manifest's order (by category).
const FILES: [&str; 11] = [
    "empathy.txt",
    "filler.txt",
    "jargon.txt",
    "negative.txt",
    "positive.txt",
    "forbidden.txt",
    "greeting.txt",
    "closing.txt",
    "off_platform.txt",
    "negation.txt",
    "degree.txt",
];

/// Copies the fixture lexicons into `dir/lex`, leaving out `missing` and replacing the text of
/// the files named in `replace`.
fn fixture_lexicons(dir: &Workdir, missing: &[&str], replace: &[(&str, &str)]) {
    for name in FILES.iter().filter(|n| !missing.contains(n)) {
        let text = match replace.iter().find(|(n, _)| n == name) {
            Some((_, text)) => text.as_bytes().to_vec(),
            None => std::fs::read(fixture("lexicons").join(name)).unwrap(),
        };
        dir.write(&format!("lex/{name}"), text);
    }
}

fn sha256_of(path: &Path) -> String {
    format!("{:x}", Sha256::digest(std::fs::read(path).unwrap()))
}

#[test]
fn a_copied_binary_audits_with_its_built_in_lexicons() {
    let bin = Workdir::new();
    let copied = bin.join("zhijian");
    std::fs::copy(env!("CARGO_BIN_EXE_zhijian"), &copied).unwrap();
    let dir = Workdir::new();
    dir.write("in.jsonl", format!("{TICKET}\n"));
    dir.run(&copied, &["audit", "in.jsonl", "--out", "out", "--quiet"]).success();

    let lexicons = &dir.read_json("out/manifest.json")["lexicons"];
    assert_eq!(lexicons["source"], format!("builtin v{}", env!("CARGO_PKG_VERSION")));
    let files = lexicons["files"].as_array().unwrap();
    let names: Vec<&str> = files.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, FILES);
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons");
    for file in files {
        let name = file["name"].as_str().unwrap();
        assert_eq!(file["sha256"], sha256_of(&shipped.join(name)), "{name}");
        assert!(file["entries"].as_u64().unwrap() > 0, "{name}");
    }
}

#[test]
fn a_lexicons_directory_in_the_working_directory_is_not_picked_up_implicitly() {
    let dir = Workdir::new();
    dir.write("in.jsonl", format!("{TICKET}\n"));
    // A broken ./lexicons: read, it would stop the run.
    dir.write("lexicons/empathy.txt", "抱歉 | w=zero\n");
    dir.zhijian(&["audit", "in.jsonl", "--out", "out", "--quiet"]).success();
    let source = &dir.read_json("out/manifest.json")["lexicons"]["source"];
    assert_eq!(source, &format!("builtin v{}", env!("CARGO_PKG_VERSION")));

    let check = dir.zhijian(&["lexicon", "check"]).success();
    let verdict = String::from_utf8(check.stdout()).unwrap();
    assert!(verdict.ends_with(" entries in 11 files: no problems found\n"), "{verdict}");

    let explain = dir.zhijian(&["explain", "亲您好"]).success();
    let shown = String::from_utf8(explain.stdout()).unwrap();
    assert!(shown.contains("hit  亲您好") && shown.contains("greeting"), "{shown}");
}

#[test]
fn the_manifest_names_the_lexicon_directory_and_counts_each_files_entries() {
    let dir = Workdir::new();
    dir.write("in.jsonl", format!("{TICKET}\n"));
    fixture_lexicons(&dir, &[], &[]);
    dir.zhijian(&["audit", "in.jsonl", "--out", "out", "--quiet", "--lexicons", "lex"]).success();
    let lexicons = &dir.read_json("out/manifest.json")["lexicons"];
    assert_eq!(lexicons["source"], "lex");
    // Counted by hand in tests/fixtures/lexicons: entries, then `!` exceptions.
    let want: [(&str, u64, u64); 11] = [
        ("empathy.txt", 2, 0),
        ("filler.txt", 1, 0),
        ("jargon.txt", 2, 0),
        ("negative.txt", 3, 2),
        ("positive.txt", 3, 0),
        ("forbidden.txt", 2, 0),
        ("greeting.txt", 1, 0),
        ("closing.txt", 2, 0),
        ("off_platform.txt", 1, 0),
        ("negation.txt", 2, 0),
        ("degree.txt", 2, 0),
    ];
    let files = lexicons["files"].as_array().unwrap();
    let got: Vec<(&str, u64, u64)> = files
        .iter()
        .map(|f| {
            let n = |key: &str| f[key].as_u64().unwrap();
            (f["name"].as_str().unwrap(), n("entries"), n("exceptions"))
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(files[7]["category"], "closing");
    assert_eq!(files[7]["sha256"], sha256_of(&fixture("lexicons").join("closing.txt")));
}

/// The run stops with one line naming the directory, the file and the fix, and writes no
/// report; `lexicon check` stops with the same line.
fn refused(dir: &Workdir, says: &str) {
    let run = dir
        .zhijian(&["audit", "in.jsonl", "--out", "out", "--quiet", "--lexicons", "lex"])
        .failure();
    let stderr = run.stderr();
    assert_eq!(run.output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("zhijian: lexicon directory lex: "), "{stderr}");
    assert!(stderr.contains(says), "{stderr} should say {says:?}");
    assert!(stderr.contains("at least one entry"), "{stderr}");
    assert!(!dir.join("out").exists(), "no report without a complete lexicon");

    let check = dir.zhijian(&["lexicon", "check", "--lexicons", "lex"]).failure();
    assert_eq!(check.stderr(), stderr);
    assert!(check.stdout().is_empty());
}

#[test]
fn a_missing_required_category_stops_the_run() {
    let dir = Workdir::new();
    dir.write("in.jsonl", format!("{TICKET}\n"));
    fixture_lexicons(&dir, &["closing.txt"], &[]);
    refused(&dir, "closing.txt is missing (the closing check reads it)");
}

#[test]
fn an_empty_required_category_stops_the_run() {
    let dir = Workdir::new();
    dir.write("in.jsonl", format!("{TICKET}\n"));
    // Comments and an exception, but no entry: the empathy score would be 0 for everyone.
    fixture_lexicons(&dir, &[], &[("empathy.txt", "# 共情\n\n!不好意思\n")]);
    refused(&dir, "empathy.txt has no entries");
}

#[test]
fn every_missing_or_empty_category_is_named_in_the_one_line() {
    let dir = Workdir::new();
    dir.write("in.jsonl", format!("{TICKET}\n"));
    fixture_lexicons(&dir, &["greeting.txt", "degree.txt"], &[("filler.txt", "")]);
    refused(&dir, "filler.txt has no entries");
    refused(&dir, "greeting.txt is missing");
    refused(&dir, "degree.txt is missing");
}

#[test]
fn lexicon_check_prints_its_verdict_on_stdout() {
    let dir = Workdir::new();
    fixture_lexicons(&dir, &[], &[]);
    let run = dir.zhijian(&["lexicon", "check", "--lexicons", "lex"]).success();
    // 21 entries and 2 exceptions (negative.txt's !不好意思, !没问题) in the fixture's 11 files.
    assert_eq!(
        String::from_utf8(run.stdout()).unwrap(),
        "23 entries in 11 files: no problems found\n"
    );
    assert_eq!(run.stderr(), "");
}

#[test]
fn lexicon_check_findings_go_to_stdout_and_the_failure_to_stderr() {
    let dir = Workdir::new();
    fixture_lexicons(&dir, &[], &[("greeting.txt", "您好\n您好\n")]);
    let run = dir.zhijian(&["lexicon", "check", "--lexicons", "lex"]).failure();
    assert_eq!(run.output.status.code(), Some(1));
    let stdout = String::from_utf8(run.stdout()).unwrap();
    let finding = format!(
        "{}:2: duplicate: `您好` is already at ",
        Path::new("lex").join("greeting.txt").display()
    );
    assert!(stdout.starts_with(&finding) && stdout.lines().count() == 1, "{stdout}");
    assert_eq!(run.stderr(), "zhijian: lexicon check found 1 problem(s), listed above\n");
}

#[test]
fn a_template_weight_of_1e308_is_refused_at_load() {
    let dir = Workdir::new();
    dir.write("in.jsonl", format!("{TICKET}\n"));
    let default = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/default.toml"),
    )
    .unwrap();
    // Six weights of 1e308: Σ weight × value overflows to inf, and inf / inf is NaN.
    let huge = ["language", "conduct", "empathy", "responsiveness", "satisfaction", "compliance"]
        .iter()
        .fold(default.clone(), |text, key| {
            let line = text.lines().find(|l| l.starts_with(&format!("{key} = "))).unwrap();
            text.replacen(line, &format!("{key} = 1e308"), 1)
        });
    assert_ne!(huge, default);
    dir.write("huge.toml", &huge);
    let line = 1 + huge.lines().position(|l| l == "language = 1e308").unwrap();
    let run = dir.audit("in.jsonl", &["--template", "huge.toml"]).failure();
    let stderr = run.stderr();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    let says = format!("zhijian: scoring template huge.toml:{line}: `overall.language` is 1e308");
    assert!(stderr.starts_with(&says), "{stderr}");
    assert!(stderr.contains("0 to 1000"), "{stderr}");
    assert!(!dir.join("out").exists());
}
