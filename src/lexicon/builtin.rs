//! The shipped lexicons, embedded in the binary at build time so that a copied or installed
//! binary needs no file beside it. A run uses this set unless `--lexicons DIR` names another,
//! which then replaces it whole (nothing is mixed). A unit test keeps this list equal to the
//! files in `lexicons/`, so the two never drift.

use std::path::PathBuf;

use super::Category;

/// Every category's shipped file, in `Category::ALL` order.
pub const FILES: [(Category, &str); Category::COUNT] = [
    (Category::Empathy, include_str!("../../lexicons/empathy.txt")),
    (Category::Filler, include_str!("../../lexicons/filler.txt")),
    (Category::Jargon, include_str!("../../lexicons/jargon.txt")),
    (Category::Negative, include_str!("../../lexicons/negative.txt")),
    (Category::Positive, include_str!("../../lexicons/positive.txt")),
    (Category::Forbidden, include_str!("../../lexicons/forbidden.txt")),
    (Category::Greeting, include_str!("../../lexicons/greeting.txt")),
    (Category::Closing, include_str!("../../lexicons/closing.txt")),
    (Category::OffPlatform, include_str!("../../lexicons/off_platform.txt")),
    (Category::Negation, include_str!("../../lexicons/negation.txt")),
    (Category::Degree, include_str!("../../lexicons/degree.txt")),
];

/// The regression cases shipped with the lexicons (`lexicons/tests/*.tsv`), which
/// `zhijian lexicon test` runs when given neither files nor `--lexicons`. The loader never
/// reads them: they sit in a sub-folder and are not `*.txt`.
pub const CASES: [(&str, &str); 1] =
    [("classes.tsv", include_str!("../../lexicons/tests/classes.tsv"))];

/// How failures name one built-in case file.
pub fn case_path(name: &str) -> PathBuf {
    PathBuf::from(format!("(built-in) lexicons/tests/{name}"))
}

/// How the manifest names the built-in set: `builtin v` and the crate version.
pub fn source() -> String {
    format!("builtin v{}", env!("CARGO_PKG_VERSION"))
}

/// How findings and errors name one built-in file.
pub fn path(category: Category) -> PathBuf {
    PathBuf::from(format!("(built-in) lexicons/{}.txt", category.key()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::*;
    use crate::lexicon::Lexicon;

    #[test]
    fn the_embedded_set_is_the_files_in_lexicons() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons");
        let on_disk: BTreeMap<String, Vec<u8>> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|item| item.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "txt"))
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&path).unwrap())
            })
            .collect();
        let embedded: BTreeMap<String, Vec<u8>> = FILES
            .iter()
            .map(|(category, text)| (format!("{}.txt", category.key()), text.as_bytes().to_vec()))
            .collect();
        assert_eq!(
            embedded.keys().collect::<Vec<_>>(),
            on_disk.keys().collect::<Vec<_>>(),
            "add every lexicons/*.txt to builtin::FILES"
        );
        for (name, bytes) in &on_disk {
            assert!(embedded[name] == *bytes, "{name} differs from its embedded copy");
        }
        let order: Vec<Category> = FILES.iter().map(|f| f.0).collect();
        assert_eq!(order, Category::ALL);
    }

    #[test]
    fn the_embedded_cases_are_the_files_in_lexicons_tests() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons/tests");
        let on_disk: BTreeMap<String, Vec<u8>> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|item| item.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "tsv"))
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&path).unwrap())
            })
            .collect();
        let embedded: BTreeMap<String, Vec<u8>> =
            CASES.iter().map(|(name, text)| (name.to_string(), text.as_bytes().to_vec())).collect();
        assert_eq!(embedded, on_disk, "add every lexicons/tests/*.tsv to builtin::CASES");
    }

    #[test]
    fn the_built_in_set_loads_whole() {
        let lexicon = Lexicon::builtin();
        assert_eq!(lexicon.source, format!("builtin v{}", env!("CARGO_PKG_VERSION")));
        assert_eq!(lexicon.files.len(), Category::COUNT);
        assert!(Category::ALL.iter().all(|&c| lexicon.has_category(c)));
        assert_eq!(lexicon.files[7].path, Path::new("(built-in) lexicons/closing.txt"));
    }
}
