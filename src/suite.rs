//! Carries out the core's plan (`linktriage_core::plan`): all targets at
//! once in the quick phase, one transfer at a time in the speed phase, each
//! check within its phase's deadline.

use std::cell::RefCell;

use futures_util::future::join_all;
use linktriage_core::check::{CheckKind, CheckResult, Measurement};
use linktriage_core::config::Target;
use linktriage_core::plan::{SpeedTest, TargetChecks};

use crate::probes::location;
use crate::probes::throughput::Direction;
use crate::probes::timers::Deadline;
use crate::probes::{agent, connections, loss, reach, round_trips, throughput, websocket, whoami};

/// The quick phase ends this long after the page began to load, so that
/// the first result is there within 10 s of opening the page, however long
/// the page and its target list took to arrive (`Deadline::after_opening`).
/// The checks after the verdict get as long again, from their start.
pub const QUICK_BUDGET_MS: u32 = 9_500;
/// The least the first quick phase gets, on a page that took most of its
/// budget to arrive: a verdict a little late beats one with nothing tested.
pub const LEAST_QUICK_MS: u32 = 5_000;
/// The limit of the checks that follow the verdict (`plan::after_the_verdict`).
/// Longer than a quick phase's: a path losing a fifth of its packets can
/// take ten seconds or more to open the loss check's channel (each lost
/// flight of its handshake is sent again on a timer doubling from a
/// second), and that is the path to measure. The verdict is already shown;
/// only the finished report waits. (On such a path the count of cut
/// connections, which follows the loss check, may then run short of time
/// and say so.)
pub const AFTER_VERDICT_BUDGET_MS: u32 = 20_000;

/// The speed phase's own limit, after the quick phase.
pub const SPEED_BUDGET_MS: u32 = 9_000;

/// The loss checks' channels of a plan, begun ahead of their checks
/// (`loss::Begun`): each is taken by its target's check, and the rest
/// close when this is dropped.
#[derive(Debug, Default)]
pub struct Begun(RefCell<Vec<(*const Target, loss::Begun)>>);

impl Begun {
    /// A channel for each loss check in `plan`, begun now.
    pub fn loss_channels(plan: &[TargetChecks<'_>]) -> Begun {
        let begun = plan
            .iter()
            .filter(|planned| planned.checks.contains(&CheckKind::Loss))
            .filter(|planned| {
                planned
                    .target
                    .untestable_here(location::is_secure())
                    .is_none()
            })
            .filter_map(|planned| {
                let channel = loss::begin(planned.target).ok()?;
                Some((std::ptr::from_ref(planned.target), channel))
            })
            .collect();
        Begun(RefCell::new(begun))
    }

    /// The channel begun for `target`, if there is one.
    fn take(&self, target: &Target) -> Option<loss::Begun> {
        let mut begun = self.0.borrow_mut();
        let at = begun.iter().position(|(of, _)| std::ptr::eq(*of, target))?;
        Some(begun.swap_remove(at).1)
    }
}

/// A quick phase: every target at once, within `deadline`, on what was
/// `begun` for it; `on_step` after each check. Results in plan order.
pub async fn quick(
    plan: &[TargetChecks<'_>],
    deadline: Deadline,
    begun: &Begun,
    on_step: impl Fn() + Clone,
) -> Vec<CheckResult> {
    let run = Run {
        deadline,
        begun,
        speed: SpeedTest::ByItself,
    };
    let per_target = plan.iter().map(|t| run_target(t, &run, on_step.clone()));
    join_all(per_target).await.into_iter().flatten().collect()
}

/// The speed phase: one transfer at a time, across all targets, since
/// transfers at once would share (and split) the same link; as far as
/// `test` goes.
pub async fn speed(
    plan: &[TargetChecks<'_>],
    test: SpeedTest,
    on_step: impl Fn() + Clone,
) -> Vec<CheckResult> {
    let nothing_begun = Begun::default();
    let run = Run {
        deadline: Deadline::in_ms(SPEED_BUDGET_MS),
        begun: &nothing_begun,
        speed: test,
    };
    let mut results = Vec::new();
    for t in plan {
        results.extend(run_target(t, &run, on_step.clone()).await);
    }
    results
}

/// What every check of a phase shares: its deadline, the loss checks'
/// channels begun for it, and how far its speed tests go.
struct Run<'a> {
    deadline: Deadline,
    begun: &'a Begun,
    speed: SpeedTest,
}

/// One target's checks, one after another. A server that does not answer
/// its round trips is not asked again; a target this page cannot check
/// (`Target::untestable_here`: the browser blocks it as mixed content, or
/// the host refuses the page its answers) is not asked at all: its every
/// check "could not test", never a failure of the network.
async fn run_target(
    planned: &TargetChecks<'_>,
    run: &Run<'_>,
    on_step: impl Fn(),
) -> Vec<CheckResult> {
    let target = planned.target;
    let mut results = Vec::with_capacity(planned.checks.len());
    let untestable = target.untestable_here(location::is_secure());
    let mut answering = true;
    for &kind in &planned.checks {
        let measurement = if let Some(why) = untestable {
            Measurement::not_tested(kind, why)
        } else if answering {
            run_check(target, kind, run).await
        } else {
            Measurement::not_tested(
                kind,
                "skipped: the server did not answer its first requests",
            )
        };
        if let Measurement::RoundTrips(rt) = &measurement {
            answering = rt.summary.is_some();
        }
        on_step();
        results.push(CheckResult {
            target: target.name.clone(),
            segment: planned.segment,
            measurement,
        });
    }
    results
}

/// One check of `target`: every kind there is, so a new kind does not
/// compile until it has a probe.
async fn run_check(target: &Target, kind: CheckKind, run: &Run<'_>) -> Measurement {
    let deadline = run.deadline;
    match kind {
        CheckKind::Reach => reach::check(target, deadline).await,
        CheckKind::LocalAgent => agent::check(target, deadline).await,
        CheckKind::RoundTrips => {
            // Tells this run's pings from any other's in Resource Timing.
            let run_id = (js_sys::Math::random().to_bits() >> 40) as u32;
            Measurement::RoundTrips(round_trips::measure(target, run_id, deadline).await)
        }
        CheckKind::WebSocket => Measurement::WebSocket(websocket::measure(target, deadline).await),
        CheckKind::Clock => match whoami::clock(target, deadline).await {
            Ok(clock) => Measurement::Clock(clock),
            Err(why) => Measurement::not_tested(kind, why),
        },
        CheckKind::Interception => match whoami::interception(target, deadline).await {
            Ok(found) => Measurement::Interception(found),
            Err(why) => Measurement::not_tested(kind, why),
        },
        CheckKind::Download => Measurement::Download(
            throughput::measure(target, Direction::Down, run.speed, deadline).await,
        ),
        CheckKind::Upload => Measurement::Upload(
            throughput::measure(target, Direction::Up, run.speed, deadline).await,
        ),
        CheckKind::Loss => loss::check(target, deadline, run.begun.take(target)).await,
        CheckKind::Connections => connections::check(target, deadline).await,
    }
}
