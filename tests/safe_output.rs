//! Invariant 5 and the command line's promises: reports appear whole or not at all, a foreign
//! directory is never replaced, personal data is masked, spreadsheet formulas are neutralized,
//! agent ids never escape the output directory, and failures exit non-zero with one line.

use crate::util::Workdir;

const GOOD: &str = r#"{"ticket_id":"T1","agent_id":"A1","messages":[{"role":"customer","text":"在吗"},{"role":"agent","text":"您好"}]}"#;

#[test]
fn a_failed_run_leaves_the_previous_reports_intact() {
    let dir = Workdir::new();
    dir.write("in.jsonl", format!("{GOOD}\n"));
    dir.audit("in.jsonl", &[]).success();
    let before = dir.read("out/summary.json");

    // gzip magic followed by garbage: reading fails after the run has started.
    dir.write("bad.jsonl.gz", b"\x1f\x8b\x08\x00garbage that is not deflate");
    let run = dir.audit("bad.jsonl.gz", &[]).failure();
    assert!(run.stderr().contains("bad.jsonl.gz"), "{}", run.stderr());
    assert_eq!(run.stderr().trim_end().lines().count(), 1, "{}", run.stderr());
    assert_eq!(dir.read("out/summary.json"), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".zhijian-"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind:\n{}", dir.listing());
}

#[test]
fn a_killed_run_leaves_the_previous_reports_intact() {
    use std::io::Write;
    let dir = Workdir::new();
    dir.write("small.jsonl", format!("{GOOD}\n"));
    dir.audit("small.jsonl", &[]).success();
    let before = dir.read("out/summary.json");
    let out_listing = |dir: &Workdir| -> Vec<String> {
        dir.listing()
            .lines()
            .filter(|l| l.contains("out/") || l.ends_with("out"))
            .map(String::from)
            .collect()
    };
    let listing = out_listing(&dir);

    // The input is a FIFO held open, so the run is still reading when it is killed.
    let fifo = dir.join("night.jsonl");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let mut pipe = std::fs::File::options().read(true).write(true).open(&fifo).unwrap();
    for i in 0..200 {
        writeln!(pipe, "{}", GOOD.replace("T1", &format!("N{i}"))).unwrap();
    }
    let lexicons = crate::util::fixture("lexicons");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zhijian"))
        .args(["audit", "night.jsonl", "--out", "out", "--quiet", "--threads", "1", "--lexicons"])
        .arg(&lexicons)
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    let staging = |dir: &Workdir| {
        std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(".out.zhijian-"))
    };
    // Bounded wait (30 s) for the run to be under way: its staging directory holds files.
    let mut staged = None;
    for _ in 0..3000 {
        staged = staging(&dir).filter(|s| s.join(".spill").exists());
        if staged.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(pipe);
    assert!(staged.is_some(), "the run never made its staging directory:\n{}", dir.listing());
    assert_eq!(dir.read("out/summary.json"), before, "the old report changed");
    assert_eq!(out_listing(&dir), listing, "files appeared in or vanished from out/");

    // The next run finishes and clears what the killed one left behind.
    dir.audit("small.jsonl", &[]).success();
    assert_eq!(staging(&dir), None, "stale staging left behind:\n{}", dir.listing());
}

#[test]
fn a_new_run_replaces_an_old_report_whole() {
    let dir = Workdir::new();
    dir.write("in.jsonl", format!("{GOOD}\n"));
    dir.audit("in.jsonl", &["--per-ticket"]).success();
    assert!(dir.join("out/tickets.jsonl").exists());
    dir.audit("in.jsonl", &[]).success();
    assert!(!dir.join("out/tickets.jsonl").exists(), "stale file from the old run");
}

#[test]
fn never_replaces_a_directory_that_is_not_a_report() {
    let dir = Workdir::new();
    dir.write("in.jsonl", format!("{GOOD}\n"));
    dir.write("out/thesis.docx", "precious");
    let run = dir.audit("in.jsonl", &[]).failure();
    assert!(run.stderr().contains("not a zhijian report"), "{}", run.stderr());
    assert_eq!(dir.read("out/thesis.docx"), b"precious");
}

#[test]
fn personal_data_is_masked_unless_asked() {
    let dir = Workdir::new();
    let line = r#"{"ticket_id":"P1","agent_id":"A1","messages":[{"role":"customer","text":"号码多少"},{"role":"agent","text":"您的手机是13812345678吧"}]}"#;
    dir.write("in.jsonl", format!("{line}\n"));
    dir.audit("in.jsonl", &[]).success();
    let flagged = String::from_utf8(dir.read("out/flagged.jsonl")).unwrap();
    assert!(flagged.contains("pii_exposed"), "{flagged}");
    assert!(flagged.contains("138****5678"), "{flagged}");
    assert!(!flagged.contains("13812345678"), "{flagged}");
    let page = String::from_utf8(dir.read("out/agents/A1.md")).unwrap();
    assert!(!page.contains("13812345678"), "{page}");

    dir.audit("in.jsonl", &["--no-mask"]).success();
    let flagged = String::from_utf8(dir.read("out/flagged.jsonl")).unwrap();
    assert!(flagged.contains("13812345678"), "{flagged}");
}

#[test]
fn formulas_are_neutralized_and_ids_stay_inside() {
    let dir = Workdir::new();
    let lines = [
        r#"{"ticket_id":"=HYPERLINK(\"http://x\")","agent_id":"../../evil","messages":[{"role":"agent","text":"您好"}]}"#,
        r#"{"ticket_id":"T2","agent_id":"@SUM(A1)","agent_name":"-1+1","messages":[{"role":"agent","text":"您好"}]}"#,
    ];
    dir.write("in.jsonl", lines.join("\n"));
    dir.audit("in.jsonl", &["--sample-rate", "1"]).success();
    let queue = String::from_utf8(dir.read("out/review_queue.csv")[3..].to_vec()).unwrap();
    assert!(queue.contains("'=HYPERLINK"), "{queue}");
    assert!(queue.contains("'@SUM(A1)"), "{queue}");
    assert!(queue.contains("'-1+1"), "{queue}");
    let agents = String::from_utf8(dir.read("out/agents.csv")[3..].to_vec()).unwrap();
    assert!(agents.contains("'@SUM(A1)"), "{agents}");
    let pages: Vec<String> = std::fs::read_dir(dir.join("out/agents"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(pages.len(), 4, "a Markdown and an HTML page for each of two agents: {pages:?}");
    assert!(
        !dir.join("evil.md").exists() && !dir.path().parent().unwrap().join("evil.md").exists()
    );
    let page_like = |p: &String| p.ends_with(".md") || p.ends_with(".html");
    assert!(pages.iter().all(|p| !p.starts_with('.') && page_like(p)), "{pages:?}");
}

#[test]
fn bad_options_fail_with_one_line() {
    let dir = Workdir::new();
    dir.write("in.jsonl", format!("{GOOD}\n"));
    for (args, says) in [
        (vec!["--sample-rate", "1.5"], "--sample-rate"),
        (vec!["--threads", "0"], "--threads"),
        (vec!["--lexicons", "nowhere"], "--lexicons"),
    ] {
        let mut full = vec!["audit", "in.jsonl", "--out", "out"];
        full.extend(args);
        let run = dir.zhijian(&full).failure();
        assert_eq!(run.output.status.code(), Some(1));
        assert!(
            run.stderr().starts_with("zhijian: ") && run.stderr().contains(says),
            "{}",
            run.stderr()
        );
        assert_eq!(run.stderr().trim_end().lines().count(), 1);
    }
}

#[test]
fn lexicon_errors_name_file_and_line() {
    let dir = Workdir::new();
    dir.write("in.jsonl", format!("{GOOD}\n"));
    dir.write("lex/empathy.txt", "# ok\n理解您\n抱歉 | w=zero\n");
    let run = dir.zhijian(&["audit", "in.jsonl", "--out", "out", "--lexicons", "lex"]).failure();
    assert!(
        run.stderr().contains("empathy.txt:3: weight `zero` is not a number"),
        "{}",
        run.stderr()
    );
}

#[test]
fn html_pages_are_self_contained_and_escape_every_transcript_byte() {
    let dir = Workdir::new();
    let line = serde_json::json!({
        "ticket_id": "H1<b>",
        "agent_id": "A\"><img src=x onerror=alert(1)>",
        "agent_name": "<i>小王</i>",
        "messages": [
            {"role": "customer", "text": "<script>alert('x')</script>在吗"},
            {"role": "agent", "text": "<script>alert(1)</script>你自己看 & 13812345678"},
        ],
    });
    dir.write("in.jsonl", format!("{line}\n"));
    dir.audit("in.jsonl", &[]).success();
    let mut pages = vec![String::from_utf8(dir.read("out/index.html")).unwrap()];
    for entry in std::fs::read_dir(dir.join("out/agents")).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "html") {
            pages.push(std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    assert_eq!(pages.len(), 2, "index and one agent page\n{}", dir.listing());
    // The team page's own sorting script (allowed by its hash, tests/team_page.rs) is the one
    // script any page holds; it is ours, so it is set aside before looking for injected ones.
    let own = pages[0].rfind("<script>").expect("the team page's script");
    let end = pages[0][own..].find("</script>").unwrap() + own + "</script>".len();
    pages[0].replace_range(own..end, "");
    for page in &pages {
        for raw in ["<script", "<img", "<b>", "<i>", "onerror=alert(1)>"] {
            assert!(!page.contains(raw), "unescaped {raw:?} in\n{page}");
        }
        for external in ["http://", "https://", "src=\"", "<link", "@import"] {
            assert!(!page.contains(external), "external resource {external:?} in\n{page}");
        }
        assert!(!page.contains("13812345678"), "unmasked phone in\n{page}");
    }
    let agent_page = &pages[1];
    assert!(agent_page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{agent_page}");
    assert!(agent_page.contains("<mark class=why>你自己看</mark>"), "{agent_page}");
    assert!(agent_page.contains("&lt;i&gt;小王&lt;/i&gt;"), "{agent_page}");
    assert!(agent_page.contains("<svg"), "radar chart missing");
}
