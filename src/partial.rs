//! The run's one value: everything the reports need from the tickets read so far — the
//! per-agent aggregates, one sampling record per audited ticket (the duplicate-id registry
//! too), the rejected lines, the copies that lost to an earlier copy of their ticket id, the
//! inputs' line counts and the manifest's warnings — with the rendered lines in a spill file.
//!
//! Batches of this process are absorbed as they are audited ([`Partial::absorb_batch`]: a
//! copy of an id already seen is a duplicate before it is audited, since this process reads
//! its inputs in order). Partials of other processes arrive as records
//! ([`Partial::absorb`], `wire`): a ticket's contribution is counted only in [`Partial::finish`],
//! once every copy of its id has met, so the merge is exact in any grouping and order — of two
//! copies the one read first (file, then line) is audited and the other is a duplicate.
//!
//! Sampling is exact because it waits for the end: a shard does not know an agent's total, so
//! every audited ticket's record travels to the one place that samples (docs/partials.md says
//! why this, not two passes).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use crate::aggregate::Aggregate;
use crate::engine::{Engine, Rendered};
use crate::error::{Error, Result};
use crate::pages::PageCut;
use crate::parse::{self, Reject, Ticket};
use crate::read::{self, InputFile, InputLine};
use crate::report;
use crate::report::manifest::Warnings;
use crate::score::{ReasonSet, Severity};
use crate::timestamp::TsFormat;
use crate::vocab::RejectCode;

mod finish;
mod registry;
pub mod spill;
pub mod wire;

use registry::Registry;
use spill::{PageLens, Spill};
use wire::{Contribution, Copy, Header, InputPart, Lines, Record, RejectPart, TicketPart};

/// What the run keeps per audited ticket: 4 + 8 + 1 + 1 + 8 + 8 + 3 × 4 + 3 × 4 = 54 bytes
/// beyond the id (56 with padding); `reasons` has a bit per built-in reason and per rule,
/// `checks` two bits per template rule (at most 32). Its sampling key is not kept: it is a
/// hash of the id, computed again when the run samples. In the spill at `spill_at`: its
/// review-queue row, flagged.jsonl line and tickets.jsonl line; if flagged, its page
/// fragments' four lengths ([`PageLens`]) and the fragments; if `pending`, a length-prefixed
/// [`Pending`] block. The [`Registry`] keeps it and its id.
struct TicketRecord {
    owner: u32,
    checks: u64,
    /// Its severity when flagged, and its reasons: how agent pages order and group it.
    severity: Option<Severity>,
    /// From another process: its contribution is counted at the end if it is still audited.
    pending: bool,
    reasons: ReasonSet,
    spill_at: u64,
    queue_len: u32,
    flagged_len: u32,
    ticket_len: u32,
    /// Where it was read (`Partial::files` index and line), and the input rows it stands for.
    file: u32,
    line: u32,
    rows: u32,
}

// Invariant 4, checked by the compiler: the record (id aside) fits in 64 bytes — in 56 since
// the sampling key is computed from the id. Risk-weighted sampling reads its checks and
// reasons and adds nothing to it.
const _: () = assert!(std::mem::size_of::<TicketRecord>() <= 56);

impl TicketRecord {
    /// Where its page fragments' lengths are, after its three report lines.
    fn lens_at(&self) -> u64 {
        self.spill_at
            + u64::from(self.queue_len)
            + u64::from(self.flagged_len)
            + u64::from(self.ticket_len)
    }
}

/// What a ticket from another process carries until the end (see [`TicketRecord::pending`]).
#[derive(serde::Serialize, serde::Deserialize)]
struct Pending {
    contribution: Contribution,
    raw: String,
}

/// A copy of an audited ticket id that came later in input order than the audited one;
/// `raw` is as `rejects.jsonl` shows it (`report::jsonl::shown_raw`).
struct Duplicate {
    id: Box<str>,
    file: u32,
    line: u64,
    rows: u64,
    raw: String,
}

/// A rejected line, rendered, in the spill.
struct RejectAt {
    file: u32,
    line: u64,
    rows: u64,
    code: RejectCode,
    at: u64,
    len: u32,
}

pub struct Partial {
    seed: u64,
    /// Mask personal data in rejected lines (`--no-mask` turns it off).
    mask: bool,
    warnings: Warnings,
    aggregate: Aggregate,
    registry: Registry,
    agent_ids: Vec<String>,
    agent_index: HashMap<String, u32>,
    rejects: Vec<RejectAt>,
    duplicates: Vec<Duplicate>,
    /// The inputs, by the index records use; this process's are set at the end
    /// ([`Partial::set_inputs`]), other processes' grow with their records.
    files: Vec<InputFile>,
    file_index: HashMap<String, u32>,
    /// This process's inputs' `lines_digest`s so far, by index (`read::line_digest`).
    line_digests: Vec<u128>,
    header: Option<Header>,
    spill: Spill,
    /// Which flagged tickets may still be listed on their agent page: only theirs are
    /// conversations rendered and spilled. `None` for partials of other processes, whose
    /// tickets may yet lose to a duplicate: every conversation is kept.
    page_cut: Option<PageCut>,
}

impl Partial {
    /// An empty partial spilling into `dir`, for a lexicon of `entries` entries.
    pub fn new(dir: &Path, entries: usize, seed: u64, mask: bool) -> Result<Partial> {
        Ok(Partial {
            seed,
            mask,
            warnings: Warnings::default(),
            aggregate: Aggregate::with_entries(entries),
            registry: Registry::new(),
            agent_ids: Vec::new(),
            agent_index: HashMap::new(),
            rejects: Vec::new(),
            duplicates: Vec::new(),
            files: Vec::new(),
            file_index: HashMap::new(),
            line_digests: Vec::new(),
            header: None,
            spill: Spill::create(dir.join(".spill"))?,
            page_cut: Some(PageCut::default()),
        })
    }

    /// Tickets audited so far.
    pub fn audited(&self) -> u64 {
        self.registry.len() as u64
    }

    /// This process's inputs, once read (their indexes are the batches' `InputLine::file`).
    pub fn set_inputs(&mut self, mut files: Vec<InputFile>) {
        for (file, &digest) in files.iter_mut().zip(&self.line_digests) {
            file.lines_digest = file.lines_digest.wrapping_add(digest);
        }
        self.file_index =
            files.iter().enumerate().map(|(i, f)| (f.display.clone(), i as u32)).collect();
        self.files = files;
    }

    /// Parses, audits and renders a batch of this process's lines on the thread pool, then
    /// keeps what the reports need. `files` names the batch's inputs.
    pub fn absorb_batch(
        &mut self,
        engine: &Engine,
        times: &TsFormat,
        files: &[InputFile],
        batch: Vec<InputLine>,
    ) -> Result<()> {
        let parsed: Vec<_> = batch
            .par_iter()
            .map(|line| (parse::parse_line(line, times), read::line_digest(line)))
            .collect();
        let mut tickets = Vec::with_capacity(parsed.len());
        for (line, (result, digest)) in batch.iter().zip(parsed) {
            add_digest(&mut self.line_digests, line.file, digest);
            match result {
                Err(reject) => self.reject(&reject, &files[reject.file as usize].display)?,
                Ok(ticket) if self.registry.find(&ticket.id).is_some() => {
                    self.duplicates.push(Duplicate {
                        id: ticket.id.into_boxed_str(),
                        file: line.file,
                        line: line.line_no,
                        rows: line.rows,
                        raw: shown_raw(line, self.mask),
                    });
                }
                Ok(ticket) => {
                    let file = &files[line.file as usize].display;
                    self.warnings.note(&ticket, file, line.line_no, self.mask);
                    let owner = self.intern(&ticket.owner);
                    let record = TicketRecord {
                        owner,
                        checks: 0,
                        severity: None,
                        pending: false,
                        reasons: ReasonSet::default(),
                        spill_at: 0,
                        queue_len: 0,
                        flagged_len: 0,
                        ticket_len: 0,
                        file: line.file,
                        line: line.line_no.min(u64::from(u32::MAX)) as u32,
                        rows: line.rows.min(u64::from(u32::MAX)) as u32,
                    };
                    self.registry.insert(&ticket.id, record);
                    tickets.push(ticket);
                }
            }
        }
        drop(batch);
        let (aggregate, rendered) = audit_tickets(engine, &tickets, |ticket, severity| {
            let place = self.registry.find(&ticket.id).expect("registered before auditing");
            let owner = self.registry.get(place).owner;
            let cut = self.page_cut.as_ref();
            cut.is_none_or(|cut| cut.may_list(owner, severity, &ticket.id))
        });
        self.aggregate.merge(aggregate);
        for r in rendered {
            self.keep(r, false, &[])?;
        }
        Ok(())
    }

    /// Refuses records made with other lexicons, template or options than `expected` (what
    /// this render was given), or no records at all.
    pub fn check_header(&self, expected: &Header) -> Result<()> {
        match &self.header {
            Some(header) if header == expected => Ok(()),
            Some(header) => Err(Error::Partial {
                at: "header".into(),
                problem: format!(
                    "made by zhijian {} with other lexicons, template or options than this \
                     render was given (`{}`, here `{}`): give render the options map was given",
                    header.version, header.fingerprint, expected.fingerprint
                ),
            }),
            None => Err(Error::Partial {
                at: "input".into(),
                problem: "no header record: give render the output of zhijian map or combine"
                    .into(),
            }),
        }
    }

    /// Merges one record of another partial.
    pub fn absorb(&mut self, record: Record) -> Result<()> {
        self.page_cut = None;
        match record {
            Record::Header(header) => match &self.header {
                None => self.header = Some(header),
                Some(mine) if *mine == header => {}
                Some(mine) => {
                    return Err(Error::Partial {
                        at: "headers".into(),
                        problem: format!(
                            "partials made with different lexicons, template or options \
                             (zhijian {} `{}` and zhijian {} `{}`)",
                            mine.version, mine.fingerprint, header.version, header.fingerprint
                        ),
                    })
                }
            },
            Record::Input(input) => {
                let file = self.intern_file(&input.file, &input.format);
                let mine = &mut self.files[file as usize];
                // Two shares of one file: only the lines add up.
                let whole = mine.lines == 0 && mine.bytes == 0 && mine.sha256.is_none();
                mine.lines_digest = mine.lines_digest.wrapping_add(input.digest()?);
                mine.lines += input.lines;
                mine.bytes += input.bytes;
                mine.sha256 = if whole { input.sha256 } else { None };
            }
            Record::Reject(reject) => {
                let file = self.intern_file(&reject.file, "jsonl");
                let mut rendered = reject.rendered.into_bytes();
                rendered.push(b'\n');
                self.keep_reject(file, reject.line, reject.rows, reject.code, &rendered)?;
            }
            Record::Ticket(part) => self.absorb_ticket(*part)?,
        }
        Ok(())
    }

    fn absorb_ticket(&mut self, part: TicketPart) -> Result<()> {
        let TicketPart {
            id,
            copy,
            duplicates,
            owner,
            checks,
            severity,
            reasons,
            lines,
            contribution,
        } = part;
        for lost in duplicates {
            self.duplicate(&id, lost);
        }
        let file = self.intern_file(&copy.file, "jsonl");
        let place = self.registry.find(&id);
        if let Some(place) = place {
            let audited = self.registry.get(place);
            let earlier =
                self.file_order(audited.file, file).then(u64::from(audited.line).cmp(&copy.line));
            if earlier != Ordering::Greater {
                self.duplicate(&id, copy);
                return Ok(());
            }
            // The new copy was read first: the one kept so far becomes its duplicate, and the
            // new copy's record takes its place.
            let spill = self.spill.reader()?;
            let pending: Pending = self.read_pending_from(&spill, self.registry.get(place))?;
            let old = self.registry.get(place);
            let lost = Copy {
                file: self.files[old.file as usize].display.clone(),
                line: u64::from(old.line),
                rows: u64::from(old.rows),
                raw: pending.raw,
            };
            self.duplicate(&id, lost);
        }
        let record = TicketRecord {
            owner: self.intern(&owner),
            checks,
            severity,
            pending: true,
            reasons: ReasonSet::from_bits(reasons),
            spill_at: 0,
            queue_len: 0,
            flagged_len: 0,
            ticket_len: 0,
            file,
            line: copy.line.min(u64::from(u32::MAX)) as u32,
            rows: copy.rows.min(u64::from(u32::MAX)) as u32,
        };
        match place {
            Some(place) => *self.registry.get_mut(place) = record,
            None => _ = self.registry.insert(&id, record),
        }
        let pending = serde_json::to_vec(&Pending { contribution, raw: copy.raw })
            .expect("contributions serialize");
        let rendered = Rendered {
            id,
            checks,
            severity,
            reasons: ReasonSet::from_bits(reasons),
            queue_row: lines.queue.into_bytes(),
            flagged: lines.flagged.into_bytes(),
            ticket_line: lines.ticket.into_bytes(),
            brief_html: lines.brief_html.into_bytes(),
            brief_md: lines.brief_md.into_bytes(),
            conv_html: lines.conv_html.into_bytes(),
            conv_md: lines.conv_md.into_bytes(),
        };
        self.keep(rendered, true, &pending)
    }

    fn duplicate(&mut self, id: &str, copy: Copy) {
        let file = self.intern_file(&copy.file, "jsonl");
        let Copy { line, rows, raw, .. } = copy;
        self.duplicates.push(Duplicate { id: id.into(), file, line, rows, raw });
    }

    /// Every record, for another merge: the header, each input, each rejected line, each
    /// audited ticket with the copies that lost to it. Ticket by ticket in id order, so the
    /// output is the same for any grouping and order of the input records.
    pub fn emit(mut self, out: &mut wire::Output) -> Result<()> {
        if let Some(header) = self.header.take() {
            out.write(&Record::Header(header))?;
        }
        let mut files: Vec<&InputFile> = self.files.iter().collect();
        files.sort_by(|a, b| file_order(&a.display, &b.display));
        for file in files {
            out.write(&Record::Input(InputPart::of(file)))?;
        }
        let spill = self.spill.reader()?;
        let order = self.file_ranks();
        self.rejects.sort_by_key(|r| (order[r.file as usize], r.line));
        for r in &self.rejects {
            let rendered = spill::read_spill(&spill, &self.spill.path, r.at, r.len)?;
            let reject = RejectPart {
                file: self.files[r.file as usize].display.clone(),
                line: r.line,
                rows: r.rows,
                code: r.code,
                rendered: String::from_utf8_lossy(rendered.trim_ascii_end()).into_owned(),
            };
            out.write(&Record::Reject(reject))?;
        }
        let mut lost: HashMap<&str, Vec<&Duplicate>> = HashMap::new();
        for d in &self.duplicates {
            lost.entry(&d.id).or_default().push(d);
        }
        let mut places: Vec<u32> = self.registry.places().collect();
        places.par_sort_unstable_by(|&a, &b| self.registry.id(a).cmp(self.registry.id(b)));
        for place in places {
            let (id, r) = (self.registry.id(place), self.registry.get(place));
            let mut duplicates: Vec<&Duplicate> = lost.remove(id).unwrap_or_default();
            duplicates.sort_by_key(|d| (order[d.file as usize], d.line));
            let part = self.ticket_part(&spill, id, r, &duplicates)?;
            out.write(&Record::Ticket(Box::new(part)))?;
        }
        drop(spill);
        std::fs::remove_file(&self.spill.path).map_err(Error::write(&self.spill.path))
    }

    fn ticket_part(
        &self,
        spill: &std::fs::File,
        id: &str,
        r: &TicketRecord,
        duplicates: &[&Duplicate],
    ) -> Result<TicketPart> {
        let path = &self.spill.path;
        let text = |at: u64, len: u32| -> Result<String> {
            let bytes = spill::read_spill(spill, path, at, len)?;
            Ok(String::from_utf8(bytes).expect("rendered lines are UTF-8"))
        };
        let mut lines = Lines {
            queue: text(r.spill_at, r.queue_len)?,
            flagged: text(r.spill_at + u64::from(r.queue_len), r.flagged_len)?,
            ticket: text(
                r.spill_at + u64::from(r.queue_len) + u64::from(r.flagged_len),
                r.ticket_len,
            )?,
            ..Lines::default()
        };
        let mut at = r.lens_at();
        if r.flagged_len > 0 {
            let lens = spill::read_spill(spill, path, at, PageLens::BYTES as u32)?;
            let PageLens([a, b, c, d]) = PageLens::from_bytes(&lens);
            at += PageLens::BYTES as u64;
            for (field, len) in [
                (&mut lines.brief_html, a),
                (&mut lines.brief_md, b),
                (&mut lines.conv_html, c),
                (&mut lines.conv_md, d),
            ] {
                *field = text(at, len)?;
                at += u64::from(len);
            }
        }
        let pending = self.read_pending_from(spill, r)?;
        let file = |f: u32| self.files[f as usize].display.clone();
        Ok(TicketPart {
            id: id.to_string(),
            copy: Copy {
                file: file(r.file),
                line: u64::from(r.line),
                rows: u64::from(r.rows),
                raw: pending.raw,
            },
            duplicates: duplicates
                .iter()
                .map(|d| Copy {
                    file: file(d.file),
                    line: d.line,
                    rows: d.rows,
                    raw: d.raw.clone(),
                })
                .collect(),
            owner: self.agent_ids[r.owner as usize].clone(),
            checks: r.checks,
            severity: r.severity,
            reasons: r.reasons.bits(),
            lines,
            contribution: pending.contribution,
        })
    }

    fn intern(&mut self, agent: &str) -> u32 {
        if let Some(&index) = self.agent_index.get(agent) {
            return index;
        }
        let index = self.agent_ids.len() as u32;
        self.agent_ids.push(agent.to_string());
        self.agent_index.insert(agent.to_string(), index);
        index
    }

    fn intern_file(&mut self, name: &str, format: &str) -> u32 {
        if let Some(&index) = self.file_index.get(name) {
            return index;
        }
        let index = self.files.len() as u32;
        let format = read::Format::from_key(format).unwrap_or(read::Format::JsonLines);
        self.files.push(InputFile::named(name, format));
        self.file_index.insert(name.to_string(), index);
        index
    }

    /// Input order of two of `files`.
    fn file_order(&self, a: u32, b: u32) -> Ordering {
        file_order(&self.files[a as usize].display, &self.files[b as usize].display)
    }

    /// Each file's place in input order, by index.
    fn file_ranks(&self) -> Vec<u32> {
        let mut by_order: Vec<u32> = (0..self.files.len() as u32).collect();
        by_order.sort_by(|&a, &b| self.file_order(a, b));
        let mut rank = vec![0; self.files.len()];
        for (place, file) in by_order.into_iter().enumerate() {
            rank[file as usize] = place as u32;
        }
        rank
    }

    fn reject(&mut self, reject: &Reject, file_name: &str) -> Result<()> {
        let line = report::jsonl::reject_line(reject, file_name, self.mask);
        self.keep_reject(reject.file, reject.line, reject.rows, reject.code, &line)
    }

    fn keep_reject(
        &mut self,
        file: u32,
        line: u64,
        rows: u64,
        code: RejectCode,
        rendered: &[u8],
    ) -> Result<()> {
        let at = self.spill.append(&[rendered])?;
        let len = rendered.len() as u32;
        self.rejects.push(RejectAt { file, line, rows, code, at, len });
        Ok(())
    }

    /// Spills a ticket's rendered lines (and, from another process, its pending block) and
    /// fills in its record.
    fn keep(&mut self, mut r: Rendered, pending: bool, pending_block: &[u8]) -> Result<()> {
        let place = self.registry.find(&r.id).expect("registered before auditing");
        let record = self.registry.get_mut(place);
        if let (Some(severity), Some(cut)) = (r.severity, self.page_cut.as_mut()) {
            // Rendered against the previous batches: this batch may have pushed it off.
            if !cut.add(record.owner, severity, &r.id) {
                (r.conv_html, r.conv_md) = Default::default();
            }
        }
        record.checks = r.checks;
        record.severity = r.severity;
        record.reasons = r.reasons;
        record.queue_len = r.queue_row.len() as u32;
        record.flagged_len = r.flagged.len() as u32;
        record.ticket_len = r.ticket_line.len() as u32;
        record.pending = pending;
        let lens = if r.flagged.is_empty() {
            Vec::new()
        } else {
            PageLens([&r.brief_html, &r.brief_md, &r.conv_html, &r.conv_md].map(|p| p.len() as u32))
                .to_bytes()
                .to_vec()
        };
        let block_len =
            if pending { (pending_block.len() as u32).to_le_bytes().to_vec() } else { Vec::new() };
        record.spill_at = self.spill.append(&[
            &r.queue_row,
            &r.flagged,
            &r.ticket_line,
            &lens,
            &r.brief_html,
            &r.brief_md,
            &r.conv_html,
            &r.conv_md,
            &block_len,
            pending_block,
        ])?;
        Ok(())
    }

    /// The [`Pending`] block after a ticket's lines and page fragments.
    fn read_pending_from(&self, spill: &std::fs::File, r: &TicketRecord) -> Result<Pending> {
        let path = &self.spill.path;
        let mut at = r.lens_at();
        if r.flagged_len > 0 {
            let lens = spill::read_spill(spill, path, at, PageLens::BYTES as u32)?;
            at += PageLens::BYTES as u64
                + PageLens::from_bytes(&lens).0.iter().map(|&l| u64::from(l)).sum::<u64>();
        }
        let len = spill::read_spill(spill, path, at, 4)?;
        let len = u32::from_le_bytes(len.try_into().expect("four bytes"));
        let block = spill::read_spill(spill, path, at + 4, len)?;
        Ok(serde_json::from_slice(&block).expect("we wrote it"))
    }
}

/// Adds a line's digest to its file's.
fn add_digest(digests: &mut Vec<u128>, file: u32, digest: u128) {
    let file = file as usize;
    if digests.len() <= file {
        digests.resize(file + 1, 0);
    }
    digests[file] = digests[file].wrapping_add(digest);
}

/// The start of a line as its duplicate-id reject would show it.
fn shown_raw(line: &InputLine, mask: bool) -> String {
    report::jsonl::shown_raw(&parse::kept_text(&line.bytes), mask).into_owned()
}

/// Input order of two inputs by name: as `read::resolve` sorts paths, stdin (`-`) last.
pub fn file_order(a: &str, b: &str) -> Ordering {
    (a == "-", Path::new(a)).cmp(&(b == "-", Path::new(b)))
}

/// Stages 3–8 for a batch's tickets on the thread pool: each thread folds its tickets'
/// aggregates with `Aggregate::merge` and renders their lines; `listable` says whether a
/// flagged ticket's conversation is worth rendering.
fn audit_tickets(
    engine: &Engine,
    tickets: &[Ticket],
    listable: impl Fn(&Ticket, Severity) -> bool + Sync,
) -> (Aggregate, Vec<Rendered>) {
    let entries = engine.lexicon.entries.len();
    tickets
        .par_iter()
        .fold(
            || (Aggregate::with_entries(entries), Vec::new()),
            |(mut aggregate, mut rendered), ticket| {
                let audited = engine.audit_ticket(ticket);
                aggregate.add_ticket(ticket, &audited.score, &audited.flags);
                rendered.push(engine.render(ticket, &audited, |s| listable(ticket, s)));
                (aggregate, rendered)
            },
        )
        .reduce(
            || (Aggregate::with_entries(entries), Vec::new()),
            |(mut a, mut ra), (b, rb)| {
                a.merge(b);
                ra.extend(rb);
                (a, ra)
            },
        )
}

/// `zhijian map`: stages 2–8 for a batch, each line becoming a record for another process —
/// a rejected line, or a ticket with its rendered lines and contribution. Every copy of a
/// ticket id is audited: which one counts is known only when all partials meet. Adds each
/// line's digest to its file's in `digests` (by index).
pub fn map_batch(
    engine: &Engine,
    times: &TsFormat,
    files: &[InputFile],
    batch: &[InputLine],
    digests: &mut Vec<u128>,
) -> Vec<Vec<u8>> {
    let entries = engine.lexicon.entries.len();
    let records: Vec<(Vec<u8>, u128)> = batch
        .par_iter()
        .map(|line| {
            let file = &files[line.file as usize].display;
            let record = match parse::parse_line(line, times) {
                Err(reject) => Record::Reject(RejectPart {
                    file: file.clone(),
                    line: reject.line,
                    rows: reject.rows,
                    code: reject.code,
                    rendered: {
                        let rendered = report::jsonl::reject_line(&reject, file, engine.mask);
                        String::from_utf8(rendered).expect("JSON is UTF-8").trim_end().to_string()
                    },
                }),
                Ok(ticket) => {
                    let audited = engine.audit_ticket(&ticket);
                    let mut aggregate = Aggregate::with_entries(entries);
                    aggregate.add_ticket(&ticket, &audited.score, &audited.flags);
                    let r = engine.render(&ticket, &audited, |_| true);
                    let unread = Warnings::of(&ticket, file, line.line_no, engine.mask);
                    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("rendered UTF-8");
                    Record::Ticket(Box::new(TicketPart {
                        copy: Copy {
                            file: file.clone(),
                            line: line.line_no,
                            rows: line.rows,
                            raw: shown_raw(line, engine.mask),
                        },
                        duplicates: Vec::new(),
                        owner: ticket.owner.clone(),
                        checks: r.checks,
                        severity: r.severity,
                        reasons: r.reasons.bits(),
                        lines: Lines {
                            queue: text(r.queue_row),
                            flagged: text(r.flagged),
                            ticket: text(r.ticket_line),
                            brief_html: text(r.brief_html),
                            brief_md: text(r.brief_md),
                            conv_html: text(r.conv_html),
                            conv_md: text(r.conv_md),
                        },
                        contribution: Contribution::of(aggregate, unread),
                        id: r.id,
                    }))
                }
            };
            (record.to_line(), read::line_digest(line))
        })
        .collect();
    let mut lines = Vec::with_capacity(records.len());
    for (line, (record, digest)) in batch.iter().zip(records) {
        add_digest(digests, line.file, digest);
        lines.push(record);
    }
    lines
}
