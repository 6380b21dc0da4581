//! Issue 10: the team page (`index.html`, and `summary.md` beside it) says which data it
//! covers (period, inputs, the options that change figures), has a complete team row, flag
//! rates per reason with a hint when one reason flags more than half of the tickets, a
//! histogram of the agents' overall scores, the agents below the template's `low_score`
//! marked, and a Content-Security-Policy that allows its one script by hash and nothing else.
//! Every figure below is worked out by hand from the fixtures in this file.

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::util::Workdir;

/// Six tickets, SLA 30 s (the default). First responses: S1 60 s, S2 40 s, S3 70 s (slow),
/// S4 10 s, S6 5 s; S5 has no times. Slow: S1, S2, S3 = 3 of 6 = 50.0%, not more than half.
/// First message time: S3's customer at 2026-11-20 23:59:00 (UTC+8); last: S6's closing at
/// 04:30:00Z = 2026-11-21 12:30:00 (UTC+8).
const SLOW_HALF: &str = concat!(
    r#"{"ticket_id":"S1","agent_id":"B1","agent_name":"小张","messages":[{"role":"customer","ts":"2026-11-21T09:00:00+08:00","text":"在吗"},{"role":"agent","ts":"2026-11-21T09:01:00+08:00","text":"您好"}]}"#,
    "\n",
    r#"{"ticket_id":"S2","agent_id":"B1","agent_name":"小张","messages":[{"role":"customer","ts":"2026-11-21T10:00:00+08:00","text":"在吗"},{"role":"agent","ts":"2026-11-21T10:00:40+08:00","text":"您好"}]}"#,
    "\n",
    r#"{"ticket_id":"S3","agent_id":"B2","messages":[{"role":"customer","ts":"2026-11-20T23:59:00+08:00","text":"在吗"},{"role":"agent","ts":"2026-11-21T00:00:10+08:00","text":"您好"}]}"#,
    "\n",
    r#"{"ticket_id":"S4","agent_id":"B2","messages":[{"role":"customer","ts":"2026-11-21T11:00:00+08:00","text":"在吗"},{"role":"agent","ts":"2026-11-21T11:00:10+08:00","text":"您好"}]}"#,
    "\n",
    r#"{"ticket_id":"S5","agent_id":"B3","messages":[{"role":"customer","text":"在吗"},{"role":"agent","text":"您好"}]}"#,
    "\n",
    r#"{"ticket_id":"S6","agent_id":"B3","messages":[{"role":"customer","ts":"2026-11-21T12:00:00+08:00","text":"在吗"},{"role":"agent","ts":"2026-11-21T12:00:05+08:00","text":"您好"},{"role":"agent","ts":"2026-11-21T04:30:00Z","text":"再见"}]}"#,
    "\n",
);

/// `SLOW_HALF` with S4 answered in 31 s instead of 10: 4 of 6 slow = 66.7%.
fn slow_most() -> String {
    SLOW_HALF.replace("2026-11-21T11:00:10+08:00", "2026-11-21T11:00:31+08:00")
}

/// One ticket per agent, no times, no CSAT, no complaint, so an overall score is
/// (25 × language + 20 × conduct + 15 × compliance) / 60 (the other components unmeasured):
/// - G1 您好，再见: 100, 100, 100 → 100.0 (bin 90–100);
/// - G2 您好: closing missing (−10): compliance 90 → (2500 + 2000 + 1350) / 60 = 97.5 (90–100);
/// - G3 你自己看: conduct 100 × (1 − min(1, 3 × 1)) = 0; no greeting (−10), no closing (−10),
///   a forbidden phrase (−30): compliance 50 → (2500 + 750) / 60 = 54.2 (50–59);
/// - G4 您好，你自己看，再见: conduct 0, compliance 70 → (2500 + 1050) / 60 = 59.2 (50–59);
/// - G5: no message at all, nothing measured: no score, left out of the histogram.
///
/// Forbidden phrases flag G3 and G4: 2 of 5 = 40.0%.
const SCORES: &str = concat!(
    r#"{"ticket_id":"H1","agent_id":"G1","messages":[{"role":"agent","text":"您好，再见"}]}"#,
    "\n",
    r#"{"ticket_id":"H2","agent_id":"G2","messages":[{"role":"agent","text":"您好"}]}"#,
    "\n",
    r#"{"ticket_id":"H3","agent_id":"G3","messages":[{"role":"agent","text":"你自己看"}]}"#,
    "\n",
    r#"{"ticket_id":"H4","agent_id":"G4","messages":[{"role":"agent","text":"您好，你自己看，再见"}]}"#,
    "\n",
    r#"{"ticket_id":"H5","agent_id":"G5","messages":[]}"#,
    "\n",
);

fn audit(dir: &Workdir, name: &str, input: &str, extra: &[&str]) -> (String, String) {
    dir.write(name, input);
    dir.audit(name, extra).success();
    let html = String::from_utf8(dir.read("out/index.html")).unwrap();
    let md = String::from_utf8(dir.read("out/summary.md")).unwrap();
    (html, md)
}

/// The one line of `text` that starts with `prefix`.
fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
    let found: Vec<&str> = text.lines().filter(|l| l.starts_with(prefix)).collect();
    assert_eq!(found.len(), 1, "one line starting {prefix:?} in\n{text}");
    found[0]
}

/// The text between `open` and the next `close`, after `from`.
fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).unwrap_or_else(|| panic!("{open:?} in\n{text}")) + open.len();
    &text[start..start + text[start..].find(close).unwrap()]
}

/// The cells of an HTML table row, tags stripped.
fn cells(row: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = row;
    while let Some(at) = rest.find(['<']) {
        let tag_end = rest[at..].find('>').unwrap() + at;
        let tag = &rest[at + 1..tag_end];
        if tag.starts_with("td") || tag.starts_with("th") {
            let close = if tag.starts_with("td") { "</td>" } else { "</th>" };
            let inner_end = rest[tag_end..].find(close).unwrap() + tag_end;
            out.push(strip_tags(&rest[tag_end + 1..inner_end]));
            rest = &rest[inner_end + close.len()..];
        } else {
            rest = &rest[tag_end + 1..];
        }
    }
    out
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// Markdown table cells of one row.
fn md_cells(row: &str) -> Vec<String> {
    let row = row.trim().trim_start_matches('|').trim_end_matches('|');
    row.split(" | ").map(|c| c.trim().to_string()).collect()
}

#[test]
fn the_period_is_the_first_and_last_message_time_and_unknown_without_times() {
    let dir = Workdir::new();
    let (html, md) = audit(&dir, "in.jsonl", SLOW_HALF, &[]);
    let want = "2026-11-20 23:59:00 — 2026-11-21 12:30:00 (UTC+8)";
    assert_eq!(
        line(&html, "<dt>数据期间</dt>"),
        format!("<dt>数据期间</dt><dd class=period>{want}</dd>")
    );
    assert_eq!(line(&md, "- 数据期间: "), format!("- 数据期间: {want}"));

    // S5 alone: messages, but none with a time. The period is unknown, never a made-up date.
    let untimed = SLOW_HALF.lines().find(|l| l.contains("\"S5\"")).unwrap().to_string() + "\n";
    let (html, md) = audit(&dir, "untimed.jsonl", &untimed, &[]);
    assert_eq!(
        line(&html, "<dt>数据期间</dt>"),
        "<dt>数据期间</dt><dd class=period>无数据 (没有带时间的消息)</dd>"
    );
    assert_eq!(line(&md, "- 数据期间: "), "- 数据期间: 无数据 (没有带时间的消息)");
    assert!(!html.contains("1970") && !md.contains("1970"), "the epoch as a date");
}

#[test]
fn the_period_is_the_same_across_threads_and_input_order() {
    let dir = Workdir::new();
    let (one, one_md) = audit(&dir, "in.jsonl", SLOW_HALF, &["--threads", "1"]);
    let mut reversed: Vec<&str> = SLOW_HALF.lines().collect();
    reversed.reverse();
    let (two, two_md) =
        audit(&dir, "rev.jsonl", &(reversed.join("\n") + "\n"), &["--threads", "2"]);
    let want = "2026-11-20 23:59:00 — 2026-11-21 12:30:00 (UTC+8)";
    for page in [&one, &two] {
        assert!(line(page, "<dt>数据期间</dt>").contains(want), "{page}");
    }
    assert_eq!(line(&one, "<dt>数据期间</dt>"), line(&two, "<dt>数据期间</dt>"));
    assert_eq!(line(&one_md, "- 数据期间: "), line(&two_md, "- 数据期间: "));
}

#[test]
fn the_team_row_has_every_column_the_agent_rows_have() {
    let dir = Workdir::new();
    let (html, md) = audit(&dir, "in.jsonl", SLOW_HALF, &[]);
    let header = cells(between(&html, "<thead>", "</thead>"));
    // B2 misses the 首响达标率 target (S3 slow, S4 not: 1 of 2 = 50.0% < 95%): marked.
    let agent = cells(line(&html, "<tr class=kpi><td><a href=\"agents/B2.html\">"));
    let team = cells(between(&html, "<tfoot>", "</tfoot>"));
    assert_eq!(header.len(), 17, "{header:?}");
    assert_eq!((agent.len(), team.len()), (17, 17), "{agent:?} {team:?}");
    // Team: 6 tickets; first responses 5, 10, 40, 60, 70 s → median (3rd of 5) 40 s; no
    // forbidden phrase; no empathy hit in 7 agent words = 0.00; no CSAT; 3 flagged. KPIs (issue
    // 15): handle times S1 60, S2 40, S3 70, S4 10, S6 12:00:00 → 12:30:00 = 1800 s (S5 has no
    // times): AHT (60 + 40 + 70 + 10 + 1800) / 5 = 396 s = 6分36秒 over 5 tickets; 投诉率 0 of 6
    // (在吗 is no complaint), a known 0.0%; 满意率 unknown (no CSAT); 首响达标率: 5 timed first
    // responses, 3 over 30 s → 2/5 = 40.0%; 解决率 unknown (no `resolved`); the team row marks
    // nothing.
    let summary = dir.read_json("out/summary.json");
    let team_score = format!("{:.1}", summary["team"]["score"].as_f64().unwrap());
    let pass_rate =
        format!("{:.1}%", summary["team"]["compliance_pass_rate"].as_f64().unwrap() * 100.0);
    let compliance = format!("{:.1}", summary["team"]["compliance_score"].as_f64().unwrap());
    let kpis = ["6分36秒 (5 张)", "0.0% (0/6)", "—", "40.0% (2/5)", "—", ""];
    let mut want =
        vec!["团队", "", "6", &team_score, "0.00", "0", "40 秒", "—", &pass_rate, &compliance, "3"];
    want.extend(kpis);
    assert_eq!(team, want);
    let md_team = md_cells(line(&md, "| **团队** |"));
    want[0] = "**团队**";
    assert_eq!(md_team, want);
    // Sorting leaves the team row alone: it is the table's footer, not one of its rows.
    assert!(between(&html, "<tbody>", "</tbody>").matches("<tr").count() == 3, "{html}");
}

#[test]
fn flag_rates_per_reason_are_ordered_by_severity_then_rate() {
    let dir = Workdir::new();
    let (html, md) = audit(&dir, "in.jsonl", SLOW_HALF, &[]);
    let table = between(&md, "| 原因 | 等级 | 工单数 | 占已质检 |\n|---|---|---:|---:|\n", "\n\n");
    let rows: Vec<Vec<String>> = table.lines().map(md_cells).collect();
    let want = [
        ["引导站外交易 (`off_platform`)", "一票否决", "0", "0.0%"],
        ["泄露客户隐私 (`pii_exposed`)", "一票否决", "0", "0.0%"],
        ["使用服务禁语 (`forbidden_phrase`)", "违规", "0", "0.0%"],
        ["客户情绪升级 (`escalation`)", "抱怨处理", "0", "0.0%"],
        ["客户抱怨未安抚 (`complaint_without_empathy`)", "抱怨处理", "0", "0.0%"],
        // 3 of 6 tickets.
        ["首次响应超时 (`slow_first_response`)", "服务体验", "3", "50.0%"],
        ["低满意度 (`low_csat`)", "服务体验", "0", "0.0%"],
    ];
    assert_eq!(rows, want);
    let slow = line(&html, "<tr><td>首次响应超时");
    assert_eq!(cells(slow), ["首次响应超时 slow_first_response", "服务体验", "3", "50.0%"]);
}

#[test]
fn no_hint_when_no_reason_flags_more_than_half() {
    let dir = Workdir::new();
    // Exactly half (3 of 6) is not more than half.
    let (html, md) = audit(&dir, "in.jsonl", SLOW_HALF, &[]);
    assert!(!html.contains("class=hint"), "{html}");
    assert!(!md.contains("> ⚠"), "{md}");
}

#[test]
fn a_hint_names_the_sla_when_slow_first_responses_flag_more_than_half() {
    let dir = Workdir::new();
    let (html, md) = audit(&dir, "in.jsonl", &slow_most(), &[]);
    // 4 of 6 = 66.7%.
    let hint = "66.7% 的工单被标记为「首次响应超时」 — SLA 30 秒是否符合本渠道？";
    assert_eq!(line(&html, "<p class=hint"), format!("<p class=hint role=note>⚠ {hint}</p>"));
    assert_eq!(line(&md, "> ⚠"), format!("> ⚠ {hint}"));
    // The SLA named is the configured one: at 35 s, S4's 31 s is no breach again (3 of 6).
    let (html, _) = audit(&dir, "in.jsonl", &slow_most(), &["--sla-seconds", "35"]);
    assert!(!html.contains("class=hint"), "{html}");
    // At 9 s, SLOW_HALF's S4 (10 s) is a breach too, S6 (5 s) is not: 4 of 6 again.
    let (html, _) = audit(&dir, "in.jsonl", SLOW_HALF, &["--sla-seconds", "9"]);
    assert!(
        html.contains("⚠ 66.7% 的工单被标记为「首次响应超时」 — SLA 9 秒是否符合本渠道？"),
        "{html}"
    );
}

#[test]
fn a_hint_points_at_the_rule_when_another_reason_flags_more_than_half() {
    let dir = Workdir::new();
    // G3, G4 and G5 of SCORES: forbidden phrases flag 2 of 3 = 66.7%.
    let three: String = SCORES.lines().skip(2).map(|l| format!("{l}\n")).collect();
    let (html, md) = audit(&dir, "in.jsonl", &three, &[]);
    let hint = "66.7% 的工单被标记为「使用服务禁语」 — 超过一半: 多半是规则或阈值的问题, 而不是客服的问题, 请先核对规则。";
    assert_eq!(line(&html, "<p class=hint"), format!("<p class=hint role=note>⚠ {hint}</p>"));
    assert_eq!(line(&md, "> ⚠"), format!("> ⚠ {hint}"));
    // All five: 2 of 5 = 40%, no hint.
    let (html, _) = audit(&dir, "all.jsonl", SCORES, &[]);
    assert!(!html.contains("class=hint"), "{html}");
}

#[test]
fn the_histogram_counts_agents_per_10_point_bin_and_leaves_out_the_unscored() {
    let dir = Workdir::new();
    let (html, md) = audit(&dir, "in.jsonl", SCORES, &[]);
    let (_, agents) = dir.agents_csv("out");
    let scores: Vec<&str> =
        ["G1", "G2", "G3", "G4", "G5"].iter().map(|a| agents[*a]["综合得分"].as_str()).collect();
    assert_eq!(scores, ["100.0", "97.5", "54.2", "59.2", ""]);
    let bins: Vec<Vec<String>> =
        between(&md, "| 分数段 | 客服数 |\n|---|---:|\n", "\n\n").lines().map(md_cells).collect();
    let counts: Vec<&str> = bins.iter().map(|b| b[1].as_str()).collect();
    assert_eq!(counts, ["0", "0", "0", "0", "0", "2", "0", "0", "0", "2"]);
    assert_eq!(bins[5][0], "50–59");
    assert_eq!(bins[9][0], "90–100");
    let note = "共 4 名客服有综合得分。 1 名客服无综合得分 (没有可计量的数据), 未计入。";
    assert!(md.contains(note), "{md}");
    assert!(html.contains(&format!("<p class=muted>{note}</p>")), "{html}");

    let svg = between(&html, "<svg class=hist", "</svg>");
    let label = between(svg, "aria-label=\"", "\"");
    assert_eq!(
        label,
        "客服综合得分分布 (每 10 分一段): 0–9 分 0 人, 10–19 分 0 人, 20–29 分 0 人, 30–39 分 0 人, \
         40–49 分 0 人, 50–59 分 2 人, 60–69 分 0 人, 70–79 分 0 人, 80–89 分 0 人, 90–100 分 2 人; \
         无综合得分 1 人未计入"
    );
    // One bar per bin, each labelled with its count; the tallest bars (2) are full height.
    let bars: Vec<&str> = svg.split("<rect ").skip(1).collect();
    assert_eq!(bars.len(), 10);
    assert!(bars[5].contains("height=\"150\"") && bars[9].contains("height=\"150\""), "{svg}");
    assert!(bars[0].contains("height=\"0\"") && bars[0].contains(">0</text>"), "{svg}");
    assert!(bars[5].contains(">2</text>"), "{svg}");
    for axis in [">综合得分</text>", ">客服人数</text>"] {
        assert!(svg.contains(axis), "{axis} in {svg}");
    }
}

#[test]
fn agents_below_the_templates_low_score_are_marked_in_text() {
    let dir = Workdir::new();
    // The default line, 60: G3 (54.2) and G4 (59.2); G5 has no score and is not marked.
    let (html, md) = audit(&dir, "in.jsonl", SCORES, &[]);
    let row = |page: &str, id: &str| {
        line(page, &format!("<tr class=low><td><a href=\"agents/{id}.html\">")).to_string()
    };
    for id in ["G3", "G4"] {
        assert!(row(&html, id).contains("<span class=lowmark>⚠ 低于 60</span>"), "{html}");
        assert!(line(&md, &format!("| `{id}` |")).contains("⚠ 低于 60 |"), "{md}");
    }
    for id in ["G1", "G2", "G5"] {
        line(&html, &format!("<tr><td><a href=\"agents/{id}.html\">"));
        assert!(!line(&md, &format!("| `{id}` |")).contains('⚠'), "{md}");
    }
    assert!(md.contains("⚠ 2 名客服综合得分低于 60 (评分模板 `[report] low_score`)。"), "{md}");
    assert_eq!(dir.read_json("out/manifest.json")["template"]["low_score"], 60.0);

    // A template's line, 55: G3 only.
    let template = crate::util::fixture("../../templates/default.toml");
    let text = std::fs::read_to_string(template).unwrap();
    assert!(text.contains("\nlow_score = 60\n"));
    dir.write("mine.toml", text.replace("\nlow_score = 60\n", "\nlow_score = 55\n"));
    let (html, md) = audit(&dir, "in.jsonl", SCORES, &["--template", "mine.toml"]);
    assert!(row(&html, "G3").contains("⚠ 低于 55"), "{html}");
    assert!(html.contains("<tr><td><a href=\"agents/G4.html\">"), "G4 is not low at 55: {html}");
    assert!(md.contains("⚠ 1 名客服综合得分低于 55"), "{md}");
    assert_eq!(dir.read_json("out/manifest.json")["template"]["low_score"], 55.0);
}

#[test]
fn the_csp_allows_exactly_the_one_inline_script_by_its_hash() {
    let dir = Workdir::new();
    let (html, _) = audit(&dir, "in.jsonl", SLOW_HALF, &[]);
    let csp = between(&html, "<meta http-equiv=\"Content-Security-Policy\" content=\"", "\"");
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    assert_eq!(directives[0], "default-src 'none'");
    let script_src = directives.iter().find(|d| d.starts_with("script-src ")).expect(csp);
    let scripts: Vec<&str> =
        html.split("<script>").skip(1).map(|s| &s[..s.find("</script>").unwrap()]).collect();
    assert_eq!(scripts.len(), 1, "one inline script");
    assert!(!html.contains("<script "), "no other script element");
    let digest = Sha256::digest(scripts[0].as_bytes());
    let want =
        format!("script-src 'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest));
    assert_eq!(*script_src, want);
    assert!(!csp.contains("unsafe-eval") && !script_src.contains("unsafe-inline"), "{csp}");
    // The CSP comes before anything it governs.
    assert!(html.find("Content-Security-Policy").unwrap() < html.find("<style>").unwrap());

    // Agent pages: the same policy, without any script.
    let agent = String::from_utf8(dir.read("out/agents/B1.html")).unwrap();
    let csp = between(&agent, "<meta http-equiv=\"Content-Security-Policy\" content=\"", "\"");
    assert!(csp.starts_with("default-src 'none';") && !csp.contains("script-src"), "{csp}");
    assert!(!agent.contains("<script"), "{agent}");
}

#[test]
fn inputs_are_listed_sorted_and_escaped_with_the_options_that_change_figures() {
    let dir = Workdir::new();
    dir.write("z.jsonl", SLOW_HALF);
    let odd = "夜班<i>&\"x\".jsonl";
    dir.write(odd, SCORES);
    let lexicons = crate::util::fixture("lexicons");
    dir.zhijian(&[
        "audit",
        "z.jsonl",
        odd,
        "--out",
        "out",
        "--lexicons",
        lexicons.to_str().unwrap(),
        "--quiet",
        "--seed",
        "7",
        "--sample-rate",
        "0.25",
        "--sla-seconds",
        "45",
    ])
    .success();
    let html = String::from_utf8(dir.read("out/index.html")).unwrap();
    let md = String::from_utf8(dir.read("out/summary.md")).unwrap();
    // Sorted by name: "z" (U+007A) before "夜" (U+591C), whatever the command line's order.
    assert_eq!(
        line(&html, "<dt>输入文件</dt>"),
        "<dt>输入文件</dt><dd class=inputs><code>z.jsonl</code>, <code>夜班&lt;i&gt;&amp;\"x\".jsonl</code></dd>"
    );
    assert!(!html.contains("<i>"), "unescaped file name");
    assert_eq!(line(&md, "- 输入文件: "), "- 输入文件: `z.jsonl`, `夜班<i>&\"x\".jsonl`");

    // The manifest's digests, shortened to 12 hex digits; the lexicon fingerprint is the
    // sha256 of the manifest's files as `sha256sum` lists them.
    let manifest = dir.read_json("out/manifest.json");
    let template = &manifest["template"]["sha256"].as_str().unwrap()[..12];
    let listing: String = manifest["lexicons"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}  {}\n", f["sha256"].as_str().unwrap(), f["name"].as_str().unwrap()))
        .collect();
    let fingerprint = format!("{:x}", Sha256::digest(listing.as_bytes()));
    assert_eq!(manifest["lexicons"]["fingerprint"], fingerprint.as_str());
    let options = format!(
        "抽检率 25%, SLA 45 秒, 随机种子 7, 评分模板 sha256 {template}, 词库 sha256 {}, 低分线 60",
        &fingerprint[..12]
    );
    assert_eq!(
        line(&html, "<dt>口径</dt>"),
        format!("<dt>口径</dt><dd class=options>{options}</dd>")
    );
    assert_eq!(line(&md, "- 口径: "), format!("- 口径: {options}"));
}
