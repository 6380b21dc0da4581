//! The lexicons: every category's entries and exceptions, loaded once — the built-in set
//! embedded in the binary, or a `--lexicons` directory of `<category>.txt` files — normalized
//! the way message text is (so a traditional or full-width entry still matches), and shared
//! read-only by every worker. Every category is required and must hold at least one entry
//! (each feeds a check or a score; see [`Category::read_by`]). The manifest records the source
//! and each file's sha256 and entry count, so a report can be traced to the exact lexicon that
//! produced it. [`Category`] is `vocab`'s word; what the lexicons and the matching rules know
//! of one (modifier, negatable, conduct, who reads it) is here.

pub mod builtin;
pub mod check;
pub mod syntax;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::normalize;
use syntax::Line;

pub use crate::vocab::Category;

/// What the lexicons and the matching rules know of a category (its words are `vocab`'s).
impl Category {
    /// Modifiers never count by themselves; they change the sentiment hits that follow them.
    pub fn is_modifier(self) -> bool {
        matches!(self, Category::Negation | Category::Degree)
    }

    /// What reads the category, so why it may be neither missing nor empty: an absent list
    /// would not mean "unknown" but silently pass or fail every ticket on it.
    pub fn read_by(self) -> &'static str {
        match self {
            Category::Empathy => "the empathy score and the complaint_without_empathy flag read it",
            Category::Filler | Category::Jargon => "the language score reads it",
            Category::Negative => "complaints, escalation and the language score read it",
            Category::Positive => "complaints and escalation weigh negative against it",
            Category::Forbidden => "the no_forbidden check and the conduct score read it",
            Category::Greeting => "the greeting check reads it",
            Category::Closing => "the closing check reads it",
            Category::OffPlatform => "the no_off_platform check and the conduct score read it",
            Category::Negation => "without it 不满意 would count as 满意",
            Category::Degree => "without it 有点贵 would weigh as much as 贵",
        }
    }

    /// Categories whose meaning a preceding negation word flips or cancels.
    pub fn is_negatable(self) -> bool {
        matches!(self, Category::Positive | Category::Negative | Category::Empathy)
            || self.is_conduct()
    }

    /// Conduct an agent is flagged for. A prohibition before it is the opposite speech act
    /// (请不要私下加微信 warns against the violation), so a negation cancels it across a gap
    /// of function words ([`crate::matcher`] rule 4), and a warning cue anywhere earlier in the
    /// clause (谨防, 严禁, 不会要求您…) or a judging word after it (是违规的) cancels it too,
    /// unless the phrase names the agent's own channel (加我微信).
    pub fn is_conduct(self) -> bool {
        matches!(self, Category::OffPlatform)
    }
}

/// Dense index of an entry in `Lexicon::entries`.
pub type EntryId = u32;

#[derive(Debug, Clone)]
pub struct Entry {
    pub category: Category,
    /// As written in the file (shown to people).
    pub phrase: String,
    /// As matched (normalized like message text).
    pub normalized: String,
    pub weight_milli: u32,
    pub alt: Option<String>,
    pub needs_boundary: bool,
    /// An exception cancels hits of its category that overlap it; it never counts itself.
    pub is_exception: bool,
    /// A context word (少, 凉, 旧): it counts only when a degree word before it (太少) or a 了
    /// after it (凉了) says it is a complaint, not a description (少量, 小号).
    pub needs_degree: bool,
    /// Under `@side customer`: a customer's word (a defect, a feeling, a threat) that an agent
    /// only ever restates; it never counts on agent turns.
    pub customer_only: bool,
    pub file: usize,
    pub line: usize,
}

/// The placeholder for a number inside an entry: `都{n}天了` matches 都3天了, 都三天了 and
/// 都好几天了 alike, so a class of phrases is one entry, not a list of numerals.
pub const NUMBER: &str = "{n}";

impl Entry {
    /// An entry with a [`NUMBER`] placeholder, matched by pattern rather than as literal text.
    pub fn is_pattern(&self) -> bool {
        self.normalized.contains(NUMBER)
    }
}

#[derive(Debug, Clone)]
pub struct LexiconFile {
    pub path: PathBuf,
    pub category: Category,
    pub sha256: String,
    /// Entries that count (exceptions apart).
    pub entries: usize,
    /// `!` exceptions.
    pub exceptions: usize,
    /// The file as read, so a report can carry an exact copy (`report::provenance`).
    pub bytes: Vec<u8>,
}

/// All categories' entries. Built once per run (a few thousand entries, well under a
/// millisecond to load); shared by reference across rayon workers.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub entries: Vec<Entry>,
    pub files: Vec<LexiconFile>,
    /// Where the set came from, as the manifest shows it: `builtin v0.1.0` or the directory
    /// as given.
    pub source: String,
}

impl Lexicon {
    /// One sha256 for the whole set, from the per-file sha256s the manifest records: the digest
    /// of the lines `<sha256>  <name>\n` (as `sha256sum` writes them) in the manifest's order,
    /// so an auditor can recompute it from `manifest.json` alone.
    pub fn fingerprint(&self) -> String {
        let mut listing = String::new();
        for file in &self.files {
            let name = file.path.file_name().unwrap_or_default().to_string_lossy();
            listing.push_str(&format!("{}  {name}\n", file.sha256));
        }
        format!("{:x}", Sha256::digest(listing.as_bytes()))
    }

    /// `--lexicons DIR` when given, else the built-in set. A `./lexicons` in the working
    /// directory is never picked up by itself: which lexicons score a run is said, not guessed.
    pub fn load(dir: Option<&Path>) -> Result<Lexicon> {
        match dir {
            Some(dir) => Lexicon::load_dir(dir),
            None => Ok(Lexicon::builtin()),
        }
    }

    /// The set embedded in the binary (`builtin::FILES`); its unit tests keep it loadable.
    pub fn builtin() -> Lexicon {
        let mut lexicon = Lexicon { source: builtin::source(), ..Lexicon::default() };
        for (category, text) in builtin::FILES {
            let path = builtin::path(category);
            lexicon.add_file(&path, category, text.as_bytes()).expect("the shipped lexicons parse");
        }
        lexicon
    }

    /// Loads every `*.txt` file of `dir`. A file whose stem is not a known category is an error,
    /// so a misspelled file name never silently drops a trainer's work; so is a category that is
    /// missing or has no entries (after the per-line errors, which name the exact line).
    pub fn load_dir(dir: &Path) -> Result<Lexicon> {
        let listing = std::fs::read_dir(dir).map_err(Error::read(dir))?;
        let mut paths = BTreeMap::new();
        for item in listing {
            let path = item.map_err(Error::read(dir))?.path();
            if path.extension().is_some_and(|e| e == "txt") {
                let stem = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
                let category = Category::from_key(&stem).ok_or_else(|| Error::LexiconDir {
                    path: path.clone(),
                    problem: format!("`{stem}` is not a category (known: {})", known_keys()),
                })?;
                paths.insert(category, path);
            }
        }
        if paths.is_empty() {
            return Err(Error::LexiconDir {
                path: dir.to_path_buf(),
                problem: "holds no *.txt lexicon files".into(),
            });
        }
        let mut lexicon = Lexicon { source: dir.display().to_string(), ..Lexicon::default() };
        for (&category, path) in &paths {
            let bytes = std::fs::read(path).map_err(Error::read(path))?;
            lexicon.add_file(path, category, &bytes)?;
        }
        let problems: Vec<String> = Category::ALL
            .iter()
            .filter(|&&c| !lexicon.has_category(c))
            .map(|&c| {
                let state = if paths.contains_key(&c) { "has no entries" } else { "is missing" };
                format!("{}.txt {state} ({})", c.key(), c.read_by())
            })
            .collect();
        if !problems.is_empty() {
            return Err(Error::LexiconIncomplete {
                dir: dir.to_path_buf(),
                problems: problems.join("; "),
            });
        }
        Ok(lexicon)
    }

    /// Adds one file's entries. Public so tests can build lexicons from strings.
    pub fn add_file(&mut self, path: &Path, category: Category, bytes: &[u8]) -> Result<()> {
        let at = |line: usize, problem: String| Error::Lexicon {
            path: path.to_path_buf(),
            line,
            problem,
        };
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            at(line, "not valid UTF-8".into())
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let file = self.files.len();
        self.files.push(LexiconFile {
            path: path.to_path_buf(),
            category,
            sha256: format!("{:x}", Sha256::digest(bytes)),
            entries: 0,
            exceptions: 0,
            bytes: bytes.to_vec(),
        });
        let mut boundary_default = true;
        let mut customer_only = false;
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let parsed = syntax::parse_line(raw).map_err(|p| at(line, p))?;
            let (phrase, weight_milli, alt, boundary, is_exception, needs_degree) = match parsed {
                None => continue,
                Some(Line::BoundaryDefault(b)) => {
                    boundary_default = b;
                    continue;
                }
                Some(Line::CustomerOnly(c)) => {
                    customer_only = c;
                    continue;
                }
                Some(Line::Exception(p)) => (p, 0, None, Some(false), true, false),
                Some(Line::Entry(s)) => {
                    (s.phrase, s.weight_milli, s.alt, s.boundary, false, s.needs_degree)
                }
            };
            if needs_degree && !matches!(category, Category::Positive | Category::Negative) {
                let problem = "needs=degree is only for positive, negative and empathy entries";
                return Err(at(line, problem.into()));
            }
            if alt.is_some() != (category == Category::Jargon && !is_exception) {
                let problem = if alt.is_some() {
                    "alt= is only for jargon entries"
                } else {
                    "a jargon entry needs alt=<plain-language alternative>"
                };
                return Err(at(line, problem.into()));
            }
            let normalized = normalize::for_matching(&phrase);
            if normalized.is_empty() {
                return Err(at(line, "the entry is empty after normalization".into()));
            }
            let counts = &mut self.files[file];
            *if is_exception { &mut counts.exceptions } else { &mut counts.entries } += 1;
            self.entries.push(Entry {
                category,
                phrase,
                normalized,
                weight_milli,
                alt,
                needs_boundary: boundary.unwrap_or(boundary_default),
                is_exception,
                needs_degree,
                customer_only,
                file,
                line,
            });
        }
        Ok(())
    }

    pub fn entry(&self, id: EntryId) -> &Entry {
        &self.entries[id as usize]
    }

    pub fn has_category(&self, category: Category) -> bool {
        self.entries.iter().any(|e| e.category == category && !e.is_exception)
    }

    /// The phrases jieba should keep whole: entries that must sit on token boundaries, so
    /// their matching does not depend on how the HMM happens to cut an unknown phrase.
    pub fn tokenizer_words(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(|e| e.needs_boundary && !e.is_exception && !e.is_pattern())
            .map(|e| e.normalized.as_str())
    }
}

fn known_keys() -> String {
    Category::ALL.map(Category::key).join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory with one small valid file per category, `category` replaced by `text`
    /// (`None`: no file at all).
    fn load_with(category: Category, text: Option<&str>) -> Result<Lexicon> {
        let dir = tempfile::tempdir().unwrap();
        for c in Category::ALL {
            let body = match (c == category, c) {
                (true, _) => text,
                (false, Category::Jargon) => Some("工单 | alt=处理单\n"),
                (false, _) => Some("词\n"),
            };
            if let Some(body) = body {
                std::fs::write(dir.path().join(format!("{}.txt", c.key())), body).unwrap();
            }
        }
        Lexicon::load_dir(dir.path())
    }

    #[test]
    fn every_category_is_required_with_at_least_one_entry() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            ("no file", None, "is missing"),
            ("an empty file", Some(""), "has no entries"),
            ("comments only", Some("# 说明\n\n"), "has no entries"),
            ("exceptions only", Some("!不好意思\n"), "has no entries"),
        ];
        for category in Category::ALL {
            for (name, text, says) in cases {
                let err = match load_with(category, *text) {
                    Ok(_) => panic!("{}: {name}: accepted", category.key()),
                    Err(err) => err.to_string(),
                };
                let want = format!("{}.txt {says} ({})", category.key(), category.read_by());
                assert!(err.contains(&want), "{}: {name}: {err}", category.key());
                assert!(err.starts_with("lexicon directory "), "{err}");
                assert!(err.contains("leave out --lexicons"), "{err}");
                assert!(!err.contains('\n'), "{err}");
            }
        }
    }

    #[test]
    fn a_complete_directory_loads_and_counts_entries_and_exceptions() {
        let lexicon = load_with(Category::Negative, Some("差\n生气 | w=2\n!不好意思\n")).unwrap();
        assert_eq!(lexicon.files.len(), Category::COUNT);
        let negative = &lexicon.files[Category::Negative.index()];
        assert_eq!(
            (negative.category, negative.entries, negative.exceptions),
            (Category::Negative, 2, 1)
        );
        assert!(!lexicon.source.is_empty());
    }
}
