//! Stage 4 — tokenizing. The only file that touches jieba-rs. Takes normalized message text,
//! yields the token boundaries the matcher checks hits against and the number of word tokens
//! (punctuation and spaces are not words) that per-100-token rates divide by. Never sees
//! lexicons as such: the caller may hand it extra dictionary words (the lexicon's phrases), so
//! that jieba's HMM does not cut an unknown phrase such as 加微信 into 加微 | 信.

use jieba_rs::Jieba;

/// jieba's default dictionary and HMM model: about 0.3 s and 40 MB to build, so one is built
/// per run and shared by reference across workers (`Jieba` is `Send + Sync`).
pub struct Tokenizer {
    jieba: Jieba,
}

/// One message's tokens, as byte offsets into the normalized text.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    /// Sorted byte offsets where a token starts or ends (includes 0 and the text length).
    boundaries: Vec<u32>,
    /// Tokens that hold at least one letter, digit or ideograph.
    pub words: u32,
}

impl Tokens {
    pub fn is_boundary(&self, byte: usize) -> bool {
        self.boundaries.binary_search(&(byte as u32)).is_ok()
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

    pub fn tokenize(&self, text: &str) -> Tokens {
        let mut tokens = Tokens { boundaries: Vec::with_capacity(text.len() / 2 + 2), words: 0 };
        tokens.boundaries.push(0);
        for token in self.jieba.cut(text, true) {
            tokens.boundaries.push(token.byte_end as u32);
            if token.word.chars().any(char::is_alphanumeric) {
                tokens.words += 1;
            }
        }
        tokens
    }

    /// The words themselves, for `lexicon check` and tests; the audit needs only boundaries.
    pub fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.jieba.cut(text, true).into_iter().map(|t| t.word).collect()
    }
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
        let mut at = 0;
        for word in &words {
            assert!(tokens.is_boundary(at), "{words:?}: {at}");
            at += word.len();
        }
        assert!(tokens.is_boundary(text.len()));
        // 好的 must not start inside 不好.
        assert!(!tokens.is_boundary("不".len()), "{words:?}");
    }

    #[test]
    fn punctuation_is_not_a_word() {
        let tokens = Tokenizer::new().tokenize("您好，亲！");
        assert_eq!(tokens.words, 2);
    }
}
