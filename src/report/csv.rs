//! `agents.csv` and `review_queue.csv`, for Excel: UTF-8 with a BOM (so Excel reads the
//! Chinese headers), one header row, CRLF line ends from the csv crate's defaults. Any cell
//! starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so a spreadsheet never runs
//! transcript text as a formula.
//!
//! **agents.csv** — one row per agent, sorted by agent id; an unknown figure (nothing to
//! measure) is an empty cell, never 0. Figures are written as the pages write them
//! (`figures.rs`): a header ending `(%)` holds a percentage with one decimal (`33.1`), `(秒)`
//! whole seconds, scores are 0–100 with one decimal. Columns: 客服ID, 客服姓名, 工单数,
//! 综合得分, the six score components (语言规范分项, 服务态度分项, 共情分项, 响应速度分项,
//! 满意度分项, 合规分项), 参与工单数, 客服消息数, 客服词数; per category `<类>次数`,
//! `<类>/百词`, `<类>工单占比(%)`; 客户抱怨数, 抱怨后共情率(%), 客户负面工单占比(%),
//! 情绪升级工单数, 首响中位数(秒), 首响P90(秒), 首响超时数, 回复间隔中位数(秒),
//! 回复间隔P90(秒), 回复超时数 (a breach count is empty when nothing was timed), 满意度均分
//! (1–5), 满意度样本数, 解决率(%), 被标记工单数, flagged tickets per reason, 抽检数,
//! 合规通过率(%), 合规得分均值, 合规评分工单数, 一票否决工单数, per check `<检查项>通过率(%)`;
//! then the KPIs (issue 15, added at the end so every earlier column keeps its place): 计时工单数,
//! 处理时长中位数(秒), 处理时长P90(秒), 平均处理时长(秒) (AHT), 投诉工单数, 投诉率(%),
//! 满意工单数(4-5分), 满意率(%) (of 满意度样本数), 已解决工单数, 含解决字段工单数 (解决率(%) is
//! the earlier column), 首响计时数, 首响达标率(%), KPI未达标 (each missed target with its gap,
//! `满意率 85.7% < 90%; AHT 2分10秒 > 1分30秒`, empty when none is missed) and KPI未知 (the KPIs
//! with a target but no figure, so neither met nor missed). With `--baseline`, the trend's
//! columns come last.
//! **review_queue.csv** — one row per sampled ticket, sorted by agent then ticket id: 客服ID,
//! 客服姓名, 工单ID, 合规得分 (the ticket's compliance score from the scoring template,
//! `Template::ticket_compliance`, judged once in `run`; empty when no check passed or failed),
//! 一票否决项 (the failed veto checks), 抽样原因 (why it is in the sample, docs/sampling.md:
//! 一票否决, 严重违规, 客户情绪升级, 随机抽样 30%, 保底抽样), then per check
//! `<check>-结果` (通过/不通过/不适用/未知), `<check>-证据` and an empty
//! `<check>-复核(同意/不同意)` for the reviewer's verdict, a 复核备注 column for the reviewer, and
//! last 对话摘录: the conversation, one line per message (`客户: …`, `客服: …`, bot and system
//! turns labelled 机器人/系统), personal data masked unless `--no-mask`, control characters made
//! spaces, cut after 1,000 characters with `…(共 N 条消息)` (`conversation::transcript`).
//! Evidence points at the spot, messages counted from 1 (flagged.jsonl counts from 0), spots
//! separated by `；`: `消息#3「你自己看」` (a lexicon entry, then `(原文: …)` when the text
//! was written differently), `消息#4 手机号 138****5678` (masked unless `--no-mask`, from the
//! same spans as every other report), `消息#2 首响 45 秒`, `消息#2 无时间戳, 无法计时`,
//! `消息#1、#3 未见问候语`. A spot whose original text hid invisible characters (zero-width and
//! the like, see `normalize.rs`) to slip past the checks ends in `〔含隐藏字符〕`.
//! `zhijian calibrate` reads the filled-in file back by these headers and the 「」 entries.

use std::borrow::Cow;

use crate::aggregate::{Metrics, REPORTED};
use crate::check::{Compliance, Finding};
use crate::report::kpi::Card;
use crate::report::{figures, labels};
use crate::template::rules::Rule;
use crate::template::TicketCompliance;
use crate::trend;
use crate::vocab::{Reason, RuleId};

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Neutralizes spreadsheet formula injection (OWASP's recommendation: a leading quote).
pub fn safe_cell(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}").into(),
        _ => value.into(),
    }
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(BOM.to_vec())
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Vec<u8> {
    writer.into_inner().expect("writing to memory cannot fail")
}

/// An unknown figure is an empty cell, never 0.
fn cell(value: Option<String>) -> String {
    value.unwrap_or_default()
}

/// With `--baseline` / `--history`, the last columns: the change of the overall score since the
/// baseline (`▲1.2`, `新` for an agent not in it), of the flagged share in percentage points,
/// and the conduct reasons repeated on 3 of the last 7 runs.
const TREND_HEADER: [&str; 3] =
    ["综合得分变化(较基线)", "被标记占比变化(百分点)", "屡犯原因(近7次≥3次)"];

/// The KPI columns, after every older column and before the trend's.
const KPI_HEADER: [&str; 12] = [
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
];

/// `rows` in agent id order, `cards[i]` the KPI card of `rows[i]`.
pub fn agents(
    rows: &[(String, Option<String>, Metrics)],
    cards: &[Card],
    trend: Option<&trend::View>,
) -> Vec<u8> {
    let mut w = writer();
    let mut header: Vec<String> =
        ["客服ID", "客服姓名", "工单数", "综合得分"].map(String::from).into();
    header.extend((0..labels::COMPONENTS.len()).map(labels::component));
    header.extend(["参与工单数", "客服消息数", "客服词数"].map(String::from));
    for c in REPORTED {
        let name = labels::category(c);
        header.extend([
            format!("{name}次数"),
            format!("{name}/百词"),
            format!("{name}工单占比(%)"),
        ]);
    }
    header.extend(
        [
            "客户抱怨数",
            "抱怨后共情率(%)",
            "客户负面工单占比(%)",
            "情绪升级工单数",
            "首响中位数(秒)",
            "首响P90(秒)",
            "首响超时数",
            "回复间隔中位数(秒)",
            "回复间隔P90(秒)",
            "回复超时数",
            "满意度均分",
            "满意度样本数",
            "解决率(%)",
            "被标记工单数",
        ]
        .map(String::from),
    );
    header.extend(Reason::ALL.map(|r| labels::reason(r).to_string()));
    header.extend(
        ["抽检数", "合规通过率(%)", "合规得分均值", "合规评分工单数", "一票否决工单数"]
            .map(String::from),
    );
    // The rules are the template's, the same for every row.
    let rules = rows.first().map_or(&[][..], |(_, _, m)| &m.compliance[..]);
    header.extend(rules.iter().map(|c| format!("{}通过率(%)", c.label)));
    header.extend(KPI_HEADER.map(String::from));
    header.extend([labels::KPI_MISSED_COLUMN, labels::KPI_UNKNOWN_COLUMN].map(String::from));
    if trend.is_some() {
        header.extend(TREND_HEADER.map(String::from));
    }
    w.write_record(&header).expect("in memory");

    for ((id, name, m), card) in rows.iter().zip(cards) {
        let mut row: Vec<String> = vec![
            safe_cell(id).into_owned(),
            safe_cell(name.as_deref().unwrap_or("")).into_owned(),
            m.tickets.to_string(),
            cell(figures::score(m.score)),
        ];
        row.extend(m.score_components.values().map(|v| cell(figures::score(v))));
        row.extend([m.participated.to_string(), m.messages.to_string(), m.words.to_string()]);
        for c in REPORTED {
            let cm = &m.categories[c];
            row.extend([
                cm.hits.to_string(),
                cell(figures::decimal(cm.per_100_words)),
                cell(figures::percent(cm.ticket_share)),
            ]);
        }
        row.extend([
            m.complaints.to_string(),
            cell(figures::percent(m.empathy_after_complaint)),
            cell(figures::percent(m.customer_negative_share)),
            m.escalations.to_string(),
            cell(figures::secs(m.first_response_median_secs)),
            cell(figures::secs(m.first_response_p90_secs)),
            cell(figures::count(m.first_response_sla_breaches)),
            cell(figures::secs(m.response_median_secs)),
            cell(figures::secs(m.response_p90_secs)),
            cell(figures::count(m.response_sla_breaches)),
            cell(figures::decimal(m.csat_mean)),
            m.csat_count.to_string(),
            cell(figures::percent(m.resolved_share)),
            m.flagged.to_string(),
        ]);
        row.extend(Reason::ALL.map(|r| m.flagged_by_reason[r].to_string()));
        row.extend([
            m.sampled.to_string(),
            cell(figures::percent(m.compliance_pass_rate)),
            cell(figures::score(m.compliance_score)),
            m.compliance_scored.to_string(),
            cell(figures::count(m.compliance_vetoed)),
        ]);
        row.extend(m.compliance.iter().map(|c| cell(figures::percent(c.pass_rate))));
        row.extend([
            m.handle_timed_tickets.to_string(),
            cell(figures::secs(m.handle_median_secs)),
            cell(figures::secs(m.handle_p90_secs)),
            cell(figures::secs(m.handle_mean_secs)),
            m.complaint_tickets.to_string(),
            cell(figures::percent(m.complaint_rate)),
            m.csat_satisfied.to_string(),
            cell(figures::percent(m.satisfaction_rate)),
            m.resolved.to_string(),
            m.resolved_known.to_string(),
            m.timed_first_responses.to_string(),
            cell(figures::percent(m.first_response_sla_rate)),
            figures::kpi_gaps(card),
            figures::kpi_unknowns(card),
        ]);
        if let Some(change) = trend.map(|t| &t.agents[id]) {
            let repeated = crate::report::figures::repeated(change);
            row.extend([
                cell(figures::score_change(change)),
                cell(figures::change(change.flagged_share_delta)),
                repeated,
            ]);
        }
        w.write_record(&row).expect("in memory");
    }
    finish(w)
}

pub fn review_queue_header(rules: &[Rule]) -> Vec<u8> {
    let mut w = writer();
    let mut header: Vec<String> = [
        labels::QUEUE_AGENT,
        labels::QUEUE_AGENT_NAME,
        labels::QUEUE_TICKET,
        labels::QUEUE_SCORE,
        labels::QUEUE_VETO,
        labels::QUEUE_SAMPLE_REASON,
    ]
    .map(String::from)
    .into();
    for rule in rules {
        header.extend([
            labels::queue_result(&rule.label),
            labels::queue_evidence(&rule.label),
            labels::queue_verdict(&rule.label),
        ]);
    }
    header.push(labels::QUEUE_COMMENT.into());
    header.push(labels::QUEUE_TRANSCRIPT.into());
    w.write_record(&header).expect("in memory");
    finish(w)
}

/// Where the 抽样原因 column sits: after 一票否决项, before the checks.
const SAMPLE_REASON_AT: usize = 5;

/// Puts the 抽样原因 cell into rendered review-queue rows. A row is rendered during the audit,
/// before the sample is chosen; the reason is known only then, so it goes in as the row is
/// copied out, and every other cell comes back byte for byte. The CSV reader that finds where
/// the cell goes is built once: building one per row cost more than the copying (4% of a run).
pub struct ReasonCells {
    reader: csv_core::Reader,
    scratch: Vec<u8>,
}

impl ReasonCells {
    pub fn new() -> ReasonCells {
        ReasonCells { reader: csv_core::Reader::new(), scratch: Vec::new() }
    }

    /// `row` (one rendered record, its line ending included) with `reason` as the cell after
    /// 一票否决项, appended to `out`.
    pub fn splice(&mut self, row: &[u8], reason: &str, out: &mut Vec<u8>) {
        self.reader.reset();
        // A field is never longer than its row, so the scratch space never runs out.
        self.scratch.resize(row.len(), 0);
        let mut at = 0;
        for _ in 0..SAMPLE_REASON_AT {
            let (result, read, _) = self.reader.read_field(&row[at..], &mut self.scratch);
            assert!(
                matches!(result, csv_core::ReadFieldResult::Field { record_end: false }),
                "a rendered review-queue row has its first {SAMPLE_REASON_AT} cells"
            );
            at += read;
        }
        out.extend_from_slice(&row[..at]);
        let reason = safe_cell(reason);
        let mut writer = csv_core::Writer::new();
        let mut cell = vec![0; 2 * reason.len() + 2];
        let (_, read, mut written) = writer.field(reason.as_bytes(), &mut cell);
        assert_eq!(read, reason.len(), "room for every byte doubled and two quotes");
        written += writer.finish(&mut cell[written..]).1;
        out.extend_from_slice(&cell[..written]);
        out.push(b',');
        out.extend_from_slice(&row[at..]);
    }
}

impl Default for ReasonCells {
    fn default() -> Self {
        ReasonCells::new()
    }
}

/// One review-queue row (no BOM), rendered for every ticket while its text is at hand;
/// only the sampled ones are written out, each with its 抽样原因 ([`ReasonCells`]).
/// `score` is the ticket's compliance score as the scoring template judged it
/// (`Template::ticket_compliance`); `rules` are the template's.
pub fn review_queue_row(
    rules: &[Rule],
    agent: &str,
    agent_name: Option<&str>,
    ticket: &str,
    compliance: &Compliance,
    score: Option<&TicketCompliance>,
    transcript: &str,
) -> Vec<u8> {
    // Written into memory, so the writer's own buffer only adds a copy: the default 8 KiB,
    // zeroed for every ticket, was 1% of a run.
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(256)
        .from_writer(Vec::new());
    let vetoes: Vec<&str> = (0..rules.len())
        .filter(|&i| score.is_some_and(|s| s.failed_vetoes.contains(RuleId(i as u8))))
        .map(|i| rules[i].label.as_str())
        .collect();
    let mut row: Vec<Cow<str>> = vec![
        safe_cell(agent),
        safe_cell(agent_name.unwrap_or("")),
        safe_cell(ticket),
        score.map(|s| s.points.to_string()).unwrap_or_default().into(),
        vetoes.join("、").into(),
    ];
    for (i, findings) in compliance.evidence.iter().enumerate() {
        let mut spots: Vec<String> = findings.iter().map(spot).collect();
        let found = compliance.found[i];
        if found > findings.len() {
            spots.push(format!("等共 {found} 处"));
        }
        row.extend([
            labels::outcome(compliance.outcomes[i]).into(),
            safe_cell(&spots.join("；")).into_owned().into(),
            "".into(),
        ]);
    }
    row.push("".into());
    row.push(safe_cell(transcript));
    w.write_record(row.iter().map(|cell| cell.as_bytes())).expect("in memory");
    w.into_inner().expect("in memory")
}

/// One spot of evidence, messages counted from 1 for people. Texts arrive as displayed
/// (masked unless `--no-mask`).
pub(crate) fn spot(finding: &Finding) -> String {
    let hidden = |disguised: bool| if disguised { labels::DISGUISED } else { "" };
    match finding {
        Finding::Entry { message, entry, text, disguised } if text == entry => {
            format!("消息#{}「{entry}」{}", message + 1, hidden(*disguised))
        }
        Finding::Entry { message, entry, text, disguised } => {
            format!("消息#{}「{entry}」(原文: {text}){}", message + 1, hidden(*disguised))
        }
        Finding::Pii { message, kind, text, disguised } => {
            let label = labels::pii(*kind);
            format!("消息#{} {label} {text}{}", message + 1, hidden(*disguised))
        }
        Finding::Seconds { message, secs } => format!("消息#{} 首响 {secs} 秒", message + 1),
        Finding::Untimed { message } => format!("消息#{} 无时间戳, 无法计时", message + 1),
        Finding::Searched { first, last, missing } if first == last => {
            format!("消息#{} {}", first + 1, labels::not_found(*missing))
        }
        Finding::Searched { first, last, missing } => {
            format!("消息#{}、#{} {}", first + 1, last + 1, labels::not_found(*missing))
        }
        Finding::NoReply { after } => format!("消息#{} 之后无回复", after + 1),
        Finding::Gap { message, reply, secs } => {
            format!("消息#{} 等待 {secs} 秒 (至消息#{})", message + 1, reply + 1)
        }
        Finding::Unanswered { message } => format!("消息#{} 提问未获回复", message + 1),
        Finding::Said { message, text } => format!("消息#{}「{text}」", message + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_reason_goes_after_the_veto_column_and_the_rest_comes_back_byte_for_byte() {
        let header = review_queue_header(&crate::template::Template::builtin().rules);
        let names: Vec<String> = csv::Reader::from_reader(&header[BOM.len()..])
            .headers()
            .unwrap()
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(names[SAMPLE_REASON_AT - 1], labels::QUEUE_VETO);
        assert_eq!(names[SAMPLE_REASON_AT], labels::QUEUE_SAMPLE_REASON);
        // Cells that need quoting (a comma, quotes, a line break) come back as they were.
        let row = "A1,\"王, jr\",T1,90,,\"say \"\"hi\"\"\",\"a\nb\"\r\n";
        let splice = |row: &[u8], reason: &str| {
            let mut out = b"before".to_vec();
            ReasonCells::new().splice(row, reason, &mut out);
            out.split_off(6)
        };
        let mut cells = ReasonCells::new();
        let with = splice(row.as_bytes(), "随机抽样 30%");
        let want = "A1,\"王, jr\",T1,90,,随机抽样 30%,\"say \"\"hi\"\"\",\"a\nb\"\r\n";
        assert_eq!(String::from_utf8(with).unwrap(), want);
        let formula = splice(b"A,,T,,,x\r\n", "=1+1");
        assert_eq!(formula, b"A,,T,,,'=1+1,x\r\n");
        // A reason that needs quoting is quoted as the CSV writer quotes it; one splicer serves
        // row after row.
        let mut out = Vec::new();
        cells.splice(b"A,,T,,,x\r\n", "a,\"b\"", &mut out);
        cells.splice(row.as_bytes(), "r", &mut out);
        let want_quoted = "A,,T,,,\"a,\"\"b\"\"\",x\r\n";
        let want_second = "A1,\"王, jr\",T1,90,,r,\"say \"\"hi\"\"\",\"a\nb\"\r\n";
        assert_eq!(String::from_utf8(out).unwrap(), format!("{want_quoted}{want_second}"));
    }

    #[test]
    fn formula_cells_are_neutralized() {
        let cases = [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@A", "'@A"),
            ("A-1", "A-1"),
            ("小王", "小王"),
        ];
        for (cell, want) in cases {
            assert_eq!(safe_cell(cell), want);
        }
    }
}
