//! The command line's promises to a new user: help that groups options where they belong, a
//! closed pipe that is not an error, columns that line up in Chinese, bounded options, and
//! errors that never pass input's control characters to the terminal.

use crate::util::{fixture, Workdir};

#[test]
fn audit_help_lists_general_options_outside_the_table_heading() {
    let dir = Workdir::new();
    let help = String::from_utf8(dir.zhijian(&["audit", "--help"]).success().stdout()).unwrap();
    let tables = help.find("Tables (one message per row):").expect("a table heading");
    for general in ["--out", "--seed", "--template", "--ts-format", "--max-reject-rate", "--quiet"]
    {
        let at = help.find(general).unwrap_or_else(|| panic!("{general} missing:\n{help}"));
        assert!(at < tables, "{general} is listed under the table heading:\n{help}");
    }
    for table in ["--mapping", "--table-columns", "--role-map", "--default-agent"] {
        assert!(help.find(table).unwrap() > tables, "{table} is outside its heading:\n{help}");
    }
}

#[test]
fn a_reader_that_stops_early_is_not_a_failure() {
    let dir = Workdir::new();
    // Like `zhijian synth | head -c 100`: read a little, then close the pipe.
    let output = dir.closed_pipe(&["synth", "--tickets", "200000"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn explain_aligns_chinese_entries_by_display_width() {
    let dir = Workdir::new();
    let lexicons = fixture("lexicons");
    let args = ["explain", "--lexicons", lexicons.to_str().unwrap(), "您好，加微信吧"];
    let out = String::from_utf8(dir.zhijian(&args).success().stdout()).unwrap();
    let hits: Vec<&str> = out.lines().filter(|l| l.starts_with("  hit")).collect();
    // 您好 is 4 columns wide and 加微信 6: both are padded to 12, so the category column
    // starts at the same display column (7 + 12 + 1 = 20).
    assert_eq!(hits.len(), 2, "{out}");
    let column = |line: &str, word: &str| {
        let before = &line[..line.find(word).unwrap()];
        unicode_width::UnicodeWidthStr::width(before)
    };
    assert_eq!(column(hits[0], "greeting"), 20, "{out}");
    assert_eq!(column(hits[1], "off_platform"), 20, "{out}");
}

#[test]
fn options_out_of_range_are_refused_in_one_line() {
    let dir = Workdir::new();
    dir.write("in.jsonl", "");
    let cases = [
        (&["--threads", "100000"][..], "--threads: 100000 is more than 512"),
        (&["--max-reject-rate", "2"][..], "--max-reject-rate: 2 is not a share between 0 and 1"),
        (&["--ts-format", "iso"][..], "--ts-format: `iso` is not rfc3339, unix, unix_ms"),
    ];
    for (args, says) in cases {
        let run = dir.audit("in.jsonl", args).failure();
        assert_eq!(run.output.status.code(), Some(1));
        let stderr = run.stderr();
        assert!(stderr.starts_with("zhijian: ") && stderr.contains(says), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    }
}

#[test]
fn errors_never_echo_control_characters_to_the_terminal() {
    let dir = Workdir::new();
    // A file name that would clear the screen and a line break that would forge a second line.
    let run = dir.audit("a\u{1b}[2J\nzhijian: ok.jsonl", &[]).failure();
    let stderr = run.stderr();
    assert!(!stderr.contains('\u{1b}'), "raw escape reached the terminal: {stderr:?}");
    assert!(stderr.contains("a\\u{1b}[2J\\u{a}zhijian: ok.jsonl"), "{stderr:?}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr:?}");
}
