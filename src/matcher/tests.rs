//! Matching rules as a table: text in, the hits that count out, written as `entry@category`.

use std::path::Path;
use std::sync::LazyLock;

use super::*;
use crate::normalize::NormText;
use crate::tokenize::Tokenizer;

static LEXICON: LazyLock<Lexicon> = LazyLock::new(lexicon);
static TOKENIZER: LazyLock<Tokenizer> =
    LazyLock::new(|| Tokenizer::with_words(LEXICON.tokenizer_words()));

fn lexicon() -> Lexicon {
    let files: &[(Category, &str)] = &[
        (Category::Positive, "好\n满意\n好的 | w=0.5\n不错\n!好像\n!好几\n"),
        (
            Category::Negative,
            "生气\n差\n垃圾 | w=2\n问题\n等了好几天\n都{n}天了\n难喝\n难受\n陈旧\n少 | needs=degree\n凉 | needs=degree\n!不好意思\n!没问题\n!没有问题\n",
        ),
        (Category::Empathy, "理解您的心情 | w=2\n抱歉\n您别生气\n"),
        (
            Category::Negation,
            "不\n没\n没有\n不是\n不太\n一点也不\n不要\n别\n不会\n不能\n禁止\n您不要太\n",
        ),
        (
            Category::Degree,
            "非常 | w=1.5\n太 | w=1.5\n有点 | w=0.5\n很 | w=1.2\n好 | w=1.5\n不要太 | w=1.5\n",
        ),
        (
            Category::OffPlatform,
            "vx | boundary=none\n加微信 | boundary=none\n加我微信 | boundary=none\n线下交易\n!参加微信\n",
        ),
    ];
    let mut lexicon = Lexicon::default();
    for (category, text) in files {
        lexicon.add_file(Path::new("test.txt"), *category, text.as_bytes()).unwrap();
    }
    lexicon
}

/// Each text's counted hits are the ones listed.
fn each_counts(cases: &[(&str, &[&str])]) {
    for (text, want) in cases {
        assert_eq!(&counted(text), want, "text {text:?}");
    }
}

/// The hits that count, as `phrase@category` (after negation), in text order.
fn counted(text: &str) -> Vec<String> {
    let lexicon = lexicon();
    let matcher = Matcher::new(&lexicon);
    let norm = NormText::new(text);
    let tokens = TOKENIZER.tokenize(&norm.text);
    matcher
        .find(&norm.text, &tokens)
        .iter()
        .filter_map(|h| {
            let counts = h.counts_as()?;
            Some(format!("{}@{}", lexicon.entry(h.entry).phrase, counts.key()))
        })
        .collect()
}

#[test]
fn negation_flips_or_cancels() {
    let cases: &[(&str, &[&str])] = &[
        ("我很满意", &["满意@positive"]),
        ("我不满意", &["满意@negative"]),
        ("我没有生气", &[]),
        ("我不生气", &[]),
        ("这个不太好", &["好@negative"]),
        ("不是不满意", &["满意@positive"]),
        ("一点也不好", &["好@negative"]),
        ("我不理解您的心情", &[]),
        ("我理解您的心情", &["理解您的心情@empathy"]),
        // The empathy phrase is one meaning, not a negative 生气 said by the agent.
        ("您别生气", &["您别生气@empathy"]),
        ("没有让我满意", &["满意@negative"]),
        // Comparatives put a few characters between the negation and the word.
        ("没有想象的好", &["好@negative"]),
        // A negation applies to the nearest word only.
        ("不生气也满意", &["满意@positive"]),
        // A question is not praise; a complaint asked as a question still counts.
        ("你们满意吗", &[]),
        ("这么差?", &["差@negative"]),
        // A clause boundary stops the negation.
        ("不，我很满意", &["满意@positive"]),
        // A-not-A asks: its 不 negates nothing, and a question is not praise.
        ("是不是很满意", &[]),
        ("质量好不好啊", &[]),
        ("是不是很差", &["差@negative"]),
        ("好。是不是很满意", &["好@positive"]),
        // A condition is not a verdict; the next clause is.
        ("如果质量差怎么办", &[]),
        ("万一不满意呢", &[]),
        ("如果可以的话,质量太差了", &["差@negative"]),
        // A conjunction ends a negation's reach: 没有 belongs to 货, not to 差.
        ("没有货但是很差", &["差@negative"]),
        ("没有货可是很差", &["差@negative"]),
        // 不要太 intensifies (the longer modifier wins over 不要); said to someone, it advises.
        ("这个不要太满意", &["满意@positive"]),
        ("您不要太生气", &[]),
    ];
    each_counts(cases);
}

#[test]
fn a_not_a_negates_nothing_whatever_the_negation_entry() {
    let cases: &[(&str, &[&str])] = &[
        // The lexicon holds 不能, 不会, 不是 as negations; their 不 is still the middle of an
        // A-not-A question, so what follows is not negated: 能不能这么差 complains.
        ("能不能这么差", &["差@negative"]),
        ("会不会太差了", &["差@negative"]),
        ("是不是很差", &["差@negative"]),
        // A plain negated verb still negates.
        ("不能说满意", &["满意@negative"]),
        ("满不满意?", &[]),
    ];
    each_counts(cases);
}

#[test]
fn praise_set_off_by_a_space_is_not_asked_by_a_later_question_mark() {
    let cases: &[(&str, &[&str])] = &[
        // Spaces punctuate reviews: each praise is its own clause, the ?? asks nothing of it.
        ("质量很好 非常满意 下次再来??", &["好@positive", "满意@positive"]),
        // The praise right before the question mark is still asked.
        ("质量很好 满意吗?", &["好@positive"]),
        ("满意 ?", &[]),
        ("满意吗 亲", &[]),
    ];
    each_counts(cases);
    // An agent's question with a space inside still asks (scoring's `Asked`): the space rule
    // is for praise only.
    let text = "您是没收到 还是收到坏的?";
    assert!(asks(text, text.find(' ').unwrap()));
}

#[test]
fn exceptions_and_boundaries() {
    let cases: &[(&str, &[&str])] = &[
        ("不好意思让您久等了", &[]),
        // An exception cancels what lies inside it, not a longer hit that overlaps it.
        ("等了好几天", &["等了好几天@negative"]),
        ("没问题的", &[]),
        ("没有问题", &[]),
        ("好像有点慢", &[]),
        // 好的 inside 不好的 is the negated 好的, never a positive 好的.
        ("这是不好的体验", &["好的@negative"]),
        ("加vx详聊", &["vx@off_platform"]),
        ("质量太差了", &["差@negative"]),
        // jieba fuses a multi-character sentiment word with its neighbour (好难|喝, 陈旧不堪):
        // one anchored end is enough for it; a single character never matches inside a token.
        ("这个好难喝", &["难喝@negative"]),
        ("家具陈旧不堪", &["陈旧@negative"]),
        // 好 right before another sentiment word is a degree word, not praise.
        ("这个好差", &["差@negative"]),
        ("看得我好难受", &["难受@negative"]),
        ("服务很好", &["好@positive"]),
        ("差不多吧", &[]),
    ];
    each_counts(cases);
}

#[test]
fn context_words_count_only_when_a_degree_word_or_le_licenses_them() {
    let cases: &[(&str, &[&str])] = &[
        ("分量太少", &["少@negative"]),
        ("菜有点凉", &["凉@negative"]),
        ("饭都凉了", &["凉@negative"]),
        ("少放点糖", &[]),
        ("凉的也行", &[]),
        // A negation is no license: 不少 is not a complaint.
        ("送的不少", &[]),
    ];
    each_counts(cases);
}

#[test]
fn a_warning_against_a_violation_is_not_the_violation() {
    let cases: &[(&str, &[&str])] = &[
        ("请不要线下交易", &[]),
        ("平台禁止私下加微信", &[]),
        ("我们不会让您加微信的", &[]),
        ("加微信详聊", &["加微信@off_platform"]),
        // A content word between ends the prohibition's reach; so does a clause boundary.
        ("你别管了加微信吧", &["加微信@off_platform"]),
        ("不要在这里说,加微信", &["加微信@off_platform"]),
        // A look-alike compound is not the phrase.
        ("参加微信活动领券", &[]),
    ];
    each_counts(cases);
}

/// Issue 9: a warning frame reaches across any words of its clause, a cue before the conduct
/// or a judging predicate after it; a new clause, a cue inside a longer word or a negated
/// predicate does not warn.
#[test]
fn warning_frames_cancel_conduct_across_their_clause() {
    let cases: &[(&str, &[&str])] = &[
        ("请不要相信任何要求加微信的人", &[]),
        ("谨防有人冒充客服让您加微信", &[]),
        ("严禁引导客户线下交易", &[]),
        ("线下交易是违规的", &[]),
        ("线下交易属于违规行为", &[]),
        // A cue is a token: 别 of 别人 and 特别 is none.
        ("别人都是加微信买的", &["加微信@off_platform"]),
        ("特别优惠加微信", &["加微信@off_platform"]),
        // A particle or the agent as a new subject starts a new clause in a run-on message.
        ("不要下单了加微信", &["加微信@off_platform"]),
        ("不要在平台付款我们线下交易", &["线下交易@off_platform"]),
        // A cue that a feeling word owns is comfort, not a prohibition.
        ("不要生气加微信", &["加微信@off_platform"]),
        // After the phrase only a judging predicate warns, and not a negated one.
        ("加微信不要告诉别人", &["加微信@off_platform"]),
        ("加微信不违规", &["加微信@off_platform"]),
        // Another clause.
        ("严禁这样做,加微信", &["加微信@off_platform"]),
        // The agent's own channel is an offer, whatever frames it in a run-on message; only
        // an adjacent negation cancels it.
        ("千万不要错过加我微信领券", &["加我微信@off_platform"]),
        ("不要去店里买加我微信便宜", &["加我微信@off_platform"]),
        ("请不要加我微信", &[]),
    ];
    each_counts(cases);
}

#[test]
fn a_number_placeholder_matches_any_numeral() {
    let cases: &[(&str, &[&str])] = &[
        ("都3天了还没到", &["都{n}天了@negative"]),
        ("都12天了", &["都{n}天了@negative"]),
        ("都三天了", &["都{n}天了@negative"]),
        ("都两天了", &["都{n}天了@negative"]),
        ("都好几天了", &["都{n}天了@negative"]),
        ("都１０天了", &["都{n}天了@negative"]),
        // No number, or the number elsewhere: no hit.
        ("都天了", &[]),
        ("三天后到", &[]),
    ];
    each_counts(cases);
}

#[test]
fn traditional_text_matches_simplified_entries() {
    assert_eq!(counted("我不滿意"), counted("我不满意"));
    assert_eq!(counted("加ＶＸ詳聊"), vec!["vx@off_platform".to_string()]);
}

#[test]
fn degree_words_scale_weight() {
    let lexicon = lexicon();
    let matcher = Matcher::new(&lexicon);
    let weight = |text: &str| {
        let norm = NormText::new(text);
        let tokens = TOKENIZER.tokenize(&norm.text);
        let hits = matcher.find(&norm.text, &tokens);
        hits.iter().find(|h| h.counts_as().is_some()).map(|h| h.weight_milli)
    };
    assert_eq!(weight("很差"), Some(1200));
    assert_eq!(weight("非常差"), Some(1500));
    assert_eq!(weight("有点差"), Some(500));
    assert_eq!(weight("差"), Some(1000));
    // A negated degree is mild (half, the degree dropped); a degree over a negation is not.
    assert_eq!(weight("不是很满意"), Some(500));
    assert_eq!(weight("不满意"), Some(1000));
    assert_eq!(weight("很不满意"), Some(1200));
}

#[test]
fn shared_types_are_send_and_sync() {
    fn assert_shared<T: Send + Sync>() {}
    assert_shared::<Matcher>();
    assert_shared::<Tokenizer>();
    assert_shared::<Lexicon>();
}
