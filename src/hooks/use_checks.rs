//! Runs the checks once when the page opens, with no click.

use linktriage_core::check::{CheckResult, Measurement};
use linktriage_core::config::{Config, TargetKind};
use linktriage_core::report::Report;
use yew::prelude::*;

use crate::probes::{self, http, timers};
use crate::state::{RunAction, RunState};

/// Starts the run on first render and returns its state as it advances.
#[hook]
pub fn use_checks() -> UseReducerHandle<RunState> {
    let state = use_reducer(|| RunState::LoadingConfig);
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(run(dispatcher));
        });
    }
    state
}

async fn run(dispatch: UseReducerDispatcher<RunState>) {
    let config = match probes::config::load().await {
        Ok(config) => config,
        Err(why) => return dispatch.dispatch(RunAction::ConfigFailed(why)),
    };
    let started_at_ms = timers::wall_clock_ms();
    let utc_offset_minutes = timers::utc_offset_minutes();
    dispatch.dispatch(RunAction::ConfigLoaded {
        total_steps: total_steps(&config),
        config: config.clone(),
    });
    http::reset_resource_timings();

    let mut results = Vec::new();
    for target in config.targets_of(TargetKind::Probe) {
        let step = dispatch.clone();
        let round_trips = probes::round_trips::measure(target, 1, move || {
            step.dispatch(RunAction::StepDone);
        })
        .await;
        results.push(CheckResult {
            target: target.name.clone(),
            segment: target.segment,
            measurement: Measurement::RoundTrips(round_trips),
        });
    }
    dispatch.dispatch(RunAction::Finished(Report {
        config_name: config.name,
        config_version: config.version,
        started_at_ms,
        utc_offset_minutes,
        results,
    }));
}

/// Steps the progress bar counts: one per timed round trip.
fn total_steps(config: &Config) -> u32 {
    config
        .targets_of(TargetKind::Probe)
        .map(|t| t.samples)
        .sum()
}
