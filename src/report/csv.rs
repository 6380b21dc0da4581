//! `agents.csv` and `review_queue.csv`, for Excel: UTF-8 with a BOM (so Excel reads the
//! Chinese headers), one header row, CRLF line ends from the csv crate's defaults. Any cell
//! starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so a spreadsheet never runs
//! transcript text as a formula.
//!
//! **agents.csv** — one row per agent, sorted by agent id; unknown figures are empty cells.
//! **review_queue.csv** — one row per sampled ticket, sorted by agent then ticket id: the
//! automated result and evidence of each check, then an empty verdict column per check
//! (reviewers write 同意/agree or 不同意/disagree) and a comment column.

use crate::aggregate::{Metrics, REPORTED};
use crate::check::{CheckId, Compliance};
use crate::report::labels;

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

fn number(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn secs(value: Option<u32>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

pub fn agents(rows: &[(String, Option<String>, Metrics)]) -> Vec<u8> {
    let mut w = writer();
    let mut header: Vec<String> =
        ["客服ID", "客服姓名", "工单数", "参与工单数", "客服消息数", "客服词数"]
            .map(String::from)
            .into();
    for c in REPORTED {
        let name = labels::category(c);
        header.extend([format!("{name}次数"), format!("{name}/百词"), format!("{name}工单占比")]);
    }
    header.extend(
        [
            "客户抱怨数",
            "抱怨后共情率",
            "客户负面工单占比",
            "情绪升级工单数",
            "首响中位数(秒)",
            "首响P90(秒)",
            "首响超时数",
            "回复间隔中位数(秒)",
            "回复间隔P90(秒)",
            "回复超时数",
            "满意度均分",
            "满意度样本数",
            "解决率",
            "被标记工单数",
        ]
        .map(String::from),
    );
    header.extend(crate::score::Reason::ALL.map(|r| labels::reason(r).to_string()));
    header.extend(["抽检数".to_string(), "合规通过率".to_string()]);
    header.extend(CheckId::ALL.map(|c| format!("{}通过率", labels::check(c))));
    header.push("综合得分".into());
    w.write_record(&header).expect("in memory");

    for (id, name, m) in rows {
        let mut row: Vec<String> = vec![
            safe_cell(id).into_owned(),
            safe_cell(name.as_deref().unwrap_or("")).into_owned(),
            m.tickets.to_string(),
            m.participated.to_string(),
            m.messages.to_string(),
            m.words.to_string(),
        ];
        for c in REPORTED {
            let cm = &m.categories[c.key()];
            row.extend([cm.hits.to_string(), number(cm.per_100_words), number(cm.ticket_share)]);
        }
        row.extend([
            m.complaints.to_string(),
            number(m.empathy_after_complaint),
            number(m.customer_negative_share),
            m.escalations.to_string(),
            secs(m.first_response_median_secs),
            secs(m.first_response_p90_secs),
            m.first_response_sla_breaches.to_string(),
            secs(m.response_median_secs),
            secs(m.response_p90_secs),
            m.response_sla_breaches.to_string(),
            number(m.csat_mean),
            m.csat_count.to_string(),
            number(m.resolved_share),
            m.flagged.to_string(),
        ]);
        row.extend(crate::score::Reason::ALL.map(|r| m.flagged_by_reason[r.key()].to_string()));
        row.extend([m.sampled.to_string(), number(m.compliance_pass_rate)]);
        row.extend(CheckId::ALL.map(|c| number(m.compliance[c.key()].pass_rate)));
        row.push(number(m.score));
        w.write_record(&row).expect("in memory");
    }
    finish(w)
}

pub fn review_queue_header() -> Vec<u8> {
    let mut w = writer();
    let mut header: Vec<String> = ["客服ID", "客服姓名", "工单ID"].map(String::from).into();
    for c in CheckId::ALL {
        let name = labels::check(c);
        header.extend([
            format!("{name}-结果"),
            format!("{name}-证据"),
            format!("{name}-复核(同意/不同意)"),
        ]);
    }
    header.push("复核备注".into());
    w.write_record(&header).expect("in memory");
    finish(w)
}

/// One review-queue row (no BOM), rendered for every ticket while its text is at hand;
/// only the sampled ones are written out.
pub fn review_queue_row(
    agent: &str,
    agent_name: Option<&str>,
    ticket: &str,
    compliance: &Compliance,
) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let mut row: Vec<String> = vec![
        safe_cell(agent).into_owned(),
        safe_cell(agent_name.unwrap_or("")).into_owned(),
        safe_cell(ticket).into_owned(),
    ];
    for c in CheckId::ALL {
        let evidence = &compliance.evidence[c as usize];
        let detail = match (c, evidence.message) {
            (_, None) => String::new(),
            (CheckId::FirstResponseSla, Some(m)) if !evidence.detail.is_empty() => {
                format!("消息#{m}: {}秒", evidence.detail)
            }
            (_, Some(m)) if evidence.detail.is_empty() => format!("消息#{m}"),
            (_, Some(m)) => format!("消息#{m}: 「{}」", evidence.detail),
        };
        row.extend([
            labels::outcome(compliance.outcome(c)).to_string(),
            safe_cell(&detail).into_owned(),
            String::new(),
        ]);
    }
    row.push(String::new());
    w.write_record(&row).expect("in memory");
    w.into_inner().expect("in memory")
}

#[cfg(test)]
mod tests {
    use super::*;

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
