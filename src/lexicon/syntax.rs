//! One lexicon file's line format. Takes the text of `lexicons/<category>.txt`, yields the
//! entries and exceptions it declares, or an error naming `path:line` and the problem.
//!
//! ```text
//! # a comment line                     blank lines are ignored too
//! @boundary none                       file-wide default: hits need not sit on token boundaries
//! @side customer                       the entries below count on customer turns only (until
//!                                      the next `@side both`): a customer's word, not an agent's
//! 理解您的心情                         an entry, weight 1
//! 非常抱歉给您带来不便 | w=2           a weight (a positive number)
//! 揽收 | alt=快递员上门取件            a plain-language alternative (jargon only)
//! vx | boundary=none                   this entry may match inside a token
//! 少 | needs=degree                     counts only after a degree word (太少) or before 了 (少了)
//! !不好意思                            an exception: hits of this category inside it never count
//! 差评  # inline comments follow " #"
//! 都{n}天了                             {n} stands for a number: 3, 三, 两, 十二, 好几, 半
//! ```

/// A line's meaning, before normalization and before the category is known to accept it.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    Entry(EntrySpec),
    Exception(String),
    BoundaryDefault(bool),
    /// `@side customer` (true) or `@side both` (false), for the entries below it.
    CustomerOnly(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub struct EntrySpec {
    pub phrase: String,
    /// Weight in thousandths, so sums stay exact integers whatever the merge order.
    pub weight_milli: u32,
    pub alt: Option<String>,
    /// `None` means "use the file's default".
    pub boundary: Option<bool>,
    /// `needs=degree`: a context word, negative only when a degree word or 了 licenses it.
    pub needs_degree: bool,
}

/// Parses one line; `Ok(None)` for blank and comment lines. The error is the problem alone;
/// the caller adds the path and line number.
pub fn parse_line(raw: &str) -> Result<Option<Line>, String> {
    let line = strip_comment(raw).trim();
    if line.is_empty() {
        return Ok(None);
    }
    if let Some(directive) = line.strip_prefix('@') {
        return parse_directive(directive).map(Some);
    }
    if let Some(phrase) = line.strip_prefix('!') {
        let phrase = phrase.trim();
        if phrase.is_empty() {
            return Err("an exception line needs a phrase after `!`".into());
        }
        if phrase.contains('|') {
            return Err("an exception takes no fields".into());
        }
        return Ok(Some(Line::Exception(phrase.to_string())));
    }
    let mut fields = line.split('|').map(str::trim);
    let phrase = fields.next().unwrap_or_default();
    if phrase.is_empty() {
        return Err("the entry is empty before `|`".into());
    }
    let mut spec = EntrySpec {
        phrase: phrase.to_string(),
        weight_milli: 1000,
        alt: None,
        boundary: None,
        needs_degree: false,
    };
    for field in fields {
        let (key, value) =
            field.split_once('=').ok_or_else(|| format!("field `{field}` is not key=value"))?;
        match (key.trim(), value.trim()) {
            ("w", v) => spec.weight_milli = parse_weight(v)?,
            ("alt", "") => return Err("alt= needs a plain-language alternative".into()),
            ("alt", v) => spec.alt = Some(v.to_string()),
            ("boundary", v) => spec.boundary = Some(parse_boundary(v)?),
            ("needs", "degree") => spec.needs_degree = true,
            ("needs", v) => return Err(format!("needs= takes `degree`, not `{v}`")),
            (k, _) => return Err(format!("unknown field `{k}` (known: w, alt, boundary, needs)")),
        }
    }
    Ok(Some(Line::Entry(spec)))
}

/// An inline comment starts at " #", so an entry itself may contain `#` (`c#`, `#1`).
fn strip_comment(raw: &str) -> &str {
    let trimmed = raw.trim_start();
    if trimmed.starts_with('#') {
        return "";
    }
    match raw.find(" #").or_else(|| raw.find("\t#")) {
        Some(at) => &raw[..at],
        None => raw,
    }
}

fn parse_directive(directive: &str) -> Result<Line, String> {
    let mut words = directive.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("boundary"), Some(v), None) => Ok(Line::BoundaryDefault(parse_boundary(v)?)),
        (Some("side"), Some("customer"), None) => Ok(Line::CustomerOnly(true)),
        (Some("side"), Some("both"), None) => Ok(Line::CustomerOnly(false)),
        (Some("side"), Some(v), None) => {
            Err(format!("side must be `customer` or `both`, not `{v}`"))
        }
        _ => Err(format!(
            "unknown directive `@{directive}` (known: @boundary token|none, @side customer|both)"
        )),
    }
}

fn parse_boundary(value: &str) -> Result<bool, String> {
    match value {
        "token" => Ok(true),
        "none" => Ok(false),
        _ => Err(format!("boundary must be `token` or `none`, not `{value}`")),
    }
}

fn parse_weight(value: &str) -> Result<u32, String> {
    let weight: f64 = value.parse().map_err(|_| format!("weight `{value}` is not a number"))?;
    if !(weight > 0.0 && weight <= 100.0) {
        return Err(format!("weight `{value}` must be above 0 and at most 100"));
    }
    Ok((weight * 1000.0).round() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(phrase: &str, w: u32, alt: Option<&str>, boundary: Option<bool>) -> Option<Line> {
        let alt = alt.map(str::to_string);
        let phrase = phrase.into();
        Some(Line::Entry(EntrySpec { phrase, weight_milli: w, alt, boundary, needs_degree: false }))
    }

    #[test]
    fn accepted_lines() {
        let cases: &[(&str, Option<Line>)] = &[
            ("", None),
            ("   # 注释", None),
            ("理解您的心情", entry("理解您的心情", 1000, None, None)),
            ("  差评  # 客户常用", entry("差评", 1000, None, None)),
            ("非常抱歉 | w=2", entry("非常抱歉", 2000, None, None)),
            ("有点 | w=0.7", entry("有点", 700, None, None)),
            ("揽收 | alt=快递员上门取件", entry("揽收", 1000, Some("快递员上门取件"), None)),
            ("vx|boundary=none", entry("vx", 1000, None, Some(false))),
            ("#E-s36 | boundary=none", None),
            ("!不好意思", Some(Line::Exception("不好意思".into()))),
            (
                "少 | needs=degree",
                Some(Line::Entry(EntrySpec {
                    phrase: "少".into(),
                    weight_milli: 1000,
                    alt: None,
                    boundary: None,
                    needs_degree: true,
                })),
            ),
            ("@boundary none", Some(Line::BoundaryDefault(false))),
            ("@side customer", Some(Line::CustomerOnly(true))),
            ("@side both", Some(Line::CustomerOnly(false))),
        ];
        for (raw, want) in cases {
            assert_eq!(&parse_line(raw).unwrap(), want, "line {raw:?}");
        }
    }

    #[test]
    fn rejected_lines_say_why() {
        let cases: &[(&str, &str)] = &[
            ("差 | w=0", "must be above 0"),
            ("差 | w=abc", "not a number"),
            ("差 | weight=2", "unknown field `weight`"),
            ("差 | 2", "not key=value"),
            ("!", "needs a phrase"),
            ("@side agent", "side must be `customer` or `both`"),
            ("@tone calm", "unknown directive"),
            ("x | boundary=maybe", "boundary must be"),
            (" | w=2", "empty"),
            ("少 | needs=adverb", "needs= takes `degree`"),
        ];
        for (raw, want) in cases {
            let err = parse_line(raw).unwrap_err();
            assert!(err.contains(want), "line {raw:?}: {err:?} should say {want:?}");
        }
    }
}
