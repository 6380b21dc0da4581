//! Rule 4's long reach: a conduct phrase inside a warning or prohibition (谨防有人让您加微信,
//! 严禁私下交易, 好评返现是违规的) is the opposite speech act, so the hit is cancelled as
//! negated. The cues and judging words are constants here, matched on token boundaries, within
//! one clause.

use super::{Effect, Hit};
use crate::lexicon::Category;
use crate::tokenize::Tokens;

/// Prohibition and warning cues that cancel a conduct hit later in their clause, across any
/// words (rule 4, [`cancel_warnings`]). A constant, not lexicon data: the lexicon syntax has no
/// way to say "reaches the whole clause" (negation.txt entries reach a few characters), and
/// most negation words must not reach that far (不, 没有: 我没空加我微信吧 still invites).
/// Each cue must start and end on jieba token boundaries, so 别 inside 特别, 别人, 分别 or 区别
/// is no cue. 不能, plain 不会 and 不 stay adjacent-only (negation.txt, function-word gap):
/// 这里不能说加我微信 is an invitation; 不会 reaches the clause only as 不会要求/让/叫/请….
const WARNING_CUES: [&str; 40] = [
    "不要",
    "千万别",
    "千万不要",
    "千万不能",
    "请勿",
    "切勿",
    "勿",
    "别",
    "请别",
    "禁止",
    "严禁",
    "杜绝",
    "不得",
    "不可以",
    "不允许",
    "谨防",
    "小心",
    "警惕",
    "提防",
    "防止",
    "以防",
    "谨慎",
    "从不",
    "从来不",
    "从未",
    "绝不",
    "决不",
    "没必要",
    "无需",
    "不需要",
    "不用",
    "不必",
    "不会要求",
    "不会让",
    "不会叫",
    "不会请",
    "不会主动",
    "不会通过",
    "不会以",
    "不会私下",
];

/// Words after a conduct hit, in its clause, that judge it (好评返现是违规的, 私下交易是骗人的):
/// the message names the violation to condemn it. A negation between them (加微信不违规)
/// keeps the hit.
const JUDGING_PREDICATES: [&str; 14] = [
    "违规",
    "违法",
    "违反",
    "不合规",
    "不允许",
    "不被允许",
    "禁止",
    "严禁",
    "诈骗",
    "骗人",
    "骗子",
    "骗局",
    "上当",
    "受骗",
];

/// Tokens that start a new clause inside a run-on message, ending a cue's reach: a sentence
/// particle (不用在平台拍了加微信 ends its first clause at 了), the agent as a new subject (别急我加
/// 你微信), a conjunction (不要担心但是加我微信).
const CLAUSE_RESTARTS: [&str; 19] = [
    "了", "吧", "啦", "哈", "呀", "啊", "嘛", "呗", "哦", "我", "我们", "咱", "咱们", "但", "但是",
    "可是", "不过", "所以", "然后",
];

/// What ends a clause for warning frames: sentence and clause punctuation (normalized, so
/// full-width marks are ASCII here), line breaks, and spaces (chat often uses a space as a comma:
/// 别担心 加我微信). An enumeration comma (、) does not: 严禁私下交易、加微信 prohibits both.
const CLAUSE_MARKS: [char; 10] = ['。', '!', '?', ',', ';', '.', ':', '~', '\n', ' '];

/// Rule 4, warning frames: a counted conduct hit becomes [`Effect::Negated`] when, in its clause,
/// a [`WARNING_CUES`] cue stands before it with no [`CLAUSE_RESTARTS`] token between, or a
/// [`JUDGING_PREDICATES`] word follows it with no negation between. A cue that a sentiment or
/// empathy word owns (别担心, 不要生气) is comfort, not a prohibition, and reaches no further;
/// a phrase naming the agent's own channel (加我微信) is never warned against.
pub(super) fn cancel_warnings(text: &str, tokens: &Tokens, hits: &mut [Hit]) {
    let conduct = |h: &Hit| h.category.is_conduct() && h.effect == Effect::Counted;
    if !hits.iter().any(conduct) {
        return;
    }
    // Whatever their effect: 不要生气 is comfort, whether 生气 is then negated or excepted.
    let feeling =
        |h: &Hit| matches!(h.category, Category::Positive | Category::Negative | Category::Empathy);
    let feelings: Vec<(Category, usize, usize)> =
        hits.iter().filter(|h| feeling(h)).map(|h| (h.category, h.start, h.end)).collect();
    // The cue is comfort when an empathy phrase holds it (别担心) or a feeling word follows it
    // (a word of the conduct phrase itself, 好 of 好评返现, does not).
    let owned = |start: usize, end: usize, conduct_start: usize| {
        feelings
            .iter()
            .filter(|&&(_, _, e)| e <= conduct_start)
            .any(|&(c, s, e)| (c == Category::Empathy && s < end && start < e) || s == end)
    };
    // The agent's own channel (加我微信, 转账给我) is an offer whatever frames it: nobody warns
    // against adding the speaker. In a run-on message such a frame is a new clause's opener
    // (不用下单直接转账给我, 千万不要错过加我微信领券); only rule 4's adjacent negation cancels it.
    let own_channel = |h: &Hit| text[h.start..h.end].contains('我');
    for hit in hits.iter_mut().filter(|h| conduct(h) && !own_channel(h)) {
        let from = text[..hit.start]
            .rfind(CLAUSE_MARKS)
            .map_or(0, |at| at + text[at..].chars().next().map_or(0, char::len_utf8));
        let to = text[hit.end..].find(CLAUSE_MARKS).map_or(text.len(), |at| hit.end + at);
        let restarts = |from, to| words_at(text, tokens, from, to, &CLAUSE_RESTARTS, true);
        let warned =
            words_at(text, tokens, from, hit.start, &WARNING_CUES, true).any(|(start, end)| {
                !owned(start, end, hit.start) && restarts(end, hit.start).next().is_none()
            });
        // A predicate may begin a longer token (违规|行为 is one), so only its start is checked.
        let judged = || {
            words_at(text, tokens, hit.end, to, &JUDGING_PREDICATES, false).any(|(start, _)| {
                let gap = &text[hit.end..start];
                !gap.contains(['不', '没', '未', '无', '非', '别', '莫'])
                    && restarts(hit.end, start).next().is_none()
            })
        };
        if warned || judged() {
            hit.effect = Effect::Negated;
        }
    }
}

/// Occurrences of `words` inside `text[from..to]` that start on a token boundary (and end on
/// one, if `whole`), as byte spans, leftmost first (at one start, the first listed word that
/// fits).
fn words_at<'a>(
    text: &'a str,
    tokens: &'a Tokens<'a>,
    from: usize,
    to: usize,
    words: &'a [&str],
    whole: bool,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    text[from..to].char_indices().map(move |(i, _)| from + i).filter_map(move |start| {
        if !tokens.is_boundary(start) {
            return None;
        }
        words.iter().find_map(|w| {
            let end = start + w.len();
            (end <= to && text[start..].starts_with(w) && (!whole || tokens.is_boundary(end)))
                .then_some((start, end))
        })
    })
}
