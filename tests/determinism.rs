//! Invariant 2: the same inputs, lexicons, options and seed give byte-identical reports,
//! whatever the thread count, the batches the input is read in, or the order of input lines
//! and files. Only the manifest's `runtime` may differ; when the input is split differently,
//! also its `inputs`, the team page's list of input files (`index.html`, `summary.md`) and the
//! file and line each reject is reported at.

use crate::util::{report_files, Workdir};

/// Every file of report `a` equals report `b`'s byte for byte, the manifest's `runtime` aside.
fn assert_same(dir: &Workdir, a: &str, b: &str) {
    assert_same_but(dir, a, b, &["runtime"], &[]);
}

/// As [`assert_same`], ignoring the manifest keys `ignored` and the files `skipped` (which the
/// caller compares its own way).
fn assert_same_but(dir: &Workdir, a: &str, b: &str, ignored: &[&str], skipped: &[&str]) {
    let (left, right) = (report_files(&dir.join(a), ignored), report_files(&dir.join(b), ignored));
    assert_eq!(left.keys().collect::<Vec<_>>(), right.keys().collect::<Vec<_>>());
    for (name, bytes) in left.iter().filter(|(name, _)| !skipped.contains(&name.as_str())) {
        assert!(bytes == &right[name], "{name} differs between {a} and {b}");
    }
}

/// 600 synthetic tickets over 7 agents, with timestamps.
fn synthetic(dir: &Workdir) -> String {
    let run = dir.zhijian(&["synth", "--tickets", "600", "--agents", "7", "--seed", "3"]).success();
    let text = String::from_utf8(run.stdout()).unwrap();
    assert_eq!(text.lines().count(), 600);
    text
}

/// `src/run.rs` reads input in batches of this many lines (`BATCH_LINES`).
const BATCH_LINES: usize = 4096;

/// Lines spanning three batches: 10,000 synthetic tickets over 23 agents (about 1% written in
/// traditional characters), and odd lines placed in different batches: a byte-identical
/// duplicate of ticket 100 in the third batch, a broken JSON line at the first batch boundary,
/// a ticket without an agent, a traditional-character ticket with a forbidden phrase, a ticket
/// owned through a transfer (no top-level agent_id) and a blank line.
fn multi_batch(dir: &Workdir) -> Vec<String> {
    let run =
        dir.zhijian(&["synth", "--tickets", "10000", "--agents", "23", "--seed", "5"]).success();
    let text = String::from_utf8(run.stdout()).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let duplicate = lines[100].clone();
    let odd = [
        (BATCH_LINES - 1, r#"{"ticket_id":"BAD-1","agent_id":"A0001","messages":["#.to_string()),
        (2 * BATCH_LINES + 500, duplicate),
        (
            5000,
            r#"{"ticket_id":"TRAD-1","agent_id":"A0003","messages":[{"role":"customer","text":"我的訂單還沒到，太慢了"},{"role":"agent","text":"您好，這個不歸我管，你自己看吧"}]}"#
                .to_string(),
        ),
        (6000, r#"{"ticket_id":"NOAGENT-1","messages":[{"role":"customer","text":"在嗎"}]}"#.into()),
        (
            7000,
            r#"{"ticket_id":"XFER-1","messages":[{"role":"customer","text":"在嗎"},{"role":"agent","agent_id":"A0005","text":"您好，我來幫您"}]}"#
                .to_string(),
        ),
        (8000, String::new()),
    ];
    for (at, line) in odd {
        lines.insert(at, line);
    }
    assert!(lines.len() > 2 * BATCH_LINES, "the corpus must span at least three batches");
    lines
}

fn run_audit(dir: &Workdir, input: &str, out: &str, extra: &[&str]) {
    let lexicons = crate::util::fixture("lexicons");
    let lexicons = lexicons.to_str().unwrap();
    let mut args =
        vec!["audit", input, "--out", out, "--quiet", "--per-ticket", "--lexicons", lexicons];
    args.extend_from_slice(extra);
    dir.zhijian(&args).success();
}

#[test]
fn reports_are_identical_across_threads_and_batches() {
    let dir = Workdir::new();
    dir.write("in.jsonl", multi_batch(&dir).join("\n") + "\n");
    run_audit(&dir, "in.jsonl", "one", &["--threads", "1"]);
    run_audit(&dir, "in.jsonl", "two", &["--threads", "2"]);
    run_audit(&dir, "in.jsonl", "three", &["--threads", "3"]);
    // The odd lines were seen: two rejects besides the cross-batch duplicate.
    let counts = &dir.read_json("one/manifest.json")["counts"];
    assert_eq!(counts["rejected_by_reason"]["duplicate_ticket_id"], 1, "{counts}");
    assert_eq!(counts["rejected"], 3, "{counts}");
    assert_eq!(counts["audited"], 10_002, "{counts}");
    assert_same(&dir, "one", "two");
    assert_same(&dir, "one", "three");
}

#[test]
fn reports_are_identical_across_line_order_and_file_splits() {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;

    let dir = Workdir::new();
    let mut lines = multi_batch(&dir);
    dir.write("ordered/all.jsonl", lines.join("\n") + "\n");
    // A fixed shuffle, dealt round-robin into three files, one of them gzipped; every batch
    // now holds a different mix of tickets, and the duplicate's first copy may be either one.
    lines.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(11));
    let part = |k: usize| {
        let kept: Vec<&str> = lines.iter().skip(k).step_by(3).map(String::as_str).collect();
        kept.join("\n") + "\n"
    };
    dir.write("shuffled/c.jsonl", part(0));
    dir.write("shuffled/a.jsonl", part(1));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, part(2).as_bytes()).unwrap();
    dir.write("shuffled/b.jsonl.gz", gz.finish().unwrap());
    run_audit(&dir, "ordered", "first", &["--threads", "2"]);
    run_audit(&dir, "shuffled", "second", &["--threads", "3"]);
    // The manifest's `inputs` name the files read; rejects.jsonl lists rejects in input order
    // with their file and line, so it is compared as a set of lines without those.
    let rejects = |out: &str| {
        let mut rejects: Vec<String> = dir
            .read_jsonl(&format!("{out}/rejects.jsonl"))
            .iter()
            .map(|r| format!("{} {} {}", r["reason"], r["rows"], r["raw"]))
            .collect();
        rejects.sort();
        rejects
    };
    assert_eq!(rejects("first"), rejects("second"));
    assert_eq!(rejects("first").len(), 3);
    // The team page lists the files read, on one line; everything else on it is the same.
    for (page, inputs) in [("index.html", "<dt>输入文件</dt>"), ("summary.md", "- 输入文件: ")]
    {
        let without_inputs = |out: &str| {
            let text = String::from_utf8(dir.read(&format!("{out}/{page}"))).unwrap();
            let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with(inputs)).collect();
            assert_eq!(kept.len() + 1, text.lines().count(), "{page} lists its inputs once");
            kept.join("\n")
        };
        assert!(without_inputs("first") == without_inputs("second"), "{page} differs");
    }
    let skipped = ["rejects.jsonl", "index.html", "summary.md"];
    assert_same_but(&dir, "first", "second", &["runtime", "inputs"], &skipped);
}

#[test]
fn same_seed_same_sample_different_seed_different_sample() {
    let dir = Workdir::new();
    dir.write("in.jsonl", synthetic(&dir));
    run_audit(&dir, "in.jsonl", "a", &["--seed", "7"]);
    run_audit(&dir, "in.jsonl", "b", &["--seed", "7"]);
    run_audit(&dir, "in.jsonl", "c", &["--seed", "8"]);
    assert_same(&dir, "a", "b");
    assert_ne!(dir.read("a/review_queue.csv"), dir.read("c/review_queue.csv"));
}
