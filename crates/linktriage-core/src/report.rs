//! The report: everything one run found, and the plain text people paste.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::check::{CheckResult, Measurement, RoundTrips};
use crate::time::{format_offset, format_timestamp};

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
}

/// Renders the report as text that reads well pasted into a ticket, an email
/// or a chat, in any font: short lines, no tables that need alignment.
pub fn render_text(report: &Report) -> String {
    let mut out = String::new();
    let started = report.started_at_ms;
    let offset = report.utc_offset_minutes;
    // Writing to a String cannot fail; the results are ignored with `let _`.
    let _ = writeln!(out, "Link Triage report");
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
    out
}

/// One line, for a person, of what a measurement found.
pub fn describe(measurement: &Measurement) -> String {
    match measurement {
        Measurement::RoundTrips(rt) => describe_round_trips(rt),
    }
}

fn describe_round_trips(rt: &RoundTrips) -> String {
    let answered = rt.attempted - rt.failed;
    let Some(s) = rt.summary else {
        return format!("no answer to any of {} round trips", rt.attempted);
    };
    format!(
        "round trip median {} ms (min {}, p90 {}, p99 {}, jitter {}); {answered} of {} answered, {} slower than {} ms",
        ms(s.median),
        ms(s.min),
        ms(s.p90),
        ms(s.p99),
        ms(s.jitter),
        rt.attempted,
        rt.late,
        rt.late_ms
    )
}

/// Milliseconds with the precision that is meaningful at that size.
pub fn ms(value: f64) -> String {
    if value < 1.0 {
        format!("{value:.2}")
    } else if value < 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::Segment;

    fn report(results: Vec<CheckResult>) -> Report {
        Report {
            config_name: "Test list".into(),
            config_version: "7".into(),
            started_at_ms: 1_795_511_145_000.0,
            utc_offset_minutes: 60,
            results,
        }
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
Checked: 2026-11-24 09:05:45 UTC (10:05:45 local, UTC+01:00)
Configuration: Test list (version 7)

Checks:
- Probe [lan]: round trip median 0.75 ms (min 0.50, p90 400, p99 400, jitter 133); 4 of 5 answered, 1 slower than 300 ms
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
            text.contains("- Probe [internet]: no answer to any of 20 round trips"),
            "{text}"
        );
    }

    #[test]
    fn no_results_is_said_plainly() {
        assert!(render_text(&report(vec![])).contains("Checks:\n- none ran\n"));
    }
}
