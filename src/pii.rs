//! Personal data in message text: mainland mobile numbers, resident ID-card numbers (with their
//! check digit), bank-card numbers (Luhn) and e-mail addresses. Used by the compliance check
//! (an agent must never type a customer's unmasked data) and by report masking. Numbers that fail
//! their checksum are not personal data; already-masked numbers (138****1234) never match.
//!
//! [`find`] searches *normalized* text (`normalize::NormText`): full-width digits and letters,
//! ideographic and no-break spaces and full-width dashes are ASCII there, and invisible
//! characters are gone. [`mask_original`] maps the spans found back to the original text and
//! masks them there, so detection and masking can never disagree; every report shows message
//! text through it.
//!
//! **Numbers.** A *run* is digits with at most [`MAX_SEPARATORS`] separators (space, `-` or a
//! Unicode dash) between them, ending at a digit or at the `x` of an ID card; a run glued to a
//! Latin letter (`JD13812345678`, `13812345678abc`) is an identifier, never personal data. Its
//! *groups* are the digit stretches between separators. A number is a stretch of whole groups
//! that is valid for its kind and that a person would read as one number:
//! - the whole run (`1 3 8 1 2 3 4 5 6 7 8`, typed to dodge a filter, still is one);
//! - the whole run after a country code group `86`, `0086` (`+86 138 1234 5678`,
//!   `86-138-1234-5678`), or glued behind `+86` or `0086` (`+8613812345678`);
//! - a single group (`13812345678 2`: the phone, then a quantity);
//! - groups in the kind's customary shape: 3-4-4, 3-8 or 7-4 for a mobile, 6-8-4 for an ID
//!   card, fours (the last one 1–4 digits) for a bank card (`138 1234 5678 2`).
//!
//! An order number in fours (`2023 1381 2345 678`) is none of these, although it holds the digits
//! of a mobile, and is left alone. Runs are searched left to right, longest number first.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use crate::normalize::NormText;

pub use crate::vocab::PiiKind;

/// How each kind is masked.
impl PiiKind {
    /// How many digits a mask keeps visible at the start and at the end.
    fn kept(self) -> (usize, usize) {
        match self {
            PiiKind::Mobile => (3, 4),
            PiiKind::IdCard | PiiKind::BankCard => (4, 4),
            PiiKind::Email => (1, 0),
        }
    }
}

/// A piece of personal data, as byte offsets into the (normalized) text searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PiiSpan {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
}

/// Separators allowed between two digit groups: `138 - 1234 - 5678` has three.
pub const MAX_SEPARATORS: usize = 3;

/// No personal number is longer than a bank card.
const MAX_DIGITS: usize = 19;

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
        .expect("valid regex")
});

/// Every piece of personal data in normalized `text`, sorted by position, never overlapping.
pub fn find(text: &str) -> Vec<PiiSpan> {
    let mut found = Vec::new();
    if text.contains('@') {
        for m in EMAIL.find_iter(text) {
            found.push(PiiSpan { kind: PiiKind::Email, start: m.start(), end: m.end() });
        }
    }
    if let Some(first) = text.bytes().position(|b| b.is_ascii_digit()) {
        let mut numbers = Vec::new();
        let mut compact = String::with_capacity(MAX_DIGITS + 1);
        for_each_run(text, first, |run| numbers_in(text, run, &mut compact, &mut numbers));
        let inside_email = |n: &PiiSpan| found.iter().any(|e| e.start < n.end && n.start < e.end);
        numbers.retain(|n| !inside_email(n));
        found.extend(numbers);
        found.sort_by_key(|s| (s.start, s.end));
    }
    found
}

/// One run of digit groups: byte ranges of each group's digits (and an ID card's `x`), and
/// whether a `+` stands right before it.
#[derive(Default)]
struct Run {
    groups: Vec<(usize, usize)>,
    plus_before: bool,
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}')
}

/// Calls `f` with every run of `text`, from byte `at` on, that is not glued to a Latin letter.
fn for_each_run(text: &str, mut at: usize, mut f: impl FnMut(&Run)) {
    let bytes = text.as_bytes();
    let mut run = Run::default();
    while at < bytes.len() {
        if !bytes[at].is_ascii_digit() {
            at += 1;
            continue;
        }
        let glued_before = at > 0 && bytes[at - 1].is_ascii_alphabetic();
        run.groups.clear();
        run.plus_before = at > 0 && bytes[at - 1] == b'+';
        let mut end;
        loop {
            let start = at;
            while at < bytes.len() && bytes[at].is_ascii_digit() {
                at += 1;
            }
            if at < bytes.len() && matches!(bytes[at], b'x' | b'X') {
                // An ID card's check character ends the run.
                at += 1;
                run.groups.push((start, at));
                end = at;
                break;
            }
            run.groups.push((start, at));
            end = at;
            let mut next = at;
            let mut separators = 0;
            for c in text[at..].chars().take(MAX_SEPARATORS) {
                if !is_separator(c) {
                    break;
                }
                next += c.len_utf8();
                separators += 1;
            }
            if separators == 0 || next >= bytes.len() || !bytes[next].is_ascii_digit() {
                break;
            }
            at = next;
        }
        let glued_after = bytes.get(end).is_some_and(|b| b.is_ascii_alphanumeric());
        if !glued_before && !glued_after {
            f(&run);
        }
        at = end.max(at);
        // Skip the rest of a glued word so its digits do not start a run of their own.
        while at < bytes.len() && bytes[at].is_ascii_alphanumeric() {
            at += 1;
        }
    }
}

/// The numbers among a run's groups (see the module header for which stretches count).
/// `compact` is scratch space.
fn numbers_in(text: &str, run: &Run, compact: &mut String, found: &mut Vec<PiiSpan>) {
    let groups = &run.groups;
    if groups.iter().map(|g| g.1 - g.0).sum::<usize>() < 11 {
        return; // shorter than any personal number, as most runs (prices, dates, counts) are
    }
    let n = groups.len();
    let digits = |g: usize| &text[groups[g].0..groups[g].1];
    let mut from = 0;
    // A country code glued to a mobile: +8613812345678, 008613812345678.
    let first = digits(0);
    for prefix in ["0086", "86"] {
        let glued = first.len() == prefix.len() + 11 && first.starts_with(prefix);
        if glued && (prefix == "0086" || run.plus_before) {
            let start = groups[0].0 + prefix.len();
            if classify_number(&text[start..groups[0].1]) == Some(PiiKind::Mobile) {
                found.push(PiiSpan { kind: PiiKind::Mobile, start, end: groups[0].1 });
                from = 1;
            }
        }
    }
    // A country code group before the number: +86 138 1234 5678, 0086-138-1234-5678.
    let country_code = n > 1 && matches!(first, "86" | "0086");
    while from < n {
        let mut best = None;
        compact.clear();
        for to in from..n {
            if compact.len() + digits(to).len() > MAX_DIGITS + 1 {
                break; // (+ 1: an ID card's x) a megabyte of digits is never copied
            }
            compact.push_str(digits(to));
            let Some(kind) = classify_number(compact) else { continue };
            let whole = to == n - 1 && (from == 0 || (from == 1 && country_code));
            let lengths = || (from..=to).map(|g| groups[g].1 - groups[g].0);
            if whole || from == to || customary_shape(kind, lengths()) {
                best = Some((to, kind));
            }
        }
        match best {
            Some((to, kind)) => {
                found.push(PiiSpan { kind, start: groups[from].0, end: groups[to].1 });
                from = to + 1;
            }
            None => from += 1,
        }
    }
}

/// Whether group lengths are the way people write a number of this kind.
fn customary_shape(kind: PiiKind, lengths: impl Iterator<Item = usize>) -> bool {
    let lengths: Vec<usize> = lengths.collect();
    match kind {
        PiiKind::Mobile => matches!(lengths[..], [3, 4, 4] | [3, 8] | [7, 4]),
        PiiKind::IdCard => matches!(lengths[..], [6, 8, 4]),
        PiiKind::BankCard => match lengths.split_last() {
            Some((last, fours)) => {
                fours.len() >= 3 && fours.iter().all(|&l| l == 4) && (1..=4).contains(last)
            }
            None => false,
        },
        PiiKind::Email => false,
    }
}

fn classify_number(digits: &str) -> Option<PiiKind> {
    let bytes = digits.as_bytes();
    match bytes.len() {
        11 if bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1]) && all_digits(digits) => {
            Some(PiiKind::Mobile)
        }
        18 if id_card_valid(digits) => Some(PiiKind::IdCard),
        16..=19 if all_digits(digits) && luhn_valid(digits) => Some(PiiKind::BankCard),
        _ => None,
    }
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// GB 11643-1999: weighted sum of the first 17 digits mod 11 selects the check character.
pub fn id_card_valid(id: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let bytes = id.as_bytes();
    if bytes.len() != 18 || !all_digits(&id[..17]) {
        return false;
    }
    let month = (bytes[10] - b'0') * 10 + (bytes[11] - b'0');
    let day = (bytes[12] - b'0') * 10 + (bytes[13] - b'0');
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    let sum: u32 = bytes[..17].iter().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    bytes[17].to_ascii_uppercase() == CHECK[(sum % 11) as usize]
}

pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// The original text of a message with every span [`find`] found in its normalized form
/// masked: the only way reports show message text. A mask keeps the shape (138****5678,
/// 1101**********123X, 4111********1111, z****@example.com): it replaces with `*` each original
/// character that produced a hidden digit (or e-mail character) and keeps everything else —
/// separators, the kept digits, characters normalization dropped — as written, so
/// `１３８　１２３４　５６７８` shows as `１３８　****　５６７８`. The number of characters never
/// changes, so character offsets into the original still point at the same places.
pub fn mask_original<'a>(original: &'a str, norm: &NormText, spans: &[PiiSpan]) -> Cow<'a, str> {
    if spans.is_empty() {
        return Cow::Borrowed(original);
    }
    let mut hidden: Vec<usize> = Vec::new();
    let (mut byte, mut chars) = (0, 0);
    for span in spans {
        if span.start < byte {
            continue; // overlapping spans never come from `find`
        }
        chars += norm.text[byte..span.start].chars().count();
        byte = span.start;
        let part = &norm.text[span.start..span.end];
        let (head, tail) = span.kind.kept();
        let maskable = |c: char| match span.kind {
            PiiKind::Email => true,
            PiiKind::IdCard => c.is_ascii_digit() || c == 'x' || c == 'X',
            _ => c.is_ascii_digit(),
        };
        let symbols = match span.kind {
            PiiKind::Email => part.find('@').map_or(0, |at| part[..at].chars().count()),
            _ => part.chars().filter(|&c| maskable(c)).count(),
        };
        let mut seen = 0;
        for (k, c) in part.chars().enumerate() {
            if seen == symbols {
                break;
            }
            if maskable(c) {
                if seen >= head && seen + tail < symbols {
                    hidden.push(norm.original_index(chars + k));
                }
                seen += 1;
            }
        }
    }
    if hidden.is_empty() {
        return Cow::Borrowed(original);
    }
    hidden.sort_unstable();
    let mut hidden = hidden.into_iter().peekable();
    let mut out = String::with_capacity(original.len());
    for (i, c) in original.chars().enumerate() {
        if hidden.next_if(|&h| h == i).is_some() {
            while hidden.next_if(|&h| h == i).is_some() {}
            out.push('*');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Masks text that was never analyzed (a rejected line, a reject's detail): normalizes it,
/// finds its personal data and masks the original through [`mask_original`].
pub fn mask_text(original: &str) -> Cow<'_, str> {
    let norm = NormText::new(original);
    mask_original(original, &norm, &find(&norm.text))
}

/// Masks text that was cut short and ends in `…` (a rejected line keeps its first 512 bytes):
/// as [`mask_text`], and a run of at least [`CUT_DIGITS_SHOWN`] + 4 digits at the cut, which may be
/// the start of a number that can no longer be validated, shows only its first
/// [`CUT_DIGITS_SHOWN`] digits.
pub fn mask_cut_text(text: &str) -> Cow<'_, str> {
    let masked = mask_text(text);
    let Some(body) = masked.strip_suffix('…') else { return masked };
    // The trailing run, in characters, digits and separators, ignoring what is masked already.
    let tail: Vec<char> = body.chars().rev().take_while(|&c| in_cut_run(c)).collect();
    let digits = tail.iter().filter(|c| c.is_numeric()).count();
    if digits < CUT_DIGITS_SHOWN + 4 {
        return masked;
    }
    let tail_bytes: usize = tail.iter().map(|c| c.len_utf8()).sum();
    let (kept, cut) = body.split_at(body.len() - tail_bytes);
    let mut out = String::with_capacity(masked.len());
    out.push_str(kept);
    let mut seen = 0;
    for c in cut.chars() {
        if c.is_numeric() {
            seen += 1;
            out.push(if seen > CUT_DIGITS_SHOWN { '*' } else { c });
        } else {
            out.push(c);
        }
    }
    out.push_str(&masked[body.len()..]);
    Cow::Owned(out)
}

/// Digits of a cut-off number a truncated text still shows.
pub const CUT_DIGITS_SHOWN: usize = 3;

/// A character of a number as written in original text: any digit (full-width ones too), a
/// separator of any width, or an invisible character.
fn in_cut_run(c: char) -> bool {
    c.is_numeric()
        || is_separator(c)
        || c.is_whitespace()
        || matches!(c, '\u{FF0D}' | '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use PiiKind::{BankCard, Email, IdCard, Mobile};

    /// A named case: the original text and what `find` must report, as (kind, original text
    /// of the span) — spans mapped back the way reports map them.
    struct Case {
        name: &'static str,
        text: &'static str,
        want: &'static [(PiiKind, &'static str)],
    }

    const fn t(
        name: &'static str,
        text: &'static str,
        want: &'static [(PiiKind, &'static str)],
    ) -> Case {
        Case { name, text, want }
    }

    const BASICS: &[Case] = &[
        t("plain mobile", "您的手机13812345678对吗", &[(Mobile, "13812345678")]),
        t("dashed mobile", "电话 138-1234-5678", &[(Mobile, "138-1234-5678")]),
        t("already masked", "已脱敏138****5678", &[]),
        t("order number", "订单号123456789012345", &[]),
        t("id card", "身份证11010519491231002X", &[(IdCard, "11010519491231002X")]),
        t("id card, wrong check digit", "身份证110105194912310021", &[]),
        t("card failing Luhn", "卡号6222 0212 3456 7890 125", &[]),
        t("bank card", "卡号4111111111111111", &[(BankCard, "4111111111111111")]),
        t("bank card in fours", "卡号4111 1111 1111 1111", &[(BankCard, "4111 1111 1111 1111")]),
        t("e-mail", "邮箱 zhang.san@example.com", &[(Email, "zhang.san@example.com")]),
        t("glued to letters", "运单JD13812345678X", &[]),
        t("glued after", "编号13812345678abc", &[]),
        t("digits of an e-mail", "13812345678@qq.com", &[(Email, "13812345678@qq.com")]),
    ];

    // Issue 8, item 6: what NFKC turns into ASCII is found, and the span maps back.
    const WIDTHS: &[Case] = &[
        t("full-width digits", "手机１３８１２３４５６７８", &[(Mobile, "１３８１２３４５６７８")]),
        t(
            "ideographic space",
            "电话138\u{3000}1234\u{3000}5678",
            &[(Mobile, "138\u{3000}1234\u{3000}5678")],
        ),
        t("no-break space", "电话138\u{A0}1234\u{A0}5678", &[(Mobile, "138\u{A0}1234\u{A0}5678")]),
        t("full-width dash", "电话138－1234－5678", &[(Mobile, "138－1234－5678")]),
        t("em dash", "电话138—1234—5678", &[(Mobile, "138—1234—5678")]),
        t("hyphen", "电话138‐1234‐5678", &[(Mobile, "138‐1234‐5678")]),
        t("spaced dash", "电话138 - 1234 - 5678", &[(Mobile, "138 - 1234 - 5678")]),
        t(
            "full-width e-mail",
            "邮箱ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ",
            &[(Email, "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ")],
        ),
        t(
            "zero-width spaces",
            "加138\u{200B}1234\u{200B}5678",
            &[(Mobile, "138\u{200B}1234\u{200B}5678")],
        ),
        t("one digit at a time", "1 3 8 1 2 3 4 5 6 7 8", &[(Mobile, "1 3 8 1 2 3 4 5 6 7 8")]),
    ];

    // Issue 8, item 6: a valid number inside a longer run of groups.
    const RUNS: &[Case] = &[
        t("+86 grouped", "+86 138 1234 5678", &[(Mobile, "138 1234 5678")]),
        t("+86 glued", "+8613812345678", &[(Mobile, "13812345678")]),
        t("0086 grouped", "0086 138 1234 5678", &[(Mobile, "138 1234 5678")]),
        t("0086 glued", "008613812345678", &[(Mobile, "13812345678")]),
        t("86 dashed", "86-138-1234-5678", &[(Mobile, "138-1234-5678")]),
        t("86 glued without +", "8613812345678", &[]),
        t("then a quantity", "13812345678 2", &[(Mobile, "13812345678")]),
        t("then words and digits", "手机13812345678 谢谢 12", &[(Mobile, "13812345678")]),
        t("grouped, then a digit", "138 1234 5678 2", &[(Mobile, "138 1234 5678")]),
        t("after a year", "2024 13812345678", &[(Mobile, "13812345678")]),
        t(
            "two phones",
            "13812345678 13987654321",
            &[(Mobile, "13812345678"), (Mobile, "13987654321")],
        ),
        t("order number in fours", "单号2023 1381 2345 678", &[]),
        t("twelve spaced digits", "1 3 8 1 2 3 4 5 6 7 8 9", &[]),
        t("long digit run", "单号2013812345678", &[]),
        t("id card grouped", "110105 19491231 002X", &[(IdCard, "110105 19491231 002X")]),
    ];

    fn run(cases: &[Case]) {
        for case in cases {
            let norm = NormText::new(case.text);
            let got: Vec<(PiiKind, String)> = find(&norm.text)
                .into_iter()
                .map(|s| {
                    let start = norm.text[..s.start].chars().count();
                    let end = start + norm.text[s.start..s.end].chars().count();
                    let (from, to) = norm.original_span(start, end);
                    (s.kind, case.text.chars().skip(from).take(to - from).collect())
                })
                .collect();
            let want: Vec<(PiiKind, String)> =
                case.want.iter().map(|&(k, s)| (k, s.to_string())).collect();
            assert_eq!(got, want, "case {:?}: {:?}", case.name, case.text);
        }
    }

    #[test]
    fn finds_valid_personal_data_only() {
        run(BASICS);
    }

    #[test]
    fn finds_personal_data_whatever_its_width() {
        run(WIDTHS);
    }

    #[test]
    fn finds_a_number_inside_a_run_of_groups() {
        run(RUNS);
    }

    #[test]
    fn long_runs_hold_only_whole_numbers() {
        assert_eq!(find(&"1".repeat(1 << 20)), []);
        assert_eq!(find(&"8 ".repeat(1 << 16)), []);
        let kinds: Vec<PiiKind> =
            find(&"13812345678 ".repeat(3)).into_iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [Mobile; 3]);
    }

    #[test]
    fn masks_keep_the_shape_and_the_character_count() {
        let cases = [
            ("ascii", "打13812345678", "打138****5678"),
            ("e-mail", "zhang@example.com", "z****@example.com"),
            ("card", "卡4111111111111111", "卡4111********1111"),
            ("id card", "证11010519491231002X", "证1101**********002X"),
            ("full-width", "手机１３８１２３４５６７８", "手机１３８****５６７８"),
            ("ideographic space", "138\u{3000}1234\u{3000}5678", "138\u{3000}****\u{3000}5678"),
            ("dashes", "138—1234—5678", "138—****—5678"),
            ("zero-width", "138\u{200B}1234\u{200B}5678", "138\u{200B}****\u{200B}5678"),
            ("country code", "+86 138 1234 5678", "+86 138 **** 5678"),
            ("glued code", "+8613812345678", "+86138****5678"),
            (
                "full-width e-mail",
                "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ",
                "ｚ****＠ｅｘａｍｐｌｅ．ｃｏｍ",
            ),
            ("customer text", "我的号码13812345678 2", "我的号码138****5678 2"),
            ("nothing to mask", "订单2023 1381 2345 678", "订单2023 1381 2345 678"),
        ];
        for (name, text, want) in cases {
            let masked = mask_text(text);
            assert_eq!(masked, want, "case {name:?}");
            assert_eq!(masked.chars().count(), text.chars().count(), "case {name:?}");
        }
    }

    #[test]
    fn a_number_cut_short_shows_three_digits() {
        let cases = [
            ("cut mobile", "{\"text\":\"手机1381234567…", "{\"text\":\"手机138*******…"),
            ("cut full-width", "手机１３８１２３４５…", "手机１３８*****…"),
            ("cut grouped", "+86 138 1234 5…", "+86 1** **** *…"),
            ("short tail kept", "数量 123456…", "数量 123456…"),
            ("not cut", "单号 12345678901234", "单号 12345678901234"),
            ("whole mobile at the cut", "手机13812345678…", "手机138****5678…"),
        ];
        for (name, text, want) in cases {
            assert_eq!(mask_cut_text(text), want, "case {name:?}");
        }
    }
}
