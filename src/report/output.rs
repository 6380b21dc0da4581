//! The `--out` directory: where a run stages its reports, how it swaps them in, and what runs
//! that died left behind.
//!
//! A run writes every file into `.<out>.zhijian-<pid>.staging` beside `--out`, the marker
//! (`marker.rs`) last. The swap then checks once more that `--out` holds only what zhijian
//! wrote, and (b) moves it aside to `.<out>.zhijian-<pid>.aside`, (c) renames the staging
//! directory to `--out`, (d) removes the aside file by file. Names carry the pid, so no run
//! trips over another's leftovers. A run that finds leftovers of a dead run (Linux's /proc has
//! no such pid; elsewhere nothing counts as dead) cleans them up before it starts, and says so:
//! when `--out` is missing, a kill at (b) left the previous report aside, and it is put back
//! first; staging directories are removed; asides are removed when they hold only what zhijian
//! wrote, and otherwise named for the user to remove. An `--out` that is a link is followed:
//! the directory it points to is replaced, the link stays as it is.

use std::fmt;
use std::path::{Path, PathBuf};

use super::marker::{self, Contents, Proof};
use crate::error::{Error, Result};

/// A run's staging directory, removed unless committed (also when the run fails or panics).
pub struct Staging {
    pub dir: PathBuf,
    out: Out,
    quiet: bool,
    committed: bool,
}

impl Staging {
    /// Cleans up after dead runs, refuses an `--out` holding anything zhijian did not write,
    /// and makes the staging directory. Unless `quiet`, says on stderr what it cleaned up.
    pub fn create(out: &Path, quiet: bool) -> Result<Staging> {
        let staging = Staging::create_bare(out, quiet)?;
        let agents = staging.path("agents");
        std::fs::create_dir_all(&agents).map_err(Error::write(agents))?;
        Ok(staging)
    }

    /// As [`Staging::create`], for a report without agent pages (`zhijian diff --out`).
    pub fn create_bare(out: &Path, quiet: bool) -> Result<Staging> {
        let out = Out::resolve(out)?;
        tell(&recover(&out), quiet);
        out.check()?;
        let dir = out.beside(Kind::Staging, std::process::id());
        std::fs::create_dir_all(&dir).map_err(Error::write(&dir))?;
        Ok(Staging { dir, out, quiet, committed: false })
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path(name);
        std::fs::write(&path, bytes).map_err(Error::write(path))
    }

    /// Writes each `(path inside the report, bytes)`, making the folders they need.
    pub fn write_all(&self, files: Vec<(String, Vec<u8>)>) -> Result<()> {
        for (name, bytes) in files {
            if let Some(parent) = self.path(&name).parent() {
                std::fs::create_dir_all(parent).map_err(Error::write(parent))?;
            }
            self.write(&name, &bytes)?;
        }
        Ok(())
    }

    /// Marks the finished reports as zhijian's and swaps them in. Fails, leaving `--out` as it
    /// was, if `--out` gained a file zhijian did not write while the run was going.
    pub fn commit(mut self) -> Result<()> {
        let files = marker::files_under(&self.dir).map_err(Error::read(&self.dir))?;
        self.write(marker::MARKER, &marker::render(files))?;
        let target = self.out.target.clone();
        let had_report = matches!(self.out.check()?, Contents::Ours { .. });
        let aside = self.out.beside(Kind::Aside, std::process::id());
        if had_report {
            std::fs::rename(&target, &aside).map_err(Error::write(&target))?;
        }
        if let Err(source) = std::fs::rename(&self.dir, &target) {
            if had_report {
                let _ = std::fs::rename(&aside, &target);
            }
            return Err(Error::Write { path: target, source });
        }
        self.committed = true;
        if had_report {
            if let Err(kept) = remove_aside(&aside, Proof::Report) {
                tell(&[kept], self.quiet);
            }
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// `--out` as given, and resolved: the real directory (a link followed), its parent and name.
struct Out {
    given: PathBuf,
    target: PathBuf,
    parent: PathBuf,
    name: String,
}

impl Out {
    fn resolve(given: &Path) -> Result<Out> {
        let target = match std::fs::symlink_metadata(given) {
            Ok(meta) => existing(given, meta.file_type().is_symlink())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing(given)?,
            Err(source) => return Err(Error::Read { path: given.to_path_buf(), source }),
        };
        let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
            return Err(Error::OutputNotDirectory { path: given.to_path_buf() });
        };
        let name = name.to_string_lossy().into_owned();
        Ok(Out { given: given.to_path_buf(), parent: parent.to_path_buf(), name, target })
    }

    /// `.<out>.zhijian-<pid>.staging` or `.aside`, beside `--out`.
    fn beside(&self, kind: Kind, pid: u32) -> PathBuf {
        self.parent.join(format!(".{}.zhijian-{pid}.{}", self.name, kind.suffix()))
    }

    /// What `--out` holds; an error naming the first foreign files if not zhijian's.
    fn check(&self) -> Result<Contents> {
        match marker::inspect(&self.target, Proof::Report).map_err(Error::read(&self.given))? {
            Contents::Foreign { unknown } => {
                Err(Error::ForeignOutput { path: self.given.clone(), unknown })
            }
            contents => Ok(contents),
        }
    }
}

/// An existing `--out`, links followed; a dangling link or a file is refused.
fn existing(given: &Path, is_link: bool) -> Result<PathBuf> {
    let real = std::fs::canonicalize(given).map_err(|source| match is_link {
        true => Error::OutputLink {
            path: given.to_path_buf(),
            to: std::fs::read_link(given).unwrap_or_default(),
        },
        false => Error::Read { path: given.to_path_buf(), source },
    })?;
    if !real.is_dir() {
        return Err(Error::OutputNotDirectory { path: given.to_path_buf() });
    }
    Ok(real)
}

/// A new `--out`: its parent is made, so staging can go beside it.
fn missing(given: &Path) -> Result<PathBuf> {
    let Some(name) = given.file_name() else {
        return Err(Error::OutputNotDirectory { path: given.to_path_buf() });
    };
    let parent = match given.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).map_err(Error::write(parent))?;
    Ok(std::fs::canonicalize(parent).map_err(Error::read(parent))?.join(name))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Staging,
    Aside,
}

impl Kind {
    fn suffix(self) -> &'static str {
        match self {
            Kind::Staging => "staging",
            Kind::Aside => "aside",
        }
    }
}

/// A directory beside `--out` that a run left.
struct Leftover {
    path: PathBuf,
    kind: Kind,
    /// `None` for the previous release's fixed `.<out>.old`.
    pid: Option<u32>,
}

impl Leftover {
    fn name(&self) -> String {
        self.path.file_name().unwrap_or_default().to_string_lossy().into_owned()
    }

    fn proof(&self) -> Proof {
        if self.pid.is_some() {
            Proof::Report
        } else {
            Proof::ReportSetNames
        }
    }
}

/// The kind and pid a leftover's name says, for `--out` named `out_name`. Besides this
/// release's names, the previous release's: `.<out>.zhijian-<pid>` (staging) and `.<out>.old`
/// (its one fixed set-aside name).
fn parse_leftover(file_name: &str, out_name: &str) -> Option<(Kind, Option<u32>)> {
    let rest = file_name.strip_prefix('.')?.strip_prefix(out_name)?.strip_prefix('.')?;
    if rest == "old" {
        return Some((Kind::Aside, None));
    }
    let (kind, pid) = run_suffix(rest.strip_prefix("zhijian-")?)?;
    Some((kind, Some(pid)))
}

/// `<pid>`, `<pid>.staging`, `<pid>.aside` or `<pid>.old`.
fn run_suffix(rest: &str) -> Option<(Kind, u32)> {
    let (pid, kind) = match rest.split_once('.') {
        None => (rest, Kind::Staging),
        Some((pid, "staging")) => (pid, Kind::Staging),
        Some((pid, "aside" | "old")) => (pid, Kind::Aside),
        Some(_) => return None,
    };
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((kind, pid.parse().ok()?))
}

/// Whether the run `pid` is certainly gone. This process has not staged yet, so its own pid
/// in a name is an earlier process's. Only Linux's /proc can tell about others.
fn is_dead(pid: Option<u32>) -> bool {
    let Some(pid) = pid else { return true };
    pid == std::process::id()
        || (Path::new("/proc/self").exists() && !Path::new("/proc").join(pid.to_string()).exists())
}

/// The leftovers of dead runs beside `--out`, in name order.
fn dead_leftovers(out: &Out) -> Vec<Leftover> {
    let Ok(listing) = std::fs::read_dir(&out.parent) else { return Vec::new() };
    let mut found: Vec<Leftover> = listing
        .flatten()
        .filter(|item| item.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|item| {
            let name = item.file_name().to_string_lossy().into_owned();
            let (kind, pid) = parse_leftover(&name, &out.name)?;
            is_dead(pid).then(|| Leftover { path: item.path(), kind, pid })
        })
        .collect();
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// What a run did about a dead run's leftovers.
#[derive(Debug)]
enum Note {
    PutBack {
        aside: String,
        out: String,
    },
    Removed(String),
    /// Could not or must not be removed: the user has to.
    Kept {
        path: PathBuf,
        why: String,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Note::PutBack { aside, out } => write!(f, "put {aside} back as {out}"),
            Note::Removed(name) => write!(f, "removed {name}"),
            Note::Kept { path, why } => {
                write!(f, "kept {}: {why}; remove it by hand", path.display())
            }
        }
    }
}

/// One line for what was cleaned up (unless `quiet`), one warning per folder left to the user.
fn tell(notes: &[Note], quiet: bool) {
    let (kept, done): (Vec<&Note>, Vec<&Note>) =
        notes.iter().partition(|n| matches!(n, Note::Kept { .. }));
    if !done.is_empty() && !quiet {
        let done: Vec<String> = done.iter().map(|n| n.to_string()).collect();
        eprintln!("zhijian: cleaned up after an interrupted run: {}", done.join("; "));
    }
    for note in kept {
        eprintln!("zhijian: warning: {note}");
    }
}

/// Cleans up what dead runs left beside `--out`: the previous report first, if a kill after
/// moving it aside left `--out` missing; then staging directories and asides.
fn recover(out: &Out) -> Vec<Note> {
    let mut stale = dead_leftovers(out);
    let mut notes = Vec::new();
    if std::fs::symlink_metadata(&out.target).is_err() {
        let ours = |l: &Leftover| {
            l.kind == Kind::Aside
                && matches!(marker::inspect(&l.path, l.proof()), Ok(Contents::Ours { .. }))
        };
        if let Some(at) = stale.iter().position(ours) {
            let aside = stale.remove(at);
            notes.push(match std::fs::rename(&aside.path, &out.target) {
                Ok(()) => Note::PutBack { aside: aside.name(), out: out.name.clone() },
                Err(e) => Note::Kept { path: aside.path, why: e.to_string() },
            });
        }
    }
    for leftover in stale {
        let removed = match leftover.kind {
            Kind::Staging => std::fs::remove_dir_all(&leftover.path)
                .map_err(|e| Note::Kept { path: leftover.path.clone(), why: e.to_string() }),
            Kind::Aside => remove_aside(&leftover.path, leftover.proof()),
        };
        notes.push(removed.err().unwrap_or(Note::Removed(leftover.name())));
    }
    notes
}

/// Removes a set-aside report, but only what zhijian wrote in it.
fn remove_aside(path: &Path, proof: Proof) -> Result<(), Note> {
    let kept = |why: String| Note::Kept { path: path.to_path_buf(), why };
    match marker::inspect(path, proof).map_err(|e| kept(e.to_string()))? {
        Contents::Missing => Ok(()),
        Contents::Ours { files, dirs } => {
            marker::remove(path, &files, &dirs).map_err(|e| kept(e.to_string()))
        }
        Contents::Foreign { unknown } => Err(kept(format!(
            "it holds files zhijian did not write ({})",
            crate::error::some_of(&unknown)
        ))),
    }
}

/// The directories a directory search must not read as input: `--out` itself, any zhijian
/// report, and any run's staging or set-aside directory.
pub struct OwnDirs {
    out: Option<PathBuf>,
}

impl OwnDirs {
    pub fn new(out: &Path) -> OwnDirs {
        OwnDirs { out: std::fs::canonicalize(out).ok() }
    }

    pub fn contains(&self, dir: &Path) -> bool {
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        let run_dir = name.starts_with('.')
            && name.rsplit_once(".zhijian-").is_some_and(|(_, rest)| run_suffix(rest).is_some());
        run_dir
            || marker::is_report(dir)
            || self
                .out
                .as_ref()
                .is_some_and(|out| std::fs::canonicalize(dir).ok().as_ref() == Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Case name, directory name, `--out` name, what the directory name says.
    type Case = (&'static str, &'static str, &'static str, Option<(Kind, Option<u32>)>);

    #[test]
    fn leftover_names() {
        let cases: &[Case] = &[
            ("staging", ".out.zhijian-42.staging", "out", Some((Kind::Staging, Some(42)))),
            ("aside", ".out.zhijian-42.aside", "out", Some((Kind::Aside, Some(42)))),
            ("previous staging", ".out.zhijian-42", "out", Some((Kind::Staging, Some(42)))),
            ("previous aside", ".out.old", "out", Some((Kind::Aside, None))),
            ("dotted out", ".r.v1.zhijian-7.aside", "r.v1", Some((Kind::Aside, Some(7)))),
            ("another out", ".outer.zhijian-42.staging", "out", None),
            ("the out itself", "out", "out", None),
            ("no pid", ".out.zhijian-.staging", "out", None),
            ("signed pid", ".out.zhijian-+4.staging", "out", None),
            ("unknown suffix", ".out.zhijian-42.tmp", "out", None),
            ("other dotfile", ".out.bak", "out", None),
            ("nested out name", ".out.zhijian-5.zhijian-7.staging", "out", None),
        ];
        for (name, file, out, want) in cases {
            assert_eq!(parse_leftover(file, out), *want, "{name}");
        }
    }

    #[test]
    fn own_pid_and_missing_pids_are_dead_and_init_is_not() {
        assert!(is_dead(Some(std::process::id())));
        assert!(is_dead(Some(99_999_999)));
        assert!(is_dead(None));
        if Path::new("/proc/self").exists() {
            assert!(!is_dead(Some(1)));
        }
    }
}
