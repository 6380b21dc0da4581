//! Beyond one machine (DESIGN §5, docs/spark.md): shards audited into partial records by
//! `zhijian map`, merged by `zhijian combine` in any grouping and order, rendered by
//! `zhijian render` into the very reports one `zhijian audit` writes.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::util::{fixture, report_files, Workdir};

const SAMPLES: &str = include_str!("../samples/tickets.jsonl");

/// Two input files with everything that makes merging hard: a ticket id in both files and
/// twice in one, lines that are not tickets, a byte-order mark, CRLF line ends, a blank line
/// and traditional characters. Returns the rejected lines `(file, line, reason)`, worked out
/// by hand from the lines written.
fn corpus(dir: &Workdir) -> Vec<(&'static str, u64, &'static str)> {
    let samples: Vec<&str> = SAMPLES.lines().collect();
    // a.jsonl: samples 1–30, then sample 5 again (line 31: a duplicate within the file).
    let mut a: Vec<String> = samples[..30].iter().map(|s| s.to_string()).collect();
    a.push(samples[4].to_string());
    dir.write("in/a.jsonl", a.join("\n") + "\n");
    // b.jsonl, with a BOM and CRLF: samples 20–45 (lines 1–26; 20–30 are duplicates of
    // a.jsonl's), `not json` (27), a ticket without messages (28), a blank line (29), a
    // traditional-character ticket (30).
    let mut b: Vec<String> = samples[19..45].iter().map(|s| s.to_string()).collect();
    b.push("not json".into());
    b.push(r#"{"ticket_id":"NOMSG","agent_id":"A9"}"#.into());
    b.push(String::new());
    b.push(
        r#"{"ticket_id":"TRAD-1","agent_id":"A9","messages":[{"role":"customer","text":"請問訂單什麼時候發貨，我要投訴"},{"role":"agent","text":"不知道，你自己查"}]}"#
            .into(),
    );
    dir.write("in/b.jsonl", format!("\u{feff}{}\r\n", b.join("\r\n")));
    // Sample 22 is not JSON (samples/README.md): a.jsonl line 22 and b.jsonl line 3.
    let mut rejects =
        vec![("in/a.jsonl", 22, "invalid_json"), ("in/a.jsonl", 31, "duplicate_ticket_id")];
    for line in 1..=11 {
        rejects.push((
            "in/b.jsonl",
            line,
            if line == 3 { "invalid_json" } else { "duplicate_ticket_id" },
        ));
    }
    rejects.push(("in/b.jsonl", 27, "invalid_json"));
    rejects.push(("in/b.jsonl", 28, "missing_field"));
    rejects
}

/// Every non-blank-or-blank physical line of the corpus as a `FILE<TAB>LINE<TAB>TEXT` row, as
/// Spark's text reader with `lineSep '\n'` sees them (CR kept: map drops it).
fn rows(dir: &Workdir) -> Vec<String> {
    let mut rows = Vec::new();
    for name in ["in/a.jsonl", "in/b.jsonl"] {
        let text = String::from_utf8(dir.read(name)).unwrap();
        for (i, line) in text.strip_suffix('\n').unwrap().split('\n').enumerate() {
            rows.push(format!("{name}\t{}\t{line}", i + 1));
        }
    }
    rows
}

fn lexicons() -> String {
    fixture("lexicons").display().to_string()
}

fn map_rows(dir: &Workdir, rows: &[String], out: &str) {
    map_rows_with(dir, rows, out, &[]);
}

fn map_rows_with(dir: &Workdir, rows: &[String], out: &str, extra: &[&str]) {
    dir.write(&format!("{out}.rows"), rows.join("\n") + "\n");
    let lexicons = lexicons();
    let input = std::fs::File::open(dir.join(&format!("{out}.rows"))).unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_zhijian"))
        .args(["map", "--rows", "--quiet", "--lexicons", &lexicons, "--out", out])
        .args(extra)
        .arg("-")
        .current_dir(dir.path())
        .stdin(input)
        .status()
        .unwrap();
    assert!(status.success(), "map of {out} failed");
}

fn render(dir: &Workdir, partials: &[&str], out: &str) {
    render_with(dir, partials, out, &[]);
}

fn render_with(dir: &Workdir, partials: &[&str], out: &str, extra: &[&str]) {
    let lexicons = lexicons();
    let mut args = vec!["render", "--quiet", "--lexicons", &lexicons, "--out", out];
    args.extend_from_slice(extra);
    args.extend_from_slice(partials);
    dir.zhijian(&args).success();
}

#[test]
fn random_shards_combined_in_random_order_render_the_reports_of_one_audit() {
    let dir = Workdir::new();
    let rejects = corpus(&dir);
    dir.audit("in", &[]).success();
    let single = report_files(&dir.join("out"), &["runtime", "inputs"]);
    let rows = rows(&dir);
    for seed in 0..4 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // Each row to a random shard of 1–4; rows keep no order within a shard.
        let shards = rng.random_range(1..=4);
        let mut split: Vec<Vec<String>> = vec![Vec::new(); shards];
        for row in &rows {
            split[rng.random_range(0..shards)].push(row.clone());
        }
        let mut partials = Vec::new();
        for (i, shard) in split.iter_mut().enumerate() {
            shard.shuffle(&mut rng);
            let name = format!("s{seed}-map{i}.tsv");
            map_rows(&dir, shard, &name);
            partials.push(name);
        }
        // Combine random pairs until one is left: a random grouping and order.
        let mut step = 0;
        while partials.len() > 1 {
            partials.shuffle(&mut rng);
            let (a, b) = (partials.pop().unwrap(), partials.pop().unwrap());
            let out = format!("s{seed}-combine{step}.tsv");
            dir.zhijian(&["combine", "-o", &out, &b, &a]).success();
            partials.push(out);
            step += 1;
        }
        let out = format!("rendered{seed}");
        render(&dir, &[&partials[0]], &out);
        let sharded = report_files(&dir.join(&out), &["runtime", "inputs"]);
        assert_eq!(sharded.keys().collect::<Vec<_>>(), single.keys().collect::<Vec<_>>());
        for (name, bytes) in &single {
            assert!(sharded[name] == *bytes, "seed {seed}, {shards} shards: {name} differs");
        }
        // Rejects keep the file and line they were read from, in input order.
        let found: Vec<(String, u64, String)> = dir
            .read_jsonl(&format!("{out}/rejects.jsonl"))
            .iter()
            .map(|r| {
                let text = |k: &str| r[k].as_str().unwrap().to_string();
                (text("file"), r["line"].as_u64().unwrap(), text("reason"))
            })
            .collect();
        let expected: Vec<(String, u64, String)> =
            rejects.iter().map(|(f, l, r)| (f.to_string(), *l, r.to_string())).collect();
        assert_eq!(found, expected, "seed {seed}");
        // Each input's lines and line digest are those of the whole-file read, so `zhijian
        // diff` knows it is the same input (and finds no change) though no sha256 is known.
        let digests = inputs(&dir, "out", "lines_digest");
        assert!(digests.iter().all(|(_, d)| d.as_str().is_some_and(|d| d.len() == 32)));
        assert_ne!(digests[0].1, digests[1].1);
        assert_eq!(inputs(&dir, &out, "lines_digest"), digests);
        assert_eq!(inputs(&dir, &out, "lines"), inputs(&dir, "out", "lines"));
        let diff = dir.zhijian(&["diff", "out", &out, "--json"]).success();
        let diff: serde_json::Value = serde_json::from_slice(&diff.stdout()).unwrap();
        assert_eq!(diff["same_input"], true, "{diff}");
    }
}

/// Each input of a report's manifest: its path and one field.
fn inputs(dir: &Workdir, report: &str, field: &str) -> Vec<(String, serde_json::Value)> {
    let manifest = dir.read_json(&format!("{report}/manifest.json"));
    let inputs = manifest["inputs"].as_array().unwrap().iter();
    inputs.map(|i| (i["path"].as_str().unwrap().to_string(), i[field].clone())).collect()
}

#[test]
fn risk_sampling_rule_packs_and_tickets_jsonl_render_as_one_audit_does() {
    let dir = Workdir::new();
    corpus(&dir);
    // The e-commerce rule pack in risk mode (rate 0.5, floor 1, cap 2), tickets.jsonl, another
    // seed and SLA: every option that reaches a record or the sample.
    let pack = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let template = std::fs::read_to_string(pack.join("ecommerce.toml")).unwrap().replace(
        "[sampling]\nmode = \"plain\"",
        "[sampling]\nmode = \"risk\"\nrate = 0.5\nfloor = 1\ncap = 2",
    );
    assert!(template.contains("mode = \"risk\""), "the pack's [sampling] table moved");
    dir.write("risk.toml", template);
    for entry in std::fs::read_dir(pack.join("ecommerce")).unwrap().flatten() {
        let name = format!("ecommerce/{}", entry.file_name().to_string_lossy());
        dir.write(&name, std::fs::read(entry.path()).unwrap());
    }
    let shaping = ["--template", "risk.toml", "--per-ticket", "--sla-seconds", "20"];
    let mut options = shaping.to_vec();
    options.extend(["--seed", "7"]);
    dir.audit("in", &options).success();
    let rows = rows(&dir);
    for (i, part) in rows.chunks(rows.len() / 3 + 1).enumerate() {
        map_rows_with(&dir, part, &format!("p{i}.tsv"), &shaping);
    }
    render_with(&dir, &["p2.tsv", "p0.tsv", "p1.tsv"], "rendered", &options);
    let single = report_files(&dir.join("out"), &["runtime", "inputs"]);
    let sharded = report_files(&dir.join("rendered"), &["runtime", "inputs"]);
    assert!(single.contains_key("tickets.jsonl") && single.contains_key("review_queue.csv"));
    let differ: Vec<&String> =
        single.keys().filter(|name| sharded.get(*name) != single.get(*name)).collect();
    assert!(differ.is_empty() && sharded.len() == single.len(), "differ: {differ:?}");
}

#[test]
fn duplicate_rejects_name_the_copy_read_first_whichever_shard_had_it() {
    let dir = Workdir::new();
    corpus(&dir);
    let rows = rows(&dir);
    // The later copy (in/a.jsonl line 31) alone in the first shard, the earlier (line 5) in
    // the second: the earlier one is audited, the later one is its duplicate.
    let (late, early): (Vec<String>, Vec<String>) =
        rows.iter().cloned().partition(|r| r.starts_with("in/a.jsonl\t31\t"));
    map_rows(&dir, &late, "late.tsv");
    map_rows(&dir, &early, "early.tsv");
    render(&dir, &["late.tsv", "early.tsv"], "out");
    let rejects = dir.read_jsonl("out/rejects.jsonl");
    let late = rejects.iter().find(|r| r["file"] == "in/a.jsonl" && r["line"] == 31).unwrap();
    assert_eq!(late["reason"], "duplicate_ticket_id");
    let detail = late["detail"].as_str().unwrap();
    assert!(detail.ends_with("was already audited from in/a.jsonl:5"), "{detail}");
}

#[test]
fn combine_gives_the_same_records_in_any_grouping_and_order() {
    let dir = Workdir::new();
    corpus(&dir);
    let rows = rows(&dir);
    for (i, part) in rows.chunks(rows.len() / 3 + 1).enumerate() {
        map_rows(&dir, part, &format!("p{i}.tsv"));
    }
    let all = dir.zhijian(&["combine", "p0.tsv", "p1.tsv", "p2.tsv"]).success().stdout();
    let reversed = dir.zhijian(&["combine", "p2.tsv", "p1.tsv", "p0.tsv"]).success().stdout();
    assert!(all == reversed, "combine is not commutative");
    dir.zhijian(&["combine", "-o", "p20.tsv", "p2.tsv", "p0.tsv"]).success();
    let grouped = dir.zhijian(&["combine", "p1.tsv", "p20.tsv"]).success().stdout();
    assert!(all == grouped, "combine is not associative");
    dir.write("all.tsv", &all);
    let again = dir.zhijian(&["combine", "all.tsv"]).success().stdout();
    assert!(all == again, "combining merged records changes them");
}

#[test]
fn whole_files_mapped_apart_keep_their_size_and_digest_in_the_manifest() {
    let dir = Workdir::new();
    corpus(&dir);
    dir.audit("in", &[]).success();
    let lexicons = lexicons();
    for (file, out) in [("in/a.jsonl", "a.tsv"), ("in/b.jsonl", "b.tsv")] {
        dir.zhijian(&["map", "--quiet", "--lexicons", &lexicons, "--out", out, file]).success();
    }
    render(&dir, &["b.tsv", "a.tsv"], "rendered");
    // Only the wall clock differs: each file was read whole by one process.
    let single = report_files(&dir.join("out"), &["runtime"]);
    let rendered = report_files(&dir.join("rendered"), &["runtime"]);
    let differ: Vec<&String> =
        single.keys().filter(|name| rendered.get(*name) != single.get(*name)).collect();
    assert!(differ.is_empty() && rendered.len() == single.len(), "differ: {differ:?}");
}

#[test]
fn render_refuses_records_mapped_with_other_options() {
    let dir = Workdir::new();
    corpus(&dir);
    let lexicons = lexicons();
    let map = ["map", "--quiet", "--no-mask", "--lexicons", &lexicons, "--out", "p.tsv", "in"];
    dir.zhijian(&map).success();
    let run = dir.zhijian(&["render", "--quiet", "--lexicons", &lexicons, "--out", "out", "p.tsv"]);
    let stderr = run.failure().stderr();
    assert!(stderr.contains("other lexicons, template or options"), "{stderr}");
    assert!(!dir.join("out").exists(), "a refused render wrote reports");
}

#[test]
fn a_line_that_is_not_a_record_is_named_by_file_and_line() {
    let dir = Workdir::new();
    corpus(&dir);
    let lexicons = lexicons();
    dir.zhijian(&["map", "--quiet", "--lexicons", &lexicons, "--out", "p.tsv", "in"]).success();
    let mut lines: Vec<String> =
        String::from_utf8(dir.read("p.tsv")).unwrap().lines().map(String::from).collect();
    lines[2] = "t00\t{\"ticket\":".into();
    dir.write("broken.tsv", lines.join("\n"));
    let stderr = dir.zhijian(&["combine", "broken.tsv"]).failure().stderr();
    assert!(stderr.contains("broken.tsv:3: not a partial record"), "{stderr}");
}

#[test]
fn map_rows_refuses_a_row_without_file_and_line_and_leaves_no_half_file() {
    let dir = Workdir::new();
    dir.write("rows.txt", "in/a.jsonl\t1\t{}\nno tabs here\n");
    let lexicons = lexicons();
    let input = std::fs::File::open(dir.join("rows.txt")).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_zhijian"))
        .args(["map", "--rows", "--quiet", "--lexicons", &lexicons, "--out", "p.tsv", "-"])
        .current_dir(dir.path())
        .stdin(input)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("row 2: fewer than three tab-separated fields"), "{stderr}");
    // Never a half file: records are written under a temporary name, renamed when complete.
    assert_eq!(dir.listing().trim(), "rows.txt", "left behind:\n{}", dir.listing());
}

#[test]
fn partial_records_hold_no_personal_data_in_clear() {
    let dir = Workdir::new();
    // The same ticket twice (the second copy becomes a duplicate reject, which shows the start
    // of its line), with a phone number and an e-mail address in a message.
    let ticket = r#"{"ticket_id":"P1","agent_id":"A1","messages":[{"role":"customer","text":"我的电话13812345678，邮箱 li.lei@example.com，快递还没到"},{"role":"agent","text":"好的"}]}"#;
    dir.write("in/p.jsonl", format!("{ticket}\n{ticket}\n"));
    let lexicons = lexicons();
    dir.zhijian(&["map", "--quiet", "--lexicons", &lexicons, "--out", "p.tsv", "in"]).success();
    dir.zhijian(&["combine", "p.tsv", "-o", "c.tsv"]).success();
    for records in ["p.tsv", "c.tsv"] {
        let text = String::from_utf8(dir.read(records)).unwrap();
        assert!(text.contains("P1"), "{records} lost the ticket");
        for secret in ["13812345678", "li.lei@example.com", "12345678"] {
            assert!(!text.contains(secret), "{records} holds {secret} in clear");
        }
    }
    render(&dir, &["c.tsv"], "out");
    let rejects = dir.read_jsonl("out/rejects.jsonl");
    assert_eq!(rejects.len(), 1);
    assert!(!rejects[0]["raw"].as_str().unwrap().contains("13812345678"));
}

#[test]
fn a_file_of_blank_lines_is_an_input_through_rows_too() {
    let dir = Workdir::new();
    corpus(&dir);
    dir.write("in/blank.jsonl", "\n  \n");
    dir.audit("in", &[]).success();
    let mut rows = rows(&dir);
    rows.push("in/blank.jsonl\t1\t".into());
    rows.push("in/blank.jsonl\t2\t  ".into());
    map_rows(&dir, &rows, "p.tsv");
    render(&dir, &["p.tsv"], "rendered");
    let single = report_files(&dir.join("out"), &["runtime", "inputs"]);
    let sharded = report_files(&dir.join("rendered"), &["runtime", "inputs"]);
    let differ: Vec<&String> =
        single.keys().filter(|name| sharded.get(*name) != single.get(*name)).collect();
    assert!(differ.is_empty(), "differ: {differ:?}");
    // The team page lists it (compared above), and the manifest counts its lines: none.
    assert_eq!(inputs(&dir, "rendered", "lines"), inputs(&dir, "out", "lines"));
    assert!(inputs(&dir, "out", "lines").contains(&("in/blank.jsonl".to_string(), 0.into())));
}

#[cfg(unix)]
#[test]
fn record_files_are_readable_as_any_file_the_user_writes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Workdir::new();
    corpus(&dir);
    let lexicons = lexicons();
    dir.zhijian(&["map", "--quiet", "--lexicons", &lexicons, "--out", "p.tsv", "in"]).success();
    dir.zhijian(&["combine", "p.tsv", "-o", "c.tsv"]).success();
    // A file created the ordinary way, under the same umask, is the reference.
    let ordinary = dir.write("ordinary.txt", "x");
    let mode =
        |path: std::path::PathBuf| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(dir.join("p.tsv")), mode(ordinary.clone()));
    assert_eq!(mode(dir.join("c.tsv")), mode(ordinary));
}
