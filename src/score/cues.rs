//! Implicit complaints: what makes a customer's chat turn a grievance when it holds no
//! sentiment word. Takes the normalized text of each customer turn in order, yields the weight
//! (thousandths, like a lexicon hit) its cues add to the turn's negative weight.
//!
//! The cues, each a class of chat language rather than a list of phrases:
//! - **why-not-yet**: a why/how-come word (怎么, 为什么, 为啥, 咋) with, a few characters later in
//!   the same clause, a 还/没/不/只/一直 (怎么还没发货, 为什么查不到物流, 怎么只收到一个): a delay or
//!   a shortfall asked as a question;
//! - **repeat**: the customer asks again what they asked before an agent's answer (a question
//!   most of whose character pairs were in one of their last three turns, itself a question);
//! - half cues, each half a complaint, two of them a whole one: a run of two or more ? or !
//!   (到哪了??), **pressing** (到底, 究竟, 快点, 能不能快, 赶紧, 尽快), **timing questions**
//!   (什么时候, 多久, 几天, 啥时候, 到哪了), a bare **why** (为什么要扣运费) and a rhetorical
//!   **不是…吗** (不是七天无理由吗), **insisting** after the agent's refusal (我还是要退); any one of them is a whole complaint after an earlier
//!   grievance in the same ticket (the customer already complained and is still waiting).
//!
//! Cost: a few substring scans per customer turn, and for the repeat cue a sorted set of a
//! question's character pairs compared with at most three earlier sets: linear in the ticket.

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

/// Pressing the same request after the agent refused it (我还是要退, 必须给我换).
const INSIST: [&str; 9] =
    ["还是要", "就要", "必须", "坚持", "我要退", "要退", "要换", "给我退", "给我换"];

/// A repeat is a question asked again (an order card or an address sent twice is not).
const QUESTION: [&str; 12] =
    ["?", "吗", "呢", "怎么", "什么", "多久", "几", "哪", "能不能", "是不是", "有没有", "啥"];

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
        let question = QUESTION.iter().any(|q| text.contains(q));
        let pairs = if question { char_pairs(text) } else { Vec::new() };
        let mut weight = 0;
        if why_not_yet(text) || self.repeats(&pairs) {
            weight = CUE_MILLI;
        }
        let pressing = PRESSING.iter().any(|w| text.contains(w));
        let timing = TIMING.iter().any(|w| text.contains(w));
        let why = weight == 0 && WHY_ALONE.iter().any(|w| text.contains(w));
        let insists = self.refused && INSIST.iter().any(|w| text.contains(w));
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
        for (text, want) in cases {
            assert_eq!(last_weight(&[("c", text)]), *want, "{text:?}");
        }
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
}
