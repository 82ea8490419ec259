//! The report: everything one run found, and the plain text people paste.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::check::{
    CheckResult, ClockOffset, FAST_FAILURE_MS, Interception, LocalAgent, Measurement, Reach,
    ReachOutcome, RoundTrips, Throughput, hundredths,
};
use crate::device::DeviceFacts;
use crate::time::{format_offset, format_timestamp};
use crate::verdict::{Verdict, confidence_word, judge};

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
            crate::redact::remove_addresses(&mut report);
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

/// One line, for a person, of what a measurement found.
pub fn describe(measurement: &Measurement) -> String {
    match measurement {
        Measurement::Reach(reach) => describe_reach(reach),
        Measurement::RoundTrips(rt) => format!("HTTP {}", describe_round_trips(rt)),
        Measurement::WebSocket(ws) => match &ws.failure {
            Some(why) => format!("WebSocket could not be used ({why})"),
            None => format!("WebSocket {}", describe_round_trips(&ws.round_trips)),
        },
        Measurement::Download(t) => format!("download {}", describe_throughput(t)),
        Measurement::Upload(t) => format!("upload {}", describe_throughput(t)),
        Measurement::Clock(clock) => describe_clock(clock),
        Measurement::Interception(i) => describe_interception(i),
        Measurement::LocalAgent(LocalAgent::Answering) => "answering".to_owned(),
        Measurement::LocalAgent(LocalAgent::NotAnswering) => "not answering".to_owned(),
        Measurement::NotTested(n) => {
            format!("could not test {} ({})", n.kind.plain_name(), n.reason)
        }
    }
}

fn describe_reach(reach: &Reach) -> String {
    match reach.outcome {
        ReachOutcome::Reached { status } => {
            let mut line = match reach.repeat_ms.or(reach.first_ms) {
                Some(t) => format!("reached in {} ms", ms(t)),
                None => "reached".to_owned(),
            };
            if let (Some(first), Some(connection)) = (reach.first_ms, reach.connection_ms()) {
                let _ = write!(
                    line,
                    " (first request {} ms, about {} ms of it opening the connection)",
                    ms(first),
                    ms(connection)
                );
            }
            if let Some(status) = status {
                let _ = write!(line, "; answered HTTP {status}");
            }
            line
        }
        ReachOutcome::Failed { after_ms } if after_ms < FAST_FAILURE_MS => format!(
            "FAILED at once, after {} ms (no such host, connection refused, a certificate problem, or blocked in the browser)",
            ms(after_ms)
        ),
        ReachOutcome::Failed { after_ms } => format!("FAILED after {} ms", ms(after_ms)),
        ReachOutcome::TimedOut { after_ms } => {
            format!("NO ANSWER within {} ms (timed out)", ms(after_ms))
        }
    }
}

fn describe_round_trips(rt: &RoundTrips) -> String {
    let answered = rt.attempted - rt.failed;
    let Some(s) = rt.summary else {
        return format!("NO ANSWER to any of {} round trips", rt.attempted);
    };
    // "Late or failed" is what a browser can see; it is not packet loss.
    format!(
        "round trip median {} ms (min {}, p90 {}, p99 {}, jitter {}); {answered} of {} answered, {} slower than {} ms; late or failed: {} %",
        ms(s.median),
        ms(s.min),
        ms(s.p90),
        ms(s.p99),
        ms(s.jitter),
        rt.attempted,
        rt.late,
        rt.late_ms,
        fixed(rt.late_or_failed_share() * 100.0, 0)
    )
}

fn describe_throughput(t: &Throughput) -> String {
    match (&t.failure, t.mbps()) {
        (Some(why), _) => format!("could not be measured ({why})"),
        (None, Some(mbps)) => format!(
            "{} Mbit/s ({} transfers of up to {})",
            mbit(mbps),
            t.samples_mbps.len(),
            bytes(t.largest_bytes)
        ),
        (None, None) => "could not be measured (no transfer completed)".to_owned(),
    }
}

fn describe_clock(clock: &ClockOffset) -> String {
    let off = clock.offset_ms.abs();
    if off < 2_000.0 {
        return format!(
            "clock agrees with the server (within {} ms, measured to ±{} ms)",
            ms(off),
            ms(clock.uncertainty_ms)
        );
    }
    let direction = if clock.offset_ms > 0.0 {
        "ahead of"
    } else {
        "behind"
    };
    format!(
        "CLOCK WRONG: {} {direction} the server (smartcard sign-in and secure sites fail on a wrong clock)",
        duration(off)
    )
}

fn describe_interception(i: &Interception) -> String {
    if i.is_clean() {
        return "no sign of a proxy or security product changing traffic (headers and payload arrived as sent)".to_owned();
    }
    let mut findings = Vec::new();
    if !i.injected_headers.is_empty() {
        findings.push(format!(
            "headers added on the way: {}",
            i.injected_headers.join("; ")
        ));
    }
    if let Some(what) = &i.altered_check_header {
        findings.push(format!("a header was changed on the way ({what})"));
    }
    if let Some(at) = i.payload_difference_at {
        findings.push(format!("content was altered on the way (from byte {at})"));
    }
    format!("INTERCEPTED: {}", findings.join("; "))
}

fn describe_device(device: &DeviceFacts) -> String {
    let mut line = device.browser_and_os();
    let _ = write!(
        line,
        "; browser says {}",
        if device.online { "online" } else { "OFFLINE" }
    );
    if let Some(c) = &device.connection {
        let estimate = [
            c.effective_type.clone(),
            c.downlink_mbps.map(|d| format!("{} Mbit/s", mbit(d))),
            c.rtt_ms.map(|r| format!("{} ms", ms(r))),
        ];
        let estimate: Vec<String> = estimate.into_iter().flatten().collect();
        if !estimate.is_empty() {
            let _ = write!(
                line,
                "; its own estimate of the connection: {}",
                estimate.join(", ")
            );
        }
    }
    let _ = write!(
        line,
        "; time zone {}; language {}",
        device.time_zone, device.language
    );
    if let Some(cores) = device.cores {
        let _ = write!(line, "; {cores} cores");
    }
    line
}

/// Megabits per second, to three significant figures or so.
pub fn mbit(value: f64) -> String {
    fewer_decimals_as_it_grows(value, 10.0, 100.0)
}

fn bytes(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{} MB", fixed(n as f64 / 1e6, 1))
    } else {
        format!("{} kB", n.div_ceil(1000))
    }
}

fn duration(ms: f64) -> String {
    let seconds = ms / 1000.0;
    match seconds {
        s if s < 120.0 => format!("{} seconds", fixed(s, 0)),
        s if s < 7_200.0 => format!("{} minutes", fixed(s / 60.0, 0)),
        s if s < 172_800.0 => format!("{} hours", fixed(s / 3600.0, 1)),
        s => format!("{} days", fixed(s / 86_400.0, 0)),
    }
}

/// `value` with exactly `decimals` decimals, rounded half away from zero.
///
/// Integer arithmetic rather than `{:.N}`: the figures here never need more,
/// and leaving out the standard float formatter saves the browser app
/// several kilobytes.
pub fn fixed(value: f64, decimals: u32) -> String {
    if !value.is_finite() {
        return "?".to_owned();
    }
    let scale = 10u64.pow(decimals);
    let scaled = (value.abs() * scale as f64).round() as u64;
    let sign = if value < 0.0 && scaled != 0 { "-" } else { "" };
    let (whole, fraction) = (scaled / scale, scaled % scale);
    if decimals == 0 {
        format!("{sign}{whole}")
    } else {
        format!(
            "{sign}{whole}.{fraction:0width$}",
            width = decimals as usize
        )
    }
}

/// Milliseconds with the precision that is meaningful at that size.
pub fn ms(value: f64) -> String {
    fewer_decimals_as_it_grows(value, 1.0, 100.0)
}

/// Two decimals below `two_below`, one below `one_below`, none above.
fn fewer_decimals_as_it_grows(value: f64, two_below: f64, one_below: f64) -> String {
    let decimals = match value {
        v if v < two_below => 2,
        v if v < one_below => 1,
        _ => 0,
    };
    fixed(value, decimals)
}

#[cfg(test)]
mod tests {
    use super::*;
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

    /// Every kind of measurement, and the line a person reads for it.
    #[test]
    fn each_measurement_reads_as_one_plain_line() {
        use crate::check::*;
        let reach = |outcome, first_ms, repeat_ms| {
            Measurement::Reach(Reach {
                outcome,
                first_ms,
                repeat_ms,
            })
        };
        let throughput = |samples_mbps: Vec<f64>, failure: Option<&str>| Throughput {
            samples_mbps,
            largest_bytes: 5_000_000,
            failure: failure.map(str::to_owned),
        };
        let cases: Vec<(Measurement, &str)> = vec![
            (
                reach(
                    ReachOutcome::Reached { status: None },
                    Some(120.0),
                    Some(40.0),
                ),
                "reached in 40.0 ms (first request 120 ms, about 80.0 ms of it opening the connection)",
            ),
            (
                reach(ReachOutcome::Reached { status: Some(503) }, Some(5.0), None),
                "reached in 5.0 ms; answered HTTP 503",
            ),
            (
                reach(ReachOutcome::Failed { after_ms: 5.5 }, None, None),
                "FAILED at once, after 5.5 ms (no such host, connection refused, a certificate problem, or blocked in the browser)",
            ),
            (
                reach(ReachOutcome::Failed { after_ms: 2500.0 }, None, None),
                "FAILED after 2500 ms",
            ),
            (
                reach(ReachOutcome::TimedOut { after_ms: 4000.0 }, None, None),
                "NO ANSWER within 4000 ms (timed out)",
            ),
            (
                Measurement::WebSocket(WebSocketEcho {
                    failure: Some("closed with code 1006".into()),
                    round_trips: RoundTrips::from_samples(vec![], 0, 300),
                }),
                "WebSocket could not be used (closed with code 1006)",
            ),
            (
                Measurement::Download(throughput(vec![90.0, 94.5, 93.0], None)),
                "download 94.5 Mbit/s (3 transfers of up to 5.0 MB)",
            ),
            (
                Measurement::Upload(throughput(vec![], Some("ran out of time"))),
                "upload could not be measured (ran out of time)",
            ),
            (
                Measurement::Clock(ClockOffset {
                    offset_ms: -12.0,
                    uncertainty_ms: 0.4,
                }),
                "clock agrees with the server (within 12.0 ms, measured to ±0.40 ms)",
            ),
            (
                Measurement::Clock(ClockOffset {
                    offset_ms: 300_000.0,
                    uncertainty_ms: 1.0,
                }),
                "CLOCK WRONG: 5 minutes ahead of the server (smartcard sign-in and secure sites fail on a wrong clock)",
            ),
            (
                Measurement::Clock(ClockOffset {
                    offset_ms: -7_200_000.0,
                    uncertainty_ms: 1.0,
                }),
                "CLOCK WRONG: 2.0 hours behind the server (smartcard sign-in and secure sites fail on a wrong clock)",
            ),
            (
                Measurement::Interception(Interception {
                    injected_headers: vec![],
                    altered_check_header: None,
                    payload_difference_at: None,
                }),
                "no sign of a proxy or security product changing traffic (headers and payload arrived as sent)",
            ),
            (
                Measurement::Interception(Interception {
                    injected_headers: vec!["via: 1.1 x".into()],
                    altered_check_header: Some("sent \"a\", never arrived".into()),
                    payload_difference_at: Some(7),
                }),
                "INTERCEPTED: headers added on the way: via: 1.1 x; a header was changed on the way (sent \"a\", never arrived); content was altered on the way (from byte 7)",
            ),
            (Measurement::LocalAgent(LocalAgent::Answering), "answering"),
            (
                Measurement::LocalAgent(LocalAgent::NotAnswering),
                "not answering",
            ),
            (
                Measurement::NotTested(NotTested {
                    kind: CheckKind::LocalAgent,
                    reason: "blocked".into(),
                }),
                "could not test local service (blocked)",
            ),
        ];
        for (measurement, expected) in cases {
            assert_eq!(describe(&measurement), expected);
        }
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
    fn fixed_decimals_round_like_people_do() {
        let cases: &[(f64, u32, &str)] = &[
            (0.0, 2, "0.00"),
            (0.125, 2, "0.13"),
            (9.95, 1, "10.0"),
            (1234.5, 0, "1235"),
            (-12.345, 1, "-12.3"),
            (-0.004, 2, "0.00"),
            (0.05, 1, "0.1"),
            (f64::NAN, 1, "?"),
        ];
        for &(value, decimals, expected) in cases {
            assert_eq!(fixed(value, decimals), expected, "{value} to {decimals}");
        }
    }

    #[test]
    fn no_results_is_said_plainly() {
        assert!(render_text(&report(vec![])).contains("Checks:\n- none ran\n"));
    }
}
