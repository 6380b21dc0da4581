//! Stage 10 — reports. Each format module turns results into bytes and never touches the
//! filesystem; `output.rs` alone writes. Everything goes into a staging directory beside
//! `--out`, which replaces `--out` by rename only once every file is complete: a run that
//! fails or is killed leaves the previous reports as they were and no half-written file, and
//! only a directory zhijian wrote is ever replaced (`marker.rs`).
//!
//! Formats compute nothing: they take page models built upstream (`aggregate::Metrics`,
//! `pages`, [`TeamPage`], [`AgentPage`], `conversation::Conversation`, the compliance score
//! and the evidence chosen in `run`), import words from `vocab`, and take their Chinese from
//! `labels`.

pub mod conversation;
pub mod csv;
pub mod digest;
pub mod figures;
pub mod html;
pub mod jsonl;
pub mod kpi;
pub mod labels;
pub mod manifest;
pub mod marker;
pub mod markdown;
pub mod output;
pub mod provenance;
pub mod summary;
pub mod team_page;

pub use output::Staging;
pub use team_page::TeamPage;

/// One agent's page, as the Markdown and the HTML formats both render it: a head from this,
/// then `flagged_shown` flagged tickets (each rendered on its own, so a page of thousands is
/// written one ticket at a time), then a tail from this.
#[derive(Clone, Copy)]
pub struct AgentPage<'a> {
    pub id: &'a str,
    pub name: Option<&'a str>,
    /// The agent's file stem ([`agent_file_stem`]), for links to its reason pages.
    pub stem: &'a str,
    pub metrics: &'a crate::aggregate::Metrics,
    pub team: &'a crate::aggregate::Metrics,
    /// How many flagged tickets the page lists, and how many the agent has.
    pub flagged_shown: usize,
    pub flagged_total: usize,
    /// The agent's flags by reason, most serious first (see `pages`); a table of them heads the
    /// flagged tickets when the page leaves some off.
    pub reasons: &'a [crate::pages::ReasonLine],
    /// The scoring template: the keys and labels of the rules among the reasons.
    pub template: &'a crate::template::Template,
    /// With `--baseline` / `--history`: the change since then, the recent scores, repeats.
    pub change: Option<&'a crate::trend::Change>,
    /// The agent's KPIs against the template's targets, and the team's figures.
    pub kpi: &'a kpi::Card,
    pub team_kpi: &'a kpi::Card,
}

/// All of one agent's flagged tickets with one reason, `agents/<stem>/<reason>.html|.md`: a
/// head from this, then `line.total` tickets rendered one at a time, then a tail.
#[derive(Clone, Copy)]
pub struct ReasonPage<'a> {
    pub agent: &'a AgentPage<'a>,
    pub line: &'a crate::pages::ReasonLine,
}

impl ReasonPage<'_> {
    /// Plain text; each format escapes it its own way.
    pub fn title(&self) -> String {
        let reason = labels::flag_reason(self.line.reason, self.agent.template);
        format!("{} — {}", self.agent.title(), reason)
    }
}

/// An agent's page for one reason, relative to `agents/`, without the extension: its flagged
/// tickets with that reason, in a directory named after the agent's page.
pub fn reason_page_path(
    stem: &str,
    reason: crate::vocab::FlagReason,
    template: &crate::template::Template,
) -> String {
    format!("{stem}/{}", template.flag_key(reason))
}

impl AgentPage<'_> {
    /// Flagged tickets the page leaves off (to its reason pages).
    pub fn flagged_left_off(&self) -> usize {
        self.flagged_total - self.flagged_shown
    }

    /// Plain text; each format escapes it its own way.
    pub fn title(&self) -> String {
        match self.name {
            Some(name) => format!("客服质检报告: {name} ({})", self.id),
            None => format!("客服质检报告: {}", self.id),
        }
    }
}

/// Longest agent file stem, in bytes: with `.html` it stays far below the 255-byte name limit
/// of common file systems (and below eCryptfs's 143).
pub const STEM_MAX_BYTES: usize = 128;
/// Longest readable prefix of a hashed stem, in bytes: prefix, `~` and 16 hex digits ≤ 113.
const PREFIX_MAX_BYTES: usize = 96;

/// A file name for an agent id: safe on every file system, never a path, at most
/// [`STEM_MAX_BYTES`] bytes, and different for different ids.
///
/// An id of at most [`STEM_MAX_BYTES`] bytes, made only of letters (any script), digits, `-`
/// and `_`, is its own stem. Any other id becomes `<prefix>~<hash>`: the prefix is the id with
/// every other character replaced by `_`, cut to [`PREFIX_MAX_BYTES`] bytes on a character
/// boundary (`_` when empty); the hash is the first 64 bits of the id's SHA-256, in hex.
///
/// Why two ids never share a page: a kept stem is the id itself and holds no `~`, while every
/// hashed stem holds one, so a kept stem never equals a hashed one (`a/b` → `a_b~c14c…`, and
/// the id `a_b~c14c…` is itself hashed, because of its `~`). Two kept stems differ because
/// their ids do. Two hashed stems differ unless two ids share the first 64 bits of their
/// SHA-256: for 10⁵ agents a chance below 10⁻⁹ (n²/2⁶⁵). Not covered: file systems that
/// ignore case or normalize Unicode (`A1` and `a1` are one file on macOS and Windows).
pub fn agent_file_stem(agent_id: &str) -> String {
    let safe = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    if !agent_id.is_empty() && agent_id.len() <= STEM_MAX_BYTES && agent_id.chars().all(safe) {
        return agent_id.to_string();
    }
    let mut stem = String::with_capacity(PREFIX_MAX_BYTES + 17);
    for c in agent_id.chars().map(|c| if safe(c) { c } else { '_' }) {
        if stem.len() + c.len_utf8() > PREFIX_MAX_BYTES {
            break;
        }
        stem.push(c);
    }
    if stem.is_empty() {
        stem.push('_');
    }
    let digest = <sha2::Sha256 as sha2::Digest>::digest(agent_id.as_bytes());
    stem.push('~');
    for byte in &digest[..8] {
        stem.push_str(&format!("{byte:02x}"));
    }
    stem
}

pub fn pretty_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("report values serialize");
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An id and the stem it must get (hashes: the first 16 hex digits of `sha256sum`).
    struct Stem {
        name: &'static str,
        id: String,
        stem: String,
    }

    fn t(name: &'static str, id: &str, stem: &str) -> Stem {
        Stem { name, id: id.to_string(), stem: stem.to_string() }
    }

    fn cases() -> Vec<Stem> {
        let long = "𠀀".repeat(63);
        vec![
            t("plain id", "A017", "A017"),
            t("Chinese", "小王", "小王"),
            t("dash and underscore", "a_b-c", "a_b-c"),
            t("slash", "a/b", "a_b~c14cddc033f64b9d"),
            t(
                "escaped form of a/b, as an id",
                "a_b~c14cddc033f64b9d",
                "a_b_c14cddc033f64b9d~290bec97cc6a0bfc",
            ),
            t("dot dot", "..", "__~5ec1f7e700f37c3d"),
            t("space", "a b", "a_b~c8687a08aa5d6ed2"),
            t("empty", "", "_~e3b0c44298fc1c14"),
            t(
                "252 bytes of four-byte letters",
                &long,
                &format!("{}~a6c4e1611aec083d", "𠀀".repeat(24)),
            ),
        ]
    }

    #[test]
    fn agent_file_stems() {
        for case in cases() {
            assert_eq!(agent_file_stem(&case.id), case.stem, "{}", case.name);
        }
    }

    #[test]
    fn agent_file_stems_are_safe_short_and_distinct_even_from_escaped_forms() {
        let long = "甲".repeat(300);
        let mut ids: Vec<String> =
            ["A017", "../etc/passwd", "a/b", "a\0b", ".hidden", "a_b", "a/b "]
                .map(String::from)
                .into();
        ids.push(long);
        ids.extend(cases().into_iter().map(|c| c.id));
        // Adversarial: every stem, taken as an id of its own.
        let stems: Vec<String> = ids.iter().map(|id| agent_file_stem(id)).collect();
        ids.extend(stems);
        ids.sort();
        ids.dedup();
        let mut seen = std::collections::HashMap::new();
        for id in &ids {
            let stem = agent_file_stem(id);
            assert!(
                !stem.is_empty() && !stem.contains(['/', '\\', '\0']) && !stem.starts_with('.'),
                "{id:?} → {stem:?}"
            );
            assert!(stem.len() <= STEM_MAX_BYTES, "{id:?} → {stem:?}: {} bytes", stem.len());
            if let Some(other) = seen.insert(stem.clone(), id) {
                panic!("{id:?} and {other:?} share the page {stem:?}");
            }
        }
    }
}
