//! Stage 4 — tokenizing. The only file that touches jieba-rs. Takes normalized message text,
//! yields the token boundaries the matcher checks hits against and the number of word tokens
//! (punctuation and spaces are not words) that per-100-token rates divide by. Never sees
//! lexicons as such: the caller may hand it extra dictionary words (the lexicon's phrases), so
//! that jieba's HMM does not cut an unknown phrase such as 加微信 into 加微 | 信.

use std::cell::{OnceCell, RefCell};
use std::sync::LazyLock;

use jieba_rs::Jieba;
use regex::Regex;

/// Platform emoticon codes are one token each, never words: `[呵呵]`, `[微笑]` (bracketed
/// names, also masks such as `[订单x]`), `/:^_^` (QQ-style), `#e-s36` (JD's, lower-cased by
/// normalization). A lexicon decides what a code means (`[呵呵]` may be listed on its own);
/// the 呵呵 inside it never matches by accident.
static EMOTICON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[[^\[\]\s]{1,8}\]|/:[!-~&&[^/\s]]{1,6}|#e-[a-z]{0,2}[0-9]{1,4}")
        .expect("valid regex")
});

/// jieba's default dictionary and HMM model: about 0.3 s and 40 MB to build, so one is built
/// per run and shared by reference across workers (`Jieba` is `Send + Sync`).
pub struct Tokenizer {
    jieba: Jieba,
}

/// One message's tokens, as byte offsets into the normalized text. Cut when made
/// ([`Tokenizer::tokenize`]) or piece by piece as boundaries are asked for
/// ([`Tokenizer::tokenize_lazily`]); either way every answer is that of jieba's cut of the whole
/// text.
#[derive(Clone, Default)]
pub struct Tokens<'a> {
    cut: OnceCell<Cut>,
    /// What to cut on demand; `None` when cut when made (or for no text at all).
    source: Option<(&'a Tokenizer, &'a str)>,
    /// Lazily: the jieba blocks cut so far, by start, each with its tokens' end offsets.
    blocks: RefCell<Vec<(u32, Vec<u32>)>>,
    /// Lazily: the emoticon codes of the text, found on the first question.
    codes: OnceCell<Vec<(usize, usize)>>,
}

#[derive(Debug, Clone, Default)]
struct Cut {
    /// Sorted byte offsets where a token starts or ends (includes 0 and the text length).
    boundaries: Vec<u32>,
    /// Tokens that hold at least one letter, digit or ideograph.
    words: u32,
}

impl Tokens<'_> {
    fn cut(&self) -> &Cut {
        self.cut.get_or_init(|| match self.source {
            Some((tokenizer, text)) => tokenizer.cut(text),
            None => Cut::default(),
        })
    }

    pub fn is_boundary(&self, byte: usize) -> bool {
        match (self.cut.get(), self.source) {
            (None, Some((tokenizer, text))) => self.boundary_lazily(tokenizer, text, byte),
            _ => self.cut().boundaries.binary_search(&(byte as u32)).is_ok(),
        }
    }

    /// Tokens that hold at least one letter, digit or ideograph (cuts the whole text if not yet
    /// cut).
    pub fn words(&self) -> u32 {
        self.cut().words
    }

    /// How many of jieba's blocks have been cut (for tests of the lazy path); `None` once the
    /// whole text is.
    pub fn blocks_cut(&self) -> Option<usize> {
        self.cut.get().is_none().then(|| self.blocks.borrow().len())
    }

    /// [`Tokens::is_boundary`] without cutting the whole text. jieba-rs `cut` splits text into
    /// maximal runs of "Han" characters (its `is_han_default`: CJK ideographs, ASCII letters and
    /// digits, `+#&._%-`) and the runs between; it cuts each Han run on its own (dictionary and
    /// HMM see nothing outside it) and makes every other character one token, `\r\n` excepted.
    /// So an offset is a boundary when it starts or ends the text or a run, when it lies between
    /// two other characters but not inside `\r\n`, and, inside a Han run, when that run cut
    /// alone ends a token there. Emoticon codes are one token, as in [`Tokenizer::tokenize`].
    fn boundary_lazily(&self, tokenizer: &Tokenizer, text: &str, byte: usize) -> bool {
        if byte > text.len() || !text.is_char_boundary(byte) {
            return false;
        }
        if byte == 0 || byte == text.len() {
            return true;
        }
        let codes = self.codes.get_or_init(|| emoticons(text));
        if codes.iter().any(|&(start, end)| start < byte && byte < end) {
            return false;
        }
        let before = text[..byte].chars().next_back().expect("byte > 0");
        let after = text[byte..].chars().next().expect("byte < len");
        match (is_han_default(before), is_han_default(after)) {
            (false, false) => !(before == '\r' && after == '\n'),
            (true, true) => {
                let start = text[..byte]
                    .char_indices()
                    .rev()
                    .take_while(|&(_, c)| is_han_default(c))
                    .last()
                    .map_or(byte, |(at, _)| at);
                let mut blocks = self.blocks.borrow_mut();
                let at = match blocks.iter().position(|&(s, _)| s as usize == start) {
                    Some(at) => at,
                    None => {
                        let end = text[byte..]
                            .char_indices()
                            .find(|&(_, c)| !is_han_default(c))
                            .map_or(text.len(), |(at, _)| byte + at);
                        let ends = tokenizer.jieba.cut(&text[start..end], true);
                        let ends = ends.iter().map(|t| (start + t.byte_end) as u32).collect();
                        blocks.push((start as u32, ends));
                        blocks.len() - 1
                    }
                };
                blocks[at].1.binary_search(&(byte as u32)).is_ok()
            }
            _ => true,
        }
    }
}

/// jieba-rs 0.11's `is_han_default` (its `RE_HAN_DEFAULT` class): what a block it cuts as a
/// whole is made of. `tests::lazy_boundaries_equal_the_whole_cut` fails if a jieba-rs update
/// changes it.
fn is_han_default(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '&' | '.' | '_' | '%' | '-');
    }
    matches!(
        c,
        '\u{4E00}'..='\u{9FFF}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{20000}'..='\u{2A6DF}'
            | '\u{2A700}'..='\u{2B73F}'
            | '\u{2B740}'..='\u{2B81F}'
            | '\u{2B820}'..='\u{2CEAF}'
            | '\u{2CEB0}'..='\u{2EBEF}'
            | '\u{2F800}'..='\u{2FA1F}'
    )
}

impl std::fmt::Debug for Tokens<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("cut", &self.cut.get()).finish_non_exhaustive()
    }
}

impl Tokenizer {
    pub fn new() -> Tokenizer {
        Tokenizer { jieba: Jieba::new() }
    }

    /// jieba's dictionary plus `words`, each with the smallest frequency that keeps it whole
    /// (jieba's `suggest_freq`). Words already in the dictionary keep their frequency, and only
    /// all-Han words are added: jieba's dictionary applies inside runs of Han characters only.
    pub fn with_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Tokenizer {
        let mut jieba = Jieba::new();
        for word in words {
            let han = word.chars().all(|c| matches!(c, '\u{3400}'..='\u{9FFF}'));
            if han && word.chars().count() >= 2 && !jieba.has_word(word) {
                jieba.add_word(word, None, None);
            }
        }
        Tokenizer { jieba }
    }

    /// `text` cut now.
    pub fn tokenize<'a>(&'a self, text: &'a str) -> Tokens<'a> {
        Tokens { cut: OnceCell::from(self.cut(text)), ..Tokens::default() }
    }

    /// `text` cut only where a boundary is asked for: the matcher asks at a lexicon
    /// candidate's ends, so only the runs holding one are cut (a customer turn's word count is
    /// never used; asking for it cuts the whole text). The answers are [`Tokenizer::tokenize`]'s.
    pub fn tokenize_lazily<'a>(&'a self, text: &'a str) -> Tokens<'a> {
        Tokens { source: Some((self, text)), ..Tokens::default() }
    }

    fn cut(&self, text: &str) -> Cut {
        let mut cut = Cut { boundaries: Vec::with_capacity(text.len() / 2 + 2), words: 0 };
        cut.boundaries.push(0);
        let codes = emoticons(text);
        let inside = |at: usize| codes.iter().any(|&(start, end)| start < at && at < end);
        for token in self.jieba.cut(text, true) {
            if !inside(token.byte_end) {
                cut.boundaries.push(token.byte_end as u32);
            }
            let code = codes.iter().any(|&(s, e)| s <= token.byte_start && token.byte_end <= e);
            if !code && token.word.chars().any(is_alphanumeric) {
                cut.words += 1;
            }
        }
        cut
    }

    /// The words themselves, for `lexicon check` and tests; the audit needs only boundaries.
    pub fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.jieba.cut(text, true).into_iter().map(|t| t.word).collect()
    }
}

/// `char::is_alphanumeric`, answered without Unicode's tables for ASCII and the common
/// ideographs (every character of U+4E00..=U+9FA5 is a letter, category Lo, since Unicode 1.1).
fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    ('\u{4E00}'..='\u{9FA5}').contains(&c) || c.is_alphanumeric()
}

/// The byte spans of emoticon codes in `text` (usually none: a cheap check first).
fn emoticons(text: &str) -> Vec<(usize, usize)> {
    if !text.contains(['[', '/', '#']) {
        return Vec::new();
    }
    EMOTICON.find_iter(text).map(|m| (m.start(), m.end())).collect()
}

impl Default for Tokenizer {
    fn default() -> Self {
        Tokenizer::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_follow_jieba_words() {
        let tokenizer = Tokenizer::new();
        let text = "不好的体验";
        let words = tokenizer.words(text);
        let tokens = tokenizer.tokenize(text);
        let lazy = tokenizer.tokenize_lazily(text);
        assert_eq!(lazy.blocks_cut(), Some(0));
        let mut at = 0;
        for word in &words {
            assert!(tokens.is_boundary(at), "{words:?}: {at}");
            assert!(lazy.is_boundary(at), "{words:?}: {at}");
            at += word.len();
        }
        assert!(tokens.is_boundary(text.len()));
        // 好的 must not start inside 不好.
        assert!(!tokens.is_boundary("不".len()), "{words:?}");
        assert!(!lazy.is_boundary("不".len()), "{words:?}");
        // One block (the whole text is Han), cut once whatever the number of questions.
        assert_eq!(lazy.blocks_cut(), Some(1));
        assert_eq!((lazy.words(), tokens.words()), (3, 3), "{words:?}");
        assert_eq!(lazy.blocks_cut(), None);
    }

    #[test]
    fn emoticon_codes_are_one_token_and_no_word() {
        let tokenizer = Tokenizer::new();
        let cases = [
            ("好的[呵呵]", "[呵呵]"),
            ("您好/:^_^", "/:^_^"),
            ("稍等#e-s36", "#e-s36"),
            ("订单[订单x]已发", "[订单x]"),
        ];
        for (text, code) in cases {
            // The code adds no word: the text counts as many words without it.
            let words = tokenizer.tokenize(&text.replace(code, "")).words();
            let tokens = tokenizer.tokenize(text);
            let start = text.find(code).unwrap();
            let end = start + code.len();
            assert!(tokens.is_boundary(start) && tokens.is_boundary(end), "{text}");
            let interior = (start + 1..end).filter(|&at| tokens.is_boundary(at)).count();
            assert_eq!(interior, 0, "{text}: a boundary inside {code}");
            assert_eq!(tokens.words(), words, "{text}");
        }
    }

    /// Issue 9: normalization is the identity on jieba's dictionary, so normalized text still
    /// finds jieba's words, except the documented sections of the fixture: words written with
    /// traditional or variant characters (converted as OpenCC converts each character alone)
    /// and words with upper-case Latin letters (lower-cased). The fixture lists every word
    /// holding a character outside the plain ideograph blocks or one OpenCC converts; normalize's
    /// tests show no other ideograph changes.
    #[test]
    fn normalization_keeps_jiebas_dictionary_words() {
        use ferrous_opencc::{config::BuiltinConfig, OpenCC};
        use std::collections::BTreeMap;

        use crate::normalize::NormText;
        let opencc = OpenCC::from_config(BuiltinConfig::T2s).expect("OpenCC t2s");
        let tokenizer = Tokenizer::new();
        let fixture = include_str!("../tests/fixtures/jieba_words_touched.txt");
        let mut section = "";
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for line in fixture.lines().filter(|line| !line.starts_with("# ")) {
            if let Some(header) = line.strip_prefix("## ") {
                section = header.split(':').next().unwrap();
                continue;
            }
            let word = line;
            *counts.entry(section).or_default() += 1;
            assert!(tokenizer.jieba.has_word(word), "{word} is not jieba's");
            let normalized = NormText::new(word).text;
            if section == "identity" {
                assert_eq!(normalized, word, "{word} changed");
                continue;
            }
            assert_ne!(normalized, word, "{word} ({section}) did not change");
            assert_eq!(normalized.chars().count(), word.chars().count(), "{word}");
            for (c, n) in word.chars().zip(normalized.chars()) {
                let opencc_form = opencc.convert(&c.to_string());
                let allowed = n == c || n.to_string() == opencc_form || n == c.to_ascii_lowercase();
                assert!(allowed, "{word} → {normalized}: {c} became {n}");
            }
            let latin = word.chars().any(|c| c.is_ascii_uppercase());
            assert_eq!(section == "latin", latin, "{word} in {section}");
        }
        let want = [("identity", 516), ("latin", 65), ("traditional", 1663), ("variant", 122)];
        assert_eq!(counts, BTreeMap::from(want));
    }

    #[test]
    fn punctuation_is_not_a_word() {
        let tokenizer = Tokenizer::new();
        let tokens = tokenizer.tokenize("您好，亲！");
        assert_eq!(tokens.words(), 2);
    }

    #[test]
    fn the_fast_alphanumeric_test_agrees_with_unicode_on_every_character() {
        let differ: Vec<char> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| is_alphanumeric(c) != c.is_alphanumeric())
            .collect();
        assert_eq!(differ, Vec::<char>::new());
    }

    /// Issue 13: the lazy path answers every offset as the whole cut does, on texts mixing
    /// every class of character jieba splits on: Han runs of both dictionary and HMM words,
    /// ASCII words and the `+#&._%-` that join them, punctuation, spaces, `\r\n`, lone `\r`,
    /// emoticon codes, ideographs of the extension blocks, accents and invisible characters.
    #[test]
    fn lazy_boundaries_equal_the_whole_cut() {
        let pieces = [
            "好",
            "不",
            "满意",
            "加微信",
            "不好意思",
            "我们",
            "人工客服",
            "京东快递",
            "欧阳修理",
            "a",
            "B9",
            "sku",
            "1",
            "+",
            "#",
            "&",
            ".",
            "_",
            "%",
            "-",
            "，",
            "。",
            "！",
            " ",
            "\r",
            "\n",
            "\r\n",
            "\t",
            "[呵呵]",
            "/:^_^",
            "#e-s36",
            "[",
            "]",
            "/",
            ":",
            "𠀀",
            "㐀",
            "豈",
            "é",
            "\u{200B}",
            "~",
            "?",
            "ｓ",
            "①",
        ];
        let tokenizer = Tokenizer::new();
        let mut state = 7_u64;
        let mut next = |n: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as usize % n
        };
        let mut cut_blocks = 0;
        for _ in 0..3000 {
            let text: String = (0..1 + next(24)).map(|_| pieces[next(pieces.len())]).collect();
            let whole = tokenizer.tokenize(&text);
            let forward = tokenizer.tokenize_lazily(&text);
            let backward = tokenizer.tokenize_lazily(&text);
            for at in 0..=text.len() + 1 {
                let want = whole.is_boundary(at);
                assert_eq!(forward.is_boundary(at), want, "{text:?} at {at}");
                let back = text.len() + 1 - at;
                assert_eq!(
                    backward.is_boundary(back),
                    whole.is_boundary(back),
                    "{text:?} at {back}"
                );
            }
            cut_blocks += forward.blocks_cut().unwrap();
        }
        assert!(cut_blocks > 3000, "the Han-run path ran {cut_blocks} times");
    }
}
