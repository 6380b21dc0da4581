//! The nightly trend (`--baseline`, `--history`) and the morning digest: changes since an
//! earlier report, recent scores, repeat offenders, all byte-identical across thread counts.

use serde_json::{json, Value};

use crate::util::{fixture, Workdir};

/// Fixture lexicons: 差, 生气 negative; 抱歉 empathy; 你自己看, 不归我管 forbidden.
fn ticket(id: &str, agent: &str, customer: &str, reply: &str) -> String {
    format!(
        r#"{{"ticket_id":"{id}","agent_id":"{agent}","messages":[{{"role":"customer","text":"{customer}"}},{{"role":"agent","text":"{reply}"}}]}}"#
    ) + "\n"
}

fn audit(dir: &Workdir, input: &str, out: &str, extra: &[&str]) {
    let lexicons = fixture("lexicons");
    let mut args = vec!["audit", input, "--out", out, "--quiet", "--lexicons"];
    args.push(lexicons.to_str().unwrap());
    args.extend_from_slice(extra);
    dir.zhijian(&args).success();
}

fn score(dir: &Workdir, report: &str, agent: &str) -> f64 {
    let summary = dir.read_json(&format!("{report}/summary.json"));
    let agents = summary["agents"].as_array().unwrap();
    let row = agents.iter().find(|a| a["agent_id"] == agent).unwrap();
    row["score"].as_f64().unwrap()
}

/// Monday: A1 has 3 tickets, 1 flagged (T1's complaint unanswered): 33.3% flagged.
/// Tuesday: A1 has 2 tickets, none flagged (0%); A2 is new.
fn two_nights(dir: &Workdir) {
    let monday = [
        ticket("T1", "A1", "东西差", "我看一下"),
        ticket("T2", "A1", "生气了", "抱歉"),
        ticket("T3", "A1", "谢谢", "不客气"),
    ]
    .concat();
    let tuesday = [
        ticket("T4", "A1", "谢谢", "不客气"),
        ticket("T5", "A1", "生气了", "抱歉"),
        ticket("T6", "A2", "谢谢", "好的"),
    ]
    .concat();
    dir.write("monday.jsonl", monday);
    dir.write("tuesday.jsonl", tuesday);
    audit(dir, "monday.jsonl", "mon", &[]);
}

#[test]
fn baseline_changes_are_tonight_minus_the_baseline_and_a_new_agent_is_new() {
    let dir = Workdir::new();
    two_nights(&dir);
    audit(&dir, "tuesday.jsonl", "tue", &["--baseline", "mon"]);
    let trend = &dir.read_json("tue/summary.json")["trend"];
    assert_eq!(trend["baseline"], json!("mon"));
    let a1 = &trend["agents"]["A1"];
    // Flagged share: 0/2 − 1/3 = −33.3 percentage points.
    assert_eq!(a1["flagged_share_delta"], json!(-33.3));
    let expected = ((score(&dir, "tue", "A1") - score(&dir, "mon", "A1")) * 10.0).round() / 10.0;
    assert_eq!(a1["score_delta"].as_f64(), Some(expected));
    assert_eq!(trend["agents"]["A2"]["new"], json!(true));
    assert_eq!(trend["agents"]["A2"]["score_delta"], Value::Null);

    let (headers, rows) = dir.agents_csv("tue");
    assert!(headers.contains(&"被标记占比变化(百分点)".to_string()), "{headers:?}");
    assert_eq!(rows["A1"]["被标记占比变化(百分点)"], "▼33.3");
    assert_eq!(rows["A2"]["综合得分变化(较基线)"], "新");
    let index = String::from_utf8(dir.read("tue/index.html")).unwrap();
    assert!(index.contains("<h2>趋势 (基线: <code>mon</code>)</h2>"), "{index}");
    let page = String::from_utf8(dir.read("tue/agents/A1.md")).unwrap();
    assert!(page.contains("被标记占比 ▼33.3 个百分点"), "{page}");
}

#[test]
fn without_baseline_or_history_reports_carry_no_trend() {
    let dir = Workdir::new();
    two_nights(&dir);
    assert_eq!(dir.read_json("mon/summary.json").get("trend"), None);
    let (headers, _) = dir.agents_csv("mon");
    assert!(!headers.iter().any(|h| h.contains("较基线")));
    assert!(!String::from_utf8(dir.read("mon/index.html")).unwrap().contains("趋势"));
}

#[test]
fn history_gives_recent_scores_and_marks_the_same_conduct_reason_on_three_nights() {
    let dir = Workdir::new();
    // A1 uses a forbidden phrase on nights 1 and 2 and tonight: 3 of the last 3 runs. A2 only on
    // night 1: once. Both have one ticket a night.
    let night = |n: u32, a2_forbidden: bool| {
        [
            ticket(&format!("N{n}-1"), "A1", "在吗", "你自己看"),
            ticket(
                &format!("N{n}-2"),
                "A2",
                "在吗",
                if a2_forbidden { "你自己看" } else { "好的" },
            ),
        ]
        .concat()
    };
    dir.write("n1.jsonl", night(1, true));
    dir.write("n2.jsonl", night(2, false));
    dir.write("n3.jsonl", night(3, false));
    audit(&dir, "n1.jsonl", "history/night1", &[]);
    audit(&dir, "n2.jsonl", "history/night2", &[]);
    audit(&dir, "n3.jsonl", "tonight", &["--history", "history"]);
    let trend = &dir.read_json("tonight/summary.json")["trend"];
    assert_eq!(trend["history"], json!(["history/night1", "history/night2"]));
    assert_eq!(trend["agents"]["A1"]["repeated"], json!(["forbidden_phrase"]));
    assert_eq!(trend["agents"]["A2"].get("repeated"), None);
    let scores = trend["agents"]["A1"]["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 3, "two earlier runs and tonight");
    assert_eq!(scores[2].as_f64(), Some(score(&dir, "tonight", "A1")));
    assert_eq!(scores[0].as_f64(), Some(score(&dir, "history/night1", "A1")));
    let known: Vec<f64> = scores.iter().map(|s| s.as_f64().unwrap()).collect();
    let mean = ((known.iter().sum::<f64>() / 3.0) * 10.0).round() / 10.0;
    assert_eq!(trend["agents"]["A1"]["mean_7"].as_f64(), Some(mean), "three runs, all within 7");
    assert_eq!(trend["agents"]["A1"]["mean_30"].as_f64(), Some(mean));

    let digest = String::from_utf8(dir.read("tonight/digest.md")).unwrap();
    assert!(digest.contains("- 屡犯 (近 7 次中 ≥ 3 次): `A1` (使用服务禁语)"), "{digest}");
    let index = String::from_utf8(dir.read("tonight/index.html")).unwrap();
    assert!(index.contains("<svg class=spark"), "a sparkline per agent");
}

#[test]
fn a_baseline_that_is_not_a_report_is_refused_before_anything_is_written() {
    let dir = Workdir::new();
    two_nights(&dir);
    dir.write("notes/a.txt", "mine");
    let lexicons = fixture("lexicons");
    let run = dir
        .zhijian(&[
            "audit",
            "tuesday.jsonl",
            "--out",
            "tue",
            "--baseline",
            "notes",
            "--lexicons",
            lexicons.to_str().unwrap(),
        ])
        .failure();
    assert!(run.stderr().contains("notes is not a zhijian report"), "{}", run.stderr());
    assert!(!dir.join("tue").exists());
}

#[test]
fn the_digest_fits_a_robot_message_and_names_conduct_flags_hints_and_movers() {
    let dir = Workdir::new();
    two_nights(&dir);
    // Tonight: A1 says a forbidden phrase on 2 of 3 tickets (a conduct reason on 67%: a hint).
    let tonight = [
        ticket("T7", "A1", "在吗", "你自己看"),
        ticket("T8", "A1", "在吗", "不归我管"),
        ticket("T9", "A2", "谢谢", "好的"),
    ]
    .concat();
    dir.write("tonight.jsonl", tonight);
    audit(
        &dir,
        "tonight.jsonl",
        "out",
        &["--baseline", "mon", "--report-url", "https://qa.example/r/"],
    );
    let digest = String::from_utf8(dir.read("out/digest.md")).unwrap();
    let lines: Vec<&str> = digest.lines().collect();
    assert!(lines.len() <= 20, "{digest}");
    assert_eq!(lines[1], "- 已质检 3 张工单, 被标记 2 张, 抽检 2 张, 拒绝 0 行");
    assert!(lines.contains(&"- **使用服务禁语** (违规) 2 张: `A1` 2"), "{digest}");
    assert!(digest.contains("66.7% 的工单被标记为「使用服务禁语」"), "{digest}");
    assert!(digest.contains("- 变化最大 (较基线): `A1` "), "{digest}");
    assert_eq!(lines.last(), Some(&"- 完整报告: https://qa.example/r/"));
}

#[test]
fn trend_reports_are_identical_across_thread_counts() {
    let dir = Workdir::new();
    two_nights(&dir);
    audit(&dir, "tuesday.jsonl", "one", &["--baseline", "mon", "--threads", "1"]);
    audit(&dir, "tuesday.jsonl", "two", &["--baseline", "mon", "--threads", "2"]);
    for file in ["summary.json", "agents.csv", "index.html", "summary.md", "digest.md"] {
        assert_eq!(dir.read(&format!("one/{file}")), dir.read(&format!("two/{file}")), "{file}");
    }
}
