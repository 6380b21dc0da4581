//! Invariant 3: per agent exactly ⌈rate × n⌉ of its n tickets are sampled, chosen by the keyed
//! hash of (seed, ticket_id) alone: other agents' tickets, input order and thread count never
//! change an agent's sample; the seed does.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hasher;

use crate::util::Workdir;

fn ticket(agent: &str, n: usize) -> String {
    format!(
        r#"{{"ticket_id":"{agent}-{n:05}","agent_id":"{agent}","messages":[{{"role":"customer","text":"在吗"}},{{"role":"agent","text":"您好，在的"}}]}}"#
    )
}

/// Agents S1, S2, S3, S10, S11, S1000 with that many tickets each.
fn population() -> Vec<String> {
    [1, 2, 3, 10, 11, 1000]
        .iter()
        .flat_map(|&n| (0..n).map(move |i| ticket(&format!("S{n}"), i)))
        .collect()
}

/// Sampled ticket ids per agent, read from review_queue.csv.
fn sample(dir: &Workdir, out: &str) -> BTreeMap<String, BTreeSet<String>> {
    let bytes = dir.read(&format!("{out}/review_queue.csv"));
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
    let mut by_agent: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        by_agent.entry(record[0].to_string()).or_default().insert(record[2].to_string());
    }
    by_agent
}

fn audit(
    dir: &Workdir,
    lines: &[String],
    out: &str,
    extra: &[&str],
) -> BTreeMap<String, BTreeSet<String>> {
    let input = format!("{out}.jsonl");
    dir.write(&input, lines.join("\n"));
    let mut args = vec![input.as_str()];
    args.extend_from_slice(extra);
    let lexicons = crate::util::fixture("lexicons");
    let mut full =
        vec!["audit", args[0], "--out", out, "--quiet", "--lexicons", lexicons.to_str().unwrap()];
    full.extend_from_slice(&args[1..]);
    dir.zhijian(&full).success();
    sample(dir, out)
}

/// The second half of the SipHash key, spelled out here rather than imported from zhijian, so a
/// change to `sample::KEY_SALT` fails this test: "zhijian\0" read as a big-endian u64.
const KEY_SALT: u64 = u64::from_be_bytes(*b"zhijian\0");

/// The keyed hash of DESIGN §3 computed with the `siphasher` crate directly: SipHash-1-3 with
/// the key (seed, KEY_SALT) over the id's UTF-8 bytes.
fn keyed_hash(seed: u64, ticket_id: &str) -> u64 {
    let mut hasher = siphasher::sip::SipHasher13::new_with_keys(seed, KEY_SALT);
    hasher.write(ticket_id.as_bytes());
    hasher.finish()
}

/// What invariant 3 promises, worked out from (agent, ticket id) pairs alone: per agent the
/// ⌈num/den × n⌉ ids with the smallest keyed hashes, ties broken by ticket id. The ceiling is
/// taken in integers so 0.3 × 10 is 3, not 4.
fn smallest_keyed_hashes(
    owned: &[(String, String)],
    seed: u64,
    (num, den): (usize, usize),
) -> BTreeMap<String, BTreeSet<String>> {
    let mut by_agent: BTreeMap<&str, Vec<(u64, &str)>> = BTreeMap::new();
    for (agent, id) in owned {
        by_agent.entry(agent).or_default().push((keyed_hash(seed, id), id));
    }
    by_agent
        .into_iter()
        .map(|(agent, mut keyed)| {
            keyed.sort();
            let k = (keyed.len() * num).div_ceil(den);
            (agent.to_string(), keyed[..k].iter().map(|(_, id)| id.to_string()).collect())
        })
        .collect()
}

#[test]
fn the_sample_is_the_smallest_keyed_hashes_per_agent() {
    // Agents owning 1, 2, 3, 10, 11 and 37 tickets, interleaved so no agent's tickets are
    // contiguous in the input.
    let sizes = [1, 2, 3, 10, 11, 37];
    let mut lines = Vec::new();
    for i in 0..37 {
        for n in sizes.iter().filter(|&&n| i < n) {
            lines.push(ticket(&format!("P{n}"), i));
        }
    }
    // (owner, ticket id) as the input states them.
    let owned: Vec<(String, String)> = lines
        .iter()
        .map(|line| {
            let ticket: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                ticket["agent_id"].as_str().unwrap().into(),
                ticket["ticket_id"].as_str().unwrap().into(),
            )
        })
        .collect();

    /// An audit of those tickets, and its rate as the fraction `num / den`.
    struct Case {
        out: &'static str,
        seed: u64,
        rate: (usize, usize),
        flags: &'static [&'static str],
    }
    let cases = [
        Case { out: "default", seed: 0, rate: (3, 10), flags: &[] },
        Case {
            out: "seed7-half",
            seed: 7,
            rate: (1, 2),
            flags: &["--seed", "7", "--sample-rate", "0.5"],
        },
        Case {
            out: "seed99-tenth",
            seed: 99,
            rate: (1, 10),
            flags: &["--seed", "99", "--sample-rate", "0.1", "--threads", "1"],
        },
    ];
    let dir = Workdir::new();
    for Case { out, seed, rate, flags } in cases {
        let got = audit(&dir, &lines, out, flags);
        let want = smallest_keyed_hashes(&owned, seed, rate);
        assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "{out}");
        for (agent, ids) in &want {
            assert_eq!(&got[agent], ids, "{out}: {agent}'s sample is not its smallest hashes");
        }
    }
}

#[test]
fn exactly_the_ceiling_per_agent() {
    let dir = Workdir::new();
    let sampled = audit(&dir, &population(), "base", &[]);
    let sizes: BTreeMap<&str, usize> = sampled.iter().map(|(a, s)| (a.as_str(), s.len())).collect();
    let want =
        BTreeMap::from([("S1", 1), ("S2", 1), ("S3", 1), ("S10", 3), ("S11", 4), ("S1000", 300)]);
    assert_eq!(sizes, want);
    let summary = dir.read_json("base/summary.json");
    assert_eq!(summary["counts"]["sampled"], 310);

    let half = audit(&dir, &population(), "half", &["--sample-rate", "0.5"]);
    assert_eq!(half["S11"].len(), 6);
    assert_eq!(half["S1000"].len(), 500);
}

#[test]
fn unrelated_changes_never_move_a_sample() {
    let dir = Workdir::new();
    let base = audit(&dir, &population(), "base", &[]);

    let mut more = population();
    more.extend((0..500).map(|i| ticket("OTHER", i)));
    let with_other = audit(&dir, &more, "other", &[]);

    let mut shuffled = population();
    shuffled.reverse();
    let reversed = audit(&dir, &shuffled, "reversed", &["--threads", "1"]);

    for (agent, tickets) in &base {
        assert_eq!(&with_other[agent], tickets, "another agent's tickets moved {agent}'s sample");
        assert_eq!(&reversed[agent], tickets, "input order moved {agent}'s sample");
    }
    let threaded = audit(&dir, &population(), "threads", &["--threads", "3"]);
    assert_eq!(threaded, base, "the thread count moved a sample");
    let reseeded = audit(&dir, &population(), "seed", &["--seed", "99"]);
    assert_ne!(reseeded["S1000"], base["S1000"], "a new seed must draw a new sample");
    assert_eq!(reseeded["S1000"].len(), 300);
}

#[test]
fn manifest_records_rate_and_seed() {
    let dir = Workdir::new();
    audit(&dir, &population()[..5], "m", &["--seed", "12", "--sample-rate", "0.25"]);
    let manifest = dir.read_json("m/manifest.json");
    assert_eq!(manifest["options"]["seed"], 12);
    assert_eq!(manifest["options"]["sample_rate"], 0.25);
}
