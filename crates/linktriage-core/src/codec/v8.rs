//! Version 8's wire structs: frozen. Version 7's report, then the watch's
//! packet loss: each probe target's minutes of loss probes as runs, where
//! clean minutes in a row with much the same round trip are one run (an
//! 8-hour watch of a healthy link is a few runs) and every minute that lost
//! or was late is a run of its own, exact.

use serde::{Deserialize, Serialize};

use super::v3::{NoWatch, WatchV3};
use super::v7::ReportV7;
use crate::loss::Minute;
use crate::report::Report;
use crate::stats::summarize;

/// `W` as in version 3, and `L` the same for the watch's loss: with
/// [`NoWatch`] for both, a report of the checks alone is written without
/// the watch's encoders (the same bytes: an empty list).
#[derive(Debug, Serialize, Deserialize)]
pub struct ReportV8<W = WatchV3, L = TargetLossV8> {
    v7: ReportV7<W>,
    watch_loss: Vec<L>,
}

/// One watched target's minutes of loss probes, by its place in the
/// watch's list.
#[derive(Debug, Serialize, Deserialize)]
pub struct TargetLossV8 {
    target: u32,
    runs: Vec<RunV8>,
}

/// Minutes in a row: after `skip` minutes without probes (from the watch's
/// start, or from the end of the run before), `minutes` minutes that sent
/// `sent` probes between them. A run of more than one minute lost nothing
/// and was never late.
#[derive(Debug, Serialize, Deserialize)]
struct RunV8 {
    skip: u32,
    minutes: u32,
    sent: u32,
    /// `None` where the server's count did not come back.
    reached: Option<u32>,
    came_back: u32,
    late: u32,
    /// Hundredths of a millisecond: the median of the minutes' medians.
    round_trip_h: Option<u32>,
}

/// Clean minutes join a run while their round trip is within this share of
/// the run's first: a steady link is a few runs, and a change the desk
/// would look for (a queue growing, a route changing) starts a new one.
const SAME_ROUND_TRIP: f64 = 0.25;

/// A watch longer than a week of minutes is not one.
const MAX_MINUTES: u64 = 7 * 24 * 60;

fn is_clean(m: &Minute) -> bool {
    m.came_back == m.sent && m.late == 0 && m.reached_server.is_none_or(|r| r == m.sent)
}

fn runs_of(minutes: &[Minute]) -> Vec<RunV8> {
    let mut runs: Vec<(u32, Vec<&Minute>)> = Vec::new();
    let mut next_minute = 0;
    for m in minutes {
        let joins = runs.last().is_some_and(|(_, run)| {
            let first = run[0];
            m.minute == next_minute
                && is_clean(first)
                && is_clean(m)
                && first.reached_server.is_some() == m.reached_server.is_some()
                && match (first.round_trip_ms, m.round_trip_ms) {
                    (Some(a), Some(b)) => (b - a).abs() <= a * SAME_ROUND_TRIP,
                    (a, b) => a.is_none() && b.is_none(),
                }
        });
        match runs.last_mut() {
            Some((_, run)) if joins => run.push(m),
            _ => runs.push((m.minute.saturating_sub(next_minute), vec![m])),
        }
        next_minute = m.minute + 1;
    }
    runs.into_iter()
        .map(|(skip, run)| {
            let sum = |f: fn(&Minute) -> u32| run.iter().map(|m| f(m)).sum();
            let medians: Vec<f64> = run.iter().filter_map(|m| m.round_trip_ms).collect();
            RunV8 {
                skip,
                minutes: run.len() as u32,
                sent: sum(|m| m.sent),
                reached: run.iter().map(|m| m.reached_server).sum(),
                came_back: sum(|m| m.came_back),
                late: sum(|m| m.late),
                round_trip_h: summarize(&medians).map(|s| (s.median * 100.0).round() as u32),
            }
        })
        .collect()
}

fn watch_loss_of(r: &Report) -> Vec<TargetLossV8> {
    let Some(watch) = &r.watch else {
        return Vec::new();
    };
    watch
        .targets
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.loss.is_empty())
        .map(|(place, t)| TargetLossV8 {
            target: place as u32,
            runs: runs_of(&t.loss),
        })
        .collect()
}

/// The minutes of `runs`, or why they are not a watch's.
fn minutes_of(runs: Vec<RunV8>) -> Result<Vec<Minute>, String> {
    let mut minutes = Vec::new();
    let mut next: u64 = 0;
    for run in runs {
        let reached = run.reached.unwrap_or(run.sent);
        let whole = run.late <= run.came_back && run.came_back <= reached && reached <= run.sent;
        if !whole {
            return Err("a minute of packet loss does not add up".into());
        }
        if run.minutes == 0 || (run.minutes > 1 && (run.came_back != run.sent || run.late > 0)) {
            return Err("a run of minutes of packet loss is not one".into());
        }
        let start = next + u64::from(run.skip);
        next = start + u64::from(run.minutes);
        if next > MAX_MINUTES {
            return Err("the packet loss runs past a week of watching".into());
        }
        let (each, extra) = (run.sent / run.minutes, run.sent % run.minutes);
        for i in 0..run.minutes {
            let sent = each + u32::from(i < extra);
            let (reached_server, came_back, late) = match run.minutes {
                1 => (run.reached, run.came_back, run.late),
                _ => (run.reached.map(|_| sent), sent, 0),
            };
            minutes.push(Minute {
                minute: (start + u64::from(i)) as u32,
                sent,
                reached_server,
                came_back,
                late,
                round_trip_ms: run.round_trip_h.map(|h| f64::from(h) / 100.0),
            });
        }
    }
    Ok(minutes)
}

impl ReportV8<NoWatch, NoWatch> {
    pub fn checks(r: &Report) -> ReportV8<NoWatch, NoWatch> {
        ReportV8 {
            v7: ReportV7::checks(r),
            watch_loss: Vec::new(),
        }
    }
}

impl From<&Report> for ReportV8 {
    fn from(r: &Report) -> ReportV8 {
        ReportV8 {
            v7: ReportV7::from(r),
            watch_loss: watch_loss_of(r),
        }
    }
}

impl TryFrom<ReportV8> for Report {
    type Error = String;

    fn try_from(w: ReportV8) -> Result<Report, String> {
        let mut report = Report::try_from(w.v7)?;
        for loss in w.watch_loss {
            let target = report
                .watch
                .as_mut()
                .and_then(|watch| watch.targets.get_mut(loss.target as usize))
                .ok_or("packet loss belongs to no watched target")?;
            if !target.loss.is_empty() {
                return Err("a watched target has two sets of packet loss".into());
            }
            target.loss = minutes_of(loss.runs)?;
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minute(minute: u32, sent: u32, back: u32, round_trip_ms: f64) -> Minute {
        Minute {
            minute,
            sent,
            reached_server: Some(sent),
            came_back: back,
            late: 0,
            round_trip_ms: Some(round_trip_ms),
        }
    }

    #[test]
    fn steady_minutes_are_one_run_and_lossy_ones_stay_exact() {
        let mut minutes: Vec<Minute> = (0..100)
            .map(|m| minute(m, 120 + m % 2, 120 + m % 2, 14.0 + f64::from(m % 3)))
            .collect();
        minutes[40].came_back = 110;
        minutes.retain(|m| !(60..63).contains(&m.minute));
        let runs = runs_of(&minutes);
        // Clean, lossy, clean, (a gap) clean.
        assert_eq!(
            runs.iter().map(|r| (r.skip, r.minutes)).collect::<Vec<_>>(),
            [(0, 40), (0, 1), (0, 19), (3, 37)]
        );
        let back = minutes_of(runs).unwrap();
        assert_eq!(back.len(), minutes.len());
        assert_eq!(back[40], minutes[40]);
        let total = |ms: &[Minute]| {
            ms.iter()
                .map(|m| (m.sent, m.lost()))
                .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
        };
        assert_eq!(total(&back), total(&minutes));
        assert!(back.iter().zip(&minutes).all(|(a, b)| a.minute == b.minute));
        // A round trip that changes by more than a quarter starts a run.
        let jump = [
            minute(0, 60, 60, 10.0),
            minute(1, 60, 60, 12.0),
            minute(2, 60, 60, 30.0),
        ];
        assert_eq!(runs_of(&jump).len(), 2);
    }

    #[test]
    fn minutes_that_do_not_add_up_are_refused() {
        let run = |minutes, sent, reached, came_back, late| RunV8 {
            skip: 0,
            minutes,
            sent,
            reached,
            came_back,
            late,
            round_trip_h: None,
        };
        for (bad, why) in [
            (run(1, 10, Some(11), 10, 0), "does not add up"),
            (run(1, 10, Some(8), 9, 0), "does not add up"),
            (run(1, 10, None, 5, 6), "does not add up"),
            (run(0, 0, None, 0, 0), "is not one"),
            (run(2, 10, None, 9, 0), "is not one"),
            (run(20_000, 10, None, 10, 0), "past a week"),
        ] {
            let error = minutes_of(vec![bad]).unwrap_err();
            assert!(error.contains(why), "{error}");
        }
    }
}
