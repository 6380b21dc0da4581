//! The end of a run: what waited for every partial to meet (contributions of tickets from
//! other processes, duplicate-id rejects), the exact per-agent sample, then every report but
//! the manifest, filled from the spill.

use std::fs::File;
use std::time::Instant;

use rayon::prelude::*;

use super::spill::{self, read_spill, write_agent_pages, SpillCopy};
use super::{Partial, Pending, TicketRecord};
use crate::check::Compliance;
use crate::config::AuditConfig;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::parse::Reject;
use crate::read::InputFile;
use crate::report::manifest::{Counts, Warnings};
use crate::report::{self, Staging};
use crate::sample::{self, Mode};
use crate::trend::Trend;
use crate::vocab::{Map, RejectCode, SampleReason};

impl Partial {
    /// Counts what waited for the end, samples, then writes every report but the manifest;
    /// returns the counts, the warnings and the inputs for the manifest.
    pub fn finish(
        mut self,
        config: &AuditConfig,
        engine: &Engine,
        trend: &Trend,
        staging: &Staging,
    ) -> Result<(Counts, Warnings, Vec<InputFile>)> {
        let spill = self.spill.reader()?;
        // Tickets from other processes that are still audited now that every copy has met.
        for r in self.registry.records().iter().filter(|r| r.pending) {
            let Pending { contribution, .. } = self.read_pending_from(&spill, r)?;
            if let Some((count, example)) = contribution.unread_times.clone() {
                self.warnings.add(count, example);
            }
            contribution.add_to(&mut self.aggregate);
        }
        let rejected_by_reason = self.write_rejects(staging, &spill)?;
        // No id is looked up after the duplicates named their audited copy.
        self.registry.forget_ids();
        // The inputs in input order, however their records arrived.
        let mut inputs = self.files.clone();
        inputs.sort_by(|a, b| super::file_order(&a.display, &b.display));
        let lines = self.files.iter().map(|f| f.lines).sum();
        let audited_lines = self.registry.records().iter().map(|r| u64::from(r.rows)).sum();

        // Every ticket's place in id order (ids are unique), then the same places grouped by
        // owner, each owner's still in id order: the orders every report lists them in. Four
        // bytes per ticket each.
        let registry = &self.registry;
        let mut all: Vec<u32> = registry.places().collect();
        all.par_sort_unstable_by(|&a, &b| registry.id(a).cmp(registry.id(b)));
        let by_owner = Grouped::by_owner(&all, registry.records(), self.agent_ids.len());
        let (plan, template) = (&config.sampling, &config.template);
        // Risk mode's must-review class, from what the record keeps (invariant 4).
        let must = |r: &TicketRecord| match plan.mode {
            Mode::Plain => None,
            Mode::Risk(_) => {
                let outcomes = Compliance::unpack(r.checks, template.rules.len());
                let vetoed = template.ticket_compliance(&outcomes).is_some_and(|c| c.vetoed);
                sample::must_review(vetoed, r.reasons, template)
            }
        };
        let mut sampled: Vec<Vec<(u32, SampleReason)>> = Vec::with_capacity(self.agent_ids.len());
        for owner in 0..self.agent_ids.len() {
            let tickets = by_owner.of(owner as u32);
            let candidates: Vec<sample::Candidate> = tickets
                .iter()
                .map(|&place| {
                    let id = registry.id(place);
                    let key = sample::sample_key(self.seed, id);
                    sample::Candidate { key, id, must: must(registry.get(place)) }
                })
                .collect();
            let choice = plan.choose(&candidates);
            let agent = self.aggregate.agent(&self.agent_ids[owner]);
            agent.sample_left_out += choice.left_out;
            let mut chosen = Vec::with_capacity(choice.chosen.len());
            for (i, reason) in choice.chosen {
                let checks = registry.get(tickets[i]).checks;
                let outcomes = Compliance::unpack(checks, template.rules.len());
                agent.record_sampled(&outcomes, reason, template);
                chosen.push((i, reason));
            }
            // By id: the owner's tickets are in id order.
            chosen.sort_unstable_by_key(|&(i, _)| i);
            sampled.push(chosen.into_iter().map(|(i, reason)| (tickets[i], reason)).collect());
        }
        let mut agent_order: Vec<usize> = (0..self.agent_ids.len()).collect();
        agent_order.sort_by(|&a, &b| self.agent_ids[a].cmp(&self.agent_ids[b]));

        // review_queue.csv: sampled tickets by agent, then ticket id.
        let mut queue = SpillCopy::create(staging, "review_queue.csv")?;
        queue.write(&report::csv::review_queue_header(&config.template.rules))?;
        let percent = plan.rate.percent();
        let (mut reasons, mut row_out) = (report::csv::ReasonCells::new(), Vec::new());
        for &owner in &agent_order {
            for &(place, reason) in &sampled[owner] {
                let r = registry.get(place);
                let row = read_spill(&spill, &self.spill.path, r.spill_at, r.queue_len)?;
                let reason = report::labels::sample_reason(reason, percent);
                row_out.clear();
                reasons.splice(&row, &reason, &mut row_out);
                queue.write(&row_out)?;
            }
        }
        queue.finish()?;

        // flagged.jsonl and tickets.jsonl: every ticket in id order.
        let mut flagged_out = SpillCopy::create(staging, "flagged.jsonl")?;
        let mut tickets_out = if config.per_ticket {
            Some(SpillCopy::create(staging, "tickets.jsonl")?)
        } else {
            None
        };
        let mut flagged = 0;
        for r in all.iter().map(|&place| registry.get(place)) {
            let at = r.spill_at + u64::from(r.queue_len);
            if r.flagged_len > 0 {
                flagged += 1;
                flagged_out.copy(&spill, &self.spill.path, at, r.flagged_len)?;
            }
            if let Some(out) = tickets_out.as_mut() {
                let at = at + u64::from(r.flagged_len);
                out.copy(&spill, &self.spill.path, at, r.ticket_len)?;
            }
        }
        flagged_out.finish()?;
        if let Some(out) = tickets_out {
            out.finish()?;
        }

        let rejected: u64 = rejected_by_reason.values().sum();
        drop(all);
        let audited = registry.len() as u64;
        let counts = Counts {
            lines,
            audited_lines,
            audited,
            rejected,
            rejected_by_reason,
            sampled: sampled.iter().map(|s| s.len() as u64).sum(),
            flagged,
        };

        let sla = config.sla_secs;
        let template = &config.template;
        let team = self.aggregate.team().metrics(sla, template);
        let rows: Vec<_> = self
            .aggregate
            .agents
            .iter()
            .map(|(id, a)| (id.clone(), a.name.clone(), a.metrics(sla, template)))
            .collect();
        let trend = trend.view(&team, &rows, template);
        let cards: Vec<_> =
            rows.iter().map(|(_, _, m)| report::kpi::Card::of(m, &template.kpi)).collect();
        let team_kpi = report::kpi::Card::of(&team, &Default::default());
        let entries = self.aggregate.entry_counts(&engine.lexicon);
        let summary = report::summary::render(
            &counts,
            sla,
            plan,
            &rows,
            &cards,
            &template.kpi,
            &team,
            &entries,
            trend.as_ref(),
        );
        staging.write("summary.json", &summary)?;
        staging.write("agents.csv", &report::csv::agents(&rows, &cards, trend.as_ref()))?;
        let facts = report::team_page::RunFacts::new(
            config,
            &engine.lexicon,
            &inputs,
            self.aggregate.period,
        );
        let page = report::TeamPage::build(
            facts,
            &counts,
            &rows,
            &cards,
            &team,
            template,
            trend.as_ref(),
            report::agent_file_stem,
        );
        staging.write("summary.md", &report::markdown::team(&page))?;
        staging.write("index.html", &report::html::index(&page))?;
        staging.write("digest.md", &report::digest::render(&page, config.report_url.as_deref()))?;

        // Agents in parallel (each writes only its own files), one flagged ticket at a time.
        let pages_started = Instant::now();
        rows.par_iter().zip(cards.par_iter()).try_for_each(|((id, name, metrics), kpi)| {
            let owned = self.agent_index.get(id).map_or(&[][..], |&o| by_owner.of(o));
            let flagged: Vec<&TicketRecord> = owned
                .iter()
                .map(|&place| registry.get(place))
                .filter(|r| r.flagged_len > 0)
                .collect();
            let stem = report::agent_file_stem(id);
            let agent = report::AgentPage {
                id,
                name: name.as_deref(),
                stem: &stem,
                metrics,
                team: &team,
                flagged_shown: 0,
                flagged_total: flagged.len(),
                reasons: &[],
                template,
                change: trend.as_ref().map(|t| &t.agents[id]),
                kpi,
                team_kpi: &team_kpi,
            };
            write_agent_pages(staging, (&spill, &self.spill.path), &flagged, template, agent)
        })?;
        spill::stage_time("agent pages", pages_started);
        drop(spill);
        std::fs::remove_file(&self.spill.path).map_err(Error::write(&self.spill.path))?;
        Ok((counts, std::mem::take(&mut self.warnings), inputs))
    }

    /// rejects.jsonl in input order (file, then line): the rejected lines and the duplicate
    /// copies of audited ticket ids, each naming the copy that was audited. Returns the
    /// rejected rows by reason.
    fn write_rejects(&mut self, staging: &Staging, spill: &File) -> Result<Map<RejectCode, u64>> {
        enum Kind {
            Spilled(usize),
            Duplicate(usize),
        }
        let rank = self.file_ranks();
        let mut all: Vec<(u32, u64, Kind)> =
            Vec::with_capacity(self.rejects.len() + self.duplicates.len());
        all.extend(
            self.rejects
                .iter()
                .enumerate()
                .map(|(i, r)| (rank[r.file as usize], r.line, Kind::Spilled(i))),
        );
        all.extend(
            self.duplicates
                .iter()
                .enumerate()
                .map(|(i, d)| (rank[d.file as usize], d.line, Kind::Duplicate(i))),
        );
        all.sort_by_key(|&(rank, line, _)| (rank, line));
        let mut by_reason = Map::default();
        let mut out = SpillCopy::create(staging, "rejects.jsonl")?;
        for (_, _, kind) in all {
            match kind {
                Kind::Spilled(i) => {
                    let r = &self.rejects[i];
                    by_reason[r.code] += r.rows;
                    out.copy(spill, &self.spill.path, r.at, r.len)?;
                }
                Kind::Duplicate(i) => {
                    let d = &self.duplicates[i];
                    let first = self.registry.find(&d.id).expect("a duplicate's id was audited");
                    let first = self.registry.get(first);
                    let detail = format!(
                        "ticket_id `{}` was already audited from {}:{}",
                        d.id, self.files[first.file as usize].display, first.line
                    );
                    let reject = Reject {
                        file: d.file,
                        line: d.line,
                        code: RejectCode::DuplicateTicketId,
                        detail,
                        rows: d.rows,
                        raw: d.raw.clone(),
                    };
                    by_reason[RejectCode::DuplicateTicketId] += d.rows;
                    let file = &self.files[d.file as usize].display;
                    out.write(&report::jsonl::reject_line_shown(&reject, file, self.mask))?;
                }
            }
        }
        out.finish()?;
        Ok(by_reason)
    }
}

/// Places grouped by owner: owner `o`'s are `places[starts[o]..starts[o + 1]]`.
struct Grouped {
    places: Vec<u32>,
    starts: Vec<usize>,
}

impl Grouped {
    /// `ordered`'s places grouped by their record's owner, in `ordered`'s order within each
    /// owner (a counting sort: one vector of places, no per-owner vectors).
    fn by_owner(ordered: &[u32], records: &[TicketRecord], owners: usize) -> Grouped {
        let mut starts = vec![0; owners + 1];
        for r in records {
            starts[r.owner as usize + 1] += 1;
        }
        for o in 0..owners {
            starts[o + 1] += starts[o];
        }
        let mut next = starts.clone();
        let mut places = vec![0; ordered.len()];
        for &place in ordered {
            let owner = records[place as usize].owner as usize;
            places[next[owner]] = place;
            next[owner] += 1;
        }
        Grouped { places, starts }
    }

    fn of(&self, owner: u32) -> &[u32] {
        let owner = owner as usize;
        &self.places[self.starts[owner]..self.starts[owner + 1]]
    }
}
