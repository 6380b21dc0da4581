//! Issue 11, the trainer's lexicon tools: `lexicon stats` (what each entry hits in an audit,
//! figures of tests/fixtures/lexstats.expect.md), `lexicon test` (regression cases in
//! `lexicons/tests/*.tsv`) and `calibrate --cases` (overruled verdicts become cases).

use serde_json::Value;

use crate::util::{fixture, Run, Workdir};

/// `zhijian lexicon stats` on the fixture, plus `extra`.
fn stats(dir: &Workdir, extra: &[&str]) -> Run {
    let (input, lexicons) = (fixture("lexstats.jsonl"), fixture("lexstats_lexicons"));
    let mut args =
        vec!["lexicon", "stats", input.to_str().unwrap(), "--lexicons", lexicons.to_str().unwrap()];
    args.extend_from_slice(extra);
    dir.zhijian(&args)
}

fn stats_json(dir: &Workdir, extra: &[&str]) -> Value {
    let mut args = vec!["--json"];
    args.extend_from_slice(extra);
    let run = stats(dir, &args).success();
    serde_json::from_slice(&run.stdout()).expect("lexicon stats --json prints JSON")
}

/// (hits, tickets, agents, excepted, negated) of `category:entry`.
fn figures(stats: &Value, category: &str, entry: &str) -> (u64, u64, u64, u64, u64) {
    let e = stats["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["category"] == category && e["entry"] == entry)
        .unwrap_or_else(|| panic!("{category}:{entry} not in {stats:#}"));
    let n = |v: &Value| v.as_u64().unwrap();
    (
        n(&e["hits"]),
        n(&e["tickets"]),
        n(&e["agents"]),
        n(&e["effects"]["excepted"]),
        n(&e["effects"]["negated"]),
    )
}

#[test]
fn stats_count_hits_tickets_agents_and_what_cancelled_them() {
    let dir = Workdir::new();
    let s = stats_json(&dir, &[]);
    assert_eq!((s["tickets"].as_u64(), s["rejected_lines"].as_u64()), (Some(3), Some(2)));
    let want = [
        ("negative", "差", (2, 2, 1, 0, 0)),
        ("negative", "生气", (0, 0, 0, 0, 1)),
        ("positive", "谢谢", (1, 1, 1, 0, 0)),
        ("greeting", "您好", (2, 2, 2, 0, 0)),
        ("empathy", "理解您的心情", (1, 1, 1, 0, 0)),
        ("off_platform", "加微信", (2, 2, 1, 1, 0)),
        ("closing", "再见", (1, 1, 1, 0, 0)),
    ];
    for (category, entry, figures_wanted) in want {
        assert_eq!(figures(&s, category, entry), figures_wanted, "{category}:{entry}");
    }
    let listed: Vec<(String, String)> = s["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["category"].as_str().unwrap().into(), e["entry"].as_str().unwrap().into()))
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "sorted by category, then entry");
    assert_eq!(listed.len(), want.len(), "only the entries that fired: {listed:?}");
}

#[test]
fn stats_list_the_entries_that_never_fired_per_category() {
    let dir = Workdir::new();
    let s = stats_json(&dir, &[]);
    assert_eq!(
        s["never_fired"],
        serde_json::json!({
            "closing": ["还有其他问题吗"],
            "empathy": ["抱歉"],
            "filler": ["嗯嗯"],
            "forbidden": ["不归我管", "你自己看"],
            "jargon": ["工单", "揽收"],
            "negative": ["垃圾"],
            "positive": ["好", "满意"],
        }),
        "modifiers and exceptions are never listed"
    );
    let table = String::from_utf8(stats(&dir, &[]).success().stdout()).unwrap();
    assert!(table.contains("never fired (10 entries)"), "{table}");
    assert!(table.contains("  forbidden (2): 不归我管、你自己看\n"), "{table}");
}

#[test]
fn stats_examples_are_the_first_hits_by_ticket_and_message_with_personal_data_masked() {
    let dir = Workdir::new();
    let s = stats_json(&dir, &[]);
    let off = s["entries"].as_array().unwrap().iter().find(|e| e["entry"] == "加微信").unwrap();
    assert_eq!(
        off["examples"],
        serde_json::json!([
            {"ticket": "T1", "message": 1, "role": "agent", "text": "您好，理解您的心情，【加微信】138****5678"},
            {"ticket": "T3", "message": 1, "role": "agent", "text": "【加微信】吧"},
        ])
    );
    let one = stats_json(&dir, &["--examples", "1"]);
    let greeting =
        &one["entries"].as_array().unwrap().iter().find(|e| e["entry"] == "您好").unwrap();
    assert_eq!(greeting["examples"].as_array().unwrap().len(), 1);
    assert_eq!(greeting["examples"][0]["ticket"], "T1");
    for format in [&[][..], &["--json"], &["--csv"]] {
        let out = stats(&dir, format).success().stdout();
        let out = String::from_utf8(out).unwrap();
        for phone in ["13812345678", "13912345678", "1234"] {
            assert!(!out.contains(phone), "{format:?} shows {phone}:\n{out}");
        }
    }
}

#[test]
fn stats_name_rejected_lines_on_one_stderr_line() {
    let dir = Workdir::new();
    let run = stats(&dir, &[]).success();
    let stderr = run.stderr();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("2 of 5 input lines rejected"), "{stderr}");
    assert!(stderr.contains("lexstats.jsonl:3 duplicate_ticket_id"), "{stderr}");
    assert!(stderr.contains("lexstats.jsonl:5 invalid_json"), "{stderr}");
}

#[test]
fn stats_are_the_same_with_one_thread_or_two() {
    let dir = Workdir::new();
    for format in [&[][..], &["--json"], &["--csv"]] {
        let run = |threads: &str| {
            let mut extra = vec!["--threads", threads];
            extra.extend_from_slice(format);
            stats(&dir, &extra).success().stdout()
        };
        assert_eq!(run("1"), run("2"), "{format:?}");
    }
    // Enough tickets that two workers split them, and examples compete across workers.
    dir.zhijian(&["synth", "--tickets", "2000", "-o", "in.jsonl"]).success();
    let run = |threads: &str| {
        let args =
            ["lexicon", "stats", "in.jsonl", "--json", "--examples", "5", "--threads", threads];
        dir.zhijian(&args).success().stdout()
    };
    assert_eq!(run("1"), run("2"), "synthetic tickets");
}

#[test]
fn stats_table_columns_line_up_by_display_width() {
    let dir = Workdir::new();
    let table = String::from_utf8(stats(&dir, &[]).success().stdout()).unwrap();
    let width = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    let header = table.lines().find(|l| l.starts_with("category")).unwrap();
    let hits_end = width(&header[..header.find("hits").unwrap() + 4]);
    let rows: Vec<&str> =
        table.lines().filter(|l| l.starts_with("negative") || l.starts_with("empathy")).collect();
    assert_eq!(rows.len(), 3, "{table}");
    for row in rows {
        // The hits figure is right-aligned under its header.
        let figures_start = row.find(|c: char| c.is_ascii_digit()).unwrap();
        let digits = row[figures_start..].find(' ').unwrap();
        assert_eq!(width(&row[..figures_start + digits]), hits_end, "{row}\n{table}");
    }
}

#[test]
fn stats_csv_is_for_excel() {
    let dir = Workdir::new();
    let out = stats(&dir, &["--csv", "--out", "stats.csv"]).success();
    assert!(out.stdout().is_empty());
    let bytes = dir.read("stats.csv");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a UTF-8 BOM");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..5], ["category", "entry", "hits", "tickets", "agents"]);
    let rows: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    assert_eq!(rows.len(), 7 + 10, "fired entries, then those that never fired");
    assert_eq!(rows[7][..3], ["closing", "还有其他问题吗", "0"]);
}

#[test]
fn the_shipped_cases_pass_on_the_shipped_lexicons() {
    let dir = Workdir::new();
    let builtin = dir.zhijian(&["lexicon", "test"]).success();
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons");
    let on_disk =
        dir.zhijian(&["lexicon", "test", "--lexicons", shipped.to_str().unwrap()]).success();
    for run in [&builtin, &on_disk] {
        let out = String::from_utf8(run.stdout()).unwrap();
        let count: usize = out.split(' ').next().unwrap().parse().unwrap_or(0);
        assert!(count >= 40, "{out}");
        assert!(out.ends_with(" cases in 1 files: all pass\n"), "{out}");
    }
}

/// The shipped lexicons with their cases, copied to `dir/lex`.
fn copy_shipped(dir: &Workdir) -> std::path::PathBuf {
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons");
    for sub in ["", "tests"] {
        for item in std::fs::read_dir(shipped.join(sub)).unwrap() {
            let path = item.unwrap().path();
            if path.is_file() {
                let name = format!("lex/{sub}/{}", path.file_name().unwrap().to_string_lossy());
                dir.write(&name, std::fs::read(&path).unwrap());
            }
        }
    }
    dir.join("lex")
}

#[test]
fn a_planted_false_positive_fails_with_its_file_and_line() {
    let dir = Workdir::new();
    let lex = copy_shipped(&dir);
    let off_platform = lex.join("off_platform.txt");
    let mut text = std::fs::read_to_string(&off_platform).unwrap();
    text.push_str("微信支付 | boundary=none\n");
    std::fs::write(&off_platform, text).unwrap();
    let cases = std::fs::read_to_string(lex.join("tests/classes.tsv")).unwrap();
    let line = cases.lines().position(|l| l.contains("您可以用微信支付完成付款")).unwrap() + 1;
    let run = dir.zhijian(&["lexicon", "test", "--lexicons", "lex"]).failure();
    assert_eq!(run.output.status.code(), Some(1));
    let out = String::from_utf8(run.stdout()).unwrap();
    assert_eq!(
        out,
        format!(
            "lex/tests/classes.tsv:{line}: expected off_platform:* not to hit, got \
             off_platform:微信支付 (text: 您可以用微信支付完成付款)\n"
        )
    );
    assert!(run.stderr().contains("1 of "), "{}", run.stderr());
    assert_eq!(run.stderr().trim_end().lines().count(), 1, "{}", run.stderr());
}

#[test]
fn the_loader_and_lexicon_check_ignore_the_tests_folder() {
    let dir = Workdir::new();
    copy_shipped(&dir);
    dir.write("lex/tests/notes.txt", "不是词条 | w=oops\n");
    let check = dir.zhijian(&["lexicon", "check", "--lexicons", "lex"]).success();
    let out = String::from_utf8(check.stdout()).unwrap();
    assert!(out.ends_with("in 11 files: no problems found\n"), "{out}");
}

#[test]
fn case_lines_that_are_not_cases_fail_with_file_and_line() {
    let dir = Workdir::new();
    dir.write(
        "cases.tsv",
        "role\ttext\tmust\tmust_not\tnote\n客服\t您好\tgreeting:您号\t\t\n客服\t您好\tgreeting\t\t\n",
    );
    let run = dir.zhijian(&["lexicon", "test", "cases.tsv"]).failure();
    let out = String::from_utf8(run.stdout()).unwrap();
    assert_eq!(out, "cases.tsv:2: `greeting:您号`: no entry `您号` in greeting.txt\n");
    assert!(run.stderr().contains("1 of 2 lexicon regression case(s) failed"), "{}", run.stderr());
    dir.write("bad.tsv", "角色\t文本\n");
    let run = dir.zhijian(&["lexicon", "test", "bad.tsv"]).failure();
    assert_eq!(run.output.status.code(), Some(1));
    assert!(run.stderr().contains("regression cases bad.tsv:1: the header has no `role` column"));
}

const CASES_FROM_QUEUE: &str = "role\ttext\tmust\tmust_not\tnote
客服\t你自己看\t\tforbidden:*\tqueue.csv:3 T2 消息#2「你自己看」 无服务禁语=不通过 复核不同意: 「你自己看」是在转述客户原话
客服\t不归我管\t\tforbidden:*\tqueue.csv:3 T2 消息#2「不归我管」 无服务禁语=不通过 复核不同意: 「你自己看」是在转述客户原话
客服\t加微信\t\toff_platform:*\tqueue.csv:3 T2 消息#4「加微信」 无站外引流=不通过 复核不同意: 「你自己看」是在转述客户原话
客服\t您好\t\tgreeting:*\tqueue.csv:4 T3 消息#2「您好」 开场问候=通过 复核不同意: 您好是机器人说的
";

#[test]
fn overruled_verdicts_that_quote_a_hit_become_must_not_cases() {
    let dir = Workdir::new();
    dir.write("queue.csv", std::fs::read(fixture("reviewed_queue.csv")).unwrap());
    let run = dir.zhijian(&["calibrate", "queue.csv", "--cases", "cases.tsv"]).success();
    assert_eq!(String::from_utf8(dir.read("cases.tsv")).unwrap(), CASES_FROM_QUEUE);
    // T4's overruled greeting failure (未见问候语) is a false negative: nothing quoted.
    assert_eq!(
        run.stderr().trim_end(),
        "zhijian: 4 regression case(s) added to cases.tsv (0 already there); 1 overruled \
         verdict(s) quote no hit and gave no case"
    );
    assert!(String::from_utf8(run.stdout()).unwrap().starts_with("复核校准: 1 个文件"));
    // Again: nothing added, nothing duplicated.
    let again = dir.zhijian(&["calibrate", "queue.csv", "--cases", "cases.tsv"]).success();
    assert!(again.stderr().contains("0 regression case(s) added to cases.tsv (4 already there)"));
    assert_eq!(String::from_utf8(dir.read("cases.tsv")).unwrap(), CASES_FROM_QUEUE);
    // The cases run, and fail until a trainer fixes the lexicons (and restores the context).
    let lexicons = fixture("lexicons");
    let test = dir
        .zhijian(&["lexicon", "test", "--lexicons", lexicons.to_str().unwrap(), "cases.tsv"])
        .failure();
    assert!(
        test.stderr().contains("4 of 4 lexicon regression case(s) failed"),
        "{}",
        test.stderr()
    );
}

#[test]
fn calibrate_refuses_to_write_cases_into_a_file_that_is_not_a_case_file() {
    let dir = Workdir::new();
    dir.write("queue.csv", std::fs::read(fixture("reviewed_queue.csv")).unwrap());
    dir.write("notes.tsv", "买家反馈\t很多\n");
    let run = dir.zhijian(&["calibrate", "queue.csv", "--cases", "notes.tsv"]).failure();
    assert_eq!(run.output.status.code(), Some(1));
    assert!(
        run.stderr().starts_with(
            "zhijian: regression cases notes.tsv: exists and is not a regression case file"
        ),
        "{}",
        run.stderr()
    );
    assert_eq!(dir.read("notes.tsv"), "买家反馈\t很多\n".as_bytes());
}

#[test]
fn stats_to_a_reader_that_stops_early_is_not_a_failure() {
    let dir = Workdir::new();
    dir.zhijian(&["synth", "--tickets", "3000", "-o", "in.jsonl"]).success();
    // About 260 KB of table, far more than a pipe holds.
    // Like `zhijian lexicon stats in.jsonl | head -c 100`.
    let output = dir.closed_pipe(&["lexicon", "stats", "in.jsonl", "--examples", "20"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn calibrate_writes_cases_into_an_empty_file() {
    let dir = Workdir::new();
    dir.write("queue.csv", std::fs::read(fixture("reviewed_queue.csv")).unwrap());
    dir.write("cases.tsv", "");
    dir.zhijian(&["calibrate", "queue.csv", "--cases", "cases.tsv"]).success();
    assert_eq!(String::from_utf8(dir.read("cases.tsv")).unwrap(), CASES_FROM_QUEUE);
}

#[test]
fn stats_count_what_the_audit_counts() {
    let dir = Workdir::new();
    dir.zhijian(&["synth", "--tickets", "500", "-o", "in.jsonl"]).success();
    dir.zhijian(&["audit", "in.jsonl", "--out", "out", "--quiet"]).success();
    let team = &dir.read_json("out/summary.json")["team"]["categories"];
    let run = dir.zhijian(&["lexicon", "stats", "in.jsonl", "--json"]).success();
    let stats: Value = serde_json::from_slice(&run.stdout()).unwrap();
    // Categories that count on agent turns only, and only as themselves.
    for category in
        ["closing", "empathy", "filler", "forbidden", "greeting", "jargon", "off_platform"]
    {
        let hits: u64 = stats["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["category"] == category)
            .map(|e| e["hits"].as_u64().unwrap())
            .sum();
        assert_eq!(Some(hits), team[category]["hits"].as_u64(), "{category}");
    }
    assert!(team["greeting"]["hits"].as_u64() > Some(0), "the synthetic tickets greet");
}
