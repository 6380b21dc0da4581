//! `zhijian lexicon check`: the mistakes a trainer editing lexicon files by hand makes, each
//! reported as `path:line: problem`. Takes a loaded [`Lexicon`], yields findings; never fixes.
//!
//! - duplicate: the same phrase (after normalization: 滿意 and 满意 are one) twice in a category;
//! - cross-category: the same phrase in two categories (modifiers excepted), so one hit counts
//!   twice;
//! - shadowed: an entry that an exception of its own category covers, so it can never count.

use std::collections::BTreeMap;

use super::{Category, Lexicon};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub path: String,
    pub line: usize,
    pub problem: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.problem)
    }
}

pub fn check(lexicon: &Lexicon) -> Vec<Finding> {
    let at = |file: usize, line: usize, problem: String| Finding {
        path: lexicon.files[file].path.display().to_string(),
        line,
        problem,
    };
    let mut findings = Vec::new();
    let mut first_seen: BTreeMap<(&str, Category, bool), (usize, usize)> = BTreeMap::new();
    let mut categories_of: BTreeMap<&str, Vec<(Category, usize, usize)>> = BTreeMap::new();
    for e in &lexicon.entries {
        let key = (e.normalized.as_str(), e.category, e.is_exception);
        match first_seen.get(&key) {
            Some(&(file, line)) => findings.push(at(
                e.file,
                e.line,
                format!(
                    "duplicate: `{}` is already at {}:{line}",
                    e.phrase,
                    lexicon.files[file].path.display()
                ),
            )),
            None => {
                first_seen.insert(key, (e.file, e.line));
            }
        }
        if !e.is_exception && !e.category.is_modifier() {
            categories_of.entry(&e.normalized).or_default().push((e.category, e.file, e.line));
        }
    }
    for (phrase, places) in &categories_of {
        let mut categories: Vec<Category> = places.iter().map(|p| p.0).collect();
        categories.sort();
        categories.dedup();
        if categories.len() > 1 {
            let names: Vec<&str> = categories.iter().map(|c| c.key()).collect();
            for &(_, file, line) in places.iter().skip(1) {
                let problem = format!(
                    "cross-category: `{phrase}` is in {} (one hit would count in each)",
                    names.join(" and ")
                );
                findings.push(at(file, line, problem));
            }
        }
    }
    let sentiment = |c: Category| matches!(c, Category::Positive | Category::Negative);
    for e in lexicon.entries.iter().filter(|e| !e.is_exception) {
        let covering = lexicon.entries.iter().find(|x| {
            x.is_exception
                && (x.category == e.category || (sentiment(x.category) && sentiment(e.category)))
                && x.normalized == e.normalized
        });
        if let Some(x) = covering {
            let problem = format!(
                "shadowed: `{}` never counts, the exception `!{}` at line {} covers it",
                e.phrase, x.phrase, x.line
            );
            findings.push(at(e.file, e.line, problem));
        }
    }
    findings.sort();
    findings
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn finds_duplicates_cross_category_and_shadowed_entries() {
        let mut lexicon = Lexicon::default();
        let files: &[(&str, Category, &str)] = &[
            ("negative.txt", Category::Negative, "差\n滿意度低\n满意度低\n不好意思\n!不好意思\n"),
            ("positive.txt", Category::Positive, "满意\n"),
            ("empathy.txt", Category::Empathy, "满意\n抱歉\n"),
        ];
        for (name, category, text) in files {
            lexicon.add_file(Path::new(name), *category, text.as_bytes()).unwrap();
        }
        let found: Vec<String> = check(&lexicon).iter().map(|f| f.to_string()).collect();
        assert_eq!(
            found,
            [
                "empathy.txt:1: cross-category: `满意` is in empathy and positive (one hit would count in each)",
                "negative.txt:3: duplicate: `满意度低` is already at negative.txt:2",
                "negative.txt:4: shadowed: `不好意思` never counts, the exception `!不好意思` at line 5 covers it",
            ]
        );
    }
}
