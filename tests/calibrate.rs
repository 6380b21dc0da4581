//! `zhijian calibrate`: the figures of a small hand-filled queue (see
//! tests/fixtures/reviewed_queue.expect.md), a round trip from `audit` to `calibrate`, and
//! errors that name file, line and column.

use serde_json::Value;

use crate::util::{fixture, Workdir};

fn calibrate_json(dir: &Workdir, files: &[&str]) -> Value {
    let mut args = vec!["calibrate", "--json"];
    args.extend_from_slice(files);
    let run = dir.zhijian(&args).success();
    serde_json::from_slice(&run.stdout()).expect("calibrate --json prints JSON")
}

fn fixtures() -> [String; 2] {
    ["reviewed_queue.csv", "reviewed_queue_second.csv"]
        .map(|f| fixture(f).to_str().unwrap().to_string())
}

/// (reviewed, agreed, disagreed, agreement) of a tally.
type Tally = (u64, u64, u64, Option<f64>);

fn tally(v: &Value) -> Tally {
    (
        v["reviewed"].as_u64().unwrap(),
        v["agreed"].as_u64().unwrap(),
        v["disagreed"].as_u64().unwrap(),
        v["agreement"].as_f64(),
    )
}

#[test]
fn per_check_agreement_split_by_automated_result() {
    let dir = Workdir::new();
    let [a, b] = fixtures();
    let c = calibrate_json(&dir, &[&a, &b]);
    assert_eq!(
        (c["files"].as_u64(), c["rows"].as_u64(), c["reviewed_rows"].as_u64()),
        (Some(2), Some(6), Some(5))
    );
    let checks = c["checks"].as_array().unwrap();
    let keys: Vec<&str> = checks.iter().map(|c| c["check"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        ["greeting", "closing", "no_forbidden", "first_response_sla", "no_off_platform", "no_pii"]
    );
    let want = [
        // all, on pass, on fail, verdicts on n/a or unknown
        ((4, 2, 2, Some(0.5)), (2, 1, 1, Some(0.5)), (2, 1, 1, Some(0.5)), 0),
        ((4, 4, 0, Some(1.0)), (2, 2, 0, Some(1.0)), (2, 2, 0, Some(1.0)), 0),
        ((3, 1, 2, Some(0.3333)), (1, 1, 0, Some(1.0)), (2, 0, 2, Some(0.0)), 0),
        ((3, 3, 0, Some(1.0)), (2, 2, 0, Some(1.0)), (1, 1, 0, Some(1.0)), 1),
        ((3, 2, 1, Some(0.6667)), (1, 1, 0, Some(1.0)), (2, 1, 1, Some(0.5)), 0),
        ((0, 0, 0, None), (0, 0, 0, None), (0, 0, 0, None), 0),
    ];
    for (check, (all, pass, fail, other)) in checks.iter().zip(want) {
        let name = &check["check"];
        assert_eq!(tally(check), all, "{name} overall");
        assert_eq!(tally(&check["on_pass"]), pass, "{name} on pass");
        assert_eq!(tally(&check["on_fail"]), fail, "{name} on fail");
        assert_eq!(check["on_other"], other, "{name} on n/a or unknown");
    }
}

#[test]
fn entries_most_overruled_first() {
    let dir = Workdir::new();
    let [a, b] = fixtures();
    let c = calibrate_json(&dir, &[&a, &b]);
    let entries: Vec<(&str, &str, Tally)> = c["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["check"].as_str().unwrap(), e["entry"].as_str().unwrap(), tally(e)))
        .collect();
    assert_eq!(
        entries,
        [
            ("no_forbidden", "不归我管", (2, 0, 2, Some(0.0))),
            ("no_forbidden", "你自己看", (2, 0, 2, Some(0.0))),
            ("no_off_platform", "加微信", (2, 1, 1, Some(0.5))),
            ("greeting", "您好", (2, 1, 1, Some(0.5))),
            ("closing", "再见", (1, 1, 0, Some(1.0))),
            ("closing", "还有其他问题吗", (1, 1, 0, Some(1.0))),
        ]
    );
    // One file alone: the second reviewer's verdicts are gone.
    let one = calibrate_json(&dir, &[&a]);
    assert_eq!(one["entries"][0]["entry"], "不归我管");
    assert_eq!(tally(&one["entries"][2]), (1, 0, 1, Some(0.0)), "{}", one["entries"][2]);
}

#[test]
fn the_table_is_readable_and_deterministic() {
    let dir = Workdir::new();
    let [a, b] = fixtures();
    let run = dir.zhijian(&["calibrate", &a, &b]).success();
    let text = String::from_utf8(run.stdout()).unwrap();
    assert!(text.starts_with("复核校准: 2 个文件, 6 张工单, 其中 5 张有复核意见"), "{text}");
    let row = |label: &str| -> Vec<String> {
        let line = text
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("{label}\n{text}"));
        line.split_whitespace().map(String::from).collect()
    };
    assert_eq!(row("无服务禁语 ")[..5], ["无服务禁语", "3", "1", "2", "33.3%"]);
    assert_eq!(row("无隐私泄露")[4], "—", "nothing reviewed is unknown, never 0%");
    assert_eq!(
        row("无服务禁语  「不归我管」"),
        ["无服务禁语", "「不归我管」", "2", "0", "2", "0.0%"]
    );
    let again = dir.zhijian(&["calibrate", &b, &a]).success();
    assert_eq!(again.stdout(), run.stdout(), "file order changes nothing");
}

#[test]
fn round_trip_from_audit() {
    let dir = Workdir::new();
    dir.audit(fixture("basic.jsonl").to_str().unwrap(), &["--sample-rate", "1"]).success();
    let queue = String::from_utf8(dir.read("out/review_queue.csv")).unwrap();
    // A reviewer disagrees with every automated result of T2 in one column.
    let mut reader = csv::Reader::from_reader(queue.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let verdict = headers.iter().position(|h| h == "无站外引流-复核(同意/不同意)").unwrap();
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    out.write_record(&headers).unwrap();
    for record in reader.records() {
        let mut cells: Vec<String> = record.unwrap().iter().map(String::from).collect();
        cells[verdict] = if cells[2] == "T2" { "不同意".into() } else { "同意".into() };
        out.write_record(&cells).unwrap();
    }
    dir.write("reviewed.csv", out.into_inner().unwrap());
    let c = calibrate_json(&dir, &["reviewed.csv"]);
    let off = &c["checks"][4];
    assert_eq!(off["check"], "no_off_platform");
    // T1, T3, T4 passed (agreed); T2 failed on 加微信 (overruled); T5 is n/a.
    assert_eq!(tally(off), (4, 3, 1, Some(0.75)));
    assert_eq!(off["on_other"], 1);
    assert_eq!(c["entries"][0]["entry"], "加微信");
    assert_eq!(c["entries"][0]["disagreed"], 1);
}

#[test]
fn errors_name_file_line_and_column() {
    let dir = Workdir::new();
    let good = std::fs::read_to_string(fixture("reviewed_queue.csv")).unwrap();
    // Line 3 is T2; its greeting verdict is the 8th column.
    let bad_verdict = good.replacen("未见问候语,同意", "未见问候语,maybe", 1);
    assert_ne!(bad_verdict, good);
    dir.write("bad_verdict.csv", bad_verdict);
    dir.write("gbk.csv", b"\xbf\xcd\xb7\xfeID,\xb9\xa4\xb5\xa5ID\r\n");
    dir.write("other.csv", "a,b\r\n1,2\r\n");
    let cases = [
        ("bad_verdict.csv", "review queue bad_verdict.csv:3:8: verdict `maybe` in column 开场问候-复核(同意/不同意) is not 同意 or 不同意"),
        ("gbk.csv", "review queue gbk.csv: the file is not UTF-8 text"),
        ("other.csv", "review queue other.csv:1: no column `工单ID`"),
        ("missing.csv", "cannot read missing.csv"),
    ];
    for (file, says) in cases {
        let run = dir.zhijian(&["calibrate", file]).failure();
        assert_eq!(run.output.status.code(), Some(1));
        assert!(run.stderr().contains(says), "{file}: {}", run.stderr());
        assert_eq!(run.stderr().trim_end().lines().count(), 1, "{}", run.stderr());
    }
}
