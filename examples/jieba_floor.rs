//! The speed floor `bench/speed.sh` divides the audit's speed by: jieba-rs `cut` with its HMM,
//! alone, over the text of every customer and agent message of a JSON Lines input — exactly the
//! messages `zhijian audit` tokenizes when every line is audited (the script checks the
//! manifest: unique ticket ids, zero rejects). Bot and system turns are context only and never
//! cut, so they are left out here too.
//!
//! Usage: cargo run --release --example jieba_floor -- TICKETS.jsonl [REPEAT]
//! Prints one line: `bytes=N seconds=S cpu_seconds=C`, the seconds spent cutting only (the
//! dictionary build and the file read are not timed), the fastest of REPEAT passes (default 1).

use std::time::Instant;

use jieba_rs::Jieba;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: jieba_floor TICKETS.jsonl [REPEAT]");
        std::process::exit(2);
    };
    let repeat: usize = args.get(1).map_or(1, |r| r.parse().expect("REPEAT is a number"));
    let input = std::fs::read_to_string(path).expect("readable input");
    let mut texts: Vec<String> = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let ticket: serde_json::Value = serde_json::from_str(line).expect("one JSON ticket a line");
        for message in ticket["messages"].as_array().expect("messages") {
            let role = message["role"].as_str().unwrap_or("");
            if matches!(role, "customer" | "agent") {
                texts.push(message["text"].as_str().unwrap_or("").to_string());
            }
        }
    }
    drop(input);
    let bytes: usize = texts.iter().map(String::len).sum();
    let jieba = Jieba::new();
    let mut best = (f64::INFINITY, f64::INFINITY);
    for _ in 0..repeat.max(1) {
        let (wall, cpu) = (Instant::now(), cpu_seconds());
        let mut tokens = 0usize;
        for text in &texts {
            tokens += jieba.cut(text, true).len();
        }
        std::hint::black_box(tokens);
        let pass = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        if pass.0 < best.0 {
            best = pass;
        }
    }
    println!("bytes={bytes} seconds={:.4} cpu_seconds={:.4}", best.0, best.1);
}

/// This process's CPU time (user + system), which a loaded machine disturbs less than the wall
/// clock.
#[cfg(target_os = "linux")]
fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

#[cfg(not(target_os = "linux"))]
fn cpu_seconds() -> f64 {
    f64::NAN
}
