//! Issue 10: a flagged ticket on its agent page opens to the whole conversation, laid out as a
//! chat — roles, times, response times, every hit in its category's colour (the ones behind a
//! reason emphasized, the ones a rule cancelled struck through), tooltips naming entry, category
//! and rule — masked and escaped like every other report; the Markdown page quotes it
//! compactly; review_queue.csv carries a masked, capped, formula-safe transcript that
//! `zhijian calibrate` still reads.

use serde_json::json;

use crate::util::{fixture, Run, Workdir};

/// C1, agent A1 (小周): six turns. The customer complains (生气, counted); the agent greets and
/// answers with a forbidden phrase 2 min 15 s later (over the 30 s SLA); the customer gives a
/// full-width mobile number, then 不生气 (negated, does not count) and 太差 (counts); a bot
/// turn carries another number; the agent sends markup and 加微信 20 s later; a system turn
/// without a time closes.
fn c1() -> String {
    let line = json!({
        "ticket_id": "C1",
        "agent_id": "A1",
        "agent_name": "小周",
        "messages": [
            {"role": "customer", "ts": "2026-11-21T10:00:00+08:00", "text": "快递五天还没到，我真的很生气"},
            {"role": "agent", "ts": "2026-11-21T10:02:15+08:00", "text": "您好，物流的事你自己看"},
            {"role": "customer", "ts": "2026-11-21T10:03:00+08:00",
             "text": "我电话１３８１２３４５６７８，我不生气，就是太差了"},
            {"role": "bot", "ts": "2026-11-21T10:03:05+08:00", "text": "已记录您的号码13912345678"},
            {"role": "agent", "ts": "2026-11-21T10:03:20+08:00",
             "text": "<script>alert(1)</script>\"><img src=x onerror=alert(2)>加微信吧"},
            {"role": "system", "text": "会话已结束"},
        ],
    });
    format!("{line}\n")
}

/// The fixture lexicons plus one forbidden-phrase exception, `!你自己看一下订单`.
fn lexicons(dir: &Workdir) -> String {
    for entry in std::fs::read_dir(fixture("lexicons")).unwrap() {
        let path = entry.unwrap().path();
        let name = format!("lex/{}", path.file_name().unwrap().to_str().unwrap());
        dir.write(&name, std::fs::read(&path).unwrap());
    }
    let mut forbidden = std::fs::read_to_string(dir.join("lex/forbidden.txt")).unwrap();
    forbidden.push_str("!你自己看一下订单\n");
    dir.write("lex/forbidden.txt", forbidden);
    dir.join("lex").to_str().unwrap().to_string()
}

fn audit(dir: &Workdir, input: &str, extra: &[&str]) -> Run {
    dir.write("in.jsonl", input);
    let lexicons = lexicons(dir);
    let mut args = vec!["audit", "in.jsonl", "--out", "out", "--quiet", "--lexicons", &lexicons];
    args.extend_from_slice(extra);
    dir.zhijian(&args).success()
}

fn page(dir: &Workdir, name: &str) -> String {
    String::from_utf8(dir.read(name)).unwrap()
}

/// The conversation of `ticket` on an HTML page: from its `<details>` to `</details>`.
fn conversation<'a>(page: &'a str, ticket: &str) -> &'a str {
    let heading = page.find(&format!("<h3>工单 {ticket}</h3>")).expect("the ticket is listed");
    let from = heading + page[heading..].find("<details class=conv>").expect("a conversation");
    let to = from + page[from..].find("</details>").unwrap() + "</details>".len();
    &page[from..to]
}

/// Each turn's (side, meta line) in page order.
fn turns(conversation: &str) -> Vec<(String, String)> {
    conversation
        .split("<li class=\"t ")
        .skip(1)
        .map(|li| {
            let side = &li[..li.find('"').unwrap()];
            let meta = &li[li.find("<div class=meta>").unwrap() + 16..li.find("</div>").unwrap()];
            (side.to_string(), meta.to_string())
        })
        .collect()
}

#[test]
fn a_flagged_ticket_opens_to_every_turn_in_order_with_role_time_and_reply_time() {
    let dir = Workdir::new();
    audit(&dir, &c1(), &[]);
    let html = page(&dir, "out/agents/A1.html");
    let c = conversation(&html, "C1");
    // Closed by default; the heading and the evidence stay above it.
    assert!(
        c.starts_with("<details class=conv><summary>对话全文 (6 条消息, 时间为北京时间)</summary>")
    );
    assert!(html.find("<p class=ev>").unwrap() < html.find("<details").unwrap());
    let t = |side: &str, meta: &str| (side.to_string(), meta.to_string());
    assert_eq!(
        turns(c),
        vec![
            t("customer", "#1 <strong>客户</strong> <time>2026-11-21 10:00:00</time>"),
            // 10:00:00 → 10:02:15, the first response, over the SLA and flagged for it.
            t(
                "agent",
                "#2 <strong>客服</strong> <time>10:02:15</time> \
                 <span class=\"gap slow why\">首响 2分15秒, 超时</span>"
            ),
            t("customer", "#3 <strong>客户</strong> <time>10:03:00</time>"),
            t("bot", "#4 <strong>机器人</strong> <time>10:03:05</time>"),
            // The customer waited from 10:03:00.
            t(
                "agent",
                "#5 <strong>客服</strong> <time>10:03:20</time> <span class=\"gap\">回复用时 20秒</span>"
            ),
            t("system", "#6 <strong>系统</strong>"),
        ]
    );
}

#[test]
fn a_hit_behind_a_reason_is_emphasized_in_its_categorys_colour_the_rest_subdued() {
    let dir = Workdir::new();
    audit(&dir, &c1(), &[]);
    let html = page(&dir, "out/agents/A1.html");
    let c = conversation(&html, "C1");
    // 你自己看 is why the ticket is flagged (使用服务禁语); 您好 is only a greeting.
    assert!(
        c.contains(
            "<mark class=\"k-greeting\" title=\"问候语 「您好」\">您好</mark>，物流的事\
             <mark class=\"k-forbidden why\" title=\"服务禁语 「你自己看」 · 标记原因: 使用服务禁语\">\
             你自己看</mark>"
        ),
        "{c}"
    );
    assert!(
        c.contains(
            "<mark class=\"k-off_platform why\" title=\"站外引流 「加微信」 · 标记原因: 引导站外交易\">\
             加微信</mark>吧"
        ),
        "{c}"
    );
    // The customer's counted complaint backs the escalation.
    assert!(c.contains("真的很<mark class=\"k-negative why\""), "{c}");
    // One legend per page, naming every colour.
    assert_eq!(html.matches("<p class=legend>").count(), 1);
    for (class, label) in
        [("forbidden", "服务禁语"), ("off_platform", "站外引流"), ("pii", "隐私信息")]
    {
        assert!(html.contains(&format!("<mark class=\"k-{class}\">{label}</mark>")), "{class}");
    }
}

#[test]
fn negated_and_excepted_hits_are_struck_through_and_name_the_rule() {
    let dir = Workdir::new();
    let e1 = json!({
        "ticket_id": "E1",
        "agent_id": "A1",
        "messages": [
            {"role": "customer", "text": "我要退货"},
            {"role": "agent", "text": "你自己看一下订单，不归我管"},
        ],
    });
    audit(&dir, &format!("{}{e1}\n", c1()), &[]);
    let html = page(&dir, "out/agents/A1.html");
    assert!(
        conversation(&html, "C1").contains(
            "我不<mark class=\"k-negative x\" title=\"负面 「生气」 · 被否定, 不计\">生气</mark>\
             <small class=fx>〔被否定, 不计〕</small>"
        ),
        "{html}"
    );
    assert!(
        conversation(&html, "E1").contains(
            "<mark class=\"k-forbidden x\" title=\"服务禁语 「你自己看」 · 例外, 不计 \
             (例外词「你自己看一下订单」)\">你自己看</mark><small class=fx>〔例外, 不计〕</small>\
             一下订单，<mark class=\"k-forbidden why\" title=\"服务禁语 「不归我管」 · 标记原因: \
             使用服务禁语\">不归我管</mark>"
        ),
        "{html}"
    );
    let md = page(&dir, "out/agents/A1.md");
    assert!(
        md.contains("> - #2 **客服**: ~~你自己看~~〔例外, 不计〕一下订单，**【不归我管】**\n"),
        "{md}"
    );
}

#[test]
fn a_masked_phone_number_before_a_hit_leaves_the_hit_on_its_own_characters() {
    let dir = Workdir::new();
    audit(&dir, &c1(), &["--sample-rate", "1"]);
    let html = page(&dir, "out/agents/A1.html");
    let c = conversation(&html, "C1");
    // Full-width digits are 3 bytes, the mask's * is 1: the marks must still sit on 生气 and 差.
    assert!(
        c.contains(
            "<div class=bubble>我电话１３８****５６７８，我不<mark class=\"k-negative x\" \
             title=\"负面 「生气」 · 被否定, 不计\">生气</mark><small class=fx>〔被否定, 不计〕</small>\
             ，就是太<mark class=\"k-negative why\" title=\"负面 「差」 · 标记原因: 客户情绪升级\">差\
             </mark>了</div>"
        ),
        "{c}"
    );
    // A bot turn is masked too.
    assert!(c.contains("<div class=bubble>已记录您的号码139****5678</div>"), "{c}");
    let md = page(&dir, "out/agents/A1.md");
    let queue = dir.review_queue("out");
    for text in [&html, &md, &queue["C1"]["对话摘录"]] {
        assert!(!text.contains("１２３４") && !text.contains("13912345678"), "{text}");
    }
    assert!(md.contains(
        "我电话１３８\\*\\*\\*\\*５６７８，我不~~生气~~〔被否定, 不计〕，就是太**【差】**了"
    ));
}

#[test]
fn markup_in_messages_reaches_pages_only_escaped() {
    let dir = Workdir::new();
    audit(&dir, &c1(), &[]);
    let html = page(&dir, "out/agents/A1.html");
    assert!(!html.contains("<script") && !html.contains("<img"), "{html}");
    assert!(conversation(&html, "C1").contains(
        "<div class=bubble>&lt;script&gt;alert(1)&lt;/script&gt;\"&gt;&lt;img src=x \
         onerror=alert(2)&gt;<mark"
    ));
    let md = page(&dir, "out/agents/A1.md");
    assert!(md.contains(
        "> - #5 **客服** 10:03:20 回复用时 20秒: \\<script\\>alert(1)\\</script\\>\"\\>\\<img src=x \
         onerror=alert(2)\\>**【加微信】**吧\n"
    ));
}

#[test]
fn the_markdown_page_quotes_the_conversation_under_a_greppable_id() {
    let dir = Workdir::new();
    audit(&dir, &c1(), &[]);
    let md = page(&dir, "out/agents/A1.md");
    let from = md.find("对话全文 (`C1`, 6 条消息, 时间为北京时间):\n\n").expect("a conversation");
    let lines: Vec<&str> = md[from..].lines().skip(2).take(6).collect();
    assert_eq!(
        lines,
        [
            "> - #1 **客户** 2026-11-21 10:00:00: 快递五天还没到，我真的很**【生气】**",
            "> - #2 **客服** 10:02:15 首响 2分15秒, 超时: 【您好】，物流的事**【你自己看】**",
            "> - #3 **客户** 10:03:00: 我电话１３８\\*\\*\\*\\*５６７８，我不~~生气~~〔被否定, 不计〕，就是太**【差】**了",
            "> - #4 **机器人** 10:03:05: 已记录您的号码139\\*\\*\\*\\*5678",
            "> - #5 **客服** 10:03:20 回复用时 20秒: \\<script\\>alert(1)\\</script\\>\"\\>\\<img src=x onerror=alert(2)\\>**【加微信】**吧",
            "> - #6 **系统**: 会话已结束",
        ]
    );
}

#[test]
fn the_review_queue_holds_a_masked_capped_formula_safe_transcript() {
    let dir = Workdir::new();
    // F1: the customer opens with a formula and a control character; 30 turns of 50 characters
    // each (`客户: ` + 46) pass the 1,000-character cap.
    let mut messages = vec![json!({"role": "customer", "text": "=1+1\u{7}\t您好"})];
    let text = "我".repeat(46);
    for i in 1..30usize {
        let role = if i.is_multiple_of(2) { "customer" } else { "agent" };
        messages.push(json!({"role": role, "text": text}));
    }
    let f1 = json!({"ticket_id": "F1", "agent_id": "A2", "messages": messages});
    audit(&dir, &format!("{}{f1}\n", c1()), &["--sample-rate", "1"]);
    let header = String::from_utf8(dir.read("out/review_queue.csv")).unwrap();
    let header = header.lines().next().unwrap();
    assert!(header.ends_with(",复核备注,对话摘录"), "the new column comes last: {header}");
    let queue = dir.review_queue("out");
    assert_eq!(
        queue["C1"]["对话摘录"],
        "客户: 快递五天还没到，我真的很生气\n客服: 您好，物流的事你自己看\n\
         客户: 我电话１３８****５６７８，我不生气，就是太差了\n机器人: 已记录您的号码139****5678\n\
         客服: <script>alert(1)</script>\"><img src=x onerror=alert(2)>加微信吧\n系统: 会话已结束"
    );
    // The first line is 12 characters (the bell and the tab are spaces), each next one a line
    // break and 50: 12 + 19 × 51 = 981, then a line break and 18 characters of message 21.
    let cell = &queue["F1"]["对话摘录"];
    let line = |i: usize| format!("{}: {text}", if i.is_multiple_of(2) { "客户" } else { "客服" });
    let mut want = String::from("客户: =1+1  您好");
    for i in 1..=19 {
        want.push('\n');
        want.push_str(&line(i));
    }
    want.push('\n');
    want.extend(line(20).chars().take(18));
    want.push_str("…(共 30 条消息)");
    assert_eq!(cell, &want);
    assert_eq!(cell.chars().count(), 1000 + "…(共 30 条消息)".chars().count());
    for cell in queue.values().map(|row| &row["对话摘录"]) {
        assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
        assert!(!cell.chars().any(|c| c.is_control() && c != '\n'), "{cell:?}");
    }
}

#[test]
fn calibrate_reads_a_reviewed_queue_with_the_transcript_column() {
    let dir = Workdir::new();
    audit(&dir, &c1(), &["--sample-rate", "1"]);
    let bytes = dir.read("out/review_queue.csv");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers = reader.headers().unwrap().clone();
    // The reviewer's file holds the new column, last, and its cells span lines.
    assert_eq!(headers.iter().next_back(), Some("对话摘录"));
    let verdict = headers.iter().position(|h| h == "无服务禁语-复核(同意/不同意)").unwrap();
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(&headers).unwrap();
    for record in reader.records() {
        let mut row: Vec<String> = record.unwrap().iter().map(String::from).collect();
        row[verdict] = "同意".into();
        out.write_record(&row).unwrap();
    }
    dir.write("reviewed.csv", out.into_inner().unwrap());
    let run = dir.zhijian(&["calibrate", "--json", "reviewed.csv"]).success();
    let c: serde_json::Value = serde_json::from_slice(&run.stdout()).unwrap();
    assert_eq!((c["rows"].as_u64(), c["reviewed_rows"].as_u64()), (Some(1), Some(1)));
    let no_forbidden =
        c["checks"].as_array().unwrap().iter().find(|c| c["check"] == "no_forbidden");
    assert_eq!(no_forbidden.unwrap()["agreed"], 1);
}

#[test]
fn conversations_are_byte_identical_across_thread_counts() {
    let dir = Workdir::new();
    let mut input = String::new();
    for n in 0..40 {
        let line = c1().replace("\"C1\"", &format!("\"C{n:02}\""));
        input.push_str(&line);
    }
    audit(&dir, &input, &["--threads", "1"]);
    let one = (dir.read("out/agents/A1.html"), dir.read("out/agents/A1.md"));
    audit(&dir, &input, &["--threads", "2"]);
    let two = (dir.read("out/agents/A1.html"), dir.read("out/agents/A1.md"));
    assert!(one == two, "agent pages differ between --threads 1 and 2");
    assert_eq!(String::from_utf8(one.0).unwrap().matches("<details class=conv>").count(), 40);
}

#[test]
fn the_agent_page_lists_only_the_evidence_behind_a_reason_and_leaves_the_rest_to_the_chat() {
    let dir = Workdir::new();
    // Fixture lexicons: 您好 greeting, 你自己看 forbidden, 谢谢 positive (none of the last flags).
    dir.write(
        "in.jsonl",
        concat!(
            r#"{"ticket_id":"E1","agent_id":"A1","messages":[{"role":"customer","text":"谢谢"},"#,
            r#"{"role":"agent","text":"您好，你自己看"}]}"#,
            "\n"
        ),
    );
    dir.audit("in.jsonl", &[]).success();
    let flagged = dir.read_jsonl("out/flagged.jsonl");
    let evidence = flagged[0]["evidence"].as_array().unwrap();
    let backs: Vec<(&str, Option<&str>)> =
        evidence.iter().map(|e| (e["text"].as_str().unwrap_or(""), e["backs"].as_str())).collect();
    assert_eq!(
        backs,
        [("谢谢", None), ("您好", None), ("你自己看", Some("forbidden_phrase"))],
        "{evidence:#?}"
    );

    let html = String::from_utf8(dir.read("out/agents/A1.html")).unwrap();
    let listed = &html[html.find("<h3>工单 E1</h3>").unwrap()..html.find("<details").unwrap()];
    assert_eq!(listed.matches("<p class=ev>").count(), 1, "{listed}");
    assert!(listed.contains("<span class=backs>使用服务禁语</span> 消息#2 (客服)"), "{listed}");
    assert!(listed.contains("<mark class=why>你自己看</mark>"), "{listed}");
    assert!(listed.contains("另有 2 处命中不构成标记原因, 在下方对话全文中标出。"), "{listed}");
    let md = String::from_utf8(dir.read("out/agents/A1.md")).unwrap();
    assert!(md.contains("- 使用服务禁语 ← 消息#2 (客服)"), "{md}");
    assert!(md.contains("- 另有 2 处命中不构成标记原因, 见下方对话全文"), "{md}");
}
