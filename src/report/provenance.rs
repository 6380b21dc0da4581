//! What a report was made with, inside it: the lexicons byte for byte as
//! `lexicons/<category>.txt` and the scoring template as `template.toml`. A report so explains
//! itself, `zhijian diff` compares two reports' rules without any other file, and
//! `zhijian audit … --lexicons REPORT/lexicons --template REPORT/template.toml` scores the
//! same way again. Their sha256 sums are in `manifest.json`.

use crate::lexicon::Lexicon;
use crate::template::Template;

/// Where a report keeps its copy of the lexicons.
pub const LEXICONS_DIR: &str = "lexicons";
/// Where a report keeps its copy of the scoring template.
pub const TEMPLATE_FILE: &str = "template.toml";

/// Each file to write into the report: its path inside the report, and its bytes.
pub fn files(lexicon: &Lexicon, template: &Template) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = lexicon
        .files
        .iter()
        .map(|f| (format!("{LEXICONS_DIR}/{}.txt", f.category.key()), f.bytes.clone()))
        .collect();
    files.push((TEMPLATE_FILE.to_string(), template.text.clone().into_bytes()));
    files
}
