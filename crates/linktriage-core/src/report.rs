//! The report: everything one run found, and the plain text people paste.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::check::{CheckResult, Measurement, hundredths};
use crate::device::DeviceFacts;
use crate::redact::{self, Texts};
use crate::time::{format_offset, format_timestamp};
use crate::verdict::{Verdict, confidence_word, judge};
use crate::wording::{describe, describe_device};

/// One run of the checks, as the app saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub config_name: String,
    pub config_version: String,
    /// When the checks started, in milliseconds since the Unix epoch by the
    /// browser's clock.
    pub started_at_ms: f64,
    /// The browser's offset from UTC at that moment, in minutes (east positive).
    pub utc_offset_minutes: i32,
    pub results: Vec<CheckResult>,
    pub device: DeviceFacts,
    /// As judged when the report was made, so that a report read later says
    /// what the clinician was told, whatever the rules are by then.
    pub verdict: Verdict,
    /// What the person who ran the checks typed about where they are.
    #[serde(default)]
    pub site: SiteDetails,
    /// IP addresses were taken out of every text before sharing.
    #[serde(default)]
    pub addresses_removed: bool,
}

/// Typed by the person running the checks, so the desk knows which practice
/// and which ticket a report belongs to. Never patient details: the page says
/// so beside the fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteDetails {
    /// Practice name or ODS code.
    pub place: String,
    /// The ticket reference, if there is one yet.
    pub ticket: String,
    /// A short note: what the clinician saw, when it started.
    pub note: String,
}

impl SiteDetails {
    /// Longest place name kept, in characters.
    pub const PLACE_CHARS: usize = 80;
    /// Longest ticket reference kept, in characters.
    pub const TICKET_CHARS: usize = 40;
    /// Longest note kept, in characters: a short note, not a case history.
    pub const NOTE_CHARS: usize = 280;

    /// The details as a report keeps them: each on one line (a line break
    /// typed into a field would break the report's layout), trimmed, and cut
    /// to its length.
    pub fn tidied(&self) -> SiteDetails {
        fn tidy(text: &str, limit: usize) -> String {
            let one_line: String = text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .take(limit)
                .collect();
            one_line.trim().to_owned()
        }
        SiteDetails {
            place: tidy(&self.place, Self::PLACE_CHARS),
            ticket: tidy(&self.ticket, Self::TICKET_CHARS),
            note: tidy(&self.note, Self::NOTE_CHARS),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.place.is_empty() && self.ticket.is_empty() && self.note.is_empty()
    }
}

impl Report {
    /// A report of `results`, judged.
    pub fn judged(run: RunFacts, results: Vec<CheckResult>, mut device: DeviceFacts) -> Report {
        let results: Vec<CheckResult> = results.into_iter().map(CheckResult::quantized).collect();
        if let Some(c) = &mut device.connection {
            c.downlink_mbps = c.downlink_mbps.map(hundredths);
            c.rtt_ms = c.rtt_ms.map(hundredths);
        }
        let verdict = judge(&results, &device);
        Report {
            config_name: run.config_name,
            config_version: run.config_version,
            started_at_ms: run.started_at_ms,
            utc_offset_minutes: run.utc_offset_minutes,
            results,
            device,
            verdict,
            site: SiteDetails::default(),
            addresses_removed: false,
        }
    }

    /// The report as it is shared: with the site details typed, and with IP
    /// addresses taken out of every text when `remove_addresses` is set.
    /// Figures and the verdict's judgement are untouched.
    pub fn shared(&self, site: &SiteDetails, remove_addresses: bool) -> Report {
        let mut report = Report {
            site: site.tidied(),
            ..self.clone()
        };
        if remove_addresses {
            redact::remove_addresses(&mut report);
            report.addresses_removed = true;
        }
        report
    }

    /// The report with more results (the speed tests), judged again.
    pub fn with_more_results(mut self, more: Vec<CheckResult>) -> Report {
        self.results
            .extend(more.into_iter().map(CheckResult::quantized));
        self.verdict = judge(&self.results, &self.device);
        self
    }
}

impl Texts for Report {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        let Report {
            config_name,
            config_version,
            started_at_ms: _,
            utc_offset_minutes: _,
            results,
            device,
            verdict,
            site,
            addresses_removed: _,
        } = self;
        config_name.each_text(f);
        config_version.each_text(f);
        results.each_text(f);
        device.each_text(f);
        verdict.each_text(f);
        site.each_text(f);
    }
}

impl Texts for SiteDetails {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        let SiteDetails {
            place,
            ticket,
            note,
        } = self;
        place.each_text(f);
        ticket.each_text(f);
        note.each_text(f);
    }
}

/// What is known of a run before any check: which list, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFacts {
    pub config_name: String,
    pub config_version: String,
    pub started_at_ms: f64,
    pub utc_offset_minutes: i32,
}

/// Said in every report: what no browser can test, so nobody assumes it passed.
pub const BEYOND_A_BROWSER: &str = "the clinical system's own non-web connections (a browser cannot open raw TCP or UDP connections, or ping)";

/// Renders the report as text that reads well pasted into a ticket, an email
/// or a chat, in any font: short lines, no tables that need alignment.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    let started = report.started_at_ms;
    let offset = report.utc_offset_minutes;
    // Writing to a String cannot fail; the results are ignored with `let _`.
    let _ = writeln!(out, "Link Triage report");
    write_verdict(&mut out, &report.verdict);
    let _ = writeln!(
        out,
        "Checked: {} UTC ({} local, {})",
        format_timestamp(started, 0),
        &format_timestamp(started, offset)[11..],
        format_offset(offset)
    );
    let _ = writeln!(
        out,
        "Configuration: {} (version {})",
        report.config_name, report.config_version
    );
    write_site(&mut out, &report.site);
    if report.addresses_removed {
        let _ = writeln!(out, "IP addresses: removed before sharing");
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Checks:");
    if report.results.is_empty() {
        let _ = writeln!(out, "- none ran");
    }
    for result in &report.results {
        let _ = writeln!(
            out,
            "- {} [{}]: {}",
            result.target,
            result.segment.id(),
            describe(&result.measurement)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Could not test:");
    for result in &report.results {
        if let Measurement::NotTested(n) = &result.measurement {
            let _ = writeln!(
                out,
                "- {} of {}: {}",
                n.kind.plain_name(),
                result.target,
                n.reason
            );
        }
    }
    let _ = writeln!(out, "- {BEYOND_A_BROWSER}");
    let _ = writeln!(out);
    let _ = writeln!(out, "Browser: {}", describe_device(&report.device));
    out
}

/// The text a clinician pastes: the report, then its code on a line of its
/// own, from which the desk view and `linktriage decode` read back every
/// figure. `code` is passed in (rather than encoded here) so that a report
/// read back shows the very code that was pasted.
pub fn render_pasteable(report: &Report, code: &str) -> String {
    let mut out = render_text(report);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Report code (the IT service desk's Link Triage reads every figure back from it):"
    );
    let _ = writeln!(out, "{code}");
    out
}

/// The site lines, only those typed: a report with none reads as it always did.
fn write_site(out: &mut String, site: &SiteDetails) {
    for (label, value) in [
        ("Site", &site.place),
        ("Ticket", &site.ticket),
        ("Note", &site.note),
    ] {
        if !value.is_empty() {
            let _ = writeln!(out, "{label}: {value}");
        }
    }
}

/// The verdict first: what is wrong, what to do, who fixes it, and why.
fn write_verdict(out: &mut String, verdict: &Verdict) {
    let primary = verdict.primary();
    let _ = writeln!(out, "Verdict: {}", primary.headline);
    let _ = writeln!(out, "What to do now: {}", primary.next_step);
    let _ = writeln!(out, "Who fixes it: {}", primary.resolver);
    let _ = writeln!(out, "Confidence: {}", confidence_word(primary.confidence));
    for other in &verdict.findings[1..] {
        let _ = writeln!(
            out,
            "Also: {} (who fixes it: {})",
            other.headline, other.resolver
        );
    }
    let _ = writeln!(out, "Evidence:");
    for finding in &verdict.findings {
        for line in &finding.evidence {
            let _ = writeln!(out, "- {line}");
        }
    }
    let _ = writeln!(out, "For the desk: {}", verdict.summary());
    let _ = writeln!(out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::RoundTrips;
    use crate::segment::Segment;

    fn report(results: Vec<CheckResult>) -> Report {
        let run = RunFacts {
            config_name: "Test list".into(),
            config_version: "7".into(),
            started_at_ms: 1_795_511_145_000.0,
            utc_offset_minutes: 60,
        };
        Report::judged(
            run,
            results,
            DeviceFacts {
                user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36".into(),
                online: true,
                connection: None,
                time_zone: "Europe/London".into(),
                language: "en-GB".into(),
                cores: Some(2),
                precise_timers: true,
            },
        )
    }

    #[test]
    fn text_names_the_time_the_configuration_and_each_check() {
        let rt = RoundTrips::from_samples(vec![1.25, 0.5, 0.75, 400.0], 1, 300);
        let text = render_text(&report(vec![CheckResult {
            target: "Probe".into(),
            segment: Segment::Lan,
            measurement: Measurement::RoundTrips(rt),
        }]));
        let expected = "\
Link Triage report
Verdict: The connection works but is slow or unreliable, starting at the practice network.
What to do now: If the clinical system is slow or keeps saying \"Contacting Server\", call your IT service desk and quote this report.
Who fixes it: Local IT (practice network)
Confidence: medium
Evidence:
- Probe: 40 % of round trips late (over 300 ms) or failed
For the desk: degraded (medium)

Checked: 2026-11-24 09:05:45 UTC (10:05:45 local, UTC+01:00)
Configuration: Test list (version 7)

Checks:
- Probe [lan]: HTTP round trip median 0.75 ms (min 0.50, p90 400, p99 400, jitter 133); 4 of 5 answered, 1 slower than 300 ms; late or failed: 40 %

Could not test:
- the clinical system's own non-web connections (a browser cannot open raw TCP or UDP connections, or ping)

Browser: Chrome 156 on Linux; browser says online; time zone Europe/London; language en-GB; 2 cores
";
        assert_eq!(text, expected);
    }

    #[test]
    fn a_probe_that_never_answered_says_so() {
        let text = render_text(&report(vec![CheckResult {
            target: "Probe".into(),
            segment: Segment::Internet,
            measurement: Measurement::RoundTrips(RoundTrips::from_samples(vec![], 20, 300)),
        }]));
        assert!(
            text.contains("- Probe [internet]: HTTP NO ANSWER to any of 20 round trips"),
            "{text}"
        );
    }

    #[test]
    fn no_results_is_said_plainly() {
        assert!(render_text(&report(vec![])).contains("Checks:\n- none ran\n"));
    }
}
