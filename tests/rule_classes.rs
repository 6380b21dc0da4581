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
fn off_platform_variants_and_warnings_that_name_the_believing() {
    check(&[
        // Variants written to slip past a check: a bare V, a homophone, a spaced QQ number.
        ("方便的话加个V吧", "off_platform", true),
        ("有事v我", "off_platform", true),
        ("加我威信发图", "off_platform", true),
        ("我的q q 80012345", "off_platform", true),
        ("这是我私人微信", "off_platform", true),
        // Another platform or payment channel.
        ("您去淘宝拍能便宜点", "off_platform", true),
        ("钱用支付宝转给我就行", "off_platform", true),
        // A warning against believing the violation is not the violation.
        ("请勿相信加微信退款的信息", "off_platform", false),
        ("不要轻信加微信返现", "off_platform", false),
        // Look-alikes: a VIP, the word 威信 (prestige).
        ("给您加个VIP会员", "off_platform", false),
        ("品牌威信很重要", "off_platform", false),
    ]);
}

#[test]
fn implicit_grievance_phrases_are_negative() {
    check(&[
        // Never this bad: the negation intensifies, it does not deny.
        ("从来没这么慢过", "negative", true),
        ("第一次遇到这种事", "negative", true),
        // Stuck, no progress.
        ("包裹卡在中转站了", "negative", true),
        ("物流一直不更新", "negative", true),
        // Disputing what the system or the agent says; the order not fulfilled.
        ("显示删了但是并没有删除", "negative", true),
        ("运费怎么可能这么多", "negative", true),
        ("订单显示签收但我未收到货", "negative", true),
        ("送货太没效率", "negative", true),
        ("买了六个只收到五个", "negative", true),
        ("下单三天了货还没出库", "negative", true),
        ("蓝牙一直连接不上", "negative", true),
        // Plain status and information are not.
        ("包裹在中转站吗", "negative", false),
        ("收到货了", "negative", false),
    ]);
}

#[test]
fn buliaotai_intensifies_unless_said_to_someone() {
    check(&[
        // 不要太X is "very X", not "not too X".
        ("这家的蛋糕不要太好吃", "positive", true),
        ("这家的蛋糕不要太好吃", "negative", false),
        // Said to someone, 不要太 still advises against: 您不要太担心 is no worry.
        ("您不要太担心", "negative", false),
        ("请不要太着急", "negative", false),
    ]);
}

#[test]
fn a_negation_does_not_reach_across_a_conjunction() {
    // 没有 belongs to 到货; what follows 但是 is a clause of its own.
    check(&[("没有到货但是没有办法预约", "negative", true)]);
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
        // Polite refusals without an alternative, admitting not knowing, pushing it back.
        ("这个是无法取消的哦", "negative", true),
        ("已不支持价保了", "negative", true),
        ("小妹这边不晓得呢", "negative", true),
        ("这个需要您自己查看的", "negative", true),
    ]);
}

#[test]
fn consumer_facing_feature_names_are_not_jargon() {
    check(&[
        ("可以申请价保", "jargon", false),
        ("支持七天无理由退货", "jargon", false),
        ("可以用白条分期", "jargon", false),
        ("已给您提交工单", "jargon", true),
        // Customers ask for a 专员 themselves; 库房 is an ordinary word.
        ("帮您升级到专员处理", "jargon", false),
        ("商品从商家的库房发出", "jargon", false),
        // Internal terms a customer would not say.
        ("外呼号码会显示为", "jargon", true),
        ("您不用再进线咨询了", "jargon", true),
        ("采销正在补货", "jargon", true),
        ("调度系统备注", "jargon", true),
    ]);
}

#[test]
fn reassurance_ritual_and_promises_are_not_empathy() {
    check(&[
        // Empathy acknowledges the customer's feeling or trouble.
        ("让您久等了", "empathy", true),
        ("您不用着急，明天就能到", "empathy", true),
        ("给您添麻烦了", "empathy", true),
        // A reassurance, a ritual line or a promised action acknowledges nothing.
        ("您放心，已经登记了", "empathy", false),
        ("感谢您的理解", "empathy", false),
        ("请您谅解", "empathy", false),
        ("这边帮您催促一下", "empathy", false),
        ("尽快为您处理", "empathy", false),
    ]);
}

/// Issue 9: a conduct phrase inside a warning or prohibition frame (a cue before it in its
/// clause, with any words between, or a judging predicate after it) is the warning, not the
/// violation. The invitations below keep their flag: the cue sits in another clause, after the
/// phrase, inside a longer word, or a new clause starts in a run-on message.
#[test]
fn a_warning_frame_around_conduct_is_not_the_conduct() {
    let warnings = [
        // Reported in the issue.
        "亲，千万别和任何人私下交易哦",
        "请不要相信任何要求加微信的人",
        "客服不会要求您加微信",
        "谨防有人冒充客服让您加微信",
        "请不要通过微信转账给任何人",
        "没必要加微信的",
        "好评返现是违规的，我们不会这样做",
        // Written for this test.
        "严禁引导客户加微信",
        "我们从不要求加QQ",
        "为了您的安全请勿扫描陌生人发来的收款码",
        "警惕自称客服的人让您私下转账",
        "小心有人以退款为由让您加QQ",
        "防止不法分子诱导您线下交易",
        "请勿点击陌生链接或添加微信号",
        "切勿向陌生人透露验证码或私下转账",
        "不用另外加微信联系，这里就能处理",
        "不需要额外通过微信转账",
        "好评返现属于违规行为",
        "私下交易是骗人的",
        "线下交易违法，请勿相信",
        "严禁私下交易、加微信",
    ];
    let violations = [
        // Reported in the issue.
        "加我微信聊",
        "你加微信吧",
        "私下交易更便宜",
        "不方便在这说，加微信",
        "不用在平台拍了，加微信转账",
        "加微信不要告诉别人",
        "别担心，加我微信",
        // Written for this test: a new clause without punctuation (a particle, the agent as
        // subject, a space), a cue that comforts, a negated predicate, a cue inside a word.
        "不要下单了加我微信",
        "不用排队了直接转账给我",
        "不要在平台付款我们私下交易",
        "别急我把微信号发你",
        "别担心 加我微信",
        "不要生气加我微信给你补偿",
        "不用担心加我微信就行",
        "加我微信不会违规的",
        "私下交易不违法的",
        "这里不能说加我微信吧",
        "特别优惠加我微信",
        "别人都是加微信买的",
        "区别就是加我微信更便宜",
        // The agent's own channel behind a cue that opens a run-on message.
        "不用下单直接转账给我",
        "千万不要错过加我微信领券",
        "不要去店里买加我微信便宜",
    ];
    let cases: Vec<(&str, &str, bool)> = warnings
        .iter()
        .map(|&t| (t, "off_platform", false))
        .chain(violations.iter().map(|&t| (t, "off_platform", true)))
        .collect();
    check(&cases);
}
