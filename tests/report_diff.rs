//! `zhijian diff`: a report carries what it was made with, and two reports compare exactly —
//! how they were made, the figures, the entries, and ticket by ticket on the same input.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::util::{fixture, Workdir};

/// Three tickets of one agent, no times, no CSAT, so the only reason in play is
/// `complaint_without_empathy` (fixture lexicons: 差, 生气 negative w=1; 抱歉 empathy):
/// T1 「东西差」 unanswered → a complaint without empathy; T2 「生气了」 answered with 抱歉;
/// T3 「谢谢」, no complaint.
const TICKETS: &str = concat!(
    r#"{"ticket_id":"T1","agent_id":"A1","messages":[{"role":"customer","text":"东西差"},{"role":"agent","text":"我看一下"}]}"#,
    "\n",
    r#"{"ticket_id":"T2","agent_id":"A1","messages":[{"role":"customer","text":"生气了"},{"role":"agent","text":"抱歉"}]}"#,
    "\n",
    r#"{"ticket_id":"T3","agent_id":"A1","messages":[{"role":"customer","text":"谢谢"},{"role":"agent","text":"不客气"}]}"#,
    "\n",
);

/// The fixture lexicons copied to `dir/<name>`, with `extra` appended to `negative.txt`.
fn lexicons(dir: &Workdir, name: &str, extra: &str) -> String {
    for item in std::fs::read_dir(fixture("lexicons")).unwrap() {
        let path = item.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut bytes = std::fs::read(&path).unwrap();
        if file == "negative.txt" {
            bytes.extend_from_slice(extra.as_bytes());
        }
        dir.write(&format!("{name}/{file}"), bytes);
    }
    name.to_string()
}

fn audit(dir: &Workdir, input: &str, out: &str, lexicons: &str, extra: &[&str]) {
    let mut args = vec!["audit", input, "--out", out, "--lexicons", lexicons, "--quiet"];
    args.extend_from_slice(extra);
    dir.zhijian(&args).success();
}

fn diff_json(dir: &Workdir, old: &str, new: &str) -> (Option<i32>, Value) {
    let run = dir.zhijian(&["diff", old, new, "--json"]);
    let json = serde_json::from_slice(&run.stdout()).unwrap_or_else(|e| {
        panic!("diff --json is not JSON: {e}\n{}", String::from_utf8_lossy(&run.stdout()))
    });
    (run.output.status.code(), json)
}

fn figure<'a>(figures: &'a Value, name: &str) -> &'a Value {
    figures
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["figure"] == name)
        .unwrap_or_else(|| panic!("no changed figure {name} in {figures:#}"))
}

#[test]
fn a_report_carries_its_lexicons_template_and_input_fingerprints() {
    let dir = Workdir::new();
    dir.write("in.jsonl", TICKETS);
    let lex = lexicons(&dir, "lex", "");
    let ours = std::fs::read_to_string(fixture("../../templates/default.toml")).unwrap();
    dir.write("mine.toml", ours.replace("empathy = 15 ", "empathy = 30 "));
    audit(&dir, "in.jsonl", "out", &lex, &["--template", "mine.toml"]);
    for item in std::fs::read_dir(dir.join("lex")).unwrap() {
        let name = item.unwrap().file_name().to_string_lossy().into_owned();
        assert_eq!(dir.read(&format!("out/lexicons/{name}")), dir.read(&format!("lex/{name}")));
    }
    assert_eq!(dir.read("out/template.toml"), dir.read("mine.toml"));
    let manifest = dir.read_json("out/manifest.json");
    let sha = format!("{:x}", Sha256::digest(TICKETS.as_bytes()));
    assert_eq!(manifest["inputs"][0]["sha256"], json!(sha));

    // The copies score the same way again.
    audit(&dir, "in.jsonl", "again", "out/lexicons", &["--template", "out/template.toml"]);
    assert_eq!(dir.read("again/summary.json"), dir.read("out/summary.json"));

    // Against the built-in template, diff names the one value that differs.
    audit(&dir, "in.jsonl", "default", &lex, &[]);
    let (_, diff) = diff_json(&dir, "default", "out");
    assert_eq!(
        diff["changes"]["template"],
        json!([{"name": "overall.empathy", "old": 15, "new": 30}])
    );
}

#[test]
fn a_report_compared_with_itself_or_an_identical_rerun_has_no_change() {
    let dir = Workdir::new();
    dir.write("in.jsonl", TICKETS);
    let lex = lexicons(&dir, "lex", "");
    audit(&dir, "in.jsonl", "one", &lex, &["--threads", "1"]);
    audit(&dir, "in.jsonl", "two", &lex, &["--threads", "2"]);
    for (old, new) in [("one", "one"), ("one", "two")] {
        let run = dir.zhijian(&["diff", old, new]);
        assert_eq!(run.output.status.code(), Some(0), "{old} vs {new}");
        assert!(String::from_utf8_lossy(&run.stdout()).contains("no change"));
        let (code, json) = diff_json(&dir, old, new);
        assert_eq!(code, Some(0));
        assert_eq!(json["same_input"], json!(true));
        assert_eq!(json["tickets"], json!([]));
        assert_eq!(json["agents"], json!([]));
        assert_eq!(json["entries"], json!([]));
    }
}

#[test]
fn an_added_exception_is_traced_to_the_tickets_entries_and_figures_it_changed() {
    let dir = Workdir::new();
    dir.write("in.jsonl", TICKETS);
    let before = lexicons(&dir, "before", "");
    let after = lexicons(&dir, "after", "!东西差\n");
    audit(&dir, "in.jsonl", "old", &before, &["--sample-rate", "1"]);
    audit(&dir, "in.jsonl", "new", &after, &["--sample-rate", "1"]);
    let (code, diff) = diff_json(&dir, "old", "new");
    assert_eq!(code, Some(4), "a change exits 4");
    assert_eq!(
        diff["changes"]["lexicon"]["added"],
        json!([{"category": "negative", "entry": "东西差", "exception": true}])
    );
    assert_eq!(diff["changes"]["lexicon"]["removed"], json!([]));
    assert_eq!(diff["changes"]["options"], json!([]));
    assert_eq!(diff["same_input"], json!(true));

    // By hand: complaints T1 and T2 → only T2; T2 answered, so 1/2 → 1/1 answered.
    let team = &diff["team"];
    assert_eq!(
        figure(team, "complaints"),
        &json!({"figure": "complaints", "old": 2.0, "new": 1.0, "delta": -1.0})
    );
    assert_eq!(figure(team, "flagged")["delta"], json!(-1.0));
    assert_eq!(figure(team, "flagged_by_reason.complaint_without_empathy")["new"], json!(0.0));
    assert_eq!(figure(team, "empathy_after_complaint")["old"], json!(0.5));
    assert_eq!(figure(team, "empathy_after_complaint")["new"], json!(1.0));
    assert_eq!(figure(team, "score_components.empathy")["delta"], json!(50.0));
    let agents = diff["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0]["agent_id"], json!("A1"));
    let (old, new) = (agents[0]["old"].as_f64().unwrap(), agents[0]["new"].as_f64().unwrap());
    assert!(new > old, "the agent's score rises when a false complaint goes: {old} → {new}");

    assert_eq!(
        diff["entries"],
        json!([{"category": "negative", "entry": "差", "old_hits": 1, "new_hits": 0, "old_tickets": 1, "new_tickets": 0}])
    );
    assert_eq!(
        diff["tickets"],
        json!([{
            "ticket_id": "T1", "agent_id": "A1",
            "gained": [], "lost": ["complaint_without_empathy"],
            "compliance": [], "entries": ["negative:差"]
        }])
    );
}

#[test]
fn a_new_sample_rate_is_named_and_the_tickets_that_left_the_sample_listed() {
    let dir = Workdir::new();
    dir.write("in.jsonl", TICKETS);
    let lex = lexicons(&dir, "lex", "");
    audit(&dir, "in.jsonl", "old", &lex, &["--sample-rate", "1"]);
    audit(&dir, "in.jsonl", "new", &lex, &["--sample-rate", "0.5"]);
    let (code, diff) = diff_json(&dir, "old", "new");
    assert_eq!(code, Some(4));
    assert_eq!(
        diff["changes"]["options"],
        json!([{"name": "sample_rate", "old": 1.0, "new": 0.5}])
    );
    // ⌈0.5 × 3⌉ = 2 of the agent's 3 tickets stay: exactly one left, none joined.
    let tickets = diff["tickets"].as_array().unwrap();
    let left: Vec<&Value> = tickets.iter().filter(|t| t["sample"] == "left").collect();
    assert_eq!(left.len(), 1, "{tickets:#?}");
    assert!(tickets.iter().all(|t| t["sample"] == "left"));
    assert_eq!(figure(&diff["team"], "sampled")["delta"], json!(-1.0));
}

#[test]
fn different_inputs_are_compared_as_aggregates_only() {
    let dir = Workdir::new();
    dir.write("monday.jsonl", TICKETS);
    let tuesday: String = TICKETS.lines().take(2).map(|l| format!("{l}\n")).collect();
    dir.write("tuesday.jsonl", tuesday);
    let lex = lexicons(&dir, "lex", "");
    audit(&dir, "monday.jsonl", "mon", &lex, &[]);
    audit(&dir, "tuesday.jsonl", "tue", &lex, &[]);
    let (code, diff) = diff_json(&dir, "mon", "tue");
    assert_eq!(code, Some(4));
    assert_eq!(diff["same_input"], json!(false));
    assert_eq!(diff["tickets"], Value::Null);
    assert_eq!(figure(&diff["team"], "tickets")["delta"], json!(-1.0));
    let table = String::from_utf8(dir.zhijian(&["diff", "mon", "tue"]).stdout()).unwrap();
    assert!(table.contains("different input: aggregates compared only"), "{table}");
}

#[test]
fn diff_pages_are_written_whole_and_escape_what_came_from_input() {
    let dir = Workdir::new();
    let hostile = TICKETS.replace("\"A1\"", "\"<b>A1</b>\"");
    dir.write("in.jsonl", &hostile);
    let before = lexicons(&dir, "before", "");
    let after = lexicons(&dir, "after", "!东西差\n");
    audit(&dir, "in.jsonl", "old", &before, &[]);
    audit(&dir, "in.jsonl", "new", &after, &[]);
    let run = dir.zhijian(&["diff", "old", "new", "--out", "cmp", "--quiet"]);
    assert_eq!(run.output.status.code(), Some(4));
    let html = String::from_utf8(dir.read("cmp/diff.html")).unwrap();
    assert!(!html.contains("<b>A1</b>"), "agent id not escaped");
    assert!(html.contains("&lt;b&gt;A1&lt;/b&gt;"));
    assert!(String::from_utf8(dir.read("cmp/diff.md")).unwrap().contains("T1"));
    let json: Value = dir.read_json("cmp/diff.json");
    assert_eq!(json["tickets"][0]["ticket_id"], json!("T1"));
    assert!(dir.join("cmp/.zhijian-report").is_file(), "marked, so the next --out replaces it");
}

#[test]
fn diff_refuses_a_directory_that_is_not_a_report() {
    let dir = Workdir::new();
    dir.write("in.jsonl", TICKETS);
    audit(&dir, "in.jsonl", "out", &lexicons(&dir, "lex", ""), &[]);
    dir.write("notes/a.txt", "mine");
    let run = dir.zhijian(&["diff", "out", "notes"]).failure();
    assert_eq!(run.output.status.code(), Some(1));
    assert!(run.stderr().contains("notes is not a zhijian report"), "{}", run.stderr());
}
