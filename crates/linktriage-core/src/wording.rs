//! Figures and measurements in words: the number formatting and the one
//! line per measurement that the report, the verdict's evidence and the
//! desk's table all read. Nothing here knows a report or a verdict.

use std::fmt::Write;

use crate::check::{
    ClockOffset, FAST_FAILURE_MS, Interception, LocalAgent, LossCheck, Measurement, Reach,
    ReachOutcome, RoundTrips, Throughput, UnderLoad,
};
use crate::connections::{Connections, SeenBy};
use crate::device::DeviceFacts;
use crate::loss::Loss;

/// One line, for a person, of what a measurement found.
pub fn describe(measurement: &Measurement) -> String {
    match measurement {
        Measurement::Reach(reach) => describe_reach(reach),
        Measurement::RoundTrips(rt) => format!("HTTP {}", describe_round_trips(rt)),
        Measurement::WebSocket(ws) => match &ws.failure {
            Some(why) => format!("WebSocket could not be used ({why})"),
            None => format!("WebSocket {}", describe_round_trips(&ws.round_trips)),
        },
        Measurement::Download(t) => format!("download {}", describe_throughput(t, "download")),
        Measurement::Upload(t) => format!("upload {}", describe_throughput(t, "upload")),
        Measurement::Clock(clock) => describe_clock(clock),
        Measurement::Interception(i) => describe_interception(i),
        Measurement::LocalAgent(LocalAgent::Answering) => "answering".to_owned(),
        Measurement::LocalAgent(LocalAgent::NotAnswering) => "not answering".to_owned(),
        Measurement::Loss(LossCheck::Measured(loss)) => describe_loss(loss),
        Measurement::Loss(LossCheck::UdpBlocked) => UDP_BLOCKED.to_owned(),
        Measurement::Connections(c) => describe_connections(c),
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

/// What a loss check says when no UDP got through.
pub const UDP_BLOCKED: &str =
    "UDP to the Link Triage server is blocked, so packet loss could not be measured";

fn describe_loss(loss: &Loss) -> String {
    let mut line = format!(
        "packet loss over UDP {} % out ({} of {} lost), {} % back ({} of {} lost)",
        fixed(loss.out_share() * 100.0, 1),
        loss.lost_out(),
        loss.sent,
        fixed(loss.back_share() * 100.0, 1),
        loss.lost_back(),
        loss.reached_server,
    );
    if !loss.server_counted {
        line.push_str(
            " (the server's own count did not come back, so some loss back may have been loss out)",
        );
    }
    if let Some(s) = loss.round_trip {
        let _ = write!(
            line,
            "; round trip over UDP median {} ms (p90 {}, jitter {})",
            ms(s.median),
            ms(s.p90),
            ms(s.jitter)
        );
    }
    let _ = write!(
        line,
        "; {} later than {} ms (not lost), {} out of order, {} duplicated",
        loss.late, loss.late_ms, loss.reordered, loss.duplicated
    );
    line
}

fn describe_connections(c: &Connections) -> String {
    let plural = |n: u32, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let how = match c.seen_by {
        SeenBy::ServerNumbers => ", by the server's connection numbers",
        SeenBy::BrowserTiming => ", by the browser's timing",
        SeenBy::Durations => ", estimated from how long each took",
    };
    let unanswered = c.unanswered();
    if c.cut == 0 && unanswered == 0 {
        return format!(
            "connections: none cut ({} requests on {} {}{how})",
            c.requests,
            c.connections,
            plural(c.connections, "connection", "connections")
        );
    }
    let mut line = "connections: ".to_owned();
    if c.cut > 0 {
        let _ = write!(
            line,
            "{} of {} CUT while in use; the browser quietly opened new ones and sent the requests again",
            c.cut, c.connections
        );
    }
    if unanswered > 0 {
        if c.cut > 0 {
            line.push_str("; ");
        }
        let _ = write!(
            line,
            "{unanswered} of {} requests CUT OFF with no answer",
            c.requests
        );
    }
    // Unanswered requests are counted, not estimated, and say how many were
    // sent: how new connections were told apart matters only where some were.
    if c.cut > 0 {
        let _ = write!(line, " ({} requests{how})", c.requests);
    }
    line
}

fn describe_throughput(t: &Throughput, transfer: &str) -> String {
    match (&t.failure, t.mbps()) {
        (Some(why), _) => format!("could not be measured ({why})"),
        (None, Some(mbps)) => {
            let mut line = format!(
                "{} Mbit/s ({} transfers of up to {})",
                mbit(mbps),
                t.samples_mbps.len(),
                bytes(t.largest_bytes)
            );
            if let Some(under_load) = &t.under_load {
                let _ = write!(line, "; {}", describe_under_load(under_load, transfer));
            }
            line
        }
        (None, None) => "could not be measured (no transfer completed)".to_owned(),
    }
}

/// The round trip during a `transfer` ("download", "upload") against
/// idle, with its grade: "round trip 12 ms idle, 250 ms during the download
/// (bufferbloat grade D, 9 round trips)".
pub fn describe_under_load(u: &UnderLoad, transfer: &str) -> String {
    match (u.loaded_median_ms(), u.grade()) {
        (Some(loaded), Some(grade)) => format!(
            "round trip {} ms idle, {} ms during the {transfer} (bufferbloat grade {}, {} round trips)",
            ms(u.idle_ms),
            ms(loaded),
            grade.letter(),
            u.loaded_ms.len()
        ),
        _ => format!(
            "round trip {} ms idle; too few round trips during the {transfer} to grade ({})",
            ms(u.idle_ms),
            u.loaded_ms.len()
        ),
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

pub fn describe_device(device: &DeviceFacts) -> String {
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

/// A span of time as people say it: `45 s`, `26 min`, `2 h 10 min`.
pub fn span_length(ms: f64) -> String {
    let seconds = (ms.max(0.0) / 1000.0).round() as u64;
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3_600 => format!("{} min", s.div_ceil(60).clamp(1, 59)),
        s => {
            let minutes = s.div_ceil(60);
            match (minutes / 60, minutes % 60) {
                (h, 0) => format!("{h} h"),
                (h, m) => format!("{h} h {m} min"),
            }
        }
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
            under_load: None,
        };
        let under_load = |idle_ms, loaded_ms: &[f64]| {
            Measurement::Download(Throughput {
                under_load: Some(UnderLoad {
                    idle_ms,
                    loaded_ms: loaded_ms.to_vec(),
                }),
                ..throughput(vec![40.0; 3], None)
            })
        };
        let connections = |requests, answered, connections, cut, seen_by| {
            Measurement::Connections(Connections {
                requests,
                answered,
                connections,
                cut,
                seen_by,
            })
        };
        let cases: Vec<(Measurement, &str)> = vec![
            (
                connections(24, 24, 1, 0, SeenBy::ServerNumbers),
                "connections: none cut (24 requests on 1 connection, by the server's connection numbers)",
            ),
            (
                connections(24, 22, 5, 4, SeenBy::BrowserTiming),
                "connections: 4 of 5 CUT while in use; the browser quietly opened new ones and sent the requests again; 2 of 24 requests CUT OFF with no answer (24 requests, by the browser's timing)",
            ),
            (
                connections(24, 21, 1, 0, SeenBy::Durations),
                "connections: 3 of 24 requests CUT OFF with no answer",
            ),
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
                under_load(12.0, &[250.0, 260.0, 240.0, 300.0]),
                "download 40.0 Mbit/s (3 transfers of up to 5.0 MB); round trip 12.0 ms idle, 250 ms during the download (bufferbloat grade D, 4 round trips)",
            ),
            (
                under_load(12.0, &[14.0, 13.0, 15.0]),
                "download 40.0 Mbit/s (3 transfers of up to 5.0 MB); round trip 12.0 ms idle, 14.0 ms during the download (bufferbloat grade A+, 3 round trips)",
            ),
            (
                under_load(12.0, &[900.0, 950.0]),
                "download 40.0 Mbit/s (3 transfers of up to 5.0 MB); round trip 12.0 ms idle; too few round trips during the download to grade (2)",
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
    fn spans_of_time_read_as_people_say_them() {
        let cases = [
            (0.0, "0 s"),
            (45_000.0, "45 s"),
            (59_400.0, "59 s"),
            (60_000.0, "1 min"),
            (26.0 * 60_000.0, "26 min"),
            (26.0 * 60_000.0 + 1_000.0, "27 min"),
            (3_600_000.0, "1 h"),
            (7_800_000.0, "2 h 10 min"),
            (-5.0, "0 s"),
        ];
        for (ms, expected) in cases {
            assert_eq!(span_length(ms), expected, "{ms}");
        }
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
}
