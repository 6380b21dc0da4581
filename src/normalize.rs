//! Stage 3 — normalization for matching. Takes a message's original text, yields the text the
//! tokenizer and matcher see: NFKC (full-width letters, digits and punctuation become ASCII),
//! Latin lower-cased, traditional Chinese turned simplified (`fast2s`, character by character).
//! Evidence must point at the original text, so when normalization changes the number of
//! characters the result carries a map back to original character positions.

use unicode_normalization::UnicodeNormalization;

/// Normalized text plus the way back to the original.
#[derive(Debug, Clone, PartialEq)]
pub struct NormText {
    pub text: String,
    /// `orig_char[i]` is the original character index of normalized character `i`, with one
    /// extra element for the end. `None` when both texts have the same number of characters,
    /// the overwhelmingly common case, where positions map one to one.
    orig_char: Option<Vec<u32>>,
}

impl NormText {
    pub fn new(original: &str) -> NormText {
        let mut text = String::with_capacity(original.len());
        let mut orig_char = Vec::new();
        let mut one_to_one = true;
        for (index, c) in original.chars().enumerate() {
            let before = text.len();
            push_normalized(c, &mut text);
            let produced = text[before..].chars().count();
            if produced != 1 && one_to_one {
                one_to_one = false;
                // Backfill the identity map for the characters already seen.
                orig_char = (0..index as u32).collect();
            }
            if !one_to_one {
                orig_char.extend(std::iter::repeat_n(index as u32, produced));
            }
        }
        if one_to_one {
            return NormText { text: simplify(text), orig_char: None };
        }
        orig_char.push(original.chars().count() as u32);
        NormText { text: simplify(text), orig_char: Some(orig_char) }
    }

    /// Maps a half-open span of normalized characters to the original characters it came from.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        match &self.orig_char {
            None => (start, end),
            Some(map) => {
                let orig_start = map[start] as usize;
                // The span ends after the original character that produced its last character.
                let orig_end = if end > start { map[end - 1] as usize + 1 } else { orig_start };
                (orig_start, orig_end)
            }
        }
    }
}

/// Normalizes a lexicon entry exactly as message text is normalized.
pub fn for_matching(phrase: &str) -> String {
    NormText::new(phrase.trim()).text
}

fn push_normalized(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if is_plain_cjk(c) {
        // CJK ideographs are already in NFKC form; skip the decomposition machinery.
        out.push(c);
    } else {
        for n in std::iter::once(c).nfkc() {
            out.extend(n.to_lowercase());
        }
    }
}

/// Traditional → simplified is one character to one character, so it never disturbs the map.
fn simplify(text: String) -> String {
    if text.is_ascii() {
        text
    } else {
        fast2s::convert(&text)
    }
}

fn is_plain_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_width_case_and_script() {
        let cases = [
            ("ＳＫＵ号１２３", "sku号123"),
            ("非常滿意，態度很好！", "非常满意,态度很好!"),
            ("謝謝您的耐心", "谢谢您的耐心"),
            ("加ＶＸ聊", "加vx聊"),
            ("plain 文本", "plain 文本"),
        ];
        for (input, want) in cases {
            assert_eq!(NormText::new(input).text, want, "input {input:?}");
        }
    }

    #[test]
    fn spans_map_back_when_lengths_change() {
        // U+3231 ㈱ expands to three characters under NFKC.
        let norm = NormText::new("㈱差评");
        assert_eq!(norm.text, "(株)差评");
        let start = norm.text.chars().position(|c| c == '差').unwrap();
        assert_eq!(norm.original_span(start, start + 2), (1, 3));
        assert_eq!(norm.original_span(0, 3), (0, 1));
    }

    #[test]
    fn one_to_one_text_needs_no_map() {
        let norm = NormText::new("滿意");
        assert_eq!(norm.original_span(0, 2), (0, 2));
    }
}
