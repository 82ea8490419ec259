//! Version 1's wire structs: frozen. A change to the model maps onto these;
//! a change these cannot carry is a new version, and version 1 keeps
//! decoding. Enums travel as small numbers, fixed below by `match`es.

use serde::{Deserialize, Serialize};

use crate::check::*;
use crate::device::{ConnectionInfo, DeviceFacts};
use crate::report::Report;
use crate::segment::Segment;
use crate::verdict::{Confidence, Diagnosis, Finding, Verdict};

/// Times and rates travel as integer hundredths: the precision reports keep.
fn to_h(v: f64) -> i64 {
    (v * 100.0).round() as i64
}
fn from_h(v: i64) -> f64 {
    v as f64 / 100.0
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ReportV1 {
    config_name: String,
    config_version: String,
    started_at_ms: i64,
    utc_offset_minutes: i32,
    results: Vec<ResultV1>,
    device: DeviceV1,
    findings: Vec<FindingV1>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ResultV1 {
    target: String,
    segment: u8,
    measurement: MeasurementV1,
}

#[derive(Debug, Serialize, Deserialize)]
enum MeasurementV1 {
    Reach {
        outcome: u8,
        status: Option<u16>,
        after_h: i64,
        first_h: Option<i64>,
        repeat_h: Option<i64>,
    },
    RoundTrips(SeriesV1),
    WebSocket {
        failure: Option<String>,
        series: SeriesV1,
    },
    Download(ThroughputV1),
    Upload(ThroughputV1),
    Clock {
        offset_h: i64,
        uncertainty_h: i64,
    },
    Interception {
        injected_headers: Vec<String>,
        altered_check_header: Option<String>,
        payload_difference_at: Option<u64>,
    },
    LocalAgent {
        answering: bool,
    },
    NotTested {
        kind: u8,
        reason: String,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct SeriesV1 {
    failed: u32,
    late_ms: u32,
    samples_h: Vec<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ThroughputV1 {
    samples_h: Vec<i64>,
    largest_bytes: u64,
    failure: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct DeviceV1 {
    user_agent: String,
    online: bool,
    connection: Option<(Option<String>, Option<i64>, Option<i64>)>,
    time_zone: String,
    language: String,
    cores: Option<u32>,
    precise_timers: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct FindingV1 {
    diagnosis: u8,
    confidence: u8,
    headline: String,
    resolver: String,
    next_step: String,
    evidence: Vec<String>,
}

// Small numbers for enums, fixed here for version 1 whatever the model
// becomes. Each is a `match`, both ways: a new variant in the model does not
// compile until version 1 says what it is written as (or that it cannot be).

pub(super) fn segment_number(segment: Segment) -> u8 {
    match segment {
        Segment::Device => 0,
        Segment::Lan => 1,
        Segment::Hscn => 2,
        Segment::Internet => 3,
        Segment::Supplier => 4,
        Segment::Identity => 5,
    }
}

pub(super) fn segment_from(n: u8) -> Result<Segment, String> {
    Ok(match n {
        0 => Segment::Device,
        1 => Segment::Lan,
        2 => Segment::Hscn,
        3 => Segment::Internet,
        4 => Segment::Supplier,
        5 => Segment::Identity,
        _ => return Err(format!("unknown segment number {n}")),
    })
}

/// Every kind's number, the same in every version: a kind added later takes
/// the next free number in the version that adds it.
pub(super) fn check_number(kind: CheckKind) -> u8 {
    match kind {
        CheckKind::Reach => 0,
        CheckKind::RoundTrips => 1,
        CheckKind::WebSocket => 2,
        CheckKind::Download => 3,
        CheckKind::Upload => 4,
        CheckKind::Clock => 5,
        CheckKind::Interception => 6,
        CheckKind::LocalAgent => 7,
        CheckKind::Loss => 8,
        CheckKind::Connections => 9,
    }
}

/// The version that first carries a kind's results.
pub(super) fn first_version(kind: CheckKind) -> u32 {
    match kind {
        CheckKind::Reach
        | CheckKind::RoundTrips
        | CheckKind::WebSocket
        | CheckKind::Download
        | CheckKind::Upload
        | CheckKind::Clock
        | CheckKind::Interception
        | CheckKind::LocalAgent => 1,
        CheckKind::Loss => 5,
        CheckKind::Connections => 6,
    }
}

/// `None` for a kind version 1 cannot carry: a later version carries it.
pub(super) fn kind_number(kind: CheckKind) -> Option<u8> {
    (first_version(kind) == 1).then(|| check_number(kind))
}

pub(super) fn kind_from(n: u8) -> Result<CheckKind, String> {
    Ok(match n {
        0 => CheckKind::Reach,
        1 => CheckKind::RoundTrips,
        2 => CheckKind::WebSocket,
        3 => CheckKind::Download,
        4 => CheckKind::Upload,
        5 => CheckKind::Clock,
        6 => CheckKind::Interception,
        7 => CheckKind::LocalAgent,
        _ => return Err(format!("unknown check number {n}")),
    })
}

pub(super) fn diagnosis_number(diagnosis: Diagnosis) -> u8 {
    match diagnosis {
        Diagnosis::At(segment) => segment_number(segment),
        Diagnosis::Security => 6,
        Diagnosis::Degraded => 7,
        Diagnosis::None => 8,
        Diagnosis::Unknown => 9,
    }
}

pub(super) fn diagnosis_from(n: u8) -> Result<Diagnosis, String> {
    Ok(match n {
        0..=5 => Diagnosis::At(segment_from(n)?),
        6 => Diagnosis::Security,
        7 => Diagnosis::Degraded,
        8 => Diagnosis::None,
        9 => Diagnosis::Unknown,
        _ => return Err(format!("unknown diagnosis number {n}")),
    })
}

fn confidence_number(confidence: Confidence) -> u8 {
    match confidence {
        Confidence::Low => 0,
        Confidence::Medium => 1,
        Confidence::High => 2,
    }
}

fn confidence_from(n: u8) -> Result<Confidence, String> {
    Ok(match n {
        0 => Confidence::Low,
        1 => Confidence::Medium,
        2 => Confidence::High,
        _ => return Err(format!("unknown confidence number {n}")),
    })
}

impl From<&Report> for ReportV1 {
    fn from(r: &Report) -> ReportV1 {
        ReportV1 {
            config_name: r.config_name.clone(),
            config_version: r.config_version.clone(),
            started_at_ms: r.started_at_ms.round() as i64,
            utc_offset_minutes: r.utc_offset_minutes,
            results: r.results.iter().filter_map(ResultV1::of).collect(),
            device: DeviceV1 {
                user_agent: r.device.user_agent.clone(),
                online: r.device.online,
                connection: r.device.connection.as_ref().map(|c| {
                    (
                        c.effective_type.clone(),
                        c.downlink_mbps.map(to_h),
                        c.rtt_ms.map(to_h),
                    )
                }),
                time_zone: r.device.time_zone.clone(),
                language: r.device.language.clone(),
                cores: r.device.cores,
                precise_timers: r.device.precise_timers,
            },
            findings: r
                .verdict
                .findings
                .iter()
                .map(|f| FindingV1 {
                    diagnosis: diagnosis_number(f.diagnosis),
                    confidence: confidence_number(f.confidence),
                    headline: f.headline.clone(),
                    resolver: f.resolver.clone(),
                    next_step: f.next_step.clone(),
                    evidence: f.evidence.clone(),
                })
                .collect(),
        }
    }
}

impl TryFrom<ReportV1> for Report {
    type Error = String;

    fn try_from(w: ReportV1) -> Result<Report, String> {
        let c = w.device.connection;
        Ok(Report {
            config_name: w.config_name,
            config_version: w.config_version,
            // Version 4 added the release.
            release: String::new(),
            started_at_ms: w.started_at_ms as f64,
            utc_offset_minutes: w.utc_offset_minutes,
            results: w
                .results
                .into_iter()
                .map(CheckResult::try_from)
                .collect::<Result<_, _>>()?,
            device: DeviceFacts {
                user_agent: w.device.user_agent,
                online: w.device.online,
                connection: c.map(|(effective_type, downlink, rtt)| ConnectionInfo {
                    effective_type,
                    downlink_mbps: downlink.map(from_h),
                    rtt_ms: rtt.map(from_h),
                }),
                time_zone: w.device.time_zone,
                language: w.device.language,
                cores: w.device.cores,
                precise_timers: w.device.precise_timers,
            },
            verdict: Verdict {
                findings: w
                    .findings
                    .into_iter()
                    .map(|f| {
                        Ok(Finding {
                            diagnosis: diagnosis_from(f.diagnosis)?,
                            confidence: confidence_from(f.confidence)?,
                            headline: f.headline,
                            resolver: f.resolver,
                            next_step: f.next_step,
                            evidence: f.evidence,
                        })
                    })
                    .collect::<Result<_, String>>()?,
            },
            site: Default::default(),
            addresses_removed: false,
            watch: None,
        })
    }
}

impl ResultV1 {
    /// `r` as version 1 writes it, or `None` for a result version 1 cannot
    /// carry (a later version carries it, with its place in the list).
    fn of(r: &CheckResult) -> Option<ResultV1> {
        let series = |rt: &RoundTrips| SeriesV1 {
            failed: rt.failed,
            late_ms: rt.late_ms,
            samples_h: rt.samples_ms.iter().copied().map(to_h).collect(),
        };
        let throughput = |t: &Throughput| ThroughputV1 {
            samples_h: t.samples_mbps.iter().copied().map(to_h).collect(),
            largest_bytes: t.largest_bytes,
            failure: t.failure.clone(),
        };
        let measurement = match &r.measurement {
            Measurement::Reach(reach) => {
                let (outcome, status, after) = match reach.outcome {
                    ReachOutcome::Reached { status } => (0, status, 0.0),
                    ReachOutcome::Failed { after_ms } => (1, None, after_ms),
                    ReachOutcome::TimedOut { after_ms } => (2, None, after_ms),
                };
                MeasurementV1::Reach {
                    outcome,
                    status,
                    after_h: to_h(after),
                    first_h: reach.first_ms.map(to_h),
                    repeat_h: reach.repeat_ms.map(to_h),
                }
            }
            Measurement::RoundTrips(rt) => MeasurementV1::RoundTrips(series(rt)),
            Measurement::WebSocket(ws) => MeasurementV1::WebSocket {
                failure: ws.failure.clone(),
                series: series(&ws.round_trips),
            },
            Measurement::Download(t) => MeasurementV1::Download(throughput(t)),
            Measurement::Upload(t) => MeasurementV1::Upload(throughput(t)),
            Measurement::Clock(c) => MeasurementV1::Clock {
                offset_h: to_h(c.offset_ms),
                uncertainty_h: to_h(c.uncertainty_ms),
            },
            Measurement::Interception(i) => MeasurementV1::Interception {
                injected_headers: i.injected_headers.clone(),
                altered_check_header: i.altered_check_header.clone(),
                payload_difference_at: i.payload_difference_at.map(|p| p as u64),
            },
            Measurement::LocalAgent(a) => MeasurementV1::LocalAgent {
                answering: *a == LocalAgent::Answering,
            },
            Measurement::NotTested(n) => MeasurementV1::NotTested {
                kind: kind_number(n.kind)?,
                reason: n.reason.clone(),
            },
            Measurement::Loss(_) | Measurement::Connections(_) => return None,
        };
        Some(ResultV1 {
            target: r.target.clone(),
            segment: segment_number(r.segment),
            measurement,
        })
    }
}

impl TryFrom<ResultV1> for CheckResult {
    type Error = String;

    fn try_from(r: ResultV1) -> Result<CheckResult, String> {
        let series = |s: SeriesV1| {
            RoundTrips::from_samples(
                s.samples_h.into_iter().map(from_h).collect(),
                s.failed,
                s.late_ms,
            )
        };
        let throughput = |t: ThroughputV1| Throughput {
            samples_mbps: t.samples_h.into_iter().map(from_h).collect(),
            largest_bytes: t.largest_bytes,
            failure: t.failure,
            // Version 7 carries it.
            under_load: None,
        };
        let measurement = match r.measurement {
            MeasurementV1::Reach {
                outcome,
                status,
                after_h,
                first_h,
                repeat_h,
            } => Measurement::Reach(Reach {
                outcome: match outcome {
                    0 => ReachOutcome::Reached { status },
                    1 => ReachOutcome::Failed {
                        after_ms: from_h(after_h),
                    },
                    2 => ReachOutcome::TimedOut {
                        after_ms: from_h(after_h),
                    },
                    n => return Err(format!("unknown reach outcome {n}")),
                },
                first_ms: first_h.map(from_h),
                repeat_ms: repeat_h.map(from_h),
            }),
            MeasurementV1::RoundTrips(s) => Measurement::RoundTrips(series(s)),
            MeasurementV1::WebSocket { failure, series: s } => {
                Measurement::WebSocket(WebSocketEcho {
                    failure,
                    round_trips: series(s),
                })
            }
            MeasurementV1::Download(t) => Measurement::Download(throughput(t)),
            MeasurementV1::Upload(t) => Measurement::Upload(throughput(t)),
            MeasurementV1::Clock {
                offset_h,
                uncertainty_h,
            } => Measurement::Clock(ClockOffset {
                offset_ms: from_h(offset_h),
                uncertainty_ms: from_h(uncertainty_h),
            }),
            MeasurementV1::Interception {
                injected_headers,
                altered_check_header,
                payload_difference_at,
            } => Measurement::Interception(Interception {
                injected_headers,
                altered_check_header,
                payload_difference_at: payload_difference_at.map(|p| p as usize),
            }),
            MeasurementV1::LocalAgent { answering } => Measurement::LocalAgent(if answering {
                LocalAgent::Answering
            } else {
                LocalAgent::NotAnswering
            }),
            MeasurementV1::NotTested { kind, reason } => Measurement::NotTested(NotTested {
                kind: kind_from(kind)?,
                reason,
            }),
        };
        Ok(CheckResult {
            target: r.target,
            segment: segment_from(r.segment)?,
            measurement,
        })
    }
}
