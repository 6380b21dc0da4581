//! Stage 10 — reports. Each format module turns results into bytes and never touches the
//! filesystem; this module alone writes. Everything goes into a staging directory beside
//! `--out`, which replaces `--out` by rename only once every file is complete: a run that
//! fails or is killed leaves the previous reports as they were and no half-written file.

pub mod csv;
pub mod html;
pub mod jsonl;
pub mod labels;
pub mod manifest;
pub mod markdown;
pub mod summary;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// One agent's page, as the Markdown and the HTML formats both render it.
#[derive(Clone, Copy)]
pub struct AgentPage<'a> {
    pub id: &'a str,
    pub name: Option<&'a str>,
    pub metrics: &'a crate::aggregate::Metrics,
    pub team: &'a crate::aggregate::Metrics,
    /// The first flagged tickets (at most `markdown::FLAGGED_SHOWN`), in ticket-id order.
    pub flagged: &'a [jsonl::FlaggedTicket],
    pub flagged_total: usize,
}

impl AgentPage<'_> {
    /// Plain text; each format escapes it its own way.
    pub fn title(&self) -> String {
        match self.name {
            Some(name) => format!("客服质检报告: {name} ({})", self.id),
            None => format!("客服质检报告: {}", self.id),
        }
    }
}

/// The file that marks a directory as zhijian's to replace.
pub const MARKER: &str = "manifest.json";

pub struct Staging {
    pub dir: PathBuf,
    target: PathBuf,
}

impl Staging {
    /// Refuses an `--out` that holds anything but an earlier report, so a typo can never
    /// replace someone's home directory.
    pub fn create(target: &Path) -> Result<Staging> {
        if target.exists() {
            let mut listing = std::fs::read_dir(target).map_err(Error::read(target))?;
            let empty = listing.next().is_none();
            if !empty && !target.join(MARKER).is_file() {
                return Err(Error::ForeignOutput { path: target.to_path_buf() });
            }
        }
        let name = target.file_name().map_or("out".into(), |n| n.to_string_lossy().into_owned());
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(Error::write(&parent))?;
        remove_stale_staging(&parent, &name);
        let dir = parent.join(format!(".{name}.zhijian-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(Error::write(&dir))?;
        }
        std::fs::create_dir_all(dir.join("agents")).map_err(Error::write(&dir))?;
        Ok(Staging { dir, target: target.to_path_buf() })
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path(name);
        std::fs::write(&path, bytes).map_err(Error::write(path))
    }

    /// Puts the finished reports in place: the old directory is moved aside, the new one
    /// renamed in, the old one removed.
    pub fn commit(self) -> Result<()> {
        let aside = self.dir.with_extension("old");
        if self.target.exists() {
            std::fs::rename(&self.target, &aside).map_err(Error::write(&self.target))?;
        }
        std::fs::rename(&self.dir, &self.target).map_err(Error::write(&self.target))?;
        if aside.exists() {
            std::fs::remove_dir_all(&aside).map_err(Error::write(&aside))?;
        }
        Ok(())
    }

    pub fn abandon(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Removes what killed runs left beside `--out` (their staging directories), but only where
/// the process that made one is gone: Linux's /proc says so; elsewhere nothing is removed.
fn remove_stale_staging(parent: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let prefix = format!(".{name}.zhijian-");
    let Ok(listing) = std::fs::read_dir(parent) else { return };
    for item in listing.flatten() {
        let file_name = item.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else { continue };
        let pid = rest.trim_end_matches(".old");
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(item.path());
        }
    }
}

/// A file name for an agent id: safe on every file system, never a path, and distinct for
/// distinct ids. Letters (any script), digits, `-` and `_` are kept; anything else, or an id
/// longer than 64 characters, gets a short hash of the full id appended.
pub fn agent_file_stem(agent_id: &str) -> String {
    let mut stem: String = agent_id
        .chars()
        .take(64)
        .map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    if stem != agent_id || stem.is_empty() {
        let hash = crate::sample::sample_key(0, agent_id);
        stem.push_str(&format!("-{:08x}", hash as u32));
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

    #[test]
    fn agent_file_names_are_safe_and_distinct() {
        let long = "甲".repeat(300);
        let cases = [
            "A017",
            "小王",
            "../etc/passwd",
            "a/b",
            "..",
            "a\0b",
            ".hidden",
            "",
            long.as_str(),
            "a_b",
            "a/b ",
        ];
        let mut seen = std::collections::HashSet::new();
        for id in cases {
            let stem = agent_file_stem(id);
            assert!(
                !stem.is_empty() && !stem.contains(['/', '\\', '\0']) && !stem.starts_with('.'),
                "{id:?} → {stem:?}"
            );
            assert!(stem.chars().count() <= 73, "{id:?} → {stem:?}");
            assert!(seen.insert(stem.clone()), "{id:?} collides as {stem:?}");
        }
        assert_eq!(agent_file_stem("A017"), "A017");
    }
}
