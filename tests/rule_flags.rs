//! Issue 12: a rule with a `severity` flags every ticket that fails it (docs/rules.md). The
//! failure is one of the ticket's reasons in flagged.jsonl (after the built-in ones, its
//! evidence `backs` the rule id), sets the ticket's severity with the others (the most serious
//! wins), is listed with the rule's label on the agent page, counted on the team page, and risk
//! sampling takes conduct and veto rule flags as must-review. A rule without severity flags
//! nothing; a bad severity or a rule id equal to a built-in reason code is refused with
//! file:line. Hand-written tickets, the fixture lexicons and the default template plus rules.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::util::{report_files, Workdir};

fn default_template() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/default.toml");
    std::fs::read_to_string(path).unwrap()
}

/// 保证今天到 said by the agent; `severity` as given (None: a check only).
fn promise_rule(severity: Option<&str>) -> String {
    let severity = severity.map_or(String::new(), |s| format!("severity = \"{s}\"\n"));
    format!(
        "[[rules]]\nid = \"no_promise\"\nlabel = \"无虚假承诺\"\nweight = 1\ndeduction = 10\n\
         {severity}forbid = {{ who = \"agent\", says = [\"保证今天到\"] }}\n"
    )
}

/// 加价 said by the agent, without severity: a compliance check only.
const SURCHARGE_RULE: &str = "[[rules]]\nid = \"no_surcharge\"\nlabel = \"不得加价\"\nweight = 1\n\
                              deduction = 10\nforbid = { who = \"agent\", says = [\"加价\"] }\n";

/// A ticket of agent A1 from (role, text) turns, untimed, with an optional CSAT.
fn ticket(id: &str, csat: Option<u8>, turns: &[(&str, &str)]) -> String {
    let messages: Vec<Value> =
        turns.iter().map(|(role, text)| serde_json::json!({"role": role, "text": text})).collect();
    let mut t = serde_json::json!({"ticket_id": id, "agent_id": "A1", "messages": messages});
    if let Some(csat) = csat {
        t["csat"] = csat.into();
    }
    t.to_string()
}

/// T1 fails no_promise only; T2 fails no_promise and has CSAT 1 (low_csat, service); T3 fails
/// no_promise and takes the customer to WeChat (off_platform, veto); T4 fails only
/// no_surcharge; T5 fails nothing.
fn input() -> String {
    let tickets = [
        ticket("T1", None, &[("customer", "在吗"), ("agent", "您好，保证今天到")]),
        ticket("T2", Some(1), &[("customer", "在吗"), ("agent", "您好，保证今天到")]),
        ticket("T3", None, &[("customer", "在吗"), ("agent", "您好，保证今天到，加微信详聊")]),
        ticket("T4", None, &[("customer", "在吗"), ("agent", "您好，这个要加价")]),
        ticket("T5", None, &[("customer", "在吗"), ("agent", "您好，很高兴为您服务")]),
    ];
    tickets.join("\n") + "\n"
}

fn audit(dir: &Workdir, template: &str, out: &str, extra: &[&str]) {
    dir.write("t.toml", template);
    dir.write("in.jsonl", input());
    let lexicons = crate::util::fixture("lexicons");
    let mut args =
        vec!["audit", "in.jsonl", "--out", out, "--quiet", "--template", "t.toml", "--lexicons"];
    args.push(lexicons.to_str().unwrap());
    args.extend_from_slice(extra);
    dir.zhijian(&args).success();
}

fn flagged(dir: &Workdir, out: &str) -> BTreeMap<String, Value> {
    let lines = dir.read_jsonl(&format!("{out}/flagged.jsonl"));
    lines.into_iter().map(|l| (l["ticket_id"].as_str().unwrap().to_string(), l)).collect()
}

fn read(dir: &Workdir, name: &str) -> String {
    String::from_utf8(dir.read(name)).unwrap()
}

#[test]
fn a_failed_rule_with_a_severity_flags_the_ticket_with_its_evidence() {
    let dir = Workdir::new();
    let template =
        format!("{}\n{}\n{SURCHARGE_RULE}", default_template(), promise_rule(Some("conduct")));
    audit(&dir, &template, "out", &[]);
    let flagged = flagged(&dir, "out");
    // T4 fails only the rule without severity, T5 nothing: neither is flagged.
    assert_eq!(flagged.keys().collect::<Vec<_>>(), ["T1", "T2", "T3"]);
    let reasons = |id: &str| flagged[id]["reasons"].clone();
    let severity = |id: &str| flagged[id]["severity"].as_str().unwrap().to_string();
    assert_eq!(reasons("T1"), serde_json::json!(["no_promise"]));
    assert_eq!(severity("T1"), "conduct");
    // Built-in reasons first, then the rule; the most serious reason sets the severity:
    // low_csat is service < conduct, off_platform is veto > conduct.
    assert_eq!(reasons("T2"), serde_json::json!(["low_csat", "no_promise"]));
    assert_eq!(severity("T2"), "conduct");
    assert_eq!(reasons("T3"), serde_json::json!(["off_platform", "no_promise"]));
    assert_eq!(severity("T3"), "veto");
    // The rule's evidence: its spot, backing the rule id.
    let rule_items: Vec<&Value> = flagged["T1"]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["backs"] == "no_promise")
        .collect();
    assert_eq!(rule_items.len(), 1, "{:#}", flagged["T1"]);
    let e = rule_items[0];
    assert_eq!(
        (&e["category"], &e["message"], &e["role"], &e["entry"], &e["detail"]),
        (
            &Value::from("rule"),
            &Value::from(1),
            &Value::from("agent"),
            &Value::from("保证今天到"),
            &Value::from("消息#2「保证今天到」")
        )
    );
    // summary.json counts a ticket flagged by a rule alone as flagged: T1, T2, T3.
    let summary = dir.read_json("out/summary.json");
    assert_eq!(summary["team"]["flagged"], 3, "{:#}", summary["team"]);
    // Per rule that can flag (the one with a severity), keyed by its id: T1, T2 and T3 fail
    // no_promise; the surcharge rule has no severity and no entry.
    assert_eq!(
        summary["team"]["flagged_by_rule"],
        serde_json::json!({ "no_promise": 3 }),
        "{:#}",
        summary["team"]
    );

    // The agent page lists each flagged ticket with the rule's label.
    let page = read(&dir, "out/agents/A1.md");
    assert!(page.contains("原因: 无虚假承诺 (等级: 违规)"), "{page}");
    assert!(page.contains("原因: 低满意度、无虚假承诺 (等级: 违规)"), "{page}");
    assert!(page.contains("原因: 引导站外交易、无虚假承诺 (等级: 一票否决)"), "{page}");
    assert!(page.contains("- 无虚假承诺 ← 消息#2 (客服) 「保证今天到」\n"), "{page}");
    assert!(!page.contains("不得加价 ←"), "{page}");
    let html = read(&dir, "out/agents/A1.html");
    assert!(html.contains("<span class=backs>无虚假承诺</span>"), "{html}");

    // The team page counts it with the built-in reasons, by severity then count: 3 of 5
    // tickets = 60.0%, ahead of forbidden_phrase (conduct, 0); the rule without severity has
    // no row.
    let team = read(&dir, "out/summary.md");
    let head = "| 原因 | 等级 | 工单数 | 占已质检 |\n|---|---|---:|---:|\n";
    let table = &team[team.find(head).unwrap() + head.len()..];
    let rows: Vec<&str> = table.lines().take_while(|l| l.starts_with('|')).collect();
    assert_eq!(
        rows[..4],
        [
            "| 引导站外交易 (`off_platform`) | 一票否决 | 1 | 20.0% |",
            "| 泄露客户隐私 (`pii_exposed`) | 一票否决 | 0 | 0.0% |",
            "| 无虚假承诺 (`no_promise`) | 违规 | 3 | 60.0% |",
            "| 使用服务禁语 (`forbidden_phrase`) | 违规 | 0 | 0.0% |",
        ]
    );
    assert_eq!(rows.len(), 8, "seven built-in reasons and one rule: {table}");
    assert!(!team.contains("no_surcharge`) |"), "{team}");
    // 3 of 5 is more than half: the rule gets the hint a built-in reason would.
    assert!(team.contains("60.0% 的工单被标记为「无虚假承诺」"), "{team}");
    let html = read(&dir, "out/index.html");
    assert!(
        html.contains(
            "<tr><td>无虚假承诺 <br><code>no_promise</code></td><td>违规</td><td class=n>3</td>"
        ),
        "{html}"
    );
}

#[test]
fn a_rule_without_severity_flags_nothing() {
    let dir = Workdir::new();
    let template = format!("{}\n{}\n{SURCHARGE_RULE}", default_template(), promise_rule(None));
    audit(&dir, &template, "out", &["--sample-rate", "1"]);
    // Only T2 (CSAT 1) and T3 are flagged, by their built-in reasons; the rules still fail as
    // checks.
    let flagged = flagged(&dir, "out");
    assert_eq!(flagged.keys().collect::<Vec<_>>(), ["T2", "T3"]);
    assert_eq!(flagged["T2"]["reasons"], serde_json::json!(["low_csat"]));
    assert_eq!(flagged["T3"]["reasons"], serde_json::json!(["off_platform"]));
    assert!(flagged["T3"]["evidence"].as_array().unwrap().iter().all(|e| e["category"] != "rule"));
    let queue = dir.review_queue("out");
    assert_eq!(queue["T1"]["无虚假承诺-结果"], "不通过");
    assert_eq!(queue["T4"]["不得加价-结果"], "不通过");
    assert!(!read(&dir, "out/summary.md").contains("no_promise"));
    // No rule can flag, so summary.json has no per-rule flag counts (the default's shape).
    let summary = dir.read_json("out/summary.json");
    assert!(summary["team"].get("flagged_by_rule").is_none(), "{:#}", summary["team"]);
}

/// Risk mode drawing nothing at random: only must-review tickets are sampled.
fn risk(template: &str) -> String {
    template.replace(
        "[sampling]\nmode = \"plain\"\n",
        "[sampling]\nmode = \"risk\"\nrate = 0\nfloor = 0\ncap = 100\n",
    )
}

#[test]
fn a_conduct_rule_flag_puts_the_ticket_in_the_risk_sample() {
    let sampled = |severity: Option<&str>| {
        let dir = Workdir::new();
        let template = risk(&format!("{}\n{}", default_template(), promise_rule(severity)));
        assert!(template.contains("mode = \"risk\""));
        audit(&dir, &template, "out", &[]);
        let queue = dir.review_queue("out");
        queue.iter().map(|(id, row)| (id.clone(), row["抽样原因"].clone())).collect::<Vec<_>>()
    };
    let pair = |id: &str, why: &str| (id.to_string(), why.to_string());
    // T1 and T2 fail the conduct rule: must-review (严重违规); T3's off_platform is veto.
    assert_eq!(
        sampled(Some("conduct")),
        [pair("T1", "严重违规"), pair("T2", "严重违规"), pair("T3", "一票否决")]
    );
    // A veto rule makes them veto; a service rule is not must-review.
    assert_eq!(
        sampled(Some("veto")),
        [pair("T1", "一票否决"), pair("T2", "一票否决"), pair("T3", "一票否决")]
    );
    assert_eq!(sampled(Some("service")), [pair("T3", "一票否决")]);
    // Without severity, only the built-in veto reason is must-review.
    assert_eq!(sampled(None), [pair("T3", "一票否决")]);
}

#[test]
fn rule_flags_are_byte_identical_across_thread_counts() {
    let dir = Workdir::new();
    let template =
        format!("{}\n{}\n{SURCHARGE_RULE}", default_template(), promise_rule(Some("complaint")));
    audit(&dir, &template, "one", &["--threads", "1"]);
    audit(&dir, &template, "two", &["--threads", "2"]);
    let (one, two) = (report_files(&dir.join("one"), &[]), report_files(&dir.join("two"), &[]));
    assert_eq!(one.keys().collect::<Vec<_>>(), two.keys().collect::<Vec<_>>());
    for (name, bytes) in &one {
        if name.ends_with("manifest.json") {
            continue; // records the thread count and the run's times
        }
        assert!(bytes == &two[name], "{name} differs between 1 and 2 threads");
    }
    assert!(read(&dir, "one/flagged.jsonl").contains("\"no_promise\""));
}

#[test]
fn diff_reads_rule_reason_codes_back() {
    let dir = Workdir::new();
    let base = format!("{}\n{}", default_template(), promise_rule(None));
    audit(&dir, &base, "old", &[]);
    let with = format!("{}\n{}", default_template(), promise_rule(Some("conduct")));
    audit(&dir, &with, "new", &[]);
    let run = dir.zhijian(&["diff", "old", "new", "--json"]);
    let json: Value = serde_json::from_slice(&run.stdout()).unwrap();
    let text = json.to_string();
    // T1 and T2 gained the rule's code; T3 kept off_platform and gained it too.
    assert_eq!(text.matches(r#""gained":["no_promise"]"#).count(), 3, "{json:#}");
}

#[test]
fn a_bad_severity_or_an_id_equal_to_a_reason_code_is_refused_with_file_and_line() {
    let dir = Workdir::new();
    dir.write("in.jsonl", input());
    let default = default_template();
    // The rule starts on the line after the template's last; severity is its 6th line.
    let line = default.lines().count() + 1 + 6;
    dir.write("bad.toml", format!("{default}\n{}", promise_rule(Some("grave"))));
    let stderr = dir.audit("in.jsonl", &["--template", "bad.toml"]).failure().stderr();
    let want = format!(
        "zhijian: scoring template bad.toml:{line}: `severity` of rule `no_promise` is \"grave\", \
         but a severity is one of `service`, `complaint`, `conduct`, `veto`"
    );
    assert!(stderr.starts_with(&want), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    // The id is the rule's 2nd line.
    let colliding = promise_rule(Some("conduct")).replace("no_promise", "escalation");
    dir.write("clash.toml", format!("{default}\n{colliding}"));
    let stderr = dir.audit("in.jsonl", &["--template", "clash.toml"]).failure().stderr();
    let line = default.lines().count() + 1 + 2;
    assert!(
        stderr.starts_with(&format!(
            "zhijian: scoring template clash.toml:{line}: rule id `escalation` is a built-in flag \
             reason's key"
        )),
        "{stderr}"
    );
    assert!(!dir.join("out").exists());
}

#[test]
fn the_ecommerce_pack_flags_review_manipulation_as_veto_and_a_promise_as_conduct() {
    let dir = Workdir::new();
    let tickets = [
        ticket(
            "E1",
            None,
            &[("customer", "我给差评了"), ("agent", "亲，麻烦把差评删掉，好评有礼")],
        ),
        ticket("E2", None, &[("customer", "在吗"), ("agent", "您好，保证今天到")]),
        ticket("E3", None, &[("customer", "在吗"), ("agent", "您好，很高兴为您服务")]),
    ];
    dir.write("in.jsonl", tickets.join("\n") + "\n");
    let pack = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/ecommerce.toml");
    let args = ["audit", "in.jsonl", "--out", "out", "--quiet", "--template"];
    let mut args = args.to_vec();
    args.push(pack.to_str().unwrap());
    dir.zhijian(&args).success();
    let flagged = flagged(&dir, "out");
    let got: Vec<(&str, &Value, &Value)> =
        flagged.iter().map(|(id, l)| (id.as_str(), &l["reasons"], &l["severity"])).collect();
    let (veto, conduct) = (Value::from("veto"), Value::from("conduct"));
    // E1: 差评删掉 and 好评有礼 are review_manipulation.txt phrases (veto); the customer's 差评
    // is a complaint left without empathy (built-in, complaint) and an escalation the agent
    // did not answer (escalation_answered, complaint). Built-in first, then the rules in
    // template order; the veto rule alone makes the ticket veto.
    let e1 = serde_json::json!([
        "complaint_without_empathy",
        "no_review_manipulation",
        "escalation_answered"
    ]);
    // E2's 保证今天 is an over_promise.txt phrase.
    let e2 = serde_json::json!(["no_over_promise"]);
    assert_eq!(got, [("E1", &e1, &veto), ("E2", &e2, &conduct)]);
}

#[test]
fn a_rule_with_tickets_left_off_the_agent_page_gets_a_reason_page() {
    let dir = Workdir::new();
    // 55 tickets failing a service rule: the agent page lists 50 (pages::FLAGGED_SHOWN), so
    // the rule gets agents/A1/no_promise.md listing all 55.
    let tickets: Vec<String> = (0..55)
        .map(|i| {
            ticket(
                &format!("P{i:02}"),
                None,
                &[("customer", "在吗"), ("agent", "您好，保证今天到")],
            )
        })
        .collect();
    let template = format!("{}\n{}", default_template(), promise_rule(Some("service")));
    dir.write("t.toml", template);
    dir.write("in.jsonl", tickets.join("\n") + "\n");
    let lexicons = crate::util::fixture("lexicons");
    let args = ["audit", "in.jsonl", "--out", "out", "--quiet", "--template", "t.toml"];
    let mut args = args.to_vec();
    args.extend(["--lexicons", lexicons.to_str().unwrap()]);
    dir.zhijian(&args).success();
    let page = read(&dir, "out/agents/A1/no_promise.md");
    assert!(page.contains("## 无虚假承诺 (55 张)"), "{page}");
    assert_eq!(page.matches("### 工单 ").count(), 55);
    let agent = read(&dir, "out/agents/A1.md");
    assert!(
        agent.contains("| 无虚假承诺 | 服务体验 | 55 | 50 | [全部 55 张](A1/no_promise.md) |"),
        "{agent}"
    );
}
