//! The page's state and the actions that change it (`use_reducer`).

use std::rc::Rc;

use linktriage_core::config::Config;
use linktriage_core::report::Report;
use yew::Reducible;

/// Where a run of the checks has got to.
#[derive(Debug, Clone, PartialEq)]
pub enum RunState {
    /// Fetching the target list.
    LoadingConfig,
    /// The target list could not be had; the sentence says why.
    ConfigFailed(String),
    /// Measuring: `done` of `total` steps taken.
    Running {
        config: Rc<Config>,
        done: u32,
        total: u32,
    },
    /// Everything measured.
    Finished { report: Rc<Report> },
}

#[derive(Debug)]
pub enum RunAction {
    ConfigLoaded { config: Config, total_steps: u32 },
    ConfigFailed(String),
    StepDone,
    Finished(Report),
}

impl Reducible for RunState {
    type Action = RunAction;

    fn reduce(self: Rc<Self>, action: RunAction) -> Rc<Self> {
        let next = match (&*self, action) {
            (
                _,
                RunAction::ConfigLoaded {
                    config,
                    total_steps,
                },
            ) => RunState::Running {
                config: Rc::new(config),
                done: 0,
                total: total_steps,
            },
            (_, RunAction::ConfigFailed(why)) => RunState::ConfigFailed(why),
            (
                RunState::Running {
                    config,
                    done,
                    total,
                },
                RunAction::StepDone,
            ) => RunState::Running {
                config: config.clone(),
                done: (done + 1).min(*total),
                total: *total,
            },
            // A late step from a run that has ended changes nothing.
            (_, RunAction::StepDone) => return self,
            (_, RunAction::Finished(report)) => RunState::Finished {
                report: Rc::new(report),
            },
        };
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linktriage_core::config::Config;

    fn running() -> Rc<RunState> {
        Rc::new(RunState::LoadingConfig).reduce(RunAction::ConfigLoaded {
            config: Config::embedded_default(),
            total_steps: 2,
        })
    }

    fn done_of(state: &RunState) -> Option<(u32, u32)> {
        match state {
            RunState::Running { done, total, .. } => Some((*done, *total)),
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
    fn a_step_after_the_run_ended_changes_nothing() {
        let failed = Rc::new(RunState::ConfigFailed("down".into()));
        let after = failed.clone().reduce(RunAction::StepDone);
        assert!(Rc::ptr_eq(&failed, &after));
    }
}
