//! Personal data in message text: mainland mobile numbers, resident ID-card numbers (with their
//! check digit), bank-card numbers (Luhn) and e-mail addresses. Used by the compliance check
//! (an agent must never type a customer's unmasked data) and by report masking. Numbers that fail
//! their checksum are not personal data; already-masked numbers (138****1234) never match.

use std::sync::LazyLock;

use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PiiKind {
    Mobile,
    IdCard,
    BankCard,
    Email,
}

impl PiiKind {
    pub fn key(self) -> &'static str {
        match self {
            PiiKind::Mobile => "mobile",
            PiiKind::IdCard => "id_card",
            PiiKind::BankCard => "bank_card",
            PiiKind::Email => "email",
        }
    }
}

/// A piece of personal data, as byte offsets into the text searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PiiSpan {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
}

// Digit runs may carry the spaces or dashes people type inside card and phone numbers; an ID
// card may end in X. The surrounding characters must not be digits or Latin letters, so a
// number inside an order id or a word is left alone.
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9](?:[0-9]|[ -][0-9]){9,22}[xX]?").expect("valid regex"));
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
        .expect("valid regex")
});

pub fn find(text: &str) -> Vec<PiiSpan> {
    let mut found = Vec::new();
    for m in EMAIL.find_iter(text) {
        found.push(PiiSpan { kind: PiiKind::Email, start: m.start(), end: m.end() });
    }
    for m in NUMBER.find_iter(text) {
        let standalone =
            !text[..m.start()].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric())
                && !text[m.end()..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        let inside_email = found.iter().any(|f| f.start < m.end() && m.start() < f.end);
        if !standalone || inside_email {
            continue;
        }
        let compact: String = m.as_str().chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if let Some(kind) = classify_number(&compact) {
            found.push(PiiSpan { kind, start: m.start(), end: m.end() });
        }
    }
    found.sort_by_key(|s| (s.start, s.end));
    found
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

/// Replaces each piece of personal data with a mask that keeps enough to recognize it
/// (138****5678, 1101**********123X, 4111********1111, z****@example.com). The number of
/// characters never changes, so character offsets into the original still point at the same
/// places.
pub fn mask(text: &str) -> String {
    let spans = find(text);
    if spans.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        if span.start < at {
            continue;
        }
        out.push_str(&text[at..span.start]);
        out.push_str(&masked(span.kind, &text[span.start..span.end]));
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The mask of one piece of personal data already known to be of `kind`.
pub fn masked(kind: PiiKind, original: &str) -> String {
    let chars: Vec<char> = original.chars().collect();
    let (keep_head, keep_tail) = match kind {
        PiiKind::Mobile => (3, 4),
        PiiKind::IdCard | PiiKind::BankCard => (4, 4),
        PiiKind::Email => {
            let at = original.find('@').unwrap_or(0);
            let first = original.chars().next().unwrap_or('*');
            return format!("{first}{}{}", "*".repeat(at.saturating_sub(1)), &original[at..]);
        }
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < keep_head || i + keep_tail >= chars.len() { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<PiiKind> {
        find(text).into_iter().map(|s| s.kind).collect()
    }

    #[test]
    fn finds_valid_personal_data_only() {
        let cases: &[(&str, &[PiiKind])] = &[
            ("您的手机13812345678对吗", &[PiiKind::Mobile]),
            ("电话 138-1234-5678", &[PiiKind::Mobile]),
            ("已脱敏138****5678", &[]),
            ("订单号123456789012345", &[]),
            ("身份证11010519491231002X", &[PiiKind::IdCard]),
            ("身份证110105194912310021", &[]), // wrong check digit
            ("卡号6222 0212 3456 7890 125", &[]), // fails Luhn
            ("卡号4111111111111111", &[PiiKind::BankCard]),
            ("邮箱 zhang.san@example.com", &[PiiKind::Email]),
            ("运单JD13812345678X", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(&kinds(text), want, "text {text:?}");
        }
    }

    #[test]
    fn masks_keep_the_shape() {
        assert_eq!(mask("打13812345678"), "打138****5678");
        assert_eq!(mask("zhang@example.com"), "z****@example.com");
        assert_eq!(mask("卡4111111111111111"), "卡4111********1111");
    }
}
