//! Stage 9b — the layout of an agent's flagged tickets: which its page lists in full, in what
//! order, and which continue on a page per reason. Takes each flagged ticket's severity and
//! reasons (kept per ticket by the run, given in ticket-id order), yields an [`AgentLayout`]
//! that `report/` renders. It never sees ticket text: 2 bytes in, 4 bytes of order out, per
//! flagged ticket of one agent.
//!
//! Order: severity (most serious first), then ticket id. The agent page lists every ticket at
//! [`Severity::NEVER_OMITTED`] or above, however many, then the next ones until it holds
//! [`FLAGGED_SHOWN`]. Every reason with a ticket left off gets a page of its own listing all of
//! the agent's tickets with that reason, in the same order, so each flagged ticket is on its
//! agent's page or on the page of each of its reasons.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::score::{FlagReason, ReasonSet, Severity};
use crate::template::Template;

/// How many flagged tickets an agent page lists before it leaves the less serious ones to the
/// reason pages (it lists more when more are at `Severity::NEVER_OMITTED` or above).
pub const FLAGGED_SHOWN: usize = 50;

/// One flagged ticket as the layout sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    pub severity: Severity,
    pub reasons: ReasonSet,
}

/// One reason among an agent's flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReasonLine {
    /// A built-in reason or a rule with a severity.
    pub reason: FlagReason,
    /// The reason's own severity in the template (a ticket's may be higher).
    pub severity: Severity,
    /// The agent's flagged tickets with this reason.
    pub total: usize,
    /// Of those, the ones the agent page lists.
    pub shown: usize,
}

impl ReasonLine {
    /// The agent page leaves some off, so this reason has a page of its own.
    pub fn has_page(&self) -> bool {
        self.shown < self.total
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLayout {
    /// Indices into the flags given, in page order: severity, most serious first, then id.
    pub order: Vec<u32>,
    /// How many of `order`, from the start, the agent page lists.
    pub shown: usize,
    /// Every reason the agent has a flag for: most serious first, then in report order (the
    /// built-in reasons in `Reason::ALL` order, then the template's rules).
    pub reasons: Vec<ReasonLine>,
}

/// `flags` are one agent's flagged tickets in ticket-id order.
pub fn layout(flags: &[Flag], template: &Template) -> AgentLayout {
    let mut order: Vec<u32> = (0..flags.len() as u32).collect();
    // Stable: within a severity, ticket-id order stays.
    order.sort_by_key(|&i| Reverse(flags[i as usize].severity));
    let serious = order
        .iter()
        .take_while(|&&i| flags[i as usize].severity >= Severity::NEVER_OMITTED)
        .count();
    let shown = serious.max(FLAGGED_SHOWN.min(flags.len()));
    let count = |slice: &[u32], r: FlagReason| {
        slice.iter().filter(|&&i| flags[i as usize].reasons.contains(r)).count()
    };
    let mut reasons: Vec<ReasonLine> = template
        .flag_reasons()
        .map(|reason| ReasonLine {
            reason,
            severity: template.flag_severity(reason),
            total: count(&order, reason),
            shown: count(&order[..shown], reason),
        })
        .filter(|line| line.total > 0)
        .collect();
    reasons.sort_by_key(|line| Reverse(line.severity));
    AgentLayout { order, shown, reasons }
}

/// Which flagged tickets may still be listed on their agent page while tickets arrive (in any
/// order): per agent, the first [`FLAGGED_SHOWN`] flags seen so far in page order. A flag below
/// [`Severity::NEVER_OMITTED`] that is not among them now never will be: later tickets only push
/// it further down. The run renders and keeps a ticket's conversation (bytes a page may copy)
/// only while this says it may be listed. Memory: at most [`FLAGGED_SHOWN`] ids per agent.
#[derive(Debug, Default)]
pub struct PageCut {
    /// Max-heaps by page order: the last-listed of an agent's first flags on top.
    first: HashMap<u32, BinaryHeap<PagePlace>>,
}

/// Where a flag goes in page order: severity, most serious first, then ticket id.
type PagePlace = (Reverse<Severity>, Box<str>);

impl PageCut {
    /// Whether a flag of `agent` may still be listed, given the flags recorded so far.
    pub fn may_list(&self, agent: u32, severity: Severity, id: &str) -> bool {
        if severity >= Severity::NEVER_OMITTED {
            return true;
        }
        match self.first.get(&agent).filter(|h| h.len() >= FLAGGED_SHOWN) {
            Some(first) => {
                let (last_severity, last_id) = first.peek().expect("full");
                (Reverse(severity), id) < (*last_severity, &**last_id)
            }
            None => true,
        }
    }

    /// Records a flag; returns whether it may still be listed.
    pub fn add(&mut self, agent: u32, severity: Severity, id: &str) -> bool {
        let listed = self.may_list(agent, severity, id);
        let first = self.first.entry(agent).or_default();
        if first.len() < FLAGGED_SHOWN {
            first.push((Reverse(severity), id.into()));
            return true;
        }
        let last = first.peek().expect("full");
        if (Reverse(severity), id) < (last.0, &*last.1) {
            first.pop();
            first.push((Reverse(severity), id.into()));
        }
        listed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Reason;
    use Reason::{ForbiddenPhrase as F, LowCsat as C, PiiExposed as P, SlowFirstResponse as S};

    fn flag(reasons: &[Reason]) -> Flag {
        let template = Template::builtin();
        Flag {
            severity: template.ticket_severity(reasons).unwrap(),
            reasons: ReasonSet::of(reasons),
        }
    }

    fn line(reason: Reason, total: usize, shown: usize) -> ReasonLine {
        let severity = Template::builtin().severity(reason);
        ReasonLine { reason: FlagReason::Builtin(reason), severity, total, shown }
    }

    /// `n` copies of `reasons`.
    fn many(n: usize, reasons: &[Reason]) -> Vec<Flag> {
        vec![flag(reasons); n]
    }

    #[test]
    fn the_page_cut_keeps_every_ticket_the_page_lists_whatever_the_arrival_order() {
        // 120 tickets T000–T119: slow replies, low CSAT, and a forbidden phrase every 7th.
        let flags: Vec<Flag> = (0..120)
            .map(|i| match i % 7 {
                0 => flag(&[F]),
                1 | 2 => flag(&[C]),
                _ => flag(&[S]),
            })
            .collect();
        let listed = layout(&flags, &Template::builtin());
        for step in [1, 37, 83] {
            let mut cut = PageCut::default();
            let mut kept = vec![false; flags.len()];
            for k in 0..flags.len() {
                let i = k * step % flags.len();
                kept[i] = cut.add(0, flags[i].severity, &format!("T{i:03}"));
            }
            for &i in &listed.order[..listed.shown] {
                assert!(kept[i as usize], "step {step}: T{i:03} is listed but was dropped");
            }
            if step == 1 {
                // In id order: the first 50 (8 of them forbidden), then the 10 later forbidden
                // ones; every later slow or low-CSAT ticket is dropped.
                assert_eq!(kept.iter().filter(|&&k| k).count(), 50 + 10);
            }
        }
    }

    #[test]
    fn a_short_list_is_shown_whole_by_severity_then_id() {
        let flags = [flag(&[S]), flag(&[F, S]), flag(&[C]), flag(&[P])];
        let got = layout(&flags, &Template::builtin());
        // P is veto, F conduct; S and C service, in id order.
        assert_eq!(got.order, [3, 1, 0, 2]);
        assert_eq!(got.shown, 4);
        assert_eq!(got.reasons, [line(P, 1, 1), line(F, 1, 1), line(S, 2, 2), line(C, 1, 1)]);
        assert!(got.reasons.iter().all(|l| !l.has_page()));
    }

    #[test]
    fn past_fifty_the_serious_stay_and_the_rest_go_to_reason_pages() {
        // 60 slow, then one forbidden phrase that sorts last by id.
        let mut flags = many(60, &[S]);
        flags.push(flag(&[F]));
        let got = layout(&flags, &Template::builtin());
        assert_eq!(got.order[..3], [60, 0, 1]);
        assert_eq!(got.shown, 50);
        assert_eq!(got.reasons, [line(F, 1, 1), line(S, 60, 49)]);
        assert!(got.reasons[1].has_page());
    }

    #[test]
    fn seventy_serious_tickets_are_all_shown() {
        let mut flags = many(10, &[C]);
        flags.extend(many(70, &[F, S]));
        let got = layout(&flags, &Template::builtin());
        assert_eq!(got.shown, 70);
        assert_eq!(got.order[..2], [10, 11]);
        assert_eq!(got.order[70..], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(got.reasons, [line(F, 70, 70), line(S, 70, 70), line(C, 10, 0)]);
    }

    #[test]
    fn no_flags_no_layout() {
        let got = layout(&[], &Template::builtin());
        assert_eq!((got.order.len(), got.shown, got.reasons.len()), (0, 0, 0));
    }
}
