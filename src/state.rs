//! The page's state and the actions that change it (`use_reducer`).

use std::rc::Rc;

use linktriage_core::check::CheckResult;
use linktriage_core::device::DeviceFacts;
use linktriage_core::report::Report;
use yew::Reducible;

/// A report compared by identity, not content: a report is never changed in
/// place (a change is a new `Rc`), so the same pointer is the same report,
/// and the page carries no code to compare whole reports.
#[derive(Debug, Clone)]
pub struct SameReport(pub Rc<Report>);

impl PartialEq for SameReport {
    fn eq(&self, other: &SameReport) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Where a run of the checks has got to.
#[derive(Debug, Clone)]
pub enum RunState {
    /// Fetching the target list.
    LoadingConfig,
    /// The target list could not be had; the sentence says why, and the
    /// device facts still give a verdict (offline is offline).
    ConfigFailed { why: String, device: DeviceFacts },
    /// Measuring: `done` of `total` steps taken.
    Running { done: u32, total: u32 },
    /// The quick checks are done and the result is shown; `speed` says how
    /// far the download and upload tests, which follow, have got.
    Finished {
        report: Rc<Report>,
        speed: Option<(u32, u32)>,
        /// Whether the full speed test was asked for (it runs once).
        full_speed: bool,
    },
}

#[derive(Debug)]
pub enum RunAction {
    /// The target list is in; the quick phase takes `total_steps` checks.
    ConfigLoaded {
        total_steps: u32,
    },
    ConfigFailed {
        why: String,
        device: DeviceFacts,
    },
    StepDone,
    /// The quick checks are done; `speed_steps` more will follow.
    QuickDone {
        report: Rc<Report>,
        speed_steps: u32,
    },
    /// The speed tests are done: their results join the report.
    SpeedDone(Vec<CheckResult>),
    /// The full speed test was asked for; it takes `steps` checks.
    FullSpeedStarted {
        steps: u32,
    },
    /// The full speed test is done: its results take the place of the
    /// speed tests' by themselves.
    FullSpeedDone(Vec<CheckResult>),
}

impl Reducible for RunState {
    type Action = RunAction;

    fn reduce(self: Rc<Self>, action: RunAction) -> Rc<Self> {
        let next = match (&*self, action) {
            (_, RunAction::ConfigLoaded { total_steps }) => RunState::Running {
                done: 0,
                total: total_steps,
            },
            (_, RunAction::ConfigFailed { why, device }) => RunState::ConfigFailed { why, device },
            (RunState::Running { done, total }, RunAction::StepDone) => RunState::Running {
                done: (done + 1).min(*total),
                total: *total,
            },
            (
                RunState::Finished {
                    report,
                    speed: Some((done, total)),
                    full_speed,
                },
                RunAction::StepDone,
            ) => RunState::Finished {
                report: report.clone(),
                speed: Some(((done + 1).min(*total), *total)),
                full_speed: *full_speed,
            },
            // A late step from a run that has ended changes nothing.
            (_, RunAction::StepDone) => return self,
            (
                _,
                RunAction::QuickDone {
                    report,
                    speed_steps,
                },
            ) => RunState::Finished {
                report,
                speed: (speed_steps > 0).then_some((0, speed_steps)),
                full_speed: false,
            },
            (RunState::Finished { report, .. }, RunAction::SpeedDone(results)) => {
                RunState::Finished {
                    report: Rc::new((**report).clone().with_more_results(results)),
                    speed: None,
                    full_speed: false,
                }
            }
            (
                RunState::Finished {
                    report,
                    speed: None,
                    full_speed: false,
                },
                RunAction::FullSpeedStarted { steps },
            ) => RunState::Finished {
                report: report.clone(),
                speed: Some((0, steps)),
                full_speed: true,
            },
            (
                RunState::Finished {
                    report,
                    full_speed: true,
                    ..
                },
                RunAction::FullSpeedDone(results),
            ) => RunState::Finished {
                report: Rc::new((**report).clone().with_speed_measured_again(results)),
                speed: None,
                full_speed: true,
            },
            // Asked twice, or done after the run ended: nothing changes.
            (
                _,
                RunAction::SpeedDone(_)
                | RunAction::FullSpeedStarted { .. }
                | RunAction::FullSpeedDone(_),
            ) => {
                return self;
            }
        };
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running() -> Rc<RunState> {
        Rc::new(RunState::LoadingConfig).reduce(RunAction::ConfigLoaded { total_steps: 2 })
    }

    fn done_of(state: &RunState) -> Option<(u32, u32)> {
        match state {
            RunState::Running { done, total } => Some((*done, *total)),
            _ => None,
        }
    }

    #[test]
    fn steps_advance_progress_and_never_pass_the_total() {
        let state = running().reduce(RunAction::StepDone);
        assert_eq!(done_of(&state), Some((1, 2)));
        let state = state
            .reduce(RunAction::StepDone)
            .reduce(RunAction::StepDone);
        assert_eq!(done_of(&state), Some((2, 2)));
    }

    #[test]
    fn the_full_speed_test_runs_once_after_the_speed_tests_by_themselves() {
        let report = Rc::new(Report::judged(
            linktriage_core::report::RunFacts {
                config_name: "t".into(),
                config_version: "1".into(),
                release: String::new(),
                started_at_ms: 0.0,
                utc_offset_minutes: 0,
            },
            Vec::new(),
            DeviceFacts::default(),
        ));
        let finished = running()
            .reduce(RunAction::QuickDone {
                report,
                speed_steps: 2,
            })
            .reduce(RunAction::SpeedDone(Vec::new()));
        // Not while the speed tests by themselves run.
        let early = running().reduce(RunAction::FullSpeedStarted { steps: 2 });
        assert!(matches!(&*early, RunState::Running { .. }));
        let asked = finished
            .clone()
            .reduce(RunAction::FullSpeedStarted { steps: 2 });
        assert!(matches!(
            &*asked,
            RunState::Finished {
                speed: Some((0, 2)),
                full_speed: true,
                ..
            }
        ));
        let again = asked
            .clone()
            .reduce(RunAction::FullSpeedStarted { steps: 2 });
        assert!(Rc::ptr_eq(&asked, &again), "asked twice, it runs once");
        let done = asked
            .reduce(RunAction::StepDone)
            .reduce(RunAction::FullSpeedDone(Vec::new()));
        assert!(matches!(
            &*done,
            RunState::Finished {
                speed: None,
                full_speed: true,
                ..
            }
        ));
        assert!(Rc::ptr_eq(
            &finished,
            &finished
                .clone()
                .reduce(RunAction::FullSpeedDone(Vec::new()))
        ));
    }

    #[test]
    fn a_step_after_the_run_ended_changes_nothing() {
        let failed = Rc::new(RunState::ConfigFailed {
            why: "down".into(),
            device: DeviceFacts::default(),
        });
        let after = failed.clone().reduce(RunAction::StepDone);
        assert!(Rc::ptr_eq(&failed, &after));
    }
}
