//! Issue 8, items 6 and 7: personal data never leaks, invisible characters never evade.
//! Personal data written in any width, with any separator or country code, is found and masked
//! in every report, from the spans detection found, customers' text included; rejected lines
//! are masked too. Zero-width and other invisible characters inside a phrase or a number are
//! dropped before matching, and the evidence says the text was disguised.
//! Lexicons: tests/fixtures/lexicons (forbidden 你自己看; off_platform 加微信; negative 差).

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::Workdir;

fn ticket(id: &str, turns: &[(&str, &str)]) -> String {
    let messages: Vec<serde_json::Value> =
        turns.iter().map(|(role, text)| serde_json::json!({"role": role, "text": text})).collect();
    serde_json::json!({"ticket_id": id, "agent_id": "A1", "messages": messages}).to_string()
}

/// flagged.jsonl as ticket id → its evidence lines.
fn evidence(dir: &Workdir) -> BTreeMap<String, Vec<serde_json::Value>> {
    dir.read_jsonl("out/flagged.jsonl")
        .into_iter()
        .map(|t| {
            (
                t["ticket_id"].as_str().unwrap().to_string(),
                t["evidence"].as_array().unwrap().clone(),
            )
        })
        .collect()
}

/// A report's text as a person reads digits in it: full-width digits and letters made ASCII,
/// every separator, escape and invisible character between them gone.
fn squeezed(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '０'..='９' | 'ａ'..='ｚ' | '＠' | '．' => char::from_u32(c as u32 - 0xFEE0),
            ' '
            | '-'
            | '\\'
            | '\u{3000}'
            | '\u{A0}'
            | '\u{FF0D}'
            | '\u{2010}'..='\u{2015}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'
            | '\u{FEFF}'
            | '\u{AD}'
            | '+' => None,
            c => Some(c),
        })
        .collect()
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Fails naming the file if any output file shows any of `secrets` (compared squeezed).
fn assert_no_file_shows(dir: &Workdir, secrets: &[&str]) {
    let files = files_under(&dir.join("out"));
    assert!(files.len() >= 8, "expected the full report set\n{}", dir.listing());
    for file in files {
        let text = squeezed(&String::from_utf8_lossy(&std::fs::read(&file).unwrap()));
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{} shows {secret:?}:\n{text}",
                file.strip_prefix(dir.path()).unwrap().display()
            );
        }
    }
}

const A: &str = "agent";
const C: &str = "customer";

/// (ticket, agent text, how flagged.jsonl must show the number, the digits that must never
/// appear: the number's first seven digits, squeezed).
const PLANTED: &[(&str, &str, &str, &str)] = &[
    ("W01", "您的手机１３９１１１１２２２２对吗", "１３９****２２２２", "1391111"),
    ("W02", "电话139\u{3000}2222\u{3000}3333", "139\u{3000}****\u{3000}3333", "1392222"),
    ("W03", "电话137\u{A0}3333\u{A0}4444", "137\u{A0}****\u{A0}4444", "1373333"),
    ("W04", "电话136－4444－5555", "136－****－5555", "1364444"),
    ("W05", "电话135—5555—6666", "135—****—6666", "1355555"),
    ("W06", "电话134‐6666‐7777", "134‐****‐7777", "1346666"),
    ("W07", "邮箱ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "ｚ****＠ｅｘａｍｐｌｅ．ｃｏｍ", "zhang@"),
    ("W08", "打+86 158 7777 8888", "158 **** 8888", "1587777"),
    ("W09", "打+8615988889999", "159****9999", "1598888"),
    ("W10", "打0086 150 9999 0000", "150 **** 0000", "1509999"),
    ("W11", "打86-151-1212-3434", "151-****-3434", "1511212"),
    ("W12", "号码15213141516 2", "152****1516", "1521314"),
    ("W13", "手机15317181920 谢谢 12", "153****1920", "1531718"),
    ("W14", "是138\u{200B}2468\u{200B}1357吧", "138\u{200B}****\u{200B}1357", "1382468"),
];

#[test]
fn personal_data_is_masked_in_every_report_whatever_its_width() {
    let dir = Workdir::new();
    let mut lines: Vec<String> =
        PLANTED.iter().map(|(id, text, _, _)| ticket(id, &[(C, "在吗"), (A, text)])).collect();
    // The customer's own number, in a message with evidence (差 is negative), and an order
    // number in fours that holds a mobile's digits but is not one.
    lines.push(ticket(
        "W15",
        &[
            (C, "太差了，我的号码１８６　２２３３　４４５５"),
            (A, "你自己看 单号2023 1381 2345 678"),
        ],
    ));
    dir.write("in.jsonl", lines.join("\n"));
    dir.audit("in.jsonl", &["--sample-rate", "1", "--per-ticket"]).success();

    let flagged = evidence(&dir);
    let queue = dir.review_queue("out");
    for (id, text, masked, _) in PLANTED {
        let pii: Vec<&serde_json::Value> =
            flagged[*id].iter().filter(|e| e["category"] == "pii").collect();
        assert_eq!(pii.len(), 1, "{id} {text:?}: {:?}", flagged.get(*id));
        assert_eq!(pii[0]["text"], *masked, "{id}");
        // The span is the number in the original text, in characters.
        let (start, end) = (pii[0]["start"].as_u64().unwrap(), pii[0]["end"].as_u64().unwrap());
        let original: String =
            text.chars().skip(start as usize).take((end - start) as usize).collect();
        assert_eq!(original.chars().count(), masked.chars().count(), "{id}");
        let label = if *id == "W07" { "邮箱" } else { "手机号" };
        let marker = if *id == "W14" { "〔含隐藏字符〕" } else { "" };
        assert_eq!(queue[*id]["无隐私泄露-证据"], format!("消息#2 {label} {masked}{marker}"));
        assert_eq!(queue[*id]["无隐私泄露-结果"], "不通过", "{id}");
    }
    // The customer's number is masked in the context of the customer's evidence.
    let customer = flagged["W15"].iter().find(|e| e["role"] == "customer").unwrap();
    assert_eq!(customer["context"], "太差了，我的号码１８６　****　４４５５");
    let agent = flagged["W15"].iter().find(|e| e["role"] == "agent").unwrap();
    assert_eq!(agent["context"], "你自己看 单号2023 1381 2345 678");
    assert_eq!(queue["W15"]["无隐私泄露-结果"], "通过");

    let mut secrets: Vec<&str> = PLANTED.iter().map(|p| p.3).collect();
    secrets.extend(["1862233", "zhang"]);
    assert_no_file_shows(&dir, &secrets);
    let page = String::from_utf8(dir.read("out/agents/A1.html")).unwrap();
    assert!(page.contains("１３９****２２２２"), "{page}");

    // --no-mask shows them as written.
    dir.audit("in.jsonl", &["--sample-rate", "1", "--no-mask"]).success();
    let flagged = evidence(&dir);
    let w01 = flagged["W01"].iter().find(|e| e["category"] == "pii").unwrap();
    assert_eq!(w01["text"], "１３９１１１１２２２２");
}

#[test]
fn rejected_lines_never_show_personal_data() {
    let dir = Workdir::new();
    // Cut at 512 bytes inside a number: 1381234987 is kept, the rest is gone.
    let prefix = r#"{"ticket_id":"R4","agent_id":"A1","messages":[{"role":"agent","text":""#;
    let long =
        format!("{prefix}{}13812349876 and no closing quote", ".".repeat(512 - 10 - prefix.len()));
    let lines = [
        r#"{"ticket_id":"R1", broken 13855556666"#.to_string(),
        r#"{"ticket_id":13866667777,"agent_id":"A1","messages":[]}"#.to_string(),
        r#"{"ticket_id":"R3","agent_id":"A1","messages":[{"role":"agent","ts":"１３９７７７７８８８８","text":"您好"}]}"#.to_string(),
        long,
        ticket("客户13912121212", &[(A, "您好")]),
        ticket("客户13912121212", &[(A, "您好")]),
    ];
    dir.write("in.jsonl", lines.join("\n"));
    // Four of six lines are rejected on purpose: past the default reject-rate limit.
    dir.audit("in.jsonl", &["--max-reject-rate", "1"]).success();
    let rejects = dir.read_jsonl("out/rejects.jsonl");
    assert_eq!(rejects.len(), 4, "{rejects:?}");
    assert_eq!(rejects[0]["raw"], r#"{"ticket_id":"R1", broken 138****6666"#);
    assert_eq!(rejects[1]["raw"], r#"{"ticket_id":138****7777,"agent_id":"A1","messages":[]}"#);
    let detail = rejects[1]["detail"].as_str().unwrap();
    assert!(detail.contains("138****7777"), "{detail}");
    // A `ts` that does not read is audited with an unknown time; the warning masks its value.
    let warning = &dir.read_json("out/manifest.json")["warnings"]["unread_time_examples"][0];
    assert_eq!(warning["value"], "１３９****８８８８", "{warning}");
    let cut = format!("{prefix}{}138*******…", ".".repeat(512 - 10 - prefix.len()));
    assert_eq!(rejects[2]["raw"], cut);
    assert_eq!(rejects[3]["reason"], "duplicate_ticket_id");
    let detail = rejects[3]["detail"].as_str().unwrap();
    assert!(detail.starts_with("ticket_id `客户139****1212` was already audited"), "{detail}");
    for file in ["out/rejects.jsonl", "out/manifest.json"] {
        let shown = squeezed(&String::from_utf8(dir.read(file)).unwrap());
        for secret in ["1385555", "1386666", "1397777", "1381234", "1391212"] {
            assert!(!shown.contains(secret), "{file} shows {secret}:\n{shown}");
        }
    }

    dir.audit("in.jsonl", &["--no-mask", "--max-reject-rate", "1"]).success();
    let rejects = dir.read_jsonl("out/rejects.jsonl");
    assert_eq!(rejects[0]["raw"], r#"{"ticket_id":"R1", broken 13855556666"#);
}

/// Issue 8, item 7, as reported: it passed every check and scored 90.
const DISGUISED: &str = "你\u{200B}自己看，加\u{200B}微信 138\u{200B}1234\u{200B}5678";

#[test]
fn invisible_characters_cannot_hide_a_phrase_or_a_number() {
    let dir = Workdir::new();
    dir.write("in.jsonl", ticket("Z1", &[(C, "在吗"), (A, DISGUISED)]));
    dir.audit("in.jsonl", &["--sample-rate", "1"]).success();

    let flagged = dir.read_jsonl("out/flagged.jsonl");
    assert_eq!(
        flagged[0]["reasons"],
        serde_json::json!(["forbidden_phrase", "off_platform", "pii_exposed"])
    );
    let shown: Vec<(&str, u64, u64, &str, bool)> = flagged[0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["category"].as_str().unwrap(),
                e["start"].as_u64().unwrap(),
                e["end"].as_u64().unwrap(),
                e["text"].as_str().unwrap(),
                e["disguised"] == true,
            )
        })
        .collect();
    // Characters: 你0 ZW1 自2 己3 看4 ，5 加6 ZW7 微8 信9 ␠10 1 3 8 ZW14 1 2 3 4 ZW19 5 6 7 8.
    assert_eq!(
        shown,
        [
            ("forbidden", 0, 5, "你\u{200B}自己看", true),
            ("off_platform", 6, 10, "加\u{200B}微信", true),
            ("pii", 11, 24, "138\u{200B}****\u{200B}5678", true),
        ]
    );

    let row = &dir.review_queue("out")["Z1"];
    for check in ["无服务禁语", "无站外引流", "无隐私泄露"] {
        assert_eq!(row[&format!("{check}-结果")], "不通过", "{check}: {row:?}");
        let cell = &row[&format!("{check}-证据")];
        assert!(cell.ends_with("〔含隐藏字符〕"), "{check}: {cell:?}");
    }
    assert_eq!(row["无隐私泄露-证据"], "消息#2 手机号 138\u{200B}****\u{200B}5678〔含隐藏字符〕");
    // Off-platform and personal data are veto checks: the ticket scores 0, not 90.
    assert_eq!(row["合规得分"], "0");
    assert_eq!(row["一票否决项"], "无站外引流、无隐私泄露");

    // Each evidence line says it; on the HTML page so does each hit's tooltip in the
    // conversation.
    for (page, marked) in [("out/agents/A1.html", 6), ("out/agents/A1.md", 3)] {
        let page = String::from_utf8(dir.read(page)).unwrap();
        assert_eq!(page.matches("〔含隐藏字符〕").count(), marked, "{page}");
    }
    assert_no_file_shows(&dir, &["1381234"]);
}

#[test]
fn every_class_of_invisible_character_inside_a_forbidden_phrase_is_caught() {
    let classes: &[(&str, &str)] = &[
        ("zero-width space", "\u{200B}"),
        ("zero-width non-joiner", "\u{200C}"),
        ("zero-width joiner", "\u{200D}"),
        ("soft hyphen", "\u{AD}"),
        ("word joiner", "\u{2060}"),
        ("variation selector", "\u{FE0F}"),
        ("variation selector supplement", "\u{E0100}"),
        ("combining grapheme joiner", "\u{34F}"),
        ("byte order mark", "\u{FEFF}"),
        ("bidi override", "\u{202E}"),
        ("bidi isolate", "\u{2066}"),
        ("tag characters", "\u{E0063}\u{E006E}\u{E007F}"),
        ("stray acute on Han", "\u{301}"),
        ("stacked marks on Han", "\u{301}\u{308}\u{20DD}"),
        ("hangul filler", "\u{3164}"),
        ("one of each", "\u{200B}\u{AD}\u{FE0F}\u{301}"),
    ];
    let dir = Workdir::new();
    let lines: Vec<String> = classes
        .iter()
        .enumerate()
        .map(|(i, (_, hidden))| ticket(&format!("I{i:02}"), &[(A, &format!("你自{hidden}己看"))]))
        .collect();
    dir.write("in.jsonl", lines.join("\n"));
    dir.audit("in.jsonl", &["--sample-rate", "1"]).success();
    let evidence = evidence(&dir);
    let queue = dir.review_queue("out");
    for (i, (name, hidden)) in classes.iter().enumerate() {
        let id = format!("I{i:02}");
        let Some(found) = evidence.get(&id) else { panic!("{name}: not flagged") };
        let hit = found.iter().find(|e| e["category"] == "forbidden");
        let Some(hit) = hit else { panic!("{name}: no forbidden hit in {found:?}") };
        assert_eq!(hit["text"], format!("你自{hidden}己看"), "{name}");
        assert_eq!(hit["end"].as_u64().unwrap(), 4 + hidden.chars().count() as u64, "{name}");
        assert_eq!(hit["disguised"], true, "{name}");
        assert_eq!(queue[&id]["无服务禁语-结果"], "不通过", "{name}");
    }
}

#[test]
fn plain_text_is_never_called_disguised() {
    let dir = Workdir::new();
    let lines = [
        ticket("N1", &[(A, "你自己看 13812345678")]),
        // Full-width and traditional writing is normalized, not disguised.
        ticket("N2", &[(A, "你自己看 １３８１２３４５６７８")]),
        // The invisible character is outside the phrase.
        ticket("N3", &[(A, "\u{200B}你自己看")]),
    ];
    dir.write("in.jsonl", lines.join("\n"));
    dir.audit("in.jsonl", &[]).success();
    let flagged = String::from_utf8(dir.read("out/flagged.jsonl")).unwrap();
    assert_eq!(flagged.lines().count(), 3, "{flagged}");
    assert!(!flagged.contains("disguised"), "{flagged}");
}
