//! Issue 13: the audit's speed shortcuts change no report. A corpus with every feature the
//! shortcuts could touch — lexicon hits in customer and agent turns, negation, exceptions,
//! degree words, conduct phrases and warnings against them, personal data of every kind (ASCII
//! and full-width digits, grouped numbers, e-mail in both widths), traditional text, invisible
//! characters, emoticon codes, all-ASCII turns in upper case, customer turns with and without a
//! lexicon candidate — plus synthetic tickets and a table import, audited with the shortcuts on
//! and off (`ZHIJIAN_NO_SHORTCUTS=1`, `src/shortcuts.rs`) at `--threads 1` and `2`: every report
//! file is the same byte for byte, the manifest's wall clock (`runtime`) aside.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::util::{report_files, Workdir};

fn ticket(id: &str, agent: &str, turns: &[(&str, &str)]) -> String {
    let messages: Vec<serde_json::Value> =
        turns.iter().map(|(role, text)| serde_json::json!({"role": role, "text": text})).collect();
    serde_json::json!({"ticket_id": id, "agent_id": agent, "messages": messages}).to_string()
}

/// Hand-written tickets, one feature (or a few) each.
fn corpus() -> Vec<String> {
    vec![
        ticket(
            "t01",
            "A1",
            &[("customer", "你们的服务太差了，我很生气"), ("agent", "您好，非常抱歉")],
        ),
        ticket(
            "t02",
            "A1",
            &[("customer", "不满意，垃圾"), ("agent", "理解您的心情，这不是我的问题")],
        ),
        ticket("t03", "A1", &[("customer", "不是不好，还行吧"), ("agent", "您自己看吧，不归我管")]),
        ticket(
            "t04",
            "A2",
            &[("customer", "可以加微信吗"), ("agent", "千万不要加微信，请在平台内沟通")],
        ),
        ticket("t05", "A2", &[("customer", "好的谢谢"), ("agent", "加我微信 wx123 聊")]),
        ticket(
            "t06",
            "A2",
            &[("customer", "我的手机13812345678"), ("agent", "您的手机13987654321对吗")],
        ),
        ticket(
            "t07",
            "A2",
            &[
                ("customer", "手机１３８１２３４５６７８"),
                ("agent", "邮箱 zhang.san@example.com 已记录"),
            ],
        ),
        ticket(
            "t08",
            "A3",
            &[
                ("customer", "邮箱ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ，身份证11010519491231002X"),
                ("agent", "卡号4111 1111 1111 1111，电话+86 138 1234 5678"),
            ],
        ),
        ticket(
            "t09",
            "A3",
            &[("customer", "非常滿意，態度很好！"), ("agent", "謝謝您的耐心，還有其他問題嗎")],
        ),
        ticket(
            "t10",
            "A3",
            &[
                ("customer", "垃\u{200B}圾服务"),
                ("agent", "加\u{200D}微\u{FEFF}信，138\u{200B}1234\u{200B}5678"),
            ],
        ),
        ticket(
            "t11",
            "A3",
            &[("customer", "HELLO, ORDER 12345 IS LATE"), ("agent", "SORRY, CHECKING NOW")],
        ),
        ticket("t12", "A1", &[("customer", "ok"), ("agent", "OK THANKS BYE")]),
        ticket(
            "t13",
            "A1",
            &[("customer", "[呵呵]订单[订单x]还没到#E-s36"), ("agent", "亲[微笑]马上处理/:^_^")],
        ),
        ticket("t14", "A2", &[("customer", "今天天气晴朗"), ("agent", "请问还有其他问题吗？再见")]),
        ticket(
            "t15",
            "A2",
            &[("customer", "为什么还没发货？？"), ("agent", "已为您催促工单，揽收后通知您")],
        ),
        ticket(
            "t16",
            "A3",
            &[("customer", "单号2023 1381 2345 678"), ("agent", "Ｏｒｄｅｒ ＯＫ，您好")],
        ),
        ticket(
            "t17",
            "A1",
            &[
                ("customer", "a\u{0301}é ① ¹ 𝟏 ﹫"),
                ("bot", "机器人: 请稍候 13812345678"),
                ("agent", "好"),
            ],
        ),
    ]
}

/// `zhijian audit` into `out`, with the shortcuts on or off.
fn audit(dir: &Workdir, args: &[&str], out: &str, threads: &str, shortcuts: bool) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_zhijian"));
    command.arg("audit").args(args).args(["--out", out, "--threads", threads, "--quiet"]);
    command.current_dir(dir.path()).env_remove("ZHIJIAN_NO_SHORTCUTS");
    if !shortcuts {
        command.env("ZHIJIAN_NO_SHORTCUTS", "1");
    }
    let output = command.output().expect("run zhijian");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// The four runs (shortcuts on/off × 1/2 threads) give the same files; returns them.
fn same_four_ways(dir: &Workdir, args: &[&str], name: &str) -> BTreeMap<String, Vec<u8>> {
    let mut runs = Vec::new();
    for (threads, shortcuts) in [("1", false), ("1", true), ("2", false), ("2", true)] {
        let out = format!("{name}-{threads}-{shortcuts}");
        audit(dir, args, &out, threads, shortcuts);
        runs.push((out.clone(), report_files(&dir.join(&out), &["runtime"])));
    }
    let (first_name, first) = &runs[0];
    for (other_name, other) in &runs[1..] {
        assert_eq!(first.keys().collect::<Vec<_>>(), other.keys().collect::<Vec<_>>());
        for (file, bytes) in first {
            assert!(bytes == &other[file], "{file} differs between {first_name} and {other_name}");
        }
    }
    runs.swap_remove(0).1
}

#[test]
fn shortcuts_change_no_report_on_a_corpus_with_every_feature() {
    let dir = Workdir::new();
    let mut lines = corpus();
    let synth = dir.zhijian(&["synth", "--tickets", "400", "--agents", "5", "--seed", "13"]);
    lines.extend(String::from_utf8(synth.success().stdout()).unwrap().lines().map(String::from));
    dir.write("tickets.jsonl", lines.join("\n") + "\n");
    let files = same_four_ways(&dir, &["tickets.jsonl", "--sample-rate", "1"], "jsonl");

    // The corpus does exercise what the shortcuts skip or shorten. 17 hand-written + 400
    // synthetic tickets, none rejected.
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["counts"]["audited"], 417);
    assert_eq!(manifest["counts"]["rejected"], 0);
    let flagged = String::from_utf8(files["flagged.jsonl"].clone()).unwrap();
    let queue = String::from_utf8(files["review_queue.csv"].clone()).unwrap();
    // A forbidden phrase (t03), an own-channel offer (t05), the agent typing personal data
    // (t06, t07, t08), an off-platform phrase disguised with invisible characters (t10).
    for ticket in ["t03", "t05", "t06", "t07", "t08", "t10"] {
        assert!(flagged.contains(&format!("\"ticket_id\":\"{ticket}\"")), "{ticket} not flagged");
    }
    // Personal data is masked whatever its width: kept 3 + 4 digits of a mobile, 1 character
    // of an e-mail's local part (zhang.san: 1 kept + 8 masked), 4 + 4 of a card and an ID card.
    for masked in [
        "138****5678",
        "139****4321",
        "１３８****５６７８",
        "z********@example.com",
        "ｚ****＠ｅｘａｍｐｌｅ．ｃｏｍ",
        "1101**********002X",
        "4111 **** **** 1111",
        "+86 138 **** 5678",
    ] {
        assert!(queue.contains(masked), "review_queue.csv lacks {masked}");
    }
    for secret in ["13812345678", "13987654321", "zhang.san@", "11010519491231002X"] {
        for (file, bytes) in &files {
            let text = String::from_utf8_lossy(bytes);
            // The bot's turn is shown masked too; nothing shows a whole number.
            assert!(!text.contains(secret), "{file} shows {secret}");
        }
    }
}

#[test]
fn shortcuts_change_no_report_of_a_table_import() {
    let dir = Workdir::new();
    let table = crate::util::fixture("chat_jddc_shape.txt");
    let mapping = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/jddc.mapping");
    let args = [table.to_str().unwrap(), "--mapping", mapping.to_str().unwrap()];
    let files = same_four_ways(&dir, &args, "table");
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert!(manifest["counts"]["audited"].as_u64().unwrap() > 0);
}
