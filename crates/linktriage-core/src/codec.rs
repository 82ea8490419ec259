//! The report's wire format: one line of compact code inside the pasted text,
//! which the desk view and `linktriage decode` turn back into the full report.
//! This is the only module that knows the format, and every version ever
//! released keeps decoding (golden codes under `tests/golden/` are decoded by
//! the tests forever).
//!
//! A code reads `LT2.<payload>.<checksum>`:
//! - `LT2` names the version (1: the first release; 2: version 1 followed
//!   by the site details and whether addresses were removed).
//! - The payload is the report as this version's wire structs (below; frozen,
//!   and apart from the model so the model can change), encoded positionally
//!   with postcard (varints, no field names), raw-deflated, then base64url
//!   without padding: characters that survive URLs, tickets, email and chat.
//! - The checksum is the CRC-32 of the payload text in 8 hex digits, checked
//!   before anything is decoded, so a mangled paste is refused, not misread.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::report::Report;

/// What every code starts with, before its version number.
pub const MARK: &str = "LT";
/// The version this build writes.
pub const VERSION: u32 = 2;
/// A payload longer than this is not a report (a typical one is under 1,500).
pub const MAX_PAYLOAD_CHARS: usize = 32 * 1024;
/// Decompressed, a report may not be larger than this (a deflate bomb is refused).
const MAX_INFLATED_BYTES: usize = 256 * 1024;
/// At most this many codes are read from one paste.
pub const MAX_CODES: usize = 1_000;

/// Why a code could not be read. Each says what is wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The code stops before its checksum: cut off when copied.
    Truncated,
    /// The checksum does not match: characters were changed or lost.
    ChecksumMismatch,
    /// Written by a newer (or unknown) version of Link Triage.
    UnknownVersion(String),
    /// The checksum matches but the content is not a report.
    NotAReport(String),
    /// Longer than any report.
    TooLong,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated => f.write_str(
                "the report code is cut off (its end is missing): copy the whole report again",
            ),
            DecodeError::ChecksumMismatch => f.write_str(
                "the report code was changed on the way (its checksum does not match): copy the whole report again",
            ),
            DecodeError::UnknownVersion(v) => write!(
                f,
                "the report code is version {v}, which this version of Link Triage cannot read: update Link Triage"
            ),
            DecodeError::NotAReport(why) => write!(f, "the report code is not a Link Triage report ({why})"),
            DecodeError::TooLong => f.write_str("the report code is far longer than any report: it is not one"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The code for a report.
pub fn encode(report: &Report) -> String {
    finish(&miniz_oxide::deflate::compress_to_vec(
        &wire_bytes(report),
        10,
    ))
}

/// The report as this version's wire bytes, before compression. With
/// [`finish`], for callers that compress with something else: the browser
/// app uses the browser's own raw-deflate compressor, which costs it no code.
pub fn wire_bytes(report: &Report) -> Vec<u8> {
    postcard::to_allocvec(&v2::ReportV2::from(report)).unwrap_or_default()
}

/// `bytes` as a raw deflate stream of stored (uncompressed) blocks: valid
/// for any inflater, for browsers that have no compressor of their own.
pub fn deflate_stored(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 5 * (bytes.len() / 65_535 + 1));
    let mut blocks = bytes.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        return vec![1, 0, 0, 0xff, 0xff];
    }
    while let Some(block) = blocks.next() {
        let last = u8::from(blocks.peek().is_none());
        let len = block.len() as u16;
        out.push(last);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out
}

/// The code for raw-deflated [`wire_bytes`]. Any raw deflate stream decodes.
pub fn finish(compressed: &[u8]) -> String {
    let payload = URL_SAFE_NO_PAD.encode(compressed);
    format!(
        "{MARK}{VERSION}.{payload}.{:08x}",
        crc32(payload.as_bytes())
    )
}

/// Reads one clean code (as `encode` wrote it).
pub fn decode(code: &str) -> Result<Report, DecodeError> {
    let rest = code
        .trim()
        .strip_prefix(MARK)
        .ok_or_else(|| DecodeError::NotAReport("it does not start with LT".into()))?;
    let (version, rest) = rest.split_once('.').ok_or(DecodeError::Truncated)?;
    let read: fn(&[u8]) -> postcard::Result<Report> = match version {
        "1" => |bytes| postcard::from_bytes::<v1::ReportV1>(bytes).map(Report::from),
        "2" => |bytes| postcard::from_bytes::<v2::ReportV2>(bytes).map(Report::from),
        _ if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(DecodeError::UnknownVersion(version.to_owned()));
        }
        _ => return Err(DecodeError::NotAReport("no version number after LT".into())),
    };
    let (payload, checksum) = rest.rsplit_once('.').ok_or(DecodeError::Truncated)?;
    if payload.len() > MAX_PAYLOAD_CHARS {
        return Err(DecodeError::TooLong);
    }
    if checksum.len() < 8 {
        return Err(DecodeError::Truncated);
    }
    if u32::from_str_radix(checksum, 16).ok() != Some(crc32(payload.as_bytes())) {
        return Err(DecodeError::ChecksumMismatch);
    }
    let compressed = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| DecodeError::NotAReport(format!("not base64url: {e}")))?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, MAX_INFLATED_BYTES)
        .map_err(|_| DecodeError::NotAReport("the content does not unpack".into()))?;
    let report = read(&bytes)
        .map_err(|e| DecodeError::NotAReport(format!("the content does not read: {e}")))?;
    // What every report made by Link Triage has, and what showing one
    // relies on: a verdict with at least one finding.
    if report.verdict.findings.is_empty() {
        return Err(DecodeError::NotAReport("it has no verdict".into()));
    }
    Ok(report)
}

/// One code found in pasted text: where it starts (a byte offset into the
/// text) and what it decoded to.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub at: usize,
    /// The code as gathered, with what mail and chat inserted taken out.
    pub code: String,
    pub report: Result<Report, DecodeError>,
}

/// Finds and decodes every code in pasted text: one report or a whole email
/// thread, quoted with `> `, re-wrapped by a mail client, with stray spaces
/// or line breaks inside the codes. Linear in the text's length.
pub fn extract(text: &str) -> Vec<Found> {
    // Codes are ASCII: scanning bytes needs no copy of a large paste.
    let chars = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 3 < chars.len() && found.len() < MAX_CODES {
        if starts_code(chars, i) && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let (code, end) = gather(chars, i);
            let report = decode(&code);
            found.push(Found {
                at: i,
                code,
                report,
            });
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    found
}

/// CRC-32 (IEEE), bit by bit: payloads are at most 32 KB, and a table-driven
/// version would add kilobytes of tables to the browser app.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (!(crc & 1)).wrapping_add(1));
        }
    }
    !crc
}

/// `LT`, one to three digits, a dot: where a code may start. The start is
/// taken whole (a mail client wraps a code at its line width, almost never
/// in its first five characters), so that "LT2 cable" in a message is not
/// read as a damaged report.
fn starts_code(chars: &[u8], i: usize) -> bool {
    if chars.get(i) != Some(&b'L') || chars.get(i + 1) != Some(&b'T') {
        return false;
    }
    let digits = chars[i + 2..]
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    (1..=3).contains(&digits) && chars.get(i + 2 + digits) == Some(&b'.')
}

/// Gathers a code that starts at `start`, skipping what mail and chat insert
/// into long lines (spaces, line breaks, `>` quote marks after a break).
/// Returns the code as written and where it ended.
fn gather(chars: &[u8], start: usize) -> (String, usize) {
    let mut code = String::new();
    let mut dots = 0;
    let mut checksum_digits = 0;
    let mut i = start;
    let mut after_break = false;
    while i < chars.len() && code.len() <= MAX_PAYLOAD_CHARS + 64 {
        let c = chars[i];
        let in_code = c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.';
        // A new code on a new line: this one was cut off before it.
        if after_break && i > start && starts_code(chars, i) {
            break;
        }
        if c == b'\n' || c == b'\r' {
            after_break = true;
        } else if c == b' ' || c == b'\t' || (after_break && c == b'>') {
            // Inside a code these were put there by a mail client or a person.
        } else if in_code && dots < 2 {
            after_break = false;
            if c == b'.' {
                dots += 1;
            }
            code.push(char::from(c));
        } else if dots == 2 && c.is_ascii_hexdigit() && checksum_digits < 8 {
            after_break = false;
            checksum_digits += 1;
            code.push(char::from(c));
            if checksum_digits == 8 {
                return (code, i + 1);
            }
        } else {
            break;
        }
        i += 1;
    }
    (code, i)
}

/// Version 2's wire structs: frozen. Version 1's report, then what version 2
/// added (postcard is positional, so nesting costs nothing on the wire).
mod v2 {
    use serde::{Deserialize, Serialize};

    use super::v1::ReportV1;
    use crate::report::{Report, SiteDetails};

    #[derive(Debug, Serialize, Deserialize)]
    pub struct ReportV2 {
        v1: ReportV1,
        place: String,
        ticket: String,
        note: String,
        addresses_removed: bool,
    }

    impl From<&Report> for ReportV2 {
        fn from(r: &Report) -> ReportV2 {
            ReportV2 {
                v1: ReportV1::from(r),
                place: r.site.place.clone(),
                ticket: r.site.ticket.clone(),
                note: r.site.note.clone(),
                addresses_removed: r.addresses_removed,
            }
        }
    }

    impl From<ReportV2> for Report {
        fn from(w: ReportV2) -> Report {
            Report {
                site: SiteDetails {
                    place: w.place,
                    ticket: w.ticket,
                    note: w.note,
                },
                addresses_removed: w.addresses_removed,
                ..Report::from(w.v1)
            }
        }
    }
}

/// Version 1's wire structs: frozen. A change to the model maps onto these;
/// a change these cannot carry is version 2, and version 1 keeps decoding.
mod v1 {
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

    // Small numbers for enums, fixed here for version 1 whatever the model's order.
    const SEGMENTS: [Segment; 6] = [
        Segment::Device,
        Segment::Lan,
        Segment::Hscn,
        Segment::Internet,
        Segment::Supplier,
        Segment::Identity,
    ];
    const KINDS: [CheckKind; 8] = [
        CheckKind::Reach,
        CheckKind::RoundTrips,
        CheckKind::WebSocket,
        CheckKind::Download,
        CheckKind::Upload,
        CheckKind::Clock,
        CheckKind::Interception,
        CheckKind::LocalAgent,
    ];
    const DIAGNOSES: [Diagnosis; 10] = [
        Diagnosis::Device,
        Diagnosis::Lan,
        Diagnosis::Hscn,
        Diagnosis::Internet,
        Diagnosis::Supplier,
        Diagnosis::Identity,
        Diagnosis::Security,
        Diagnosis::Degraded,
        Diagnosis::None,
        Diagnosis::Unknown,
    ];
    const CONFIDENCES: [Confidence; 3] = [Confidence::Low, Confidence::Medium, Confidence::High];

    fn index<T: PartialEq>(table: &[T], value: &T) -> u8 {
        table.iter().position(|v| v == value).unwrap_or(0) as u8
    }
    /// Out-of-range numbers cannot pass the checksum by accident; one that
    /// does is read as the table's last entry rather than panicking.
    fn pick<T: Copy>(table: &[T], n: u8) -> T {
        table[(n as usize).min(table.len() - 1)]
    }

    impl From<&Report> for ReportV1 {
        fn from(r: &Report) -> ReportV1 {
            ReportV1 {
                config_name: r.config_name.clone(),
                config_version: r.config_version.clone(),
                started_at_ms: r.started_at_ms.round() as i64,
                utc_offset_minutes: r.utc_offset_minutes,
                results: r.results.iter().map(ResultV1::from).collect(),
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
                        diagnosis: index(&DIAGNOSES, &f.diagnosis),
                        confidence: index(&CONFIDENCES, &f.confidence),
                        headline: f.headline.clone(),
                        resolver: f.resolver.clone(),
                        next_step: f.next_step.clone(),
                        evidence: f.evidence.clone(),
                    })
                    .collect(),
            }
        }
    }

    impl From<ReportV1> for Report {
        fn from(w: ReportV1) -> Report {
            let c = w.device.connection;
            Report {
                config_name: w.config_name,
                config_version: w.config_version,
                started_at_ms: w.started_at_ms as f64,
                utc_offset_minutes: w.utc_offset_minutes,
                results: w.results.into_iter().map(CheckResult::from).collect(),
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
                        .map(|f| Finding {
                            diagnosis: pick(&DIAGNOSES, f.diagnosis),
                            confidence: pick(&CONFIDENCES, f.confidence),
                            headline: f.headline,
                            resolver: f.resolver,
                            next_step: f.next_step,
                            evidence: f.evidence,
                        })
                        .collect(),
                },
                site: Default::default(),
                addresses_removed: false,
            }
        }
    }

    impl From<&CheckResult> for ResultV1 {
        fn from(r: &CheckResult) -> ResultV1 {
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
                    kind: index(&KINDS, &n.kind),
                    reason: n.reason.clone(),
                },
            };
            ResultV1 {
                target: r.target.clone(),
                segment: index(&SEGMENTS, &r.segment),
                measurement,
            }
        }
    }

    impl From<ResultV1> for CheckResult {
        fn from(r: ResultV1) -> CheckResult {
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
                        _ => ReachOutcome::TimedOut {
                            after_ms: from_h(after_h),
                        },
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
                    kind: pick(&KINDS, kind),
                    reason,
                }),
            };
            CheckResult {
                target: r.target,
                segment: pick(&SEGMENTS, r.segment),
                measurement,
            }
        }
    }
}
