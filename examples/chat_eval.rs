//! Measures zhijian's per-turn flags on real chat against a hand-labeled set: customer turns
//! (complaint / negative / neutral / positive) and agent turns (forbidden, off_platform,
//! negative_wording, jargon, empathy), labeled by the criteria in docs/labeling.md and stored as
//! session ids and message indexes only (bench/labels/). Prints precision and recall per flag on
//! the random stratum (an unbiased sample of turns), on random2 (a second held-out stratum,
//! labeled on 2026-12-07 from turns never shown while rules were written), on the two together
//! and on all strata (the cue strata enrich rare classes, so their figures are not population
//! rates).
//!
//! Usage: cargo run --release --example chat_eval -- CHAT.tsv LABEL_DIR [LEXICON_DIR]
//!        [--errors STRATUM]
//! `--errors cue` (or `cue_narrow`) prints each wrong flag of that stratum with the turn before
//! it, to the terminal only, for finding false-positive and miss classes on development turns.
//! The `random` and `random2` strata are the test sets: their errors are never printed.
//! `--scan N` prints the customer turns of N sessions outside every labeled set (none of the
//! labeled turns' sessions), each marked `!` when the audit calls it a complaint: development
//! data for complaint cues, terminal only; `--skip K` starts after the first K such sessions.
//! CHAT.tsv is the JDDC 2019 chat sample (TSV, no header, `waiter_send` in column 2, text in 6).

use std::collections::HashMap;
use std::path::Path;

use zhijian::engine::Engine;
use zhijian::lexicon::{Category, Lexicon};
use zhijian::matcher::Hit;
use zhijian::parse::{Message, Role, Ticket};
use zhijian::score::EvidenceKind;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let errors = match args.iter().position(|a| a == "--errors") {
        Some(at) if at + 1 < args.len() => Some(args.drain(at..at + 2).nth(1).unwrap()),
        Some(_) => usage(),
        None => None,
    };
    if let Some(stratum @ ("random" | "random2")) = errors.as_deref() {
        eprintln!("chat_eval: the {stratum} stratum is a test set; its errors are not shown");
        std::process::exit(2);
    }
    let scan = match args.iter().position(|a| a == "--scan") {
        Some(at) if at + 1 < args.len() => args.drain(at..at + 2).nth(1).unwrap().parse().ok(),
        Some(_) => usage(),
        None => None,
    };
    let skip = match args.iter().position(|a| a == "--skip") {
        Some(at) if at + 1 < args.len() => args.drain(at..at + 2).nth(1).unwrap().parse().ok(),
        Some(_) => usage(),
        None => None,
    };
    let [chat, labels, rest @ ..] = args.as_slice() else { usage() };
    let lexicon = Lexicon::load(rest.first().map(Path::new)).unwrap_or_else(|e| {
        eprintln!("chat_eval: {e}");
        std::process::exit(1);
    });
    let engine = Engine::new(lexicon, 30, false, false);
    let turns = read_turns(chat);
    if let Some(sessions) = scan {
        scan_unlabeled(&engine, &turns, Path::new(labels), skip.unwrap_or(0), sessions);
        return;
    }

    println!("customer turns ({})", Path::new(labels).join("jddc_customer.tsv").display());
    let customers = read_labels(&Path::new(labels).join("jddc_customer.tsv"));
    let mut complaint = Table::default();
    let mut negative_hit = Table::default();
    for label in &customers {
        let session = &turns[&label.session];
        let role = session[label.message as usize].0;
        assert_eq!(
            role,
            Role::Customer,
            "{}:{} is not a customer turn",
            label.session,
            label.message
        );
        let (negative, _, _, predicted) = sentiment(&engine, session, label.message);
        let truth = label.labels.iter().any(|l| l == "complaint");
        complaint.add(&label.stratum, predicted, truth);
        if errors.as_deref() == Some(&label.stratum) && predicted != truth {
            show_error("complaint", predicted, session, label.message);
        }
        let negative_label = label.labels.iter().any(|l| l == "complaint" || l == "negative");
        negative_hit.add(&label.stratum, negative > 0, negative_label);
    }
    println!("{}", Table::header());
    complaint.print("complaint");
    negative_hit.print("any negative hit (complaint|negative)");
    let mut failed = false;
    // Floors on the held-out strata; the eval is deterministic, so any fall is a regression.
    for (stratum, floor) in [("random", COMPLAINT_FLOOR), ("random2", COMPLAINT_FLOOR_RANDOM2)] {
        let (precision, recall) = complaint.figures(stratum);
        if recall < floor.1 || precision < floor.0 {
            eprintln!(
                "chat_eval: complaint precision {precision:.3} / recall {recall:.3} on {stratum} \
                 fell below {:.3} / {:.3}",
                floor.0, floor.1
            );
            failed = true;
        }
    }

    println!("\nagent turns");
    let agents = read_labels(&Path::new(labels).join("jddc_agent.tsv"));
    let flags = [
        ("forbidden", Category::Forbidden),
        ("off_platform", Category::OffPlatform),
        ("negative_wording", Category::Negative),
        ("jargon", Category::Jargon),
        ("empathy", Category::Empathy),
    ];
    let mut tables: Vec<Table> = flags.iter().map(|_| Table::default()).collect();
    for label in &agents {
        let session = &turns[&label.session];
        let role = session[label.message as usize].0;
        assert_eq!(role, Role::Agent, "{}:{} is not an agent turn", label.session, label.message);
        let (_, _, counted, _) = sentiment(&engine, session, label.message);
        for ((name, category), table) in flags.iter().zip(&mut tables) {
            let truth = label.labels.iter().any(|l| l == name);
            let predicted = counted.contains(category);
            table.add(&label.stratum, predicted, truth);
            if errors.as_deref() == Some(&label.stratum) && predicted != truth {
                show_error(name, predicted, session, label.message);
            }
        }
    }
    println!("{}", Table::header());
    for ((name, _), table) in flags.iter().zip(&tables) {
        table.print(name);
    }
    for (stratum, floors) in [("random", &PRECISION_FLOORS), ("random2", &PRECISION_FLOORS_RANDOM2)]
    {
        for ((name, _), table) in flags.iter().zip(&tables) {
            let Some(&(_, floor)) = floors.iter().find(|(n, _)| n == name) else { continue };
            let (precision, _) = table.figures(stratum);
            if precision < floor {
                eprintln!(
                    "chat_eval: {name} precision {precision:.3} on {stratum} fell below {floor:.3}"
                );
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}

/// Complaint (precision, recall) on the random stratum: the eval fails below them.
const COMPLAINT_FLOOR: (f64, f64) = (0.75, 0.51);
/// Agent-flag precision on the random stratum (issue 9: 0.12, 0.29 and 0.53 before the rule
/// classes; negative wording 0.50 → 3 of 5 after the cross-domain sentiment classes of
/// 2026-12-07, which made 不能 in 能不能 negate nothing).
const PRECISION_FLOORS: [(&str, f64); 3] =
    [("negative_wording", 3.0 / 5.0), ("jargon", 0.75), ("empathy", 0.80)];
/// Complaint (precision, recall) on the random2 stratum: what main's rules (commit 0631024, src/
/// and lexicons/ as on main) got there on 2026-12-07, measured once, after every random2 label
/// was written, with this example built from that tree: 16 of 24 flagged turns right, 16 of 31
/// complaints found. Exact fractions, so one more miss or false positive fails.
const COMPLAINT_FLOOR_RANDOM2: (f64, f64) = (16.0 / 24.0, 16.0 / 31.0);
/// Agent-flag precision on the random2 stratum, the same measurement: negative wording 4 of 7,
/// jargon 2 of 2, empathy 12 of 13 flagged turns right.
const PRECISION_FLOORS_RANDOM2: [(&str, f64); 3] =
    [("negative_wording", 4.0 / 7.0), ("jargon", 1.0), ("empathy", 12.0 / 13.0)];

/// Customer turns of `sessions` unlabeled sessions (in id order), complaints marked `!`.
fn scan_unlabeled(
    engine: &Engine,
    turns: &HashMap<String, Vec<(Role, String)>>,
    labels: &Path,
    skip: usize,
    sessions: usize,
) {
    let mut labeled: Vec<String> = Vec::new();
    for file in ["jddc_customer.tsv", "jddc_agent.tsv"] {
        labeled.extend(read_labels(&labels.join(file)).into_iter().map(|l| l.session));
    }
    let mut ids: Vec<&String> = turns.keys().filter(|id| !labeled.contains(id)).collect();
    ids.sort();
    for id in ids.into_iter().skip(skip).take(sessions) {
        let session = &turns[id];
        eprintln!("=== {}", &id[..8]);
        for (at, (role, text)) in session.iter().enumerate() {
            if *role == Role::Agent {
                eprintln!("      A: {}", text.chars().take(60).collect::<String>());
                continue;
            }
            let (.., complaint) = sentiment(engine, session, at as u32);
            eprintln!("  {}   C: {text}", if complaint { "!" } else { " " });
        }
    }
}

fn usage() -> ! {
    eprintln!("usage: chat_eval CHAT.tsv LABEL_DIR [LEXICON_DIR] [--errors STRATUM] [--scan N [--skip K]]");
    std::process::exit(2);
}

/// One wrong flag on a development turn, with the turn before it (terminal only).
fn show_error(flag: &str, predicted: bool, session: &[(Role, String)], message: u32) {
    let kind = if predicted { "false positive" } else { "miss" };
    let at = message as usize;
    eprintln!("--- {flag}: {kind} (message {message})");
    if let Some((role, text)) = at.checked_sub(1).and_then(|i| session.get(i)) {
        eprintln!("    {role:?}: {text}");
    }
    eprintln!(">>> {:?}: {}", session[at].0, session[at].1);
}

/// (negative, positive) hit weight in thousandths, the categories counted on one turn and
/// whether the audit calls it a complaint (hits and implicit cues), as the audit scores it
/// inside its whole conversation (so an agent echoing or asking about the customer's words, or
/// a customer asking again, is judged as the audit judges it).
fn sentiment(
    engine: &Engine,
    session: &[(Role, String)],
    message: u32,
) -> (u64, u64, Vec<Category>, bool) {
    let ticket = Ticket {
        id: String::new(),
        owner: "eval".into(),
        agent_name: None,
        channel: None,
        messages: session
            .iter()
            .map(|(role, text)| Message {
                role: *role,
                ts_ms: None,
                text: text.clone(),
                author: None,
            })
            .collect(),
        csat: None,
        resolved: None,
        unread_times: Default::default(),
    };
    let score = engine.audit_ticket(&ticket).score;
    let (mut negative, mut positive, mut counted) = (0, 0, Vec::new());
    for evidence in score.evidence.iter().filter(|e| e.message == message) {
        let EvidenceKind::Hit { entry, category, effect, weight_milli } = evidence.kind else {
            continue;
        };
        let hit =
            Hit { entry, category, start: 0, end: 0, effect, weight_milli, customer_only: false };
        let Some(category) = hit.counts_as() else { continue };
        match category {
            Category::Negative => negative += u64::from(weight_milli),
            Category::Positive => positive += u64::from(weight_milli),
            _ => {}
        }
        counted.push(category);
    }
    (negative, positive, counted, score.complaints.contains(&message))
}

/// Every session of the chat export: its rows in file order, as (role, text).
fn read_turns(path: &str) -> HashMap<String, Vec<(Role, String)>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("chat_eval: {path}: {e}");
        std::process::exit(1);
    });
    let mut sessions: HashMap<String, Vec<(Role, String)>> = HashMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() < 7 {
            continue;
        }
        let role = if cells[2] == "1" { Role::Agent } else { Role::Customer };
        sessions.entry(cells[0].to_string()).or_default().push((role, cells[6..].join("\t")));
    }
    sessions
}

struct Label {
    session: String,
    message: u32,
    stratum: String,
    labels: Vec<String>,
}

fn read_labels(path: &Path) -> Vec<Label> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("chat_eval: {}: {e}", path.display());
        std::process::exit(1);
    });
    text.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            Label {
                session: cells[0].to_string(),
                message: cells[1].parse().expect("a message index"),
                stratum: cells[2].to_string(),
                labels: cells[3].split('+').map(str::to_string).collect(),
            }
        })
        .collect()
}

/// Confusion counts (cell = predicted * 2 + truth) on the random stratum, on random2, on the two
/// together and on all strata.
#[derive(Default)]
struct Table {
    random: [u32; 4],
    random2: [u32; 4],
    held_out: [u32; 4],
    all: [u32; 4],
}

impl Table {
    fn add(&mut self, stratum: &str, predicted: bool, truth: bool) {
        let cell = usize::from(predicted) * 2 + usize::from(truth);
        self.all[cell] += 1;
        match stratum {
            "random" => self.random[cell] += 1,
            "random2" => self.random2[cell] += 1,
            _ => return,
        }
        self.held_out[cell] += 1;
    }

    /// (precision, recall) on a held-out stratum, `random` or `random2`.
    fn figures(&self, stratum: &str) -> (f64, f64) {
        let c = if stratum == "random" { &self.random } else { &self.random2 };
        let (tp, fp, fn_) = (f64::from(c[3]), f64::from(c[2]), f64::from(c[1]));
        (tp / (tp + fp).max(1.0), tp / (tp + fn_).max(1.0))
    }

    fn header() -> String {
        let column = format!("   {:>9} {:>7} {:>5}", "precision", "recall", "n+");
        format!("{:<38}{}", "flag", column.repeat(4))
            + "\n"
            + &format!(
                "{:<38}   {:>23}   {:>23}   {:>23}   {:>23}",
                "", "random stratum", "random2 stratum", "random + random2", "all strata"
            )
    }

    fn print(&self, name: &str) {
        let figures = |c: &[u32; 4]| {
            let (tp, fp, fn_) = (c[3], c[2], c[1]);
            let ratio = |n: u32, d: u32| {
                if d == 0 {
                    "-".to_string()
                } else {
                    format!("{:.3}", f64::from(n) / f64::from(d))
                }
            };
            format!("{:>9} {:>7} {:>5}", ratio(tp, tp + fp), ratio(tp, tp + fn_), tp + fn_)
        };
        println!(
            "{name:<38}   {}   {}   {}   {}",
            figures(&self.random),
            figures(&self.random2),
            figures(&self.held_out),
            figures(&self.all)
        );
    }
}
