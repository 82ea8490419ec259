//! `cargo xtask golden`: writes the golden files of the formats this build
//! writes, when they are missing: the report code and its text for the code
//! version (`codec::VERSION`), and the JSON for tooling (`codec::JSON_VERSION`).
//! A released version's files are never rewritten: the tests decode them
//! forever. Run it once when a new version of either format is released.

use std::path::Path;

use anyhow::Context;
use linktriage_core::check::{CheckKind, CheckResult, LossCheck, Measurement, UnderLoad};
use linktriage_core::codec::{self, JSON_VERSION, VERSION};
use linktriage_core::config::Config;
use linktriage_core::connections::{CANNOT_TELL, Connections, SeenBy};
use linktriage_core::loss::Loss;
use linktriage_core::loss::Minute;
use linktriage_core::report::{Report, RunFacts, Sharing, SiteDetails, render_text};
use linktriage_core::stats::Summary;
use linktriage_core::watch::{Sample, Span, Watch, WatchSnapshot, watched};

use crate::root;

pub fn write_missing() -> anyhow::Result<()> {
    let dir = root().join("crates/linktriage-core/tests/golden");
    let code_path = dir.join(format!("v{VERSION}-default-config-lab.code"));
    let report = shared_lab_report(&dir)?;
    write_once(&code_path, &codec::encode(&report))?;
    write_once(
        &dir.join(format!("v{VERSION}-default-config-lab.txt")),
        &render_text(&report),
    )?;
    // The JSON of the report as the golden code carries it, so that the
    // test, which decodes that code, compares like with like.
    let code = std::fs::read_to_string(&code_path)?;
    let released = codec::decode(&code).context("the golden code does not decode")?;
    write_once(
        &dir.join(format!("json-v{JSON_VERSION}-default-config-lab.json")),
        &codec::to_json(&[&released]),
    )
}

/// A real run of the default list in the test lab (the JSON download of
/// one), judged again as the app would, with site details typed the way
/// people type them (markup, non-Latin letters, an address to remove).
fn shared_lab_report(dir: &Path) -> anyhow::Result<Report> {
    let measured: Report = serde_json::from_str(&std::fs::read_to_string(
        dir.join("default-config-lab.json"),
    )?)?;
    let run = RunFacts {
        config_name: measured.config_name.clone(),
        config_version: measured.config_version.clone(),
        // From version 4 the report names its release.
        release: "5e1ea5e0fc0de4a1".into(),
        started_at_ms: measured.started_at_ms,
        utc_offset_minutes: measured.utc_offset_minutes,
    };
    let site = SiteDetails {
        place: "The Surgery <b>&amp; Ålesund</b> (Y01234)".into(),
        ticket: "INC-0042 \"urgent\"".into(),
        note: "Contacting Server since 09:05; 10.20.30.40 → slow 🐢".into(),
    };
    let started_at_ms = measured.started_at_ms;
    let results =
        with_round_trips_under_load(with_connection_counts(with_loss_checks(measured.results)));
    let report = Report::judged(run, results, measured.device);
    // From version 3 the report carries a watch: a working day's, scripted.
    let watch = scripted_watch(started_at_ms + 60_000.0);
    let until_ms = watch.started_at_ms + linktriage_core::watch::DEFAULT_DURATION_MS;
    let report = report.with_watch(WatchSnapshot::of(&watch, until_ms, false));
    Ok(report.shared(&Sharing {
        site,
        remove_addresses: true,
    }))
}

/// From version 5 the report carries the loss check: the lab's run with one,
/// measured, after the first probe target's round trips, and one that found
/// UDP blocked after the last result of that target.
fn with_loss_checks(mut results: Vec<CheckResult>) -> Vec<CheckResult> {
    let Some(first) = results
        .iter()
        .position(|r| matches!(r.measurement, Measurement::RoundTrips(_)))
    else {
        return results;
    };
    let (target, segment) = (results[first].target.clone(), results[first].segment);
    let measured = Loss {
        sent: 250,
        reached_server: 246,
        server_counted: true,
        came_back: 243,
        late: 2,
        late_ms: 300,
        reordered: 1,
        duplicated: 0,
        round_trip: Some(Summary {
            count: 243,
            min: 0.41,
            median: 0.87,
            p90: 1.52,
            p99: 3.08,
            max: 412.5,
            jitter: 0.33,
        }),
    };
    let last = results
        .iter()
        .rposition(|r| r.target == target)
        .unwrap_or(first);
    results.insert(
        last + 1,
        CheckResult {
            target: target.clone(),
            segment,
            measurement: Measurement::Loss(LossCheck::UdpBlocked),
        },
    );
    results.insert(
        first + 1,
        CheckResult {
            target,
            segment,
            measurement: Measurement::Loss(LossCheck::Measured(measured)),
        },
    );
    results
}

/// From version 6 the report counts connections cut: after the loss checks
/// of the first probe target (none cut, by the server's numbers), on the
/// first host that was reached (3 of 4 cut, by the browser's timing) and
/// on the second (durations could not tell), so that results only version
/// 6 carries sit between those of earlier versions.
fn with_connection_counts(mut results: Vec<CheckResult>) -> Vec<CheckResult> {
    let at = |results: &[CheckResult], nth: usize, of: fn(&Measurement) -> bool| {
        results
            .iter()
            .enumerate()
            .filter(|(_, r)| of(&r.measurement))
            .nth(nth)
            .map(|(i, r)| (i, r.target.clone(), r.segment))
    };
    let counted = |requests, connections, cut, seen_by| {
        Measurement::Connections(Connections {
            requests,
            answered: requests,
            connections,
            cut,
            seen_by,
        })
    };
    // After the nth result that `of` picks out, a result of `measurement`.
    type Placement = (usize, fn(&Measurement) -> bool, Measurement);
    let placements: [Placement; 3] = [
        (
            0,
            |m| matches!(m, Measurement::Loss(LossCheck::UdpBlocked)),
            counted(12, 1, 0, SeenBy::ServerNumbers),
        ),
        (
            1,
            |m| matches!(m, Measurement::Reach(_)),
            Measurement::not_tested(CheckKind::Connections, CANNOT_TELL),
        ),
        (
            0,
            |m| matches!(m, Measurement::Reach(_)),
            counted(12, 4, 3, SeenBy::BrowserTiming),
        ),
    ];
    for (nth, of, measurement) in placements {
        if let Some((i, target, segment)) = at(&results, nth, of) {
            results.insert(
                i + 1,
                CheckResult {
                    target,
                    segment,
                    measurement,
                },
            );
        }
    }
    results
}

/// From version 7 each transfer carries its round trips under load: the
/// download's graded (a queue that grows, grade C), the upload's too few
/// to grade.
fn with_round_trips_under_load(mut results: Vec<CheckResult>) -> Vec<CheckResult> {
    for r in &mut results {
        match &mut r.measurement {
            Measurement::Download(t) => {
                t.under_load = Some(UnderLoad {
                    idle_ms: 0.87,
                    loaded_ms: vec![61.5, 88.25, 97.0, 120.13, 75.0, 102.4, 93.77, 110.0],
                });
            }
            Measurement::Upload(t) => {
                t.under_load = Some(UnderLoad {
                    idle_ms: 0.92,
                    loaded_ms: vec![1.5, 2.25],
                });
            }
            _ => {}
        }
    }
    results
}

/// An 8-hour watch of the default list every 10 seconds, as the desk sees
/// them in an outage that comes and goes: the HSCN host down for 26
/// minutes, everything beyond the practice for 2, the supplier refusing
/// for 100 seconds, the server slow for 5 minutes, a failing sample in
/// every three for 10 minutes, and the laptop asleep for 3. From version 8
/// the server's data channel too: 5 % lost on the way there and 1 % back
/// for 12 minutes, 3 % lost with no count for 8, a minute with late
/// echoes, and none while asleep.
fn scripted_watch(started_at_ms: f64) -> Watch {
    let config = Config::embedded_default();
    let targets = watched(&config, "linktriage.example.nhs.uk", true);
    let minute = 60_000.0;
    let at = |m: f64| started_at_ms + m * minute;
    let during = |t: f64, from: f64, to: f64| t >= at(from) && t < at(to);
    let mut samples = Vec::new();
    let cycles = (linktriage_core::watch::DEFAULT_DURATION_MS / 10_000.0) as u32;
    for cycle in 0..cycles {
        // Staggered across the cycle, as the worker sends them.
        for (i, target) in targets.iter().enumerate() {
            let t = started_at_ms + f64::from(cycle) * 10_000.0 + i as f64 * 1_000.0;
            if during(t, 360.0, 363.0) {
                continue;
            }
            use linktriage_core::segment::Segment::*;
            let segment = target.target.segment;
            let failed = (segment == Hscn && during(t, 5.0, 31.0))
                || (segment != Lan && segment != Device && during(t, 130.0, 132.0))
                || (segment == Supplier && during(t, 240.0, 241.7))
                || (segment == Hscn && during(t, 420.0, 430.0) && cycle % 3 == 0);
            let slow = target.target.late_ms > 0 && i == 0 && during(t, 300.0, 305.0);
            let round_trip_ms = match (failed, i == 0) {
                (false, true) => Some(if slow {
                    900.0
                } else {
                    4.0 + f64::from(cycle % 7)
                }),
                _ => None,
            };
            samples.push(Sample {
                at_ms: t,
                target: i,
                answered: !failed,
                round_trip_ms,
            });
        }
    }
    Watch {
        started_at_ms,
        interval_ms: 10_000,
        targets: targets.into_iter().map(|w| w.target).collect(),
        samples,
        paused: vec![Span {
            from_ms: at(360.0),
            to_ms: at(363.0),
        }],
        earlier: None,
        loss: vec![scripted_loss()],
    }
}

/// The minutes of [`scripted_watch`]'s data channel to its first target.
fn scripted_loss() -> Vec<Minute> {
    (0..480)
        .filter(|m| !(360..363).contains(m))
        .map(|m| {
            let sent = 118 + m % 4;
            let (out, back, counted, late) = match m {
                200..212 => (sent / 20, sent / 100, true, 0),
                421..429 => (0, sent * 3 / 100, false, 0),
                100 => (0, 0, true, 2),
                _ => (0, 0, true, 0),
            };
            Minute {
                minute: m,
                sent,
                reached_server: counted.then_some(sent - out),
                came_back: sent - out - back,
                late,
                round_trip_ms: Some(4.0 + f64::from(m % 5) * 0.25),
            }
        })
        .collect()
}

fn write_once(path: &Path, content: &str) -> anyhow::Result<()> {
    if path.exists() {
        eprintln!("kept {} (released)", path.display());
        return Ok(());
    }
    std::fs::write(path, content).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
