//! The commands beside the audit: `explain` and `lexicon check` for trainers, `synth` for
//! benchmarks. Each reuses the audit's own stages, so what they show is what an audit does.

use std::fs::File;
use std::io::{BufWriter, Write};

use crate::cli::{ExplainArgs, LexiconArgs, SynthArgs};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::lexicon::{check, Lexicon};
use crate::normalize::NormText;
use crate::report;

/// `zhijian explain`: each text's normalized form, tokens and hits, for trainers.
pub fn explain(args: &ExplainArgs) -> Result<()> {
    let engine = Engine::new(Lexicon::load(args.lexicons.as_deref())?, 30, false, false);
    let mut out = String::new();
    for text in &args.texts {
        let norm = NormText::new(text);
        let words = engine.tokenizer.words(&norm.text);
        let tokens = engine.tokenizer.tokenize(&norm.text);
        out.push_str(&format!(
            "text        {text}\nnormalized  {}\ntokens      {}\n",
            norm.text,
            words.join(" | ")
        ));
        for hit in engine.matcher.find(&norm.text, &tokens) {
            let entry = engine.lexicon.entry(hit.entry);
            let counts = hit
                .counts_as()
                .map_or("does not count".to_string(), |c| format!("counts as {}", c.key()));
            out.push_str(&format!(
                "  hit  {} {:<12} w={:<5} {:<14} {}\n",
                pad(&entry.phrase, 12),
                entry.category.key(),
                f64::from(hit.weight_milli) / 1000.0,
                report::jsonl::effect_key(hit.effect),
                counts
            ));
        }
        out.push('\n');
    }
    std::io::stdout().write_all(out.as_bytes()).map_err(Error::write("-"))
}

/// A terminal table's lines, one per row (ragged rows allowed): columns padded to their
/// display width (a Han character takes two), separated by two spaces, trailing spaces trimmed;
/// a cell is left-aligned where `left(column, cell)` says so, else right-aligned.
pub(crate) fn aligned_lines(
    rows: &[Vec<String>],
    left: impl Fn(usize, &str) -> bool,
) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| rows.iter().map(|r| r.get(i).map_or(0, |s| s.width())).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    let pad = " ".repeat(widths[i] - cell.width());
                    if left(i, cell) {
                        format!("{cell}{pad}")
                    } else {
                        format!("{pad}{cell}")
                    }
                })
                .collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect()
}

/// `text` padded with spaces to `columns` terminal columns: a Han character takes two, so
/// `{:<12}` (which counts characters) would misalign Chinese entries.
fn pad(text: &str, columns: usize) -> String {
    let width = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(columns.saturating_sub(width)))
}

/// `zhijian lexicon check`: prints every finding, or the verdict when there is none, to
/// stdout; fails (the one-line error on stderr) when there is a finding.
pub fn lexicon_check(args: &LexiconArgs) -> Result<()> {
    let lexicon = Lexicon::load(args.lexicons.as_deref())?;
    let findings = check::check(&lexicon);
    let mut out = String::new();
    for finding in &findings {
        out.push_str(&format!("{finding}\n"));
    }
    if findings.is_empty() {
        let (entries, files) = (lexicon.entries.len(), lexicon.files.len());
        out.push_str(&format!("{entries} entries in {files} files: no problems found\n"));
    }
    std::io::stdout().write_all(out.as_bytes()).map_err(Error::write("-"))?;
    match findings.len() {
        0 => Ok(()),
        problems => Err(Error::LexiconCheck { problems }),
    }
}

/// `zhijian synth`: synthetic tickets to stdout or a file (written whole, then renamed).
pub fn synth(args: &SynthArgs) -> Result<()> {
    let options = crate::synth::SynthOptions {
        tickets: args.tickets,
        agents: args.agents.max(1),
        seed: args.seed,
        timestamps: !args.no_timestamps,
    };
    match &args.out {
        None => {
            let stdout = std::io::stdout().lock();
            crate::synth::write_tickets(&options, BufWriter::new(stdout)).map_err(Error::write("-"))
        }
        Some(path) => {
            let partial = path.with_extension("partial");
            let file = File::create(&partial).map_err(Error::write(&partial))?;
            crate::synth::write_tickets(&options, BufWriter::new(file))
                .map_err(Error::write(&partial))?;
            std::fs::rename(&partial, path).map_err(Error::write(path))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn padding_counts_terminal_columns() {
        let cases =
            [("abc", 6, "abc   "), ("您好", 6, "您好  "), ("很长的条目名称", 6, "很长的条目名称")];
        for (text, columns, want) in cases {
            assert_eq!(super::pad(text, columns), want, "{text}");
        }
    }
}
