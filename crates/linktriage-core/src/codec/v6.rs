//! Version 6's wire structs: frozen. Version 5's report (whose lists leave
//! out what only version 6 carries), then those results, each with its
//! place in the whole list: the count of connections cut.

use serde::{Deserialize, Serialize};

use super::v1::{check_number, first_version, kind_from, segment_from, segment_number};
use super::v3::{NoWatch, WatchV3};
use super::v5::{ReportV5, put_in_place};
use crate::check::{CheckKind, CheckResult, Measurement, NotTested};
use crate::connections::{Connections, SeenBy};
use crate::report::Report;

/// `W` as in version 3: [`NoWatch`] writes a report of the checks alone
/// without the watch's encoder.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportV6<W = WatchV3> {
    v5: ReportV5<W>,
    later: Vec<LaterV6>,
}

/// A result only version 6 carries, and its place in the report's list.
#[derive(Debug, Serialize, Deserialize)]
struct LaterV6 {
    place: u32,
    target: String,
    segment: u8,
    measurement: MeasurementV6,
}

#[derive(Debug, Serialize, Deserialize)]
enum MeasurementV6 {
    Connections(ConnectionsV6),
    NotTested { kind: u8, reason: String },
}

#[derive(Debug, Serialize, Deserialize)]
struct ConnectionsV6 {
    requests: u32,
    answered: u32,
    connections: u32,
    cut: u32,
    /// 0: the server's numbers, 1: the browser's timing, 2: durations.
    seen_by: u8,
}

/// The kind numbered `n` in version 6, which adds the count of connections
/// cut to version 5's kinds.
fn later_kind_from(n: u8) -> Result<CheckKind, String> {
    match n {
        8 => Ok(CheckKind::Loss),
        9 => Ok(CheckKind::Connections),
        _ => kind_from(n),
    }
}

impl LaterV6 {
    /// `r` at `place`, or `None` for a result an earlier version carries.
    /// Every measurement is named, so a new one does not compile until it
    /// is placed in one version or another.
    fn of(place: usize, r: &CheckResult) -> Option<LaterV6> {
        let measurement = match &r.measurement {
            Measurement::Connections(c) => MeasurementV6::Connections(ConnectionsV6 {
                requests: c.requests,
                answered: c.answered,
                connections: c.connections,
                cut: c.cut,
                seen_by: match c.seen_by {
                    SeenBy::ServerNumbers => 0,
                    SeenBy::BrowserTiming => 1,
                    SeenBy::Durations => 2,
                },
            }),
            Measurement::NotTested(n) if first_version(n.kind) == 6 => MeasurementV6::NotTested {
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
            | Measurement::Loss(_) => return None,
        };
        Some(LaterV6 {
            place: place as u32,
            target: r.target.clone(),
            segment: segment_number(r.segment),
            measurement,
        })
    }
}

fn later_of(r: &Report) -> Vec<LaterV6> {
    r.results
        .iter()
        .enumerate()
        .filter_map(|(place, result)| LaterV6::of(place, result))
        .collect()
}

impl ReportV6<NoWatch> {
    pub fn checks(r: &Report) -> ReportV6<NoWatch> {
        ReportV6 {
            v5: ReportV5::checks(r),
            later: later_of(r),
        }
    }
}

impl From<&Report> for ReportV6 {
    fn from(r: &Report) -> ReportV6 {
        ReportV6 {
            v5: ReportV5::from(r),
            later: later_of(r),
        }
    }
}

impl TryFrom<LaterV6> for CheckResult {
    type Error = String;

    fn try_from(w: LaterV6) -> Result<CheckResult, String> {
        let measurement = match w.measurement {
            MeasurementV6::Connections(c) => {
                if c.answered > c.requests || c.connections > c.answered || c.cut > c.connections {
                    return Err("a count of connections counts more than was sent".into());
                }
                Measurement::Connections(Connections {
                    requests: c.requests,
                    answered: c.answered,
                    connections: c.connections,
                    cut: c.cut,
                    seen_by: match c.seen_by {
                        0 => SeenBy::ServerNumbers,
                        1 => SeenBy::BrowserTiming,
                        2 => SeenBy::Durations,
                        n => return Err(format!("unknown way of telling connections apart {n}")),
                    },
                })
            }
            MeasurementV6::NotTested { kind, reason } => Measurement::NotTested(NotTested {
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

impl TryFrom<ReportV6> for Report {
    type Error = String;

    fn try_from(w: ReportV6) -> Result<Report, String> {
        let mut report = Report::try_from(w.v5)?;
        // Each at its place in the whole list.
        let later = w
            .later
            .into_iter()
            .map(|l| (l.place, CheckResult::try_from(l)));
        put_in_place(&mut report.results, later)?;
        Ok(report)
    }
}
