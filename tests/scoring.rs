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
