//! Issue 12: compliance rules in the template. The default template's six rules reproduce the
//! six hard-coded checks they replaced (compared with what the last release wrote, kept in
//! tests/fixtures/rules/), old `[checks.*]` templates still load, a malformed rule is refused
//! with file:line, and every rule of the e-commerce pack (templates/ecommerce.toml) passes and
//! fails on hand-written tickets, read back from review_queue.csv with its evidence.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::{fixture, one_agent_ticket, queue_case, QueueCase, Workdir, A, C};

fn template(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("templates").join(name)
}

/// The review queue's compliance columns, one line per ticket: id, score, vetoes, then result
/// and evidence of every rule column in header order (the projection the goldens hold).
fn compliance_lines(dir: &Workdir, out: &str) -> String {
    let bytes = dir.read(&format!("{out}/review_queue.csv"));
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let keep: Vec<usize> = (0..headers.len())
        .filter(|&i| {
            let h = &headers[i];
            i == 2 || i == 3 || i == 4 || h.ends_with("-结果") || h.ends_with("-证据")
        })
        .collect();
    let mut lines = vec![keep.iter().map(|&i| headers[i].as_str()).collect::<Vec<_>>().join("\t")];
    for record in reader.records() {
        let record = record.unwrap();
        lines.push(keep.iter().map(|&i| &record[i]).collect::<Vec<_>>().join("\t"));
    }
    lines.join("\n") + "\n"
}

/// summary.json's compliance figures: team and per agent.
fn compliance_summary(dir: &Workdir, out: &str) -> serde_json::Value {
    let summary = dir.read_json(&format!("{out}/summary.json"));
    let pick = |m: &serde_json::Value| {
        serde_json::json!({
            "compliance": m["compliance"],
            "compliance_pass_rate": m["compliance_pass_rate"],
            "compliance_score": m["compliance_score"],
            "compliance_scored": m["compliance_scored"],
            "compliance_vetoed": m["compliance_vetoed"],
        })
    };
    let agents: Vec<serde_json::Value> =
        summary["agents"].as_array().unwrap().iter().map(pick).collect();
    serde_json::json!({"team": pick(&summary["team"]), "agents": agents})
}

/// The inputs the goldens were written from by the last release with hard-coded checks
/// (commit 4ac2745): 600 synthetic tickets (timed, with personal data and forbidden phrases),
/// the samples, and the basic fixture, every ticket sampled.
fn golden_runs(dir: &Workdir) -> Vec<(&'static str, Vec<String>)> {
    let synth = dir.zhijian(&["synth", "--tickets", "600", "--agents", "7", "--seed", "3"]);
    dir.write("synth.jsonl", synth.success().stdout());
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/tickets.jsonl");
    let lexicons = fixture("lexicons");
    let basic = fixture("basic.jsonl");
    let strings = |args: &[&str]| args.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        ("synth", strings(&["synth.jsonl"])),
        ("samples", strings(&[samples.to_str().unwrap(), "--sla-seconds", "45"])),
        ("basic", strings(&[basic.to_str().unwrap(), "--lexicons", lexicons.to_str().unwrap()])),
    ]
}

#[test]
fn default_rules_reproduce_the_six_checks() {
    let dir = Workdir::new();
    let legacy = fixture("templates/checks_v1.toml");
    for (name, input) in golden_runs(&dir) {
        for (out, template) in [("rules", None), ("legacy", Some(legacy.to_str().unwrap()))] {
            let out = format!("{name}_{out}");
            let mut args: Vec<&str> = vec!["audit"];
            args.extend(input.iter().map(String::as_str));
            args.extend(["--out", &out, "--quiet", "--sample-rate", "1"]);
            if let Some(t) = template {
                args.extend(["--template", t]);
            }
            dir.zhijian(&args).success();
            let want =
                std::fs::read_to_string(fixture(&format!("rules/{name}.queue.tsv"))).unwrap();
            let got = compliance_lines(&dir, &out);
            if got != want {
                let diff = got.lines().zip(want.lines()).position(|(a, b)| a != b);
                panic!("{out}: review queue differs from the last release at line {diff:?}");
            }
            let want: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(fixture(&format!("rules/{name}.summary.json"))).unwrap(),
            )
            .unwrap();
            assert_eq!(compliance_summary(&dir, &out), want, "{out}");
        }
    }
}

#[test]
fn a_malformed_rule_names_file_and_line() {
    let dir = Workdir::new();
    dir.write("in.jsonl", one_agent_ticket("T1", &[(A, None, "您好")]));
    let default = std::fs::read_to_string(template("default.toml")).unwrap();
    let rule = "[[rules]]\nid = \"x\"\nlabel = \"测试\"\nweight = 1\ndeduction = 5\nforbid = { who = \"agent\", says = [\"@greetings\"] }\n";
    dir.write("bad.toml", format!("{default}\n{rule}"));
    let line = default.lines().count() + 7;
    let run = dir.audit("in.jsonl", &["--template", "bad.toml"]).failure();
    let stderr = run.stderr();
    let says = format!(
        "zhijian: scoring template bad.toml:{line}: `says` of rule `x` names `@greetings`, which \
         is no lexicon category"
    );
    assert!(stderr.starts_with(&says), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    // A phrase file that is not there, named with the path looked for.
    let rule = rule.replace("@greetings", "file:gone.txt");
    dir.write("gone.toml", format!("{default}\n{rule}"));
    let stderr = dir.audit("in.jsonl", &["--template", "gone.toml"]).failure().stderr();
    assert!(
        stderr.contains(&format!("gone.toml:{line}: rule `x` cannot read `file:gone.txt`")),
        "{stderr}"
    );
    assert!(!dir.join("out").exists());
}

const PACK: &[QueueCase] = &[
    // 无虚假承诺: 保证 + a time or outcome, absolute words; 不能保证 is no promise.
    queue_case(
        "promise_today",
        "无虚假承诺",
        &[(C, None, "今天能到吗"), (A, None, "亲，保证今天到货的")],
        "不通过",
        "消息#2「保证今天」",
    ),
    queue_case(
        "promise_traditional",
        "无虚假承诺",
        &[(C, None, "能到吗"), (A, None, "保證明天送到")],
        "不通过",
        "消息#2「保证明天」(原文: 保證明天)",
    ),
    queue_case(
        "promise_absolute",
        "无虚假承诺",
        &[(C, None, "是正品吗"), (A, None, "百分百正品，绝对没问题")],
        "不通过",
        "消息#2「百分百」；消息#2「绝对没问题」",
    ),
    queue_case(
        "promise_cannot",
        "无虚假承诺",
        &[(C, None, "今天能到吗"), (A, None, "不能保证今天到，我们会尽快发货")],
        "通过",
        "",
    ),
    queue_case(
        "promise_unable",
        "无虚假承诺",
        &[(C, None, "明天能到吗"), (A, None, "这个无法保证明天到哦")],
        "通过",
        "",
    ),
    queue_case(
        "promise_none",
        "无虚假承诺",
        &[(C, None, "什么时候发货"), (A, None, "今天下午为您发货")],
        "通过",
        "",
    ),
    // 无极限用语: superlatives; 第一时间 and 第一次 are not claims.
    queue_case(
        "superlative_lowest",
        "无极限用语",
        &[(C, None, "价格能便宜点吗"), (A, None, "这款已经是全网最低价了")],
        "不通过",
        "消息#2「全网最低」",
    ),
    queue_case(
        "superlative_first",
        "无极限用语",
        &[(C, None, "这个牌子怎么样"), (A, None, "我们家销量第一的")],
        "不通过",
        "消息#2「销量第一」",
    ),
    queue_case(
        "superlative_at_once",
        "无极限用语",
        &[(C, None, "快点处理"), (A, None, "我第一时间帮您处理")],
        "通过",
        "",
    ),
    queue_case(
        "superlative_first_time",
        "无极限用语",
        &[(C, None, "我想买"), (A, None, "您是第一次购买吗")],
        "通过",
        "",
    ),
    // 无好评返现: rewards for reviews, removing bad ones; a warning against it is no offer.
    queue_case(
        "review_cashback",
        "无好评返现",
        &[(C, None, "收到了"), (A, None, "给五星好评返现5元哦")],
        "不通过",
        "消息#2「五星好评返」",
    ),
    queue_case(
        "review_delete",
        "无好评返现",
        &[(C, None, "东西坏了我给了差评"), (A, None, "您把差评删了我们再商量")],
        "不通过",
        "消息#2「把差评删」",
    ),
    queue_case(
        "review_warning",
        "无好评返现",
        &[(C, None, "好评有返现吗"), (A, None, "好评返现是违规的，我们不做")],
        "通过",
        "",
    ),
    // 未承诺退款赔偿: the agent commits money; a refusal is not a commitment.
    queue_case(
        "refund_promised",
        "未承诺退款赔偿",
        &[(C, None, "坏了"), (A, None, "这边给您全额退款")],
        "不通过",
        "消息#2「全额退款」",
    ),
    queue_case(
        "refund_refused",
        "未承诺退款赔偿",
        &[(C, None, "我要退钱"), (A, None, "抱歉，无法给您退款")],
        "通过",
        "",
    ),
    // 无投诉威胁: the customer escalates; taking it back is none.
    queue_case(
        "escalation_threat",
        "无投诉威胁",
        &[(C, None, "再不处理我就投诉到12315"), (A, None, "您好")],
        "不通过",
        "消息#1「投诉」；消息#1「12315」",
    ),
    queue_case(
        "escalation_taken_back",
        "无投诉威胁",
        &[(C, None, "我不是要投诉，就问问"), (A, None, "您好")],
        "通过",
        "",
    ),
    // 投诉威胁已安抚: within the agent's next two messages, empathy or handling.
    queue_case(
        "escalation_ignored",
        "投诉威胁已安抚",
        &[(C, None, "再不发货我就投诉"), (A, None, "物流显示在路上"), (A, None, "明天应该到")],
        "不通过",
        "消息#1「投诉」；消息#2、#3 未找到",
    ),
    queue_case(
        "escalation_unanswered",
        "投诉威胁已安抚",
        &[(A, None, "您好"), (C, None, "我要去12315告你们")],
        "不通过",
        "消息#2「12315」；消息#2 之后无回复",
    ),
    queue_case(
        "escalation_handled",
        "投诉威胁已安抚",
        &[(C, None, "我要投诉你们"), (A, None, "好的"), (A, None, "马上为您处理")],
        "通过",
        "消息#3「马上为您处理」",
    ),
    queue_case(
        "escalation_none",
        "投诉威胁已安抚",
        &[(C, None, "在吗"), (A, None, "您好")],
        "不适用",
        "",
    ),
    // 客户无重复提问: the same question twice.
    queue_case(
        "repeat_asked_again",
        "客户无重复提问",
        &[
            (C, None, "我的订单什么时候发货"),
            (A, None, "亲稍等"),
            (C, None, "我的订单到底什么时候发货啊"),
        ],
        "不通过",
        "消息#1「我的订单什么时候发货」；消息#3「我的订单到底什么时候发货啊」",
    ),
    queue_case(
        "repeat_not",
        "客户无重复提问",
        &[(C, None, "我的订单什么时候发货"), (A, None, "今天下午发货"), (C, None, "好的谢谢")],
        "通过",
        "",
    ),
    // 无冷场: a wait over 180 s after the first reply; a chat ending on an unanswered question.
    queue_case(
        "silence_mid_chat",
        "无冷场",
        &[
            (C, Some(0), "在吗"),
            (A, Some(10), "您好"),
            (C, Some(20), "我的快递到哪了"),
            (A, Some(300), "在查"),
        ],
        "不通过",
        "消息#3 等待 280 秒 (至消息#4)",
    ),
    queue_case(
        "silence_quick",
        "无冷场",
        &[
            (C, Some(0), "在吗"),
            (A, Some(10), "您好"),
            (C, Some(20), "我的快递到哪了"),
            (A, Some(100), "在查"),
        ],
        "通过",
        "",
    ),
    queue_case(
        "silence_at_end",
        "无冷场",
        &[(C, None, "在吗"), (A, None, "您好"), (C, None, "能今天发货吗？")],
        "不通过",
        "消息#3 提问未获回复",
    ),
    queue_case(
        "silence_ends_thanks",
        "无冷场",
        &[(C, None, "在吗"), (A, None, "您好"), (C, None, "好的谢谢")],
        "通过",
        "",
    ),
    queue_case(
        "silence_untimed",
        "无冷场",
        &[(C, None, "在吗"), (A, None, "您好"), (C, None, "快递呢"), (A, None, "在路上")],
        "未知",
        "",
    ),
    // 平台首响(京东30秒): the `jd` preset.
    queue_case(
        "platform_slow",
        "平台首响(京东30秒)",
        &[(C, Some(0), "在吗"), (A, Some(45), "您好")],
        "不通过",
        "消息#2 首响 45 秒",
    ),
    queue_case(
        "platform_quick",
        "平台首响(京东30秒)",
        &[(C, Some(0), "在吗"), (A, Some(20), "您好")],
        "通过",
        "消息#2 首响 20 秒",
    ),
];

fn audit_pack(dir: &Workdir) -> BTreeMap<String, BTreeMap<String, String>> {
    let input: Vec<String> = PACK.iter().map(|c| one_agent_ticket(c.name, c.turns)).collect();
    dir.write("in.jsonl", input.join("\n") + "\n");
    let template = template("ecommerce.toml");
    let args = ["audit", "in.jsonl", "--out", "out", "--quiet", "--sample-rate", "1", "--template"];
    let mut args = args.to_vec();
    args.push(template.to_str().unwrap());
    dir.zhijian(&args).success();
    dir.review_queue("out")
}

#[test]
fn every_pack_rule_passes_and_fails_on_its_fixtures() {
    let dir = Workdir::new();
    let rows = audit_pack(&dir);
    let mut wrong = Vec::new();
    for c in PACK {
        let row = &rows[c.name];
        let result = &row[&format!("{}-结果", c.label)];
        let evidence = &row[&format!("{}-证据", c.label)];
        let ok = if c.evidence.is_empty() { evidence.is_empty() } else { evidence == c.evidence };
        if result != c.result || !ok {
            wrong.push(format!(
                "{}: {} = {result} [{evidence}], want {} [{}]",
                c.name, c.label, c.result, c.evidence
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    let labels: Vec<&str> = PACK.iter().map(|c| c.label).collect();
    for label in &labels {
        for result in ["通过", "不通过"] {
            assert!(
                PACK.iter().any(|c| c.label == *label && c.result == result),
                "{label} {result}"
            );
        }
    }
    // The pack's rules follow the six in the queue's columns, in template order.
    let header = String::from_utf8(dir.read("out/review_queue.csv")).unwrap();
    let first = header.lines().next().unwrap();
    let at = |label: &str| first.find(&format!("{label}-结果")).unwrap();
    assert!(at("无隐私泄露") < at("无虚假承诺") && at("无冷场") < at("平台首响(京东30秒)"));
}

#[test]
fn pack_rules_score_as_the_template_says() {
    let dir = Workdir::new();
    let rows = audit_pack(&dir);
    // 好评返现 is a veto: the ticket scores 0 and names it.
    assert_eq!(rows["review_cashback"]["合规得分"], "0");
    assert!(rows["review_cashback"]["一票否决项"].contains("无好评返现"));
    // A promised refund costs nothing (weight 0, deduction 0): greeting −10, closing −10.
    assert_eq!(rows["refund_promised"]["合规得分"], "80");
    // 亲 greets; closing −10, the promise −30; both first-response rules are unknown (untimed).
    assert_eq!(rows["promise_today"]["合规得分"], "60");
    let summary = dir.read_json("out/summary.json");
    let rule = &summary["agents"][0]["compliance"]["no_over_promise"];
    // Agent turns everywhere: 3 fail, every other case passes.
    assert_eq!(rule["fail"], 3);
    assert_eq!(rule["pass"], PACK.len() as u64 - 3);
}

#[test]
fn pack_reports_are_the_same_for_any_thread_count() {
    let dir = Workdir::new();
    let input: Vec<String> = PACK.iter().map(|c| one_agent_ticket(c.name, c.turns)).collect();
    dir.write("in.jsonl", input.join("\n") + "\n");
    let template = template("ecommerce.toml");
    for (out, threads) in [("one", "1"), ("two", "2")] {
        let args = ["audit", "in.jsonl", "--out", out, "--quiet", "--sample-rate", "1"];
        let mut args = args.to_vec();
        args.extend(["--threads", threads, "--template", template.to_str().unwrap()]);
        dir.zhijian(&args).success();
    }
    for file in ["review_queue.csv", "summary.json", "agents.csv", "flagged.jsonl"] {
        assert_eq!(dir.read(&format!("one/{file}")), dir.read(&format!("two/{file}")), "{file}");
    }
}

#[test]
fn the_template_fingerprint_covers_its_phrase_files() {
    let dir = Workdir::new();
    dir.write(
        "in.jsonl",
        one_agent_ticket("T1", &[(C, None, "在吗"), (A, None, "保证今天到")]) + "\n",
    );
    let rule = "[[rules]]\nid = \"promise\"\nlabel = \"无承诺\"\nweight = 1\ndeduction = 5\n\
                forbid = { who = \"agent\", says = [\"file:phrases/p.txt\"] }\n";
    let default = std::fs::read_to_string(template("default.toml")).unwrap();
    dir.write("t/mine.toml", format!("{default}\n{rule}"));
    dir.write("t/phrases/p.txt", "# promises\n保证今天\n");
    let sha = |out: &str| {
        let args = ["audit", "in.jsonl", "--out", out, "--quiet", "--template", "t/mine.toml"];
        dir.zhijian(&args).success();
        dir.read_json(&format!("{out}/manifest.json"))["template"]["sha256"].clone()
    };
    let first = sha("a");
    assert_eq!(dir.review_queue("a")["T1"]["无承诺-证据"], "消息#2「保证今天」");
    dir.write("t/phrases/p.txt", "# promises\n保证明天\n");
    let second = sha("b");
    assert_ne!(first, second, "a changed phrase file changes the fingerprint");
    assert_eq!(dir.review_queue("b")["T1"]["无承诺-结果"], "通过");
}
