//! The spine: the one place that knows the order of the stages, for each way of running them.
//! `audit` reads its inputs in batches and absorbs each into one [`Partial`] as it is audited
//! (map and combine in one process), then renders it. Across processes the same steps are three
//! commands: `map` turns a shard into partial records, `combine` merges records in any grouping,
//! `render` turns the merged records into the very reports `audit` writes.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Instant;

use crate::cli::{CombineArgs, MapArgs};
use crate::config::AuditConfig;
use crate::engine::Engine;
use crate::error::{for_terminal, Error, Result, EXIT_OK, EXIT_TOO_MANY_REJECTS};
use crate::lexicon::Lexicon;
use crate::partial::wire::{self, Header, Record};
use crate::partial::{self, Partial};
use crate::progress::Progress;
use crate::read::{self, InputFile, LineStream, RowStream};
use crate::report::manifest::{Counts, Runtime, Warnings};
use crate::report::{self, Staging};
use crate::trend::Trend;

/// Lines per batch: enough to keep every core busy, few enough that a batch's text is small.
const BATCH_LINES: usize = 4096;
const BATCH_BYTES: usize = 16 << 20;

pub fn audit(config: &AuditConfig) -> Result<RunSummary> {
    let started = Instant::now();
    let started_at = now();
    let engine = engine(config)?;
    let own = report::output::OwnDirs::new(&config.out);
    let files = read::resolve(&config.inputs, config.table.is_some(), |dir| own.contains(dir))?;
    // Read before the run, so `--baseline` may name the `--out` it replaces.
    let trend = Trend::load(config.baseline.as_deref(), config.history.as_deref())?;
    // Dropped unless committed: a failed run leaves no staging directory.
    let staging = Staging::create(&config.out, config.quiet)?;
    let (counts, warnings, inputs) = pool(config.threads)?.install(|| {
        let partial = read_and_audit(config, &engine, files, &staging)?;
        partial.finish(config, &engine, &trend, &staging)
    })?;
    commit(config, &engine, staging, (counts, warnings, inputs), started, started_at)
}

/// `zhijian render`: the reports from partial records, as `audit` writes them.
pub fn render(config: &AuditConfig) -> Result<RunSummary> {
    let started = Instant::now();
    let started_at = now();
    let engine = engine(config)?;
    let trend = Trend::load(config.baseline.as_deref(), config.history.as_deref())?;
    let staging = Staging::create(&config.out, config.quiet)?;
    let (counts, warnings, inputs) = pool(config.threads)?.install(|| {
        let entries = engine.lexicon.entries.len();
        let mut partial = Partial::new(&staging.dir, entries, config.seed, config.mask)?;
        wire::read(&config.inputs, |record| partial.absorb(record))?;
        partial.check_header(&Header::of(config, &engine.lexicon))?;
        partial.finish(config, &engine, &trend, &staging)
    })?;
    commit(config, &engine, staging, (counts, warnings, inputs), started, started_at)
}

/// `zhijian map`: a shard's partial records, in input order, then its inputs' line counts.
pub fn map(args: MapArgs) -> Result<()> {
    let rows = args.rows;
    let config = AuditConfig::from_args(args.audit)?;
    let engine = engine(&config)?;
    let mut out = wire::Output::create(Some(&config.out))?;
    out.write(&Record::Header(Header::of(&config, &engine.lexicon)))?;
    let scratch = tempfile::tempdir().map_err(Error::write(std::env::temp_dir()))?;
    let mut digests = Vec::new();
    let mut files = pool(config.threads)?.install(|| -> Result<Vec<InputFile>> {
        let mut write = |files: &[InputFile], batch: Vec<read::InputLine>| -> Result<()> {
            let times = &config.ts_format;
            for line in partial::map_batch(&engine, times, files, &batch, &mut digests) {
                out.write_line(&line)?;
            }
            Ok(())
        };
        if rows {
            let mut stream = RowStream::new(Box::new(std::io::stdin().lock()));
            while let Some(batch) = stream.next_batch(BATCH_LINES, BATCH_BYTES)? {
                write(&stream.files, batch)?;
            }
            Ok(stream.files)
        } else {
            let files = read::resolve(&config.inputs, config.table.is_some(), |_| false)?;
            let mut stream = LineStream::new(files, config.table.clone(), scratch.path().into());
            while let Some(batch) = stream.next_batch(BATCH_LINES, BATCH_BYTES)? {
                write(&stream.files, batch)?;
            }
            Ok(stream.finish())
        }
    })?;
    for (file, digest) in files.iter_mut().zip(digests) {
        file.lines_digest = digest;
    }
    for file in files {
        out.write(&Record::Input(wire::InputPart::of(&file)))?;
    }
    out.finish()
}

/// `zhijian combine`: the records merged, one per ticket id.
pub fn combine(args: &CombineArgs) -> Result<()> {
    let scratch = tempfile::tempdir().map_err(Error::write(std::env::temp_dir()))?;
    let mut partial = Partial::new(scratch.path(), 0, 0, true)?;
    let inputs =
        if args.inputs.is_empty() { vec![PathBuf::from("-")] } else { args.inputs.clone() };
    wire::read(&inputs, |record| partial.absorb(record))?;
    let mut out = wire::Output::create(args.out.as_ref())?;
    partial.emit(&mut out)?;
    out.finish()
}

fn engine(config: &AuditConfig) -> Result<Engine> {
    let lexicon = Lexicon::load(config.lexicons.as_deref())?;
    Ok(Engine::new(lexicon, config.sla_secs, config.mask, config.per_ticket)
        .with_template(config.template.clone()))
}

fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Option { flag: "--threads", problem: e.to_string() })
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Stages 1–8, batch by batch, into one partial.
fn read_and_audit(
    config: &AuditConfig,
    engine: &Engine,
    files: Vec<InputFile>,
    staging: &Staging,
) -> Result<Partial> {
    let total_bytes = files.iter().map(|f| f.bytes).sum();
    let progress = Progress::new(total_bytes, config.quiet);
    let mut stream = LineStream::new(files, config.table.clone(), staging.dir.clone());
    let entries = engine.lexicon.entries.len();
    let mut partial = Partial::new(&staging.dir, entries, config.seed, config.mask)?;
    while let Some(batch) = stream.next_batch(BATCH_LINES, BATCH_BYTES)? {
        partial.absorb_batch(engine, &config.ts_format, &stream.files, batch)?;
        progress.update(stream.bytes_read.load(Ordering::Relaxed), partial.audited());
    }
    progress.finish();
    partial.set_inputs(stream.finish());
    Ok(partial)
}

/// The manifest and the lexicon and template copies, then the staging directory renamed
/// into place.
fn commit(
    config: &AuditConfig,
    engine: &Engine,
    staging: Staging,
    (counts, warnings, inputs): (Counts, Warnings, Vec<InputFile>),
    started: Instant,
    started_at: String,
) -> Result<RunSummary> {
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
