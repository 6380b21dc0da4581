//! Issue 10: an agent page lists its flagged tickets by severity (from the scoring template's
//! `[severity]`), then ticket id, and never leaves off one with a conduct or veto reason; what
//! it leaves off continues on a page per reason, `agents/<stem>/<reason>.html` and `.md`.
//! `flagged.jsonl` stays in id order, each line with its ticket's `severity`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::util::{fixture, Run, Workdir};

/// A ticket of `agent`: the customer asks at 09:00:00, the agent answers `text` 60 s later when
/// `slow` (over the 30 s SLA: `slow_first_response`), else 5 s later.
fn ticket(id: &str, agent: &str, text: &str, slow: bool, csat: Option<u8>) -> String {
    let reply = if slow { "2026-11-21T09:01:00+08:00" } else { "2026-11-21T09:00:05+08:00" };
    let mut line = json!({
        "ticket_id": id,
        "agent_id": agent,
        "messages": [
            {"role": "customer", "ts": "2026-11-21T09:00:00+08:00", "text": "在吗"},
            {"role": "agent", "ts": reply, "text": text},
        ],
    });
    if let Some(csat) = csat {
        line["csat"] = json!(csat);
    }
    format!("{line}\n")
}

/// The ticket ids an HTML page lists, in page order (`<h3>工单 …</h3>`).
fn html_ids(page: &[u8]) -> Vec<String> {
    let page = std::str::from_utf8(page).unwrap();
    page.split("<h3>工单 ").skip(1).map(|s| s[..s.find("</h3>").unwrap()].to_string()).collect()
}

/// The ticket ids a Markdown page lists, in page order (`### 工单 `…``: inline code, and these
/// ids hold no backtick or space).
fn md_ids(page: &[u8]) -> Vec<String> {
    let page = std::str::from_utf8(page).unwrap();
    page.lines()
        .filter_map(|l| l.strip_prefix("### 工单 "))
        .map(|id| id.trim_matches('`').to_string())
        .collect()
}

/// `zhijian audit in.jsonl --out OUT` with the fixture lexicons, plus `extra`.
fn audit_into(dir: &Workdir, out: &str, extra: &[&str]) -> Run {
    let lexicons = fixture("lexicons");
    let mut args = vec!["audit", "in.jsonl", "--out", out, "--quiet"];
    args.extend(["--lexicons", lexicons.to_str().unwrap()]);
    args.extend_from_slice(extra);
    dir.zhijian(&args)
}

fn ids(range: std::ops::RangeInclusive<u32>) -> Vec<String> {
    range.map(|n| format!("S{n:03}")).collect()
}

/// A1: 60 slow replies S001–S060 and one forbidden phrase (你自己看, fixture lexicon) answered
/// in 5 s, Z999: the id that sorts last.
fn sixty_slow_one_forbidden(dir: &Workdir) {
    let mut input = String::new();
    for n in 1..=60 {
        input.push_str(&ticket(&format!("S{n:03}"), "A1", "已处理", true, None));
    }
    input.push_str(&ticket("Z999", "A1", "这个你自己看", false, None));
    dir.write("in.jsonl", input);
    dir.audit("in.jsonl", &[]).success();
}

#[test]
fn a_forbidden_phrase_leads_its_agents_page_before_sixty_slow_replies() {
    let dir = Workdir::new();
    sixty_slow_one_forbidden(&dir);
    // 50 tickets in full: the one conduct ticket, then the first 49 service ones by id.
    let mut want = vec!["Z999".to_string()];
    want.extend(ids(1..=49));
    assert_eq!(html_ids(&dir.read("out/agents/A1.html")), want);
    assert_eq!(md_ids(&dir.read("out/agents/A1.md")), want);
    // The 11 left off continue, with the 49 shown, on the slow-reply page, linked from both.
    let html = String::from_utf8(dir.read("out/agents/A1.html")).unwrap();
    assert!(html.contains("href=\"A1/slow_first_response.html\""), "{html}");
    assert!(!html.contains("flagged.jsonl"), "a coach never opens flagged.jsonl: {html}");
    let md = String::from_utf8(dir.read("out/agents/A1.md")).unwrap();
    assert!(md.contains("(A1/slow_first_response.md)"), "{md}");
    assert_eq!(html_ids(&dir.read("out/agents/A1/slow_first_response.html")), ids(1..=60));
    assert_eq!(md_ids(&dir.read("out/agents/A1/slow_first_response.md")), ids(1..=60));
    // Nothing of the forbidden phrase was left off, so it needs no page of its own.
    assert!(!dir.join("out/agents/A1/forbidden_phrase.html").exists(), "{}", dir.listing());
    let flagged = dir.read_jsonl("out/flagged.jsonl");
    let severity: BTreeMap<&str, &str> = flagged
        .iter()
        .map(|t| (t["ticket_id"].as_str().unwrap(), t["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(severity["Z999"], "conduct");
    assert_eq!(severity["S001"], "service");
    // The machine file stays in ticket-id order.
    let order: Vec<&str> = flagged.iter().map(|t| t["ticket_id"].as_str().unwrap()).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
}

#[test]
fn a_report_with_reason_pages_is_replaced_by_the_next_run() {
    let dir = Workdir::new();
    sixty_slow_one_forbidden(&dir);
    assert!(dir.join("out/agents/A1/slow_first_response.md").is_file(), "{}", dir.listing());
    // The directory of reason pages is zhijian's own: the next run replaces it.
    dir.audit("in.jsonl", &[]).success();
    assert_eq!(md_ids(&dir.read("out/agents/A1/slow_first_response.md")), ids(1..=60));
}

/// 3 agents × 200 tickets `A<a>N<jjj>`: a forbidden phrase when j % 13 = 4, off-platform when
/// j % 19 = 7 and a mobile number when j % 23 = 11 (each also slow when j is even); otherwise
/// clean and fast when j % 5 = 0, else slow.
fn corpus() -> String {
    let mut input = String::new();
    for a in 1..=3 {
        for j in 0..200u32 {
            let mut parts = Vec::new();
            if j % 13 == 4 {
                parts.push("这个你自己看");
            }
            if j % 19 == 7 {
                parts.push("加微信聊");
            }
            if j % 23 == 11 {
                parts.push("手机13812345678");
            }
            let serious = !parts.is_empty();
            let slow = if serious { j.is_multiple_of(2) } else { !j.is_multiple_of(5) };
            if !serious {
                parts.push("已处理");
            }
            let id = format!("A{a}N{j:03}");
            input.push_str(&ticket(&id, &format!("A{a}"), &parts.join("，"), slow, None));
        }
    }
    input
}

/// The severity the default template gives a corpus ticket, by hand.
fn corpus_severity(j: u32) -> Option<&'static str> {
    if j % 19 == 7 || j % 23 == 11 {
        Some("veto")
    } else if j % 13 == 4 {
        Some("conduct")
    } else if !j.is_multiple_of(5) {
        Some("service")
    } else {
        None
    }
}

const RANK: [&str; 4] = ["service", "complaint", "conduct", "veto"];

#[test]
fn every_conduct_or_veto_ticket_is_on_its_owners_page_and_every_flag_on_a_page() {
    let dir = Workdir::new();
    dir.write("in.jsonl", corpus());
    dir.audit("in.jsonl", &[]).success();
    let flagged = dir.read_jsonl("out/flagged.jsonl");
    let mut want_flagged = 0;
    for j in 0..200 {
        want_flagged += 3 * usize::from(corpus_severity(j).is_some());
    }
    assert_eq!(flagged.len(), want_flagged);
    let mut pages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut on_page = |name: &str| -> BTreeSet<String> {
        pages
            .entry(name.to_string())
            .or_insert_with(|| {
                let path = format!("out/agents/{name}");
                let bytes = if dir.join(&path).exists() { dir.read(&path) } else { Vec::new() };
                let listed = if name.ends_with(".md") { md_ids(&bytes) } else { html_ids(&bytes) };
                listed.into_iter().collect()
            })
            .clone()
    };
    let mut serious = 0;
    for line in &flagged {
        let id = line["ticket_id"].as_str().unwrap();
        let owner = line["agent_id"].as_str().unwrap();
        let j: u32 = id[3..].parse().unwrap();
        assert_eq!(line["severity"].as_str(), corpus_severity(j), "{id}");
        let reasons: Vec<&str> =
            line["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        let conduct = ["forbidden_phrase", "off_platform", "pii_exposed"];
        for ext in ["html", "md"] {
            let on_agent_page = on_page(&format!("{owner}.{ext}")).contains(id);
            if reasons.iter().any(|r| conduct.contains(r)) {
                serious += 1;
                assert!(on_agent_page, "{id} ({reasons:?}) is missing from {owner}.{ext}");
            } else if !on_agent_page {
                for reason in &reasons {
                    let page = format!("{owner}/{reason}.{ext}");
                    assert!(
                        on_page(&page).contains(id),
                        "{id} is on neither {owner}.{ext} nor {page}"
                    );
                }
            }
        }
    }
    // Per agent: j % 13 = 4 (16 values), j % 19 = 7 (11), j % 23 = 11 (9), 121 counted twice.
    assert_eq!(serious, 2 * 3 * (16 + 11 + 9 - 1));
    // And each agent page is in severity, then id, order.
    let severity: BTreeMap<&str, usize> = flagged
        .iter()
        .map(|t| {
            let level = t["severity"].as_str().unwrap();
            (t["ticket_id"].as_str().unwrap(), RANK.iter().position(|r| *r == level).unwrap())
        })
        .collect();
    for agent in ["A1", "A2", "A3"] {
        let listed = html_ids(&dir.read(&format!("out/agents/{agent}.html")));
        assert_eq!(listed.len(), 50, "{agent}: the 35 serious, then 15 service tickets");
        let keys: Vec<(std::cmp::Reverse<usize>, &str)> = listed
            .iter()
            .map(|id| (std::cmp::Reverse(severity[id.as_str()]), id.as_str()))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{agent}");
    }
}

/// A1: T1 slow, T2 a forbidden phrase, T3 CSAT 1, T4 off-platform (all but T1 answered in 5 s).
fn four_reasons(dir: &Workdir) {
    let input = [
        ticket("T1", "A1", "已处理", true, None),
        ticket("T2", "A1", "这个你自己看", false, None),
        ticket("T3", "A1", "已处理", false, Some(1)),
        ticket("T4", "A1", "加微信聊", false, None),
    ];
    dir.write("in.jsonl", input.concat());
}

#[test]
fn a_template_that_changes_severities_changes_the_order() {
    let dir = Workdir::new();
    four_reasons(&dir);
    audit_into(&dir, "default", &[]).success();
    // Default: T4 veto, T2 conduct, then T1 and T3 (service) by id.
    let want = ["T4", "T2", "T1", "T3"];
    assert_eq!(html_ids(&dir.read("default/agents/A1.html")), want);
    assert_eq!(md_ids(&dir.read("default/agents/A1.md")), want);

    let default = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/default.toml"),
    )
    .unwrap();
    let mut mine = default.clone();
    for (from, to) in [
        ("forbidden_phrase = \"conduct\"", "forbidden_phrase = \"service\""),
        ("off_platform = \"veto\"", "off_platform = \"complaint\""),
        ("low_csat = \"service\"", "low_csat = \"veto\""),
    ] {
        assert!(mine.contains(from), "templates/default.toml has no `{from}`");
        mine = mine.replacen(from, to, 1);
    }
    dir.write("mine.toml", mine);
    audit_into(&dir, "mine", &["--template", "mine.toml"]).success();
    // T3 veto, T4 complaint, then T1 and T2 (service) by id.
    let want = ["T3", "T4", "T1", "T2"];
    assert_eq!(html_ids(&dir.read("mine/agents/A1.html")), want);
    assert_eq!(md_ids(&dir.read("mine/agents/A1.md")), want);
    let flagged = dir.read_jsonl("mine/flagged.jsonl");
    let got: Vec<(&str, &str)> = flagged
        .iter()
        .map(|t| (t["ticket_id"].as_str().unwrap(), t["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [("T1", "service"), ("T2", "service"), ("T3", "veto"), ("T4", "complaint")]);
}

fn files(dir: &std::path::Path, under: &std::path::Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, under, out);
        } else {
            let name = path.strip_prefix(under).unwrap().display().to_string();
            out.insert(name, std::fs::read(&path).unwrap());
        }
    }
}

#[test]
fn reason_pages_are_byte_identical_across_thread_counts() {
    let dir = Workdir::new();
    dir.write("in.jsonl", corpus());
    let mut reports = Vec::new();
    for (out, threads) in [("one", "1"), ("two", "2")] {
        audit_into(&dir, out, &["--threads", threads]).success();
        let mut report = BTreeMap::new();
        files(&dir.join(out), &dir.join(out), &mut report);
        let manifest: Value = serde_json::from_slice(&report["manifest.json"]).unwrap();
        let mut manifest = manifest.as_object().unwrap().clone();
        manifest.remove("runtime").expect("the manifest has a runtime");
        report.insert("manifest.json".into(), serde_json::to_vec(&manifest).unwrap());
        reports.push(report);
    }
    // Every agent leaves slow replies off its page, so each has a slow-reply page, nothing else.
    for agent in ["A1", "A2", "A3"] {
        for ext in ["html", "md"] {
            let name = format!("agents/{agent}/slow_first_response.{ext}");
            assert!(reports[0].contains_key(&name), "{name} missing: {:?}", reports[0].keys());
        }
    }
    let pages = reports[0].keys().filter(|n| n.matches('/').count() == 2).count();
    assert_eq!(pages, 6, "{:?}", reports[0].keys());
    assert_eq!(reports[0].keys().collect::<Vec<_>>(), reports[1].keys().collect::<Vec<_>>());
    for (name, bytes) in &reports[0] {
        assert!(bytes == &reports[1][name], "{name} differs between --threads 1 and 2");
    }
}
