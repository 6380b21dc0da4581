//! The shared vocabulary, below every stage: the words the pipeline and its reports speak —
//! [`Category`], [`Reason`], [`Severity`], [`RuleId`], [`Outcome`], [`RejectCode`], [`Role`],
//! [`PiiKind`], [`SampleReason`], [`Kpi`] — and [`Map`], a map keyed by one of them. Each word
//! has `ALL` (its order is the order reports list it in), `COUNT`, and an English `key()` /
//! `from_key()`: the one spelling in JSON, file names and options. Strings appear only there,
//! at serialization; everywhere else a word is its enum and a table of figures is a [`Map`]
//! indexed by it.
//!
//! What a word *is* lives here; what a stage *does* with it stays with the stage, as an `impl`
//! block beside its rules (`Category::is_negatable` in `lexicon`, `Role::parse`'s input aliases
//! in `parse`, `Severity::NEVER_OMITTED` in `score`). The Chinese shown to people is in
//! `report::labels`, the one table of labels.

use enum_map::{Enum, EnumArray};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A table with one value per word of `K`: an array indexed by the enum (`m[Category::Empathy]`),
/// never a lookup by string. Serializes as a JSON object with the English keys in `K::ALL`
/// order; [`serialize_by_key`] writes one in alphabetical key order instead.
pub type Map<K, V> = enum_map::EnumMap<K, V>;

/// A word of the vocabulary: what [`Map`] and [`serialize_by_key`] need of it.
pub trait Word: Copy + Enum + 'static {
    fn key(self) -> &'static str;
}

/// Defines a word: the enum (in `ALL` order) with its keys, `ALL`, `COUNT`, `key`, `from_key`,
/// `index`, and serde as its key.
macro_rules! words {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $key:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Enum)]
        pub enum $name { $( $(#[$vmeta])* $variant, )+ }

        impl $name {
            pub const COUNT: usize = [$($key),+].len();
            pub const ALL: [$name; $name::COUNT] = [$($name::$variant),+];
            const KEYS: [&'static str; $name::COUNT] = [$($key),+];

            /// The English key, the word's one spelling in JSON, file names and options.
            pub fn key(self) -> &'static str {
                $name::KEYS[self as usize]
            }

            pub fn from_key(key: &str) -> Option<$name> {
                $name::ALL.into_iter().find(|w| w.key() == key)
            }

            /// Its place in `ALL`.
            pub fn index(self) -> usize {
                self as usize
            }
        }

        impl Word for $name {
            fn key(self) -> &'static str {
                $name::key(self)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.key())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let key = std::borrow::Cow::<str>::deserialize(d)?;
                $name::from_key(&key)
                    .ok_or_else(|| serde::de::Error::unknown_variant(&key, &$name::KEYS))
            }
        }
    };
}

words! {
    /// What a lexicon file is about. The file stem is the key (`empathy.txt` → `Empathy`).
    pub enum Category {
        Empathy => "empathy",
        Filler => "filler",
        Jargon => "jargon",
        Negative => "negative",
        Positive => "positive",
        Forbidden => "forbidden",
        Greeting => "greeting",
        Closing => "closing",
        OffPlatform => "off_platform",
        Negation => "negation",
        Degree => "degree",
    }
}

words! {
    /// Why a ticket is flagged for a coach. The order is the order reports list them in.
    pub enum Reason {
        ForbiddenPhrase => "forbidden_phrase",
        OffPlatform => "off_platform",
        PiiExposed => "pii_exposed",
        Escalation => "escalation",
        ComplaintWithoutEmpathy => "complaint_without_empathy",
        SlowFirstResponse => "slow_first_response",
        LowCsat => "low_csat",
    }
}

words! {
    /// How serious a flag is, lowest first. The scoring template's `[severity]` gives each reason
    /// one; a ticket's severity is its most serious reason's. Agent pages list flags by severity
    /// and never leave off a ticket at `Severity::NEVER_OMITTED` (`score`) or above.
    pub enum Severity {
        /// Speed and satisfaction: slow replies, low CSAT.
        Service => "service",
        /// Complaint handling: escalation, a complaint left without empathy.
        Complaint => "complaint",
        /// Conduct: 服务禁语, 站外引流, 隐私.
        Conduct => "conduct",
        /// As grave as a 一票否决 check: by default, taking a customer off the platform or
        /// leaking their personal data.
        Veto => "veto",
    }
}

/// A compliance rule: its place in the scoring template's ordered `[[rules]]` (at most
/// `template::rules::MAX_RULES`). What it checks, its key and its Chinese label are the
/// template's; the default template's first six are DESIGN §4's checks (greeting, closing,
/// no_forbidden, first_response_sla, no_off_platform, no_pii).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RuleId(pub u8);

impl RuleId {
    /// Its place in the template's rules.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// Why a ticket is flagged: one of the seven built-in [`Reason`]s, or a template rule with a
/// `severity` that the ticket failed. The order is the order reports list a ticket's reasons
/// in: the built-in ones in `Reason::ALL` order, then the rules in template order. Its key is
/// the built-in key or the rule's id (the template refuses a rule id equal to a built-in key),
/// its severity the template's, its Chinese label `report::labels::flag_reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlagReason {
    Builtin(Reason),
    Rule(RuleId),
}

impl FlagReason {
    /// Every flag reason a template with `rules` rules can give, in report order.
    pub fn all(rules: usize) -> impl Iterator<Item = FlagReason> {
        let rules = (0..rules.min(usize::from(u8::MAX)) as u8).map(|i| FlagReason::Rule(RuleId(i)));
        Reason::ALL.into_iter().map(FlagReason::Builtin).chain(rules)
    }

    /// Its bit in a `ReasonSet`: the built-in reasons first, then the rules.
    pub fn bit(self) -> u32 {
        match self {
            FlagReason::Builtin(r) => r as u32,
            FlagReason::Rule(id) => Reason::COUNT as u32 + u32::from(id.0),
        }
    }
}

impl From<Reason> for FlagReason {
    fn from(r: Reason) -> FlagReason {
        FlagReason::Builtin(r)
    }
}

/// A set of flag reasons in one `u64` (bit [`FlagReason::bit`]: 7 built-in + at most 32 rules):
/// what the run keeps per flagged ticket to group an agent's flags by reason without reading
/// them back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReasonSet(u64);

const _: () = assert!(Reason::COUNT + 32 <= 64);

impl ReasonSet {
    pub fn of<R: Into<FlagReason> + Copy>(reasons: &[R]) -> ReasonSet {
        ReasonSet(reasons.iter().fold(0, |bits, &r| bits | 1 << r.into().bit()))
    }

    pub fn contains(self, reason: impl Into<FlagReason>) -> bool {
        self.0 & 1 << reason.into().bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Its bits, as a partial record carries them (`partial::wire`).
    pub fn bits(self) -> u64 {
        self.0
    }

    pub fn from_bits(bits: u64) -> ReasonSet {
        ReasonSet(bits)
    }

    /// In report order ([`FlagReason`]'s), for a template with `rules` rules.
    pub fn iter(self, rules: usize) -> impl Iterator<Item = FlagReason> {
        FlagReason::all(rules).filter(move |&r| self.contains(r))
    }
}

words! {
    /// Why a ticket is in the compliance sample (`sample`). The first three are the must-review
    /// classes of risk-weighted sampling, most serious first (the order a per-agent cap keeps
    /// them in); the last two are drawn by keyed hash.
    pub enum SampleReason {
        /// A failed 一票否决 check, or a flag reason at severity `veto`.
        Veto => "veto",
        /// A flag reason at severity `conduct`.
        Conduct => "conduct",
        /// The customer escalated (`Reason::Escalation`).
        Escalation => "escalation",
        /// Drawn at the sampling rate by the smallest keyed hashes (plain mode: every ticket).
        Random => "random",
        /// Drawn to reach the per-agent floor, after the random ones.
        Floor => "floor",
    }
}

words! {
    /// What a check found on one ticket.
    #[derive(Default)]
    pub enum Outcome {
        Pass => "pass",
        Fail => "fail",
        #[default]
        NotApplicable => "n/a",
        /// The data needed is missing (no timestamps): neither pass nor fail.
        Unknown => "unknown",
    }
}

words! {
    /// Why an input line was not audited; the key is stable for machines (`rejects.jsonl`).
    pub enum RejectCode {
        InvalidUtf8 => "invalid_utf8",
        InvalidJson => "invalid_json",
        LineTooLong => "line_too_long",
        MissingField => "missing_field",
        WrongType => "wrong_type",
        InvalidValue => "invalid_value",
        UnknownRole => "unknown_role",
        NoAgent => "no_agent",
        DuplicateTicketId => "duplicate_ticket_id",
        /// Tables: a row with more or fewer cells than the table has.
        ColumnCount => "column_count",
        /// Tables: a quoted cell still open at the end of the file.
        UnclosedQuote => "unclosed_quote",
    }
}

words! {
    /// Who wrote a message. The input's aliases (客户, 买家, …) are `parse`'s to read.
    pub enum Role {
        Customer => "customer",
        Agent => "agent",
        Bot => "bot",
        System => "system",
    }
}

words! {
    /// A KPI the training decks manage agents by, as the scoring template's `[kpi]` names its
    /// target (the key is the template key). [`Kpi::lower_is_better`] says which way a target
    /// is missed.
    pub enum Kpi {
        /// 平均处理时长 (AHT): the mean handle time, whole seconds.
        Aht => "aht_secs",
        /// 投诉率: tickets with a customer complaint ÷ tickets.
        ComplaintRate => "complaint_rate",
        /// 满意率: CSAT 4–5 ÷ rated tickets.
        SatisfactionRate => "satisfaction_rate",
        /// 首响达标率: first responses within the SLA ÷ timed first responses.
        FirstResponseSlaRate => "first_response_sla_rate",
        /// 解决率: resolved ÷ tickets with a `resolved` field.
        ResolutionRate => "resolution_rate",
    }
}

impl Kpi {
    /// A figure above the target misses it (handle time, complaints); for the others a
    /// figure below the target does.
    pub fn lower_is_better(self) -> bool {
        matches!(self, Kpi::Aht | Kpi::ComplaintRate)
    }
}

words! {
    /// A kind of personal data (`pii`).
    pub enum PiiKind {
        Mobile => "mobile",
        IdCard => "id_card",
        BankCard => "bank_card",
        Email => "email",
    }
}

/// Serializes `entries` as one JSON object in alphabetical key order, the order a
/// `BTreeMap<&str, _>` has: what `summary.json` and `manifest.json` have always written, kept
/// byte for byte. Use it as `#[serde(serialize_with = …)]` through a small function that picks
/// the entries (see `aggregate::Metrics`).
pub fn serialize_sorted<'a, K, V, S>(
    entries: impl Iterator<Item = (K, &'a V)>,
    s: S,
) -> Result<S::Ok, S::Error>
where
    K: Word,
    V: Serialize + 'a,
    S: Serializer,
{
    let mut entries: Vec<(&'static str, &V)> = entries.map(|(k, v)| (k.key(), v)).collect();
    entries.sort_unstable_by_key(|(key, _)| *key);
    s.collect_map(entries)
}

/// A whole [`Map`] in alphabetical key order (see [`serialize_sorted`]).
pub fn serialize_by_key<K, V, S>(map: &Map<K, V>, s: S) -> Result<S::Ok, S::Error>
where
    K: Word + EnumArray<V>,
    V: Serialize,
    S: Serializer,
{
    serialize_sorted(map.iter(), s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every word's keys: unique, and each reads back as the word it names.
    fn round_trips<W: Word + PartialEq + std::fmt::Debug>(
        all: &[W],
        from_key: fn(&str) -> Option<W>,
    ) {
        let mut keys: Vec<&str> = all.iter().map(|w| w.key()).collect();
        for (&word, &key) in all.iter().zip(&keys) {
            assert_eq!(from_key(key), Some(word), "{key}");
        }
        assert_eq!(all.len(), W::LENGTH, "ALL lists every {:?}'s variants", all[0]);
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), all.len(), "keys of {:?}'s kind are unique", all[0]);
        assert_eq!(from_key("no such key"), None);
    }

    #[test]
    fn every_word_round_trips_through_its_key() {
        round_trips(&Category::ALL, Category::from_key);
        round_trips(&Reason::ALL, Reason::from_key);
        round_trips(&Severity::ALL, Severity::from_key);
        round_trips(&Outcome::ALL, Outcome::from_key);
        round_trips(&RejectCode::ALL, RejectCode::from_key);
        round_trips(&Role::ALL, Role::from_key);
        round_trips(&PiiKind::ALL, PiiKind::from_key);
        round_trips(&SampleReason::ALL, SampleReason::from_key);
    }

    #[test]
    fn all_is_in_declaration_order_so_maps_index_by_it() {
        for (i, c) in Category::ALL.into_iter().enumerate() {
            assert_eq!((c.index(), c.into_usize()), (i, i), "{c:?}");
        }
        for (i, r) in Reason::ALL.into_iter().enumerate() {
            assert_eq!(r.into_usize(), i, "{r:?}");
        }
    }

    #[test]
    fn a_reason_set_holds_the_built_in_reasons_and_32_rules_in_report_order() {
        let last_rule = FlagReason::Rule(RuleId(31));
        let set = ReasonSet::of(&[last_rule, FlagReason::Builtin(Reason::LowCsat)]);
        // Bits 6 (low_csat, the 7th reason) and 7 + 31 = 38.
        assert_eq!(set, ReasonSet(1 << 6 | 1 << 38));
        assert!(set.contains(Reason::LowCsat) && set.contains(last_rule));
        assert!(!set.contains(FlagReason::Rule(RuleId(0))) && !set.contains(Reason::Escalation));
        let listed: Vec<FlagReason> = set.iter(32).collect();
        assert_eq!(listed, [FlagReason::Builtin(Reason::LowCsat), last_rule]);
        // A template with fewer rules never lists a rule it does not have.
        assert_eq!(set.iter(31).count(), 1);
    }

    #[test]
    fn a_word_serializes_as_its_key_and_reads_back() {
        assert_eq!(serde_json::to_string(&Outcome::NotApplicable).unwrap(), "\"n/a\"");
        let severity: Severity = serde_json::from_str("\"conduct\"").unwrap();
        assert_eq!(severity, Severity::Conduct);
        let unknown = serde_json::from_str::<Severity>("\"grave\"").unwrap_err().to_string();
        assert!(unknown.contains("unknown variant `grave`"), "{unknown}");
    }

    #[test]
    fn a_map_is_indexed_by_the_word_and_serializes_in_all_order_or_by_key() {
        let mut m: Map<Outcome, u64> = Map::default();
        m[Outcome::Fail] += 2;
        m[Outcome::Pass] = 5;
        assert_eq!(m[Outcome::Fail], 2);
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"pass":5,"fail":2,"n/a":0,"unknown":0}"#
        );
        #[derive(Serialize)]
        struct Sorted {
            #[serde(serialize_with = "serialize_by_key")]
            m: Map<Outcome, u64>,
        }
        assert_eq!(
            serde_json::to_string(&Sorted { m }).unwrap(),
            r#"{"m":{"fail":2,"n/a":0,"pass":5,"unknown":0}}"#
        );
        let reasons = Map::from_fn(|r: Reason| r.index());
        let json = serde_json::to_string(&reasons).unwrap();
        assert!(json.starts_with(r#"{"forbidden_phrase":0,"off_platform":1,"#), "{json}");
    }
}
