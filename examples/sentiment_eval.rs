//! Measures the negative-sentiment scoring against labeled reviews: each review becomes a
//! one-message customer ticket, "negative" is the customer being net negative, and the label
//! says whether it really is. Prints accuracy, precision, recall, F1 and balanced accuracy for
//! the full rules and for the rules switched off one at a time, down to a plain keyword count;
//! then, per product category, the balanced accuracy of each rule set when the one fitted
//! number (the net-negative margin) is chosen on the other nine categories (leave one
//! category out): the figure to report, since the rules must hold on domains they were not
//! written on.
//!
//! Usage: cargo run --release --example sentiment_eval -- REVIEWS.csv [LEXICON_DIR]
//!        [--errors CATEGORY[,CATEGORY…]] [--full-only]
//! REVIEWS.csv has a header `cat,label,review`; label 0 = negative, 1 = positive.
//!
//! `--errors` prints the full rules' errors (to stderr) in the named categories, which must be
//! development categories ([`DEVELOPMENT`]): the held-out five are refused, so rules are never
//! written from the reviews that measure them. `--full-only` scores the full rules alone (for
//! iterating; the floors are then not checked, since the keyword baseline is not computed).

use rayon::prelude::*;

use zhijian::engine::Engine;
use zhijian::lexicon::Lexicon;
use zhijian::matcher::Rules;
use zhijian::parse::{Message, Role, Ticket};

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
    let mut positional = Vec::new();
    let mut errors_in: Vec<String> = Vec::new();
    let mut full_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--errors" => {
                let list = args.next().unwrap_or_else(|| usage());
                errors_in.extend(list.split(',').map(str::to_string));
            }
            "--full-only" => full_only = true,
            _ if arg.starts_with("--") => usage(),
            _ => positional.push(arg),
        }
    }
    if let Some(held_out) = errors_in.iter().find(|c| !DEVELOPMENT.contains(&c.as_str())) {
        eprintln!(
            "sentiment_eval: --errors {held_out}: only the development categories ({}) may be read; the others measure the rules",
            DEVELOPMENT.join(", ")
        );
        std::process::exit(2);
    }
    let mut positional = positional.into_iter();
    let Some(csv_path) = positional.next() else { usage() };
    let lexicon_dir = positional.next().unwrap_or_else(|| "lexicons".into());
    let lexicon = Lexicon::load_dir(lexicon_dir.as_ref()).unwrap_or_else(|e| {
        eprintln!("sentiment_eval: {e}");
        std::process::exit(1);
    });

    let mut reader = csv::Reader::from_path(&csv_path).unwrap_or_else(|e| {
        eprintln!("sentiment_eval: {csv_path}: {e}");
        std::process::exit(1);
    });
    let mut reviews: Vec<Review> = Vec::new();
    let mut categories: Vec<String> = Vec::new();
    for record in reader.records() {
        let record = record.expect("readable CSV row");
        let text = record[2].trim_start_matches('\u{feff}').trim().to_string();
        if text.is_empty() {
            continue;
        }
        let category = match categories.iter().position(|c| c == &record[0]) {
            Some(i) => i,
            None => {
                categories.push(record[0].to_string());
                categories.len() - 1
            }
        };
        reviews.push(Review { category, negative: &record[1] == "0", text });
    }
    let negatives = reviews.iter().filter(|r| r.negative).count();
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

    let all_variants = [
        ("plain keyword count", Rules::NONE),
        ("+ token boundaries", Rules { boundaries: true, exceptions: false, modifiers: false }),
        ("+ exceptions", Rules { boundaries: true, exceptions: true, modifiers: false }),
        ("+ negation and degree (all rules)", Rules::ALL),
    ];
    let variants = if full_only { &all_variants[3..] } else { &all_variants[..] };
    let mut balanced = Vec::new();
    let mut per_category = Vec::new();
    for &(name, rules) in variants {
        let engine = Engine::with_rules(lexicon.clone(), rules, 30, false, false);
        let scored: Vec<Scored> = reviews
            .par_iter()
            .map(|review| {
                let (negative, positive) = sentiment(&engine, &review.text);
                Scored { category: review.category, label: review.negative, negative, positive }
            })
            .collect();
        let confusion = confusion(&scored, |s| s.negative > 0 && s.negative >= s.positive);
        println!("{}", confusion.line(name));
        balanced.push(confusion.balanced_accuracy());
        per_category.push((name, scored));
    }
    println!();
    let (worst, mean) = leave_one_category_out(&categories, &per_category);
    // For rule work: the full rules' errors in the development categories asked for only, so
    // the held-out ones stay unseen.
    if !errors_in.is_empty() {
        let (_, scored) = per_category.last().expect("rule sets");
        for (review, s) in reviews.iter().zip(scored) {
            let shown = errors_in.iter().any(|c| &categories[review.category] == c);
            let predicted = s.negative > 0 && s.negative >= s.positive;
            if shown && predicted != s.label {
                let kind = if s.label { "missed" } else { "false" };
                let category = &categories[review.category];
                eprintln!("{kind}\t{category}\t{}\t{}\t{}", s.negative, s.positive, review.text);
            }
        }
    }
    if full_only {
        return;
    }
    // Regression guards for CI: the rules must beat a plain keyword count, and no figure may
    // fall below the previous release's.
    if balanced.last() <= balanced.first() {
        eprintln!("sentiment_eval: the full rules no longer beat a plain keyword count");
        std::process::exit(1);
    }
    let full = *balanced.last().expect("rule sets");
    let floors = [
        ("balanced accuracy", full, FLOOR_BALANCED),
        ("worst category", worst, FLOOR_WORST),
        ("mean over categories", mean, FLOOR_MEAN),
    ];
    for (name, figure, floor) in floors {
        if figure < floor {
            eprintln!("sentiment_eval: {name} {figure:.4} fell below its floor {floor:.4}");
            std::process::exit(1);
        }
    }
}

/// The figures after issue 9's review rule classes written from the development categories
/// (measured 2026-12-07: pooled 0.8730, worst 0.7130, mean 0.8357, each taken down to a
/// thousandth below; the eval is deterministic): it fails below them.
const FLOOR_BALANCED: f64 = 0.872;
const FLOOR_WORST: f64 = 0.712;
const FLOOR_MEAN: f64 = 0.835;

fn usage() -> ! {
    eprintln!(
        "usage: sentiment_eval REVIEWS.csv [LEXICON_DIR] [--errors CATEGORY[,CATEGORY…]] [--full-only]"
    );
    std::process::exit(2);
}

/// The categories rules may be written from (their errors may be read); the other five are
/// held out and only measured.
const DEVELOPMENT: [&str; 5] = ["平板", "水果", "洗发水", "衣服", "酒店"];

/// One review: its category, whether it is labeled negative, and the customer side's
/// negative and positive weight (thousandths) as the audit scores it.
struct Review {
    category: usize,
    negative: bool,
    text: String,
}

struct Scored {
    category: usize,
    label: bool,
    negative: u64,
    positive: u64,
}

fn sentiment(engine: &Engine, text: &str) -> (u64, u64) {
    let ticket = Ticket {
        id: String::new(),
        owner: "eval".into(),
        agent_name: None,
        channel: None,
        messages: vec![Message {
            role: Role::Customer,
            ts_ms: None,
            text: text.to_string(),
            author: None,
        }],
        csat: None,
        resolved: None,
        unread_times: Default::default(),
    };
    let score = engine.audit_ticket(&ticket).score;
    (score.customer_negative_milli, score.customer_positive_milli)
}

fn confusion<'a>(
    scored: impl IntoIterator<Item = &'a Scored>,
    predict: impl Fn(&Scored) -> bool,
) -> Confusion {
    let mut c = Confusion::default();
    for s in scored {
        c.add(predict(s), s.label);
    }
    c
}

/// Net negative weight (thousandths) a review needs to count as negative: the one number the
/// evaluation fits. It is chosen on nine categories and applied to the tenth, so each
/// category's figure comes from a rule that never saw it.
const MARGINS: [i64; 7] = [-1500, -1000, -500, 0, 500, 1000, 1500];

fn predict(margin: i64) -> impl Fn(&Scored) -> bool {
    move |s: &Scored| s.negative > 0 && s.negative as i64 - s.positive as i64 >= margin
}

/// Leave one category out: per held-out category, balanced accuracy with the margin fitted
/// on the other nine; worst and mean over the ten, for each rule set.
fn leave_one_category_out(categories: &[String], runs: &[(&str, Vec<Scored>)]) -> (f64, f64) {
    println!("leave one category out (balanced accuracy on the held-out category; margin fitted on the other nine)");
    print!("{:<12}", "category");
    for (name, _) in runs {
        print!(" {:>12}", short(name));
    }
    println!("  (full rules: margin, recall on negatives, recall on positives)");
    let mut worst = vec![f64::MAX; runs.len()];
    let mut sum = vec![0.0; runs.len()];
    for (held_out, category) in categories.iter().enumerate() {
        print!("{:<12}", pad(category, 12));
        for (r, (_, scored)) in runs.iter().enumerate() {
            let train = || scored.iter().filter(|s| s.category != held_out);
            let margin = MARGINS
                .iter()
                .copied()
                .max_by(|&a, &b| {
                    let fa = confusion(train(), predict(a)).balanced_accuracy();
                    let fb = confusion(train(), predict(b)).balanced_accuracy();
                    // Ties go to the margin nearest 0 (the unfitted rule).
                    fa.total_cmp(&fb).then(b.abs().cmp(&a.abs()))
                })
                .expect("margins");
            let test = scored.iter().filter(|s| s.category == held_out);
            let c = confusion(test, predict(margin));
            let ba = c.balanced_accuracy();
            worst[r] = worst[r].min(ba);
            sum[r] += ba;
            print!(" {ba:>12.4}");
            if r + 1 == runs.len() {
                let recall = |n: u64, d: u64| n as f64 / d.max(1) as f64;
                print!(
                    "  ({margin:>5}, {:.3}, {:.3})",
                    recall(c.tp, c.tp + c.fn_),
                    recall(c.tn, c.tn + c.fp)
                );
            }
        }
        println!();
    }
    print!("{:<12}", "worst");
    worst.iter().for_each(|w| print!(" {w:>12.4}"));
    println!();
    print!("{:<12}", "mean");
    sum.iter().for_each(|s| print!(" {:>12.4}", s / categories.len() as f64));
    println!();
    let last = runs.len() - 1;
    (worst[last], sum[last] / categories.len() as f64)
}

fn short(name: &str) -> &str {
    name.trim_start_matches("+ ").split_whitespace().next().unwrap_or(name)
}

fn pad(text: &str, columns: usize) -> String {
    let width = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(columns.saturating_sub(width)))
}
