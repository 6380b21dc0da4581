//! The shipped lexicons and rules on classes of chat language (issue 9), one table per class,
//! with examples written for these tests (never taken from a data set). Each case runs
//! `zhijian explain` with the built-in lexicons and reads which categories count.

use crate::util::Workdir;

/// The categories that count in `text`, in hit order (`counts as X` lines of `explain`).
fn counted(dir: &Workdir, text: &str) -> Vec<String> {
    let out = String::from_utf8(dir.zhijian(&["explain", text]).success().stdout()).unwrap();
    out.lines().filter_map(|l| l.split("counts as ").nth(1)).map(str::to_string).collect()
}

/// Each text must count at least one `category` (or, with `false`, none).
fn check(cases: &[(&str, &str, bool)]) {
    let dir = Workdir::new();
    for &(text, category, want) in cases {
        let got = counted(&dir, text);
        assert_eq!(got.iter().any(|c| c == category), want, "{text:?}: {got:?}");
    }
}

#[test]
fn chat_complaints_that_use_no_sentiment_word_are_negative() {
    check(&[
        // Why-not-yet questions and elapsed time, any numeral.
        ("我的包裹为什么还没送来", "negative", true),
        ("都5天了", "negative", true),
        ("已经等了三个小时", "negative", true),
        ("这都十几天了还没动静", "negative", true),
        // Broken promises, challenges, resignation, short or missing items, faults.
        ("说好的明天发货呢", "negative", true),
        ("凭什么让我等", "negative", true),
        ("算了，我不要了", "negative", true),
        ("少给了我一双", "negative", true),
        ("耳机坏了", "negative", true),
        // Plain questions and information are not complaints.
        ("三天后能到吗", "negative", false),
        ("我想改一下收货地址", "negative", false),
    ]);
}

#[test]
fn context_adjectives_need_a_degree_word_or_le() {
    check(&[
        ("汤有点凉", "negative", true),
        ("饭都凉了", "negative", true),
        ("分量太少", "negative", true),
        ("少放辣", "negative", false),
        ("我要小号", "negative", false),
    ]);
}

#[test]
fn a_condition_is_not_a_verdict() {
    check(&[("如果坏了怎么保修", "negative", false), ("要是好用我再买", "positive", true)]);
    // 要是 is not a conditional here (主要是…): the verdict after it still counts.
    check(&[("主要是质量太差", "negative", true)]);
}

#[test]
fn a_warning_against_going_off_platform_is_not_going_off_platform() {
    check(&[
        ("请不要和任何人线下交易", "off_platform", false),
        ("平台禁止私下加微信", "off_platform", false),
        ("我们不会让您加微信的", "off_platform", false),
        ("加我微信详聊", "off_platform", true),
        ("留个V吧", "off_platform", true),
        ("我QQ 80012345", "off_platform", true),
        ("参加微信活动可以领券", "off_platform", false),
    ]);
}

#[test]
fn greeting_and_closing_paraphrases_are_recognized() {
    check(&[
        ("小妹为您服务", "greeting", true),
        ("有什么可以为您做的", "greeting", true),
        ("还辛苦您给个评价哦", "closing", true),
        ("您还有其他问题吗", "closing", true),
    ]);
}

#[test]
fn emoticon_codes_mean_what_their_entry_says() {
    // [呵呵] is a mild negative by its own entry, never the forbidden 呵呵 by accident.
    check(&[("好的[呵呵]", "forbidden", false), ("好的[呵呵]", "negative", true)]);
    check(&[("呵呵，你自己看吧", "forbidden", true)]);
}

#[test]
fn agent_refusals_and_brush_offs_are_negative_wording() {
    check(&[
        ("这边没有办法的", "negative", true),
        ("小妹这边不清楚呢", "negative", true),
        ("您联系商家吧", "negative", true),
        ("已经帮您联系商家处理了", "negative", false),
    ]);
}

#[test]
fn consumer_facing_feature_names_are_not_jargon() {
    check(&[
        ("可以申请价保", "jargon", false),
        ("支持七天无理由退货", "jargon", false),
        ("可以用白条分期", "jargon", false),
        ("已给您提交工单", "jargon", true),
    ]);
}
