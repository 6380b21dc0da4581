//! The `--out` directory: zhijian replaces only what it wrote itself, recovers from a run killed
//! at any step of the swap, gives every agent its own page whatever its id, handles an `--out`
//! that is a link, and never reads its own reports back as input.

use std::path::Path;

use crate::util::{fixture, Run, Workdir};

const GOOD: &str = r#"{"ticket_id":"T1","agent_id":"A1","messages":[{"role":"customer","text":"在吗"},{"role":"agent","text":"您好"}]}"#;

/// A pid no process can have: above Linux's largest `pid_max` (2^22).
const DEAD: u32 = 99_999_999;

/// `zhijian audit INPUT --out OUT` without `--quiet`, so what it cleans up is on stderr.
fn audit_to(dir: &Workdir, input: &str, out: &str) -> Run {
    let lexicons = fixture("lexicons");
    dir.zhijian(&["audit", input, "--out", out, "--lexicons", lexicons.to_str().unwrap()])
}

/// Writes `name` holding one ticket of agent `agent` and returns the name.
fn input(dir: &Workdir, name: &str, agent: &str) -> String {
    let line = GOOD.replace("\"A1\"", &format!("\"{agent}\""));
    dir.write(name, format!("{line}\n"));
    name.to_string()
}

/// Every file and directory under `root`, relative, sorted (directories end in `/`).
fn tree(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            if entry.file_type().unwrap().is_dir() {
                out.push(format!("{rel}/"));
                stack.push(path);
            } else {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

/// The `inputs` a report's manifest names.
fn inputs_of(dir: &Workdir, out: &str) -> Vec<String> {
    let manifest = dir.read_json(&format!("{out}/manifest.json"));
    manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap().to_string())
        .collect()
}

/// Staging and set-aside directories beside the reports.
fn leftovers(dir: &Workdir) -> Vec<String> {
    let names = std::fs::read_dir(dir.path()).unwrap().flatten();
    let names = names.map(|e| e.file_name().to_string_lossy().into_owned());
    names
        .filter(|n| n.starts_with('.') && (n.contains(".zhijian-") || n.ends_with(".old")))
        .collect()
}

#[test]
fn a_reviewers_file_inside_the_report_is_never_deleted() {
    let dir = Workdir::new();
    input(&dir, "in.jsonl", "A1");
    audit_to(&dir, "in.jsonl", "out").success();
    dir.write("out/review_queue_已复核.csv", "工单,结论\nT1,同意\n");

    let run = audit_to(&dir, "in.jsonl", "out").failure();
    assert_eq!(dir.read("out/review_queue_已复核.csv"), "工单,结论\nT1,同意\n".as_bytes());
    let stderr = run.stderr();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("review_queue_已复核.csv"), "{stderr}");
    assert!(stderr.contains("move them out or choose another --out"), "{stderr}");
}

#[test]
fn a_report_file_edited_after_the_run_is_never_deleted() {
    let dir = Workdir::new();
    input(&dir, "in.jsonl", "A1");
    audit_to(&dir, "in.jsonl", "out").success();
    // The reviewer fills in review_queue.csv in place the next morning.
    let mut queue = dir.read("out/review_queue.csv");
    queue.extend_from_slice("同意\n".as_bytes());
    let path = dir.write("out/review_queue.csv", &queue);
    let next_morning = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(next_morning).unwrap();

    let run = audit_to(&dir, "in.jsonl", "out").failure();
    assert_eq!(dir.read("out/review_queue.csv"), queue);
    assert!(run.stderr().contains("review_queue.csv (edited)"), "{}", run.stderr());
}

#[test]
fn the_refusal_names_the_first_unknown_files_and_how_many() {
    let dir = Workdir::new();
    input(&dir, "in.jsonl", "A1");
    audit_to(&dir, "in.jsonl", "out").success();
    for name in ["e.txt", "a.txt", "d.txt", "c.txt", "b.txt"] {
        dir.write(&format!("out/{name}"), "mine");
    }
    let run = audit_to(&dir, "in.jsonl", "out").failure();
    assert!(
        run.stderr().contains("not a zhijian report: it holds files zhijian did not write (a.txt, b.txt, c.txt and 2 more); move them out or choose another --out"),
        "{}",
        run.stderr()
    );
    let mine =
        tree(&dir.join("out")).into_iter().filter(|p| p.ends_with(".txt") && !p.contains('/'));
    assert_eq!(mine.count(), 5);
}

/// A report as the previous release wrote it: the same files, without the marker and the
/// copies of the lexicons and template and the digest it did not yet write.
fn previous_release_report(dir: &Workdir, extra: &[&str]) {
    input(dir, "in.jsonl", "A1");
    let lexicons = fixture("lexicons");
    let mut args = vec!["audit", "in.jsonl", "--out", "out", "--lexicons"];
    args.push(lexicons.to_str().unwrap());
    args.extend_from_slice(extra);
    dir.zhijian(&args).success();
    let _ = std::fs::remove_file(dir.join("out/.zhijian-report"));
    std::fs::remove_dir_all(dir.join("out/lexicons")).unwrap();
    std::fs::remove_file(dir.join("out/template.toml")).unwrap();
    std::fs::remove_file(dir.join("out/digest.md")).unwrap();
}

#[test]
fn a_report_of_the_previous_release_is_replaced_whole() {
    let dir = Workdir::new();
    previous_release_report(&dir, &["--per-ticket"]);
    assert!(dir.join("out/tickets.jsonl").exists());
    audit_to(&dir, "in.jsonl", "out").success();
    assert!(!dir.join("out/tickets.jsonl").exists(), "stale file from the old run");
    assert!(dir.join("out/.zhijian-report").is_file());
}

#[test]
fn a_report_of_the_previous_release_holding_other_files_is_refused() {
    let dir = Workdir::new();
    previous_release_report(&dir, &[]);
    dir.write("out/agents/notes.txt", "coaching notes");
    let run = audit_to(&dir, "in.jsonl", "out").failure();
    assert!(run.stderr().contains("(agents/notes.txt)"), "{}", run.stderr());
    assert_eq!(dir.read("out/agents/notes.txt"), b"coaching notes");
}

#[test]
fn a_directory_with_someone_elses_manifest_is_refused() {
    let dir = Workdir::new();
    input(&dir, "in.jsonl", "A1");
    dir.write("out/manifest.json", r#"{"name":"my-web-app","version":"1.0.0"}"#);
    dir.write("out/index.html", "<h1>my site</h1>");
    let run = audit_to(&dir, "in.jsonl", "out").failure();
    assert!(run.stderr().contains("(index.html, manifest.json)"), "{}", run.stderr());
    assert_eq!(dir.read("out/index.html"), b"<h1>my site</h1>");
}

/// The filesystem a run killed at one step of the swap leaves behind.
struct Killed {
    name: &'static str,
    /// Builds the state from `old` (the report before) and `new` (the killed run's report).
    arrange: fn(&Workdir),
    /// What the next run must say it cleaned up.
    says: &'static [&'static str],
}

fn staging() -> String {
    format!(".out.zhijian-{DEAD}.staging")
}

fn aside() -> String {
    format!(".out.zhijian-{DEAD}.aside")
}

fn rename(dir: &Workdir, from: &str, to: &str) {
    std::fs::rename(dir.join(from), dir.join(to)).unwrap();
}

const KILLED: &[Killed] = &[
    Killed {
        name: "(a) staging complete",
        arrange: |dir| {
            rename(dir, "old", "out");
            rename(dir, "new", &staging());
        },
        says: &["removed", ".out.zhijian-99999999.staging"],
    },
    Killed {
        name: "(b) old report moved aside",
        arrange: |dir| {
            rename(dir, "old", &aside());
            rename(dir, "new", &staging());
        },
        says: &["put", ".out.zhijian-99999999.aside", "back", ".out.zhijian-99999999.staging"],
    },
    Killed {
        name: "(c) staging renamed to --out",
        arrange: |dir| {
            rename(dir, "old", &aside());
            rename(dir, "new", "out");
        },
        says: &["removed", ".out.zhijian-99999999.aside"],
    },
    Killed {
        name: "(d) aside half deleted",
        arrange: |dir| {
            std::fs::remove_file(dir.join("old/summary.json")).unwrap();
            std::fs::remove_file(dir.join("old/agents/A1.md")).unwrap();
            rename(dir, "old", &aside());
            rename(dir, "new", "out");
        },
        says: &["removed", ".out.zhijian-99999999.aside"],
    },
];

#[test]
fn a_run_killed_at_any_step_of_the_swap_is_recovered_by_the_next() {
    for case in KILLED {
        let dir = Workdir::new();
        input(&dir, "old.jsonl", "A1");
        input(&dir, "killed.jsonl", "A1");
        input(&dir, "tonight.jsonl", "A1");
        audit_to(&dir, "tonight.jsonl", "expected").success();
        audit_to(&dir, "old.jsonl", "old").success();
        audit_to(&dir, "killed.jsonl", "new").success();
        dir.write("notes.txt", "the user's own file beside the report");
        (case.arrange)(&dir);

        let run = audit_to(&dir, "tonight.jsonl", "out");
        let run = run.success();
        let name = case.name;
        assert_eq!(tree(&dir.join("out")), tree(&dir.join("expected")), "{name}");
        assert_eq!(inputs_of(&dir, "out"), ["tonight.jsonl"], "{name}");
        assert_eq!(dir.read("out/summary.json"), dir.read("expected/summary.json"), "{name}");
        assert_eq!(dir.read("notes.txt"), b"the user's own file beside the report", "{name}");
        assert_eq!(leftovers(&dir), Vec::<String>::new(), "{name}:\n{}", dir.listing());
        let stderr = run.stderr();
        let cleanup = stderr.lines().next().unwrap_or_default();
        for word in case.says {
            assert!(cleanup.contains(word), "{name}: {word:?} not in the first line of\n{stderr}");
        }
    }
}

#[test]
fn a_run_killed_after_moving_the_old_report_aside_never_loses_it() {
    let dir = Workdir::new();
    input(&dir, "old.jsonl", "A1");
    input(&dir, "killed.jsonl", "A1");
    audit_to(&dir, "old.jsonl", "old").success();
    audit_to(&dir, "killed.jsonl", "new").success();
    let before = dir.read("old/summary.json");
    let old_tree = tree(&dir.join("old"));
    rename(&dir, "old", &aside());
    rename(&dir, "new", &staging());

    // The next run fails; the old report is back in --out all the same.
    dir.write("bad.jsonl.gz", b"\x1f\x8b\x08\x00garbage that is not deflate");
    let run = audit_to(&dir, "bad.jsonl.gz", "out").failure();
    assert!(run.stderr().contains("bad.jsonl.gz"), "{}", run.stderr());
    assert_eq!(tree(&dir.join("out")), old_tree);
    assert_eq!(dir.read("out/summary.json"), before);
    assert_eq!(inputs_of(&dir, "out"), ["old.jsonl"]);
    assert_eq!(leftovers(&dir), Vec::<String>::new(), "\n{}", dir.listing());
}

#[test]
fn a_set_aside_left_by_the_previous_release_no_longer_blocks_runs() {
    let dir = Workdir::new();
    input(&dir, "in.jsonl", "A1");
    audit_to(&dir, "in.jsonl", "out").success();
    // The previous release always set the old report aside as `.out.old`; a run killed while
    // deleting it left this behind.
    dir.write(".out.old/flagged.jsonl", "");
    dir.write(".out.old/agents/A1.md", "# 客服质检报告");
    let run = audit_to(&dir, "in.jsonl", "out").success();
    assert_eq!(leftovers(&dir), Vec::<String>::new(), "\n{}", dir.listing());
    assert!(run.stderr().lines().next().unwrap().contains(".out.old"), "{}", run.stderr());
}

#[test]
fn a_set_aside_holding_someone_elses_file_is_kept_and_named() {
    let dir = Workdir::new();
    input(&dir, "in.jsonl", "A1");
    audit_to(&dir, "in.jsonl", "old").success();
    dir.write("old/mine.txt", "put here by hand");
    rename(&dir, "old", &aside());
    audit_to(&dir, "in.jsonl", "out").success();
    assert_eq!(dir.read(&format!("{}/mine.txt", aside())), b"put here by hand");
    let run = audit_to(&dir, "in.jsonl", "out").success();
    let stderr = run.stderr();
    assert!(stderr.contains(&aside()) && stderr.contains("mine.txt"), "{stderr}");
    assert!(stderr.contains("remove it by hand"), "{stderr}");
}

#[test]
fn a_live_runs_staging_directory_is_left_alone() {
    let dir = Workdir::new();
    input(&dir, "in.jsonl", "A1");
    // This test's own process is alive, so its pid stands for a run in progress.
    let live = format!(".out.zhijian-{}.staging", std::process::id());
    dir.write(&format!("{live}/flagged.jsonl"), "");
    audit_to(&dir, "in.jsonl", "out").success();
    assert!(dir.join(&live).join("flagged.jsonl").exists(), "\n{}", dir.listing());
}

/// Polls (bounded: 30 s) until a staging directory appears beside `out`; returns its name.
fn wait_for_staging(dir: &Workdir) -> Option<String> {
    for _ in 0..3000 {
        let found = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with(".out.zhijian-") && n.ends_with(".staging"));
        if found.is_some() {
            return found;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    None
}

#[test]
fn a_file_saved_into_the_report_during_a_run_is_never_deleted() {
    let dir = Workdir::new();
    input(&dir, "in.jsonl", "A1");
    audit_to(&dir, "in.jsonl", "out").success();
    // The night's input is a FIFO: the run waits at it, staged, until the test writes.
    let fifo = dir.join("night.jsonl");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let lexicons = fixture("lexicons");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_zhijian"))
        .args(["audit", "night.jsonl", "--out", "out", "--quiet", "--lexicons"])
        .arg(&lexicons)
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let staged = wait_for_staging(&dir);
    dir.write("out/review_queue_已复核.csv", "T1,同意\n");
    // Opening the FIFO waits for zhijian to open it too; a thread, so a run that died first
    // fails the assertions below instead of hanging the test.
    std::thread::spawn(move || std::fs::write(fifo, format!("{GOOD}\n")));
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(staged.is_some(), "no staging directory appeared\n{}", dir.listing());
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("review_queue_已复核.csv"), "{stderr}");
    assert_eq!(dir.read("out/review_queue_已复核.csv"), "T1,同意\n".as_bytes());
    assert_eq!(inputs_of(&dir, "out"), ["in.jsonl"]);
    assert_eq!(leftovers(&dir), Vec::<String>::new(), "\n{}", dir.listing());
}

/// The page names zhijian gave the agents of `input`, without `agents/` and extension.
fn page_stems(dir: &Workdir, out: &str) -> Vec<String> {
    let mut stems: Vec<String> = tree(&dir.join(out).join("agents"))
        .into_iter()
        .filter_map(|p| p.strip_suffix(".html").map(str::to_string))
        .collect();
    stems.sort();
    stems
}

#[test]
fn two_agents_never_share_a_page() {
    let dir = Workdir::new();
    input(&dir, "one.jsonl", "a/b");
    audit_to(&dir, "one.jsonl", "first").success();
    let [escaped] = page_stems(&dir, "first").try_into().unwrap();
    // An agent whose id is literally the escaped name of `a/b`.
    let lines =
        [GOOD.replace("\"A1\"", "\"a/b\""), GOOD.replace("T1", "T2").replace("A1", &escaped)];
    dir.write("two.jsonl", lines.join("\n") + "\n");
    audit_to(&dir, "two.jsonl", "out").success();
    let stems = page_stems(&dir, "out");
    assert_eq!(stems.len(), 2, "{stems:?}");
    let md = tree(&dir.join("out/agents")).into_iter().filter(|p| p.ends_with(".md")).count();
    assert_eq!(md, 2, "\n{}", dir.listing());
}

#[test]
fn an_agent_id_of_sixty_three_four_byte_characters_gets_its_pages() {
    let dir = Workdir::new();
    let id = "𠀀".repeat(63);
    assert_eq!(id.len(), 252);
    input(&dir, "in.jsonl", &id);
    audit_to(&dir, "in.jsonl", "out").success();
    let pages = tree(&dir.join("out/agents"));
    assert_eq!(pages.len(), 2, "{pages:?}");
    for page in &pages {
        assert!(page.len() <= 255, "{page}: {} bytes", page.len());
        assert!(page.starts_with("𠀀"), "{page}");
    }
}

#[test]
fn an_out_that_is_a_link_replaces_the_report_it_points_to_and_stays_a_link() {
    let dir = Workdir::new();
    input(&dir, "old.jsonl", "A1");
    input(&dir, "in.jsonl", "A1");
    audit_to(&dir, "old.jsonl", "reports/2026-11-21").success();
    std::os::unix::fs::symlink("reports/2026-11-21", dir.join("out")).unwrap();
    audit_to(&dir, "in.jsonl", "out").success();
    let link = std::fs::read_link(dir.join("out")).expect("out is still a link");
    assert_eq!(link, Path::new("reports/2026-11-21"));
    assert_eq!(inputs_of(&dir, "reports/2026-11-21"), ["in.jsonl"]);
    assert_eq!(leftovers(&dir), Vec::<String>::new(), "\n{}", dir.listing());
}

#[test]
fn an_out_link_to_a_users_directory_is_refused() {
    let dir = Workdir::new();
    input(&dir, "in.jsonl", "A1");
    dir.write("thesis/chapter1.docx", "precious");
    std::os::unix::fs::symlink("thesis", dir.join("out")).unwrap();
    let run = audit_to(&dir, "in.jsonl", "out").failure();
    assert!(run.stderr().contains("chapter1.docx"), "{}", run.stderr());
    assert_eq!(dir.read("thesis/chapter1.docx"), b"precious");
    assert!(std::fs::read_link(dir.join("out")).is_ok());
}

#[test]
fn a_dangling_out_link_is_refused_and_kept() {
    let dir = Workdir::new();
    input(&dir, "in.jsonl", "A1");
    std::os::unix::fs::symlink("/nonexistent/reports", dir.join("out")).unwrap();
    let run = audit_to(&dir, "in.jsonl", "out").failure();
    let stderr = run.stderr();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("/nonexistent/reports") && stderr.contains("--out"), "{stderr}");
    assert_eq!(std::fs::read_link(dir.join("out")).unwrap(), Path::new("/nonexistent/reports"));
}

#[test]
fn a_report_inside_the_input_directory_is_not_read_as_input() {
    let dir = Workdir::new();
    input(&dir, "data/in.jsonl", "A1");
    audit_to(&dir, "data", "data/report").success();
    // A report written elsewhere and moved in, and what a killed run left.
    audit_to(&dir, "data", "archive").success();
    rename(&dir, "archive", "data/archive");
    dir.write(&format!("data/.report.zhijian-{DEAD}.staging/flagged.jsonl"), "{}\n");

    audit_to(&dir, "data", "data/report").success();
    assert_eq!(inputs_of(&dir, "data/report"), ["data/in.jsonl"]);
    assert_eq!(dir.read_json("data/report/manifest.json")["counts"]["lines"], 1);
}
