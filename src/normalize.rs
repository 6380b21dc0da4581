//! Stage 3 — normalization for matching. Takes a message's original text, yields the text the
//! tokenizer and matcher see: NFKC (full-width letters, digits and punctuation become ASCII),
//! Latin lower-cased, traditional Chinese turned simplified, and **invisible characters
//! dropped** so they cannot split a phrase or a number:
//! - every format character (general category Cf: zero-width space and joiners, soft hyphen,
//!   word joiner, BOM, bidi controls, tag characters, …);
//! - the other Default_Ignorable_Code_Point characters (Unicode DerivedCoreProperties), a short
//!   fixed list: combining grapheme joiner U+034F, Hangul fillers U+115F, U+1160, U+3164 and
//!   U+FFA0, Khmer inherent vowels U+17B4–17B5, Mongolian variation selectors U+180B–180D and
//!   U+180F, variation selectors U+FE00–FE0F and U+E0100–E01EF, and the unassigned code points
//!   reserved as ignorable (U+2065, U+FFF0–FFF8, U+E0000–E0FFF);
//! - a combining mark (Mn, Mc, Me) that follows a Han character or an ASCII letter or digit
//!   (after NFKC, through any marks dropped before it). NFKC keeps a mark after Han (there is
//!   nothing to compose with), and Chinese never uses one; a Latin letter that really carries an
//!   accent arrives precomposed (é is one character) and keeps it. Marks anywhere else stay:
//!   they spell Thai, Devanagari, Arabic, and dropping every nonspacing mark would break those.
//!
//! Evidence must point at the original text, so when normalization changes the number of
//! characters (an expansion such as ㈱ → (株), or a dropped character) the result carries a map
//! back to original character positions, and remembers where it dropped characters so evidence
//! can say the original was disguised. Plain ASCII, CJK ideographs, full-width ASCII and common
//! CJK punctuation take a fast path that never looks a character's properties up.
//!
//! Traditional → simplified is OpenCC's t2s character table (`t2s.rs`, generated), one
//! character to one, so it never disturbs the map and a phrase normalizes the same alone (a
//! lexicon entry) as inside a message. It never changes simplified text: the table holds only
//! characters OpenCC converts, minus the few OpenCC itself keeps in some simplified words
//! (乾隆, 哪吒, 於), which stay as they are also in traditional text (關於 → 关於). OpenCC's
//! phrase table is not used: its context would make a phrase's normalized form depend on its
//! neighbours.

#[rustfmt::skip] // generated
mod t2s;

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory as Gc, UnicodeGeneralCategory};

/// Normalized text plus the way back to the original.
#[derive(Debug, Clone, PartialEq)]
pub struct NormText {
    pub text: String,
    /// `orig_char[i]` is the original character index of normalized character `i`, with one
    /// extra element for the end. `None` when both texts have the same number of characters,
    /// the overwhelmingly common case, where positions map one to one.
    orig_char: Option<Vec<u32>>,
    /// Original character indices of the invisible characters dropped, ascending. Empty for
    /// nearly every message.
    dropped: Vec<u32>,
}

impl NormText {
    pub fn new(original: &str) -> NormText {
        if original.is_ascii() && crate::shortcuts::enabled() {
            // Each ASCII character is itself lower-cased (`push_normalized`'s first case).
            let text = original.to_ascii_lowercase();
            return NormText { text, orig_char: None, dropped: Vec::new() };
        }
        let mut text = String::with_capacity(original.len());
        let mut orig_char = Vec::new();
        let mut dropped = Vec::new();
        let mut one_to_one = true;
        for (index, c) in original.chars().enumerate() {
            let produced = push_normalized(c, &mut text);
            if produced == 0 {
                dropped.push(index as u32);
            }
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
            return NormText { text, orig_char: None, dropped };
        }
        orig_char.push(original.chars().count() as u32);
        NormText { text, orig_char: Some(orig_char), dropped }
    }

    /// Maps a half-open span of normalized characters to the original characters it came from.
    /// Characters dropped inside the span belong to it, so the original span covers the whole
    /// disguised text.
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

    /// The original character index that normalized character `index` came from.
    pub fn original_index(&self, index: usize) -> usize {
        self.orig_char.as_ref().map_or(index, |map| map[index] as usize)
    }

    /// Whether normalization dropped an invisible character inside the half-open span of
    /// original characters: the text there was disguised.
    pub fn dropped_within(&self, orig_start: usize, orig_end: usize) -> bool {
        let first = self.dropped.partition_point(|&d| (d as usize) < orig_start);
        self.dropped.get(first).is_some_and(|&d| (d as usize) < orig_end)
    }
}

/// Normalizes a lexicon entry exactly as message text is normalized.
pub fn for_matching(phrase: &str) -> String {
    NormText::new(phrase.trim()).text
}

/// Appends the normalized form of `c` and says how many characters that was (0 when dropped).
fn push_normalized(c: char, out: &mut String) -> usize {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return 1;
    }
    if is_plain_cjk(c) {
        // CJK ideographs are already in NFKC form; skip the decomposition machinery.
        out.push(simplified(c));
        return 1;
    }
    if let '\u{FF01}'..='\u{FF5E}' = c {
        // Full-width ASCII (，？！ and the like, most of what Chinese text holds beyond CJK):
        // NFKC maps each to the ASCII character 0xFEE0 below it.
        out.push(char::from((c as u32 - 0xFEE0) as u8).to_ascii_lowercase());
        return 1;
    }
    if is_plain_cjk_punctuation(c) {
        out.push(c);
        return 1;
    }
    let category = c.general_category();
    if category == Gc::Format || is_other_default_ignorable(c) {
        return 0;
    }
    let mark = matches!(category, Gc::NonspacingMark | Gc::SpacingMark | Gc::EnclosingMark);
    if mark && out.chars().next_back().is_some_and(takes_no_marks) {
        return 0;
    }
    let before = out.len();
    for n in std::iter::once(c).nfkc() {
        out.extend(n.to_lowercase().map(simplified));
    }
    out[before..].chars().count()
}

/// The Default_Ignorable_Code_Point characters that are not format characters, as listed in
/// Unicode 16's DerivedCoreProperties.txt (the Cf ones come from the general category).
fn is_other_default_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{034F}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180D}'
            | '\u{180F}'
            | '\u{2065}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// A normalized character after which a combining mark can only be a disguise.
fn takes_no_marks(c: char) -> bool {
    c.is_ascii_alphanumeric() || is_han(c)
}

/// Han ideographs: the unified blocks, their extensions (planes 2 and 3) and the
/// compatibility ideographs.
fn is_han(c: char) -> bool {
    is_plain_cjk(c)
        || matches!(c, '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3FFFF}' | '\u{3007}' | '\u{3005}')
}

/// OpenCC's simplified form of a traditional or variant character (後 → 后, 溼 → 湿); every
/// other character, simplified text included, is itself.
fn simplified(c: char) -> char {
    let code = c as u32;
    if (TABLE_BITS_START..TABLE_BITS_END).contains(&code) {
        let bit = (code - TABLE_BITS_START) as usize;
        if TABLE_BITS[bit / 64] & (1 << (bit % 64)) == 0 {
            return c; // nearly every ideograph: one load from a 3.4 KB bitmap
        }
    }
    let table = &t2s::T2S;
    table.binary_search_by_key(&c, |&(traditional, _)| traditional).map_or(c, |at| table[at].1)
}

/// Which characters of the plain ideograph blocks (U+3400 to U+9FFF) the table holds, one bit
/// each, so that simplified text never reaches the binary search.
const TABLE_BITS_START: u32 = 0x3400;
const TABLE_BITS_END: u32 = 0xA000;
static TABLE_BITS: [u64; (TABLE_BITS_END - TABLE_BITS_START) as usize / 64] = table_bits();

const fn table_bits() -> [u64; (TABLE_BITS_END - TABLE_BITS_START) as usize / 64] {
    let mut bits = [0; (TABLE_BITS_END - TABLE_BITS_START) as usize / 64];
    let mut i = 0;
    while i < t2s::T2S.len() {
        let code = t2s::T2S[i].0 as u32;
        if TABLE_BITS_START <= code && code < TABLE_BITS_END {
            let bit = (code - TABLE_BITS_START) as usize;
            bits[bit / 64] |= 1 << (bit % 64);
        }
        i += 1;
    }
    bits
}

fn is_plain_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// 、。〃, the CJK brackets 〈〉《》「」『』【】〔〕〖〗〘〙〚〛, 〜〝〞〟 and curly quotes ‘’“”: NFKC
/// leaves them alone, and they are neither format characters nor marks.
fn is_plain_cjk_punctuation(c: char) -> bool {
    matches!(
        c,
        '\u{3001}'..='\u{3003}'
            | '\u{3008}'..='\u{3011}'
            | '\u{3014}'..='\u{301F}'
            | '\u{2018}'..='\u{2019}'
            | '\u{201C}'..='\u{201D}'
    )
}

#[cfg(test)]
mod tests {
    use super::t2s::{KEPT, T2S};
    use super::*;

    #[test]
    fn normalizes_width_case_and_script() {
        let cases = [
            ("ＳＫＵ号１２３", "sku号123"),
            ("非常滿意，態度很好！", "非常满意,态度很好!"),
            ("謝謝您的耐心", "谢谢您的耐心"),
            ("加ＶＸ聊", "加vx聊"),
            ("plain 文本", "plain 文本"),
            ("“好”、「行」。", "“好”、「行」。"),
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
        assert!(!norm.dropped_within(0, 2));
    }

    // Issue 8, item 7: each class of invisible character, inside a forbidden phrase, is
    // dropped, and the phrase's span in the original covers it.
    const INVISIBLE: &[(&str, char)] = &[
        ("zero-width space", '\u{200B}'),
        ("zero-width non-joiner", '\u{200C}'),
        ("zero-width joiner", '\u{200D}'),
        ("soft hyphen", '\u{00AD}'),
        ("word joiner", '\u{2060}'),
        ("variation selector 16", '\u{FE0F}'),
        ("variation selector 1", '\u{FE00}'),
        ("ideographic variation selector", '\u{E0100}'),
        ("combining grapheme joiner", '\u{034F}'),
        ("byte order mark", '\u{FEFF}'),
        ("left-to-right mark", '\u{200E}'),
        ("right-to-left override", '\u{202E}'),
        ("first strong isolate", '\u{2068}'),
        ("arabic letter mark", '\u{061C}'),
        ("mongolian vowel separator", '\u{180E}'),
        ("tag letter a", '\u{E0061}'),
        ("cancel tag", '\u{E007F}'),
        ("hangul filler", '\u{3164}'),
        ("half-width hangul filler", '\u{FFA0}'),
        ("invisible times", '\u{2062}'),
        ("combining acute on Han", '\u{0301}'),
        ("combining enclosing circle on Han", '\u{20DD}'),
        ("combining kana voicing mark on Han", '\u{3099}'),
    ];

    #[test]
    fn invisible_characters_are_dropped_and_spans_cover_them() {
        for &(name, c) in INVISIBLE {
            let original = format!("你{c}自己看吧");
            let norm = NormText::new(&original);
            assert_eq!(norm.text, "你自己看吧", "{name}");
            // 你自己看 is normalized characters 0..4; in the original it is 0..5.
            assert_eq!(norm.original_span(0, 4), (0, 5), "{name}");
            assert_eq!(norm.original_span(4, 5), (5, 6), "{name}");
            assert!(norm.dropped_within(0, 5), "{name}");
            assert!(!norm.dropped_within(2, 6), "{name}");
            assert_eq!(norm.original_index(1), 2, "{name}");
        }
    }

    #[test]
    fn combining_marks_stay_where_a_script_needs_them() {
        let cases = [
            ("thai tone mark", "ก\u{0E49}", "ก\u{0E49}"),
            ("devanagari vowel sign", "क\u{093F}", "क\u{093F}"),
            ("hebrew point", "ש\u{05B8}", "ש\u{05B8}"),
            ("precomposed latin", "café", "café"),
            ("mark on a latin letter", "加v\u{0301}x", "加vx"),
            ("marks on a digit (keycap)", "1\u{FE0F}\u{20E3}3", "13"),
            ("a chain of marks on Han", "微\u{0301}\u{0302}\u{0303}信", "微信"),
            ("mark after punctuation", "，\u{0301}", ",\u{0301}"),
        ];
        for (name, input, want) in cases {
            assert_eq!(NormText::new(input).text, want, "case {name:?}");
        }
    }

    #[test]
    fn lexicon_entries_lose_invisible_characters_too() {
        assert_eq!(for_matching("加\u{200B}微信"), "加微信");
    }

    // Issue 9: simplified text stays as it is; traditional and variant characters become
    // OpenCC's simplified form.
    const SCRIPT: &[(&str, &str, &str)] = &[
        ("simplified 呵呵 (fast2s made it 嗬嗬)", "呵呵", "呵呵"),
        ("simplified 嗬 stays too", "嗬嗬", "嗬嗬"),
        ("simplified sentence", "您好，请问有什么可以帮您", "您好,请问有什么可以帮您"),
        ("traditional 謝謝", "謝謝", "谢谢"),
        ("traditional 滿意", "滿意", "满意"),
        ("traditional 後", "以後再說", "以后再说"),
        ("traditional 麼", "什麼", "什么"),
        ("traditional 裡 (variant of 裏)", "這裡", "这里"),
        ("variant 溼", "溼透", "湿透"),
        ("traditional 頭髮", "頭髮", "头发"),
        ("1 → many takes OpenCC's default (開 → 开 𫔭, 線 → 线 缐)", "開線", "开线"),
        ("OpenCC keeps 乾 in 乾隆", "乾隆", "乾隆"),
        ("OpenCC keeps 吒 in 哪吒", "哪吒", "哪吒"),
        ("OpenCC keeps 薹 in 蒜薹", "蒜薹", "蒜薹"),
        ("a compatibility ideograph: NFKC, then the table", "\u{F907}", "龟"),
    ];

    #[test]
    fn simplified_stays_and_traditional_becomes_simplified() {
        for &(name, input, want) in SCRIPT {
            assert_eq!(NormText::new(input).text, want, "{name}");
        }
    }

    /// Every ideograph (both BMP blocks and planes 2 and 3, less the compatibility ideographs
    /// that NFKC maps to unified ones) normalizes alone to what OpenCC's own t2s converter
    /// makes of it, except the few OpenCC keeps in some simplified words, which stay: the
    /// table is OpenCC's, and no other ideograph changes.
    #[test]
    fn every_ideograph_follows_opencc_but_the_kept() {
        use ferrous_opencc::{config::BuiltinConfig, OpenCC};
        let opencc = OpenCC::from_config(BuiltinConfig::T2s).expect("OpenCC t2s");
        let ideographs: Vec<char> =
            [0x3400..=0x4DBF, 0x4E00..=0x9FFF, 0x20000..=0x2F7FF, 0x2FA20..=0x323AF]
                .into_iter()
                .flatten()
                .filter_map(char::from_u32)
                .collect();
        // One call: a newline never occurs inside an OpenCC phrase, so each line converts alone.
        let lines: String = ideographs.iter().map(|c| format!("{c}\n")).collect();
        let converted = opencc.convert(&lines);
        let converted: Vec<&str> = converted.lines().collect();
        assert_eq!(converted.len(), ideographs.len());
        let mut changed = 0;
        for (&c, opencc_form) in ideographs.iter().zip(converted) {
            let ours = NormText::new(&c.to_string()).text;
            if KEPT.contains(&c) {
                assert_eq!(ours, c.to_string(), "{c} is kept");
                assert_ne!(opencc_form, ours, "{c}: OpenCC converts it by default");
            } else {
                assert_eq!(ours, opencc_form, "{c}");
            }
            changed += usize::from(ours != c.to_string());
        }
        assert_eq!(changed, T2S.len());
    }

    /// Random mixes of traditional, simplified, ASCII, full-width, invisible and expanding
    /// characters: every normalized character and every span maps back to the original
    /// characters that produced it, with the expected positions worked out while building the
    /// text, independently of `NormText`.
    #[test]
    fn spans_map_back_exactly_on_random_traditional_text() {
        use rand::{Rng, SeedableRng};
        // (original character, how many characters it normalizes to)
        let pool = [
            ('後', 1),
            ('謝', 1),
            ('滿', 1),
            ('溼', 1),
            ('乾', 1),
            ('𪘯', 1), // plane 2, traditional: OpenCC makes it 𪚐
            ('𪚐', 1),
            ('呵', 1),
            ('好', 1),
            ('A', 1),
            ('Ｑ', 1),
            ('，', 1),
            ('\u{200B}', 0),
            ('\u{FE0F}', 0),
            ('㈱', 3),
        ];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        for _ in 0..500 {
            let len = rng.random_range(1..40);
            let mut original = String::new();
            let mut expected_origin = Vec::new(); // original index of each normalized char
            for index in 0..len {
                let (c, produces) = pool[rng.random_range(0..pool.len())];
                original.push(c);
                expected_origin.extend(std::iter::repeat_n(index, produces));
            }
            let norm = NormText::new(&original);
            let normalized: Vec<char> = norm.text.chars().collect();
            let originals: Vec<char> = original.chars().collect();
            assert_eq!(normalized.len(), expected_origin.len(), "{original}");
            for (i, &origin) in expected_origin.iter().enumerate() {
                assert_eq!(norm.original_index(i), origin, "{original}: char {i}");
            }
            for _ in 0..20 {
                let start = rng.random_range(0..normalized.len().max(1));
                let end = rng.random_range(start..=normalized.len());
                if end == start {
                    continue;
                }
                let (orig_start, orig_end) = norm.original_span(start, end);
                assert_eq!(orig_start, expected_origin[start], "{original}");
                assert_eq!(orig_end, expected_origin[end - 1] + 1, "{original}");
                // The original span normalizes to text that holds the hit.
                let back: String = originals[orig_start..orig_end].iter().collect();
                let hit: String = normalized[start..end].iter().collect();
                assert!(NormText::new(&back).text.contains(&hit), "{original}: {back} ⊉ {hit}");
            }
        }
    }
}
