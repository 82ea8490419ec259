//! Version 5's wire structs: frozen. Version 4's report (whose list of
//! results leaves out what version 1's structs cannot carry), then those
//! results, each with its place in the list: the loss check's.

use serde::{Deserialize, Serialize};

use super::v1::{check_number, first_version, kind_from, segment_from, segment_number};
use super::v3::{NoWatch, WatchV3};
use super::v4::ReportV4;
use crate::check::{CheckKind, CheckResult, LossCheck, Measurement, NotTested};
use crate::loss::Loss;
use crate::report::Report;
use crate::stats::Summary;

/// `W` as in version 3: [`NoWatch`] writes a report of the checks alone
/// without the watch's encoder.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportV5<W = WatchV3> {
    v4: ReportV4<W>,
    later: Vec<LaterV5>,
}

/// A result version 1 cannot carry, and its place in the report's list.
#[derive(Debug, Serialize, Deserialize)]
struct LaterV5 {
    place: u32,
    target: String,
    segment: u8,
    measurement: MeasurementV5,
}

#[derive(Debug, Serialize, Deserialize)]
enum MeasurementV5 {
    Loss(LossV5),
    UdpBlocked,
    NotTested { kind: u8, reason: String },
}

#[derive(Debug, Serialize, Deserialize)]
struct LossV5 {
    sent: u32,
    reached_server: u32,
    server_counted: bool,
    came_back: u32,
    late: u32,
    late_ms: u32,
    reordered: u32,
    duplicated: u32,
    round_trip: Option<SummaryV5>,
}

/// A summary's figures in integer hundredths, as version 1's times.
#[derive(Debug, Serialize, Deserialize)]
struct SummaryV5 {
    count: u32,
    min_h: i64,
    median_h: i64,
    p90_h: i64,
    p99_h: i64,
    max_h: i64,
    jitter_h: i64,
}

fn to_h(v: f64) -> i64 {
    (v * 100.0).round() as i64
}
fn from_h(v: i64) -> f64 {
    v as f64 / 100.0
}

/// The kind numbered `n` in version 5, which adds the loss check to version 1's.
fn later_kind_from(n: u8) -> Result<CheckKind, String> {
    match n {
        8 => Ok(CheckKind::Loss),
        _ => kind_from(n),
    }
}

impl LaterV5 {
    /// `r` at `place`, or `None` for a result version 1 or a later version
    /// carries. Every
    /// measurement is named, so a new one does not compile until it is
    /// placed in one version or the other.
    fn of(place: usize, r: &CheckResult) -> Option<LaterV5> {
        let measurement = match &r.measurement {
            Measurement::Loss(LossCheck::Measured(loss)) => MeasurementV5::Loss(LossV5 {
                sent: loss.sent,
                reached_server: loss.reached_server,
                server_counted: loss.server_counted,
                came_back: loss.came_back,
                late: loss.late,
                late_ms: loss.late_ms,
                reordered: loss.reordered,
                duplicated: loss.duplicated,
                round_trip: loss.round_trip.map(|s| SummaryV5 {
                    count: s.count as u32,
                    min_h: to_h(s.min),
                    median_h: to_h(s.median),
                    p90_h: to_h(s.p90),
                    p99_h: to_h(s.p99),
                    max_h: to_h(s.max),
                    jitter_h: to_h(s.jitter),
                }),
            }),
            Measurement::Loss(LossCheck::UdpBlocked) => MeasurementV5::UdpBlocked,
            Measurement::NotTested(n) if first_version(n.kind) == 5 => MeasurementV5::NotTested {
                kind: check_number(n.kind),
                reason: n.reason.clone(),
            },
            Measurement::NotTested(_)
            | Measurement::Reach(_)
            | Measurement::RoundTrips(_)
            | Measurement::WebSocket(_)
            | Measurement::Download(_)
            | Measurement::Upload(_)
            | Measurement::Clock(_)
            | Measurement::Interception(_)
            | Measurement::LocalAgent(_)
            | Measurement::Connections(_) => return None,
        };
        Some(LaterV5 {
            place: place as u32,
            target: r.target.clone(),
            segment: segment_number(r.segment),
            measurement,
        })
    }
}

/// The results only version 5 carries, each placed in the list of those
/// versions 1 to 5 carry: a later version places its own in the whole list.
fn later_of(r: &Report) -> Vec<LaterV5> {
    r.results
        .iter()
        .filter(|result| first_version(result.measurement.kind()) <= 5)
        .enumerate()
        .filter_map(|(place, result)| LaterV5::of(place, result))
        .collect()
}

impl ReportV5<NoWatch> {
    pub fn checks(r: &Report) -> ReportV5<NoWatch> {
        ReportV5 {
            v4: ReportV4::checks(r),
            later: later_of(r),
        }
    }
}

impl From<&Report> for ReportV5 {
    fn from(r: &Report) -> ReportV5 {
        ReportV5 {
            v4: ReportV4::from(r),
            later: later_of(r),
        }
    }
}

impl TryFrom<LaterV5> for CheckResult {
    type Error = String;

    fn try_from(w: LaterV5) -> Result<CheckResult, String> {
        let measurement = match w.measurement {
            MeasurementV5::Loss(l) => {
                if l.reached_server > l.sent || l.came_back > l.reached_server {
                    return Err("a loss check counts more than was sent".into());
                }
                Measurement::Loss(LossCheck::Measured(Loss {
                    sent: l.sent,
                    reached_server: l.reached_server,
                    server_counted: l.server_counted,
                    came_back: l.came_back,
                    late: l.late,
                    late_ms: l.late_ms,
                    reordered: l.reordered,
                    duplicated: l.duplicated,
                    round_trip: l.round_trip.map(|s| Summary {
                        count: s.count as usize,
                        min: from_h(s.min_h),
                        median: from_h(s.median_h),
                        p90: from_h(s.p90_h),
                        p99: from_h(s.p99_h),
                        max: from_h(s.max_h),
                        jitter: from_h(s.jitter_h),
                    }),
                }))
            }
            MeasurementV5::UdpBlocked => Measurement::Loss(LossCheck::UdpBlocked),
            MeasurementV5::NotTested { kind, reason } => Measurement::NotTested(NotTested {
                kind: later_kind_from(kind)?,
                reason,
            }),
        };
        Ok(CheckResult {
            target: w.target,
            segment: segment_from(w.segment)?,
            measurement,
        })
    }
}

impl TryFrom<ReportV5> for Report {
    type Error = String;

    fn try_from(w: ReportV5) -> Result<Report, String> {
        let mut report = Report::try_from(w.v4)?;
        let later = w
            .later
            .into_iter()
            .map(|l| (l.place, CheckResult::try_from(l)));
        put_in_place(&mut report.results, later)?;
        Ok(report)
    }
}

/// Puts each of a later version's results at its place in the list, in the
/// order they were written (each place after the last): every result
/// before it is in place by then.
pub(super) fn put_in_place(
    results: &mut Vec<CheckResult>,
    later: impl IntoIterator<Item = (u32, Result<CheckResult, String>)>,
) -> Result<(), String> {
    let mut last = None;
    for (place, result) in later {
        if last.is_some_and(|last| place <= last) {
            return Err("its results are out of order".into());
        }
        last = Some(place);
        let place = (place as usize).min(results.len());
        results.insert(place, result?);
    }
    Ok(())
}
