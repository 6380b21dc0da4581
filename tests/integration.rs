//! Integration tests: one binary, one module per invariant or capability.

// Shared helper: work dirs and a command runner that explains failures.
mod util;

// End to end: a small fixture produces the full report set with hand-computed figures.
mod audit;
// Invariant 1: lines = audited + rejected; rejects name file, line and reason.
mod nothing_lost;
// Invariant 1 under hostile input: the README's bad-input catalogue, tables included.
mod hostile_input;
// Invariant 2: byte-identical reports across thread counts and input order.
mod determinism;
// Invariant 3: exactly ⌈rate × n⌉ per agent, stable under unrelated changes.
mod sampling;
// Invariant 4: peak memory grows with tickets by a compact record each, never with text.
mod bounded_memory;
// Scoring: normalization twins, negation, exceptions and boundaries end to end.
mod scoring;
// The shipped lexicons on classes of chat language: complaints, conduct, paraphrases, jargon.
mod rule_classes;
// DESIGN §4: every compliance check passes and fails on its fixture; the scoring template.
mod compliance;
// `zhijian calibrate`: reviewers' verdicts → agreement per check and per lexicon entry.
mod calibrate;
// Invariant 5 and the CLI's promises: staged output, masking, exit codes.
mod safe_output;
// The command line for a new user: help headings, closed pipes, widths, bounds, escapes.
mod command_line;
// The lexicons a run uses: built in unless --lexicons; every category present; the manifest.
mod lexicon_defaults;
// The --out directory: only zhijian's own files replaced, swap recovery, page names, links.
mod output_dir;
// Issue 8 (6, 7): personal data masked in every report; invisible characters never evade.
mod pii_and_evasion;
// Issue 10: flags by severity from the template; a conduct or veto ticket never left off a page.
mod severity;
// Issue 10: unknown never drawn or written as 0; agents.csv's layout; greppable Markdown ids.
mod report_figures;
// Issue 11: lexicon stats, regression cases (lexicon test) and calibrate --cases for trainers.
mod lexicon_tools;
// Issue 11: `zhijian diff` — a report carries its rules; two reports compared ticket by ticket.
mod report_diff;
// Issue 10: the team page: period, inputs, options, team row, flag rates and hints, histogram, CSP.
mod team_page;
// Issue 10 (ignored; .ci/run runs it): the pages in headless Chromium: rows, sorting, no payload runs.
mod browser;
// Issue 10: a flagged ticket opens to its conversation as a chat; review_queue.csv's transcript.
mod conversation_view;
// Issue 11: the nightly trend (--baseline, --history) and the morning digest.
mod trend;
// Issue 12: risk-weighted sampling: must-review tickets, floors and caps, why each row was sampled.
mod risk_sampling;
// Issue 13: the speed shortcuts (ZHIJIAN_NO_SHORTCUTS turns them off) change no report.
mod shortcuts;
// Issue 15: the decks' KPIs — handle time, 投诉率, 满意率, 解决率, 首响达标率 — and [kpi] targets.
mod kpi;
// Issue 12: rules in the template — the six checks reproduced, errors, the e-commerce pack.
mod rules;
// Issue 12: a rule with a severity flags every ticket it fails: flagged.jsonl, pages, sampling.
mod rule_flags;

// Beyond one machine: map, combine, render.
mod partials;
