//! Stage 7 — sampling (DESIGN §3, invariant 3). For each agent, exactly ⌈rate × n⌉ of the n
//! tickets it owns are sampled: those with the smallest keyed hash of (seed, ticket_id), ties
//! broken by ticket id. The hash is SipHash-1-3 with the key (seed, [`KEY_SALT`]) over the
//! ticket id's UTF-8 bytes: a published function, the same on every platform and release.
//! Whether a ticket is sampled depends only on its own agent's tickets, the seed and the rate.
//!
//! That is [`Mode::Plain`], the default. The scoring template's `[sampling]` table may ask for
//! [`Mode::Risk`] instead (docs/sampling.md): per agent, its must-review tickets
//! ([`must_review`]: a failed 一票否决 check, a flag reason at severity `conduct` or `veto`, an
//! escalation), at most `cap` of them, most serious first; then ⌈rate × m⌉ of its m other
//! tickets by smallest keyed hash; then more of those, in the same order, up to `floor` sampled
//! tickets. Every chosen ticket carries its [`SampleReason`]. The choice needs nothing per
//! ticket beyond what the run's sampling record already holds (key, packed check outcomes,
//! reason set), so invariant 4's 64 bytes still hold.

use siphasher::sip::SipHasher13;
use std::hash::Hasher;

use crate::score::ReasonSet;
use crate::template::Template;
use crate::vocab::{Reason, SampleReason, Severity};

/// The second half of the SipHash key. Fixed forever: changing it changes every sample.
pub const KEY_SALT: u64 = 0x7a68_696a_6961_6e00; // "zhijian\0"

pub fn sample_key(seed: u64, ticket_id: &str) -> u64 {
    let mut hasher = SipHasher13::new_with_keys(seed, KEY_SALT);
    hasher.write(ticket_id.as_bytes());
    hasher.finish()
}

/// Sampling rate in millionths, so ⌈rate × n⌉ is computed exactly (0.3 × 10 is 3, not 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    ppm: u64,
}

impl Rate {
    pub fn from_fraction(rate: f64) -> Option<Rate> {
        (0.0..=1.0).contains(&rate).then(|| Rate { ppm: (rate * 1e6).round() as u64 })
    }

    pub fn as_f64(self) -> f64 {
        self.ppm as f64 / 1e6
    }

    /// As a percentage, exactly (30 for 0.30, 12.5 for 0.125): how pages and labels show it.
    pub fn percent(self) -> f64 {
        self.ppm as f64 / 1e4
    }

    /// ⌈rate × n⌉.
    pub fn sample_size(self, n: u64) -> u64 {
        (u128::from(n) * u128::from(self.ppm)).div_ceil(1_000_000) as u64
    }
}

/// Where the rate a run samples at came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateFrom {
    /// Nothing set it: 0.30.
    Default,
    /// `--sample-rate`, which wins over the template.
    Flag,
    /// The template's `[sampling] rate` (risk mode only).
    Template,
}

impl RateFrom {
    pub fn key(self) -> &'static str {
        match self {
            RateFrom::Default => "default",
            RateFrom::Flag => "--sample-rate",
            RateFrom::Template => "template",
        }
    }
}

/// Risk mode's per-agent limits. `floor ≤ cap` (the template refuses anything else), which is
/// what lets the floor always be met from the agent's other tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// At least this many sampled tickets, or all the agent's tickets when it has fewer.
    pub floor: u32,
    /// At most this many must-review tickets; the rest are counted as left out.
    pub cap: u32,
}

/// How the sample is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// ⌈rate × n⌉ per agent by smallest keyed hash: invariant 3, the default.
    Plain,
    /// Must-review tickets (capped), ⌈rate × m⌉ of the rest, topped up to the floor.
    Risk(Limits),
}

impl Mode {
    pub fn key(self) -> &'static str {
        match self {
            Mode::Plain => "plain",
            Mode::Risk(_) => "risk",
        }
    }
}

/// The template's `[sampling]` table as read: risk mode carries its own rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateSampling {
    pub mode: Mode,
    /// `Some` exactly in risk mode.
    pub rate: Option<Rate>,
}

impl Default for TemplateSampling {
    fn default() -> TemplateSampling {
        TemplateSampling { mode: Mode::Plain, rate: None }
    }
}

/// What a run samples by: the mode, and the rate with where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub mode: Mode,
    pub rate: Rate,
    pub rate_from: RateFrom,
}

/// A [`Plan`] as the reports record it: `mode` (`plain` | `risk`), `rate` (0–1; summary.json
/// only, as the manifest has it in `options.sample_rate` already), `rate_from` (`default` |
/// `--sample-rate` | `template`), and in risk mode `floor` and `cap`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Written {
    mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rate: Option<f64>,
    rate_from: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    floor: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cap: Option<u32>,
}

/// QA teams review 30% of each agent's tickets (抽查30%工单).
pub const DEFAULT_RATE: f64 = 0.30;

impl Plan {
    /// `--sample-rate` when given, else the template's risk-mode rate, else [`DEFAULT_RATE`].
    pub fn new(template: TemplateSampling, flag: Option<Rate>) -> Plan {
        let (rate, rate_from) = match (flag, template.rate) {
            (Some(rate), _) => (rate, RateFrom::Flag),
            (None, Some(rate)) => (rate, RateFrom::Template),
            (None, None) => {
                let rate = Rate::from_fraction(DEFAULT_RATE).expect("0.30 is a share");
                (rate, RateFrom::Default)
            }
        };
        Plan { mode: template.mode, rate, rate_from }
    }

    /// As the reports record it, with or without the rate.
    pub fn written(&self, with_rate: bool) -> Written {
        let limits = match self.mode {
            Mode::Plain => None,
            Mode::Risk(limits) => Some(limits),
        };
        Written {
            mode: self.mode.key(),
            rate: with_rate.then(|| self.rate.as_f64()),
            rate_from: self.rate_from.key(),
            floor: limits.map(|l| l.floor),
            cap: limits.map(|l| l.cap),
        }
    }

    /// Picks one agent's sample from all the tickets it owns, given in any order: which of
    /// them (indexes into `tickets`, must-review first, then by key), each with its reason,
    /// and how many must-review tickets the cap left out (0 in plain mode).
    pub fn choose(&self, tickets: &[Candidate]) -> AgentSample {
        let by_key = |a: &(u64, &str, usize), b: &(u64, &str, usize)| (a.0, a.1).cmp(&(b.0, b.1));
        let Mode::Risk(limits) = self.mode else {
            let mut all: Vec<_> =
                tickets.iter().enumerate().map(|(i, t)| (t.key, t.id, i)).collect();
            all.sort_unstable_by(by_key);
            let k = self.rate.sample_size(all.len() as u64) as usize;
            let chosen = all[..k].iter().map(|t| (t.2, SampleReason::Random)).collect();
            return AgentSample { chosen, left_out: 0 };
        };
        let mut must: Vec<(SampleReason, u64, &str, usize)> = Vec::new();
        let mut rest: Vec<(u64, &str, usize)> = Vec::new();
        for (i, t) in tickets.iter().enumerate() {
            match t.must {
                Some(reason) => must.push((reason, t.key, t.id, i)),
                None => rest.push((t.key, t.id, i)),
            }
        }
        // Most serious first (`SampleReason::ALL` order), then the smallest key, then the id.
        must.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        rest.sort_unstable_by(by_key);
        let kept = must.len().min(limits.cap as usize);
        let random = self.rate.sample_size(rest.len() as u64) as usize;
        let floor = (limits.floor as usize).saturating_sub(kept + random);
        let topped = floor.min(rest.len() - random);
        let mut chosen: Vec<(usize, SampleReason)> = Vec::with_capacity(kept + random + topped);
        chosen.extend(must[..kept].iter().map(|t| (t.3, t.0)));
        chosen.extend(rest[..random].iter().map(|t| (t.2, SampleReason::Random)));
        chosen.extend(rest[random..random + topped].iter().map(|t| (t.2, SampleReason::Floor)));
        AgentSample { chosen, left_out: (must.len() - kept) as u64 }
    }
}

/// One of an agent's tickets as the sample sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate<'a> {
    pub key: u64,
    pub id: &'a str,
    /// Its must-review class ([`must_review`]); ignored in plain mode.
    pub must: Option<SampleReason>,
}

/// One agent's sample: indexes into its candidates with the reason each was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSample {
    pub chosen: Vec<(usize, SampleReason)>,
    /// Must-review tickets over the cap, so not sampled; the reports say how many.
    pub left_out: u64,
}

/// A ticket's must-review class in risk mode, the most serious that applies: `Veto` when a
/// 一票否决 check failed (`vetoed`, from `Template::ticket_compliance`) or a flag reason is at
/// severity `veto`; `Conduct` when a flag reason is at `conduct`; `Escalation` when the
/// customer escalated; `None` otherwise. Severities are the template's: `[severity]` for the
/// built-in reasons, a rule's own `severity` for the rules among `reasons`.
pub fn must_review(vetoed: bool, reasons: ReasonSet, template: &Template) -> Option<SampleReason> {
    let worst = reasons.iter(template.rules.len()).map(|r| template.flag_severity(r)).max();
    if vetoed || worst == Some(Severity::Veto) {
        Some(SampleReason::Veto)
    } else if worst == Some(Severity::Conduct) {
        Some(SampleReason::Conduct)
    } else if reasons.contains(Reason::Escalation) {
        Some(SampleReason::Escalation)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_size_is_exact_ceiling() {
        let rate = Rate::from_fraction(0.30).unwrap();
        let cases = [(0, 0), (1, 1), (2, 1), (3, 1), (10, 3), (11, 4), (1000, 300), (1001, 301)];
        for (n, want) in cases {
            assert_eq!(rate.sample_size(n), want, "n = {n}");
        }
        assert_eq!(Rate::from_fraction(1.0).unwrap().sample_size(7), 7);
        assert_eq!(Rate::from_fraction(0.0).unwrap().sample_size(7), 0);
        assert!(Rate::from_fraction(1.5).is_none());
    }

    /// SipHash-1-3 values computed outside this program: a throwaway Python transcription of
    /// the published algorithm (Aumasson & Bernstein 2012, c = 1, d = 3), key
    /// (k0 = seed, k1 = KEY_SALT), over the id's UTF-8 bytes. The same script reproduced the
    /// paper's SipHash-2-4 example (a129ca6149be45e5) and the reference SipHash-1-3 vector for
    /// the empty message under key 00..0f (dcc40f055801acab) before computing these.
    /// If one changes, every published sample changes.
    const PINNED: [(u64, &str, u64); 6] = [
        (0, "T1", 7_762_254_650_666_146_471),
        (1, "T1", 476_619_079_917_195_927),
        (42, "T20261121-000123", 16_653_972_399_128_630_506),
        (7, "A-00001", 11_695_180_924_194_326_187),
        (0, "", 4_223_981_042_917_667_890),
        (0, "工单-１２３", 10_621_401_987_159_836_447),
    ];

    #[test]
    fn key_is_stable_across_releases() {
        for (seed, id, want) in PINNED {
            assert_eq!(sample_key(seed, id), want, "seed {seed}, ticket id {id:?}");
        }
    }

    use SampleReason::{Conduct, Escalation, Floor, Random, Veto};

    fn risk(rate: f64, floor: u32, cap: u32) -> Plan {
        let rate = Rate::from_fraction(rate).unwrap();
        Plan { mode: Mode::Risk(Limits { floor, cap }), rate, rate_from: RateFrom::Template }
    }

    /// An agent's tickets: `must` lists the must-review classes, then `rest` ordinary tickets.
    /// Keys are scrambled so that key order is not id order.
    fn agent(must: &[SampleReason], rest: usize) -> Vec<(u64, String, Option<SampleReason>)> {
        let classes = must.iter().map(|&c| Some(c)).chain(std::iter::repeat_n(None, rest));
        classes
            .enumerate()
            .map(|(i, must)| ((i as u64 * 7919) % 1009, format!("T{i:03}"), must))
            .collect()
    }

    fn choose(plan: &Plan, tickets: &[(u64, String, Option<SampleReason>)]) -> AgentSample {
        let candidates: Vec<Candidate> = tickets
            .iter()
            .map(|(key, id, must)| Candidate { key: *key, id, must: *must })
            .collect();
        plan.choose(&candidates)
    }

    /// Sampled tickets per reason in `SampleReason::ALL` order (veto, conduct, escalation,
    /// random, floor), and the cap's left-out count.
    fn sizes(sample: &AgentSample) -> ([usize; SampleReason::COUNT], u64) {
        let mut by = [0; SampleReason::COUNT];
        sample.chosen.iter().for_each(|(_, reason)| by[*reason as usize] += 1);
        (by, sample.left_out)
    }

    struct Case {
        name: &'static str,
        plan: Plan,
        must: &'static [SampleReason],
        rest: usize,
        /// [veto, conduct, escalation, random, floor], left out: worked out by hand below.
        want: ([usize; SampleReason::COUNT], u64),
    }

    #[test]
    fn risk_sample_sizes_are_exact() {
        let cases = [
            // m = 10: ⌈0.3 × 10⌉ = 3 (not 4); floor 0.
            Case {
                name: "rate only",
                plan: risk(0.3, 0, 10),
                must: &[],
                rest: 10,
                want: ([0, 0, 0, 3, 0], 0),
            },
            // m = 5: ⌈1.5⌉ = 2 random; floor 3 − (0 + 2) = 1 more from the rest.
            Case {
                name: "floor binds",
                plan: risk(0.3, 3, 10),
                must: &[],
                rest: 5,
                want: ([0, 0, 0, 2, 1], 0),
            },
            // 4 veto + 3 conduct = 7 > cap 5: all 4 veto, 1 conduct, 2 left out; m = 10 → 3.
            Case {
                name: "cap binds",
                plan: risk(0.3, 0, 5),
                must: &[Conduct, Veto, Conduct, Veto, Veto, Conduct, Veto],
                rest: 10,
                want: ([4, 1, 0, 3, 0], 2),
            },
            // Only must-review: 3 kept (cap 10), m = 0 → 0 random; floor 2 is already met.
            Case {
                name: "only must-review",
                plan: risk(0.3, 2, 10),
                must: &[Escalation, Escalation, Conduct],
                rest: 0,
                want: ([0, 1, 2, 0, 0], 0),
            },
            // 2 must-review, nothing left: floor 5 cannot be reached, n = 2 is all there is.
            Case {
                name: "nothing left after must-review",
                plan: risk(0.3, 5, 5),
                must: &[Veto, Escalation],
                rest: 0,
                want: ([1, 0, 1, 0, 0], 0),
            },
            // 6 must-review, cap 4, nothing left: 4 kept (the floor 4 is met), 2 left out.
            Case {
                name: "cap binds, nothing left",
                plan: risk(0.3, 4, 4),
                must: &[Escalation, Veto, Escalation, Conduct, Veto, Escalation],
                rest: 0,
                want: ([2, 1, 1, 0, 0], 2),
            },
            // Rate 0: 1 must-review, 0 random, floor 3 − 1 = 2 more from the 10 left.
            Case {
                name: "rate 0 with a floor",
                plan: risk(0.0, 3, 3),
                must: &[Veto],
                rest: 10,
                want: ([1, 0, 0, 0, 2], 0),
            },
            // m = 20: ⌈6⌉ = 6 random; 2 + 6 = 8 ≥ floor 3, no top-up.
            Case {
                name: "floor already met",
                plan: risk(0.3, 3, 9),
                must: &[Conduct, Escalation],
                rest: 20,
                want: ([0, 1, 1, 6, 0], 0),
            },
            // Cap 0: every must-review ticket left out; m = 7 → ⌈2.1⌉ = 3.
            Case {
                name: "cap 0",
                plan: risk(0.3, 0, 0),
                must: &[Veto, Conduct],
                rest: 7,
                want: ([0, 0, 0, 3, 0], 2),
            },
            // Rate 1: all 4 others; floor 2 met.
            Case {
                name: "rate 1",
                plan: risk(1.0, 2, 2),
                must: &[Escalation],
                rest: 4,
                want: ([0, 0, 1, 4, 0], 0),
            },
            Case {
                name: "no tickets",
                plan: risk(0.3, 5, 5),
                must: &[],
                rest: 0,
                want: ([0; 5], 0),
            },
        ];
        for case in cases {
            let tickets = agent(case.must, case.rest);
            let sample = choose(&case.plan, &tickets);
            assert_eq!(sizes(&sample), case.want, "{}", case.name);
            let mut chosen: Vec<usize> = sample.chosen.iter().map(|c| c.0).collect();
            chosen.sort_unstable();
            chosen.dedup();
            assert_eq!(chosen.len(), sample.chosen.len(), "{}: a ticket chosen twice", case.name);
            // Must-review reasons only on must-review tickets, random and floor only on others.
            for &(i, reason) in &sample.chosen {
                let drawn = matches!(reason, Random | Floor);
                assert_eq!(tickets[i].2.is_none(), drawn, "{}: {}", case.name, tickets[i].1);
                if !drawn {
                    assert_eq!(tickets[i].2, Some(reason), "{}", case.name);
                }
            }
        }
    }

    #[test]
    fn the_cap_keeps_the_most_serious_then_the_smallest_keys() {
        let c =
            |key: u64, id: &'static str, must: Option<SampleReason>| Candidate { key, id, must };
        let tickets = [
            c(50, "E1", Some(Escalation)),
            c(10, "E2", Some(Escalation)),
            c(90, "C1", Some(Conduct)),
            c(40, "C2", Some(Conduct)),
            c(70, "V1", Some(Veto)),
            c(40, "C3", Some(Conduct)), // ties C2 on key: the id decides
            c(5, "R1", None),
            c(1, "R2", None),
            c(3, "R3", None),
        ];
        // Cap 4: V1 (the only veto), then conduct by key: C2 (40), C3 (40, id after C2), C1
        // (90); both escalations left out. Rest m = 3 at rate 0.3: ⌈0.9⌉ = 1, the smallest
        // key: R2. 5 ≥ floor 4. (A cap that binds keeps `cap` ≥ floor tickets, so it never
        // meets a top-up.)
        let sample = risk(0.3, 4, 4).choose(&tickets);
        let got: Vec<(&str, SampleReason)> =
            sample.chosen.iter().map(|&(i, r)| (tickets[i].id, r)).collect();
        let want =
            [("V1", Veto), ("C2", Conduct), ("C3", Conduct), ("C1", Conduct), ("R2", Random)];
        assert_eq!(got, want);
        assert_eq!(sample.left_out, 2);
        // Cap 6, floor 6: all six must-review, escalations by key (E2 10, E1 50), then R2.
        // 7 ≥ 6. With cap 1 and floor 1: V1 and R2 only, and 5 left out.
        let sample = risk(0.3, 6, 6).choose(&tickets);
        let got: Vec<&str> = sample.chosen.iter().map(|&(i, _)| tickets[i].id).collect();
        assert_eq!(got, ["V1", "C2", "C3", "C1", "E2", "E1", "R2"]);
        let sample = risk(0.3, 1, 1).choose(&tickets);
        let got: Vec<&str> = sample.chosen.iter().map(|&(i, _)| tickets[i].id).collect();
        assert_eq!((got, sample.left_out), (vec!["V1", "R2"], 5));
        // Rate 0, floor 3, cap 3: V1, then the two smallest keys of the rest (R2, R3) as floor.
        let sample = risk(0.0, 3, 3).choose(&[tickets[4], tickets[6], tickets[7], tickets[8]]);
        assert_eq!(sample.chosen, [(0, Veto), (2, Floor), (3, Floor)]);
    }

    #[test]
    fn plain_mode_ignores_risk_and_takes_the_smallest_keys() {
        let rate = Rate::from_fraction(0.3).unwrap();
        let plain = Plan { mode: Mode::Plain, rate, rate_from: RateFrom::Default };
        let tickets = agent(&[Veto, Veto, Conduct], 7);
        let sample = choose(&plain, &tickets);
        // n = 10: ⌈3⌉ = 3, all random, nothing left out whatever the must-review flags say.
        assert_eq!(sizes(&sample), ([0, 0, 0, 3, 0], 0));
        let mut keys: Vec<(u64, &str)> = tickets.iter().map(|t| (t.0, t.1.as_str())).collect();
        keys.sort_unstable();
        let want: Vec<&str> = keys[..3].iter().map(|k| k.1).collect();
        let got: Vec<&str> = sample.chosen.iter().map(|&(i, _)| tickets[i].1.as_str()).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn must_review_is_the_most_serious_class_that_applies() {
        use Reason::{ComplaintWithoutEmpathy, ForbiddenPhrase, LowCsat, OffPlatform};
        let template = Template::builtin();
        // Default severities: forbidden_phrase conduct, off_platform veto, escalation complaint.
        let cases: &[(&str, bool, &[Reason], Option<SampleReason>)] = &[
            ("nothing", false, &[], None),
            ("service and complaint reasons", false, &[LowCsat, ComplaintWithoutEmpathy], None),
            ("a failed veto check alone", true, &[], Some(Veto)),
            ("a veto-severity reason", false, &[OffPlatform], Some(Veto)),
            ("conduct", false, &[ForbiddenPhrase, LowCsat], Some(Conduct)),
            ("escalation", false, &[Reason::Escalation], Some(Escalation)),
            (
                "conduct beats escalation",
                false,
                &[Reason::Escalation, ForbiddenPhrase],
                Some(Conduct),
            ),
            ("a veto beats conduct", true, &[ForbiddenPhrase], Some(Veto)),
        ];
        for (name, vetoed, reasons, want) in cases {
            assert_eq!(must_review(*vetoed, ReasonSet::of(reasons), &template), *want, "{name}");
        }
        // A template that makes escalation `veto` moves it up a class.
        let text = crate::template::DEFAULT_TOML.replacen(
            "escalation = \"complaint\"",
            "escalation = \"veto\"",
            1,
        );
        let strict = Template::parse(&text, "t.toml").unwrap();
        let escalated = ReasonSet::of(&[Reason::Escalation]);
        assert_eq!(must_review(false, escalated, &strict), Some(Veto));
    }

    #[test]
    fn the_flag_wins_over_the_template_rate_and_the_default_is_030() {
        let template_rate = Rate::from_fraction(0.1).unwrap();
        let flag = Rate::from_fraction(0.5).unwrap();
        let limits = Limits { floor: 1, cap: 2 };
        let risky = TemplateSampling { mode: Mode::Risk(limits), rate: Some(template_rate) };
        let plan = Plan::new(risky, None);
        assert_eq!((plan.rate, plan.rate_from), (template_rate, RateFrom::Template));
        let plan = Plan::new(risky, Some(flag));
        assert_eq!(
            (plan.rate, plan.rate_from, plan.mode),
            (flag, RateFrom::Flag, Mode::Risk(limits))
        );
        let plan = Plan::new(TemplateSampling::default(), None);
        assert_eq!(
            (plan.rate.percent(), plan.rate_from, plan.mode),
            (30.0, RateFrom::Default, Mode::Plain)
        );
    }
}
