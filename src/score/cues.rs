//! Implicit complaints: what makes a customer's chat turn a grievance when it holds no
//! sentiment word. Takes the normalized text of each customer turn in order, yields the weight
//! (thousandths, like a lexicon hit) its cues add to the turn's negative weight.
//!
//! The cues, each a class of chat language rather than a list of phrases:
//! - **why-not-yet**: a why/how-come word (怎么, 为什么, 为啥, 咋) with, a few characters later in
//!   the same clause, a 还/没/不/只/一直 (怎么还没发货, 为什么查不到物流, 怎么只收到一个): a delay or
//!   a shortfall asked as a question;
//! - **still failing**: an adverb of persistence or of time up to now (一直, 始终, 迟迟, 老是,
//!   总是, 到现在, 到今天, 至今) with, a few characters later in the same clause, a 没/未 (after
//!   time up to now also 不) before a step of the order or service (发, 到, 回复, 物流 …): a
//!   failure that has lasted (一直没有物流信息, 始终未回复, 到现在也没收到). A negated flaw
//!   (一直没出过问题) is praise; 一直不敢用 and 一直没时间看 are the writer's own state (persistent
//!   不 marks habits in reviews and chat alike: 总是不舍得, so it is left out);
//! - **again**: 又 before a failure or a refusal (又没到, 又不发了, 又延迟, 又取消了) and the
//!   challenge 又要我 / 还让我 (今天又要我催一次吗, 那你还让我发订单号): the customer is
//!   put through the same thing twice;
//! - **not even**: 连 X 都/也 没/不 in one clause (连一个通知都没有, 连膜都不送, 连说明书也没有):
//!   the least that was expected did not happen. A negated flaw (连一点毛病都没有) is praise,
//!   and 连 in a word (连续, 连接, 连衣裙, 连忙) is no "even";
//! - **repeat**: the customer asks again what they asked before an agent's answer (a question
//!   most of whose character pairs were in one of their last three turns, itself a question);
//! - half cues, each half a complaint, two of them a whole one: a run of two or more ? or !
//!   (到哪了??), **pressing** (到底, 究竟, 快点, 能不能快, 赶紧, 尽快), **timing questions**
//!   (什么时候, 多久, 几天, 啥时候, 到哪了; not a duration of use after 了: 用了几天), a
//!   bare **why** (为什么要扣运费) and a rhetorical
//!   **不是…吗** (不是七天无理由吗), **insisting** after the agent's refusal (我还是要退); any one of them is a whole complaint after an earlier
//!   grievance in the same ticket (the customer already complained and is still waiting).
//!
//! Cost: one pass for the word lists and a few substring scans per customer turn, and for the repeat cue a sorted set of a
//! question's character pairs compared with at most three earlier sets: linear in the ticket.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// A full-weight cue: alone it makes the turn a complaint.
const CUE_MILLI: u64 = 1000;
/// A half cue (??, a pressing word, a timing question): alone half a complaint.
const PRESS_MILLI: u64 = 500;
/// How much of a turn must repeat an earlier turn (shared character pairs / the turn's pairs).
const REPEAT_SHARE: f64 = 0.5;
/// Shorter turns (in character pairs) are acknowledgements (好的, 在吗) or too short to tell
/// a repeat from a new question (什么时候到 after 什么时候发货).
const REPEAT_MIN_PAIRS: usize = 6;
/// How many of the customer's earlier turns a repeat is looked for in.
const REPEAT_LOOKBACK: usize = 3;

const WHY: [&str; 6] = ["为什么", "为啥", "为何", "怎么", "咋", "凭啥"];
/// A why-question without 还/没/不 still questions what happened (为什么要扣运费): half a cue.
const WHY_ALONE: [&str; 4] = ["为什么", "为啥", "为何", "怎么会"];
/// Not a why-question: 怎么办 / 怎么样 / 怎么弄 ask for a way or an opinion.
const HOW_NOT_WHY: [&str; 7] =
    ["怎么办", "怎么样", "怎么弄", "怎么操作", "怎么处理", "怎么申请", "怎么填"];
const NOT_YET: [&str; 5] = ["还", "没", "不", "只", "一直"];
/// How far (characters) after the why-word the 还/没/不 may come: 为什么我的退款到现在没到账.
const WHY_REACH: usize = 10;
const PRESSING: [&str; 7] = ["到底", "究竟", "快点", "能不能快", "赶紧", "尽快", "抓紧"];
const TIMING: [&str; 8] =
    ["什么时候", "啥时候", "多久", "几天", "到哪了", "多长时间", "何时", "哪天"];

/// Adverbs of persistence, and of time up to now (which also take 还/也: 到现在还没发).
const PERSIST: [&str; 5] = ["一直", "始终", "迟迟", "老是", "总是"];
const UNTIL_NOW: [&str; 5] = ["到现在", "到今天", "至今", "到目前", "到现在为止"];
/// How far (characters) after the adverb its negation may come: 一直都没有, 到现在快递也没.
const PERSIST_REACH: usize = 6;
/// 不 words that praise or reassure: 一直不错, 一直不会坏, 始终不用担心.
const NOT_FAILURE: [&str; 6] = ["不错", "不会坏", "不用", "不客气", "不好意思", "不必"];
/// Steps of an order or a service a customer waits for.
const PROCESS: [&str; 24] = [
    "发", "到", "收", "回", "处理", "更新", "退", "联系", "动", "信息", "消息", "反应", "人", "送",
    "上门", "安排", "解决", "修", "换", "通", "接", "显示", "物流", "快递",
];
/// What a negation makes praise of: 一直没问题, 始终没出过毛病, 又不卡.
const FLAWS: [&str; 10] =
    ["问题", "毛病", "坏", "故障", "卡", "异味", "失望", "后悔", "差", "瑕疵"];
/// 又 before these: the same failure again (又没到, 又不发了, 又延迟了).
const AGAIN_FAILED: [&str; 10] =
    ["又没", "又不", "又延", "又推迟", "又取消", "又坏", "又错", "又少", "又漏", "又退回"];
/// Making the customer do something again: 又要我催, 还让我发订单号.
/// (还要我 is left out: 还要我做什么吗 asks what else is needed.)
const AGAIN_MADE: [&str; 5] = ["又要我", "又让我", "又叫我", "还让我", "还叫我"];

/// Pressing the same request after the agent refused it (我还是要退, 必须给我换).
const INSIST: [&str; 9] =
    ["还是要", "就要", "必须", "坚持", "我要退", "要退", "要换", "给我退", "给我换"];

/// A repeat is a question asked again (an order card or an address sent twice is not).
const QUESTION: [&str; 12] =
    ["?", "吗", "呢", "怎么", "什么", "多久", "几", "哪", "能不能", "是不是", "有没有", "啥"];

/// A timing word right after 了 measures how long something was used or tried (用了几天,
/// 试了多久再评价), it does not ask when: no timing question. Waiting (等了几天) still presses.
fn duration(before: &str) -> bool {
    before.ends_with('了') && !before.ends_with("等了")
}

/// Which of the word lists above a turn holds a word of, found in one pass over the turn: one
/// search per list per turn cost more than the rest of the cues together.
#[derive(Clone, Copy)]
struct Lists(u8);

impl Lists {
    const QUESTION: u8 = 1;
    const PRESSING: u8 = 1 << 1;
    const TIMING: u8 = 1 << 2;
    const WHY_ALONE: u8 = 1 << 3;
    const INSIST: u8 = 1 << 4;
    /// Each list with its bit.
    const ALL: [(&[&str], u8); 5] = [
        (&QUESTION, Lists::QUESTION),
        (&PRESSING, Lists::PRESSING),
        (&TIMING, Lists::TIMING),
        (&WHY_ALONE, Lists::WHY_ALONE),
        (&INSIST, Lists::INSIST),
    ];

    fn in_text(text: &str) -> Lists {
        static WORDS: LazyLock<(AhoCorasick, Vec<u8>)> = LazyLock::new(|| {
            let (words, bits): (Vec<&str>, Vec<u8>) = Lists::ALL
                .iter()
                .flat_map(|&(words, bit)| words.iter().map(move |&w| (w, bit)))
                .unzip();
            (AhoCorasick::new(words).expect("a few short words"), bits)
        });
        let (automaton, bits) = &*WORDS;
        // Overlapping, so a word inside another (几 in 几天) is seen as `contains` would see it.
        Lists(automaton.find_overlapping_iter(text).fold(0, |found, m| {
            let bit = bits[m.pattern().as_usize()];
            if bit == Lists::TIMING && duration(&text[..m.start()]) {
                found
            } else {
                found | bit
            }
        }))
    }

    fn has(self, list: u8) -> bool {
        self.0 & list != 0
    }
}

/// The running state over one ticket's customer turns.
#[derive(Default)]
pub struct Cues {
    /// Character-pair sets of the customer's last turns, newest last, with whether an agent
    /// replied after each.
    recent: Vec<(Vec<u64>, bool)>,
    /// An earlier customer turn of this ticket was a complaint.
    grievance: bool,
    /// The last agent turn refused (a counted negative-wording hit: 无法取消的, 已不支持了).
    refused: bool,
}

impl Cues {
    /// An agent wrote: the customer's earlier turns have been answered, unless the turn only
    /// greeted (请问有什么可以帮您): a customer restating their question after a greeting is
    /// not asking again.
    /// `refused`: the turn holds a counted negative-wording hit (a refusal, a hand-off).
    pub fn agent_replied(&mut self, greeting: bool, refused: bool) {
        self.refused = refused;
        if greeting {
            return;
        }
        for turn in &mut self.recent {
            turn.1 = true;
        }
    }

    /// The cue weight of one customer turn (normalized text), in thousandths.
    pub fn weigh(&mut self, text: &str) -> u64 {
        // Only a question can repeat a question: other turns keep no pairs (no allocation).
        let lists = Lists::in_text(text);
        let question = lists.has(Lists::QUESTION);
        let pairs = if question { char_pairs(text) } else { Vec::new() };
        let mut weight = 0;
        if why_not_yet(text)
            || still_failing(text)
            || again(text)
            || not_even(text)
            || self.repeats(&pairs)
        {
            weight = CUE_MILLI;
        }
        let pressing = lists.has(Lists::PRESSING);
        let timing = lists.has(Lists::TIMING);
        let why = weight == 0 && lists.has(Lists::WHY_ALONE);
        let insists = self.refused && lists.has(Lists::INSIST);
        let half_cues = [marks(text), pressing, timing, why, challenges(text), insists]
            .iter()
            .filter(|&&c| c)
            .count() as u64;
        if half_cues > 0 && self.grievance {
            weight += CUE_MILLI;
        }
        weight = (weight + half_cues * PRESS_MILLI).min(CUE_MILLI);
        if self.recent.len() == REPEAT_LOOKBACK {
            self.recent.remove(0);
        }
        self.recent.push((pairs, false));
        weight
    }

    /// Record whether the turn just weighed was a complaint (cues and words together).
    pub fn complained(&mut self, complaint: bool) {
        self.grievance |= complaint;
    }

    fn repeats(&self, pairs: &[u64]) -> bool {
        if pairs.len() < REPEAT_MIN_PAIRS {
            return false;
        }
        self.recent.iter().filter(|(_, answered)| *answered).any(|(earlier, _)| {
            let shared = pairs.iter().filter(|p| earlier.binary_search(p).is_ok()).count();
            shared as f64 >= REPEAT_SHARE * pairs.len() as f64
        })
    }
}

/// A why-word, not one asking for a way (怎么办), with 还/没/不/只/一(直) close after it in the
/// same clause.
fn why_not_yet(text: &str) -> bool {
    if !text.contains(['怎', '为', '咋', '凭']) {
        return false;
    }
    WHY.iter().any(|why| {
        text.match_indices(why).any(|(at, _)| {
            let rest = &text[at..];
            if HOW_NOT_WHY.iter().any(|h| rest.starts_with(h)) {
                return false;
            }
            let after = &rest[why.len()..];
            let reach =
                after.char_indices().take(WHY_REACH).find(|(_, c)| is_clause_end(*c)).map_or_else(
                    || after.char_indices().nth(WHY_REACH).map_or(after.len(), |(i, _)| i),
                    |(i, _)| i,
                );
            NOT_YET.iter().any(|w| after[..reach].contains(w))
        })
    })
}

/// How far (characters) after 连 its 都/也 may come: 连一张最基本的说明书都没有.
const EVEN_REACH: usize = 10;
/// 连 starting a word, not the "even" of 连…都: 连续, 连接, 连衣裙, 连忙, 连同, 连锁, 连带.
const LIAN_WORDS: [char; 9] = ['续', '接', '衣', '忙', '同', '锁', '带', '载', '体'];

/// 连 X 都/也 followed by 没/不 in the same clause, X at most [`EVEN_REACH`] characters: not
/// even the least happened. A negated flaw after it (连一点毛病都没有) is praise, and so is
/// 都不错.
fn not_even(text: &str) -> bool {
    if !text.contains('连') {
        return false;
    }
    text.match_indices('连').any(|(at, _)| {
        let after = &text[at + '连'.len_utf8()..];
        if after.starts_with(LIAN_WORDS) {
            return false;
        }
        let clause: Vec<(usize, char)> =
            after.char_indices().take_while(|(_, c)| !is_clause_end(*c) && *c != ' ').collect();
        clause.iter().take(EVEN_REACH + 1).any(|&(i, c)| {
            if !matches!(c, '都' | '也') || i == 0 {
                return false;
            }
            let rest = &after[i + c.len_utf8()..];
            rest.starts_with(['没', '不'])
                && !NOT_FAILURE.iter().any(|w| rest.starts_with(w))
                && !negates_a_flaw(&after[..i])
                && !negates_a_flaw(rest)
        })
    })
}

/// A persistence or up-to-now adverb with a 没/未 (up to now also 不) before a step of the
/// order or service close after it in
/// the same clause; 不 words of praise (一直不错) excepted.
fn still_failing(text: &str) -> bool {
    let after_word = |words: &'static [&'static str], marks: &'static [char]| {
        words.iter().any(move |word| {
            text.match_indices(word).any(|(at, _)| {
                let after = &text[at + word.len()..];
                let clause: Vec<(usize, char)> = after
                    .char_indices()
                    .take(PERSIST_REACH)
                    .take_while(|(_, c)| !is_clause_end(*c))
                    .collect();
                clause.iter().any(|&(i, c)| {
                    marks.contains(&c)
                        && !(c == '不' && NOT_FAILURE.iter().any(|w| after[i..].starts_with(w)))
                        && !negates_a_flaw(&after[i..])
                        && names_a_process(&after[i..])
                })
            })
        })
    };
    (text.contains(['一', '始', '迟', '老', '总']) && after_word(&PERSIST, &['没', '未']))
        || (text.contains(['到', '至']) && after_word(&UNTIL_NOW, &['没', '不', '未']))
}

/// 又 before a failure, or being made to do something again (又要我, 还让我). Two 又 are the
/// 又…又… of a list of qualities (又便宜又不卡), and a negated flaw (又没有异味) is praise.
fn again(text: &str) -> bool {
    if !text.contains(['又', '还']) {
        return false;
    }
    let failed = text.matches('又').count() == 1
        && AGAIN_FAILED.iter().any(|w| {
            text.match_indices(w).any(|(at, _)| !negates_a_flaw(&text[at + '又'.len_utf8()..]))
        });
    failed || AGAIN_MADE.iter().any(|w| text.contains(w))
}

/// A negation whose clause names a step of the order or the service (没有物流信息, 不发货, 未
/// 回复): what a customer waits for. 一直没时间看, 一直不敢用 are the writer's own state.
fn names_a_process(from_negation: &str) -> bool {
    let clause = from_negation
        .char_indices()
        .find(|&(_, c)| is_clause_end(c))
        .map_or(from_negation, |(i, _)| &from_negation[..i]);
    PROCESS.iter().any(|p| clause.contains(p))
}

/// A negation whose clause names a flaw (没问题, 没出过毛病, 不卡, 没有异味): praise, not a
/// failure.
fn negates_a_flaw(from_negation: &str) -> bool {
    let clause = from_negation
        .char_indices()
        .find(|&(_, c)| is_clause_end(c))
        .map_or(from_negation, |(i, _)| &from_negation[..i]);
    FLAWS.iter().any(|f| clause.contains(f))
}

/// A rhetorical 不是…吗 in one clause (不是七天无理由吗): the customer disputes what they were
/// told. The 不是 of an A-not-A question (是不是) asks and does not count.
fn challenges(text: &str) -> bool {
    text.match_indices("不是").any(|(at, _)| {
        if text[..at].ends_with('是') {
            return false;
        }
        let rest = &text[at..];
        let clause =
            rest.find(|c: char| is_clause_end(c) && c != '?').map_or(rest, |end| &rest[..end]);
        clause.trim_end_matches(['?', '啊', '呀', '呢']).ends_with('吗')
    })
}

/// Two or more ? or ! in a row (after normalization, ？ and ！ are ASCII).
fn marks(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(2).any(|w| matches!(w[0], b'?' | b'!') && matches!(w[1], b'?' | b'!'))
}

fn is_clause_end(c: char) -> bool {
    matches!(c, '。' | '.' | '!' | '?' | ',' | ';' | '\n' | ' ' | '~')
}

/// The turn's pairs of adjacent word characters (letters, digits, ideographs), sorted and
/// deduplicated. Masks ([订单x]) and punctuation break pairs, so only written words compare.
fn char_pairs(text: &str) -> Vec<u64> {
    let mut pairs = Vec::new();
    let mut previous: Option<char> = None;
    let mut in_mask = false;
    for c in text.chars() {
        match c {
            '[' => in_mask = true,
            ']' => in_mask = false,
            _ => {}
        }
        if in_mask || !c.is_alphanumeric() {
            previous = None;
            continue;
        }
        if let Some(p) = previous {
            pairs.push(u64::from(p as u32) << 32 | u64::from(c as u32));
        }
        previous = Some(c);
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cue weight of the last turn of a conversation, written as ("c"|"a", text) turns;
    /// "r" is an agent turn that refused.
    fn last_weight(turns: &[(&str, &str)]) -> u64 {
        let mut cues = Cues::default();
        let mut weight = 0;
        let mut role_refused = false;
        for (role, text) in turns {
            if *role == "r" {
                role_refused = true;
            }
            if *role == "a" || *role == "r" {
                cues.agent_replied(false, role_refused);
                role_refused = false;
                continue;
            }
            let text = crate::normalize::NormText::new(text).text;
            weight = cues.weigh(&text);
            cues.complained(weight >= CUE_MILLI);
        }
        weight
    }

    /// Each one-turn conversation's cue weight.
    fn each_turn_weighs(cases: &[(&str, u64)]) {
        for (text, want) in cases {
            assert_eq!(last_weight(&[("c", text)]), *want, "{text:?}");
        }
    }

    #[test]
    fn one_pass_finds_each_list_as_a_search_per_word_would() {
        // Words inside words (几 in 几天, 要退 in 我要退), words at both ends, none at all.
        let texts =
            ["几天能到", "我要退", "到底什么时候", "好的谢谢", "", "为什么要扣钱吗", "哪天?"];
        for text in texts {
            let found = Lists::in_text(text);
            for (words, bit) in Lists::ALL {
                let searched = words.iter().any(|w| text.contains(w));
                assert_eq!(found.has(bit), searched, "{text:?}, list {bit}");
            }
        }
    }

    #[test]
    fn why_not_yet_questions_are_complaints() {
        let cases: &[(&str, u64)] = &[
            ("我的耳机怎么还没寄出", CUE_MILLI),
            ("为什么我的退款到现在没到账", CUE_MILLI),
            ("为啥查不到快递信息", CUE_MILLI),
            ("买了三个怎么只来了两个", CUE_MILLI),
            ("咋一直显示待出库", CUE_MILLI),
            // Asking for a way or an opinion is not a why-question.
            ("这个要怎么办理退货", 0),
            ("怎么样申请发票", 0),
            ("怎么办呢", 0),
            // The 不 is in another clause.
            ("怎么改地址，不着急", 0),
        ];
        each_turn_weighs(cases);
    }

    #[test]
    fn failures_that_last_or_come_again_are_complaints() {
        let cases: &[(&str, u64)] = &[
            // Persistence with a negation in the same clause.
            ("这个单子一直没有物流信息", CUE_MILLI),
            ("卖家迟迟没发货", CUE_MILLI),
            ("客服始终未回复我", CUE_MILLI),
            // Persistent 不 is a habit as often as a failure (总是不舍得用): left out.
            ("快递员老是不打电话", 0),
            // Up to now, with a negation; 还 alone also keeps a good state (用到现在还很好).
            ("上周就申请了，到现在也没人处理", CUE_MILLI),
            ("到今天还没退款", CUE_MILLI),
            ("用到现在还很好", 0),
            // Again: a failure repeated, or the customer made to do it again.
            ("说好今天到的，又延迟了", CUE_MILLI),
            ("怎么又不发了", CUE_MILLI),
            ("难道又要我再填一遍地址", CUE_MILLI),
            ("刚发过了，你还让我发截图", CUE_MILLI),
            // Praise, reassurance, plain persistence and the writer's own state are not failures.
            ("一直没时间看", 0),
            ("一直不敢用", 0),
            ("你们家东西一直不错", 0),
            ("我一直在用这个牌子", 0),
            ("一直很满意", 0),
            // A negated flaw is praise: 一直没出过问题, 又便宜又不卡, 又没有异味.
            ("用了半年一直没出过问题", 0),
            ("又便宜又不卡", 0),
            ("打开又没有异味", 0),
            // The negation is in the next clause.
            ("我一直在等，不过不着急", 0),
            // 又 before something that is no failure.
            ("我又买了一个", 0),
            ("还要我做什么吗", 0),
        ];
        each_turn_weighs(cases);
    }

    #[test]
    fn not_even_the_least_is_a_complaint() {
        let cases: &[(&str, u64)] = &[
            ("连一个通知都没有就把单取消了", CUE_MILLI),
            ("买了手机连膜都不送", CUE_MILLI),
            ("连一张说明书也没有", CUE_MILLI),
            // A negated flaw is praise; 都不错 is praise.
            ("连一点毛病都没有", 0),
            ("连包装都不错", 0),
            // 连 in a word is no "even"; the 都 must follow in the same clause.
            ("连续三天都没下雨", 0),
            ("连衣裙也不贵", 0),
            ("连我在内,都不知道", 0),
        ];
        each_turn_weighs(cases);
    }

    #[test]
    fn insisting_after_a_refusal_is_half_a_complaint() {
        assert_eq!(
            last_weight(&[("c", "帮我退了吧"), ("r", "已经出库无法取消的"), ("c", "我还是要退")]),
            PRESS_MILLI
        );
        assert_eq!(
            last_weight(&[("c", "帮我退了吧"), ("a", "好的，已提交"), ("c", "我还是要退")]),
            0
        );
        assert_eq!(
            last_weight(&[
                ("c", "帮我退了吧"),
                ("r", "已经出库无法取消的"),
                ("c", "为什么？我就要退")
            ]),
            CUE_MILLI
        );
    }

    #[test]
    fn half_cues_add_up() {
        assert_eq!(last_weight(&[("c", "快递到哪了？？")]), CUE_MILLI);
        assert_eq!(last_weight(&[("c", "快点发货!!")]), CUE_MILLI);
        assert_eq!(last_weight(&[("c", "能开发票吗？？")]), PRESS_MILLI);
        assert_eq!(last_weight(&[("c", "能开发票吗？")]), 0);
        // Where a place is asked, not a time.
        assert_eq!(last_weight(&[("c", "寄回到哪里")]), 0);
        // A bare why, a rhetorical 不是…吗: half each; 是不是 asks.
        assert_eq!(last_weight(&[("c", "为什么要扣我运费")]), PRESS_MILLI);
        assert_eq!(last_weight(&[("c", "这个不是包邮的吗")]), PRESS_MILLI);
        assert_eq!(last_weight(&[("c", "这个是不是包邮的")]), 0);
        assert_eq!(last_weight(&[("c", "不是说包邮吗？？")]), CUE_MILLI);
    }

    #[test]
    fn asking_again_after_an_answer_is_a_complaint() {
        let asked_again = [
            ("c", "我那台冰箱哪天能送过来"),
            ("a", "您好，正在为您查询"),
            ("c", "我就想知道冰箱哪天能送过来"),
        ];
        assert_eq!(last_weight(&asked_again), CUE_MILLI);
        // Two turns in a row before any answer are one request, not a repeat.
        let unanswered = [("c", "我那台冰箱哪天能送过来"), ("c", "我那台冰箱哪天能送过来呢")];
        assert_eq!(last_weight(&unanswered), PRESS_MILLI);
        // Restating the question after a mere greeting is not asking again.
        let mut cues = Cues::default();
        cues.weigh("我那台冰箱哪天能送过来");
        cues.agent_replied(true, false);
        assert_eq!(cues.weigh("我那台冰箱哪天能送过来呢"), PRESS_MILLI);
        // Information sent again is not a question asked again.
        let card = [
            ("c", "订单号[订单x] 商品编号[数字x]"),
            ("a", "好的"),
            ("c", "订单号[订单x] 商品编号[数字x]"),
        ];
        assert_eq!(last_weight(&card), 0);
        // A short question that shares words is a new question.
        let new_question = [("c", "什么时候发货"), ("a", "明天发"), ("c", "什么时候到")];
        assert_eq!(last_weight(&new_question), PRESS_MILLI);
        // Short acknowledgements repeat by nature.
        assert_eq!(last_weight(&[("c", "好的"), ("a", "还有别的吗"), ("c", "好的")]), 0);
    }

    #[test]
    fn pressing_and_timing_count_fully_after_a_grievance() {
        assert_eq!(last_weight(&[("c", "大概多久能到呢")]), PRESS_MILLI);
        assert_eq!(last_weight(&[("c", "到底什么时候给我换")]), CUE_MILLI);
        let after_grievance =
            [("c", "包裹怎么还没动"), ("a", "亲，请您再耐心等等"), ("c", "那要等几天啊")];
        assert_eq!(last_weight(&after_grievance), CUE_MILLI);
    }

    #[test]
    fn a_duration_of_use_is_no_timing_question() {
        // 了 before the timing word: how long it was used, not when something comes.
        assert_eq!(last_weight(&[("c", "试用了几天再来评价")]), 0);
        assert_eq!(last_weight(&[("c", "穿了多久才发现")]), 0);
        // Waiting still presses, and a plain timing question still asks.
        assert_eq!(last_weight(&[("c", "已经等了几天")]), PRESS_MILLI);
        assert_eq!(last_weight(&[("c", "几天能到")]), PRESS_MILLI);
    }
}
