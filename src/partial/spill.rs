//! The spill: a file in the staging directory holding each ticket's rendered lines (written
//! while its text was in memory), its rejected lines and, for tickets from other processes,
//! their contributions; and the end of a run, report files filled from it, with agent and
//! reason pages written one flagged ticket at a time, so memory never holds more than one
//! ticket's page fragment per worker. The spill is read with positioned reads (no shared
//! cursor), so agents' pages are written in parallel, each agent's files by one worker.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use super::TicketRecord;
use crate::error::{Error, Result};
use crate::pages::{self, Flag};
use crate::report::{self, Staging};
use crate::template::Template;

/// `agents/<stem>.html|.md` and the agent's reason pages `agents/<stem>/<reason>.html|.md`, as
/// `pages::layout` lays them out; `flagged` are the agent's flagged tickets in id order, and
/// `agent` the page without its layout (filled in here).
///
/// Memory: the layout (6 bytes per flagged ticket of this agent, beside the caller's 8-byte
/// reference each), one ticket's page fragment at a time and at most 16 open pages with a
/// 64 KiB buffer each. Every fragment was rendered during the audit; here each is read from the
/// spill and copied, whatever the number of pages it goes on.
/// Appended bytes, read back by offset.
pub(super) struct Spill {
    out: BufWriter<File>,
    pub(super) path: PathBuf,
    pub(super) len: u64,
    /// Bytes appended since the last flush: reading needs them on disk.
    dirty: bool,
}

impl Spill {
    pub(super) fn create(path: PathBuf) -> Result<Spill> {
        let file = File::create(&path).map_err(Error::write(&path))?;
        Ok(Spill { out: BufWriter::with_capacity(1 << 20, file), path, len: 0, dirty: false })
    }

    /// Appends the parts; returns where the first starts.
    pub(super) fn append(&mut self, parts: &[&[u8]]) -> Result<u64> {
        let at = self.len;
        for part in parts {
            self.out.write_all(part).map_err(Error::write(&self.path))?;
            self.len += part.len() as u64;
        }
        self.dirty = true;
        Ok(at)
    }

    /// A handle for positioned reads of everything appended so far.
    pub(super) fn reader(&mut self) -> Result<File> {
        if self.dirty {
            self.out.flush().map_err(Error::write(&self.path))?;
            self.dirty = false;
        }
        File::open(&self.path).map_err(Error::read(&self.path))
    }
}

/// The lengths of a flagged ticket's page fragments (brief HTML, brief Markdown, conversation
/// HTML, conversation Markdown), written to the spill before them.
pub(super) struct PageLens(pub [u32; 4]);

impl PageLens {
    pub const BYTES: usize = 16;

    pub fn to_bytes(&self) -> [u8; PageLens::BYTES] {
        let mut out = [0; PageLens::BYTES];
        for (chunk, len) in out.chunks_mut(4).zip(self.0) {
            chunk.copy_from_slice(&len.to_le_bytes());
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> PageLens {
        PageLens(std::array::from_fn(|i| {
            u32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().expect("four bytes"))
        }))
    }
}

pub(super) fn write_agent_pages(
    staging: &Staging,
    (spill, spill_path): (&File, &PathBuf),
    flagged: &[&TicketRecord],
    template: &Template,
    agent: report::AgentPage,
) -> Result<()> {
    let flags: Vec<Flag> = flagged
        .iter()
        .map(|r| Flag { severity: r.severity.expect("flagged"), reasons: r.reasons })
        .collect();
    let layout = pages::layout(&flags, template);
    drop(flags);
    let agent =
        report::AgentPage { flagged_shown: layout.shown, reasons: &layout.reasons, ..agent };
    let mut html = SpillCopy::page(staging, &format!("agents/{}.html", agent.stem))?;
    let mut md = SpillCopy::page(staging, &format!("agents/{}.md", agent.stem))?;
    html.write(&report::html::agent_head(&agent))?;
    md.write(&report::markdown::agent_head(&agent))?;
    // (reason, its HTML page, its Markdown page) for each reason with a ticket left off.
    let mut by_reason = Vec::new();
    for line in layout.reasons.iter().filter(|line| line.has_page()) {
        if by_reason.is_empty() {
            let dir = staging.path(&format!("agents/{}", agent.stem));
            std::fs::create_dir_all(&dir).map_err(Error::write(&dir))?;
        }
        let path = report::reason_page_path(agent.stem, line.reason, template);
        let page = report::ReasonPage { agent: &agent, line };
        let mut reason_html = SpillCopy::page(staging, &format!("agents/{path}.html"))?;
        let mut reason_md = SpillCopy::page(staging, &format!("agents/{path}.md"))?;
        reason_html.write(&report::html::reason_head(&page))?;
        reason_md.write(&report::markdown::reason_head(&page))?;
        by_reason.push((line.reason, reason_html, reason_md));
    }
    for (place, &i) in layout.order.iter().enumerate() {
        let r = flagged[i as usize];
        let on_agent_page = place < layout.shown;
        let mut its_reason_pages: Vec<_> =
            by_reason.iter_mut().filter(|(reason, ..)| r.reasons.contains(*reason)).collect();
        if !on_agent_page && its_reason_pages.is_empty() {
            continue;
        }
        let at = r.spill_at + u64::from(r.queue_len);
        let lens_at = at + u64::from(r.flagged_len) + u64::from(r.ticket_len);
        let lens = read_spill(spill, spill_path, lens_at, PageLens::BYTES as u32)?;
        let PageLens([brief_html_len, brief_md_len, conv_html_len, conv_md_len]) =
            PageLens::from_bytes(&lens);
        let pages_at = lens_at + PageLens::BYTES as u64;
        if on_agent_page {
            // The ticket as the page lists it, rendered during the audit: copied.
            let at = pages_at + u64::from(brief_html_len) + u64::from(brief_md_len);
            html.copy(spill, spill_path, at, conv_html_len)?;
            md.copy(spill, spill_path, at + u64::from(conv_html_len), conv_md_len)?;
        }
        if !its_reason_pages.is_empty() {
            let brief_html = read_spill(spill, spill_path, pages_at, brief_html_len)?;
            let at = pages_at + u64::from(brief_html_len);
            let brief_md = read_spill(spill, spill_path, at, brief_md_len)?;
            for (_, reason_html, reason_md) in its_reason_pages.iter_mut() {
                reason_html.write(&brief_html)?;
                reason_md.write(&brief_md)?;
            }
        }
    }
    html.write(&report::html::agent_tail(&agent))?;
    md.write(&report::markdown::agent_tail(&agent))?;
    html.finish()?;
    md.finish()?;
    for (_, mut reason_html, reason_md) in by_reason {
        reason_html.write(&report::html::reason_tail())?;
        reason_html.finish()?;
        reason_md.finish()?;
    }
    Ok(())
}

/// With `ZHIJIAN_STAGE_TIMES` set, says on stderr how long a stage took (for
/// `bench/speed.sh`, which reports the share of a run spent writing agent pages).
pub(super) fn stage_time(stage: &str, started: std::time::Instant) {
    if std::env::var_os("ZHIJIAN_STAGE_TIMES").is_some() {
        eprintln!("zhijian: stage time: {stage} {:.3} s", started.elapsed().as_secs_f64());
    }
}

pub(super) fn read_spill(spill: &File, path: &PathBuf, at: u64, len: u32) -> Result<Vec<u8>> {
    let mut bytes = vec![0; len as usize];
    read_exact_at(spill, &mut bytes, at).map_err(Error::read(path))?;
    Ok(bytes)
}

/// One positioned read (`pread`): no seek, and workers may share the file.
#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut at: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

/// A report file filled from spill records, and pages written one flagged ticket at a time.
pub(super) struct SpillCopy {
    out: BufWriter<File>,
    path: PathBuf,
}

impl SpillCopy {
    pub(super) fn create(staging: &Staging, name: &str) -> Result<SpillCopy> {
        SpillCopy::with_capacity(staging, name, 1 << 20)
    }

    /// A page: many may be open at once, so a smaller buffer.
    pub(super) fn page(staging: &Staging, name: &str) -> Result<SpillCopy> {
        SpillCopy::with_capacity(staging, name, 64 << 10)
    }

    fn with_capacity(staging: &Staging, name: &str, capacity: usize) -> Result<SpillCopy> {
        let path = staging.path(name);
        let file = File::create(&path).map_err(Error::write(&path))?;
        Ok(SpillCopy { out: BufWriter::with_capacity(capacity, file), path })
    }

    pub(super) fn copy(
        &mut self,
        spill: &File,
        spill_path: &PathBuf,
        at: u64,
        len: u32,
    ) -> Result<()> {
        self.write(&read_spill(spill, spill_path, at, len)?)
    }

    pub(super) fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.write_all(bytes).map_err(Error::write(&self.path))
    }

    pub(super) fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(Error::write(&self.path))
    }
}
