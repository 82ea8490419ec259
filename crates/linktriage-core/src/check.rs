//! What the checks found: the results model that the verdict and the report read.
//!
//! The app measures, the core records. Every result says which target it was
//! about and which segment that target stands for, so that the verdict can
//! reason about segments without going back to the configuration.

use serde::{Deserialize, Serialize};

use crate::connections::Connections;
use crate::loss::Loss;
use crate::redact::Texts;
use crate::segment::Segment;
use crate::stats::{Summary, summarize};

/// One check of one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub target: String,
    pub segment: Segment,
    #[serde(flatten)]
    pub measurement: Measurement,
}

impl CheckResult {
    /// The result with every figure at the precision reports keep.
    pub fn quantized(self) -> CheckResult {
        CheckResult {
            measurement: self.measurement.quantized(),
            ..self
        }
    }
}

impl Texts for CheckResult {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        let CheckResult {
            target,
            segment: _,
            measurement,
        } = self;
        target.each_text(f);
        measurement.each_text(f);
    }
}

/// The kinds of measurement, each with the figures it yields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum Measurement {
    /// Whether any HTTPS host answers, and how fast.
    Reach(Reach),
    /// HTTP round trips to a Link Triage server.
    RoundTrips(RoundTrips),
    /// Round trips over a WebSocket to a Link Triage server.
    WebSocket(WebSocketEcho),
    Download(Throughput),
    Upload(Throughput),
    /// The browser's clock against the server's.
    Clock(ClockOffset),
    /// Signs of a proxy or security product between browser and server.
    Interception(Interception),
    /// A service on this computer (NHS Credential Management).
    LocalAgent(LocalAgent),
    /// True packet loss over UDP, each way, to a Link Triage server.
    Loss(LossCheck),
    /// Connections to a host cut while in use, which the browser hides by
    /// sending the request again on a new one.
    Connections(Connections),
    /// The check could not be made at all; not a pass and not a failure.
    NotTested(NotTested),
}

impl Texts for Measurement {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        match self {
            Measurement::WebSocket(WebSocketEcho {
                failure,
                round_trips: _,
            }) => failure.each_text(f),
            Measurement::Download(Throughput {
                failure,
                samples_mbps: _,
                largest_bytes: _,
                under_load: _,
            })
            | Measurement::Upload(Throughput {
                failure,
                samples_mbps: _,
                largest_bytes: _,
                under_load: _,
            }) => failure.each_text(f),
            Measurement::Interception(Interception {
                injected_headers,
                altered_check_header,
                payload_difference_at: _,
            }) => {
                injected_headers.each_text(f);
                altered_check_header.each_text(f);
            }
            Measurement::NotTested(NotTested { kind: _, reason }) => reason.each_text(f),
            // Figures only.
            Measurement::Reach(Reach {
                outcome: _,
                first_ms: _,
                repeat_ms: _,
            })
            | Measurement::RoundTrips(_)
            | Measurement::Clock(ClockOffset {
                offset_ms: _,
                uncertainty_ms: _,
            })
            | Measurement::LocalAgent(_)
            | Measurement::Loss(_)
            | Measurement::Connections(_) => {}
        }
    }
}

impl Measurement {
    /// The kind of check that made it.
    pub fn kind(&self) -> CheckKind {
        match self {
            Measurement::Reach(_) => CheckKind::Reach,
            Measurement::RoundTrips(_) => CheckKind::RoundTrips,
            Measurement::WebSocket(_) => CheckKind::WebSocket,
            Measurement::Download(_) => CheckKind::Download,
            Measurement::Upload(_) => CheckKind::Upload,
            Measurement::Clock(_) => CheckKind::Clock,
            Measurement::Interception(_) => CheckKind::Interception,
            Measurement::LocalAgent(_) => CheckKind::LocalAgent,
            Measurement::Loss(_) => CheckKind::Loss,
            Measurement::Connections(_) => CheckKind::Connections,
            Measurement::NotTested(n) => n.kind,
        }
    }

    /// A check of `kind` that could not be made, for `reason`.
    pub fn not_tested(kind: CheckKind, reason: impl Into<String>) -> Measurement {
        Measurement::NotTested(NotTested {
            kind,
            reason: reason.into(),
        })
    }
}

/// Why a check was not made when its phase's deadline left no time for it.
pub const RAN_OUT_OF_TIME: &str = "ran out of time";

/// Why the loss check was not made when the browser had no pair of
/// addresses to send UDP between (Firefox, with the Link Triage server on
/// its own computer, gathers none on loopback): nothing was sent, so
/// nothing can be said to be blocked.
pub const NO_UDP_PATH: &str = "the browser found no pair of network addresses to send UDP between this computer and the Link Triage server, so none was sent";

/// A check that could not be made, and why (blocked by the browser, a
/// policy, an extension, an unsupported API, mixed content).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotTested {
    /// Which check (the field is not `check`: that is the measurement's tag).
    pub kind: CheckKind,
    pub reason: String,
}

/// The checks by name, for "could not test" and for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    Reach,
    RoundTrips,
    WebSocket,
    Download,
    Upload,
    Clock,
    Interception,
    LocalAgent,
    Loss,
    Connections,
}

impl CheckKind {
    /// Every kind, in the order the model declares them.
    pub const ALL: [CheckKind; 10] = [
        CheckKind::Reach,
        CheckKind::RoundTrips,
        CheckKind::WebSocket,
        CheckKind::Download,
        CheckKind::Upload,
        CheckKind::Clock,
        CheckKind::Interception,
        CheckKind::LocalAgent,
        CheckKind::Loss,
        CheckKind::Connections,
    ];

    /// The stable id used in configuration files and reports.
    pub fn id(self) -> &'static str {
        match self {
            CheckKind::Reach => "reach",
            CheckKind::RoundTrips => "round_trips",
            CheckKind::WebSocket => "web_socket",
            CheckKind::Download => "download",
            CheckKind::Upload => "upload",
            CheckKind::Clock => "clock",
            CheckKind::Interception => "interception",
            CheckKind::LocalAgent => "local_agent",
            CheckKind::Loss => "loss",
            CheckKind::Connections => "connections",
        }
    }

    /// A short name a person understands.
    pub fn plain_name(self) -> &'static str {
        match self {
            CheckKind::Reach => "reachability",
            CheckKind::RoundTrips => "round trips",
            CheckKind::WebSocket => "WebSocket",
            CheckKind::Download => "download speed",
            CheckKind::Upload => "upload speed",
            CheckKind::Clock => "clock",
            CheckKind::Interception => "proxy and interception",
            CheckKind::LocalAgent => "local service",
            CheckKind::Loss => "packet loss",
            CheckKind::Connections => "cut connections",
        }
    }
}

/// Whether a host answered at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reach {
    pub outcome: ReachOutcome,
    /// The first request, connection set-up (DNS, TCP, TLS) included.
    pub first_ms: Option<f64>,
    /// A second request over the connection the first one opened.
    pub repeat_ms: Option<f64>,
}

impl Reach {
    /// What opening the connection cost: the first request less the repeat.
    pub fn connection_ms(&self) -> Option<f64> {
        Some((self.first_ms? - self.repeat_ms?).max(0.0))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ReachOutcome {
    /// The host answered. `status` is known only when it allows CORS; an
    /// opaque answer says only that something answered.
    Reached { status: Option<u16> },
    /// The browser gave up: DNS, refused, reset, TLS, or blocked. A failure
    /// within a few milliseconds means nothing was there to wait for.
    Failed { after_ms: f64 },
    /// Nothing came back before the deadline.
    TimedOut { after_ms: f64 },
}

/// Rounds to hundredths: the precision every figure is kept at (10 µs for
/// times; browsers' timers give 5 µs at best), so that a report carried in a
/// compact code reads exactly as it did on the clinician's screen.
pub fn hundredths(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

impl Measurement {
    /// The measurement with every figure at the precision reports keep.
    pub fn quantized(self) -> Measurement {
        let q = |v: Option<f64>| v.map(hundredths);
        match self {
            Measurement::Reach(r) => Measurement::Reach(Reach {
                outcome: match r.outcome {
                    ReachOutcome::Failed { after_ms } => ReachOutcome::Failed {
                        after_ms: hundredths(after_ms),
                    },
                    ReachOutcome::TimedOut { after_ms } => ReachOutcome::TimedOut {
                        after_ms: hundredths(after_ms),
                    },
                    reached => reached,
                },
                first_ms: q(r.first_ms),
                repeat_ms: q(r.repeat_ms),
            }),
            Measurement::RoundTrips(rt) => Measurement::RoundTrips(rt.quantized()),
            Measurement::WebSocket(ws) => Measurement::WebSocket(WebSocketEcho {
                failure: ws.failure,
                round_trips: ws.round_trips.quantized(),
            }),
            Measurement::Download(t) => Measurement::Download(t.quantized()),
            Measurement::Upload(t) => Measurement::Upload(t.quantized()),
            Measurement::Loss(LossCheck::Measured(loss)) => {
                Measurement::Loss(LossCheck::Measured(Loss {
                    round_trip: loss.round_trip.map(summary_in_hundredths),
                    ..loss
                }))
            }
            Measurement::Clock(c) => Measurement::Clock(ClockOffset {
                offset_ms: hundredths(c.offset_ms),
                uncertainty_ms: hundredths(c.uncertainty_ms),
            }),
            other => other,
        }
    }
}

/// A summary kept as is (the loss check keeps no samples), each figure at
/// the precision reports keep.
fn summary_in_hundredths(s: Summary) -> Summary {
    Summary {
        count: s.count,
        min: hundredths(s.min),
        median: hundredths(s.median),
        p90: hundredths(s.p90),
        p99: hundredths(s.p99),
        max: hundredths(s.max),
        jitter: hundredths(s.jitter),
    }
}

impl RoundTrips {
    fn quantized(self) -> RoundTrips {
        let samples = self.samples_ms.iter().copied().map(hundredths).collect();
        RoundTrips::from_samples(samples, self.failed, self.late_ms)
    }
}

impl Throughput {
    fn quantized(self) -> Throughput {
        Throughput {
            samples_mbps: self.samples_mbps.into_iter().map(hundredths).collect(),
            under_load: self.under_load.map(|u| UnderLoad {
                idle_ms: hundredths(u.idle_ms),
                loaded_ms: u.loaded_ms.into_iter().map(hundredths).collect(),
            }),
            ..self
        }
    }
}

/// Failures faster than this are "refused at once" rather than "gave up".
pub const FAST_FAILURE_MS: f64 = 1_000.0;

/// Round trips over a WebSocket echo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebSocketEcho {
    /// Why the socket could not be used, if it could not.
    pub failure: Option<String>,
    pub round_trips: RoundTrips,
}

/// Transfer speed in one direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Throughput {
    /// Megabits per second of each full-size transfer.
    pub samples_mbps: Vec<f64>,
    /// Bytes in the largest transfer.
    pub largest_bytes: u64,
    pub failure: Option<String>,
    /// Round trips while the transfers ran, against idle: absent where they
    /// were not measured (reports before code version 7, a failed transfer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub under_load: Option<UnderLoad>,
}

impl Throughput {
    /// The figure to quote: a high percentile of the full-size transfers,
    /// because slow starts and pauses only ever pull a transfer down.
    pub fn mbps(&self) -> Option<f64> {
        summarize(&self.samples_mbps).map(|s| s.p90)
    }
}

/// Round trips to the same server just before a direction's transfers and
/// while they ran. A queue on the path that fills under load (bufferbloat)
/// makes every request wait behind the transfer: while anyone at the
/// practice downloads or uploads, the clinical system's every click is
/// that much slower, though nothing is lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnderLoad {
    /// The median round trip just before the transfers, with nothing else
    /// of the page's on the line.
    pub idle_ms: f64,
    /// Each round trip that ran while a timed transfer did.
    pub loaded_ms: Vec<f64>,
}

/// Round trips under load fewer than this grade nothing: one slow answer
/// is not a queue.
pub const MIN_LOADED_ROUND_TRIPS: usize = 3;

/// How much a path's round trip grows under load, graded as the common
/// bufferbloat tests grade it (Waveform's bands of the increase in ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BufferbloatGrade {
    APlus,
    A,
    B,
    C,
    D,
    F,
}

impl BufferbloatGrade {
    /// The grade of an increase in round trip, in milliseconds.
    pub fn of_increase(increase_ms: f64) -> BufferbloatGrade {
        match increase_ms {
            i if i < 5.0 => BufferbloatGrade::APlus,
            i if i < 30.0 => BufferbloatGrade::A,
            i if i < 60.0 => BufferbloatGrade::B,
            i if i < 200.0 => BufferbloatGrade::C,
            i if i < 400.0 => BufferbloatGrade::D,
            _ => BufferbloatGrade::F,
        }
    }

    pub fn letter(self) -> &'static str {
        match self {
            BufferbloatGrade::APlus => "A+",
            BufferbloatGrade::A => "A",
            BufferbloatGrade::B => "B",
            BufferbloatGrade::C => "C",
            BufferbloatGrade::D => "D",
            BufferbloatGrade::F => "F",
        }
    }
}

impl UnderLoad {
    /// The median round trip under load, if there were enough of them.
    pub fn loaded_median_ms(&self) -> Option<f64> {
        summarize(&self.loaded_ms)
            .filter(|s| s.count >= MIN_LOADED_ROUND_TRIPS)
            .map(|s| s.median)
    }

    /// How much longer a round trip took under load than idle (never
    /// below zero: a faster answer under load is no queue).
    pub fn increase_ms(&self) -> Option<f64> {
        self.loaded_median_ms()
            .map(|loaded| (loaded - self.idle_ms).max(0.0))
    }

    pub fn grade(&self) -> Option<BufferbloatGrade> {
        self.increase_ms().map(BufferbloatGrade::of_increase)
    }
}

/// The browser's clock against the server's: positive when the browser is ahead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClockOffset {
    pub offset_ms: f64,
    /// Half the round trip of the best exchange: the offset is this exact or better.
    pub uncertainty_ms: f64,
}

/// What came back different from what was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interception {
    /// Request headers that reached the server although no browser sends
    /// them (`via`, `x-forwarded-for`, …), as `name: value`.
    pub injected_headers: Vec<String>,
    /// The check header the app sent, if it arrived changed or not at all.
    pub altered_check_header: Option<String>,
    /// Where the payload first differed from the reference; `None` when intact.
    pub payload_difference_at: Option<usize>,
}

impl Interception {
    pub fn is_clean(&self) -> bool {
        self.injected_headers.is_empty()
            && self.altered_check_header.is_none()
            && self.payload_difference_at.is_none()
    }
}

/// What a loss check could tell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LossCheck {
    /// Messages went both ways: the counts behind each figure.
    Measured(Loss),
    /// The server answered the offer and the browser tried UDP, but none got
    /// through either way (a firewall): a finding of its own, never "100 %
    /// loss", and no sign that a link is down. A browser that had no pair
    /// of addresses to try did not test ([`NO_UDP_PATH`]).
    UdpBlocked,
}

/// A service listening on this computer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LocalAgent {
    Answering,
    NotAnswering,
}

/// A series of timed HTTP round trips.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundTrips {
    /// Round trips tried after the warm-up.
    pub attempted: u32,
    /// Those that got no answer in time (or no answer at all).
    pub failed: u32,
    /// Those answered, but slower than `late_ms`.
    pub late: u32,
    pub late_ms: u32,
    /// Network time of each answered round trip in milliseconds, in order.
    pub samples_ms: Vec<f64>,
    pub summary: Option<Summary>,
}

impl RoundTrips {
    /// Records a series from the answered samples and the count that failed.
    pub fn from_samples(samples_ms: Vec<f64>, failed: u32, late_ms: u32) -> RoundTrips {
        let late = samples_ms
            .iter()
            .filter(|&&s| s > f64::from(late_ms))
            .count() as u32;
        RoundTrips {
            attempted: samples_ms.len() as u32 + failed,
            failed,
            late,
            late_ms,
            summary: summarize(&samples_ms),
            samples_ms,
        }
    }

    /// Late or failed round trips as a share of those tried (0 to 1).
    pub fn late_or_failed_share(&self) -> f64 {
        if self.attempted == 0 {
            return 0.0;
        }
        f64::from(self.late + self.failed) / f64::from(self.attempted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_and_failed_round_trips_are_counted_against_the_threshold() {
        let rt = RoundTrips::from_samples(vec![10.0, 350.0, 20.0, 300.0], 1, 300);
        assert_eq!((rt.attempted, rt.failed, rt.late), (5, 1, 1));
        assert!((rt.late_or_failed_share() - 0.4).abs() < 1e-9);
        assert_eq!(rt.summary.unwrap().median, 20.0);
    }

    #[test]
    fn nothing_attempted_is_no_share_at_all() {
        let rt = RoundTrips::from_samples(vec![], 0, 300);
        assert_eq!(rt.late_or_failed_share(), 0.0);
        assert_eq!(rt.summary, None);
    }
}
