//! Runs the checks once when the page opens, with no click.

use std::cell::RefCell;
use std::rc::Rc;

use linktriage_core::config::Config;
use linktriage_core::plan::{self, SpeedTest};
use linktriage_core::report::Report;
use yew::prelude::*;

use crate::probes::timers::Deadline;
use crate::probes::{self, http, timers};
use crate::state::{RunAction, RunState};
use crate::suite;

/// The run as it advances, whether its list of checks is the copy this
/// computer kept (the server did not answer), and the desk's number where
/// the list gives one.
#[derive(Debug)]
pub struct Checks {
    pub run: UseReducerHandle<RunState>,
    pub list_from_copy: bool,
    pub desk_phone: Option<AttrValue>,
    /// Runs the full speed test, once the speed tests by themselves are
    /// done (`plan::SpeedTest`).
    pub run_full_speed: Callback<MouseEvent>,
}

/// What the run learns of its list beside the checks, for the page to show.
struct ListShown {
    from_copy: UseStateSetter<bool>,
    desk_phone: UseStateSetter<Option<AttrValue>>,
    /// The list, kept for the full speed test.
    kept: Rc<RefCell<Option<Rc<Config>>>>,
}

/// Starts the run on first render and returns its state as it advances.
#[hook]
pub fn use_checks() -> Checks {
    let state = use_reducer(|| RunState::LoadingConfig);
    let list_from_copy = use_state(|| false);
    let desk_phone = use_state(|| None);
    let kept = use_mut_ref(|| None::<Rc<Config>>);
    {
        let dispatcher = state.dispatcher();
        let shown = ListShown {
            from_copy: list_from_copy.setter(),
            desk_phone: desk_phone.setter(),
            kept: kept.clone(),
        };
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(run(dispatcher, shown));
        });
    }
    let run_full_speed = {
        let (state, kept) = (state.clone(), kept.clone());
        Callback::from(move |_: MouseEvent| {
            let RunState::Finished {
                report,
                speed: None,
                full_speed: false,
            } = &*state
            else {
                return;
            };
            let Some(config) = kept.borrow().clone() else {
                return;
            };
            let (report, dispatch) = (report.clone(), state.dispatcher());
            wasm_bindgen_futures::spawn_local(full_speed(config, report, dispatch));
        })
    };
    Checks {
        run: state,
        list_from_copy: *list_from_copy,
        desk_phone: (*desk_phone).clone(),
        run_full_speed,
    }
}

/// The full speed test against the servers that answered `report`'s round
/// trips, in place of the speed tests by themselves.
async fn full_speed(
    config: Rc<Config>,
    report: Rc<Report>,
    dispatch: UseReducerDispatcher<RunState>,
) {
    let speed = plan::speed(&config, &probes::location::hostname(), &report.results);
    dispatch.dispatch(RunAction::FullSpeedStarted {
        steps: plan::steps(&speed),
    });
    let step = {
        let dispatch = dispatch.clone();
        move || dispatch.dispatch(RunAction::StepDone)
    };
    let results = suite::speed(&speed, SpeedTest::Full, step).await;
    dispatch.dispatch(RunAction::FullSpeedDone(results));
}

async fn run(dispatch: UseReducerDispatcher<RunState>, shown: ListShown) {
    let (config, list) = match probes::config::load().await {
        Ok(loaded) => {
            shown.from_copy.set(loaded.from_copy);
            shown
                .desk_phone
                .set(loaded.config.desk_phone.clone().map(AttrValue::from));
            let list = loaded.facts();
            *shown.kept.borrow_mut() = Some(Rc::new(loaded.config.clone()));
            (loaded.config, list)
        }
        Err(why) => {
            let device = probes::device::facts();
            return dispatch.dispatch(RunAction::ConfigFailed { why, device });
        }
    };
    let started_at_ms = timers::wall_clock_ms();
    let utc_offset_minutes = timers::utc_offset_minutes();
    // Where the page came from places the server that served it.
    let page_host = probes::location::hostname();
    let mut quick = plan::quick(&config, &page_host);
    let after_verdict = plan::after_the_verdict(&mut quick);
    dispatch.dispatch(RunAction::ConfigLoaded {
        total_steps: plan::steps(&quick),
    });
    http::reset_resource_timings();

    let step = {
        let dispatch = dispatch.clone();
        move || dispatch.dispatch(RunAction::StepDone)
    };
    // Opened while the quick phase runs, so that a lossy handshake costs
    // the loss check none of its own time.
    let loss_channels = suite::Begun::loss_channels(&after_verdict);
    let first = Deadline::after_opening(suite::QUICK_BUDGET_MS, suite::LEAST_QUICK_MS);
    let results = suite::quick(&quick, first, &suite::Begun::default(), step.clone()).await;
    let after_verdict = plan::for_those_that_answered(after_verdict, &results);
    let speed = plan::speed(&config, &page_host, &results);
    let speed_steps = plan::steps(&after_verdict) + plan::steps(&speed);
    let first = Report::judged(
        list.run_at(started_at_ms, utc_offset_minutes),
        results,
        probes::device::facts(),
    );
    dispatch.dispatch(RunAction::QuickDone {
        speed_steps,
        report: Rc::new(match speed_steps {
            0 => first,
            _ => first.while_more_checks_run(),
        }),
    });
    // Within a deadline of their own, then the speed tests,
    // one after the other: probes during a transfer would measure the
    // transfer.
    let mut more = suite::quick(
        &after_verdict,
        Deadline::in_ms(suite::AFTER_VERDICT_BUDGET_MS),
        &loss_channels,
        step.clone(),
    )
    .await;
    more.extend(suite::speed(&speed, SpeedTest::ByItself, step).await);
    if !after_verdict.is_empty() || !speed.is_empty() {
        dispatch.dispatch(RunAction::SpeedDone(more));
    }
}
