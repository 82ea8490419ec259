//! Runs every configured check: all targets at once, each check within a
//! deadline, in two phases. The quick phase (reachability, round trips,
//! WebSocket, clock, interception, local services) gives the first result
//! within 10 seconds whatever the network does; the speed phase (download and
//! upload) follows while the result is already on the page.

use futures_util::future::join_all;
use linktriage_core::check::{CheckKind, CheckResult, Measurement, NotTested};
use linktriage_core::config::{Config, Target, TargetKind};

use crate::probes::throughput::Direction;
use crate::probes::timers::Deadline;
use crate::probes::{agent, reach, round_trips, throughput, websocket, whoami};

/// The quick phase ends by this, so the first result is never later than 10 s.
pub const QUICK_BUDGET_MS: u32 = 9_500;
/// The speed phase's own limit, after the quick phase.
pub const SPEED_BUDGET_MS: u32 = 9_000;

const QUICK_PROBE_CHECKS: [CheckKind; 4] = [
    CheckKind::RoundTrips,
    CheckKind::WebSocket,
    CheckKind::Clock,
    CheckKind::Interception,
];
const SPEED_CHECKS: [CheckKind; 2] = [CheckKind::Download, CheckKind::Upload];

/// How many checks the quick phase makes, for the progress bar.
pub fn quick_steps(config: &Config) -> u32 {
    config
        .targets
        .iter()
        .map(|t| match t.kind {
            TargetKind::Reach | TargetKind::Agent => 1,
            TargetKind::Probe => t
                .checks
                .iter()
                .filter(|c| QUICK_PROBE_CHECKS.contains(c))
                .count() as u32,
        })
        .sum()
}

/// The quick phase; `on_step` after each check. Results in configuration order.
pub async fn quick(config: &Config, on_step: impl Fn() + Clone) -> Vec<CheckResult> {
    let deadline = Deadline::in_ms(QUICK_BUDGET_MS);
    let per_target = config.targets.iter().map(|target| {
        let on_step = on_step.clone();
        async move {
            match target.kind {
                TargetKind::Reach => {
                    let measurement = reach::check(target, deadline).await;
                    on_step();
                    vec![result(target, measurement)]
                }
                TargetKind::Agent => {
                    let measurement = agent::check(target, deadline).await;
                    on_step();
                    vec![result(target, measurement)]
                }
                TargetKind::Probe => quick_probe(target, deadline, &on_step).await,
            }
        }
    });
    join_all(per_target).await.into_iter().flatten().collect()
}

/// A probe target's quick checks, one after another so they do not disturb
/// each other's timing. A server that does not answer is not asked again.
async fn quick_probe(target: &Target, deadline: Deadline, on_step: &impl Fn()) -> Vec<CheckResult> {
    let run_id = js_sys::Math::random().to_bits() >> 40;
    let mut results = Vec::new();
    let mut answering = true;
    for kind in QUICK_PROBE_CHECKS
        .into_iter()
        .filter(|k| target.checks.contains(k))
    {
        let measurement = if !answering {
            skipped(kind)
        } else {
            match kind {
                CheckKind::RoundTrips => {
                    let rt = round_trips::measure(target, run_id as u32, deadline).await;
                    answering = rt.summary.is_some();
                    Measurement::RoundTrips(rt)
                }
                CheckKind::WebSocket => {
                    Measurement::WebSocket(websocket::measure(target, deadline).await)
                }
                CheckKind::Clock => match whoami::clock(target, deadline).await {
                    Ok(clock) => Measurement::Clock(clock),
                    Err(why) => not_tested(kind, why),
                },
                CheckKind::Interception => match whoami::interception(target, deadline).await {
                    Ok(found) => Measurement::Interception(found),
                    Err(why) => not_tested(kind, why),
                },
                _ => continue,
            }
        };
        on_step();
        results.push(result(target, measurement));
    }
    results
}

/// The probe targets that answered in the quick phase, and their speed checks.
pub fn speed_targets<'a>(config: &'a Config, quick: &[CheckResult]) -> Vec<&'a Target> {
    config
        .targets_of(TargetKind::Probe)
        .filter(|t| SPEED_CHECKS.iter().any(|c| t.checks.contains(c)))
        .filter(|t| {
            quick.iter().any(|r| {
                r.target == t.name
                    && matches!(&r.measurement, Measurement::RoundTrips(rt) if rt.summary.is_some())
            })
        })
        .collect()
}

pub fn speed_steps(targets: &[&Target]) -> u32 {
    targets
        .iter()
        .map(|t| SPEED_CHECKS.iter().filter(|c| t.checks.contains(c)).count() as u32)
        .sum()
}

/// The speed phase: one transfer at a time, across all targets, since
/// transfers at once would share (and split) the same link.
pub async fn speed(targets: &[&Target], on_step: impl Fn()) -> Vec<CheckResult> {
    let deadline = Deadline::in_ms(SPEED_BUDGET_MS);
    let mut results = Vec::new();
    for target in targets {
        for kind in SPEED_CHECKS
            .into_iter()
            .filter(|k| target.checks.contains(k))
        {
            let measurement = match kind {
                CheckKind::Download => Measurement::Download(
                    throughput::measure(target, Direction::Down, deadline).await,
                ),
                _ => {
                    Measurement::Upload(throughput::measure(target, Direction::Up, deadline).await)
                }
            };
            on_step();
            results.push(result(target, measurement));
        }
    }
    results
}

fn result(target: &Target, measurement: Measurement) -> CheckResult {
    CheckResult {
        target: target.name.clone(),
        segment: target.segment,
        measurement,
    }
}

fn skipped(kind: CheckKind) -> Measurement {
    not_tested(
        kind,
        "skipped: the server did not answer its first requests".to_owned(),
    )
}

fn not_tested(kind: CheckKind, reason: String) -> Measurement {
    Measurement::NotTested(NotTested { kind, reason })
}
