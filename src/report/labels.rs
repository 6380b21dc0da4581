//! Every Chinese label shown to people, in one place: the vocabulary's words (`vocab`, whose
//! English keys are for machines) and every other header and phrase the formats share. For
//! CSV headers, Markdown and HTML; `zhijian calibrate` and `zhijian diff` read the queue's
//! headers back by these names. Kept apart from `vocab` so the words stay below everything
//! while what people read stays in the one table a reviewer edits.

use crate::sample::Limits;
use crate::template::Template;
use crate::vocab::{
    Category, FlagReason, Kpi, Outcome, PiiKind, Reason, Role, SampleReason, Severity,
};

pub fn category(c: Category) -> &'static str {
    match c {
        Category::Empathy => "共情",
        Category::Filler => "口头禅",
        Category::Jargon => "行话",
        Category::Negative => "负面",
        Category::Positive => "正面",
        Category::Forbidden => "服务禁语",
        Category::Greeting => "问候语",
        Category::Closing => "结束语",
        Category::OffPlatform => "站外引流",
        Category::Negation => "否定词",
        Category::Degree => "程度词",
    }
}

pub fn reason(r: Reason) -> &'static str {
    match r {
        Reason::ForbiddenPhrase => "使用服务禁语",
        Reason::OffPlatform => "引导站外交易",
        Reason::PiiExposed => "泄露客户隐私",
        Reason::Escalation => "客户情绪升级",
        Reason::ComplaintWithoutEmpathy => "客户抱怨未安抚",
        Reason::SlowFirstResponse => "首次响应超时",
        Reason::LowCsat => "低满意度",
    }
}

/// A flag reason as people read it: the built-in reason's label, or the rule's own `label`
/// from the template.
pub fn flag_reason(r: FlagReason, template: &Template) -> &str {
    match r {
        FlagReason::Builtin(r) => reason(r),
        FlagReason::Rule(id) => &template.rule(id).label,
    }
}

pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Veto => "一票否决",
        Severity::Conduct => "违规",
        Severity::Complaint => "抱怨处理",
        Severity::Service => "服务体验",
    }
}

/// Why a ticket is in the review queue (its 抽样原因 column); `percent` is the sampling rate
/// as a percentage, which the random reason names.
pub fn sample_reason(r: SampleReason, percent: f64) -> String {
    match r {
        SampleReason::Veto => "一票否决".into(),
        SampleReason::Conduct => "严重违规".into(),
        SampleReason::Escalation => reason(Reason::Escalation).into(),
        SampleReason::Random => format!("随机抽样 {percent}%"),
        SampleReason::Floor => "保底抽样".into(),
    }
}

/// Risk-weighted sampling as the team page's 口径 line names it, with the must-review
/// tickets the cap left out.
pub fn risk_sampling(percent: f64, limits: Limits, left_out: u64) -> String {
    let limits = format!("每人至少 {} 条, 必查至多 {} 条", limits.floor, limits.cap);
    format!("风险加权抽检(必查项 + 其余随机 {percent}%, {limits}; 超上限未抽 {left_out} 条)")
}

pub fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "通过",
        Outcome::Fail => "不通过",
        Outcome::NotApplicable => "不适用",
        Outcome::Unknown => "未知",
    }
}

/// After evidence whose original text hid invisible characters to slip past the checks.
pub const DISGUISED: &str = "〔含隐藏字符〕";

pub fn pii(kind: PiiKind) -> &'static str {
    match kind {
        PiiKind::Mobile => "手机号",
        PiiKind::IdCard => "身份证号",
        PiiKind::BankCard => "银行卡号",
        PiiKind::Email => "邮箱",
    }
}

/// What a rule looked for and did not find, for the review queue's evidence cell: 未见 and the
/// category's label (未见问候语) when it looked for one category, else 未找到.
pub fn not_found(missing: Option<Category>) -> String {
    match missing {
        Some(c) => format!("未见{}", category(c)),
        None => "未找到".to_string(),
    }
}

pub fn role(r: Role) -> &'static str {
    match r {
        Role::Customer => "客户",
        Role::Agent => "客服",
        Role::Bot => "机器人",
        Role::System => "系统",
    }
}

/// Review-queue headers; `zhijian calibrate` finds its columns by these names.
pub const QUEUE_AGENT: &str = "客服ID";
pub const QUEUE_AGENT_NAME: &str = "客服姓名";
pub const QUEUE_TICKET: &str = "工单ID";
pub const QUEUE_SCORE: &str = "合规得分";
pub const QUEUE_VETO: &str = "一票否决项";
pub const QUEUE_SAMPLE_REASON: &str = "抽样原因";
pub const QUEUE_COMMENT: &str = "复核备注";

/// A rule's three review-queue columns, by its label (the template's).
pub fn queue_result(label: &str) -> String {
    format!("{label}-结果")
}

pub fn queue_evidence(label: &str) -> String {
    format!("{label}-证据")
}

pub fn queue_verdict(label: &str) -> String {
    format!("{label}-复核(同意/不同意)")
}

/// `zhijian calibrate`'s tables.
pub const CALIBRATE_CHECK_HEADER: [&str; 10] = [
    "检查项",
    "复核数",
    "同意",
    "不同意",
    "同意率",
    "判通过复核数",
    "判通过同意率",
    "判不通过复核数",
    "判不通过同意率",
    "不适用/未知复核数",
];
pub const CALIBRATE_ENTRY_HEADER: [&str; 6] =
    ["检查项", "词条", "复核数", "同意", "不同意", "同意率"];

/// A KPI as the training decks name it.
pub fn kpi(k: Kpi) -> &'static str {
    match k {
        Kpi::Aht => "平均处理时长",
        Kpi::ComplaintRate => "投诉率",
        Kpi::SatisfactionRate => "满意率",
        Kpi::FirstResponseSlaRate => "首响达标率",
        Kpi::ResolutionRate => "解决率",
    }
}

/// A KPI in a gap (`AHT 2分10秒 > 1分30秒`), where space is short: AHT for the handle time.
pub fn kpi_short(k: Kpi) -> &'static str {
    match k {
        Kpi::Aht => "AHT",
        k => kpi(k),
    }
}

/// Why a KPI is unknown: its denominator is empty.
pub fn kpi_none(k: Kpi) -> &'static str {
    match k {
        Kpi::Aht => "无计时工单: 每张都少于两条带时间的消息",
        Kpi::ComplaintRate => "无工单",
        Kpi::SatisfactionRate => "无已评价工单",
        Kpi::FirstResponseSlaRate => "无可计时的首响",
        Kpi::ResolutionRate => "无含解决字段的工单",
    }
}

/// The KPI table's status words and the agent-table column of gaps.
pub const KPI_MET: &str = "达标";
pub const KPI_MISSED: &str = "未达标";
pub const KPI_UNKNOWN: &str = "未知";
pub const KPI_NO_TARGET: &str = "未设目标";
/// The agents.csv columns and the team table's column of missed targets.
pub const KPI_MISSED_COLUMN: &str = "KPI未达标";
pub const KPI_UNKNOWN_COLUMN: &str = "KPI未知";

/// Shown where a figure is unknown (no data), never as 0.
pub const UNKNOWN: &str = "—";

/// Beside a score component with nothing to measure, on the radar chart.
pub const NO_DATA: &str = "无数据";

/// The six score components, in `ScoreComponents::values` order (the radar's axes).
pub const COMPONENTS: [&str; 6] = ["语言规范", "服务态度", "共情", "响应速度", "满意度", "合规"];

/// A score component as a column or row name: `满意度分项`.
pub fn component(i: usize) -> String {
    format!("{}分项", COMPONENTS[i])
}

/// What a matching rule did to a hit, for people; `None` when it counts as written.
pub fn effect(effect: crate::matcher::Effect, c: Category) -> Option<&'static str> {
    use crate::matcher::Effect;
    match effect {
        Effect::Counted => None,
        Effect::Negated if c == Category::Positive => Some("被否定, 计为负面"),
        Effect::Negated => Some("被否定, 不计"),
        Effect::DoubleNegated => Some("双重否定, 照常计"),
        Effect::Excepted(_) => Some("例外, 不计"),
        Effect::Echoed => Some("复述客户用语, 不计"),
        Effect::Asked => Some("询问客户, 不计"),
    }
}

/// Personal data, as a conversation's legend and tooltips name it.
pub const PII: &str = "隐私信息";

/// Times in conversations are shown in China Standard Time.
pub const TIME_ZONE: &str = "北京时间";

/// The review queue's transcript column.
pub const QUEUE_TRANSCRIPT: &str = "对话摘录";
