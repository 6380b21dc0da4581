//! The rule language of the scoring template (`[[rules]]`, docs/rules.md): owns [`Rule`] and its
//! [`Condition`]s, their parsing from TOML with `file:line` errors, and [`Phrases`], the one
//! Aho-Corasick automaton of every inline and `file:` phrase, compiled when the template loads.
//! Takes the `[[rules]]` array as read by `template`; yields validated rules. Evaluating them on
//! a ticket is `check`'s (stage 8).
//!
//! Phrases are normalized as lexicon entries are (`normalize::for_matching`), so traditional,
//! full-width and disguised writing matches them. A phrase hit counts when it starts on a jieba
//! token boundary (and, for a phrase of one or two characters, ends on one: 第一 never matches
//! inside 第一次), shares no character with a `!` exception phrase of its list (不能保证 cancels
//! the 保证今天 of 不能保证今天到, which a lexicon exception, holding the whole hit, would not),
//! and no negation right before it or warning frame around it (`matcher::Frames`) makes it the
//! opposite speech act.

use std::path::Path;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Deserialize;
use toml::Spanned;

use crate::lexicon::Category;
use crate::matcher::{Effect, Frames, Hit};
use crate::normalize;
use crate::tokenize::Tokens;
use crate::vocab::{Reason, Role, RuleId, Severity};

/// At most this many rules, so a ticket's outcomes pack two bits each into one `u64` (the
/// sampling record of DESIGN invariant 4).
pub const MAX_RULES: usize = 32;

/// Named presets for `reply.max_secs`: the platform and its seconds. Only figures we can name
/// a source for ship (docs/rules.md): JD measures shops by the share of customers answered
/// within 30 seconds (30秒应答率). Platforms change their rules: check your platform's current
/// ones, and write the seconds yourself for any other.
pub const REPLY_PRESETS: [(&str, u32); 1] = [("jd", 30)];

/// How many characters at most may stand between a negation word and a phrase it negates
/// (不能保证, 不能给您保证 is two more).
const NEGATION_GAP: usize = 2;

/// One `[[rules]]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// ASCII lowercase, digits and `_`: its key in JSON and CSV.
    pub id: String,
    /// Shown to people.
    pub label: String,
    /// Weight in the agent's compliance pass rate (0–1000).
    pub weight: f64,
    /// Points off the ticket's compliance score when the rule fails (0–100).
    pub deduction: u32,
    /// 一票否决: a failure sets the ticket's compliance score to 0.
    pub veto: bool,
    /// With a severity, a failure flags the ticket (on every ticket, beside the built-in
    /// reasons); without, the rule is a compliance check only.
    pub severity: Option<Severity>,
    pub condition: Condition,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Fails when the phrases occur at least `min_count` times in scope.
    Forbid { find: Find, min_count: u32 },
    /// Passes when found in scope, fails otherwise.
    Require { find: Find },
    /// Each trigger (`after`) must be followed by `then` within the next `within` messages of
    /// then's role.
    Follow { after: Find, then: Find, within: u32 },
    /// The first reply (the first agent message after the first customer message) within the
    /// limit.
    Reply { max_secs: Limit },
    /// No customer left waiting over `max_secs` after the first reply; with `at_end`, the chat
    /// does not end on an unanswered customer question.
    Silence { max_secs: u32, at_end: bool },
    /// No `min_count` messages of `who` whose content tokens overlap (Jaccard) at least
    /// `similarity`.
    Repeat { who: Who, similarity: f64, min_count: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    Secs(u32),
    /// The run's `--sla-seconds`.
    Sla,
}

/// What to look for, said by whom, where.
#[derive(Debug, Clone, PartialEq)]
pub struct Find {
    pub who: Who,
    pub says: Says,
    pub scope: Scope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Agent,
    Customer,
    /// Agent or customer (bot and system turns are context only).
    Any,
}

impl Who {
    pub fn includes(self, role: Role) -> bool {
        match self {
            Who::Agent => role == Role::Agent,
            Who::Customer => role == Role::Customer,
            Who::Any => matches!(role, Role::Agent | Role::Customer),
        }
    }
}

/// Which of the role's messages a condition looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Any,
    /// The first (last) N of the role's messages.
    First(u32),
    Last(u32),
    /// Messages before the first reply (all of them when there is none).
    BeforeFirstReply,
    /// The first reply and every message after it (none when there is no reply).
    AfterFirstReply,
}

/// A `says` list: lexicon categories (counted hits), the role's personal data, and the list's
/// phrases in [`Phrases`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Says {
    pub categories: Vec<Category>,
    pub pii: bool,
    /// Index of its phrase list in [`Phrases`], when it has phrases.
    pub list: Option<u16>,
}

impl Says {
    /// The one category a single-item list names: what `calibrate` and the evidence label
    /// (未见问候语) read.
    pub fn only_category(&self) -> Option<Category> {
        match (self.categories.as_slice(), self.pii, self.list) {
            ([c], false, None) => Some(*c),
            _ => None,
        }
    }
}

/// Every phrase of every rule, in one automaton built at load (a few microseconds per
/// phrase); `Send + Sync`, shared by reference across workers like the lexicon's.
#[derive(Debug, Clone, Default)]
pub struct Phrases {
    automaton: Option<AhoCorasick>,
    /// Per automaton pattern, the (list, phrase) pairs that share its text.
    owners: Vec<Vec<(u16, u32)>>,
    lists: Vec<PhraseList>,
}

impl PartialEq for Phrases {
    fn eq(&self, other: &Phrases) -> bool {
        self.lists == other.lists
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
struct PhraseList {
    /// As written (what evidence quotes), and whether each is a `!` exception.
    written: Vec<String>,
    exception: Vec<bool>,
    short: Vec<bool>,
}

/// A counted phrase hit: byte offsets into the normalized text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhraseHit {
    pub list: u16,
    pub phrase: u32,
    pub start: usize,
    pub end: usize,
}

impl Phrases {
    pub fn is_empty(&self) -> bool {
        self.automaton.is_none()
    }

    /// The phrase as written in the template or its file.
    pub fn written(&self, list: u16, phrase: u32) -> &str {
        &self.lists[list as usize].written[phrase as usize]
    }

    /// The counted hits in one message's normalized text, by list, then start: on token
    /// boundaries, overlapping none of the list's exceptions, not negated or warned against (`hits` are
    /// the message's lexicon hits, whose negation words and feelings the frames read). Within
    /// a list, overlapping hits keep the leftmost, then the longest.
    pub fn find(&self, text: &str, tokens: &Tokens, hits: &[Hit]) -> Vec<PhraseHit> {
        let Some(automaton) = &self.automaton else { return Vec::new() };
        let mut found: Vec<PhraseHit> = Vec::new();
        for m in automaton.find_overlapping_iter(text) {
            for &(list, phrase) in &self.owners[m.pattern().as_usize()] {
                found.push(PhraseHit { list, phrase, start: m.start(), end: m.end() });
            }
        }
        if found.is_empty() {
            return found;
        }
        let exception = |h: &PhraseHit| self.lists[h.list as usize].exception[h.phrase as usize];
        let excepted = |h: &PhraseHit| {
            found
                .iter()
                .any(|e| exception(e) && e.list == h.list && e.start < h.end && h.start < e.end)
        };
        let on_boundaries = |h: &PhraseHit| {
            tokens.is_boundary(h.start)
                && (!self.lists[h.list as usize].short[h.phrase as usize]
                    || tokens.is_boundary(h.end))
        };
        let frames = Frames::new(text, tokens, hits);
        let mut kept: Vec<PhraseHit> = found
            .iter()
            .filter(|h| !exception(h) && on_boundaries(h) && !excepted(h))
            .filter(|h| !negated(text, hits, h.start) && !frames.warns(h.start, h.end))
            .copied()
            .collect();
        kept.sort_by_key(|h| (h.list, h.start, std::cmp::Reverse(h.end), h.phrase));
        let mut last: Option<(u16, usize)> = None;
        kept.retain(|h| {
            let overlaps = last.is_some_and(|(list, end)| list == h.list && h.start < end);
            if !overlaps {
                last = Some((h.list, h.end));
            }
            !overlaps
        });
        kept
    }
}

/// A lexicon negation word (不能, 不会, 绝不…) ends at most [`NEGATION_GAP`] characters before
/// `start`, in the same clause: 不能保证 is no guarantee.
fn negated(text: &str, hits: &[Hit], start: usize) -> bool {
    hits.iter().any(|n| {
        n.category == Category::Negation
            && !matches!(n.effect, Effect::Excepted(_))
            && n.end <= start
            && text[n.end..start].chars().count() <= NEGATION_GAP
            && !text[n.end..start].contains(['。', '!', '?', ',', ';', '.', ':', '~', '\n', ' '])
    })
}

// ---------------------------------------------------------------------------------------------
// Parsing: the tables as written, then validation with file:line errors.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    id: Spanned<String>,
    label: Spanned<String>,
    pub(super) weight: Spanned<f64>,
    deduction: Spanned<i64>,
    #[serde(default)]
    veto: bool,
    #[serde(default)]
    severity: Option<Spanned<String>>,
    #[serde(default)]
    forbid: Option<Spanned<RawForbid>>,
    #[serde(default)]
    require: Option<Spanned<RawRequire>>,
    #[serde(default)]
    follow: Option<Spanned<RawFollow>>,
    #[serde(default)]
    reply: Option<Spanned<RawReply>>,
    #[serde(default)]
    silence: Option<Spanned<RawSilence>>,
    #[serde(default)]
    repeat: Option<Spanned<RawRepeat>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForbid {
    who: Spanned<String>,
    says: Spanned<Vec<Spanned<String>>>,
    #[serde(default, rename = "in")]
    scope: Option<Spanned<String>>,
    #[serde(default)]
    min_count: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequire {
    who: Spanned<String>,
    says: Spanned<Vec<Spanned<String>>>,
    #[serde(default, rename = "in")]
    scope: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThen {
    who: Spanned<String>,
    says: Spanned<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFollow {
    after: RawRequire,
    then: RawThen,
    within: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReply {
    max_secs: Spanned<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSilence {
    max_secs: Spanned<i64>,
    #[serde(default)]
    at_end: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRepeat {
    #[serde(default)]
    who: Option<Spanned<String>>,
    similarity: Spanned<f64>,
    #[serde(default)]
    min_count: Option<Spanned<i64>>,
}

/// Builds the rules and their phrase automaton. `at` turns a byte span of the template into
/// `file:line`; `dir` is the template's directory (`file:` phrases are read from there; the
/// built-in template has none).
pub(super) struct Builder<'a> {
    pub at: &'a dyn Fn(Option<std::ops::Range<usize>>) -> String,
    pub dir: Option<&'a Path>,
    pub source: &'a str,
    patterns: Vec<String>,
    owners: Vec<Vec<(u16, u32)>>,
    lists: Vec<PhraseList>,
    /// The bytes of every `file:` read, in order (the template's sha256 covers them).
    pub files: Vec<Vec<u8>>,
}

type Problem = (String, String);

/// Checks a weight against its bound; the name goes into the problem.
pub(super) type Bound<'b> = &'b dyn Fn(&Spanned<f64>, &str) -> Result<f64, Problem>;

impl<'a> Builder<'a> {
    pub fn new(
        at: &'a dyn Fn(Option<std::ops::Range<usize>>) -> String,
        dir: Option<&'a Path>,
        source: &'a str,
    ) -> Builder<'a> {
        Builder {
            at,
            dir,
            source,
            patterns: Vec::new(),
            owners: Vec::new(),
            lists: Vec::new(),
            files: Vec::new(),
        }
    }

    fn fail(&self, span: std::ops::Range<usize>, problem: String) -> Problem {
        ((self.at)(Some(span)), problem)
    }

    /// Every rule, in order; the first problem as (where, what).
    pub fn rules(
        &mut self,
        raw: &[Spanned<RawRule>],
        bounded: Bound,
    ) -> Result<Vec<Rule>, Problem> {
        if raw.len() > MAX_RULES {
            return Err(self.fail(
                raw[MAX_RULES].span(),
                format!(
                    "the template has {} rules, but at most {MAX_RULES} fit a ticket's record; \
                     merge or drop some",
                    raw.len()
                ),
            ));
        }
        let mut rules: Vec<Rule> = Vec::with_capacity(raw.len());
        for spanned in raw {
            let r = spanned.get_ref();
            let id = r.id.get_ref();
            let valid = !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                return Err(self.fail(
                    r.id.span(),
                    format!(
                        "rule id {id:?} is not ASCII lowercase letters, digits and `_` (it is \
                         the rule's key in JSON and CSV)"
                    ),
                ));
            }
            if Reason::from_key(id).is_some() {
                return Err(self.fail(
                    r.id.span(),
                    format!(
                        "rule id `{id}` is a built-in flag reason's key; a rule's id must differ \
                         from the seven reason codes (flagged.jsonl lists both)"
                    ),
                ));
            }
            if rules.iter().any(|other| &other.id == id) {
                return Err(self.fail(
                    r.id.span(),
                    format!("rule id `{id}` is used twice; each rule needs its own id"),
                ));
            }
            if r.label.get_ref().trim().is_empty() {
                return Err(self.fail(r.label.span(), format!("rule `{id}` has an empty label")));
            }
            let deduction = *r.deduction.get_ref();
            if !(0..=super::MAX_DEDUCTION).contains(&deduction) {
                return Err(self.fail(
                    r.deduction.span(),
                    format!(
                        "`deduction` of rule `{id}` is {deduction}, but a deduction is 0 to {} \
                         points",
                        super::MAX_DEDUCTION
                    ),
                ));
            }
            let weight = bounded(&r.weight, &format!("weight` of rule `{id}"))?;
            let severity = match &r.severity {
                None => None,
                Some(level) => Some(Severity::from_key(level.get_ref()).ok_or_else(|| {
                    self.fail(
                        level.span(),
                        format!(
                            "`severity` of rule `{id}` is {:?}, but a severity is one of \
                             `service`, `complaint`, `conduct`, `veto`",
                            level.get_ref()
                        ),
                    )
                })?),
            };
            let condition = self.condition(spanned, id)?;
            rules.push(Rule {
                id: id.clone(),
                label: r.label.get_ref().trim().to_string(),
                weight,
                deduction: deduction as u32,
                veto: r.veto,
                severity,
                condition,
            });
        }
        Ok(rules)
    }

    fn condition(&mut self, spanned: &Spanned<RawRule>, id: &str) -> Result<Condition, Problem> {
        let r = spanned.get_ref();
        let given: Vec<(&str, std::ops::Range<usize>)> = [
            ("forbid", r.forbid.as_ref().map(Spanned::span)),
            ("require", r.require.as_ref().map(Spanned::span)),
            ("follow", r.follow.as_ref().map(Spanned::span)),
            ("reply", r.reply.as_ref().map(Spanned::span)),
            ("silence", r.silence.as_ref().map(Spanned::span)),
            ("repeat", r.repeat.as_ref().map(Spanned::span)),
        ]
        .into_iter()
        .filter_map(|(key, span)| Some((key, span?)))
        .collect();
        match given.as_slice() {
            [] => {
                return Err(self.fail(
                    r.id.span(),
                    format!(
                        "rule `{id}` has no condition; give it one of `forbid`, `require`, \
                         `follow`, `reply`, `silence`, `repeat`"
                    ),
                ))
            }
            [_] => {}
            [(first, _), (second, span), ..] => {
                return Err(self.fail(
                    span.clone(),
                    format!(
                        "rule `{id}` has two conditions, `{first}` and `{second}`; a rule has \
                         exactly one (write two rules)"
                    ),
                ))
            }
        }
        if let Some(f) = &r.forbid {
            let f = f.get_ref();
            let find = self.find(&f.who, &f.says, f.scope.as_ref(), id)?;
            let min_count = match &f.min_count {
                None => 1,
                Some(k) => self.count(k, 1, "min_count", id)?,
            };
            return Ok(Condition::Forbid { find, min_count });
        }
        if let Some(q) = &r.require {
            let q = q.get_ref();
            return Ok(Condition::Require {
                find: self.find(&q.who, &q.says, q.scope.as_ref(), id)?,
            });
        }
        if let Some(f) = &r.follow {
            let f = f.get_ref();
            let after = self.find(&f.after.who, &f.after.says, f.after.scope.as_ref(), id)?;
            let then = self.find(&f.then.who, &f.then.says, None, id)?;
            let within = self.count(&f.within, 1, "within", id)?;
            return Ok(Condition::Follow { after, then, within });
        }
        if let Some(p) = &r.reply {
            let value = &p.get_ref().max_secs;
            let preset = |name: &str| REPLY_PRESETS.iter().find(|(n, _)| *n == name);
            let max_secs = match value.get_ref() {
                toml::Value::Integer(s) if (1..=86_400).contains(s) => Limit::Secs(*s as u32),
                toml::Value::String(s) if s == "sla" => Limit::Sla,
                toml::Value::String(s) if preset(s).is_some() => {
                    Limit::Secs(preset(s).expect("checked").1)
                }
                other => {
                    let names: Vec<String> =
                        REPLY_PRESETS.iter().map(|(n, _)| format!("`{n}`")).collect();
                    return Err(self.fail(
                        value.span(),
                        format!(
                            "`reply.max_secs` of rule `{id}` is {other}, but it is seconds \
                             (1 to 86400), `sla` (the run's --sla-seconds) or a platform \
                             preset: {}",
                            names.join(", ")
                        ),
                    ));
                }
            };
            return Ok(Condition::Reply { max_secs });
        }
        if let Some(s) = &r.silence {
            let s = s.get_ref();
            let max_secs = self.count(&s.max_secs, 1, "max_secs", id)?;
            return Ok(Condition::Silence { max_secs, at_end: s.at_end });
        }
        let p = r.repeat.as_ref().expect("one condition is given").get_ref();
        let who = match &p.who {
            None => Who::Customer,
            Some(w) => self.who(w, id)?,
        };
        let similarity = *p.similarity.get_ref();
        if !(similarity > 0.0 && similarity <= 1.0) {
            return Err(self.fail(
                p.similarity.span(),
                format!(
                    "`similarity` of rule `{id}` is {similarity}, but it is a share of shared \
                     tokens above 0 and at most 1 (0.6: three in five)"
                ),
            ));
        }
        let min_count = match &p.min_count {
            None => 2,
            Some(k) => self.count(k, 2, "min_count", id)?,
        };
        Ok(Condition::Repeat { who, similarity, min_count })
    }

    /// A whole number from `min` up.
    fn count(&self, value: &Spanned<i64>, min: i64, name: &str, id: &str) -> Result<u32, Problem> {
        let v = *value.get_ref();
        if v < min || v > i64::from(u32::MAX) {
            return Err(self.fail(
                value.span(),
                format!("`{name}` of rule `{id}` is {v}, but it is a whole number from {min} up"),
            ));
        }
        Ok(v as u32)
    }

    fn who(&self, who: &Spanned<String>, id: &str) -> Result<Who, Problem> {
        match who.get_ref().as_str() {
            "agent" => Ok(Who::Agent),
            "customer" => Ok(Who::Customer),
            "any" => Ok(Who::Any),
            other => Err(self.fail(
                who.span(),
                format!(
                    "`who` of rule `{id}` is {other:?}, but it is `agent`, `customer` or `any`"
                ),
            )),
        }
    }

    fn find(
        &mut self,
        who: &Spanned<String>,
        says: &Spanned<Vec<Spanned<String>>>,
        scope: Option<&Spanned<String>>,
        id: &str,
    ) -> Result<Find, Problem> {
        let who = self.who(who, id)?;
        let scope = match scope {
            None => Scope::Any,
            Some(s) => parse_scope(s.get_ref()).ok_or_else(|| {
                self.fail(
                    s.span(),
                    format!(
                        "`in` of rule `{id}` is {:?}, but it is `any`, `first N`, `last N`, \
                         `before_first_reply` or `after_first_reply`",
                        s.get_ref()
                    ),
                )
            })?,
        };
        if says.get_ref().is_empty() {
            return Err(self.fail(says.span(), format!("`says` of rule `{id}` is empty")));
        }
        let mut out = Says::default();
        let mut phrases: Vec<String> = Vec::new();
        for item in says.get_ref() {
            let text = item.get_ref();
            if let Some(key) = text.strip_prefix('@') {
                match key {
                    "pii" => out.pii = true,
                    _ => match Category::from_key(key).filter(|c| !c.is_modifier()) {
                        Some(c) => out.categories.push(c),
                        None => {
                            return Err(self.fail(
                                item.span(),
                                format!(
                                    "`says` of rule `{id}` names `@{key}`, which is no lexicon \
                                     category; use one of {} or `@pii`",
                                    Category::ALL
                                        .iter()
                                        .filter(|c| !c.is_modifier())
                                        .map(|c| format!("`@{}`", c.key()))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            ))
                        }
                    },
                }
            } else if let Some(name) = text.strip_prefix("file:") {
                phrases.extend(self.read_file(name, item.span(), id)?);
            } else if text.trim().is_empty() {
                return Err(
                    self.fail(item.span(), format!("`says` of rule `{id}` has an empty phrase"))
                );
            } else {
                phrases.push(text.trim().to_string());
            }
        }
        if !phrases.is_empty() {
            out.list = Some(self.add_list(phrases));
        }
        Ok(Find { who, says: out, scope })
    }

    fn read_file(
        &mut self,
        name: &str,
        span: std::ops::Range<usize>,
        id: &str,
    ) -> Result<Vec<String>, Problem> {
        let Some(dir) = self.dir else {
            return Err(self.fail(
                span,
                format!(
                    "rule `{id}` reads `file:{name}`, but {} is not a file beside phrase files",
                    self.source
                ),
            ));
        };
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| {
            self.fail(
                span.clone(),
                format!("rule `{id}` cannot read `file:{name}` ({}): {e}", path.display()),
            )
        })?;
        self.files.push(bytes.clone());
        let text = String::from_utf8(bytes).map_err(|_| {
            self.fail(span.clone(), format!("rule `{id}`: `file:{name}` is not UTF-8 text"))
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let phrases: Vec<String> = text
            .lines()
            .map(|l| l.split_once('#').map_or(l, |(before, _)| before).trim())
            .filter(|l| !l.is_empty() && *l != "!")
            .map(String::from)
            .collect();
        if phrases.is_empty() {
            return Err(self.fail(span, format!("rule `{id}`: `file:{name}` holds no phrase")));
        }
        Ok(phrases)
    }

    fn add_list(&mut self, phrases: Vec<String>) -> u16 {
        let list = self.lists.len() as u16;
        let mut entry = PhraseList::default();
        for (i, written) in phrases.into_iter().enumerate() {
            let (exception, text) = match written.strip_prefix('!') {
                Some(rest) => (true, rest.trim().to_string()),
                None => (false, written),
            };
            let normalized = normalize::for_matching(&text);
            entry.short.push(normalized.chars().count() <= 2);
            entry.written.push(text);
            entry.exception.push(exception);
            let pattern = match self.patterns.iter().position(|p| *p == normalized) {
                Some(p) => p,
                None => {
                    self.patterns.push(normalized);
                    self.owners.push(Vec::new());
                    self.patterns.len() - 1
                }
            };
            self.owners[pattern].push((list, i as u32));
        }
        self.lists.push(entry);
        list
    }

    /// The automaton, and the bytes of the phrase files read.
    pub fn finish(self) -> (Phrases, Vec<Vec<u8>>) {
        let automaton = (!self.patterns.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&self.patterns)
                .expect("rule phrases fit in memory")
        });
        (Phrases { automaton, owners: self.owners, lists: self.lists }, self.files)
    }
}

fn parse_scope(text: &str) -> Option<Scope> {
    let text = text.trim();
    match text {
        "any" => return Some(Scope::Any),
        "before_first_reply" => return Some(Scope::BeforeFirstReply),
        "after_first_reply" => return Some(Scope::AfterFirstReply),
        _ => {}
    }
    let (word, n) = text.split_once(' ')?;
    let n: u32 = n.trim().parse().ok().filter(|&n| n >= 1)?;
    match word {
        "first" => Some(Scope::First(n)),
        "last" => Some(Scope::Last(n)),
        _ => None,
    }
}

/// The rules' bit set: which of a ticket's rules did something (a failed veto, a flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RuleBits(pub u32);

impl RuleBits {
    pub fn insert(&mut self, rule: RuleId) {
        self.0 |= 1 << rule.0;
    }

    pub fn contains(self, rule: RuleId) -> bool {
        self.0 & 1 << rule.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = RuleId> {
        (0..MAX_RULES as u8).map(RuleId).filter(move |&r| self.contains(r))
    }
}
