//! DESIGN §4's compliance checks: each has a passing and a failing fixture, read back from
//! review_queue.csv (result, evidence, per-ticket score) as a reviewer sees it, and the scoring
//! template (`--template`) changes the score and is recorded in the manifest.
//! Lexicons: tests/fixtures/lexicons (greeting 您好; closing 再见, 还有其他问题吗; forbidden
//! 你自己看, 不归我管; off_platform 加微信).

use std::collections::BTreeMap;

use crate::util::{one_agent_ticket, queue_case, QueueCase, Workdir, A, C};

const CASES: &[QueueCase] = &[
    // 开场问候: a greeting in the first two agent messages.
    queue_case(
        "greeting_pass",
        "开场问候",
        &[(C, None, "在吗"), (A, None, "您好，请讲")],
        "通过",
        "消息#2「您好」",
    ),
    queue_case(
        "greeting_second_message",
        "开场问候",
        &[(A, None, "在的"), (A, None, "您好")],
        "通过",
        "消息#2「您好」",
    ),
    queue_case(
        "greeting_fail",
        "开场问候",
        &[(C, None, "在吗"), (A, None, "在的"), (A, None, "说吧")],
        "不通过",
        "消息#2、#3 未见问候语",
    ),
    queue_case(
        "greeting_too_late",
        "开场问候",
        &[(A, None, "在的"), (A, None, "说吧"), (A, None, "您好")],
        "不通过",
        "消息#1、#2 未见问候语",
    ),
    queue_case("greeting_na", "开场问候", &[(C, None, "在吗")], "不适用", ""),
    // 规范结束语: a closing in the last two agent messages; the evidence shows the original text.
    queue_case(
        "closing_pass",
        "规范结束语",
        &[(C, None, "好的"), (A, None, "再见")],
        "通过",
        "消息#2「再见」",
    ),
    queue_case(
        "closing_traditional",
        "规范结束语",
        &[(C, None, "好的"), (A, None, "再見")],
        "通过",
        "消息#2「再见」(原文: 再見)",
    ),
    queue_case(
        "closing_fail",
        "规范结束语",
        &[(A, None, "再见"), (A, None, "嗯"), (A, None, "好")],
        "不通过",
        "消息#2、#3 未见结束语",
    ),
    // 无服务禁语: every forbidden hit is listed.
    queue_case(
        "forbidden_pass",
        "无服务禁语",
        &[(C, None, "怎么办"), (A, None, "我帮您查")],
        "通过",
        "",
    ),
    queue_case(
        "forbidden_fail",
        "无服务禁语",
        &[(C, None, "怎么办"), (A, None, "你自己看，不归我管")],
        "不通过",
        "消息#2「你自己看」；消息#2「不归我管」",
    ),
    queue_case(
        "forbidden_customer_side",
        "无服务禁语",
        &[(C, None, "你自己看"), (A, None, "好的")],
        "通过",
        "",
    ),
    // 首响达标: first reply within the SLA (30 s; "more than" is a breach).
    queue_case(
        "sla_pass",
        "首响达标",
        &[(C, Some(0), "在吗"), (A, Some(10), "在")],
        "通过",
        "消息#2 首响 10 秒",
    ),
    queue_case(
        "sla_boundary",
        "首响达标",
        &[(C, Some(0), "在吗"), (A, Some(30), "在")],
        "通过",
        "消息#2 首响 30 秒",
    ),
    queue_case(
        "sla_fail",
        "首响达标",
        &[(C, Some(0), "在吗"), (A, Some(45), "在")],
        "不通过",
        "消息#2 首响 45 秒",
    ),
    queue_case(
        "sla_unknown_without_timestamps",
        "首响达标",
        &[(C, None, "在吗"), (A, None, "在")],
        "未知",
        "消息#2 无时间戳, 无法计时",
    ),
    queue_case(
        "sla_unknown_one_timestamp",
        "首响达标",
        &[(C, Some(0), "在吗"), (A, None, "在")],
        "未知",
        "无法计时",
    ),
    queue_case("sla_na_agent_only", "首响达标", &[(A, Some(0), "您好")], "不适用", ""),
    // 无站外引流.
    queue_case(
        "off_platform_pass",
        "无站外引流",
        &[(C, None, "能便宜吗"), (A, None, "按页面价格")],
        "通过",
        "",
    ),
    queue_case(
        "off_platform_fail",
        "无站外引流",
        &[(C, None, "能便宜吗"), (A, None, "加微信聊")],
        "不通过",
        "消息#2「加微信」",
    ),
    // 无隐私泄露: only valid numbers (check digit, Luhn) typed by the agent, masked in the queue.
    queue_case(
        "pii_mobile",
        "无隐私泄露",
        &[(C, None, "号码"), (A, None, "您的手机13812345678")],
        "不通过",
        "消息#2 手机号 138****5678",
    ),
    queue_case(
        "pii_id_card",
        "无隐私泄露",
        &[(C, None, "?"), (A, None, "身份证11010519491231002X")],
        "不通过",
        "消息#2 身份证号 1101**********002X",
    ),
    queue_case(
        "pii_id_card_bad_check_digit",
        "无隐私泄露",
        &[(C, None, "?"), (A, None, "身份证110105194912310021")],
        "通过",
        "",
    ),
    queue_case(
        "pii_bank_card",
        "无隐私泄露",
        &[(C, None, "?"), (A, None, "卡号4111111111111111")],
        "不通过",
        "消息#2 银行卡号 4111********1111",
    ),
    queue_case(
        "pii_bank_card_bad_luhn",
        "无隐私泄露",
        &[(C, None, "?"), (A, None, "卡号4111111111111112")],
        "通过",
        "",
    ),
    queue_case(
        "pii_email",
        "无隐私泄露",
        &[(C, None, "?"), (A, None, "发到zhang.san@example.com")],
        "不通过",
        "消息#2 邮箱 z********@example.com",
    ),
    queue_case(
        "pii_masked_already",
        "无隐私泄露",
        &[(C, None, "?"), (A, None, "您的手机138****5678")],
        "通过",
        "",
    ),
    queue_case(
        "pii_typed_by_customer",
        "无隐私泄露",
        &[(C, None, "我手机13812345678"), (A, None, "收到")],
        "通过",
        "",
    ),
];

fn audit_cases(dir: &Workdir, extra: &[&str]) -> BTreeMap<String, BTreeMap<String, String>> {
    let lines: Vec<String> = CASES.iter().map(|c| one_agent_ticket(c.name, c.turns)).collect();
    dir.write("cases.jsonl", lines.join("\n"));
    let mut args = vec!["--sample-rate", "1"];
    args.extend_from_slice(extra);
    dir.audit("cases.jsonl", &args).success();
    dir.review_queue("out")
}

#[test]
fn every_check_passes_and_fails_on_its_fixture() {
    let dir = Workdir::new();
    let rows = audit_cases(&dir, &[]);
    let mut wrong = Vec::new();
    for case in CASES {
        let row = &rows[case.name];
        let result = &row[&format!("{}-结果", case.label)];
        let evidence = &row[&format!("{}-证据", case.label)];
        let evidence_ok = if case.evidence.is_empty() {
            evidence.is_empty()
        } else {
            evidence.contains(case.evidence)
        };
        if result != case.result || !evidence_ok {
            wrong.push(format!(
                "{}: {} = {result} [{evidence}], want {} [{}]",
                case.name, case.label, case.result, case.evidence
            ));
        }
        assert!(row[&format!("{}-复核(同意/不同意)", case.label)].is_empty());
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    // Each check has at least one passing and one failing case.
    for check in ["开场问候", "规范结束语", "无服务禁语", "首响达标", "无站外引流", "无隐私泄露"]
    {
        for result in ["通过", "不通过"] {
            assert!(
                CASES.iter().any(|c| c.label == check && c.result == result),
                "{check} {result}"
            );
        }
    }
}

#[test]
fn unknown_is_never_a_pass_or_a_deduction() {
    let dir = Workdir::new();
    let rows = audit_cases(&dir, &[]);
    let row = &rows["sla_unknown_without_timestamps"];
    assert_eq!(row["首响达标-结果"], "未知");
    // greeting and closing fail (10 + 10); unknown deducts nothing.
    assert_eq!(row["合规得分"], "80");
    let summary = dir.read_json("out/summary.json");
    let sla = &summary["agents"][0]["compliance"]["first_response_sla"];
    // Timed: sla_pass, sla_boundary | sla_fail. No customer message answered: five cases.
    // Every other case is untimed, so unknown; the pass rate counts only the three timed.
    assert_eq!((sla["pass"].as_u64(), sla["fail"].as_u64()), (Some(2), Some(1)));
    assert_eq!(sla["not_applicable"], 5);
    assert_eq!(sla["unknown"], CASES.len() as u64 - 8);
    assert_eq!(sla["pass_rate"], 0.6667);
}

#[test]
fn sla_follows_the_option() {
    let dir = Workdir::new();
    let rows = audit_cases(&dir, &["--sla-seconds", "60"]);
    assert_eq!(rows["sla_fail"]["首响达标-结果"], "通过");
    assert_eq!(dir.read_json("out/manifest.json")["options"]["sla_seconds"], 60);
}

#[test]
fn veto_checks_zero_the_ticket_score() {
    let dir = Workdir::new();
    let rows = audit_cases(&dir, &[]);
    let cases = [
        // name, score, veto column
        ("greeting_pass", "90", ""),              // no closing: −10
        ("forbidden_fail", "50", ""),             // greeting, closing −10 each, forbidden −30
        ("off_platform_fail", "0", "无站外引流"), // 一票否决
        ("pii_mobile", "0", "无隐私泄露"),
        ("greeting_na", "", ""), // no agent message: nothing measured
    ];
    for (name, score, veto) in cases {
        assert_eq!(rows[name]["合规得分"], score, "{name}");
        assert_eq!(rows[name]["一票否决项"], veto, "{name}");
    }
    let a1 = &dir.read_json("out/summary.json")["agents"][0];
    assert_eq!(a1["compliance_vetoed"], 5, "off_platform_fail + four PII failures");
    assert_eq!(a1["compliance_scored"], CASES.len() as u64 - 1);
}

#[test]
fn a_template_changes_the_score_and_is_recorded() {
    let dir = Workdir::new();
    let default = default_template();
    // Off-platform diversion no longer a veto, and worth only 25 points.
    let custom = default.replacen(
        "id = \"no_off_platform\"\nlabel = \"无站外引流\"\nweight = 1\ndeduction = 40\nveto = true",
        "id = \"no_off_platform\"\nlabel = \"无站外引流\"\nweight = 1\ndeduction = 25\nveto = false",
        1,
    );
    assert_ne!(custom, default);
    dir.write("mine.toml", &custom);
    let rows = audit_cases(&dir, &["--template", "mine.toml"]);
    // greeting and closing −10 each, off-platform −25.
    assert_eq!(rows["off_platform_fail"]["合规得分"], "55");
    assert_eq!(rows["off_platform_fail"]["一票否决项"], "");
    let manifest = dir.read_json("out/manifest.json");
    assert_eq!(manifest["template"]["path"], "mine.toml");
    let sha = manifest["template"]["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);

    audit_cases(&dir, &[]);
    let manifest = dir.read_json("out/manifest.json");
    assert_eq!(manifest["template"]["path"], "(built-in) templates/default.toml");
    assert_ne!(manifest["template"]["sha256"], sha);
}

#[test]
fn a_bad_template_is_one_line_naming_file_and_line() {
    let dir = Workdir::new();
    dir.write("in.jsonl", one_agent_ticket("T1", &[(A, None, "您好")]));
    let default = default_template();
    let cases = [
        ("missing.toml", None, "cannot read missing.toml".to_string()),
        (
            "typo.toml",
            Some(default.replacen("\nempathy = 15", "\nempathi = 15", 1)),
            "scoring template typo.toml:14: unknown field `empathi`".to_string(),
        ),
        (
            "negative.toml",
            Some(default.replacen("\nlanguage = 25", "\nlanguage = -1", 1)),
            "scoring template negative.toml:12: `overall.language` is -1".to_string(),
        ),
        (
            "incomplete.toml",
            Some("[overall]\nlanguage = 25\n".to_string()),
            "scoring template incomplete.toml:1: missing field `conduct`".to_string(),
        ),
    ];
    for (file, text, says) in cases {
        if let Some(text) = text {
            assert_ne!(text, default, "{file}: the case changes nothing");
            dir.write(file, text);
        }
        let run = dir.audit("in.jsonl", &["--template", file]).failure();
        assert!(run.stderr().contains(&says), "{file}: {}", run.stderr());
        assert_eq!(run.stderr().trim_end().lines().count(), 1, "{}", run.stderr());
    }
}

fn default_template() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/default.toml");
    std::fs::read_to_string(path).unwrap()
}
