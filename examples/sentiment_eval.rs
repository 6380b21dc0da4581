//! Measures the negative-sentiment scoring against labeled reviews: each review becomes a
//! one-message customer ticket, "negative" is the customer being net negative, and the label
//! says whether it really is. Prints accuracy, precision, recall, F1 and balanced accuracy for
//! the full rules and for the rules switched off one at a time, down to a plain keyword count.
//!
//! Usage: cargo run --release --example sentiment_eval -- REVIEWS.csv [LEXICON_DIR]
//! REVIEWS.csv has a header `cat,label,review`; label 0 = negative, 1 = positive.

use rayon::prelude::*;

use zhijian::lexicon::Lexicon;
use zhijian::matcher::Rules;
use zhijian::parse::{Message, Role, Ticket};
use zhijian::run::Engine;

#[derive(Default)]
struct Confusion {
    tp: u64,
    fp: u64,
    tn: u64,
    fn_: u64,
}

impl Confusion {
    fn add(&mut self, predicted_negative: bool, negative: bool) {
        match (predicted_negative, negative) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, false) => self.tn += 1,
            (false, true) => self.fn_ += 1,
        }
    }

    fn merge(mut self, other: Confusion) -> Confusion {
        self.tp += other.tp;
        self.fp += other.fp;
        self.tn += other.tn;
        self.fn_ += other.fn_;
        self
    }

    fn balanced_accuracy(&self) -> f64 {
        let f = |n: u64, d: u64| if d == 0 { 0.0 } else { n as f64 / d as f64 };
        (f(self.tp, self.tp + self.fn_) + f(self.tn, self.tn + self.fp)) / 2.0
    }

    fn line(&self, name: &str) -> String {
        let f = |n: u64, d: u64| if d == 0 { 0.0 } else { n as f64 / d as f64 };
        let precision = f(self.tp, self.tp + self.fp);
        let recall = f(self.tp, self.tp + self.fn_);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        let accuracy = f(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn_);
        format!(
            "{name:<34} {accuracy:>8.4} {precision:>9.4} {recall:>7.4} {f1:>7.4} {:>9.4}",
            self.balanced_accuracy()
        )
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(csv_path) = args.next() else {
        eprintln!("usage: sentiment_eval REVIEWS.csv [LEXICON_DIR]");
        std::process::exit(2);
    };
    let lexicon_dir = args.next().unwrap_or_else(|| "lexicons".into());
    let lexicon = Lexicon::load_dir(lexicon_dir.as_ref()).unwrap_or_else(|e| {
        eprintln!("sentiment_eval: {e}");
        std::process::exit(1);
    });

    let mut reader = csv::Reader::from_path(&csv_path).unwrap_or_else(|e| {
        eprintln!("sentiment_eval: {csv_path}: {e}");
        std::process::exit(1);
    });
    let mut reviews: Vec<(bool, String)> = Vec::new();
    for record in reader.records() {
        let record = record.expect("readable CSV row");
        let text = record[2].trim_start_matches('\u{feff}').trim().to_string();
        if !text.is_empty() {
            reviews.push((&record[1] == "0", text));
        }
    }
    let negatives = reviews.iter().filter(|(n, _)| *n).count();
    println!(
        "{} reviews ({} negative, {} positive) from {csv_path}",
        reviews.len(),
        negatives,
        reviews.len() - negatives
    );
    println!(
        "{:<34} {:>8} {:>9} {:>7} {:>7} {:>9}",
        "rules", "accuracy", "precision", "recall", "F1", "balanced"
    );

    let variants = [
        ("plain keyword count", Rules::NONE),
        ("+ token boundaries", Rules { boundaries: true, exceptions: false, modifiers: false }),
        ("+ exceptions", Rules { boundaries: true, exceptions: true, modifiers: false }),
        ("+ negation and degree (all rules)", Rules::ALL),
    ];
    let mut balanced = Vec::new();
    for (name, rules) in variants {
        let engine = Engine::with_rules(lexicon.clone(), rules, 30, false, false);
        let confusion = reviews
            .par_iter()
            .map(|(negative, text)| {
                let ticket = Ticket {
                    id: String::new(),
                    owner: "eval".into(),
                    agent_name: None,
                    channel: None,
                    messages: vec![Message {
                        role: Role::Customer,
                        ts_ms: None,
                        text: text.clone(),
                        author: None,
                    }],
                    csat: None,
                    resolved: None,
                };
                let score = engine.audit_ticket(&ticket).score;
                let mut c = Confusion::default();
                c.add(score.customer_negative(), *negative);
                c
            })
            .reduce(Confusion::default, Confusion::merge);
        println!("{}", confusion.line(name));
        balanced.push(confusion.balanced_accuracy());
    }
    // A regression guard for CI: the rules must beat a plain keyword count.
    if balanced.last() <= balanced.first() {
        eprintln!("sentiment_eval: the full rules no longer beat a plain keyword count");
        std::process::exit(1);
    }
}
