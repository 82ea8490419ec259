//! The plan of a run: which checks each target gets, in which phase and in
//! which order. The app's suite carries it out; deciding it is pure.
//!
//! Two phases: the quick phase (reachability, round trips, WebSocket, clock,
//! interception, local services) gives the first result within 10 seconds
//! whatever the network does; the speed phase (download and upload) follows,
//! one transfer at a time, while the result is already on the page, and only
//! for servers that answered their round trips.

use crate::check::{CheckKind, CheckResult, Measurement, ReachOutcome};
use crate::config::{Config, PROBE_CHECKS, Target, TargetKind};
use crate::segment::Segment;

/// When a check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// All targets at once, before the first result.
    Quick,
    /// After the first result, one transfer at a time.
    Speed,
}

impl CheckKind {
    /// The phase this kind of check runs in. Every kind has one, so a new
    /// kind does not compile until it is placed.
    pub fn phase(self) -> Phase {
        match self {
            CheckKind::Reach
            | CheckKind::RoundTrips
            | CheckKind::WebSocket
            | CheckKind::Clock
            | CheckKind::Interception
            | CheckKind::LocalAgent
            | CheckKind::Loss
            | CheckKind::Connections => Phase::Quick,
            CheckKind::Download | CheckKind::Upload => Phase::Speed,
        }
    }
}

/// One target's checks in one phase, in the order they run (one after
/// another, so they do not disturb each other's timing), and the segment its
/// results stand for.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetChecks<'a> {
    pub target: &'a Target,
    pub segment: Segment,
    pub checks: Vec<CheckKind>,
}

/// The checks `target` gets in `phase`, in order.
pub fn checks_of(target: &Target, phase: Phase) -> Vec<CheckKind> {
    let all: &[CheckKind] = match target.kind {
        TargetKind::Reach => &[CheckKind::Reach, CheckKind::Connections],
        TargetKind::Agent => &[CheckKind::LocalAgent],
        // The list's order, whatever order the configuration names them in.
        TargetKind::Probe => &PROBE_CHECKS,
    };
    all.iter()
        .copied()
        .filter(|kind| kind.phase() == phase)
        .filter(|kind| target.kind != TargetKind::Probe || target.checks.contains(kind))
        .collect()
}

/// The quick phase: every target with a quick check, in configuration
/// order, placed for a page served from `page_host` (`config::Placement`).
pub fn quick<'a>(config: &'a Config, page_host: &str) -> Vec<TargetChecks<'a>> {
    phase_of(config.targets.iter(), page_host, Phase::Quick)
}

/// The speed phase, after the quick one: servers whose round trips were
/// answered, in configuration order.
pub fn speed<'a>(
    config: &'a Config,
    page_host: &str,
    quick_results: &[CheckResult],
) -> Vec<TargetChecks<'a>> {
    let targets = config.targets.iter().filter(|t| answered(t, quick_results));
    phase_of(targets, page_host, Phase::Speed)
}

fn phase_of<'a>(
    targets: impl Iterator<Item = &'a Target>,
    page_host: &str,
    phase: Phase,
) -> Vec<TargetChecks<'a>> {
    targets
        .map(|target| TargetChecks {
            target,
            segment: target.segment.segment(page_host),
            checks: checks_of(target, phase),
        })
        .filter(|t| !t.checks.is_empty())
        .collect()
}

/// Takes out of a quick phase the checks the first verdict does not wait
/// for: the loss check, whose probes take a second or two (the other quick
/// checks take well under one on a working network), and the count of
/// connections cut, a dozen requests one after another to each host and a
/// few at once. They
/// run once the verdict is shown, before the speed tests, and their results
/// join the report as the speed tests' do. A target's loss check comes
/// first, as listed: by the time the count of connections runs, the page's
/// own fetches after the verdict (the report panel, the writer) are done,
/// and no socket the browser opened for them and left unused can look like
/// a proxy's connection to the count.
pub fn after_the_verdict<'a>(quick: &mut Vec<TargetChecks<'a>>) -> Vec<TargetChecks<'a>> {
    let mut later = Vec::new();
    for planned in quick.iter_mut() {
        let (waits, first): (Vec<CheckKind>, Vec<CheckKind>) = planned
            .checks
            .iter()
            .partition(|kind| matches!(kind, CheckKind::Loss | CheckKind::Connections));
        if !waits.is_empty() {
            later.push(TargetChecks {
                checks: waits,
                ..planned.clone()
            });
        }
        planned.checks = first;
    }
    quick.retain(|planned| !planned.checks.is_empty());
    later
}

/// What [`after_the_verdict`] took out, for the targets that answered in
/// the quick phase: a host that did not answer has no connections to
/// count, and each of its requests would wait out its timeout.
pub fn for_those_that_answered<'a>(
    later: Vec<TargetChecks<'a>>,
    quick_results: &[CheckResult],
) -> Vec<TargetChecks<'a>> {
    later
        .into_iter()
        .filter(|planned| answered(planned.target, quick_results))
        .collect()
}

/// Whether `target` answered in the quick phase: a host reached, or a
/// server's round trips.
fn answered(target: &Target, quick_results: &[CheckResult]) -> bool {
    quick_results.iter().any(|r| {
        r.target == target.name
            && match &r.measurement {
                Measurement::RoundTrips(rt) => rt.summary.is_some(),
                Measurement::Reach(reach) => matches!(reach.outcome, ReachOutcome::Reached { .. }),
                _ => false,
            }
    })
}

/// How far the download and upload tests go. Each grows its transfers
/// until one takes long enough to time, then times three of that size.
/// By itself, when the page opens, the largest transfer is 1 MiB: at most
/// about 4.6 MB each way (64 KiB, 512 KiB, 1 MiB, then three of 1 MiB),
/// enough to time any line up to about 50 Mbit/s and to show a faster one
/// is at least that fast, which is all the verdict needs (it is slow below
/// a few Mbit/s). In an outage several clinicians open the page on the
/// line that is failing; the full test, up to 8 MiB a transfer (about
/// 37 MB each way), runs only when asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeedTest {
    /// When the page opens: a few MB each way.
    ByItself,
    /// Asked for after the verdict: as far as a fast line needs.
    Full,
}

impl SpeedTest {
    /// The largest single transfer.
    pub const fn largest_transfer_bytes(self) -> u64 {
        match self {
            SpeedTest::ByItself => 1024 * 1024,
            SpeedTest::Full => 8 * 1024 * 1024,
        }
    }

    /// Whether the speed tests of `results` stopped at the size the test
    /// by itself allows (its transfers are never larger, so a capped one is
    /// exactly that size), so that the full test would tell more: a line
    /// fast enough to move that much in less time than it takes to time.
    pub fn full_would_tell_more(results: &[CheckResult]) -> bool {
        results.iter().any(|r| match &r.measurement {
            Measurement::Download(t) | Measurement::Upload(t) => {
                t.failure.is_none()
                    && t.largest_bytes == SpeedTest::ByItself.largest_transfer_bytes()
            }
            _ => false,
        })
    }
}

/// How many checks a phase makes, for the progress bar.
pub fn steps(phase: &[TargetChecks<'_>]) -> u32 {
    phase.iter().map(|t| t.checks.len() as u32).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Reach, ReachOutcome, RoundTrips};

    fn names_and_checks(phase: &[TargetChecks<'_>]) -> Vec<(String, Vec<&'static str>)> {
        phase
            .iter()
            .map(|t| {
                let ids = t.checks.iter().map(|c| c.id()).collect();
                (t.target.name.clone(), ids)
            })
            .collect()
    }

    fn config(toml: &str) -> Config {
        Config::from_toml(&format!("name = \"t\"\nversion = \"1\"\n{toml}"))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_full_speed_test_is_offered_only_where_the_one_by_itself_stopped_short() {
        use crate::check::Throughput;
        const MIB: u64 = 1024 * 1024;
        let transfer = |largest_bytes: u64, failure: Option<&str>| CheckResult {
            target: "Link Triage server".into(),
            segment: Segment::Internet,
            measurement: Measurement::Download(Throughput {
                samples_mbps: vec![90.0; 3],
                largest_bytes,
                failure: failure.map(str::to_owned),
                under_load: None,
            }),
        };
        let cases = [
            (
                "a fast line, stopped at the size by itself",
                vec![transfer(MIB, None)],
                true,
            ),
            (
                "a slow line, timed below it",
                vec![transfer(300 * 1024, None)],
                false,
            ),
            ("the full test, run", vec![transfer(8 * MIB, None)], false),
            (
                "the full test, timed below its largest",
                vec![transfer(3 * MIB, None)],
                false,
            ),
            (
                "a failed transfer",
                vec![transfer(MIB, Some("timed out"))],
                false,
            ),
            ("no speed test", vec![], false),
        ];
        for (what, results, offered) in cases {
            assert_eq!(SpeedTest::full_would_tell_more(&results), offered, "{what}");
        }
        assert!(
            SpeedTest::ByItself.largest_transfer_bytes() < SpeedTest::Full.largest_transfer_bytes()
        );
    }

    #[test]
    fn every_kind_of_check_runs_in_exactly_one_phase_of_some_target() {
        let config = Config::embedded_default();
        let quick = quick(&config, "127.0.0.1");
        let round_trips_answered = vec![CheckResult {
            target: "Link Triage server".into(),
            segment: Segment::Internet,
            measurement: Measurement::RoundTrips(RoundTrips::from_samples(vec![1.0; 5], 0, 300)),
        }];
        let speed = speed(&config, "127.0.0.1", &round_trips_answered);
        for kind in CheckKind::ALL {
            let planned: Vec<Phase> = [(Phase::Quick, &quick), (Phase::Speed, &speed)]
                .into_iter()
                .filter(|(_, phase)| phase.iter().any(|t| t.checks.contains(&kind)))
                .map(|(p, _)| p)
                .collect();
            assert_eq!(planned, [kind.phase()], "{}", kind.id());
        }
    }

    #[test]
    fn the_plan_follows_the_list_in_its_own_order() {
        let config = config(
            r#"
[[target]]
name = "server"
segment = "auto"
url = "/"
kind = "probe"
checks = ["upload", "clock", "round_trips", "download"]

[[target]]
name = "host"
segment = "internet"
url = "https://host.example/"
kind = "reach"

[[target]]
name = "agent"
segment = "identity"
url = "http://127.0.0.1:43485/"
kind = "agent"
"#,
        );
        let quick = quick(&config, "10.1.1.1");
        assert_eq!(
            names_and_checks(&quick),
            [
                ("server".to_owned(), vec!["round_trips", "clock"]),
                ("host".to_owned(), vec!["reach", "connections"]),
                ("agent".to_owned(), vec!["local_agent"]),
            ]
        );
        assert_eq!(steps(&quick), 5);
        // Served from a private address: the server is on the practice network.
        let segments: Vec<Segment> = quick.iter().map(|t| t.segment).collect();
        assert_eq!(
            segments,
            [Segment::Lan, Segment::Internet, Segment::Identity]
        );
        // Speed tests only for a server that answered its round trips.
        assert_eq!(speed(&config, "10.1.1.1", &[]), []);
        let answered = CheckResult {
            target: "server".into(),
            segment: Segment::Lan,
            measurement: Measurement::RoundTrips(RoundTrips::from_samples(vec![2.0; 5], 0, 300)),
        };
        let unanswered = CheckResult {
            measurement: Measurement::RoundTrips(RoundTrips::from_samples(vec![], 5, 300)),
            ..answered.clone()
        };
        let reached = CheckResult {
            target: "host".into(),
            segment: Segment::Internet,
            measurement: Measurement::Reach(Reach {
                outcome: ReachOutcome::Reached { status: None },
                first_ms: Some(1.0),
                repeat_ms: None,
            }),
        };
        assert_eq!(
            speed(&config, "10.1.1.1", &[unanswered, reached.clone()]),
            []
        );
        let speed = speed(&config, "10.1.1.1", &[reached, answered]);
        assert_eq!(
            names_and_checks(&speed),
            [("server".to_owned(), vec!["download", "upload"])]
        );
        assert_eq!(steps(&speed), 2);
    }

    #[test]
    fn the_first_verdict_waits_for_neither_the_loss_check_nor_the_count_of_connections() {
        let config = Config::embedded_default();
        let mut quick = quick(&config, "127.0.0.1");
        let all = steps(&quick);
        let later = after_the_verdict(&mut quick);
        let waits = |kind: &CheckKind| matches!(kind, CheckKind::Loss | CheckKind::Connections);
        assert!(quick.iter().all(|t| !t.checks.iter().any(waits)));
        assert!(quick.iter().all(|t| !t.checks.is_empty()));
        assert!(
            later
                .iter()
                .any(|t| t.checks == [CheckKind::Loss, CheckKind::Connections])
        );
        assert!(later.iter().any(|t| t.checks == [CheckKind::Connections]));
        assert!(later.iter().all(|t| t.checks.iter().all(waits)));
        assert_eq!(steps(&quick) + steps(&later), all);
    }

    #[test]
    fn what_waits_for_the_verdict_runs_only_on_targets_that_answered() {
        let config = Config::embedded_default();
        let mut quick = quick(&config, "127.0.0.1");
        let later = after_the_verdict(&mut quick);
        let server = &config.targets[0];
        assert_eq!(server.kind, TargetKind::Probe);
        let host = config
            .targets
            .iter()
            .find(|t| t.kind == TargetKind::Reach)
            .unwrap();
        let reach = |outcome| CheckResult {
            target: host.name.clone(),
            segment: Segment::Internet,
            measurement: Measurement::Reach(Reach {
                outcome,
                first_ms: Some(1.0),
                repeat_ms: None,
            }),
        };
        let round_trips = |samples: Vec<f64>| CheckResult {
            target: server.name.clone(),
            segment: Segment::Device,
            measurement: Measurement::RoundTrips(RoundTrips::from_samples(samples, 5, 300)),
        };
        let names = |results: &[CheckResult]| -> Vec<String> {
            for_those_that_answered(later.clone(), results)
                .into_iter()
                .map(|t| t.target.name.clone())
                .collect()
        };
        assert_eq!(names(&[]), Vec::<String>::new());
        assert_eq!(
            names(&[
                round_trips(vec![]),
                reach(ReachOutcome::TimedOut { after_ms: 4000.0 })
            ]),
            Vec::<String>::new()
        );
        assert_eq!(
            names(&[
                round_trips(vec![2.0; 5]),
                reach(ReachOutcome::Reached { status: None })
            ]),
            [server.name.clone(), host.name.clone()]
        );
    }
}
