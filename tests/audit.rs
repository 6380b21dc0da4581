//! End to end: `tests/fixtures/basic.jsonl` (see `basic.expect.md`) produces the full report
//! set, and every figure is the hand-computed one.

use serde_json::Value;

use crate::util::{fixture, Workdir};

fn agent<'a>(summary: &'a Value, id: &str) -> &'a Value {
    summary["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent_id"] == id)
        .unwrap_or_else(|| panic!("agent {id} missing from summary.json"))
}

fn audit_basic(dir: &Workdir) -> Value {
    dir.audit(fixture("basic.jsonl").to_str().unwrap(), &[]).success();
    dir.read_json("out/summary.json")
}

#[test]
fn writes_the_full_report_set() {
    let dir = Workdir::new();
    audit_basic(&dir);
    for file in [
        "manifest.json",
        "summary.json",
        "summary.md",
        "agents.csv",
        "flagged.jsonl",
        "review_queue.csv",
        "rejects.jsonl",
        "agents/A1.md",
        "agents/A2.md",
        "agents/A3.md",
        "index.html",
        "agents/A1.html",
        "agents/A3.html",
    ] {
        assert!(dir.join("out").join(file).is_file(), "{file} missing\n{}", dir.listing());
    }
    assert!(!dir.join("out/tickets.jsonl").exists(), "tickets.jsonl only with --per-ticket");
}

#[test]
fn counts_add_up() {
    let dir = Workdir::new();
    let summary = audit_basic(&dir);
    let counts = &summary["counts"];
    assert_eq!(counts["lines"], 5);
    assert_eq!(counts["audited"], 5);
    assert_eq!(counts["rejected"], 0);
    assert_eq!(counts["sampled"], 2);
    assert_eq!(counts["flagged"], 1);
    assert_eq!(summary["team"]["tickets"], 5);
}

#[test]
fn agent_a1_figures() {
    let dir = Workdir::new();
    let summary = audit_basic(&dir);
    let a1 = agent(&summary, "A1");
    assert_eq!(a1["agent_name"], "小李");
    assert_eq!(a1["tickets"], 2);
    assert_eq!(a1["messages"], 4);
    // 您好 理解您的心情 马上 帮 您 查 | 不 客气 再见 | 这个 你自己看 不归我管 | 加微信 聊
    assert_eq!(a1["words"], 14);
    let cats = &a1["categories"];
    assert_eq!(cats["empathy"]["hits"], 1);
    assert_eq!(cats["empathy"]["per_100_words"], 7.1429);
    assert_eq!(cats["empathy"]["ticket_share"], 0.5);
    assert_eq!(cats["forbidden"]["hits"], 2);
    assert_eq!(cats["off_platform"]["hits"], 1);
    assert_eq!(cats["greeting"]["hits"], 1);
    assert_eq!(cats["closing"]["hits"], 1);
    assert_eq!(cats["filler"]["hits"], 0);
    // Customer negativity never counts as the agent's own negative language.
    assert_eq!(cats["negative"]["hits"], 0);
    assert_eq!(a1["complaints"], 3);
    assert_eq!(a1["empathy_after_complaint"], 0.3333);
    assert_eq!(a1["customer_negative_share"], 1.0 / 2.0);
    assert_eq!(a1["escalations"], 1);
    assert_eq!(a1["first_response_median_secs"], 10);
    assert_eq!(a1["first_response_p90_secs"], 60);
    assert_eq!(a1["first_response_sla_breaches"], 1);
    assert_eq!(a1["response_median_secs"], 20);
    assert_eq!(a1["response_p90_secs"], 60);
    assert_eq!(a1["response_sla_breaches"], 1);
    assert_eq!(a1["timed_responses"], 4);
    assert_eq!(a1["csat_mean"], 3.0);
    assert_eq!(a1["csat_count"], 2);
    assert_eq!(a1["resolved_share"], 0.5);
    assert_eq!(a1["flagged"], 1);
    let reasons = &a1["flagged_by_reason"];
    for reason in [
        "forbidden_phrase",
        "off_platform",
        "escalation",
        "complaint_without_empathy",
        "slow_first_response",
        "low_csat",
    ] {
        assert_eq!(reasons[reason], 1, "{reason}");
    }
    assert_eq!(reasons["pii_exposed"], 0);
    assert_eq!(a1["sampled"], 1);
}

#[test]
fn transfers_and_missing_timestamps() {
    let dir = Workdir::new();
    let summary = audit_basic(&dir);
    let a2 = agent(&summary, "A2");
    assert_eq!(a2["tickets"], 3);
    assert_eq!(a2["participated"], 2);
    assert_eq!(a2["messages"], 2);
    assert_eq!(a2["first_response_median_secs"], 5);
    // Unknown, never zero: A2 has no CSAT at all.
    assert_eq!(a2["csat_mean"], Value::Null);
    assert_eq!(a2["empathy_after_complaint"], Value::Null);
    assert_eq!(a2["sampled"], 1);

    let a3 = agent(&summary, "A3");
    assert_eq!(a3["tickets"], 0);
    assert_eq!(a3["participated"], 1);
    assert_eq!(a3["categories"]["filler"]["hits"], 1);
    assert_eq!(a3["categories"]["jargon"]["hits"], 2);
    assert_eq!(a3["response_median_secs"], 20);
    assert_eq!(a3["first_response_median_secs"], Value::Null);
    assert_eq!(a3["sampled"], 0);
}

#[test]
fn flagged_evidence_points_at_the_original_text() {
    let dir = Workdir::new();
    audit_basic(&dir);
    let flagged = dir.read_jsonl("out/flagged.jsonl");
    assert_eq!(flagged.len(), 1);
    let t2 = &flagged[0];
    assert_eq!(t2["ticket_id"], "T2");
    assert_eq!(t2["customer_negativity"], 6.666);
    let forbidden: Vec<&Value> = t2["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["category"] == "forbidden")
        .collect();
    assert_eq!(forbidden.len(), 2);
    // 这个你自己看，不归我管: 你自己看 is characters 2..6, 不归我管 7..11.
    assert_eq!((forbidden[0]["start"].as_u64(), forbidden[0]["end"].as_u64()), (Some(2), Some(6)));
    assert_eq!(forbidden[0]["text"], "你自己看");
    assert_eq!((forbidden[1]["start"].as_u64(), forbidden[1]["end"].as_u64()), (Some(7), Some(11)));
    assert_eq!(forbidden[1]["role"], "agent");
    assert_eq!(forbidden[1]["message"], 1);
    let slow = t2["evidence"].as_array().unwrap().iter().find(|e| e["category"] == "response_time");
    assert_eq!(slow.unwrap()["seconds"], 60);
}

#[test]
fn csv_opens_in_excel() {
    let dir = Workdir::new();
    audit_basic(&dir);
    let csv = dir.read("out/agents.csv");
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "agents.csv needs a UTF-8 BOM");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("客服ID,客服姓名,工单数"), "{header}");
    assert_eq!(text.lines().count(), 4, "header + 3 agents");
    assert!(text.contains("\r\n"));
}

#[test]
fn per_ticket_lines() {
    let dir = Workdir::new();
    dir.audit(fixture("basic.jsonl").to_str().unwrap(), &["--per-ticket"]).success();
    let tickets = dir.read_jsonl("out/tickets.jsonl");
    let ids: Vec<&str> = tickets.iter().map(|t| t["ticket_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["T1", "T2", "T3", "T4", "T5"]);
    // 太生气 (1.5) against 好 + 谢谢 (2): angry at first, net positive by the end, so the net
    // negativity is 0.
    assert_eq!(tickets[0]["customer_negativity"], 0.0);
    assert_eq!(tickets[0]["customer_negative"], false);
    // 差 (1), then 太垃圾了 + 非常生气 (4.5) last, weighing twice: (1 + 2 × 4.5) × 2/3.
    assert_eq!(tickets[1]["customer_negativity"], 6.666);
    assert_eq!(tickets[1]["escalated"], true);
    assert_eq!(tickets[3]["customer_negativity"], 0.0);
    assert_eq!(tickets[3]["customer_negative"], false);
    // 满意 from the customer and 好 from the agent.
    assert_eq!(tickets[3]["hits"]["positive"], 2);
}

#[test]
fn evidence_is_capped_with_what_backs_a_reason_first() {
    let dir = Workdir::new();
    // 300 negative hits from the customer, then one forbidden phrase from the agent.
    let line = serde_json::json!({
        "ticket_id": "LONG",
        "agent_id": "A1",
        "messages": [
            {"role": "customer", "text": "差，".repeat(300)},
            {"role": "agent", "text": "你自己看"},
        ],
    });
    dir.write("in.jsonl", format!("{line}\n"));
    dir.audit("in.jsonl", &[]).success();
    let flagged = dir.read_jsonl("out/flagged.jsonl");
    let evidence = flagged[0]["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 200);
    assert_eq!(flagged[0]["evidence_omitted"], 101);
    // Still in message order, and the forbidden phrase made the cut.
    assert_eq!(evidence.last().unwrap()["category"], "forbidden");
    assert_eq!(evidence[0]["message"], 0);
}
