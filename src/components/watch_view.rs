//! The watch page's body: a watch started from its `#watch` link (or by
//! its button), and while it runs, what it has seen: the summary in plain
//! English, a timeline per target, and every drop, which is also the
//! timeline's text alternative.

use std::rc::Rc;

use linktriage_core::desk::fault_name;
use linktriage_core::report::ListFacts;
use linktriage_core::time::{format_timestamp, iso_8601};
use linktriage_core::watch::{
    Cell, DEFAULT_DURATION_MS, DEFAULT_INTERVAL_MS, GAP_INTERVALS, INTERVAL_CHOICES,
    LONGEST_DURATION_MS, Outage, Watch, Watched, loss_cells, outages, requested_by,
    requests_per_cycle, round_trips, summary, timeline,
};
use linktriage_core::wording::span_length;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::{WatchReport, loss_band, round_trip_band, timeline_figure};
use crate::hooks::{WatchPhase, WatchRecord, use_watch};
use crate::probes::{location, page, timers};

/// The timeline shows at most this many cells a row (two hours of minutes).
const MAX_CELLS: usize = 120;
/// What the tab strip says while a drop lasts, and otherwise.
const TITLE_DURING_A_DROP: &str = "Drop in progress: Link Triage";
const TITLE: &str = "Link Triage";

#[derive(Debug, Properties, PartialEq)]
pub struct WatchViewProps {
    pub watched: Rc<Vec<Watched>>,
    /// The target list's name and version, for the report.
    pub config: Rc<ListFacts>,
}

#[function_component]
pub fn WatchView(props: &WatchViewProps) -> Html {
    // A `#watch` link, or the clinician's page's form (`?watch=10s`),
    // starts one at once; a wrong interval says why.
    let link = use_memo((), |()| {
        requested_by(&location::fragment()).or_else(|| requested_by(&location::query()))
    });
    let asked = link
        .as_ref()
        .as_ref()
        .map(|(request, _)| (request.interval_ms, request.duration_ms()));
    let handle = use_watch(props.watched.clone(), props.config.clone(), asked);
    let chosen = use_state(|| DEFAULT_INTERVAL_MS);
    let until_stopped = use_state(|| false);
    // A square per ten seconds, or per minute; `None` until chosen: ten
    // seconds for a watch faster than that, a minute otherwise.
    let zoom = use_state(|| None::<bool>);
    // While it runs, the page looks once a second whether samples still
    // come: none for longer than a gap means the browser has stopped the
    // watch for now (the worker held up, the computer asleep). That is
    // `data-state="paused"`, said in words, and never a drop.
    let tick = use_force_update();
    let running = handle.phase == WatchPhase::Running;
    use_effect_with(running, move |&running| {
        let alive = Rc::new(std::cell::Cell::new(running));
        if running {
            let alive = alive.clone();
            wasm_bindgen_futures::spawn_local(async move {
                while alive.get() {
                    timers::sleep(1_000).await;
                    tick.force_update();
                }
            });
        }
        move || alive.set(false)
    });
    let stalled = running
        && handle.record.as_ref().is_some_and(|r| {
            r.read(|w| {
                let last = w.samples.last().map_or(w.started_at_ms, |s| s.at_ms);
                timers::wall_clock_ms() - last > GAP_INTERVALS * f64::from(w.interval_ms)
            })
        });
    let state = if stalled { "paused" } else { handle.phase.id() };
    let dropping = handle
        .record
        .as_ref()
        .is_some_and(|r| r.read(|w| outages(w).last().is_some_and(|o| o.end_ms.is_none())));
    use_effect_with(dropping, |dropping| {
        page::set_title(if *dropping {
            TITLE_DURING_A_DROP
        } else {
            TITLE
        });
    });

    // How many samples the record holds, for tests and the curious.
    let samples = handle
        .record
        .as_ref()
        .map_or(0, |r| r.read(|w| w.samples.len()))
        .to_string();
    let link_problem = link
        .as_ref()
        .as_ref()
        .and_then(|(_, problem)| problem.clone());
    let problem = link_problem.map(|p| html! { <p id="watch-link-problem" role="alert">{ p }</p> });
    let kept = match &handle.kept {
        Some(Err(why)) => Some(html! {
            <p id="watch-not-kept" class="nhsuk-inset-text">{ format!("This browser does not keep the watch's record ({why}): reloading or closing this tab loses what it has seen. Keep this tab open while it watches.") }</p>
        }),
        _ => None,
    };
    let resumed = handle.resumed.then(|| {
        let why = if page::was_discarded() {
            "The browser put this tab to sleep to save memory, and has opened it again. "
        } else {
            ""
        };
        html! {
            <p id="watch-resumed">{ format!("{why}The watch went on from where it was when this page was closed or reloaded: the time in between shows as paused, not as a drop.") }</p>
        }
    });
    let body = match (&handle.phase, &handle.record) {
        (WatchPhase::Opening, _) => html! {
            <p role="status">{ "Looking for a watch already running in this browser…" }</p>
        },
        (WatchPhase::Running | WatchPhase::Stopped, Some(record)) => {
            let fine = zoom.unwrap_or_else(|| record.read(|w| w.interval_ms < 10_000));
            let on_zoom = {
                let zoom = zoom.clone();
                Callback::from(move |_: MouseEvent| zoom.set(Some(!fine)))
            };
            watching(
                record,
                handle.phase == WatchPhase::Running,
                handle.stop.reform(|_: MouseEvent| ()),
                &props.config,
                (fine, on_zoom),
                requests_per_cycle(&props.watched),
            )
        }
        (phase, record) => {
            let onchange = {
                let chosen = chosen.clone();
                Callback::from(move |e: Event| {
                    let value = e.target_unchecked_into::<HtmlSelectElement>().value();
                    chosen.set(value.parse().unwrap_or(DEFAULT_INTERVAL_MS));
                })
            };
            let on_duration = {
                let until_stopped = until_stopped.clone();
                Callback::from(move |e: Event| {
                    let value = e.target_unchecked_into::<HtmlSelectElement>().value();
                    until_stopped.set(value == "until-stopped");
                })
            };
            let onclick = {
                let (start, chosen, until_stopped) =
                    (handle.start.clone(), chosen.clone(), until_stopped.clone());
                Callback::from(move |_: MouseEvent| {
                    let duration = if *until_stopped {
                        LONGEST_DURATION_MS
                    } else {
                        DEFAULT_DURATION_MS
                    };
                    start.emit((*chosen, duration));
                })
            };
            let failed = match phase {
                WatchPhase::Failed(why) => Some(html! {
                    <p id="watch-failed" role="alert">{ format!("The watch could not start: {why}.") }</p>
                }),
                WatchPhase::Elsewhere => Some(html! {
                    <>
                        <p id="watch-elsewhere" role="alert">{ "A watch is already running in another tab of this browser. What it has seen so far is below; to start a watch here, close that tab first." }</p>
                        if let Some(record) = record {
                            { seen_elsewhere(record) }
                        }
                    </>
                }),
                _ => None,
            };
            html! {
                <>
                    <p>{ "If the problem comes and goes, leave this page open: it checks the connection again every few seconds and records each drop, even in a background tab." }</p>
                    <div class="nhsuk-form-group">
                        <label class="nhsuk-label" for="watch-interval">{ "Check every" }</label>
                        <select id="watch-interval" class="nhsuk-select" {onchange}>
                            { for INTERVAL_CHOICES.iter().map(|(ms, words)| html! {
                                <option value={ms.to_string()} selected={*ms == *chosen}>{ *words }</option>
                            }) }
                        </select>
                    </div>
                    <div class="nhsuk-form-group">
                        <label class="nhsuk-label" for="watch-duration">{ "For" }</label>
                        <select id="watch-duration" class="nhsuk-select" onchange={on_duration}>
                            <option value="8h" selected={!*until_stopped}>{ "8 hours" }</option>
                            <option value="until-stopped" selected={*until_stopped}>{ "as long as I leave it (a week at most)" }</option>
                        </select>
                    </div>
                    <button type="button" id="watch-start" class="nhsuk-button" {onclick}>{ "Keep watching" }</button>
                    { failed }
                </>
            }
        }
    };
    html! {
        <section id="watch" data-state={state} data-samples={samples} aria-labelledby="watch-heading">
            <h2 id="watch-heading" class="nhsuk-heading-m">{ "Keep watching" }</h2>
            if stalled {
                <p id="watch-paused" role="status">{ "The watch is paused: the browser has stopped it for now (the computer asleep, or the tab put to sleep). It goes on by itself, and the time in between shows as paused, not as a drop." }</p>
            }
            { problem }
            { kept }
            { resumed }
            { body }
        </section>
    }
}

/// A running (or stopped) watch: what it has seen. Plain functions rather
/// than components of their own: each component type costs the
/// clinician's page kilobytes of Yew's generic code.
fn watching(
    record: &WatchRecord,
    running: bool,
    stop: Callback<MouseEvent>,
    config: &Rc<ListFacts>,
    (fine, on_zoom): (bool, Callback<MouseEvent>),
    requests: u32,
) -> Html {
    let now = timers::wall_clock_ms();
    let offset = timers::utc_offset_minutes();
    record.read(|watch| {
        let found = outages(watch);
        let drops = (
            found.len(),
            found.last().is_some_and(|o| o.end_ms.is_none()),
            found.last().map(|o| o.diagnosis),
        );
        let n = watch.targets.len();
        let every = span_length(f64::from(watch.interval_ms));
        html! {
            <>
                <p id="watch-summary" role="status">{ summary(watch, now, offset) }</p>
                <p class="watch-load">{ format!("Checking {n} places every {every}: {requests} small requests a cycle, under half a kilobyte each.") }</p>
                if running {
                    <button type="button" id="watch-stop" class="nhsuk-button nhsuk-button--warning" onclick={stop}>{ "Stop watching" }</button>
                } else {
                    <p id="watch-stopped">{ "The watch has stopped. Its drops are below." }</p>
                }
                { timeline_of(watch, now, fine) }
                <button type="button" id="timeline-zoom" class="nhsuk-button nhsuk-button--secondary" aria-pressed={fine.to_string()} onclick={on_zoom}>
                    { "A square for every 10 seconds" }
                </button>
                <h3 id="drops-heading" class="nhsuk-heading-s">{ "Drops" }</h3>
                if found.is_empty() {
                    <p id="no-drops">{ "No drops so far." }</p>
                } else {
                    <ol id="drops" aria-labelledby="drops-heading">
                        { for found.iter().map(|o| drop_item(watch, o, now, offset)) }
                    </ol>
                }
                <WatchReport record={record.clone()} {running} {drops} config={config.clone()} />
            </>
        }
    })
}

/// Another tab's watch, as this browser keeps it: its summary and drops.
fn seen_elsewhere(record: &WatchRecord) -> Html {
    let now = timers::wall_clock_ms();
    let offset = timers::utc_offset_minutes();
    record.read(|watch| {
        let found = outages(watch);
        html! {
            <>
                <p id="watch-summary" role="status">{ summary(watch, now, offset) }</p>
                { timeline_of(watch, now, watch.interval_ms < 10_000) }
                if !found.is_empty() {
                    <ol id="drops" aria-label="Drops">
                        { for found.iter().map(|o| drop_item(watch, o, now, offset)) }
                    </ol>
                }
            </>
        }
    })
}

fn drop_item(watch: &Watch, outage: &Outage, now: f64, offset: i32) -> Html {
    let clock = |ms: f64| format_timestamp(ms, offset)[11..].to_owned();
    let when = outage.when(now, &clock, " so far");
    let names: Vec<&str> = outage
        .targets
        .iter()
        .filter_map(|&t| watch.targets.get(t).map(|t| t.name.as_str()))
        .collect();
    html! {
        <li class="drop" data-start={iso_8601(outage.start_ms)}
            data-end={outage.end_ms.map(iso_8601).unwrap_or_default()}
            data-segment={outage.diagnosis.id()}>
            { format!("{when}: {}. Not answering: {}.", fault_name(outage.diagnosis), names.join(", ")) }
        </li>
    }
}

/// The watch's timeline: a minute a cell, or ten seconds when `fine`;
/// under each target that gives round trips, their band.
fn timeline_of(watch: &Watch, now: f64, fine: bool) -> Html {
    let cell_ms = if fine { 10_000.0 } else { 60_000.0 };
    let rows = timeline(watch, cell_ms, now);
    let cell_words = if cell_ms < 60_000.0 {
        "10 seconds"
    } else {
        "a minute"
    };
    let rows: Vec<(&str, &[Cell])> = watch
        .targets
        .iter()
        .zip(&rows)
        .map(|(target, row)| (target.name.as_str(), row.as_slice()))
        .collect();
    let bands = (0..watch.targets.len()).filter_map(|t| {
        let cells = round_trips(watch, t, cell_ms, now);
        cells
            .iter()
            .any(Option::is_some)
            .then(|| round_trip_band(&watch.targets[t].name, &cells, MAX_CELLS))
    });
    let losses = (0..watch.targets.len()).filter_map(|t| {
        let minutes = watch.loss_of(t);
        (!minutes.is_empty()).then(|| {
            let cells = loss_cells(minutes, watch.started_at_ms, cell_ms, now);
            loss_band(&watch.targets[t].name, &cells, MAX_CELLS)
        })
    });
    html! {
        <>
            { timeline_figure(&rows, cell_words, MAX_CELLS, true) }
            { for bands }
            { for losses }
        </>
    }
}
