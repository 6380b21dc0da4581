//! Stage 5 — matching. Takes one message's normalized text and its token boundaries, yields the
//! lexicon hits that count, and those that an exception or a negation changed (they are
//! evidence too). One Aho-Corasick automaton holds every category's literal entries; the few
//! entries with a number placeholder (`都{n}天了`) are one regex beside it.
//!
//! The rules, in the order they apply:
//! 1. **Boundaries.** A hit must start and end on jieba token boundaries (unless its entry says
//!    `boundary=none`), so 好的 never matches inside 不好的. One relaxation: jieba often fuses a
//!    negation or degree prefix with the word after it (不满意, 太好); a sentiment or empathy hit
//!    whose end is a boundary may start inside a token when a modifier entry starting on a
//!    boundary fills the gap exactly. Another: jieba also fuses a multi-character sentiment
//!    word with a neighbour (好难|喝, 陈旧不堪); a positive or negative entry of two or more
//!    characters may match inside a token when one of its ends is a boundary. Single
//!    characters (差, 好) never may: 差 inside 差不多 is not a complaint.
//! 2. **Exceptions.** A hit inside an exception phrase (`!不好意思`) of its category does not
//!    count. Exceptions of `positive` and `negative` cancel any sentiment hit inside them; a
//!    longer hit that merely overlaps one (等了好几天 over `!好几`) still counts.
//! 3. **Overlaps.** Within one group (sentiment = positive + negative; modifiers = negation +
//!    degree; every other category alone), the leftmost hit wins, then the longest, then the
//!    earlier entry in the lexicon. A modifier overlapping a kept sentiment or empathy hit is
//!    dropped, and so is a sentiment hit inside an empathy phrase (您别着急 is not 着急).
//! 4. **Negation and degree.** Modifiers directly before a negatable hit (at most
//!    [`MAX_MODIFIER_GAP`] characters apart, no punctuation between, same clause) form a chain.
//!    An odd number of negations flips the hit (a negated positive counts as negative; a negated
//!    negative or empathy phrase does not count); an even number cancels out. Degree words
//!    multiply the weight, and so does a negation's own weight (不太 | w=0.5). A degree word
//!    inside a negation's scope makes it mild instead: 不是很满意 is half a 不满意, while
//!    很不满意 is 1.2 of one. The 不 of an A-not-A question (好不好, 是不是) negates nothing.
//!    Conduct (off-platform) hits are negatable too: a prohibition right before one, across
//!    nothing but function words (请不要线下交易, 平台禁止私下加微信, 我们不会让您加微信), is the
//!    warning against the violation, not the violation; it does not count (effect `negated`).
//!    **Warning frames** reach further, across any words in the clause ([`cancel_warnings`]):
//!    a prohibition or warning cue before a conduct hit (请不要相信任何要求加微信的人, 谨防有人
//!    冒充客服让您加微信) or a judging predicate after it (好评返现是违规的) makes the hit the
//!    warning, not the violation (effect `negated`, shown as 被否定, 不计).
//!    A context word (`needs=degree`: 少, 凉, 旧) counts only when a degree word is in its
//!    chain (太少, 有点凉) or 了 follows it (凉了): 少量 and 小号 describe, 太少 complains.
//! 5. **Questions.** A positive hit in a question (ending in `?` or 吗, or asking A-not-A) does
//!    not count: 好用吗？ asks, it does not praise. Negative hits in questions still count
//!    (怎么这么慢？). For praise a space before the next word ends the clause (质量很好 非常满意
//!    下次再来??: no praise is asked).
//! 6. **Conditions.** A sentiment hit in a clause that opens with 如果, 假如, 万一… before it
//!    does not count: 如果坏了怎么办 supposes, it does not complain.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;
use unicode_segmentation::UnicodeSegmentation;

use crate::lexicon::{Category, EntryId, Lexicon, NUMBER};
use crate::tokenize::Tokens;

/// How far (in characters) a modifier may sit before the word it modifies: 没有**想象的**好.
pub const MAX_MODIFIER_GAP: usize = 4;
/// At most this many modifiers chain before one hit (不是很 = 2).
const MAX_CHAIN: usize = 4;

/// What the rules did to a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Counts as its category says.
    Counted,
    /// An odd number of negation words precede it.
    Negated,
    /// An even number (≥ 2) of negation words precede it: counts as written.
    DoubleNegated,
    /// An exception phrase covers it: never counts.
    Excepted(EntryId),
    /// An agent repeating the customer's own word (您说的质量问题, the customer's 价保): not
    /// the agent's jargon or negative wording. Set by scoring, which sees the conversation.
    Echoed,
    /// An agent asking about the customer's problem (您是没收到吗？): not negative wording.
    /// Set by scoring, which knows who speaks.
    Asked,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub entry: EntryId,
    pub category: Category,
    /// Byte offsets into the normalized text.
    pub start: usize,
    pub end: usize,
    pub effect: Effect,
    /// Entry weight times every degree word before it, in thousandths.
    pub weight_milli: u32,
    /// The entry counts on customer turns only (`@side customer`).
    pub customer_only: bool,
}

impl Hit {
    /// The sentiment this hit contributes after negation: `Some(Negative)` for 不满意,
    /// `None` for 不生气 or anything an exception cancelled.
    pub fn counts_as(&self) -> Option<Category> {
        counts_as(self.category, self.effect)
    }
}

/// What a hit of `category` with `effect` counts as: `Some(Negative)` for a negated positive,
/// `None` for anything an exception, a negation, an echo or a question cancelled.
pub fn counts_as(category: Category, effect: Effect) -> Option<Category> {
    match (effect, category) {
        (Effect::Excepted(_) | Effect::Echoed | Effect::Asked, _) => None,
        (_, c) if c.is_modifier() => None,
        (Effect::Negated, Category::Positive) => Some(Category::Negative),
        (Effect::Negated, _) => None,
        (_, c) => Some(c),
    }
}

/// Which rules apply. All of them in an audit; the sentiment evaluation switches them off one
/// by one to measure what each buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub boundaries: bool,
    pub exceptions: bool,
    pub modifiers: bool,
}

impl Rules {
    pub const ALL: Rules = Rules { boundaries: true, exceptions: true, modifiers: true };
    /// A plain keyword count: every occurrence of every entry counts as written.
    pub const NONE: Rules = Rules { boundaries: false, exceptions: false, modifiers: false };
}

/// The automaton over every entry of every category. Built once per run in a few
/// milliseconds; `Send + Sync`, shared by reference across workers.
pub struct Matcher {
    rules: Rules,
    automaton: AhoCorasick,
    /// For each automaton pattern, the entries (of any category) that share its text.
    pattern_entries: Vec<Vec<EntryId>>,
    /// Entries with a number placeholder (`都{n}天了`), one capture group each, in entry order.
    numbered: Option<(Regex, Vec<EntryId>)>,
    categories: Vec<Category>,
    weights: Vec<u32>,
    needs_boundary: Vec<bool>,
    is_exception: Vec<bool>,
    needs_degree: Vec<bool>,
    customer_only: Vec<bool>,
    char_len: Vec<u8>,
    /// The longest pattern in bytes: how far back an overlapping match can start.
    max_pattern_len: usize,
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    entry: EntryId,
    start: usize,
    end: usize,
}

impl Matcher {
    pub fn new(lexicon: &Lexicon) -> Matcher {
        Matcher::with_rules(lexicon, Rules::ALL)
    }

    pub fn with_rules(lexicon: &Lexicon, rules: Rules) -> Matcher {
        let mut patterns: Vec<&str> = Vec::new();
        let mut pattern_entries: Vec<Vec<EntryId>> = Vec::new();
        let mut by_text = HashMap::new();
        for (id, entry) in lexicon.entries.iter().enumerate() {
            if entry.is_pattern() {
                continue;
            }
            let pattern = *by_text.entry(entry.normalized.as_str()).or_insert_with(|| {
                patterns.push(&entry.normalized);
                pattern_entries.push(Vec::new());
                patterns.len() - 1
            });
            pattern_entries[pattern].push(id as EntryId);
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .expect("lexicon automaton fits in memory");
        let entries = &lexicon.entries;
        Matcher {
            rules,
            automaton,
            pattern_entries,
            numbered: numbered_patterns(lexicon),
            categories: entries.iter().map(|e| e.category).collect(),
            weights: entries.iter().map(|e| e.weight_milli).collect(),
            needs_boundary: entries.iter().map(|e| e.needs_boundary).collect(),
            is_exception: entries.iter().map(|e| e.is_exception).collect(),
            needs_degree: entries.iter().map(|e| e.needs_degree).collect(),
            customer_only: entries.iter().map(|e| e.customer_only).collect(),
            char_len: entries.iter().map(|e| e.normalized.chars().count().min(255) as u8).collect(),
            max_pattern_len: patterns.iter().map(|p| p.len()).max().unwrap_or(0),
        }
    }

    /// Every hit in `text`, sorted by start, then end, then entry.
    pub fn find(&self, text: &str, tokens: &Tokens) -> Vec<Hit> {
        let mut exceptions = Vec::new();
        let mut candidates = Vec::new();
        let literal = self.automaton.find_overlapping_iter(text).flat_map(|m| {
            self.pattern_entries[m.pattern().as_usize()].iter().map(move |&entry| Candidate {
                entry,
                start: m.start(),
                end: m.end(),
            })
        });
        for candidate in literal.chain(self.numbered_matches(text)) {
            if self.is_exception[candidate.entry as usize] {
                if self.rules.exceptions {
                    exceptions.push(candidate);
                }
            } else {
                candidates.push(candidate);
            }
        }
        exceptions.sort_by_key(|e| (e.start, e.end, e.entry));
        let on_boundaries = if self.rules.boundaries {
            self.keep_on_boundaries(&candidates, tokens)
        } else {
            candidates
        };
        let mut hits: Vec<Hit> = on_boundaries
            .into_iter()
            .map(|c| Hit {
                entry: c.entry,
                category: self.category(c.entry),
                start: c.start,
                end: c.end,
                effect: self
                    .exception_over(&c, &exceptions)
                    .map_or(Effect::Counted, Effect::Excepted),
                weight_milli: self.weights[c.entry as usize],
                customer_only: self.customer_only[c.entry as usize],
            })
            .collect();
        if self.rules.boundaries {
            resolve_overlaps(&mut hits);
        }
        if self.rules.modifiers {
            let unlicensed = apply_modifiers(text, &mut hits, &self.needs_degree);
            hits.retain(|h| !unlicensed.contains(&(h.start, h.entry)));
            cancel_warnings(text, tokens, &mut hits);
            drop_praise_in_questions(text, &mut hits);
            drop_hypotheticals(text, &mut hits);
        }
        hits.sort_by_key(|h| (h.start, h.end, h.entry));
        hits
    }

    /// Hits of the entries with a number placeholder (few, so one regex with a group each).
    fn numbered_matches<'t>(&'t self, text: &'t str) -> impl Iterator<Item = Candidate> + 't {
        let found = self.numbered.as_ref().map(|(regex, entries)| {
            regex.captures_iter(text).filter_map(|caps| {
                let (group, m) =
                    caps.iter().enumerate().skip(1).find_map(|(i, g)| Some((i, g?)))?;
                Some(Candidate { entry: entries[group - 1], start: m.start(), end: m.end() })
            })
        });
        found.into_iter().flatten()
    }

    fn category(&self, entry: EntryId) -> Category {
        self.categories[entry as usize]
    }

    fn keep_on_boundaries(&self, candidates: &[Candidate], tokens: &Tokens) -> Vec<Candidate> {
        let free = |c: &Candidate| !self.needs_boundary[c.entry as usize];
        let starts_ok = |c: &Candidate| free(c) || tokens.is_boundary(c.start);
        let ends_ok = |c: &Candidate| free(c) || tokens.is_boundary(c.end);
        // Modifier prefixes fused into one token with the word they modify (不|满意, 太|好),
        // indexed by where they end so each lookup is constant time.
        let mut prefix_ending_at: HashMap<usize, Candidate> = HashMap::new();
        for m in candidates.iter().filter(|m| self.category(m.entry).is_modifier() && starts_ok(m))
        {
            prefix_ending_at.entry(m.end).or_insert(*m);
        }
        let fused_prefix = |target: &Candidate| prefix_ending_at.get(&target.start).copied();
        let mut kept = Vec::with_capacity(candidates.len());
        for c in candidates {
            let category = self.category(c.entry);
            if starts_ok(c) && ends_ok(c) {
                kept.push(*c);
            } else if category.is_negatable() && ends_ok(c) && fused_prefix(c).is_some() {
                kept.push(*c);
                kept.extend(fused_prefix(c));
            } else if self.fused_sentiment(c) && (starts_ok(c) || ends_ok(c)) {
                // jieba fused a multi-character sentiment word with a neighbour (好难|喝,
                // 陈旧不堪): one anchored side is enough for a word this long.
                kept.push(*c);
            }
        }
        kept.sort_by_key(|c| (c.start, c.end, c.entry));
        kept.dedup_by_key(|c| (c.start, c.end, c.entry));
        kept
    }

    /// A sentiment entry of at least two characters, which may match inside a longer token
    /// when one of its ends sits on a boundary; single characters (差, 好) never may.
    fn fused_sentiment(&self, c: &Candidate) -> bool {
        matches!(self.category(c.entry), Category::Positive | Category::Negative)
            && self.char_len[c.entry as usize] >= 2
    }

    /// The exception phrase that contains the hit, if any. `exceptions` are sorted by start;
    /// only those starting within one pattern length before the hit can contain it.
    fn exception_over(&self, hit: &Candidate, exceptions: &[Candidate]) -> Option<EntryId> {
        let category = self.category(hit.entry);
        let sentiment = |c: Category| matches!(c, Category::Positive | Category::Negative);
        let first = exceptions.partition_point(|e| e.start + self.max_pattern_len <= hit.start);
        exceptions[first..]
            .iter()
            .take_while(|e| e.start <= hit.start)
            .filter(|e| hit.end <= e.end)
            .find(|e| {
                let ec = self.category(e.entry);
                ec == category || (sentiment(ec) && sentiment(category))
            })
            .map(|e| e.entry)
    }
}

/// How a number reads in a pattern: Arabic digits (with a decimal part) or Chinese numerals,
/// including the vague ones people complain with (几, 好几, 半, 多).
const NUMBER_REGEX: &str = r"(?:[0-9]+(?:\.[0-9]+)?|好?[零〇一二两三四五六七八九十百千几半多]+)";

/// One regex over every entry with a number placeholder, a capture group per entry.
fn numbered_patterns(lexicon: &Lexicon) -> Option<(Regex, Vec<EntryId>)> {
    let mut groups = Vec::new();
    let mut entries = Vec::new();
    for (id, entry) in lexicon.entries.iter().enumerate().filter(|(_, e)| e.is_pattern()) {
        let parts: Vec<String> = entry.normalized.split(NUMBER).map(regex::escape).collect();
        groups.push(format!("({})", parts.join(NUMBER_REGEX)));
        entries.push(id as EntryId);
    }
    if groups.is_empty() {
        return None;
    }
    let regex = Regex::new(&groups.join("|")).expect("escaped literals and one number class");
    Some((regex, entries))
}

fn overlap_group(category: Category) -> usize {
    match category {
        Category::Positive | Category::Negative => 100,
        Category::Negation | Category::Degree => 101,
        other => other.index(),
    }
}

/// Rule 3: leftmost, then longest, then earliest entry wins within a group. Excepted hits stay
/// as evidence but never block a counted one.
fn resolve_overlaps(hits: &mut Vec<Hit>) {
    hits.sort_by_key(|h| {
        (
            matches!(h.effect, Effect::Excepted(_)),
            overlap_group(h.category),
            h.start,
            std::cmp::Reverse(h.end),
            h.entry,
        )
    });
    // Sorted by group, then start: a hit overlaps a kept one of its group exactly when it starts
    // before the furthest end kept so far in that group.
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    let mut group_end: Option<(usize, usize)> = None;
    for hit in hits.drain(..) {
        if matches!(hit.effect, Effect::Excepted(_)) {
            kept.push(hit);
            continue;
        }
        let group = overlap_group(hit.category);
        match group_end {
            Some((g, end)) if g == group && hit.start < end => continue,
            Some((g, end)) if g == group => group_end = Some((g, end.max(hit.end))),
            _ => group_end = Some((group, hit.end)),
        }
        kept.push(hit);
    }
    drop_degree_readings(&mut kept);
    let spans_of = |category: fn(Category) -> bool| {
        Spans::new(
            kept.iter()
                .filter(|h| category(h.category) && !matches!(h.effect, Effect::Excepted(_)))
                .map(|h| (h.start, h.end)),
        )
    };
    let negatable = spans_of(Category::is_negatable);
    // An empathy phrase is one meaning: 您别着急 is not a negative 着急 said by the agent.
    let empathy = spans_of(|c| c == Category::Empathy);
    kept.retain(|h| {
        let sentiment = matches!(h.category, Category::Positive | Category::Negative);
        let modifier_inside_word = h.category.is_modifier() && negatable.overlaps(h.start, h.end);
        !(modifier_inside_word || sentiment && empathy.overlaps(h.start, h.end))
    });
    *hits = kept;
}

/// A word that is both a sentiment entry and a degree entry (好) is the degree word when another
/// sentiment word follows it directly (好难, 好慢, 好好吃), and the sentiment word otherwise
/// (很好, 好的): its sentiment hit is dropped where the degree reading applies.
fn drop_degree_readings(kept: &mut Vec<Hit>) {
    let counted = |h: &&Hit| !matches!(h.effect, Effect::Excepted(_));
    let sentiment = |c: Category| matches!(c, Category::Positive | Category::Negative);
    let degree_readings: Vec<(usize, usize)> = kept
        .iter()
        .filter(counted)
        .filter(|d| d.category == Category::Degree)
        .filter(|d| kept.iter().filter(counted).any(|t| sentiment(t.category) && t.start == d.end))
        .map(|d| (d.start, d.end))
        .collect();
    if degree_readings.is_empty() {
        return;
    }
    kept.retain(|h| {
        !(sentiment(h.category) && counted(&h) && degree_readings.contains(&(h.start, h.end)))
    });
}

/// Half-open byte spans sorted by start, for overlap queries in logarithmic time.
struct Spans {
    spans: Vec<(usize, usize)>,
    longest: usize,
}

impl Spans {
    fn new(spans: impl Iterator<Item = (usize, usize)>) -> Spans {
        let mut spans: Vec<(usize, usize)> = spans.collect();
        spans.sort_unstable();
        let longest = spans.iter().map(|(s, e)| e - s).max().unwrap_or(0);
        Spans { spans, longest }
    }

    /// Some span overlaps `start..end`.
    fn overlaps(&self, start: usize, end: usize) -> bool {
        let first = self.spans.partition_point(|&(s, _)| s + self.longest <= start);
        self.spans[first..].iter().take_while(|&&(s, _)| s < end).any(|&(_, e)| start < e)
    }

    /// Some span lies wholly inside `from..to`.
    fn inside(&self, from: usize, to: usize) -> bool {
        let first = self.spans.partition_point(|&(s, _)| s < from);
        self.spans[first..].iter().take_while(|&&(s, _)| s < to).any(|&(_, e)| e <= to)
    }
}

/// Rule 4: walk back from each negatable hit over the modifiers right before it. Returns the
/// context words (`needs=degree`) that nothing licensed, as (start, entry): they do not count.
fn apply_modifiers(text: &str, hits: &mut [Hit], needs_degree: &[bool]) -> Vec<(usize, EntryId)> {
    let mut unlicensed = Vec::new();
    let mut modifiers: Vec<Hit> = hits
        .iter()
        .filter(|h| h.category.is_modifier() && !matches!(h.effect, Effect::Excepted(_)))
        .filter(|h| !(h.category == Category::Negation && a_not_a(text, h)))
        .cloned()
        .collect();
    modifiers.sort_by_key(|m| (m.end, std::cmp::Reverse(m.start)));
    let targets = Spans::new(
        hits.iter()
            .filter(|h| h.category.is_negatable() && !matches!(h.effect, Effect::Excepted(_)))
            .map(|h| (h.start, h.end)),
    );
    // At most MAX_MODIFIER_GAP characters of at most 4 bytes each separate a modifier from
    // what it modifies, so only modifiers ending in that window are looked at.
    let window = MAX_MODIFIER_GAP * 4;
    for hit in hits.iter_mut() {
        if !hit.category.is_negatable() || matches!(hit.effect, Effect::Excepted(_)) {
            continue;
        }
        // The chain, nearest modifier first (at most MAX_CHAIN: no allocation per hit).
        let mut links: [&Hit; MAX_CHAIN] = [&*hit; MAX_CHAIN];
        let mut length = 0;
        let mut left = hit.start;
        for _ in 0..MAX_CHAIN {
            let upto = modifiers.partition_point(|m| m.end <= left);
            // The nearest modifier (latest end, then the longest) that may modify this word;
            // a modifier belongs to the nearest word: 不太软但也挺舒服 does not negate 舒服.
            let conduct = hit.category.is_conduct();
            let Some(modifier) =
                modifiers[..upto].iter().rev().take_while(|m| m.end + window >= left).find(|m| {
                    let gap = &text[m.end..left];
                    same_clause_nearby(gap)
                        && !targets.inside(m.end, left)
                        && (!conduct
                            || (m.category == Category::Negation && only_function_words(gap)))
                })
            else {
                break;
            };
            links[length] = modifier;
            length += 1;
            left = modifier.start;
        }
        let chain = &links[..length];
        let negations = chain.iter().filter(|m| m.category == Category::Negation).count();
        if needs_degree[hit.entry as usize]
            && !chain.iter().any(|m| m.category == Category::Degree)
            && !text[hit.end..].starts_with('了')
        {
            unlicensed.push((hit.start, hit.entry));
            continue;
        }
        let mut weight = u64::from(hit.weight_milli);
        let mut softened = false;
        for (i, modifier) in chain.iter().enumerate() {
            let negated_further_out =
                chain[i + 1..].iter().any(|m| m.category == Category::Negation);
            match modifier.category {
                // A negation's weight scales what it negates (不太 | w=0.5: mildly).
                Category::Negation => weight = weight * u64::from(modifier.weight_milli) / 1000,
                // A negated degree is mild: 不是很满意 is weaker than 不满意, not stronger.
                _ if negated_further_out => softened = true,
                _ => weight = weight * u64::from(modifier.weight_milli) / 1000,
            }
        }
        if softened && negations % 2 == 1 {
            weight = weight * NEGATED_DEGREE_MILLI / 1000;
        }
        hit.weight_milli = weight.min(u64::from(u32::MAX)) as u32;
        hit.effect = match negations {
            0 => Effect::Counted,
            n if n % 2 == 1 => Effect::Negated,
            _ => Effect::DoubleNegated,
        };
    }
    unlicensed
}

/// Between a prohibition and the conduct it forbids only these may stand (不会让您加微信,
/// 禁止私下交易): a content word ends the prohibition's reach (你别管了加我微信 still invites).
fn only_function_words(gap: &str) -> bool {
    // Pronouns, adverbs, prepositions, the "anyone" a warning names (不要和任何人…), and the
    // believing a warning forbids (请勿相信加微信退款的信息).
    const FUNCTION: [&str; 26] = [
        "相信",
        "轻信",
        "听信",
        "理会",
        "让",
        "您",
        "你",
        "私下",
        "私自",
        "随意",
        "随便",
        "轻易",
        "主动",
        "在",
        "再",
        "去",
        "和",
        "跟",
        "与",
        "向",
        "任何人",
        "任何",
        "他人",
        "其他人",
        "陌生人",
        "第三方",
    ];
    let mut rest = gap;
    while !rest.is_empty() {
        match FUNCTION.iter().find(|w| rest.starts_with(*w)) {
            Some(w) => rest = &rest[w.len()..],
            None => return false,
        }
    }
    true
}

/// What a negated degree leaves of a word's weight: 不是很好 is half of 好, negated.
const NEGATED_DEGREE_MILLI: u64 = 500;

/// The negation is the middle of an A-not-A question (好不好, 是不是, 有没有), which asks and
/// negates nothing. The negation entry may be longer than 不 or 没 when the lexicon holds the
/// negated verb as one negation (不能, 不会, 不是, 不要, 没有): 能不能这么坑 asks nothing of
/// 能, it complains about 坑.
fn a_not_a(text: &str, negation: &Hit) -> bool {
    let word = &text[negation.start..negation.end];
    let Some(first @ ('不' | '没')) = word.chars().next() else {
        return false;
    };
    let before = text[..negation.start].chars().next_back();
    let after = text[negation.start + first.len_utf8()..].chars().next();
    before.is_some() && before == after
}

/// Rule 5: a question is not praise. 这个好用吗？ asks; it does not say 好用. Negative words
/// in questions still count (怎么这么慢？ is a complaint).
fn drop_praise_in_questions(text: &str, hits: &mut Vec<Hit>) {
    let praise = |h: &Hit| h.category == Category::Positive && h.effect == Effect::Counted;
    // Most messages hold no praise: keep the clause scan off them.
    if !hits.iter().any(praise) || !text.contains(['?', '吗', '不', '没']) {
        return;
    }
    let clause_ends: Vec<usize> =
        text.match_indices(['。', '!', '?', ',', ';', '\n']).map(|(at, _)| at).collect();
    hits.retain(|h| !(praise(h) && in_question(text, &clause_ends, h.end, true)));
}

/// Rule 6: a condition is not a verdict. 如果坏了怎么办 asks what happens if it breaks; it
/// does not say it broke, and 如果好用再买 does not praise. A sentiment hit whose clause opens
/// with a conditional word before it does not count.
fn drop_hypotheticals(text: &str, hits: &mut Vec<Hit>) {
    const CONDITIONALS: [&str; 7] = ["如果", "假如", "假设", "万一", "倘若", "如若", "若是"];
    let sentiment = |h: &Hit| matches!(h.category, Category::Positive | Category::Negative);
    // Seven substring scans only where a sentiment hit could be affected.
    if !hits.iter().any(sentiment) || !CONDITIONALS.iter().any(|c| text.contains(c)) {
        return;
    }
    hits.retain(|h| {
        let sentiment = sentiment(h);
        let clause_start = text[..h.start]
            .rfind(['。', '!', '?', ',', ';', '\n'])
            .map_or(0, |at| at + text[at..].chars().next().map_or(0, char::len_utf8));
        !(sentiment && CONDITIONALS.iter().any(|c| text[clause_start..h.start].contains(c)))
    });
}

/// The clause holding byte `at` of `text` is a question (see [`in_question`]): for scoring,
/// which knows who is speaking (an agent asking 您是没收到吗 is not negative wording).
pub fn asks(text: &str, at: usize) -> bool {
    if !text.contains(['?', '吗', '不', '没']) {
        return false;
    }
    let clause_ends: Vec<usize> =
        text.match_indices(['。', '!', '?', ',', ';', '\n']).map(|(at, _)| at).collect();
    in_question(text, &clause_ends, at, false)
}

/// The clause holding byte `at` ends in a question mark, or in 吗 right before its end, or
/// asks by an A-not-A form (好不好, 是不是). With `spaces`, a space with a word after it ends
/// a clause too, as reviewers punctuate with spaces: in 梳子很好用 特别贴心 ?? the praise is
/// its own clause and the ?? at the end asks nothing of it (好用 ? still asks). Praise is
/// judged so; an agent's question is not (您是没收到吗 亲 still asks: the agent's spaces
/// set off particles and forms of address, not clauses).
fn in_question(text: &str, clause_ends: &[usize], at: usize, spaces: bool) -> bool {
    let next = clause_ends.partition_point(|&end| end < at);
    let end = clause_ends.get(next).copied().unwrap_or(text.len());
    let start = match next.checked_sub(1).map(|i| clause_ends[i]) {
        None => 0,
        Some(mark) => mark + text[mark..].chars().next().map_or(0, char::len_utf8),
    };
    // The clause ends at the first space after `at` with a word after it (a space before the
    // closing ? or 吗 is padding: 好用 ?), and starts after the last space before `at`.
    let word_after = |from: usize| {
        text[from..end]
            .trim_start_matches([' ', '\u{3000}'])
            .starts_with(|c: char| c.is_alphanumeric() && !matches!(c, '吗' | '呢' | '啊' | '呀'))
    };
    let mut start = start;
    if spaces {
        if let Some(space) = text[at..end].find([' ', '\u{3000}']).map(|i| at + i) {
            if word_after(space) {
                return text[at..space].trim_end_matches(['啊', '呀']).ends_with('吗');
            }
        }
        start = text[start..at].rfind([' ', '\u{3000}']).map_or(start, |i| start + i + 1);
    }
    let clause = text[at..end].trim_end_matches(['啊', '呀', ' ']);
    text[end..].starts_with('?') || clause.ends_with('吗') || asks_a_not_a(&text[start..end])
}

fn asks_a_not_a(clause: &str) -> bool {
    let mut chars = clause.chars();
    let (mut a, mut b) = (chars.next(), chars.next());
    for c in chars {
        if matches!(b, Some('不' | '没')) && a == Some(c) && !c.is_ascii() {
            return true;
        }
        (a, b) = (b, Some(c));
    }
    false
}

/// The gap between a modifier and its word is short and inside one clause: it holds only
/// words in the sense of Unicode's word boundaries (UAX #29, `unicode-segmentation`), so any
/// punctuation mark or space, in any script, ends the clause.
///
/// A conjunction in the gap starts a new clause too: in 没有到货但是没有办法 the first 没有
/// belongs to 到货, not to what follows 但是.
fn same_clause_nearby(gap: &str) -> bool {
    const CONJUNCTIONS: [&str; 7] = ["但", "却", "可是", "不过", "所以", "因为", "然后"];
    gap.chars().count() <= MAX_MODIFIER_GAP
        && gap.unicode_words().map(str::len).sum::<usize>() == gap.len()
        && !(gap.len() >= 3 && CONJUNCTIONS.iter().any(|c| gap.contains(c)))
}

mod warnings;
use warnings::cancel_warnings;
pub use warnings::Frames;

#[cfg(test)]
mod tests;
