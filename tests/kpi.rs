//! Issue 15: the KPIs the training decks manage agents by. Handle time per ticket (first to
//! last timed message; unknown with fewer than two) and per agent and team (median, p90, mean
//! = AHT), 投诉率, 满意率, 解决率 and 首响达标率 with their denominators, and the scoring
//! template's `[kpi]` targets marking agents outside them with the gap — in summary.json,
//! agents.csv, the team page and the agent pages. Unknown is never 0 and never a mark; the
//! reports are byte-identical across thread counts and input order; a malformed target stops
//! the run naming file and line. Every figure is worked out by hand from `TICKETS` below.

use std::path::Path;

use crate::util::{fixture, report_files, Workdir};

/// What a KPI run's manifest may change between runs: `runtime` (the wall clock) and
/// `inputs` (the sha256 of an input's bytes changes with the order of its lines).
const RUN_SPECIFIC: &[&str] = &["runtime", "inputs"];

/// Six tickets, three agents, the fixture lexicons (生气 and 垃圾 are negative entries: a
/// customer turn with one is a complaint). SLA 30 s (the default).
///
/// - K1 (A): 09:00:00 → 09:02:10, handle 130 s; A's first reply after 20 s; CSAT 5; resolved.
/// - K2 (A, transfer): the customer complains (我很生气) at 10:00:00, **B** answers at 10:00:40
///   (B's first response: 40 s, over the SLA), A closes at 10:01:30. Owned by A (its
///   `agent_id`), so its whole handle time, 90 s, and its complaint count for A; CSAT 3;
///   resolved false.
/// - K3 (A): no times at all: handle unknown; a complaint (垃圾东西); CSAT 4; no `resolved`.
/// - K4 (B): one time (the customer's): handle unknown, the reply untimed; unrated; resolved.
/// - K5 (B): 12:00:00 → 12:00:40, handle 40 s; first reply after 10 s; unrated; resolved.
/// - K6 (C): no times, no CSAT, no `resolved`, no complaint.
const TICKETS: &str = concat!(
    r#"{"ticket_id":"K1","agent_id":"A","agent_name":"小安","messages":[{"role":"customer","ts":"2026-11-21T09:00:00+08:00","text":"你好"},{"role":"agent","ts":"2026-11-21T09:00:20+08:00","text":"您好"},{"role":"agent","ts":"2026-11-21T09:02:10+08:00","text":"再见"}],"csat":5,"resolved":true}"#,
    "\n",
    r#"{"ticket_id":"K2","agent_id":"A","agent_name":"小安","messages":[{"role":"customer","ts":"2026-11-21T10:00:00+08:00","text":"我很生气"},{"role":"agent","agent_id":"B","ts":"2026-11-21T10:00:40+08:00","text":"抱歉"},{"role":"agent","ts":"2026-11-21T10:01:30+08:00","text":"再见"}],"csat":3,"resolved":false}"#,
    "\n",
    r#"{"ticket_id":"K3","agent_id":"A","agent_name":"小安","messages":[{"role":"customer","text":"垃圾东西"},{"role":"agent","text":"抱歉"}],"csat":4}"#,
    "\n",
    r#"{"ticket_id":"K4","agent_id":"B","messages":[{"role":"customer","ts":"2026-11-21T11:00:00+08:00","text":"你好"},{"role":"agent","text":"您好"}],"resolved":true}"#,
    "\n",
    r#"{"ticket_id":"K5","agent_id":"B","messages":[{"role":"customer","ts":"2026-11-21T12:00:00+08:00","text":"在吗"},{"role":"agent","ts":"2026-11-21T12:00:10+08:00","text":"您好"},{"role":"customer","ts":"2026-11-21T12:00:30+08:00","text":"谢谢"},{"role":"agent","ts":"2026-11-21T12:00:40+08:00","text":"再见"}],"resolved":true}"#,
    "\n",
    r#"{"ticket_id":"K6","agent_id":"C","messages":[{"role":"customer","text":"在吗"},{"role":"agent","text":"您好"}]}"#,
    "\n",
);

/// `zhijian audit in.jsonl --out OUT --lexicons <fixture> --quiet` plus `extra`.
fn audit(dir: &Workdir, out: &str, extra: &[&str]) {
    if !dir.join("in.jsonl").exists() {
        dir.write("in.jsonl", TICKETS);
    }
    let lexicons = fixture("lexicons");
    let mut args = vec!["audit", "in.jsonl", "--out", out, "--lexicons"];
    args.push(lexicons.to_str().unwrap());
    args.push("--quiet");
    args.extend_from_slice(extra);
    dir.zhijian(&args).success();
}

fn text(dir: &Workdir, name: &str) -> String {
    String::from_utf8(dir.read(name)).unwrap()
}

fn default_template() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/default.toml");
    std::fs::read_to_string(path).unwrap()
}

/// `summary.json`'s agent `id`.
fn agent<'a>(summary: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    summary["agents"].as_array().unwrap().iter().find(|a| a["agent_id"] == id).unwrap()
}

/// The KPI figures of one `summary.json` entry, in a fixed order.
fn kpis(m: &serde_json::Value) -> Vec<(&'static str, serde_json::Value)> {
    [
        "tickets",
        "handle_timed_tickets",
        "handle_median_secs",
        "handle_p90_secs",
        "handle_mean_secs",
        "complaint_tickets",
        "complaint_rate",
        "csat_count",
        "csat_satisfied",
        "satisfaction_rate",
        "csat_mean",
        "resolved",
        "resolved_known",
        "resolved_share",
        "timed_first_responses",
        "first_response_sla_breaches",
        "first_response_sla_rate",
    ]
    .into_iter()
    .map(|k| (k, m[k].clone()))
    .collect()
}

#[test]
fn handle_times_and_rates_match_the_hand_computed_fixture() {
    let dir = Workdir::new();
    audit(&dir, "out", &[]);
    let summary = dir.read_json("out/summary.json");
    let want = |v: serde_json::Value| -> Vec<(&'static str, serde_json::Value)> {
        let names = kpis(&serde_json::Value::Null).into_iter().map(|(k, _)| k);
        names.zip(v.as_array().unwrap().iter().cloned()).collect()
    };
    // A owns K1, K2, K3. Handle times 130 and 90 s (K3 untimed): timed 2; median the 1st of 2
    // (⌈0.5·2⌉) = 90; p90 the 2nd (⌈0.9·2⌉) = 130; AHT (130 + 90) / 2 = 110. Complaints K2, K3:
    // 2/3 = 0.6667. CSAT 5, 3, 4: rated 3, satisfied (4–5) 2 → 0.6667, mean 4.00. Resolved K1
    // true, K2 false, K3 without the field: 1/2 = 0.5. First responses A wrote: K1's 20 s (K2's
    // was B's, K3's untimed): 1 timed, 0 breaches → 1/1 = 1.0.
    assert_eq!(
        kpis(agent(&summary, "A")),
        want(serde_json::json!([
            3, 2, 90, 130, 110, 2, 0.6667, 3, 2, 0.6667, 4.0, 1, 2, 0.5, 1, 0, 1.0
        ]))
    );
    // B owns K4 (one time: untimed) and K5 (40 s): timed 1, 40/40/40. No complaint: 0/2, a
    // known 0. Unrated: 满意率 and the mean unknown. Resolved 2/2. First responses B wrote:
    // K2's 40 s (over 30), K4's untimed, K5's 10 s: 2 timed, 1 breach → 1/2 = 0.5.
    assert_eq!(
        kpis(agent(&summary, "B")),
        want(serde_json::json!([2, 1, 40, 40, 40, 0, 0.0, 0, 0, null, null, 2, 2, 1.0, 2, 1, 0.5]))
    );
    // C: one untimed, unrated ticket without `resolved` and no complaint: only 投诉率 is known
    // (0/1); every other KPI is null, never 0.
    assert_eq!(
        kpis(agent(&summary, "C")),
        want(serde_json::json!([
            1, 0, null, null, null, 0, 0.0, 0, 0, null, null, 0, 0, null, 0, null, null
        ]))
    );
    // The team: handle times 40, 90, 130 → median the 2nd of 3 = 90, p90 the 3rd = 130, AHT
    // (40 + 90 + 130) / 3 = 86.67 → 87 (whole seconds, half up). Complaints 2/6 = 0.3333.
    // Satisfied 2 of 3 rated. Resolved K1, K4, K5 of K1, K2, K4, K5: 3/4 = 0.75. First
    // responses 20, 40, 10 s: 3 timed, 1 breach → 2/3 = 0.6667.
    assert_eq!(
        kpis(&summary["team"]),
        want(serde_json::json!([
            6, 3, 90, 130, 87, 2, 0.3333, 3, 2, 0.6667, 4.0, 3, 4, 0.75, 3, 1, 0.6667
        ]))
    );
    // The default template's targets: A misses AHT (110 > 90), 投诉率 (66.7% > 5%) and 满意率
    // (66.7% < 90%); B misses 首响达标率 (50.0% < 95%) and its 满意率 is unknown; C misses
    // nothing and three of its KPIs are unknown.
    let missed = |id: &str| agent(&summary, id)["kpi_missed"].clone();
    let unknown = |id: &str| agent(&summary, id)["kpi_unknown"].clone();
    assert_eq!(missed("A"), serde_json::json!(["aht_secs", "complaint_rate", "satisfaction_rate"]));
    assert_eq!(missed("B"), serde_json::json!(["first_response_sla_rate"]));
    assert_eq!(missed("C"), serde_json::json!([]));
    assert_eq!(unknown("A"), serde_json::json!([]));
    assert_eq!(unknown("B"), serde_json::json!(["satisfaction_rate"]));
    assert_eq!(
        unknown("C"),
        serde_json::json!(["aht_secs", "satisfaction_rate", "first_response_sla_rate"])
    );
}

#[test]
fn per_ticket_lines_carry_the_handle_time_and_the_complaint() {
    let dir = Workdir::new();
    audit(&dir, "out", &["--per-ticket"]);
    let tickets = dir.read_jsonl("out/tickets.jsonl");
    let got: Vec<(String, serde_json::Value, serde_json::Value)> = tickets
        .iter()
        .map(|t| {
            (
                t["ticket_id"].as_str().unwrap().into(),
                t["handle_secs"].clone(),
                t["complaint"].clone(),
            )
        })
        .collect();
    // K1 09:00:00 → 09:02:10 = 130 s; K2 10:00:00 → 10:01:30 = 90 s (a complaint); K3 no
    // times (a complaint); K4 one time; K5 12:00:00 → 12:00:40 = 40 s; K6 no times.
    let want: Vec<(String, serde_json::Value, serde_json::Value)> = [
        ("K1", serde_json::json!(130), false),
        ("K2", serde_json::json!(90), true),
        ("K3", serde_json::Value::Null, true),
        ("K4", serde_json::Value::Null, false),
        ("K5", serde_json::json!(40), false),
        ("K6", serde_json::Value::Null, false),
    ]
    .into_iter()
    .map(|(id, secs, complaint)| (id.to_string(), secs, complaint.into()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn a_transfer_counts_the_whole_ticket_to_its_owner() {
    let dir = Workdir::new();
    audit(&dir, "out", &[]);
    let summary = dir.read_json("out/summary.json");
    let (a, b) = (agent(&summary, "A"), agent(&summary, "B"));
    // K2 (10:00:00 → 10:01:30 = 90 s) is A's: A's AHT (130 + 90) / 2 = 110 over its 2 timed
    // tickets; B, who wrote K2's first reply, times only its own K5 (40 s).
    assert_eq!(
        (a["handle_timed_tickets"].clone(), a["handle_mean_secs"].clone()),
        (2.into(), 110.into())
    );
    assert_eq!(
        (b["handle_timed_tickets"].clone(), b["handle_mean_secs"].clone()),
        (1.into(), 40.into())
    );
    // Ticket counts agree with handle times: each ticket counts once, to its owner, so the
    // team's timed tickets are the agents' sum (2 + 1 + 0 = 3) and so are its tickets.
    assert_eq!(summary["team"]["handle_timed_tickets"], 3);
    assert_eq!((a["tickets"].clone(), b["tickets"].clone()), (3.into(), 2.into()));
    // B took part in K2 (participated 3: K2, K4, K5) and its first response there is B's.
    assert_eq!(b["participated"], 3);
    assert_eq!(b["first_response_sla_breaches"], 1);
}

#[test]
fn agents_csv_adds_the_kpis_at_the_end_with_the_gaps() {
    let dir = Workdir::new();
    audit(&dir, "out", &[]);
    let (header, rows) = dir.agents_csv("out");
    // The 72 earlier columns keep their places; the KPI columns follow.
    assert_eq!(header.len(), 86, "{header:?}");
    assert_eq!(header[71], "无隐私泄露通过率(%)");
    let tail: Vec<&str> = header[72..].iter().map(String::as_str).collect();
    assert_eq!(
        tail,
        [
            "计时工单数",
            "处理时长中位数(秒)",
            "处理时长P90(秒)",
            "平均处理时长(秒)",
            "投诉工单数",
            "投诉率(%)",
            "满意工单数(4-5分)",
            "满意率(%)",
            "已解决工单数",
            "含解决字段工单数",
            "首响计时数",
            "首响达标率(%)",
            "KPI未达标",
            "KPI未知"
        ]
    );
    let cells = |id: &str| header[72..].iter().map(|h| rows[id][h].clone()).collect::<Vec<_>>();
    // As in summary.json (above), shares as percentages with one decimal: 2/3 = 66.7.
    assert_eq!(
        cells("A"),
        [
            "2",
            "90",
            "130",
            "110",
            "2",
            "66.7",
            "2",
            "66.7",
            "1",
            "2",
            "1",
            "100.0",
            "AHT 1分50秒 > 1分30秒; 投诉率 66.7% > 5%; 满意率 66.7% < 90%",
            ""
        ]
    );
    assert_eq!(
        cells("B"),
        [
            "1",
            "40",
            "40",
            "40",
            "0",
            "0.0",
            "0",
            "",
            "2",
            "2",
            "2",
            "50.0",
            "首响达标率 50.0% < 95%",
            "满意率"
        ]
    );
    // C: unknown is an empty cell, never 0, and no mark; the KPIs it cannot be held to are named.
    assert_eq!(
        cells("C"),
        [
            "0",
            "",
            "",
            "",
            "0",
            "0.0",
            "0",
            "",
            "0",
            "0",
            "0",
            "",
            "",
            "平均处理时长、满意率、首响达标率"
        ]
    );
    // 解决率 is the earlier column, one definition: 1/2, 2/2, unknown.
    let resolved: Vec<&str> = ["A", "B", "C"].map(|id| rows[id]["解决率(%)"].as_str()).into();
    assert_eq!(resolved, ["50.0", "100.0", ""]);
}

/// `<tr…>` of agent `id` in index.html.
fn html_row<'a>(html: &'a str, id: &str) -> &'a str {
    let link = format!("<a href=\"agents/{id}.html\">{id}</a>");
    html.lines().find(|l| l.starts_with("<tr") && l.contains(&link)).unwrap()
}

#[test]
fn the_team_page_shows_the_kpis_with_denominators_and_marks_agents_outside_a_target() {
    let dir = Workdir::new();
    audit(&dir, "out", &[]);
    let html = text(&dir, "out/index.html");
    let md = text(&dir, "out/summary.md");
    // The agent table's KPI cells: 平均处理时长, 投诉率, 满意率, 首响达标率, 解决率, the gaps.
    let a = html_row(&html, "A");
    assert!(a.starts_with("<tr class=kpi>"), "{a}");
    assert!(
        a.ends_with(
            "<td class=n data-v=\"110\">1分50秒 (2 张)</td><td class=n data-v=\"0.6667\">66.7% (2/3)</td>\
             <td class=n data-v=\"0.6667\">66.7% (2/3)</td><td class=n data-v=\"1\">100.0% (1/1)</td>\
             <td class=n data-v=\"0.5\">50.0% (1/2)</td><td class=kpimiss>⚠ AHT 1分50秒 &gt; 1分30秒; \
             投诉率 66.7% &gt; 5%; 满意率 66.7% &lt; 90%</td></tr>"
        ),
        "{a}"
    );
    let b = html_row(&html, "B");
    assert!(b.starts_with("<tr class=kpi>"), "{b}");
    assert!(
        b.contains("<td class=n data-v=\"\">—</td><td class=n data-v=\"0.5\">50.0% (1/2)</td>"),
        "{b}"
    );
    assert!(b.ends_with("<td class=kpimiss>⚠ 首响达标率 50.0% &lt; 95%</td></tr>"), "{b}");
    // C: unknown cells are —, with an empty sort key; no mark.
    let c = html_row(&html, "C");
    assert!(c.starts_with("<tr><td>"), "{c}");
    assert!(
        c.ends_with(
            "<td class=n data-v=\"\">—</td><td class=n data-v=\"0\">0.0% (0/1)</td>\
             <td class=n data-v=\"\">—</td><td class=n data-v=\"\">—</td><td class=n data-v=\"\">—</td>\
             <td></td></tr>"
        ),
        "{c}"
    );
    // The team's row: AHT 87 s = 1分27秒 over 3 timed tickets; 2/6; 2/3; 2/3; 3/4; no mark.
    let team = &html[html.find("<tfoot>").unwrap()..html.find("</tfoot>").unwrap()];
    assert!(
        team.contains(
            "<td class=n data-v=\"87\">1分27秒 (3 张)</td><td class=n data-v=\"0.3333\">33.3% (2/6)</td>\
             <td class=n data-v=\"0.6667\">66.7% (2/3)</td><td class=n data-v=\"0.6667\">66.7% (2/3)</td>\
             <td class=n data-v=\"0.75\">75.0% (3/4)</td><td></td></tr>"
        ),
        "{team}"
    );
    let note =
        "KPI 目标 (评分模板 [kpi]): AHT ≤ 1分30秒, 投诉率 ≤ 5%, 满意率 ≥ 90%, 首响达标率 ≥ 95%。\
                ⚠ 2 名客服未达标; 数据不足的指标记为未知, 不算未达标。";
    assert!(html.contains(&format!("<p class=muted id=kpi>{note}</p>")), "{html}");
    // summary.md: the same cells and note.
    let row = |id: &str| md.lines().find(|l| l.starts_with(&format!("| `{id}` |"))).unwrap();
    assert!(
        row("A").ends_with(
            "| 1分50秒 (2 张) | 66.7% (2/3) | 66.7% (2/3) | 100.0% (1/1) | 50.0% (1/2) | \
             AHT 1分50秒 > 1分30秒; 投诉率 66.7% > 5%; 满意率 66.7% < 90% |"
        ),
        "{}",
        row("A")
    );
    assert!(row("C").ends_with("| — | 0.0% (0/1) | — | — | — |  |"), "{}", row("C"));
    assert!(md.contains(&format!("\n{note}\n")), "{md}");
}

#[test]
fn agent_pages_mark_missed_targets_and_say_unknown_never_zero() {
    let dir = Workdir::new();
    audit(&dir, "out", &[]);
    let a_md = text(&dir, "out/agents/A.md");
    let mark = "⚠ 未达 KPI 目标 (评分模板 [kpi]): AHT 1分50秒 > 1分30秒; 投诉率 66.7% > 5%; \
                满意率 66.7% < 90%";
    assert!(a_md.contains(&format!("\n{mark}\n")), "{a_md}");
    let table = |page: &str| {
        let start = page.find("## KPI\n").unwrap();
        page[start..start + page[start..].find("\n\n## ").unwrap()].to_string()
    };
    assert_eq!(
        table(&a_md),
        "## KPI\n\n| 指标 | 本人 | 团队 | 目标 | 状态 |\n|---|---:|---:|---|---|\n\
         | 平均处理时长 | 1分50秒 (2 张) | 1分27秒 (3 张) | ≤ 1分30秒 | ⚠ 未达标: AHT 1分50秒 > 1分30秒 |\n\
         | 投诉率 | 66.7% (2/3) | 33.3% (2/6) | ≤ 5% | ⚠ 未达标: 投诉率 66.7% > 5% |\n\
         | 满意率 | 66.7% (2/3) | 66.7% (2/3) | ≥ 90% | ⚠ 未达标: 满意率 66.7% < 90% |\n\
         | 首响达标率 | 100.0% (1/1) | 66.7% (2/3) | ≥ 95% | 达标 |\n\
         | 解决率 | 50.0% (1/2) | 75.0% (3/4) | 未设目标 | — |"
    );
    // Handle time's median and p90 beside the other times: 90 s and 130 s.
    assert!(a_md.contains(
        "\n| 处理时长中位数 | 1分30秒 | 1分30秒 |\n| 处理时长P90 | 2分10秒 | 2分10秒 |\n"
    ));
    let a_html = text(&dir, "out/agents/A.html");
    assert!(
        a_html.contains(&format!(
            "<p class=kpimark role=note>{}</p>",
            mark.replace('>', "&gt;").replace('<', "&lt;")
        )),
        "{a_html}"
    );
    assert!(a_html.contains(
        "<tr><td>满意率</td><td class=n>66.7% (2/3)</td><td class=n>66.7% (2/3)</td><td>≥ 90%</td>\
         <td>⚠ 未达标: 满意率 66.7% &lt; 90%</td></tr>"
    ));
    // C: every unknown KPI says why, its status is 未知, and nothing is marked.
    let c_md = text(&dir, "out/agents/C.md");
    assert!(!c_md.contains("未达"), "{c_md}");
    assert_eq!(
        table(&c_md),
        "## KPI\n\n| 指标 | 本人 | 团队 | 目标 | 状态 |\n|---|---:|---:|---|---|\n\
         | 平均处理时长 | — (无计时工单: 每张都少于两条带时间的消息) | 1分27秒 (3 张) | ≤ 1分30秒 | 未知 |\n\
         | 投诉率 | 0.0% (0/1) | 33.3% (2/6) | ≤ 5% | 达标 |\n\
         | 满意率 | — (无已评价工单) | 66.7% (2/3) | ≥ 90% | 未知 |\n\
         | 首响达标率 | — (无可计时的首响) | 66.7% (2/3) | ≥ 95% | 未知 |\n\
         | 解决率 | — (无含解决字段的工单) | 75.0% (3/4) | 未设目标 | — |"
    );
    assert!(c_md.contains("\n| 处理时长中位数 | — | 1分30秒 |\n| 处理时长P90 | — | 2分10秒 |\n"));
    let c_html = text(&dir, "out/agents/C.html");
    assert!(!c_html.contains("kpimark role") && !c_html.contains("未达"), "{c_html}");
    assert!(c_html.contains("<tr><td>满意率</td><td class=n>— (无已评价工单)</td>"), "{c_html}");
    assert!(!c_html.contains("<td class=n>0秒") && !c_html.contains("0.0% (0/0)"), "{c_html}");
}

#[test]
fn the_template_sets_the_targets_and_the_manifest_records_them() {
    let dir = Workdir::new();
    audit(&dir, "out", &[]);
    let manifest = dir.read_json("out/manifest.json");
    assert_eq!(
        manifest["template"]["kpi"],
        serde_json::json!({"aht_secs": 90, "complaint_rate": 0.05, "satisfaction_rate": 0.9,
                           "first_response_sla_rate": 0.95, "resolution_rate": null})
    );
    // Mine: a resolution target of 80%, AHT 2 minutes, no complaint target. A: 解决率 1/2 =
    // 50.0% < 80% and its AHT 110 s now meets 120 s; B (2/2) and C (unknown) are not marked.
    let mine = default_template()
        .replace("# resolution_rate = 0.80", "resolution_rate = 0.80")
        .replace("aht_secs = 90 ", "aht_secs = 120 ")
        .replace("complaint_rate = 0.05 ", "# complaint_rate = 0.05 ");
    dir.write("mine.toml", mine);
    audit(&dir, "mine", &["--template", "mine.toml"]);
    let (_, rows) = dir.agents_csv("mine");
    assert_eq!(rows["A"]["KPI未达标"], "满意率 66.7% < 90%; 解决率 50.0% < 80%");
    assert_eq!(rows["B"]["KPI未达标"], "首响达标率 50.0% < 95%");
    assert_eq!(rows["C"]["KPI未达标"], "");
    assert_eq!(rows["C"]["KPI未知"], "平均处理时长、满意率、首响达标率、解决率");
    let manifest = dir.read_json("mine/manifest.json");
    assert_eq!(
        manifest["template"]["kpi"],
        serde_json::json!({"aht_secs": 120, "complaint_rate": null, "satisfaction_rate": 0.9,
                           "first_response_sla_rate": 0.95, "resolution_rate": 0.8})
    );
    // `zhijian diff` names a changed target like any template value (exit 4: something changed).
    let diff = dir.zhijian(&["diff", "out", "mine", "--json"]);
    assert_eq!(diff.output.status.code(), Some(4));
    let diff: serde_json::Value = serde_json::from_slice(&diff.output.stdout).unwrap();
    let changed = diff["changes"]["template"].as_array().unwrap();
    let aht = changed.iter().find(|c| c["name"] == "kpi.aht_secs").expect("kpi.aht_secs");
    assert_eq!((aht["old"].clone(), aht["new"].clone()), (90.into(), 120.into()));
    // A template without `[kpi]`: the figures stay, nobody is marked, no targets line.
    let cut = default_template();
    let (start, end) =
        (cut.find("\n# KPI targets").unwrap(), cut.find("\n# How the compliance sample").unwrap());
    let without = format!("{}{}", &cut[..start], &cut[end..]);
    assert!(!without.contains("[kpi]"));
    dir.write("none.toml", without);
    audit(&dir, "none", &["--template", "none.toml"]);
    let (_, rows) = dir.agents_csv("none");
    assert!(rows.values().all(|r| r["KPI未达标"].is_empty() && r["KPI未知"].is_empty()));
    assert_eq!(rows["A"]["平均处理时长(秒)"], "110");
    let html = text(&dir, "none/index.html");
    assert!(!html.contains("<tr class=kpi>") && !html.contains("id=kpi"), "{html}");
    let manifest = dir.read_json("none/manifest.json");
    assert!(manifest["template"]["kpi"].as_object().unwrap().values().all(|v| v.is_null()));
}

#[test]
fn a_malformed_kpi_target_is_refused_naming_file_and_line() {
    let dir = Workdir::new();
    dir.write("in.jsonl", TICKETS);
    let bad = default_template().replace("satisfaction_rate = 0.90", "satisfaction_rate = 90");
    let line = bad[..bad.find("satisfaction_rate = 90").unwrap()].matches('\n').count() + 1;
    dir.write("bad.toml", bad);
    let lexicons = fixture("lexicons");
    let run = dir
        .zhijian(&[
            "audit",
            "in.jsonl",
            "--out",
            "out",
            "--lexicons",
            lexicons.to_str().unwrap(),
            "--template",
            "bad.toml",
        ])
        .failure();
    assert_eq!(run.output.status.code(), Some(1));
    assert_eq!(
        run.stderr(),
        format!(
            "zhijian: scoring template bad.toml:{line}: `kpi.satisfaction_rate` is 90, but a rate \
             target is a share from 0 to 1 (0.9 for 90%)\n"
        )
    );
    assert!(!dir.join("out").exists(), "no report is written");
}

#[test]
fn kpi_reports_are_byte_identical_across_thread_counts_and_input_order() {
    let dir = Workdir::new();
    audit(&dir, "one", &["--threads", "1"]);
    audit(&dir, "two", &["--threads", "2"]);
    // The same tickets, last first, in a file of the same name (the pages list input names).
    let reversed: Vec<&str> = TICKETS.lines().rev().collect();
    let again = Workdir::new();
    again.write("in.jsonl", reversed.join("\n") + "\n");
    audit(&again, "rev", &["--threads", "2"]);
    let one = report_files(&dir.join("one"), RUN_SPECIFIC);
    assert!(one.contains_key("agents/A.html") && one.len() > 10, "{:?}", one.keys());
    for (name, other) in [
        ("two", report_files(&dir.join("two"), RUN_SPECIFIC)),
        ("rev", report_files(&again.join("rev"), RUN_SPECIFIC)),
    ] {
        assert_eq!(one.keys().collect::<Vec<_>>(), other.keys().collect::<Vec<_>>(), "{name}");
        for (file, bytes) in &one {
            assert!(bytes == &other[file], "{file} differs between one and {name}");
        }
    }
}
