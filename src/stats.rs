//! `zhijian lexicon stats`: takes the audit's inputs and lexicons, yields per lexicon entry
//! what it hit in the audit and what never fired. The inputs go through the audit's own stages
//! (`read`, `parse`, duplicate ids rejected, [`Engine::audit_ticket`]), so a count here is the
//! count the audit acted on: a hit counts where the audit counts it (agent-side categories on
//! agent turns, sentiment on both), and its effect is the one the matcher and scoring gave it.
//!
//! Per entry ([`EntryStats`]): `hits` counted (a negated positive counts, as negative), the
//! `tickets` and `agents` they were in (the message's author on agent turns, the ticket's owner
//! on customer turns), every hit by the effect that changed it (`excepted`, `negated`,
//! `double_negated`, `echoed`, `asked`), and the first N counted hits by (ticket id, message,
//! position) as examples in context, personal data masked as every report masks it. An entry
//! "never fired" when the matcher found it nowhere, whatever the effect. Modifiers (negation,
//! degree) never count by themselves and `!` exceptions never hit; neither is listed (their
//! work shows as `negated` and `excepted` on the entries they act on).
//!
//! Memory: per entry a few counters, its agents' ids and at most N examples of
//! [`CONTEXT`] graphemes a side, plus each ticket id (to reject duplicates, as the audit does);
//! never the text of all tickets. [`Stats::merge`] is associative and commutative, so the
//! output is the same for any thread count.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use crate::cli::StatsArgs;
use crate::engine::Engine;
use crate::error::{for_terminal, Error, Result};
use crate::lexicon::{Category, EntryId, Lexicon};
use crate::matcher::Effect;
use crate::parse::{self, Reject, RejectCode, Role, Ticket};
use crate::read::{self, LineStream};
use crate::report;
use crate::score::EvidenceKind;

/// Graphemes of context shown on each side of a hit in an example.
pub const CONTEXT: usize = 12;

/// The effects a hit can have besides counting as written, in the order they are listed.
pub const EFFECTS: [&str; 5] = ["excepted", "negated", "double_negated", "echoed", "asked"];

fn effect_index(effect: Effect) -> Option<usize> {
    match effect {
        Effect::Counted => None,
        Effect::Excepted(_) => Some(0),
        Effect::Negated => Some(1),
        Effect::DoubleNegated => Some(2),
        Effect::Echoed => Some(3),
        Effect::Asked => Some(4),
    }
}

/// One counted hit shown in context.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Example {
    pub ticket: String,
    /// Counted from 0, as in flagged.jsonl.
    pub message: u32,
    /// Character offset of the hit in the message (orders two hits of one message).
    #[serde(skip)]
    pub at: u32,
    pub role: &'static str,
    /// Up to [`CONTEXT`] graphemes each side, the hit in 【】, personal data masked.
    pub text: String,
}

/// What one entry did. `merge` adds counters, unites agents and keeps the first examples.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntryStats {
    /// Hits of any effect: the entry fired.
    pub matched: u64,
    pub hits: u64,
    pub tickets: u64,
    pub agents: BTreeSet<String>,
    pub effects: [u64; EFFECTS.len()],
    pub examples: Vec<Example>,
}

impl EntryStats {
    fn merge(&mut self, other: EntryStats, keep: usize) {
        self.matched += other.matched;
        self.hits += other.hits;
        self.tickets += other.tickets;
        self.agents.extend(other.agents);
        for (a, b) in self.effects.iter_mut().zip(other.effects) {
            *a += b;
        }
        self.examples.extend(other.examples);
        self.examples.sort();
        self.examples.truncate(keep);
    }
}

/// Every entry's statistics, by entry id (entries that never fired are absent).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub examples: usize,
    pub tickets: u64,
    pub entries: BTreeMap<EntryId, EntryStats>,
}

impl Stats {
    pub fn new(examples: usize) -> Stats {
        Stats { examples, ..Stats::default() }
    }

    /// Associative and commutative: any grouping of tickets merges to the same value.
    pub fn merge(mut self, other: Stats) -> Stats {
        self.tickets += other.tickets;
        for (id, entry) in other.entries {
            self.entries.entry(id).or_default().merge(entry, self.examples);
        }
        self
    }

    /// Audits one ticket with the audit's engine and counts its hits.
    pub fn add_ticket(&mut self, engine: &Engine, ticket: &Ticket) {
        let audited = engine.audit_ticket(ticket);
        self.tickets += 1;
        let mut in_ticket: Vec<EntryId> = Vec::new();
        for evidence in &audited.score.evidence {
            let EvidenceKind::Hit { entry, category, effect, .. } = evidence.kind else {
                continue;
            };
            let stats = self.entries.entry(entry).or_default();
            stats.matched += 1;
            if let Some(i) = effect_index(effect) {
                stats.effects[i] += 1;
            }
            if crate::matcher::counts_as(category, effect).is_none() {
                continue;
            }
            stats.hits += 1;
            if !in_ticket.contains(&entry) {
                in_ticket.push(entry);
                stats.tickets += 1;
            }
            let message = &ticket.messages[evidence.message as usize];
            let agent = match message.role {
                Role::Agent => message.author.as_deref().unwrap_or(&ticket.owner),
                _ => &ticket.owner,
            };
            if !stats.agents.contains(agent) {
                stats.agents.insert(agent.to_string());
            }
            let example_key = (ticket.id.as_str(), evidence.message, evidence.start);
            let wanted = stats.examples.len() < self.examples
                || stats.examples.last().is_some_and(|last| {
                    example_key < (last.ticket.as_str(), last.message, last.at)
                });
            if wanted {
                let shown = &audited.shown[evidence.message as usize];
                stats.examples.push(Example {
                    ticket: ticket.id.clone(),
                    message: evidence.message,
                    at: evidence.start,
                    role: message.role.key(),
                    text: in_context(shown, evidence.start as usize, evidence.end as usize),
                });
                stats.examples.sort();
                stats.examples.truncate(self.examples);
            }
        }
    }
}

/// `text` around the characters `start..end`: at most [`CONTEXT`] graphemes each side (never
/// splitting one), the hit in 【】, `…` where text was left out, line breaks and tabs as spaces.
pub fn in_context(text: &str, start: usize, end: usize) -> String {
    let byte_at = |chars: usize| text.char_indices().nth(chars).map_or(text.len(), |(b, _)| b);
    let (start, end) = (byte_at(start), byte_at(end));
    let graphemes: Vec<(usize, &str)> = text.grapheme_indices(true).collect();
    // The graphemes wholly before the hit, and those starting at or after its end.
    let before: Vec<&str> =
        graphemes.iter().filter(|(at, g)| at + g.len() <= start).map(|(_, g)| *g).collect();
    let after: Vec<&str> = graphemes.iter().filter(|(at, _)| *at >= end).map(|(_, g)| *g).collect();
    let hit_start = before.iter().map(|g| g.len()).sum::<usize>();
    let hit_end = text.len() - after.iter().map(|g| g.len()).sum::<usize>();
    let mut out = String::new();
    if before.len() > CONTEXT {
        out.push('…');
    }
    out.extend(before.iter().skip(before.len().saturating_sub(CONTEXT)).copied());
    out.push('【');
    out.push_str(&text[hit_start..hit_end]);
    out.push('】');
    out.extend(after.iter().take(CONTEXT).copied());
    if after.len() > CONTEXT {
        out.push('…');
    }
    out.replace(['\n', '\r', '\t'], " ")
}

/// Rejected input lines: how many, and the first few by file and line, for one stderr line.
#[derive(Debug, Default)]
struct Rejects {
    rows: u64,
    first: Vec<(String, u64, RejectCode)>,
}

/// How many rejected lines the stderr line names.
const REJECTS_NAMED: usize = 3;

impl Rejects {
    fn add(&mut self, reject: &Reject, files: &[read::InputFile]) {
        self.rows += reject.rows;
        if self.first.len() < REJECTS_NAMED {
            let file = files[reject.file as usize].display.clone();
            self.first.push((file, reject.line, reject.code));
        }
    }

    fn line(&self, lines: u64) -> String {
        let named: Vec<String> = self
            .first
            .iter()
            .map(|(file, line, code)| format!("{file}:{line} {}", code.key()))
            .collect();
        let more = self.rows.saturating_sub(self.first.len() as u64);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        format!(
            "zhijian: {} of {lines} input lines rejected as `audit` rejects them, not in the \
             stats: {}{more}",
            self.rows,
            named.join(", ")
        )
    }
}

/// A scratch directory for tables read from stdin or gzip (the reader seeks), removed on drop.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `zhijian lexicon stats`.
pub fn run(args: &StatsArgs) -> Result<()> {
    let threads = match args.threads {
        Some(0) => {
            return Err(Error::Option { flag: "--threads", problem: "must be at least 1".into() })
        }
        Some(n) if n > crate::config::MAX_THREADS => {
            let problem = format!("{n} is more than {}", crate::config::MAX_THREADS);
            return Err(Error::Option { flag: "--threads", problem });
        }
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let lexicon = Lexicon::load(args.lexicons.as_deref())?;
    let table = crate::config::table_mapping(&args.table)?;
    let ts_format = table.as_ref().and_then(|t| t.ts_format.clone()).unwrap_or_default();
    let own = report::output::OwnDirs::new(Path::new(""));
    let files = read::resolve(&args.inputs, table.is_some(), |dir| own.contains(dir))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Option { flag: "--threads", problem: e.to_string() })?;
    let engine = Engine::new(lexicon, 30, true, false);
    let scratch =
        Scratch(std::env::temp_dir().join(format!(".zhijian-stats-{}", std::process::id())));
    std::fs::create_dir_all(&scratch.0).map_err(Error::write(&scratch.0))?;
    let mut stream = LineStream::new(files, table, scratch.0.clone());
    let mut stats = Stats::new(args.examples);
    let mut rejects = Rejects::default();
    let mut seen: HashSet<Box<str>> = HashSet::new();
    while let Some(batch) = stream.next_batch(4096, 16 << 20)? {
        let parsed: Vec<_> =
            pool.install(|| batch.par_iter().map(|l| parse::parse_line(l, &ts_format)).collect());
        let mut tickets = Vec::with_capacity(parsed.len());
        for (line, result) in batch.iter().zip(parsed) {
            match result {
                Err(reject) => rejects.add(&reject, &stream.files),
                Ok(ticket) if seen.contains(ticket.id.as_str()) => {
                    let detail = format!("ticket_id `{}` was already read", ticket.id);
                    let reject = Reject::new(line, RejectCode::DuplicateTicketId, detail);
                    rejects.add(&reject, &stream.files);
                }
                Ok(ticket) => {
                    seen.insert(ticket.id.clone().into_boxed_str());
                    tickets.push(ticket);
                }
            }
        }
        drop(batch);
        let n = args.examples;
        let part = pool.install(|| {
            tickets
                .par_iter()
                .fold(
                    || Stats::new(n),
                    |mut s, t| {
                        s.add_ticket(&engine, t);
                        s
                    },
                )
                .reduce(|| Stats::new(n), Stats::merge)
        });
        stats = stats.merge(part);
    }
    let inputs = stream.finish();
    drop(scratch);
    if rejects.rows > 0 {
        let lines = inputs.iter().map(|f| f.lines).sum();
        eprintln!("{}", for_terminal(&rejects.line(lines)));
    }
    let summary = summarize(&engine.lexicon, stats, rejects.rows);
    let bytes = if args.json {
        report::pretty_json(&summary)
    } else if args.csv {
        csv(&summary)
    } else {
        table_text(&summary).into_bytes()
    };
    match &args.out {
        None => std::io::stdout().write_all(&bytes).map_err(Error::write("-")),
        Some(path) => {
            let partial = path.with_extension("partial");
            std::fs::write(&partial, &bytes).map_err(Error::write(&partial))?;
            std::fs::rename(&partial, path).map_err(Error::write(path))
        }
    }
}

/// One entry's line of the output.
#[derive(Debug, Clone, Serialize)]
pub struct EntryLine {
    pub category: &'static str,
    /// As written in the lexicon file.
    pub entry: String,
    pub file: String,
    pub line: usize,
    pub hits: u64,
    pub tickets: u64,
    pub agents: u64,
    /// Hits by what changed them: excepted, negated, double_negated, echoed, asked.
    pub effects: BTreeMap<&'static str, u64>,
    pub examples: Vec<Example>,
}

/// The whole output, as `--json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub lexicons: String,
    pub tickets: u64,
    pub rejected_lines: u64,
    /// Entries that fired, by category key, then entry.
    pub entries: Vec<EntryLine>,
    /// Per category key, the entries the matcher found nowhere, sorted.
    pub never_fired: BTreeMap<&'static str, Vec<String>>,
}

fn summarize(lexicon: &Lexicon, mut stats: Stats, rejected_lines: u64) -> Summary {
    let mut entries = Vec::new();
    let mut never_fired: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for (id, entry) in lexicon.entries.iter().enumerate() {
        if entry.is_exception || entry.category.is_modifier() {
            continue;
        }
        let category = entry.category.key();
        match stats.entries.remove(&(id as EntryId)) {
            Some(s) if s.matched > 0 => entries.push(EntryLine {
                category,
                entry: entry.phrase.clone(),
                file: lexicon.files[entry.file].path.display().to_string(),
                line: entry.line,
                hits: s.hits,
                tickets: s.tickets,
                agents: s.agents.len() as u64,
                effects: EFFECTS.iter().copied().zip(s.effects).collect(),
                examples: s.examples,
            }),
            _ => never_fired.entry(category).or_default().push(entry.phrase.clone()),
        }
    }
    entries.sort_by(|a, b| {
        (a.category, &a.entry, &a.file, a.line).cmp(&(b.category, &b.entry, &b.file, b.line))
    });
    for phrases in never_fired.values_mut() {
        phrases.sort();
    }
    for category in Category::ALL.into_iter().filter(|c| !c.is_modifier()) {
        never_fired.entry(category.key()).or_default();
    }
    never_fired.retain(|_, phrases| !phrases.is_empty());
    Summary {
        lexicons: lexicon.source.clone(),
        tickets: stats.tickets,
        rejected_lines,
        entries,
        never_fired,
    }
}

const HEADER: [&str; 10] = [
    "category",
    "entry",
    "hits",
    "tickets",
    "agents",
    "excepted",
    "negated",
    "double_negated",
    "echoed",
    "asked",
];

fn figures(e: &EntryLine) -> Vec<String> {
    let mut row = vec![e.category.to_string(), e.entry.clone()];
    row.extend([e.hits, e.tickets, e.agents].map(|n| n.to_string()));
    row.extend(EFFECTS.iter().map(|k| e.effects[k].to_string()));
    row
}

/// The terminal table: columns padded by display width (a Han character takes two), each
/// entry's examples indented below it, then the entries that never fired.
pub fn table_text(s: &Summary) -> String {
    let mut out = format!(
        "{} tickets audited with {}, {} entries fired\n\n",
        s.tickets,
        s.lexicons,
        s.entries.len()
    );
    let mut rows = vec![HEADER.map(String::from).to_vec()];
    rows.extend(s.entries.iter().map(figures));
    let rows: Vec<Vec<String>> =
        rows.into_iter().map(|r| r.into_iter().map(|c| for_terminal(&c)).collect()).collect();
    let lines = crate::tools::aligned_lines(&rows, |i, _| i < 2);
    for (index, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        if let Some(entry) = index.checked_sub(1).map(|i| &s.entries[i]) {
            for example in &entry.examples {
                out.push_str(&format!(
                    "    {}#{} {}: {}\n",
                    for_terminal(&example.ticket),
                    example.message,
                    example.role,
                    for_terminal(&example.text)
                ));
            }
        }
    }
    let never: usize = s.never_fired.values().map(Vec::len).sum();
    out.push_str(&format!("\nnever fired ({never} entries)\n"));
    for (category, phrases) in &s.never_fired {
        out.push_str(&format!("  {category} ({}): {}\n", phrases.len(), phrases.join("、")));
    }
    out
}

/// One row per entry, fired first (as in the table), then those that never fired with zeros;
/// the examples as `ticket#message role: text` cells. UTF-8 with a BOM, CRLF, every text cell
/// through [`report::csv::safe_cell`], like the audit's CSV files.
pub fn csv(s: &Summary) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(report::csv::BOM.to_vec());
    let mut header: Vec<String> = HEADER.map(String::from).to_vec();
    header.push("examples".into());
    w.write_record(&header).expect("in memory");
    let safe = |c: &str| report::csv::safe_cell(c).into_owned();
    for e in &s.entries {
        let mut row: Vec<String> = figures(e).iter().map(|c| safe(c)).collect();
        let examples: Vec<String> = e
            .examples
            .iter()
            .map(|x| format!("{}#{} {}: {}", x.ticket, x.message, x.role, x.text))
            .collect();
        row.push(safe(&examples.join("\n")));
        w.write_record(&row).expect("in memory");
    }
    for (category, phrases) in &s.never_fired {
        for phrase in phrases {
            let mut row = vec![safe(category), safe(phrase)];
            row.extend(std::iter::repeat_n("0".to_string(), HEADER.len() - 2));
            row.push(String::new());
            w.write_record(&row).expect("in memory");
        }
    }
    w.into_inner().expect("writing to memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_keeps_graphemes_whole() {
        let long = "一二三四五六七八九十甲乙丙丁";
        let cases = [
            ("short", "我要加微信", 2, 5, "我要【加微信】"),
            ("cut both sides", &*format!("{long}加微信{long}"), 14, 17, ""),
            // A flag emoji is two characters, one grapheme: never split.
            ("emoji before", "🇨🇳加微信", 2, 5, "🇨🇳【加微信】"),
            ("line break", "您好\n加微信", 3, 6, "您好 【加微信】"),
        ];
        for (name, text, start, end, want) in cases {
            let got = in_context(text, start, end);
            if want.is_empty() {
                assert!(got.starts_with('…') && got.ends_with('…'), "{name}: {got}");
                assert!(got.contains("【加微信】"), "{name}: {got}");
                assert_eq!(got.chars().count(), 2 * CONTEXT + 2 + 3 + 2, "{name}: {got}");
            } else {
                assert_eq!(got, want, "{name}");
            }
        }
    }

    fn stats(entries: &[(EntryId, u64, &str)]) -> Stats {
        let mut s = Stats::new(2);
        for &(id, hits, ticket) in entries {
            let e = s.entries.entry(id).or_default();
            e.matched += hits;
            e.hits += hits;
            e.tickets += 1;
            e.agents.insert(ticket.to_lowercase());
            e.examples.push(Example {
                ticket: ticket.into(),
                message: 0,
                at: 0,
                role: "agent",
                text: String::new(),
            });
        }
        s.tickets = entries.len() as u64;
        s
    }

    #[test]
    fn merge_is_associative_and_commutative() {
        let (a, b, c) =
            (stats(&[(1, 2, "T3")]), stats(&[(1, 1, "T1"), (2, 1, "T1")]), stats(&[(1, 4, "T2")]));
        let left = a.clone().merge(b.clone()).merge(c.clone());
        let right = a.clone().merge(b.clone().merge(c.clone()));
        let swapped = c.merge(a).merge(b);
        assert_eq!(left, right);
        assert_eq!(left, swapped);
        let one = &left.entries[&1];
        assert_eq!((one.hits, one.tickets, one.agents.len()), (7, 3, 3));
        let kept: Vec<&str> = one.examples.iter().map(|e| e.ticket.as_str()).collect();
        assert_eq!(kept, ["T1", "T2"], "the first examples by ticket id");
    }
}
