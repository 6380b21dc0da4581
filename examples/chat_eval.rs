//! Measures zhijian's per-turn flags on real chat against a hand-labeled set: customer turns
//! (complaint / negative / neutral / positive) and agent turns (forbidden, off_platform,
//! negative_wording, jargon, empathy), labeled by the criteria in docs/labeling.md and stored as
//! session ids and message indexes only (bench/labels/). Prints precision and recall per flag on
//! the random stratum (an unbiased sample of turns) and on all strata (the cue strata enrich
//! rare classes, so their figures are not population rates).
//!
//! Usage: cargo run --release --example chat_eval -- CHAT.tsv LABEL_DIR [LEXICON_DIR]
//! CHAT.tsv is the JDDC 2019 chat sample (TSV, no header, `waiter_send` in column 2, text in 6).

use std::collections::HashMap;
use std::path::Path;

use zhijian::lexicon::{Category, Lexicon};
use zhijian::matcher::Hit;
use zhijian::parse::{Message, Role, Ticket};
use zhijian::run::Engine;
use zhijian::score::{self, EvidenceKind};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [chat, labels, rest @ ..] = args.as_slice() else {
        eprintln!("usage: chat_eval CHAT.tsv LABEL_DIR [LEXICON_DIR]");
        std::process::exit(2);
    };
    let lexicon = Lexicon::load(rest.first().map(Path::new)).unwrap_or_else(|e| {
        eprintln!("chat_eval: {e}");
        std::process::exit(1);
    });
    let engine = Engine::new(lexicon, 30, false, false);
    let turns = read_turns(chat);

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
        let (negative, positive, _) = sentiment(&engine, session, label.message);
        let truth = label.labels.iter().any(|l| l == "complaint");
        complaint.add(&label.stratum, score::is_complaint(negative, positive), truth);
        let negative_label = label.labels.iter().any(|l| l == "complaint" || l == "negative");
        negative_hit.add(&label.stratum, negative > 0, negative_label);
    }
    println!("{}", Table::header());
    complaint.print("complaint");
    // The previous release's figures on the random stratum (0.1.0: precision 0.77, recall
    // 0.29); precision may trade a little for recall, never fall under 0.70.
    let (precision, recall) = complaint.random_figures();
    if recall < 0.29 || precision < 0.70 {
        eprintln!("chat_eval: complaint precision {precision:.2} / recall {recall:.2} regressed");
        std::process::exit(1);
    }
    negative_hit.print("any negative hit (complaint|negative)");

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
        let (_, _, counted) = sentiment(&engine, session, label.message);
        for ((name, category), table) in flags.iter().zip(&mut tables) {
            let truth = label.labels.iter().any(|l| l == name);
            table.add(&label.stratum, counted.contains(category), truth);
        }
    }
    println!("{}", Table::header());
    for ((name, _), table) in flags.iter().zip(&tables) {
        table.print(name);
    }
}

/// (negative, positive) weight in thousandths and the categories counted on one turn, as the
/// audit scores it inside its whole conversation (so an agent echoing or asking about the
/// customer's words is judged as the audit judges it).
fn sentiment(
    engine: &Engine,
    session: &[(Role, String)],
    message: u32,
) -> (u64, u64, Vec<Category>) {
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
        let hit = Hit { entry, category, start: 0, end: 0, effect, weight_milli };
        let Some(category) = hit.counts_as() else { continue };
        match category {
            Category::Negative => negative += u64::from(weight_milli),
            Category::Positive => positive += u64::from(weight_milli),
            _ => {}
        }
        counted.push(category);
    }
    (negative, positive, counted)
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

/// Confusion counts on the random stratum and on all strata.
#[derive(Default)]
struct Table {
    random: [u32; 4],
    all: [u32; 4],
}

impl Table {
    fn add(&mut self, stratum: &str, predicted: bool, truth: bool) {
        let cell = usize::from(predicted) * 2 + usize::from(truth);
        self.all[cell] += 1;
        if stratum == "random" {
            self.random[cell] += 1;
        }
    }

    fn random_figures(&self) -> (f64, f64) {
        let c = &self.random;
        let (tp, fp, fn_) = (f64::from(c[3]), f64::from(c[2]), f64::from(c[1]));
        (tp / (tp + fp).max(1.0), tp / (tp + fn_).max(1.0))
    }

    fn header() -> String {
        format!(
            "{:<38} {:>9} {:>7} {:>5}   {:>9} {:>7} {:>5}",
            "flag", "precision", "recall", "n+", "precision", "recall", "n+"
        ) + "\n"
            + &format!("{:<38} {:>23}   {:>23}", "", "random stratum", "all strata")
    }

    fn print(&self, name: &str) {
        let figures = |c: &[u32; 4]| {
            let (tp, fp, fn_) = (c[3], c[2], c[1]);
            let ratio = |n: u32, d: u32| {
                if d == 0 {
                    "-".to_string()
                } else {
                    format!("{:.2}", f64::from(n) / f64::from(d))
                }
            };
            format!("{:>9} {:>7} {:>5}", ratio(tp, tp + fp), ratio(tp, tp + fn_), tp + fn_)
        };
        println!("{name:<38} {}   {}", figures(&self.random), figures(&self.all));
    }
}
