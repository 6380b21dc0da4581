//! Issue 10 (report bugs): a figure without data is never drawn or written as 0 (the radar
//! skips its axis and says 无数据, agents.csv leaves the cell empty, the pages show —);
//! agents.csv leads with the score and its components and writes shares as the pages do;
//! Markdown keeps ids greppable verbatim and lets none of them format the page.

use std::collections::BTreeMap;

use crate::util::{fixture, Workdir};

/// N1 has neither CSAT nor timestamps nor a complaint; N2 answers in 10 s and gets CSAT 5.
const NO_CSAT_NO_TIMES: &str = concat!(
    r#"{"ticket_id":"R1","agent_id":"N1","agent_name":"小周","messages":[{"role":"customer","text":"在吗"},{"role":"agent","text":"您好"},{"role":"agent","text":"再见"}]}"#,
    "\n",
    r#"{"ticket_id":"R2","agent_id":"N2","messages":[{"role":"customer","ts":"2026-11-21T09:00:00+08:00","text":"在吗"},{"role":"agent","ts":"2026-11-21T09:00:10+08:00","text":"您好"}],"csat":5}"#,
    "\n",
);

fn audit_no_csat_no_times(dir: &Workdir) {
    dir.write("in.jsonl", NO_CSAT_NO_TIMES);
    dir.audit("in.jsonl", &[]).success();
}

/// The value of `name="…"` in an SVG element's opening tag.
fn attr<'a>(element: &'a str, name: &str) -> &'a str {
    let start =
        element.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("{name} in {element}"))
            + name.len()
            + 3;
    &element[start..start + element[start..].find('"').unwrap()]
}

fn points(polygon: &str) -> Vec<(f64, f64)> {
    attr(polygon, "points")
        .split(' ')
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

/// Every element of one kind in `svg`, opening tag (and text, for `<text>`) included.
fn elements<'a>(svg: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    svg.match_indices(&open)
        .map(|(at, _)| {
            let end = if tag == "text" { "</text>" } else { ">" };
            &svg[at..at + svg[at..].find(end).unwrap() + end.len()]
        })
        .collect()
}

#[test]
fn radar_draws_no_vertex_for_a_component_without_data() {
    let dir = Workdir::new();
    audit_no_csat_no_times(&dir);
    let page = String::from_utf8(dir.read("out/agents/N1.html")).unwrap();
    let svg = &page[page.find("<svg").unwrap()..page.find("</svg>").unwrap()];
    // Centre (210, 150), radius 100; axes every 60° clockwise from the top: 语言规范, 服务态度,
    // 共情, 响应速度, 满意度, 合规. N1: language, conduct and compliance 100 (its one sampled
    // ticket passes every check it can), empathy (no complaint), responsiveness and
    // satisfaction unknown: three vertices, on the outer ring at 0°, 60° and 300°.
    let polygons = elements(svg, "polygon");
    let mine = polygons.iter().position(|p| p.contains("class=\"mine\"")).expect("agent shape");
    assert_eq!(points(polygons[mine]), [(210.0, 50.0), (296.6, 100.0), (123.4, 100.0)]);
    assert!(!points(polygons[mine]).contains(&(210.0, 150.0)), "a vertex at the centre");
    // The team has N2's responsiveness (1 reply in 10 s: 100) and satisfaction (CSAT 5: 100),
    // compliance (100 + 90) / 2 = 95 (N2 never says goodbye): (210 − 95·cos 30°, 150 − 47.5).
    let team = polygons.iter().position(|p| p.contains("class=\"team\"")).expect("team shape");
    assert_eq!(
        points(polygons[team]),
        [(210.0, 50.0), (296.6, 100.0), (210.0, 250.0), (123.4, 200.0), (127.7, 102.5)]
    );
    // Drawn over the agent's shape, as an outline, so it stays visible.
    assert!(team > mine && attr(polygons[team], "fill") == "none", "{}", polygons[team]);

    let texts = elements(svg, "text");
    let label = |axis: &str| {
        *texts.iter().find(|t| t.contains(&format!(">{axis} "))).unwrap_or_else(|| panic!("{axis}"))
    };
    for (axis, says, anchor) in [
        ("语言规范", "100", "middle"),
        ("服务态度", "100", "start"),
        ("共情", "无数据", "start"),
        ("响应速度", "无数据", "middle"),
        ("满意度", "无数据", "end"),
        ("合规", "100", "end"),
    ] {
        let text = label(axis);
        assert!(text.ends_with(&format!(">{axis} {says}</text>")), "{text}");
        assert_eq!(attr(text, "text-anchor"), anchor, "{text}");
        // Beyond the outer ring (radius 100), so no label sits on a shape.
        let (x, y): (f64, f64) =
            (attr(text, "x").parse().unwrap(), attr(text, "y").parse().unwrap());
        assert!((x - 210.0).hypot(y - 150.0) > 105.0, "{text}");
    }
}

#[test]
fn figures_without_data_are_empty_cells_and_dashes_never_zero() {
    let dir = Workdir::new();
    audit_no_csat_no_times(&dir);
    let (_, agents) = dir.agents_csv("out");
    let n1 = &agents["N1"];
    for column in [
        "共情分项",
        "响应速度分项",
        "满意度分项",
        "满意度均分",
        "首响中位数(秒)",
        "首响超时数",
        "回复间隔中位数(秒)",
        "回复超时数",
        "抱怨后共情率(%)",
        "解决率(%)",
    ] {
        assert_eq!(n1[column], "", "{column}");
    }
    assert_eq!((n1["综合得分"].as_str(), n1["合规分项"].as_str()), ("100.0", "100.0"));
    // N2 was timed: no breach is a known 0.
    assert_eq!(
        (agents["N2"]["回复超时数"].as_str(), agents["N2"]["首响超时数"].as_str()),
        ("0", "0")
    );

    let page = String::from_utf8(dir.read("out/agents/N1.md")).unwrap();
    for row in [
        "| 共情分项 | — | — |",
        "| 响应速度分项 | — | 100.0 |",
        "| 满意度分项 | — | 100.0 |",
        "| 首响超时数 | — | 0 |",
        "| 回复超时数 | — | 0 |",
        "| 满意度均分 | — | 5.00 |",
    ] {
        assert!(page.lines().any(|l| l == row), "{row} missing from\n{page}");
    }
}

#[test]
fn agents_csv_leads_with_the_score_and_writes_shares_as_percentages() {
    let dir = Workdir::new();
    dir.audit(fixture("basic.jsonl").to_str().unwrap(), &[]).success();
    let (header, agents) = dir.agents_csv("out");
    assert_eq!(
        header[..10],
        [
            "客服ID",
            "客服姓名",
            "工单数",
            "综合得分",
            "语言规范分项",
            "服务态度分项",
            "共情分项",
            "响应速度分项",
            "满意度分项",
            "合规分项"
        ]
    );
    // 72 columns, then issue 15's 12 KPI figures and its 2 mark columns at the end.
    assert_eq!(header.len(), 86, "{header:?}");
    assert_eq!(header.iter().filter(|h| h.as_str() == "综合得分").count(), 1);
    let row = |id: &str, columns: &[&str]| -> Vec<String> {
        columns.iter().map(|c| agents[id][*c].clone()).collect::<Vec<_>>()
    };
    let head: Vec<&str> = header[..10].iter().map(String::as_str).collect();
    // A1 (basic.expect.md): language 100 (no filler, jargon or negative); conduct
    // 100 × (1 − min(1, 3 × ½ + 3 × ½)) = 0; empathy 1 of 3 complaints = 33.3; 1 of 4 timed
    // replies over the SLA = 75; CSAT 3 → (3 − 1) / 4 = 50; its sampled ticket T2 is vetoed: 0.
    // Score (25·100 + 20·0 + 15·33.3 + 15·75 + 10·50 + 15·0) / 100 = 46.2.
    assert_eq!(
        row("A1", &head),
        ["A1", "小李", "2", "46.2", "100.0", "0.0", "33.3", "75.0", "50.0", "0.0"]
    );
    // A2: no complaint, no CSAT, nothing scored in its sample; one timed reply (5 s).
    assert_eq!(
        row("A2", &head),
        ["A2", "王五", "3", "100.0", "100.0", "100.0", "", "100.0", "", ""]
    );
    // A3: language max(0, 100 − 10 × 100/7 − 10 × 200/7) = 0; score (20·100 + 15·100) / 60.
    assert_eq!(row("A3", &head), ["A3", "", "0", "58.3", "0.0", "100.0", "", "100.0", "", ""]);

    let shares = [
        "抱怨后共情率(%)",
        "共情工单占比(%)",
        "解决率(%)",
        "合规通过率(%)",
        "共情/百词",
        "满意度均分",
    ];
    // 1/3, 1 of 2 tickets, 1 of 2 resolved, 1 of 6 checks passed; 1 hit in 14 words; (5 + 1) / 2.
    assert_eq!(row("A1", &shares), ["33.3", "50.0", "50.0", "16.7", "7.14", "3.00"]);
    let breaches = ["首响超时数", "回复超时数", "一票否决工单数"];
    assert_eq!(row("A1", &breaches), ["1", "1", "1"]);
    // A2's first response (5 s) was timed; A3 never made one, and neither had a ticket scored.
    assert_eq!(row("A2", &breaches), ["0", "0", ""]);
    assert_eq!(row("A3", &breaches), ["", "0", ""]);
}

/// Audits one flagged ticket and returns summary.md and the agent's Markdown page.
fn markdown_for(dir: &Workdir, agent: &str, ticket: &str) -> (String, String) {
    let line = serde_json::json!({
        "ticket_id": ticket,
        "agent_id": agent,
        "messages": [
            {"role": "customer", "text": "在吗"},
            {"role": "agent", "text": "你自己看订单 123-456_7.8"},
        ],
    });
    dir.write("in.jsonl", format!("{line}\n"));
    dir.audit("in.jsonl", &[]).success();
    let md: Vec<_> = std::fs::read_dir(dir.join("out/agents"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    assert_eq!(md.len(), 1, "{}", dir.listing());
    let summary = String::from_utf8(dir.read("out/summary.md")).unwrap();
    (summary, std::fs::read_to_string(&md[0]).unwrap())
}

#[test]
fn markdown_ids_are_greppable_verbatim() {
    let dir = Workdir::new();
    let (summary, page) = markdown_for(&dir, "A-1_x.y", "csds-0390_a.b");
    assert!(page.contains("### 工单 `csds-0390_a.b`\n"), "{page}");
    assert!(page.starts_with("# 客服质检报告: `A-1_x.y`\n"), "{page}");
    assert!(summary.contains("| `A-1_x.y` |"), "{summary}");
}

#[test]
fn markdown_ids_cannot_inject_tables_emphasis_or_html() {
    let dir = Workdir::new();
    let (summary, page) = markdown_for(&dir, "x|*y*`<i>", "t*1*|``<b>");
    // Inline code: one backtick more than the longest run inside; `|` escaped in a table.
    assert!(page.contains("\n### 工单 ```t*1*|``<b>```\n"), "{page}");
    assert!(page.starts_with("# 客服质检报告: ``x|*y*`<i>``\n"), "{page}");
    let row = summary.lines().find(|l| l.contains("x\\|")).expect("the agent's row");
    assert!(row.starts_with("| ``x\\|*y*`<i>`` | "), "{row}");
    // Cells split on unescaped `|` only: the team table's 17 columns, and no more.
    let bars = row.match_indices('|').filter(|(at, _)| !row[..*at].ends_with('\\')).count();
    assert_eq!(bars, 18, "{row}");
    // Transcript text keeps list and number characters greppable.
    assert!(page.contains("订单 123-456\\_7.8"), "{page}");
}

#[test]
fn reports_without_data_stay_identical_across_thread_counts() {
    let dir = Workdir::new();
    dir.write("in.jsonl", NO_CSAT_NO_TIMES);
    let mut outputs: BTreeMap<&str, Vec<Vec<u8>>> = BTreeMap::new();
    for threads in ["1", "4"] {
        dir.audit("in.jsonl", &["--threads", threads]).success();
        for file in ["agents.csv", "agents/N1.html", "agents/N1.md", "summary.md"] {
            outputs.entry(file).or_default().push(dir.read(&format!("out/{file}")));
        }
    }
    for (file, runs) in outputs {
        assert_eq!(runs[0], runs[1], "{file} differs between 1 and 4 threads");
    }
}
