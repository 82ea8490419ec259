//! The report: everything one run found, and the plain text people paste.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::check::{CheckKind, CheckResult, Measurement, NotTested, hundredths};
use crate::device::DeviceFacts;
use crate::redact::{self, Texts};
use crate::time::{format_offset, format_timestamp};
use crate::verdict::{Confidence, Diagnosis, Finding, Verdict, confidence_word, judge};
use crate::watch::{WatchSnapshot, loss_words};
use crate::wording::{describe, describe_device, fixed, ms, span_length};

/// One run of the checks, as the app saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub config_name: String,
    pub config_version: String,
    /// The release of Link Triage that ran the checks (the build id of its
    /// files, as the server's service worker names it), so the desk can
    /// tell which release a site had; empty when unknown (a code from
    /// before version 4).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub release: String,
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
    /// The watch so far, when the report was made during or after one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch: Option<WatchSnapshot>,
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

/// What a clinician chose for the report they share: the site details
/// typed, and whether IP addresses come out of it ([`Report::shared`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sharing {
    pub site: SiteDetails,
    pub remove_addresses: bool,
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
    /// to its length; a field that holds an NHS number is left out whole
    /// (the page says so beside it), since the report goes to the desk.
    pub fn tidied(&self) -> SiteDetails {
        fn tidy(text: &str, limit: usize) -> String {
            let one_line: String = text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .take(limit)
                .collect();
            let kept = one_line.trim();
            if crate::patient::holds_nhs_number(kept) {
                return String::new();
            }
            kept.to_owned()
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
            release: run.release,
            started_at_ms: run.started_at_ms,
            utc_offset_minutes: run.utc_offset_minutes,
            results,
            device,
            verdict,
            site: SiteDetails::default(),
            addresses_removed: false,
            watch: None,
        }
    }

    /// The report as it is shared: with the site details typed, and with IP
    /// addresses taken out of every text when `sharing` asks. Figures and
    /// the verdict's judgement are untouched.
    pub fn shared(&self, sharing: &Sharing) -> Report {
        let mut report = Report {
            site: sharing.site.tidied(),
            ..self.clone()
        };
        if sharing.remove_addresses {
            redact::remove_addresses(&mut report);
            report.addresses_removed = true;
        }
        report
    }

    /// How this report was shared: sharing it so again changes nothing.
    pub fn sharing(&self) -> Sharing {
        Sharing {
            site: self.site.clone(),
            remove_addresses: self.addresses_removed,
        }
    }

    /// The report as first shown while checks that could change its
    /// verdict still run (the loss check, the count of cut connections, the
    /// speed tests): a verdict that found nothing wrong says it is not
    /// settled, since a path that cuts connections or loses packets answers
    /// the quick checks as a healthy one does. [`Report::with_more_results`]
    /// judges the report again with every result, and the verdict settles.
    pub fn while_more_checks_run(mut self) -> Report {
        if let Some(first) = self.verdict.findings.first_mut()
            && first.diagnosis == Diagnosis::None
        {
            first.headline = NOTHING_WRONG_SO_FAR.to_owned();
        }
        self
    }

    /// The report with more results (the speed tests), judged again.
    pub fn with_more_results(mut self, more: Vec<CheckResult>) -> Report {
        self.results
            .extend(more.into_iter().map(CheckResult::quantized));
        self.verdict = judge(&self.results, &self.device);
        self
    }

    /// The report with the speed tests measured again (the full test,
    /// asked for): `again` takes the place of the download and upload
    /// results there were, and the report is judged again.
    pub fn with_speed_measured_again(mut self, again: Vec<CheckResult>) -> Report {
        self.results.retain(|r| {
            !matches!(
                r.measurement.kind(),
                CheckKind::Download | CheckKind::Upload
            )
        });
        self.with_more_results(again)
    }

    /// The report with the watch so far. A drop the watch saw comes first
    /// in the verdict: the link may be working again by the time of the
    /// report, and the drop is what the desk must hear. A report of a
    /// watch alone (no checks ran) says what the watch saw, drop or none.
    /// `self` is a report without a watch: a later snapshot is added to the
    /// same report again, not to the report with the earlier one.
    pub fn with_watch(mut self, watch: WatchSnapshot) -> Report {
        let mut findings = std::mem::take(&mut self.verdict.findings);
        let seen = watch.findings();
        match seen.is_empty() {
            // A watch's report runs no checks of its own: the checks'
            // verdict would only say that none could run.
            false if self.results.is_empty() => findings = seen,
            false => drop(findings.splice(0..0, seen)),
            true if self.results.is_empty() => {
                findings = vec![Finding {
                    diagnosis: Diagnosis::None,
                    confidence: Confidence::Medium,
                    headline: format!(
                        "The connection did not drop in {} of watching.",
                        span_length(watch.watched_ms())
                    ),
                    resolver: "No one: nothing failed while watched".to_owned(),
                    next_step: "If the clinical system still says \"Contacting Server\", call your IT service desk and read them this report.".to_owned(),
                    evidence: vec![format!("Watch: no drops in {}", span_length(watch.watched_ms()))],
                }];
            }
            true => {}
        }
        self.verdict = Verdict { findings };
        self.watch = Some(watch);
        self
    }
}

/// The first verdict's words while more checks run, where nothing was found
/// wrong (`Report::while_more_checks_run`). Short, as the settled words
/// are, so that nothing below moves when they take its place; the progress
/// bar under it says what is still being checked.
pub const NOTHING_WRONG_SO_FAR: &str = "Nothing wrong found so far.";

impl Texts for Report {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        let Report {
            config_name,
            config_version,
            release,
            started_at_ms: _,
            utc_offset_minutes: _,
            results,
            device,
            verdict,
            site,
            addresses_removed: _,
            watch,
        } = self;
        config_name.each_text(f);
        config_version.each_text(f);
        release.each_text(f);
        results.each_text(f);
        device.each_text(f);
        verdict.each_text(f);
        site.each_text(f);
        if let Some(watch) = watch {
            watch.each_text(f);
        }
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

/// What is known of a run before any check: which list, which release,
/// and when.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFacts {
    pub config_name: String,
    pub config_version: String,
    pub release: String,
    pub started_at_ms: f64,
    pub utc_offset_minutes: i32,
}

/// Which list of checks a page has, and which release of Link Triage the
/// page is: what every report it makes says in its configuration line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFacts {
    pub name: String,
    pub version: String,
    pub release: String,
}

/// Longest release id a report keeps: the server's are 16 hex digits.
pub const MAX_RELEASE_CHARS: usize = 64;

/// Whether `text` may stand in a report as its release: short, and nothing
/// that could break the report's lines or pass for another field. A page
/// keeps only such a release, and a code with any other is refused.
pub fn is_release_id(text: &str) -> bool {
    text.len() <= MAX_RELEASE_CHARS
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

impl ListFacts {
    /// The facts of a run of this list that started at `started_at_ms`.
    pub fn run_at(&self, started_at_ms: f64, utc_offset_minutes: i32) -> RunFacts {
        RunFacts {
            config_name: self.name.clone(),
            config_version: self.version.clone(),
            release: self.release.clone(),
            started_at_ms,
            utc_offset_minutes,
        }
    }
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
    if let Some(watch) = &report.watch {
        write_watch(&mut out, watch, offset);
    }
    let _ = writeln!(
        out,
        "Checked: {} UTC ({} local, {})",
        format_timestamp(started, 0),
        &format_timestamp(started, offset)[11..],
        format_offset(offset)
    );
    let _ = write!(
        out,
        "Configuration: {} (version {})",
        report.config_name, report.config_version
    );
    if !report.release.is_empty() {
        let _ = write!(out, ", Link Triage release {}", report.release);
    }
    let _ = writeln!(out);
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
    for (n, targets) in not_tested_alike(&report.results) {
        let _ = writeln!(
            out,
            "- {} of {}: {}",
            n.kind.plain_name(),
            in_words(&targets),
            n.reason
        );
    }
    let _ = writeln!(out, "- {BEYOND_A_BROWSER}");
    let _ = writeln!(out);
    let _ = writeln!(out, "Browser: {}", describe_device(&report.device));
    out
}

/// What could not be tested, each kind and reason once with every target it
/// held for, in the order first met: a list of twenty hosts that all hide
/// their timing reads as one line, not twenty.
fn not_tested_alike(results: &[CheckResult]) -> Vec<(&NotTested, Vec<&str>)> {
    let mut alike: Vec<(&NotTested, Vec<&str>)> = Vec::new();
    for result in results {
        if let Measurement::NotTested(n) = &result.measurement {
            match alike.iter_mut().find(|(seen, _)| *seen == n) {
                Some((_, targets)) => targets.push(&result.target),
                None => alike.push((n, vec![&result.target])),
            }
        }
    }
    alike
}

/// "A", "A and B", "A, B and C".
fn in_words(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
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

/// The watch, under the verdict: what it saw in a sentence, when it ran,
/// each drop in UTC and local time, each target's answered share, slow
/// spells and pauses.
fn write_watch(out: &mut String, watch: &WatchSnapshot, offset: i32) {
    let _ = writeln!(out, "Watch: {}", watch.summary(offset));
    let (from, to) = (
        format_timestamp(watch.started_at_ms, 0),
        format_timestamp(watch.until_ms, 0),
    );
    let (local_from, local_to) = (
        format_timestamp(watch.started_at_ms, offset),
        format_timestamp(watch.until_ms, offset),
    );
    let _ = writeln!(
        out,
        "Watched: {} to {} UTC ({} to {} local), every {}; {}",
        &from[..16],
        &to[11..16],
        &local_from[11..16],
        &local_to[11..16],
        span_length(f64::from(watch.interval_ms)),
        if watch.running {
            "still watching when this report was made"
        } else {
            "finished"
        }
    );
    let _ = writeln!(out, "Drops:");
    if watch.drops.is_empty() {
        let _ = writeln!(out, "- none");
    }
    for drop in &watch.drops {
        let place = match drop.diagnosis {
            Diagnosis::At(segment) => format!("at {}", segment.plain_name()),
            _ => "not placed".to_owned(),
        };
        let mut when = watch.when_utc(drop.start_ms, drop.end_ms);
        if offset != 0 {
            when.push_str("; ");
            when.push_str(&watch.when_local(drop.start_ms, drop.end_ms, offset));
        }
        let _ = writeln!(
            out,
            "- {when}: {place}; not answering: {}",
            watch.names(&drop.targets).join(", ")
        );
    }
    let _ = writeln!(out, "Answered:");
    for target in &watch.targets {
        let share = match target.sampled {
            0 => "not sampled".to_owned(),
            all => format!(
                "{} % of {all} samples",
                fixed(100.0 * f64::from(target.answered) / f64::from(all), 1)
            ),
        };
        let _ = writeln!(out, "- {} [{}]: {share}", target.name, target.segment.id());
    }
    let _ = writeln!(out, "Slow spells:");
    if watch.slow_spells.is_empty() {
        let _ = writeln!(out, "- none");
    }
    for spell in &watch.slow_spells {
        let name = watch.names(&[spell.target]).concat();
        let _ = writeln!(
            out,
            "- {name}: {}, slowest {} ms",
            watch.when_utc(spell.start_ms, spell.end_ms),
            ms(spell.worst_ms)
        );
    }
    if watch.targets.iter().any(|t| !t.loss.is_empty()) {
        let _ = writeln!(out, "Packet loss (UDP, to the Link Triage server):");
        for target in watch.targets.iter().filter(|t| !t.loss.is_empty()) {
            if let Some(words) = loss_words(&target.loss) {
                let _ = writeln!(out, "- {} [{}]: {words}", target.name, target.segment.id());
            }
        }
        for spell in watch.lossy_spells() {
            let _ = writeln!(
                out,
                "- lost packets {}: {}, {}",
                watch.when_utc(spell.start_ms, spell.end_ms),
                watch.names(&[spell.target]).concat(),
                spell.words()
            );
        }
    }
    let paused: f64 = watch.paused.iter().map(|p| p.to_ms - p.from_ms).sum();
    match watch.paused.len() {
        0 => {}
        n => {
            let _ = writeln!(
                out,
                "Paused: {} in all, {} (the browser paused the watch; not counted as drops)",
                span_length(paused),
                if n == 1 {
                    "once".to_owned()
                } else {
                    format!("{n} times")
                }
            );
        }
    }
    let _ = writeln!(out);
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
            release: "0123456789abcdef".into(),
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
Configuration: Test list (version 7), Link Triage release 0123456789abcdef

Checks:
- Probe [lan]: HTTP round trip median 0.75 ms (min 0.50, p90 400, p99 400, jitter 133); 4 of 5 answered, 1 slower than 300 ms; late or failed: 40 %

Could not test:
- the clinical system's own non-web connections (a browser cannot open raw TCP or UDP connections, or ping)

Browser: Chrome 156 on Linux; browser says online; time zone Europe/London; language en-GB; 2 cores
";
        assert_eq!(text, expected);
    }

    #[test]
    fn a_field_holding_an_nhs_number_is_left_out_of_the_shared_report() {
        let typed = Sharing {
            site: SiteDetails {
                place: "Y00999".into(),
                ticket: "INC0012345".into(),
                note: "rang about 943 476 5919, screens froze".into(),
            },
            remove_addresses: false,
        };
        let shared = report(vec![]).shared(&typed);
        assert_eq!(
            shared.site,
            SiteDetails {
                place: "Y00999".into(),
                ticket: "INC0012345".into(),
                note: String::new(),
            }
        );
        assert!(!render_text(&shared).contains("5919"));
    }

    #[test]
    fn nothing_found_wrong_is_not_settled_while_more_checks_run() {
        let round_trips = CheckResult {
            target: "Probe".into(),
            segment: Segment::Internet,
            measurement: Measurement::RoundTrips(RoundTrips::from_samples(vec![1.0; 5], 0, 300)),
        };
        let first = report(vec![round_trips.clone()]).while_more_checks_run();
        assert_eq!(first.verdict.primary().headline, NOTHING_WRONG_SO_FAR);
        assert_eq!(first.verdict.primary().diagnosis, Diagnosis::None);
        // Judged again with every result, it settles.
        let settled = first.with_more_results(Vec::new());
        assert!(
            settled
                .verdict
                .primary()
                .headline
                .starts_with("Everything checked is working")
        );
        // A fault found first is said as it is: more checks only add to it.
        let down = CheckResult {
            measurement: Measurement::RoundTrips(RoundTrips::from_samples(vec![], 20, 300)),
            ..round_trips
        };
        let fault = report(vec![down]);
        assert_eq!(fault.clone().while_more_checks_run(), fault);
    }

    #[test]
    fn the_full_speed_test_takes_the_place_of_the_one_by_itself() {
        use crate::check::Throughput;
        let speed = |mbps: f64, largest_bytes: u64| Throughput {
            samples_mbps: vec![mbps; 3],
            largest_bytes,
            failure: None,
            under_load: None,
        };
        let result = |measurement| CheckResult {
            target: "Probe".into(),
            segment: Segment::Internet,
            measurement,
        };
        let round_trips = result(Measurement::RoundTrips(RoundTrips::from_samples(
            vec![1.0; 5],
            0,
            300,
        )));
        let by_itself = report(vec![round_trips.clone()]).with_more_results(vec![
            result(Measurement::Download(speed(90.0, 1 << 20))),
            result(Measurement::Upload(speed(80.0, 1 << 20))),
        ]);
        let full = by_itself.with_speed_measured_again(vec![
            result(Measurement::Download(speed(450.0, 8 << 20))),
            result(Measurement::Upload(speed(300.0, 8 << 20))),
        ]);
        let kinds: Vec<CheckKind> = full.results.iter().map(|r| r.measurement.kind()).collect();
        assert_eq!(
            kinds,
            [
                CheckKind::RoundTrips,
                CheckKind::Download,
                CheckKind::Upload
            ]
        );
        assert!(
            matches!(&full.results[1].measurement, Measurement::Download(t) if t.mbps() == Some(450.0))
        );
        assert_eq!(full.results[0], round_trips);
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
    fn what_could_not_be_tested_alike_is_said_once_for_every_target() {
        use crate::check::CheckKind;
        let hidden = "the host does not share its timing";
        let not_tested = |target: &str, kind, reason: &str| CheckResult {
            target: target.into(),
            segment: Segment::Supplier,
            measurement: Measurement::not_tested(kind, reason),
        };
        let text = render_text(&report(vec![
            not_tested("EMIS API", CheckKind::Connections, hidden),
            not_tested("Probe", CheckKind::Loss, "this browser has no WebRTC"),
            not_tested("EMIS identity", CheckKind::Connections, hidden),
            not_tested("CIS2", CheckKind::Connections, hidden),
            not_tested("GOV.UK", CheckKind::Connections, "ran out of time"),
        ]));
        let could_not = text.split("Could not test:\n").nth(1).unwrap_or_default();
        assert!(
            could_not.starts_with(
                "- cut connections of EMIS API, EMIS identity and CIS2: the host does not share its timing\n\
                 - packet loss of Probe: this browser has no WebRTC\n\
                 - cut connections of GOV.UK: ran out of time\n- the clinical system's own"
            ),
            "{text}"
        );
    }

    #[test]
    fn no_results_is_said_plainly() {
        assert!(render_text(&report(vec![])).contains("Checks:\n- none ran\n"));
    }

    #[test]
    fn a_drop_the_watch_saw_comes_first_in_the_verdict() {
        use crate::verdict::Diagnosis;
        use crate::watch::{Sample, Watch, WatchSnapshot, WatchTarget};
        let start = 1_795_511_145_000.0;
        let watch = |answered: &[bool]| Watch {
            started_at_ms: start,
            interval_ms: 10_000,
            targets: vec![WatchTarget {
                name: "HSCN host".into(),
                segment: Segment::Hscn,
                late_ms: 300,
            }],
            samples: answered
                .iter()
                .enumerate()
                .map(|(i, &answered)| Sample {
                    at_ms: start + i as f64 * 10_000.0,
                    target: 0,
                    answered,
                    round_trip_ms: None,
                })
                .collect(),
            paused: vec![],
            earlier: None,
            loss: Vec::new(),
        };
        let dropped = watch(&[true, false, false, false, true, true]);
        let steady = watch(&[true; 6]);
        let snapshot = |w: &Watch| WatchSnapshot::of(w, start + 60_000.0, true);
        let reached = CheckResult {
            target: "HSCN host".into(),
            segment: Segment::Hscn,
            measurement: Measurement::RoundTrips(RoundTrips::from_samples(vec![5.0; 10], 0, 300)),
        };
        // The checks found it working; the watch saw it drop.
        let checked = report(vec![reached]);
        let after_a_drop = checked.clone().with_watch(snapshot(&dropped));
        let diagnoses: Vec<Diagnosis> = after_a_drop
            .verdict
            .findings
            .iter()
            .map(|f| f.diagnosis)
            .collect();
        assert_eq!(diagnoses, [Diagnosis::At(Segment::Hscn), Diagnosis::None]);
        let text = render_text(&after_a_drop);
        assert!(text.contains("\nWatch: 1 drop so far: 10:05 to 10:06 (30 s). The NHS network link (HSCN) failed.\n"), "{text}");
        assert!(text.contains("\n- 09:05:55 to 09:06:25 UTC (30 s); 10:05:55 to 10:06:25 local (30 s): at the NHS network link (HSCN); not answering: HSCN host\n"), "{text}");
        assert!(
            text.contains("\n- HSCN host [hscn]: 50.0 % of 6 samples\n"),
            "{text}"
        );
        // No drop: the checks' verdict stands.
        assert_eq!(
            checked.clone().with_watch(snapshot(&steady)).verdict,
            checked.verdict
        );
        // A watch alone, with no drop, says so rather than "nothing checked".
        let alone = report(vec![]).with_watch(snapshot(&steady));
        assert_eq!(alone.verdict.findings.len(), 1);
        assert_eq!(
            alone.verdict.primary().headline,
            "The connection did not drop in 1 min of watching."
        );
    }
}
