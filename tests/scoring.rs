//! Scoring a coach can trust: traditional, full-width and simplified twins score the same, and
//! evidence spans point at the original characters whatever normalization did.

use serde_json::Value;

use crate::util::Workdir;

fn ticket(id: &str, customer: &str, agent: &str) -> String {
    serde_json::json!({
        "ticket_id": id,
        "agent_id": "A1",
        "messages": [
            {"role": "customer", "text": customer},
            {"role": "agent", "text": agent},
        ],
    })
    .to_string()
}

/// tickets.jsonl lines by id, and flagged evidence by id.
fn audit(dir: &Workdir, lines: &[String]) -> (Vec<Value>, Vec<Value>) {
    dir.write("in.jsonl", lines.join("\n"));
    dir.audit("in.jsonl", &["--per-ticket"]).success();
    (dir.read_jsonl("out/tickets.jsonl"), dir.read_jsonl("out/flagged.jsonl"))
}

fn without_id(mut value: Value) -> Value {
    value.as_object_mut().unwrap().remove("ticket_id");
    value
}

#[test]
fn traditional_and_full_width_twins_score_the_same() {
    let dir = Workdir::new();
    let (tickets, flagged) = audit(
        &dir,
        &[
            ticket("S", "我不满意，态度太差了，垃圾", "您好，这个你自己看"),
            ticket("T", "我不滿意，態度太差了，垃圾", "您好，這個你自己看"),
            ticket("W", "我不满意，态度太差了，垃圾", "您好，这个你自己看"),
        ],
    );
    assert_eq!(tickets.len(), 3);
    let simplified = without_id(tickets[0].clone());
    assert_eq!(without_id(tickets[1].clone()), simplified, "traditional twin");
    assert_eq!(without_id(tickets[2].clone()), simplified, "full-width twin");
    assert_eq!(simplified["hits"]["negative"], 3, "不满意 (negated positive), 差, 垃圾");
    assert_eq!(simplified["hits"]["forbidden"], 1);

    // Same spans, and the evidence text is the original characters.
    let spans = |t: &Value| -> Vec<(u64, u64, String)> {
        t["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["start"].as_u64().unwrap(),
                    e["end"].as_u64().unwrap(),
                    e["category"].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(spans(&flagged[1]), spans(&flagged[0]));
    let traditional_forbidden = flagged[1]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["category"] == "forbidden")
        .unwrap();
    assert_eq!(traditional_forbidden["entry"], "你自己看");
    assert_eq!(traditional_forbidden["text"], "你自己看");
}

#[test]
fn negation_exceptions_and_boundaries_end_to_end() {
    let dir = Workdir::new();
    let cases = [
        // (customer text, customer_negative, customer_negativity)
        ("不好意思，问一下", false, 0.0),
        ("没问题，谢谢", false, 0.0),
        ("我不生气", false, 0.0),
        ("我很不满意", true, 1.0),
        ("非常生气", true, 1.5),
        ("这是不好的体验", true, 1.0),
    ];
    let lines: Vec<String> = cases
        .iter()
        .enumerate()
        .map(|(i, (text, ..))| ticket(&format!("N{i}"), text, "您好"))
        .collect();
    let (tickets, _) = audit(&dir, &lines);
    for (ticket, (text, negative, negativity)) in tickets.iter().zip(cases) {
        assert_eq!(ticket["customer_negative"], negative, "{text}");
        assert_eq!(ticket["customer_negativity"], negativity, "{text}");
    }
}

#[test]
fn an_agent_repeating_the_customers_words_is_not_the_agents_jargon_or_negative_wording() {
    let dir = Workdir::new();
    let (tickets, _) = audit(
        &dir,
        &[
            // The customer says 工单 and 差 first; the agent repeats them.
            ticket("E", "我的工单怎么这么差", "您的工单差在哪里呢"),
            // The agent uses them unprompted.
            ticket("O", "在吗", "您的工单差在哪里呢"),
        ],
    );
    let hits = |i: usize, category: &str| tickets[i]["hits"][category].as_u64().unwrap_or(0);
    assert_eq!(tickets[0]["ticket_id"], "E");
    // E: the customer's 差 counts (1); the agent's 工单 and 差 are echoes (0).
    assert_eq!((hits(0, "jargon"), hits(0, "negative")), (0, 1), "{}", tickets[0]);
    // O: the agent's own 工单 and 差 count.
    assert_eq!((hits(1, "jargon"), hits(1, "negative")), (1, 1), "{}", tickets[1]);
}

#[test]
fn an_agent_asking_about_the_problem_is_not_negative_wording() {
    let dir = Workdir::new();
    let (tickets, _) = audit(
        &dir,
        &[ticket("Q", "在吗", "您是觉得质量差吗？"), ticket("S", "在吗", "这个质量就是差")],
    );
    let negative = |i: usize| tickets[i]["hits"]["negative"].as_u64().unwrap_or(0);
    assert_eq!((&tickets[0]["ticket_id"], negative(0)), (&"Q".into(), 0), "{}", tickets[0]);
    assert_eq!((&tickets[1]["ticket_id"], negative(1)), (&"S".into(), 1), "{}", tickets[1]);
}

/// tickets.jsonl lines, audited with the built-in (shipped) lexicons.
/// tickets.jsonl is sorted by id: the lines are returned in input order.
fn audit_builtin(dir: &Workdir, lines: &[String]) -> Vec<Value> {
    dir.write("in.jsonl", lines.join("\n"));
    dir.zhijian(&["audit", "in.jsonl", "--out", "out", "--quiet", "--per-ticket"]).success();
    let tickets = dir.read_jsonl("out/tickets.jsonl");
    let id = |line: &String| serde_json::from_str::<Value>(line).unwrap()["ticket_id"].clone();
    lines
        .iter()
        .map(|line| tickets.iter().find(|t| t["ticket_id"] == id(line)).unwrap().clone())
        .collect()
}

/// A ticket of (role, text) turns.
fn conversation(id: &str, turns: &[(&str, &str)]) -> String {
    let messages: Vec<Value> =
        turns.iter().map(|(role, text)| serde_json::json!({"role": role, "text": text})).collect();
    serde_json::json!({"ticket_id": id, "agent_id": "A1", "messages": messages}).to_string()
}

#[test]
fn a_customers_word_in_an_agents_turn_is_not_negative_wording() {
    let dir = Workdir::new();
    let tickets = audit_builtin(
        &dir,
        &[
            // Defects, feelings and threats are the customer's words (`@side customer`): an
            // agent naming them explains or restates, even unprompted.
            ticket("D", "在吗", "商品有破损或者质量问题的话可以申请售后，您别着急"),
            // A refusal with no alternative is the agent's own negative wording.
            ticket("R", "在吗", "这个是无法取消的哦"),
        ],
    );
    assert_eq!(tickets[0]["hits"]["negative"], 0, "{}", tickets[0]);
    assert_eq!(tickets[1]["hits"]["negative"], 1, "{}", tickets[1]);
}

#[test]
fn implicit_complaints_wait_for_empathy() {
    let dir = Workdir::new();
    let unanswered = |id: &str, turns: &[(&str, &str)]| conversation(id, turns);
    let tickets = audit_builtin(
        &dir,
        &[
            // A why-not-yet question with no sentiment word.
            unanswered("W", &[("customer", "为啥一直显示待出库"), ("agent", "您好，这边查询一下")]),
            // Two half cues: a timing question and ??.
            unanswered("M", &[("customer", "大概多久能到？？"), ("agent", "明天到")]),
            // The same question asked again after an answer.
            unanswered(
                "R",
                &[
                    ("customer", "我买的那台冰箱哪天能送过来"),
                    ("agent", "请您稍等"),
                    ("customer", "我就想知道那台冰箱哪天能送过来"),
                    ("agent", "明天"),
                ],
            ),
            // A plain question is not a complaint.
            unanswered("P", &[("customer", "这个要怎么办理退货"), ("agent", "在订单页申请")]),
        ],
    );
    let reasons = |t: &Value| t["reasons"].to_string();
    for t in &tickets[..3] {
        assert!(reasons(t).contains("complaint_without_empathy"), "{t}");
    }
    assert!(!reasons(&tickets[3]).contains("complaint_without_empathy"), "{}", tickets[3]);
}

#[test]
fn customer_negativity_is_net_and_weighs_the_last_turn_twice() {
    let dir = Workdir::new();
    let tickets = audit_builtin(
        &dir,
        &[
            // 非常生气 (1.5 × 1.5 = 2.25), then 好的谢谢 (0.5 + 1) last: (2.25 − 3) · 2/3 < 0.
            conversation(
                "T",
                &[("customer", "非常生气"), ("agent", "抱歉"), ("customer", "好的谢谢")],
            ),
            // Thanks first, the complaint last: (−1.5 + 2 × 2.25) · 2/3 = 2.
            conversation(
                "C",
                &[("customer", "好的谢谢"), ("agent", "您说"), ("customer", "非常生气")],
            ),
        ],
    );
    assert_eq!(tickets[0]["customer_negative"], false);
    assert_eq!(tickets[0]["customer_negativity"], 0.0);
    assert_eq!(tickets[1]["customer_negative"], true);
    assert_eq!(tickets[1]["customer_negativity"], 2.0);
}
