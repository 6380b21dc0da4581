//! Invariant 1: every non-blank input line is audited or listed in rejects.jsonl with its file,
//! line number and reason, and `lines = audited + rejected`.

use crate::util::Workdir;

const GOOD: &str = r#"{"ticket_id":"G1","agent_id":"A1","messages":[{"role":"customer","text":"在吗"},{"role":"agent","text":"您好"}]}"#;

/// (line, expected reason) — one of each kind of bad line.
fn bad_lines() -> Vec<(Vec<u8>, Option<&'static str>)> {
    vec![
        (GOOD.as_bytes().to_vec(), None),
        (b"{\"ticket_id\":\"X1\",\"agent_id\":".to_vec(), Some("invalid_json")),
        (br#"{"agent_id":"A1","messages":[]}"#.to_vec(), Some("missing_field")),
        (br#"{"ticket_id":42,"agent_id":"A1","messages":[]}"#.to_vec(), Some("wrong_type")),
        (br#"{"ticket_id":"X3","agent_id":"A1","messages":"hello"}"#.to_vec(), Some("wrong_type")),
        (b"{\"ticket_id\":\"X4\",\"agent_id\":\"A1\",\"messages\":[{\"role\":\"agent\",\"text\":\"\xff\xfe\"}]}".to_vec(), Some("invalid_utf8")),
        // Empty messages with an agent is a valid (if silent) ticket; without one it is not.
        (br#"{"ticket_id":"E1","agent_id":"A1","messages":[]}"#.to_vec(), None),
        (br#"{"ticket_id":"E2","messages":[]}"#.to_vec(), Some("no_agent")),
        (GOOD.as_bytes().to_vec(), Some("duplicate_ticket_id")),
        (br#"{"ticket_id":"X5","agent_id":"A1","messages":[{"role":"alien","text":"hi"}]}"#.to_vec(), Some("unknown_role")),
        (br#"{"ticket_id":"X6","agent_id":null,"messages":[{"role":"customer","text":"hi"}]}"#.to_vec(), Some("no_agent")),
        (br#"{"ticket_id":"X7","agent_id":"A1","csat":11,"messages":[]}"#.to_vec(), Some("invalid_value")),
    ]
}

#[test]
fn lines_equal_audited_plus_rejected() {
    let dir = Workdir::new();
    let cases = bad_lines();
    let mut bytes = Vec::new();
    for (i, (line, _)) in cases.iter().enumerate() {
        bytes.extend_from_slice(line);
        // Blank lines are not records and are not counted.
        bytes.extend_from_slice(if i == 3 { b"\n\n   \n" } else { b"\n" });
    }
    dir.write("in.jsonl", &bytes);
    // Ten of twelve lines are bad on purpose: past the reject-rate limit, so exit 3.
    let run = dir.audit("in.jsonl", &["--max-reject-rate", "1"]).success();

    let manifest = dir.read_json("out/manifest.json");
    let counts = &manifest["counts"];
    let expected_rejects: Vec<&str> = cases.iter().filter_map(|(_, r)| *r).collect();
    assert_eq!(counts["lines"], cases.len());
    assert_eq!(counts["rejected"], expected_rejects.len());
    assert_eq!(counts["audited"], cases.len() - expected_rejects.len());
    assert_eq!(
        counts["lines"].as_u64().unwrap(),
        counts["audited"].as_u64().unwrap() + counts["rejected"].as_u64().unwrap()
    );
    assert_eq!(manifest["inputs"][0]["lines"], cases.len());

    let rejects = dir.read_jsonl("out/rejects.jsonl");
    let reasons: Vec<&str> = rejects.iter().map(|r| r["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, expected_rejects, "{}", run.stderr());
    for reject in &rejects {
        assert_eq!(reject["file"], "in.jsonl");
        assert!(reject["line"].as_u64().unwrap() >= 2);
        assert!(!reject["detail"].as_str().unwrap().is_empty());
    }
    // Line numbers are physical lines of the file, blank ones included.
    let duplicate = rejects.iter().find(|r| r["reason"] == "duplicate_ticket_id").unwrap();
    assert_eq!(duplicate["line"], 11);
    assert!(duplicate["detail"].as_str().unwrap().contains("in.jsonl:1"), "{duplicate}");
}

#[test]
fn bom_crlf_and_missing_final_newline() {
    let dir = Workdir::new();
    let text = format!("\u{feff}{GOOD}\r\n{}\r\n{{\"ticket_id\":\"Z\"", GOOD.replace("G1", "G2"));
    dir.write("in.jsonl", text);
    dir.audit("in.jsonl", &[]).success();
    let counts = dir.read_json("out/manifest.json")["counts"].clone();
    assert_eq!((counts["audited"].as_u64(), counts["rejected"].as_u64()), (Some(2), Some(1)));
    let rejects = dir.read_jsonl("out/rejects.jsonl");
    assert_eq!(rejects[0]["line"], 3);
    assert_eq!(rejects[0]["reason"], "invalid_json");
}

#[test]
fn gzip_directories_and_stdin() {
    use std::io::Write;
    let dir = Workdir::new();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(format!("{GOOD}\n").as_bytes()).unwrap();
    dir.write("in/a/one.jsonl.gz", gz.finish().unwrap());
    dir.write("in/b/two.jsonl", format!("{}\n", GOOD.replace("G1", "G2")));
    dir.write("in/b/notes.txt", "not a ticket file");
    dir.audit("in", &[]).success();
    let manifest = dir.read_json("out/manifest.json");
    assert_eq!(manifest["counts"]["audited"], 2);
    let inputs: Vec<&str> = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(inputs, ["in/a/one.jsonl.gz", "in/b/two.jsonl"]);

    let lexicons = crate::util::fixture("lexicons");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zhijian"))
        .args(["audit", "-", "--out", "stdin-out", "--quiet", "--lexicons"])
        .arg(&lexicons)
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{GOOD}\n").as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(dir.read_json("stdin-out/manifest.json")["counts"]["audited"], 1);
}

#[test]
fn unreadable_input_is_a_clear_error() {
    let dir = Workdir::new();
    let run = dir.audit("missing.jsonl", &[]).failure();
    assert!(
        run.stderr().starts_with("zhijian: input missing.jsonl does not exist"),
        "{}",
        run.stderr()
    );
    assert_eq!(run.stderr().lines().count(), 1);
    assert!(!dir.join("out").exists());
}
