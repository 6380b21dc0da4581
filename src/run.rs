//! The spine: the one place that knows the order of the stages. Loads the lexicons and the
//! tokenizer once, streams input lines in batches, runs the per-ticket stages on rayon, folds
//! the results into per-agent aggregates (merged with `Aggregate::merge`), then samples and
//! hands everything to `report`.
//!
//! What outlives a batch, per ticket, is one [`TicketRecord`] (the sampling record of
//! invariant 4) and that ticket's rendered report lines, spilled to a file in the staging
//! directory and read back in ticket-id order at the end. Agent pages and their reason pages
//! are written from the spill one flagged ticket at a time (see [`write_agent_pages`]); a
//! flagged ticket that its agent page may still list (`pages::PageCut`) also spills its whole
//! conversation, which the page copies.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Instant;

use rayon::prelude::*;

use crate::aggregate::Aggregate;
use crate::check::{self, Compliance};
use crate::config::AuditConfig;
use crate::error::{for_terminal, Error, Result, EXIT_OK, EXIT_TOO_MANY_REJECTS};
use crate::lexicon::Lexicon;
use crate::matcher::{Matcher, Rules};
use crate::normalize::NormText;
use crate::pages::PageCut;
use crate::parse::{self, Message, Reject, RejectCode, Role, Ticket};
use crate::pii;
use crate::progress::Progress;
use crate::read::{self, InputLine, LineStream};
use crate::report::manifest::{Counts, Runtime, Warnings};
use crate::report::{self, Staging};
use crate::sample::{self, Mode};
use crate::score::{self, AnalyzedMessage, FlagReason, ReasonSet, Severity, TicketScore};
use crate::shortcuts;
use crate::template::Template;
use crate::tokenize::Tokenizer;
use crate::trend::Trend;
use crate::vocab::{Map, SampleReason};

mod spill;
use spill::{read_spill, write_agent_pages, SpillCopy, REASON_PAGE_EVIDENCE};

/// Lines per batch: enough to keep every core busy, few enough that a batch's text is small.
const BATCH_LINES: usize = 4096;
const BATCH_BYTES: usize = 16 << 20;

/// The read-only state every worker shares.
pub struct Engine {
    pub lexicon: Lexicon,
    pub(crate) matcher: Matcher,
    pub(crate) tokenizer: Tokenizer,
    sla_secs: u32,
    mask: bool,
    per_ticket: bool,
    template: Template,
}

/// The lengths of a flagged ticket's page fragments (brief HTML, brief Markdown, conversation
/// HTML, conversation Markdown), written to the spill before them.
pub(crate) struct PageLens(pub [u32; 4]);

impl PageLens {
    pub const BYTES: usize = 16;

    fn to_bytes(&self) -> [u8; PageLens::BYTES] {
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

/// A ticket's rendered report lines, produced while its text is in memory.
struct Rendered {
    id: String,
    checks: u64,
    /// The ticket's severity, `None` when not flagged.
    severity: Option<Severity>,
    reasons: ReasonSet,
    queue_row: Vec<u8>,
    flagged: Vec<u8>,
    ticket_line: Vec<u8>,
    /// The ticket as its reason pages show it (HTML, Markdown), rendered here in parallel so
    /// that writing the pages only copies bytes.
    brief_html: Vec<u8>,
    brief_md: Vec<u8>,
    /// The whole conversation as the agent page shows it (HTML, Markdown), flagged only.
    conv_html: Vec<u8>,
    conv_md: Vec<u8>,
}

/// One ticket after stages 3–8, while its text is in memory.
pub struct Audited<'t> {
    pub score: TicketScore,
    pub compliance: Compliance,
    /// Why it is flagged: its built-in reasons, then the rules with a severity it failed
    /// (`Template::ticket_flags`); empty when not flagged.
    pub flags: Vec<FlagReason>,
    /// Each message's text as every report displays it: personal data masked unless
    /// `--no-mask`, bot and system turns too (conversations and the review queue show them).
    pub shown: Vec<Cow<'t, str>>,
}

/// What the run keeps per audited ticket: 8 + 4 + 8 + 1 + 8 + 8 + 3 × 4 + 8 = 57 bytes beyond
/// the id (64 with padding); `reasons` has a bit per built-in reason and per rule. `checks` holds two bits per template rule (at most 32). A flagged ticket's page
/// fragments have their four lengths in the spill, before them ([`PageLens`]), not here.
struct TicketRecord {
    key: u64,
    owner: u32,
    checks: u64,
    /// Its severity when flagged, and its reasons: how agent pages order and group it.
    severity: Option<Severity>,
    reasons: ReasonSet,
    spill_at: u64,
    queue_len: u32,
    flagged_len: u32,
    ticket_len: u32,
    /// Where it was first seen, for duplicate reports.
    file: u32,
    line: u32,
}

// Invariant 4, checked by the compiler: the record (id aside) fits in 64 bytes. Risk-weighted
// sampling reads its key, checks and reasons and adds nothing to it.
const _: () = assert!(std::mem::size_of::<TicketRecord>() <= 64);

pub struct RunSummary {
    pub counts: Counts,
    pub warnings: Warnings,
    pub seconds: f64,
}

impl RunSummary {
    /// The closing lines on stderr (unless `--quiet`), then the exit code: 0, or
    /// [`EXIT_TOO_MANY_REJECTS`] with a one-line reason when the rejects pass the limit.
    pub fn finish(&self, config: &AuditConfig) -> i32 {
        self.print(config);
        let c = &self.counts;
        let share = if c.lines == 0 { 0.0 } else { c.rejected as f64 / c.lines as f64 };
        if share > config.max_reject_rate {
            eprintln!(
                "zhijian: {} of {} input lines rejected ({:.0}%, over --max-reject-rate {}); the \
                 reports are written: see {}",
                c.rejected,
                c.lines,
                share * 100.0,
                config.max_reject_rate,
                for_terminal(&config.out.join("rejects.jsonl").display().to_string())
            );
            return EXIT_TOO_MANY_REJECTS;
        }
        EXIT_OK
    }

    fn print(&self, config: &AuditConfig) {
        if !config.quiet {
            let c = &self.counts;
            // Tables: rows are the lines, and a ticket holds many of them.
            let audited = if c.audited_lines == c.audited {
                format!("{} audited", c.audited)
            } else {
                format!("{} in {} audited tickets", c.audited_lines, c.audited)
            };
            eprintln!(
                "{} lines: {audited}, {} rejected, {} sampled, in {:.1} s",
                c.lines, c.rejected, c.sampled, self.seconds
            );
            if !c.balanced() {
                eprintln!(
                    "zhijian: warning: lines ≠ audited + rejected ({} ≠ {} + {}); this is a \
                     bug, please report it with manifest.json",
                    c.lines, c.audited_lines, c.rejected
                );
            }
            if let Some(first) = self.warnings.unread_time_examples.first() {
                eprintln!(
                    "zhijian: warning: {} message times read neither as RFC 3339 nor as \
                     --ts-format {}, so they are unknown (first: {}:{} `{}`; more in \
                     manifest.json warnings)",
                    self.warnings.unread_times,
                    config.ts_format.key(),
                    for_terminal(&first.file),
                    first.line,
                    for_terminal(&first.value)
                );
            }
        }
    }
}

impl Engine {
    pub fn new(lexicon: Lexicon, sla_secs: u32, mask: bool, per_ticket: bool) -> Engine {
        Engine::with_rules(lexicon, Rules::ALL, sla_secs, mask, per_ticket)
    }

    /// An engine with some matching rules switched off (for measuring what each rule buys).
    pub fn with_rules(
        lexicon: Lexicon,
        rules: Rules,
        sla_secs: u32,
        mask: bool,
        per_ticket: bool,
    ) -> Engine {
        let matcher = Matcher::with_rules(&lexicon, rules);
        let tokenizer = Tokenizer::with_words(lexicon.tokenizer_words());
        let template = Template::builtin();
        Engine { lexicon, matcher, tokenizer, sla_secs, mask, per_ticket, template }
    }

    /// The scoring template for the review queue's per-ticket compliance score.
    pub fn with_template(self, template: Template) -> Engine {
        Engine { template, ..self }
    }

    /// Stages 3–5 for one message. Bot and system turns are context only.
    pub fn analyze(&self, message: &Message) -> AnalyzedMessage {
        if matches!(message.role, Role::Bot | Role::System) {
            return AnalyzedMessage::default();
        }
        let norm = NormText::new(&message.text);
        // A customer turn's word count is never used (rates are per agent word), so its text is
        // cut only in the runs where the matcher asks where a token starts or ends (a lexicon
        // candidate's ends); its `words` stay 0.
        let lazy = message.role == Role::Customer && shortcuts::enabled();
        let tokens = if lazy {
            self.tokenizer.tokenize_lazily(&norm.text)
        } else {
            self.tokenizer.tokenize(&norm.text)
        };
        let hits = self.matcher.find(&norm.text, &tokens);
        let words = if lazy { 0 } else { tokens.words() };
        drop(tokens);
        // Both sides: the check looks at the agent's personal data, masking covers everyone's.
        let pii = pii::find(&norm.text);
        AnalyzedMessage { words, hits, pii, norm: Some(norm) }
    }

    /// Stages 3–6 and 8 for one ticket: pure.
    pub fn audit_ticket<'t>(&self, ticket: &'t Ticket) -> Audited<'t> {
        let mut analyzed: Vec<AnalyzedMessage> =
            ticket.messages.iter().map(|m| self.analyze(m)).collect();
        let score = score::score_ticket(ticket, &mut analyzed, self.sla_secs);
        // Masked from the very spans detection found, so the two can never disagree.
        let shown: Vec<Cow<'t, str>> = ticket
            .messages
            .iter()
            .zip(&analyzed)
            .map(|(message, analysis)| match &analysis.norm {
                Some(norm) if self.mask => pii::mask_original(&message.text, norm, &analysis.pii),
                None if self.mask => pii::mask_text(&message.text),
                _ => Cow::Borrowed(message.text.as_str()),
            })
            .collect();
        let phrase = |entry: u32| self.lexicon.entry(entry).phrase.clone();
        let compliance = check::check_ticket(
            ticket,
            &score,
            &analyzed,
            &shown,
            self.sla_secs,
            (&self.template, &self.tokenizer),
            phrase,
        );
        let flags = self.template.ticket_flags(&score.reasons, &compliance.outcomes);
        Audited { score, compliance, flags, shown }
    }

    /// `listable` says whether a flagged ticket of this severity may still be listed on its
    /// agent page (`pages::PageCut`): only then is its conversation rendered.
    fn render(
        &self,
        ticket: &Ticket,
        audited: &Audited,
        listable: impl Fn(Severity) -> bool,
    ) -> Rendered {
        let Audited { score, compliance, flags, shown } = audited;
        let severity = self.template.ticket_severity(flags);
        let (flagged, brief_html, brief_md, conv_html, conv_md) = match severity {
            None => Default::default(),
            Some(severity) => {
                let evidence = score.evidence_shown(report::jsonl::MAX_EVIDENCE);
                let flagged = report::jsonl::flagged_ticket(
                    ticket,
                    (score, compliance, flags),
                    severity,
                    &evidence,
                    shown,
                    &self.lexicon,
                );
                // Reason pages list many tickets: each shows the evidence behind its first
                // reason (which comes first) and counts the rest.
                let brief = flagged.brief(REASON_PAGE_EVIDENCE);
                let html = report::html::flagged_ticket(&brief, false, &self.template);
                let md = report::markdown::flagged_ticket(&brief, false, &self.template);
                // Agent pages open each ticket they list to its whole conversation.
                let (conv_html, conv_md) = if listable(severity) {
                    let conversation = report::conversation::build(
                        ticket,
                        score,
                        shown,
                        &self.lexicon,
                        self.sla_secs,
                    );
                    let html = report::html::conversation(&conversation);
                    (html, report::markdown::conversation(&conversation))
                } else {
                    Default::default()
                };
                (flagged.to_line(&self.template), html, md, conv_html, conv_md)
            }
        };
        let ticket_line = if self.per_ticket {
            report::jsonl::ticket_line(ticket, score, flags, &self.template)
        } else {
            Vec::new()
        };
        let compliance_score = self.template.ticket_compliance(&compliance.outcomes);
        Rendered {
            id: ticket.id.clone(),
            checks: compliance.pack(),
            severity,
            reasons: ReasonSet::of(flags),
            queue_row: report::csv::review_queue_row(
                &self.template.rules,
                &ticket.owner,
                ticket.agent_name.as_deref(),
                &ticket.id,
                compliance,
                compliance_score.as_ref(),
                &report::conversation::transcript(ticket, shown),
            ),
            flagged,
            ticket_line,
            brief_html,
            brief_md,
            conv_html,
            conv_md,
        }
    }
}

pub fn audit(config: &AuditConfig) -> Result<RunSummary> {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let lexicon = Lexicon::load(config.lexicons.as_deref())?;
    let own = report::output::OwnDirs::new(&config.out);
    let files = read::resolve(&config.inputs, config.table.is_some(), |dir| own.contains(dir))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .build()
        .map_err(|e| Error::Option { flag: "--threads", problem: e.to_string() })?;
    let engine = Engine::new(lexicon, config.sla_secs, config.mask, config.per_ticket)
        .with_template(config.template.clone());
    // Read before the run, so `--baseline` may name the `--out` it replaces.
    let trend = Trend::load(config.baseline.as_deref(), config.history.as_deref())?;
    // Dropped unless committed: a failed run leaves no staging directory.
    let staging = Staging::create(&config.out, config.quiet)?;
    let (counts, warnings, inputs) =
        pool.install(|| run_into(config, &engine, &trend, files, &staging))?;
    let seconds = started.elapsed().as_secs_f64();
    let runtime = Runtime {
        started_at,
        elapsed_seconds: (seconds * 1000.0).round() / 1000.0,
        threads: config.threads,
    };
    let manifest =
        report::manifest::render(config, &engine.lexicon, &inputs, &counts, &warnings, runtime);
    staging.write("manifest.json", &manifest)?;
    staging.write_all(report::provenance::files(&engine.lexicon, &config.template))?;
    staging.commit()?;
    Ok(RunSummary { counts, warnings, seconds })
}

/// Everything but the manifest, written into `staging`.
fn run_into(
    config: &AuditConfig,
    engine: &Engine,
    trend: &Trend,
    files: Vec<read::InputFile>,
    staging: &Staging,
) -> Result<(Counts, Warnings, Vec<read::InputFile>)> {
    let total_bytes = files.iter().map(|f| f.bytes).sum();
    let progress = Progress::new(total_bytes, config.quiet);
    let mut stream = LineStream::new(files, config.table.clone(), staging.dir.clone());
    let mut run = RunState::new(staging, engine.lexicon.entries.len(), config)?;
    while let Some(batch) = stream.next_batch(BATCH_LINES, BATCH_BYTES)? {
        run.absorb_batch(engine, &stream.files, batch)?;
        progress.update(stream.bytes_read.load(Ordering::Relaxed), run.registry.len() as u64);
    }
    progress.finish();
    let inputs = stream.finish();
    let warnings = std::mem::take(&mut run.warnings);
    let counts = run.finish(config, engine, trend, staging, &inputs)?;
    Ok((counts, warnings, inputs))
}

struct RunState {
    seed: u64,
    ts_format: crate::timestamp::TsFormat,
    warnings: Warnings,
    /// Mask personal data in rejected lines (`--no-mask` turns it off).
    mask: bool,
    aggregate: Aggregate,
    registry: HashMap<Box<str>, TicketRecord>,
    agent_ids: Vec<String>,
    agent_index: HashMap<String, u32>,
    /// Input lines (table rows) inside audited tickets.
    audited_lines: u64,
    /// Rejected input lines (table rows) by reason.
    rejected: Map<RejectCode, u64>,
    rejects: BufWriter<File>,
    rejects_path: PathBuf,
    spill: BufWriter<File>,
    spill_path: PathBuf,
    spill_len: u64,
    /// Which flagged tickets may still be listed on their agent page: only theirs are
    /// conversations rendered and spilled.
    page_cut: PageCut,
}

impl RunState {
    fn new(staging: &Staging, entries: usize, config: &AuditConfig) -> Result<RunState> {
        let create = |name: &str| -> Result<(BufWriter<File>, PathBuf)> {
            let path = staging.path(name);
            let file = File::create(&path).map_err(Error::write(&path))?;
            Ok((BufWriter::with_capacity(1 << 20, file), path))
        };
        let (rejects, rejects_path) = create("rejects.jsonl")?;
        let (spill, spill_path) = create(".spill")?;
        Ok(RunState {
            seed: config.seed,
            ts_format: config.ts_format.clone(),
            warnings: Warnings::default(),
            mask: config.mask,
            aggregate: Aggregate::with_entries(entries),
            registry: HashMap::new(),
            agent_ids: Vec::new(),
            agent_index: HashMap::new(),
            audited_lines: 0,
            rejected: Map::default(),
            rejects,
            rejects_path,
            spill,
            spill_path,
            spill_len: 0,
            page_cut: PageCut::default(),
        })
    }

    fn absorb_batch(
        &mut self,
        engine: &Engine,
        files: &[read::InputFile],
        batch: Vec<InputLine>,
    ) -> Result<()> {
        let times = &self.ts_format;
        let parsed: Vec<_> = batch.par_iter().map(|line| parse::parse_line(line, times)).collect();
        let mut tickets = Vec::with_capacity(parsed.len());
        for (line, result) in batch.iter().zip(parsed) {
            match result {
                Err(reject) => self.reject(&reject, files)?,
                Ok(ticket) => match self.registry.get(ticket.id.as_str()) {
                    Some(first) => {
                        let detail = format!(
                            "ticket_id `{}` was already audited from {}:{}",
                            ticket.id, files[first.file as usize].display, first.line
                        );
                        self.reject(
                            &Reject::new(line, RejectCode::DuplicateTicketId, detail),
                            files,
                        )?;
                    }
                    None => {
                        let record = TicketRecord {
                            key: sample::sample_key(self.seed, &ticket.id),
                            owner: self.intern(&ticket.owner),
                            checks: 0,
                            severity: None,
                            reasons: ReasonSet::default(),
                            spill_at: 0,
                            queue_len: 0,
                            flagged_len: 0,
                            ticket_len: 0,
                            file: line.file,
                            line: line.line_no.min(u64::from(u32::MAX)) as u32,
                        };
                        self.registry.insert(ticket.id.clone().into_boxed_str(), record);
                        let file = &files[line.file as usize].display;
                        self.warnings.note(&ticket, file, line.line_no, self.mask);
                        self.audited_lines += line.rows;
                        tickets.push(ticket);
                    }
                },
            }
        }
        drop(batch);
        let entries = engine.lexicon.entries.len();
        let (cut, registry) = (&self.page_cut, &self.registry);
        let (aggregate, rendered) = tickets
            .par_iter()
            .fold(
                || (Aggregate::with_entries(entries), Vec::new()),
                |(mut aggregate, mut rendered), ticket| {
                    let audited = engine.audit_ticket(ticket);
                    aggregate.add_ticket(ticket, &audited.score, &audited.flags);
                    let owner = registry[ticket.id.as_str()].owner;
                    let listable = |s: Severity| cut.may_list(owner, s, &ticket.id);
                    rendered.push(engine.render(ticket, &audited, listable));
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
            );
        self.aggregate.merge(aggregate);
        for r in rendered {
            self.spill_rendered(r)?;
        }
        Ok(())
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

    fn reject(&mut self, reject: &Reject, files: &[read::InputFile]) -> Result<()> {
        self.rejected[reject.code] += reject.rows;
        let file = &files[reject.file as usize].display;
        let line = report::jsonl::reject_line(reject, file, self.mask);
        self.rejects.write_all(&line).map_err(Error::write(&self.rejects_path))
    }

    fn spill_rendered(&mut self, mut r: Rendered) -> Result<()> {
        let record = self.registry.get_mut(r.id.as_str()).expect("registered before auditing");
        if let Some(severity) = r.severity {
            // Rendered against the previous batches: this batch may have pushed it off.
            if !self.page_cut.add(record.owner, severity, &r.id) {
                (r.conv_html, r.conv_md) = Default::default();
            }
        }
        record.checks = r.checks;
        record.severity = r.severity;
        record.reasons = r.reasons;
        record.spill_at = self.spill_len;
        record.queue_len = r.queue_row.len() as u32;
        record.flagged_len = r.flagged.len() as u32;
        record.ticket_len = r.ticket_line.len() as u32;
        let lens = if r.flagged.is_empty() {
            Vec::new()
        } else {
            PageLens([&r.brief_html, &r.brief_md, &r.conv_html, &r.conv_md].map(|p| p.len() as u32))
                .to_bytes()
                .to_vec()
        };
        let parts = [&r.queue_row, &r.flagged, &r.ticket_line, &lens, &r.brief_html, &r.brief_md];
        for part in parts.into_iter().chain([&r.conv_html, &r.conv_md]) {
            self.spill.write_all(part).map_err(Error::write(&self.spill_path))?;
            self.spill_len += part.len() as u64;
        }
        Ok(())
    }

    /// Samples, then writes every report but the manifest.
    fn finish(
        mut self,
        config: &AuditConfig,
        engine: &Engine,
        trend: &Trend,
        staging: &Staging,
        inputs: &[read::InputFile],
    ) -> Result<Counts> {
        let lines = inputs.iter().map(|f| f.lines).sum();
        self.rejects.flush().map_err(Error::write(&self.rejects_path))?;
        self.spill.flush().map_err(Error::write(&self.spill_path))?;
        let spill = File::open(&self.spill_path).map_err(Error::read(&self.spill_path))?;

        // Tickets by owner, each owner's sorted by id: the order every report lists them in.
        let mut by_owner: Vec<Vec<(&str, &TicketRecord)>> = vec![Vec::new(); self.agent_ids.len()];
        for (id, record) in &self.registry {
            by_owner[record.owner as usize].push((id, record));
        }
        let (plan, template) = (&config.sampling, &config.template);
        // Risk mode's must-review class, from what the record keeps (invariant 4).
        let must = |r: &TicketRecord| match plan.mode {
            Mode::Plain => None,
            Mode::Risk(_) => {
                let outcomes = Compliance::unpack(r.checks, template.rules.len());
                let vetoed = template.ticket_compliance(&outcomes).is_some_and(|c| c.vetoed);
                sample::must_review(vetoed, r.reasons, template)
            }
        };
        let mut sampled: Vec<Vec<(&str, SampleReason)>> = Vec::with_capacity(by_owner.len());
        for (owner, tickets) in by_owner.iter_mut().enumerate() {
            tickets.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let candidates: Vec<sample::Candidate> = tickets
                .iter()
                .map(|(id, r)| sample::Candidate { key: r.key, id, must: must(r) })
                .collect();
            let choice = plan.choose(&candidates);
            let agent = self.aggregate.agent(&self.agent_ids[owner]);
            agent.sample_left_out += choice.left_out;
            let mut ids = Vec::with_capacity(choice.chosen.len());
            for (i, reason) in choice.chosen {
                let outcomes = Compliance::unpack(tickets[i].1.checks, template.rules.len());
                agent.record_sampled(&outcomes, reason, template);
                ids.push((tickets[i].0, reason));
            }
            ids.sort_unstable();
            sampled.push(ids);
        }
        let mut agent_order: Vec<usize> = (0..self.agent_ids.len()).collect();
        agent_order.sort_by(|&a, &b| self.agent_ids[a].cmp(&self.agent_ids[b]));

        // review_queue.csv: sampled tickets by agent, then ticket id.
        let mut queue = SpillCopy::create(staging, "review_queue.csv")?;
        queue.write(&report::csv::review_queue_header(&config.template.rules))?;
        let percent = plan.rate.percent();
        for &owner in &agent_order {
            for &(id, reason) in &sampled[owner] {
                let r = &self.registry[id];
                let row = read_spill(&spill, &self.spill_path, r.spill_at, r.queue_len)?;
                let reason = report::labels::sample_reason(reason, percent);
                queue.write(&report::csv::queue_row_with_reason(&row, &reason))?;
            }
        }
        queue.finish()?;

        // flagged.jsonl and tickets.jsonl: every ticket in id order.
        let mut all: Vec<(&str, &TicketRecord)> =
            self.registry.iter().map(|(id, r)| (id.as_ref(), r)).collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut flagged_out = SpillCopy::create(staging, "flagged.jsonl")?;
        let mut tickets_out = if config.per_ticket {
            Some(SpillCopy::create(staging, "tickets.jsonl")?)
        } else {
            None
        };
        let mut flagged = 0;
        for (_, r) in &all {
            let at = r.spill_at + u64::from(r.queue_len);
            if r.flagged_len > 0 {
                flagged += 1;
                flagged_out.copy(&spill, &self.spill_path, at, r.flagged_len)?;
            }
            if let Some(out) = tickets_out.as_mut() {
                let at = at + u64::from(r.flagged_len);
                out.copy(&spill, &self.spill_path, at, r.ticket_len)?;
            }
        }
        flagged_out.finish()?;
        if let Some(out) = tickets_out {
            out.finish()?;
        }

        let rejected: u64 = self.rejected.values().sum();
        let audited = self.registry.len() as u64;
        let counts = Counts {
            lines,
            audited_lines: self.audited_lines,
            audited,
            rejected,
            rejected_by_reason: self.rejected,
            sampled: sampled.iter().map(|s| s.len() as u64).sum(),
            flagged,
        };

        let sla = config.sla_secs;
        let template = &config.template;
        let team = self.aggregate.team().metrics(sla, template);
        let rows: Vec<_> = self
            .aggregate
            .agents
            .iter()
            .map(|(id, a)| (id.clone(), a.name.clone(), a.metrics(sla, template)))
            .collect();
        let trend = trend.view(&team, &rows, template);
        let cards: Vec<_> =
            rows.iter().map(|(_, _, m)| report::kpi::Card::of(m, &template.kpi)).collect();
        let team_kpi = report::kpi::Card::of(&team, &Default::default());
        let entries = self.aggregate.entry_counts(&engine.lexicon);
        let summary = report::summary::render(
            &counts,
            sla,
            plan,
            &rows,
            &cards,
            &template.kpi,
            &team,
            &entries,
            trend.as_ref(),
        );
        staging.write("summary.json", &summary)?;
        staging.write("agents.csv", &report::csv::agents(&rows, &cards, trend.as_ref()))?;
        let facts = report::team_page::RunFacts::new(
            config,
            &engine.lexicon,
            inputs,
            self.aggregate.period,
        );
        let page = report::TeamPage::build(
            facts,
            &counts,
            &rows,
            &cards,
            &team,
            template,
            trend.as_ref(),
            report::agent_file_stem,
        );
        staging.write("summary.md", &report::markdown::team(&page))?;
        staging.write("index.html", &report::html::index(&page))?;
        staging.write("digest.md", &report::digest::render(&page, config.report_url.as_deref()))?;

        // Agents in parallel (each writes only its own files), one flagged ticket at a time.
        let pages_started = Instant::now();
        rows.par_iter().zip(cards.par_iter()).try_for_each(|((id, name, metrics), kpi)| {
            let owned = self.agent_index.get(id).map_or(&[][..], |&o| &by_owner[o as usize][..]);
            let flagged: Vec<&TicketRecord> =
                owned.iter().map(|(_, r)| *r).filter(|r| r.flagged_len > 0).collect();
            let stem = report::agent_file_stem(id);
            let agent = report::AgentPage {
                id,
                name: name.as_deref(),
                stem: &stem,
                metrics,
                team: &team,
                flagged_shown: 0,
                flagged_total: flagged.len(),
                reasons: &[],
                template,
                change: trend.as_ref().map(|t| &t.agents[id]),
                kpi,
                team_kpi: &team_kpi,
            };
            write_agent_pages(staging, (&spill, &self.spill_path), &flagged, template, agent)
        })?;
        spill::stage_time("agent pages", pages_started);
        drop(spill);
        std::fs::remove_file(&self.spill_path).map_err(Error::write(&self.spill_path))?;
        Ok(counts)
    }
}
