//! Version 3's wire structs: frozen. Version 2's report, then the watch so
//! far, if the report was made during or after one: each target's timeline
//! a minute a cell as runs of one state (an 8-hour watch that rarely
//! dropped is a few runs a target), and every time as whole milliseconds
//! after the watch's start.

use serde::{Deserialize, Serialize};

use super::v1::{diagnosis_from, diagnosis_number, segment_from, segment_number};
use super::v2::ReportV2;
use crate::report::Report;
use crate::watch::{Cell, Outage, SlowSpell, SnapshotTarget, Span, WatchSnapshot};

/// `W` is the watch's wire struct; [`NoWatch`] writes a report of the
/// checks alone (the same bytes as one with no watch) without the watch's
/// encoder.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportV3<W = WatchV3> {
    v2: ReportV2,
    watch: Option<W>,
}

/// No watch, ever.
#[derive(Debug, Serialize)]
pub enum NoWatch {}

impl ReportV3<NoWatch> {
    pub fn checks(r: &Report) -> ReportV3<NoWatch> {
        ReportV3 {
            v2: ReportV2::from(r),
            watch: None,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct WatchV3 {
    started_at_ms: i64,
    /// After the start, as every time below.
    until_ms: u64,
    interval_ms: u32,
    running: bool,
    targets: Vec<TargetV3>,
    drops: Vec<DropV3>,
    slow_spells: Vec<SlowV3>,
    paused: Vec<(u64, u64)>,
}

#[derive(Debug, Serialize, Deserialize)]
struct TargetV3 {
    name: String,
    segment: u8,
    answered: u32,
    sampled: u32,
    /// (cell, how many minutes in a row).
    minutes: Vec<(u8, u32)>,
}

#[derive(Debug, Serialize, Deserialize)]
struct DropV3 {
    start_ms: u64,
    end_ms: Option<u64>,
    targets: Vec<u32>,
    diagnosis: u8,
}

#[derive(Debug, Serialize, Deserialize)]
struct SlowV3 {
    target: u32,
    start_ms: u64,
    end_ms: Option<u64>,
    worst_ms: u32,
}

/// `watch` alone as version 3 writes it, uncompressed.
pub fn watch_bytes(watch: &WatchSnapshot) -> Vec<u8> {
    postcard::to_allocvec(&WatchV3::from(watch)).unwrap_or_default()
}

/// A watch from [`watch_bytes`].
pub fn watch_from_bytes(bytes: &[u8]) -> Result<WatchSnapshot, String> {
    let wire: WatchV3 =
        postcard::from_bytes(bytes).map_err(|e| format!("the watch does not read: {e}"))?;
    WatchSnapshot::try_from(wire)
}

/// A timeline longer than a week of minutes is not a watch's.
const MAX_MINUTES: u64 = 7 * 24 * 60;

impl From<&Report> for ReportV3 {
    fn from(r: &Report) -> ReportV3 {
        ReportV3 {
            v2: ReportV2::from(r),
            watch: r.watch.as_ref().map(WatchV3::from),
        }
    }
}

impl TryFrom<ReportV3> for Report {
    type Error = String;

    fn try_from(w: ReportV3) -> Result<Report, String> {
        Ok(Report {
            watch: w.watch.map(WatchSnapshot::try_from).transpose()?,
            ..Report::try_from(w.v2)?
        })
    }
}

impl From<&WatchSnapshot> for WatchV3 {
    fn from(w: &WatchSnapshot) -> WatchV3 {
        let after = |ms: f64| (ms - w.started_at_ms).max(0.0).round() as u64;
        WatchV3 {
            started_at_ms: w.started_at_ms.round() as i64,
            until_ms: after(w.until_ms),
            interval_ms: w.interval_ms,
            running: w.running,
            targets: w
                .targets
                .iter()
                .map(|t| TargetV3 {
                    name: t.name.clone(),
                    segment: segment_number(t.segment),
                    answered: t.answered,
                    sampled: t.sampled,
                    minutes: runs(&t.minutes),
                })
                .collect(),
            drops: w
                .drops
                .iter()
                .map(|d| DropV3 {
                    start_ms: after(d.start_ms),
                    end_ms: d.end_ms.map(after),
                    targets: d.targets.iter().map(|&t| t as u32).collect(),
                    diagnosis: diagnosis_number(d.diagnosis),
                })
                .collect(),
            slow_spells: w
                .slow_spells
                .iter()
                .map(|s| SlowV3 {
                    target: s.target as u32,
                    start_ms: after(s.start_ms),
                    end_ms: s.end_ms.map(after),
                    worst_ms: s.worst_ms.round().clamp(0.0, f64::from(u32::MAX)) as u32,
                })
                .collect(),
            paused: w
                .paused
                .iter()
                .map(|p| (after(p.from_ms), after(p.to_ms)))
                .collect(),
        }
    }
}

impl TryFrom<WatchV3> for WatchSnapshot {
    type Error = String;

    fn try_from(w: WatchV3) -> Result<WatchSnapshot, String> {
        let start = w.started_at_ms as f64;
        let at = |ms: u64| start + ms as f64;
        let targets = w.targets.len();
        let target = |t: u32| {
            let t = t as usize;
            if t < targets {
                Ok(t)
            } else {
                Err(format!("the watch names target {t} of {targets}"))
            }
        };
        Ok(WatchSnapshot {
            started_at_ms: start,
            until_ms: at(w.until_ms),
            interval_ms: w.interval_ms,
            running: w.running,
            targets: w
                .targets
                .into_iter()
                .map(|t| {
                    Ok(SnapshotTarget {
                        name: t.name,
                        segment: segment_from(t.segment)?,
                        answered: t.answered,
                        sampled: t.sampled,
                        minutes: cells(&t.minutes)?,
                        // Carried from version 8 on.
                        loss: Vec::new(),
                    })
                })
                .collect::<Result<_, String>>()?,
            drops: w
                .drops
                .into_iter()
                .map(|d| {
                    Ok(Outage {
                        start_ms: at(d.start_ms),
                        end_ms: d.end_ms.map(at),
                        targets: d
                            .targets
                            .into_iter()
                            .map(target)
                            .collect::<Result<_, _>>()?,
                        diagnosis: diagnosis_from(d.diagnosis)?,
                    })
                })
                .collect::<Result<_, String>>()?,
            slow_spells: w
                .slow_spells
                .into_iter()
                .map(|s| {
                    Ok(SlowSpell {
                        target: target(s.target)?,
                        start_ms: at(s.start_ms),
                        end_ms: s.end_ms.map(at),
                        worst_ms: f64::from(s.worst_ms),
                    })
                })
                .collect::<Result<_, String>>()?,
            paused: w
                .paused
                .into_iter()
                .map(|(from, to)| Span {
                    from_ms: at(from),
                    to_ms: at(to),
                })
                .collect(),
        })
    }
}

fn cell_number(cell: Cell) -> u8 {
    match cell {
        Cell::Up => 0,
        Cell::SomeFailed => 1,
        Cell::Down => 2,
        Cell::Paused => 3,
        Cell::NoData => 4,
    }
}

fn cell_from(n: u8) -> Result<Cell, String> {
    Ok(match n {
        0 => Cell::Up,
        1 => Cell::SomeFailed,
        2 => Cell::Down,
        3 => Cell::Paused,
        4 => Cell::NoData,
        _ => return Err(format!("timeline state {n} is unknown")),
    })
}

/// `minutes` as runs of one state.
fn runs(minutes: &[Cell]) -> Vec<(u8, u32)> {
    let mut runs: Vec<(u8, u32)> = Vec::new();
    for &cell in minutes {
        let n = cell_number(cell);
        match runs.last_mut() {
            Some((last, count)) if *last == n => *count += 1,
            _ => runs.push((n, 1)),
        }
    }
    runs
}

/// The minutes of `runs`, refused beyond a week.
fn cells(runs: &[(u8, u32)]) -> Result<Vec<Cell>, String> {
    let total: u64 = runs.iter().map(|&(_, n)| u64::from(n)).sum();
    if total > MAX_MINUTES {
        return Err(format!("the watch's timeline is {total} minutes long"));
    }
    let mut minutes = Vec::with_capacity(total as usize);
    for &(n, count) in runs {
        let cell = cell_from(n)?;
        minutes.extend(std::iter::repeat_n(cell, count as usize));
    }
    Ok(minutes)
}
