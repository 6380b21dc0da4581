//! Every Chinese label shown to people, in one place. JSON keys stay English; these are for
//! CSV headers and Markdown.

use crate::check::{CheckId, Outcome};
use crate::lexicon::Category;
use crate::score::Reason;

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

pub fn check(c: CheckId) -> &'static str {
    match c {
        CheckId::Greeting => "开场问候",
        CheckId::Closing => "规范结束语",
        CheckId::NoForbidden => "无服务禁语",
        CheckId::FirstResponseSla => "首响达标",
        CheckId::NoOffPlatform => "无站外引流",
        CheckId::NoPii => "无隐私泄露",
    }
}

pub fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "通过",
        Outcome::Fail => "不通过",
        Outcome::NotApplicable => "不适用",
        Outcome::Unknown => "未知",
    }
}

pub fn role(r: crate::parse::Role) -> &'static str {
    match r {
        crate::parse::Role::Customer => "客户",
        crate::parse::Role::Agent => "客服",
        crate::parse::Role::Bot => "机器人",
        crate::parse::Role::System => "系统",
    }
}

/// Shown where a figure is unknown (no data), never as 0.
pub const UNKNOWN: &str = "—";
