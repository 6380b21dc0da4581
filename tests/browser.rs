//! Issue 10: the pages in a real browser. Headless Chromium loads `index.html` and an agent
//! page from disk, runs what script the Content-Security-Policy allows, and the test asserts
//! on the DOM it dumps: every agent has a row, the sort script ran (so the policy's hash is
//! right), the agent page lists the conduct ticket before the slow ones and draws the radar,
//! and no payload in a transcript, agent id, name or channel ever ran. It also takes
//! screenshots at 1280 and 390 px; with `ZHIJIAN_SCREENSHOTS=docs/screenshots` it copies them
//! there (how `docs/screenshots/*.png` were made).
//!
//! `#[ignore]`d: `cargo test --release -- --ignored` runs it (`.ci/run` does, after installing
//! Debian's `chromium` and `fonts-noto-cjk`). Without `chromium` on PATH it fails when
//! `CI=true` and is skipped otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::Workdir;

/// A browser that has not finished by then is killed, and the test fails.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(60);

/// The JS payloads: each would set `data-pwned` on `<body>` if it ever ran.
const PAYLOADS: [&str; 3] = [
    r#"<img src=x onerror="document.body.setAttribute('data-pwned','1')">"#,
    r#"<script>document.body.setAttribute('data-pwned','1')</script>"#,
    r#""><svg onload="document.body.setAttribute('data-pwned','1')">"#,
];

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("chromium")).find(|p| p.is_file())
}

/// `chromium`, or `None` (and a note) when it is missing outside CI; in CI a missing browser
/// is a failure, never a silent skip.
fn browser_or_skip() -> Option<PathBuf> {
    match chromium() {
        Some(path) => Some(path),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "chromium is not on PATH, and CI=true: .ci/run installs it (apt-get install -y \
             --no-install-recommends chromium fonts-noto-cjk); install it and run again"
        ),
        None => {
            eprintln!(
                "browser test skipped: chromium is not on PATH (apt-get install chromium \
                 fonts-noto-cjk to run it)"
            );
            None
        }
    }
}

/// Headless Chromium with its own profile under `dir`, killed after [`BROWSER_TIMEOUT`].
/// Returns what it wrote to stdout.
fn run_browser(browser: &Path, dir: &Workdir, args: &[String], page: &Path) -> String {
    let profile = dir.join("chromium-profile");
    let out_path = dir.join("chromium.out");
    let err_path = dir.join("chromium.err");
    let mut command = Command::new(browser);
    command
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    let mut child = command.spawn().expect("start chromium");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish in {BROWSER_TIMEOUT:?}: {command:?}\n{}",
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap();
    assert!(
        status.success(),
        "{command:?} failed: {status}\n{}",
        std::fs::read_to_string(&err_path).unwrap_or_default()
    );
    stdout
}

fn dump_dom(browser: &Path, dir: &Workdir, page: &Path) -> String {
    let dom = run_browser(browser, dir, &["--dump-dom".to_string()], page);
    assert!(dom.contains("</html>"), "no DOM from {}:\n{dom}", page.display());
    dom
}

/// A PNG of `page` at `width`×`height`, written to `png`.
fn screenshot(browser: &Path, dir: &Workdir, page: &Path, (width, height): (u32, u32), png: &Path) {
    let args =
        [format!("--screenshot={}", png.display()), format!("--window-size={width},{height}")];
    run_browser(browser, dir, &args, page);
    let bytes = std::fs::read(png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert!(bytes.starts_with(b"\x89PNG"), "{} is not a PNG", png.display());
}

/// `2026-11-21T09:00:00+08:00` plus `secs`.
fn ts(secs: u32) -> String {
    let t = 9 * 3600 + secs;
    format!("2026-11-21T{:02}:{:02}:{:02}+08:00", t / 3600, t / 60 % 60, t % 60)
}

/// One ticket: the customer asks at `at` (seconds after 09:00), the agent answers `after`
/// seconds later with `reply`, then closes.
fn ticket(id: &str, agent: &str, name: &str, at: u32, after: u32, reply: &str, csat: u8) -> String {
    serde_json::json!({
        "ticket_id": id,
        "agent_id": agent,
        "agent_name": name,
        "channel": "taobao",
        "messages": [
            {"role": "customer", "ts": ts(at), "text": "你好，我的快递三天了还没到，太生气了"},
            {"role": "agent", "ts": ts(at + after), "text": reply},
            {"role": "customer", "ts": ts(at + after + 30), "text": "好的谢谢"},
            {"role": "agent", "ts": ts(at + after + 40), "text": "不客气，再见"},
        ],
        "csat": csat,
    })
    .to_string()
}

/// Five agents, 20 tickets. 李强 (A02) answers T-A02-01…07 in 90 s (slow) and T-A02-08 in 10 s
/// with 你自己看 (a forbidden phrase): by id the conduct ticket comes last, by severity first.
/// 张伟 (A03) is slow on all four of his; 赵敏 (A04) once, and moves one customer to 加微信.
/// Slow first responses: 7 + 4 + 1 = 12 of 20, over half, so the page shows the SLA hint.
fn demo() -> String {
    let mut lines = Vec::new();
    let kind = "您好，理解您的心情，马上帮您查";
    for i in 0..3 {
        lines.push(ticket(&format!("T-A01-0{}", i + 1), "A01", "王芳", i * 600, 10, kind, 5));
    }
    for i in 0..7 {
        let id = format!("T-A02-0{}", i + 1);
        lines.push(ticket(&id, "A02", "李强", 1800 + i * 300, 90, "您好，已为您处理", 3));
    }
    lines.push(ticket("T-A02-08", "A02", "李强", 4200, 10, "这个你自己看，不归我管", 1));
    for i in 0..4 {
        let id = format!("T-A03-0{}", i + 1);
        let reply = "嗯嗯，工单已经提交，揽收后退款";
        lines.push(ticket(&id, "A03", "张伟", 5000 + i * 400, 45, reply, 4));
    }
    lines.push(ticket("T-A04-01", "A04", "赵敏", 7000, 20, "您好，马上帮您查", 4));
    lines.push(ticket("T-A04-02", "A04", "赵敏", 7600, 50, "您好，加微信聊", 2));
    lines.push(ticket("T-A04-03", "A04", "赵敏", 8200, 15, "您好，抱歉让您久等", 5));
    lines.push(ticket("T-A05-01", "A05", "陈静", 9000, 5, "您好，理解您的心情", 5));
    lines.push(ticket("T-A05-02", "A05", "陈静", 9600, 8, "您好，抱歉，马上帮您查", 4));
    assert_eq!(lines.len(), 20);
    lines.join("\n") + "\n"
}

/// The payloads in every field that reaches a page: message text, agent id, name, channel.
fn hostile() -> String {
    let [img, script, svg] = PAYLOADS;
    let line = serde_json::json!({
        "ticket_id": format!("X-1{script}"),
        "agent_id": format!("X{svg}"),
        "agent_name": img,
        "channel": script,
        "messages": [
            {"role": "customer", "ts": ts(0), "text": format!("{img}在吗{svg}")},
            {"role": "agent", "ts": ts(60), "text": format!("{script}你自己看{img}")},
        ],
    });
    format!("{}\n{}\n", line, ticket("X-2", "A01", "王芳", 100, 10, "您好", 5))
}

/// Asserts that no payload ran: `<body>` never got `data-pwned`, and no element a payload
/// would create exists.
fn assert_nothing_ran(dom: &str, page: &str) {
    let body = &dom[dom.find("<body").expect("a body")..];
    let body_tag = &body[..body.find('>').unwrap()];
    assert!(!body_tag.contains("data-pwned"), "{page}: a payload ran: {body_tag}");
    assert!(!dom.contains("data-pwned=\"1\""), "{page}: a payload ran");
    assert!(!dom.contains("<img"), "{page}: an <img> element from input");
    assert!(!dom.contains("<svg onload"), "{page}: an <svg onload> element from input");
}

#[test]
#[ignore = "needs chromium; .ci/run installs it and runs the ignored tests"]
fn pages_render_sort_and_never_run_input_in_a_real_browser() {
    let Some(browser) = browser_or_skip() else { return };
    let dir = Workdir::new();
    dir.write("demo.jsonl", demo());
    dir.audit("demo.jsonl", &[]).success();
    let out = dir.join("out");
    let index = out.join("index.html");
    let agent = out.join("agents/A02.html");

    let dom = dump_dom(&browser, &dir, &index);
    let tbody = &dom[dom.find("<tbody>").unwrap()..dom.find("</tbody>").unwrap()];
    for (id, name) in
        [("A01", "王芳"), ("A02", "李强"), ("A03", "张伟"), ("A04", "赵敏"), ("A05", "陈静")]
    {
        let link = format!("<a href=\"agents/{id}.html\">{id}</a>");
        assert!(tbody.contains(&link), "no row for {id} in\n{tbody}");
        assert!(tbody.contains(&format!("<td>{name}</td>")), "no {name} in\n{tbody}");
    }
    assert_eq!(tbody.matches("<tr").count(), 5, "{tbody}");
    // The script ran, so the CSP's hash matches it: it marks the table and its headers.
    assert!(dom.contains("data-sortable=\"1\""), "the sort script did not run:\n{dom}");
    // 11 figure columns and (issue 15) 5 KPI columns and the missed targets: 17 headers.
    assert_eq!(dom.matches("aria-sort=\"none\"").count(), 17, "{dom}");
    assert!(dom.contains("<tfoot><tr class=\"team\"><th scope=\"row\">团队</th>"), "{dom}");
    // 12 of 20 = 60.0% slow first responses.
    assert!(
        dom.contains("⚠ 60.0% 的工单被标记为「首次响应超时」 — SLA 30 秒是否符合本渠道？"),
        "{dom}"
    );
    assert!(dom.contains("<svg class=\"hist\""), "no histogram in\n{dom}");

    let dom = dump_dom(&browser, &dir, &agent);
    assert!(dom.contains("<svg"), "no radar on the agent page:\n{dom}");
    let at = |id: &str| dom.find(id).unwrap_or_else(|| panic!("{id} missing from\n{dom}"));
    let conduct = at("T-A02-08");
    for i in 1..=7 {
        let slow = at(&format!("T-A02-0{i}"));
        assert!(conduct < slow, "the forbidden-phrase ticket comes after T-A02-0{i}");
    }
    assert!(dom.contains("你自己看"), "the conduct ticket's evidence is missing");
    // The conversation view: each listed ticket opens to its chat; the hit behind the conduct
    // reason is emphasized in its category's colour, with a tooltip naming entry and category;
    // one legend per page.
    assert_eq!(dom.matches("<details class=\"conv\">").count(), 8, "one chat per listed ticket");
    let why = dom
        .find("<mark class=\"k-forbidden why\" title=\"")
        .unwrap_or_else(|| panic!("the forbidden hit is not emphasized in\n{dom}"));
    let hit = &dom[why..why + dom[why..].find("</mark>").unwrap()];
    assert!(hit.contains("服务禁语") && hit.ends_with(">你自己看"), "{hit}");
    assert_eq!(dom.matches("<p class=\"legend\">").count(), 1, "one legend");

    // Screenshots: always into the temp dir; into the repository when asked.
    let shots = dir.join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for (name, page, size) in [
        ("team-desktop.png", &index, (1280, 2000)),
        ("team-phone.png", &index, (390, 1600)),
        ("agent-desktop.png", &agent, (1280, 2000)),
        ("agent-phone.png", &agent, (390, 1600)),
    ] {
        screenshot(&browser, &dir, page, size, &shots.join(name));
    }
    if let Some(target) = std::env::var_os("ZHIJIAN_SCREENSHOTS") {
        let target = Path::new(env!("CARGO_MANIFEST_DIR")).join(target);
        std::fs::create_dir_all(&target).unwrap();
        for name in ["team-desktop.png", "team-phone.png", "agent-desktop.png", "agent-phone.png"] {
            std::fs::copy(shots.join(name), target.join(name)).unwrap();
        }
        eprintln!("screenshots copied to {}", target.display());
    }
}

#[test]
#[ignore = "needs chromium; .ci/run installs it and runs the ignored tests"]
fn payloads_in_text_ids_names_and_channels_never_run_in_a_real_browser() {
    let Some(browser) = browser_or_skip() else { return };
    let dir = Workdir::new();
    dir.write("hostile.jsonl", hostile());
    dir.audit("hostile.jsonl", &[]).success();
    let out = dir.join("out");
    let pages: Vec<PathBuf> = std::fs::read_dir(out.join("agents"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "html") && !p.ends_with("A01.html"))
        .collect();
    assert_eq!(pages.len(), 1, "one page for the hostile agent\n{}", dir.listing());

    let dom = dump_dom(&browser, &dir, &out.join("index.html"));
    assert_nothing_ran(&dom, "index.html");
    assert!(dom.contains("data-sortable=\"1\""), "the page's own script must still run");
    // The id is text, escaped: a DOM serializer writes < and > in text as &lt; &gt;.
    let id = "X\"&gt;&lt;svg onload=\"document.body.setAttribute('data-pwned','1')\"&gt;";
    assert!(dom.contains(id), "the hostile agent id as text in\n{dom}");
    assert!(dom.contains("&lt;img src=x onerror="), "the hostile name as text in\n{dom}");

    let dom = dump_dom(&browser, &dir, &pages[0]);
    assert_nothing_ran(&dom, "the hostile agent's page");
    assert!(dom.contains("&lt;script&gt;document.body.setAttribute"), "{dom}");
    assert!(dom.contains("你自己看"), "the flagged ticket is on the page:\n{dom}");
}
