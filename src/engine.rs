//! Stages 3–8 for one ticket: normalize, tokenize, match, score, check, then render the
//! ticket's report lines while its text is in memory. Pure and read-only: every worker shares
//! one [`Engine`], loaded once per run (lexicons, tokenizer, matcher, template).

use std::borrow::Cow;

use crate::check::{self, Compliance};
use crate::lexicon::Lexicon;
use crate::matcher::{Matcher, Rules};
use crate::normalize::NormText;
use crate::parse::{Message, Role, Ticket};
use crate::pii;
use crate::report;
use crate::score::{self, AnalyzedMessage, FlagReason, ReasonSet, Severity, TicketScore};
use crate::shortcuts;
use crate::template::Template;
use crate::tokenize::Tokenizer;

/// Evidence items a ticket shows on a reason page: the one behind its first reason (its agent
/// page shows them all, up to the flagged.jsonl cap).
pub const REASON_PAGE_EVIDENCE: usize = 1;

/// The read-only state every worker shares.
pub struct Engine {
    pub lexicon: Lexicon,
    pub(crate) matcher: Matcher,
    pub(crate) tokenizer: Tokenizer,
    pub(crate) sla_secs: u32,
    pub(crate) mask: bool,
    pub(crate) per_ticket: bool,
    pub(crate) template: Template,
}

/// A ticket's rendered report lines, produced while its text is in memory.
pub(crate) struct Rendered {
    pub(crate) id: String,
    pub(crate) checks: u64,
    /// The ticket's severity, `None` when not flagged.
    pub(crate) severity: Option<Severity>,
    pub(crate) reasons: ReasonSet,
    pub(crate) queue_row: Vec<u8>,
    pub(crate) flagged: Vec<u8>,
    pub(crate) ticket_line: Vec<u8>,
    /// The ticket as its reason pages show it (HTML, Markdown), rendered here in parallel so
    /// that writing the pages only copies bytes.
    pub(crate) brief_html: Vec<u8>,
    pub(crate) brief_md: Vec<u8>,
    /// The ticket as its agent page lists it (HTML, Markdown): its reasons and evidence, then
    /// the whole conversation; flagged tickets that page may still list only. Rendered here in
    /// parallel from the ticket at hand, so writing the page only copies bytes.
    pub(crate) conv_html: Vec<u8>,
    pub(crate) conv_md: Vec<u8>,
}

/// One ticket after stages 3–8, while its text is in memory.
pub struct Audited<'t> {
    pub score: TicketScore,
    pub compliance: Compliance,
    /// Why it is flagged: its built-in reasons, then the rules with a severity it failed
    /// (`Template::ticket_flags`); empty when not flagged.
    pub flags: Vec<FlagReason>,
    /// Each message's text as every report displays it: personal data masked unless
    /// `--no-mask`, bot and system turns too (conversations and the review queue show them).
    pub shown: Vec<Cow<'t, str>>,
}

impl Engine {
    pub fn new(lexicon: Lexicon, sla_secs: u32, mask: bool, per_ticket: bool) -> Engine {
        Engine::with_rules(lexicon, Rules::ALL, sla_secs, mask, per_ticket)
    }

    /// An engine with some matching rules switched off (for measuring what each rule buys).
    pub fn with_rules(
        lexicon: Lexicon,
        rules: Rules,
        sla_secs: u32,
        mask: bool,
        per_ticket: bool,
    ) -> Engine {
        let matcher = Matcher::with_rules(&lexicon, rules);
        let tokenizer = Tokenizer::with_words(lexicon.tokenizer_words());
        let template = Template::builtin();
        Engine { lexicon, matcher, tokenizer, sla_secs, mask, per_ticket, template }
    }

    /// The scoring template for the review queue's per-ticket compliance score.
    pub fn with_template(self, template: Template) -> Engine {
        Engine { template, ..self }
    }

    /// Stages 3–5 for one message. Bot and system turns are context only.
    pub fn analyze(&self, message: &Message) -> AnalyzedMessage {
        if matches!(message.role, Role::Bot | Role::System) {
            return AnalyzedMessage::default();
        }
        let norm = NormText::new(&message.text);
        // A customer turn's word count is never used (rates are per agent word), so its text is
        // cut only in the runs where the matcher asks where a token starts or ends (a lexicon
        // candidate's ends); its `words` stay 0.
        let lazy = message.role == Role::Customer && shortcuts::enabled();
        let tokens = if lazy {
            self.tokenizer.tokenize_lazily(&norm.text)
        } else {
            self.tokenizer.tokenize(&norm.text)
        };
        let hits = self.matcher.find(&norm.text, &tokens);
        let words = if lazy { 0 } else { tokens.words() };
        drop(tokens);
        // Both sides: the check looks at the agent's personal data, masking covers everyone's.
        let pii = pii::find(&norm.text);
        AnalyzedMessage { words, hits, pii, norm: Some(norm) }
    }

    /// Stages 3–6 and 8 for one ticket: pure.
    pub fn audit_ticket<'t>(&self, ticket: &'t Ticket) -> Audited<'t> {
        let mut analyzed: Vec<AnalyzedMessage> =
            ticket.messages.iter().map(|m| self.analyze(m)).collect();
        let score = score::score_ticket(ticket, &mut analyzed, self.sla_secs);
        // Masked from the very spans detection found, so the two can never disagree.
        let shown: Vec<Cow<'t, str>> = ticket
            .messages
            .iter()
            .zip(&analyzed)
            .map(|(message, analysis)| match &analysis.norm {
                Some(norm) if self.mask => pii::mask_original(&message.text, norm, &analysis.pii),
                None if self.mask => pii::mask_text(&message.text),
                _ => Cow::Borrowed(message.text.as_str()),
            })
            .collect();
        let phrase = |entry: u32| self.lexicon.entry(entry).phrase.clone();
        let compliance = check::check_ticket(
            ticket,
            &score,
            &analyzed,
            &shown,
            self.sla_secs,
            (&self.template, &self.tokenizer),
            phrase,
        );
        let flags = self.template.ticket_flags(&score.reasons, &compliance.outcomes);
        Audited { score, compliance, flags, shown }
    }

    /// `listable` says whether a flagged ticket of this severity may still be listed on its
    /// agent page (`pages::PageCut`): only then is its conversation rendered.
    pub(crate) fn render(
        &self,
        ticket: &Ticket,
        audited: &Audited,
        listable: impl Fn(Severity) -> bool,
    ) -> Rendered {
        let Audited { score, compliance, flags, shown } = audited;
        let severity = self.template.ticket_severity(flags);
        let (flagged, brief_html, brief_md, conv_html, conv_md) = match severity {
            None => Default::default(),
            Some(severity) => {
                let evidence = score.evidence_shown(report::jsonl::MAX_EVIDENCE);
                let flagged = report::jsonl::flagged_ticket(
                    ticket,
                    (score, compliance, flags),
                    severity,
                    &evidence,
                    shown,
                    &self.lexicon,
                );
                // Reason pages list many tickets: each shows the evidence behind its first
                // reason (which comes first) and counts the rest.
                let brief = flagged.brief(REASON_PAGE_EVIDENCE);
                let html = report::html::flagged_ticket(&brief, false, &self.template);
                let md = report::markdown::flagged_ticket(&brief, false, &self.template);
                // Agent pages list each ticket with its evidence, opening to its whole
                // conversation.
                let (conv_html, conv_md) = if listable(severity) {
                    let conversation = report::conversation::build(
                        ticket,
                        score,
                        shown,
                        &self.lexicon,
                        self.sla_secs,
                    );
                    let mut html = report::html::flagged_ticket(&flagged, true, &self.template);
                    html.extend(report::html::conversation(&conversation));
                    let mut md = report::markdown::flagged_ticket(&flagged, true, &self.template);
                    md.extend(report::markdown::conversation(&conversation));
                    (html, md)
                } else {
                    Default::default()
                };
                (flagged.to_line(&self.template), html, md, conv_html, conv_md)
            }
        };
        let ticket_line = if self.per_ticket {
            report::jsonl::ticket_line(ticket, score, flags, &self.template)
        } else {
            Vec::new()
        };
        let compliance_score = self.template.ticket_compliance(&compliance.outcomes);
        Rendered {
            id: ticket.id.clone(),
            checks: compliance.pack(),
            severity,
            reasons: ReasonSet::of(flags),
            queue_row: report::csv::review_queue_row(
                &self.template.rules,
                &ticket.owner,
                ticket.agent_name.as_deref(),
                &ticket.id,
                compliance,
                compliance_score.as_ref(),
                &report::conversation::transcript(ticket, shown),
            ),
            flagged,
            ticket_line,
            brief_html,
            brief_md,
            conv_html,
            conv_md,
        }
    }
}
