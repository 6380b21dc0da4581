//! The lexicons: every category's entries and exceptions, loaded once from `lexicons/*.txt`,
//! normalized the way message text is (so a traditional or full-width entry still matches), and
//! shared read-only by every worker. The manifest records each file's sha256 so a report can be
//! traced to the exact lexicon that produced it.

pub mod check;
pub mod syntax;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::normalize;
use syntax::Line;

/// What a lexicon file is about. The file stem names it (`empathy.txt` → `Empathy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Empathy,
    Filler,
    Jargon,
    Negative,
    Positive,
    Forbidden,
    Greeting,
    Closing,
    OffPlatform,
    Negation,
    Degree,
}

impl Category {
    pub const ALL: [Category; 11] = [
        Category::Empathy,
        Category::Filler,
        Category::Jargon,
        Category::Negative,
        Category::Positive,
        Category::Forbidden,
        Category::Greeting,
        Category::Closing,
        Category::OffPlatform,
        Category::Negation,
        Category::Degree,
    ];
    pub const COUNT: usize = Category::ALL.len();

    /// The file stem and the JSON key.
    pub fn key(self) -> &'static str {
        match self {
            Category::Empathy => "empathy",
            Category::Filler => "filler",
            Category::Jargon => "jargon",
            Category::Negative => "negative",
            Category::Positive => "positive",
            Category::Forbidden => "forbidden",
            Category::Greeting => "greeting",
            Category::Closing => "closing",
            Category::OffPlatform => "off_platform",
            Category::Negation => "negation",
            Category::Degree => "degree",
        }
    }

    pub fn from_key(key: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.key() == key)
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Modifiers never count by themselves; they change the sentiment hits that follow them.
    pub fn is_modifier(self) -> bool {
        matches!(self, Category::Negation | Category::Degree)
    }

    /// Categories whose meaning a preceding negation word flips or cancels.
    pub fn is_negatable(self) -> bool {
        matches!(self, Category::Positive | Category::Negative | Category::Empathy)
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
    pub file: usize,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct LexiconFile {
    pub path: PathBuf,
    pub category: Category,
    pub sha256: String,
}

/// All categories' entries. Built once per run (a few thousand entries, well under a
/// millisecond to load); shared by reference across rayon workers.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub entries: Vec<Entry>,
    pub files: Vec<LexiconFile>,
}

impl Lexicon {
    /// Loads every `*.txt` file of `dir`. A file whose stem is not a known category is an error,
    /// so a misspelled file name never silently drops a trainer's work.
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
        let mut lexicon = Lexicon::default();
        for (category, path) in paths {
            let bytes = std::fs::read(&path).map_err(Error::read(&path))?;
            lexicon.add_file(&path, category, &bytes)?;
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
        });
        let mut boundary_default = true;
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let parsed = syntax::parse_line(raw).map_err(|p| at(line, p))?;
            let (phrase, weight_milli, alt, boundary, is_exception) = match parsed {
                None => continue,
                Some(Line::BoundaryDefault(b)) => {
                    boundary_default = b;
                    continue;
                }
                Some(Line::Exception(p)) => (p, 0, None, Some(false), true),
                Some(Line::Entry(s)) => (s.phrase, s.weight_milli, s.alt, s.boundary, false),
            };
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
            self.entries.push(Entry {
                category,
                phrase,
                normalized,
                weight_milli,
                alt,
                needs_boundary: boundary.unwrap_or(boundary_default),
                is_exception,
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
}

fn known_keys() -> String {
    Category::ALL.map(Category::key).join(", ")
}
