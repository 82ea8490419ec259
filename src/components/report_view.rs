//! The finished run: the verdict, and room for the report panel (Copy, the
//! site details, the report's text and its share link), a bundle of its
//! own that this page fetches once it has a verdict to show.

use linktriage_core::codec::checks_wire_bytes;
use linktriage_core::verdict::Diagnosis;
use yew::prelude::*;

use super::shared_report::{RETRY_MS, report_failed};
use super::{Progress, VerdictView, WatchLink};
use crate::probes::{report_panel, timers};
use crate::report_panel::{COPY_ID, PANEL_ID};
use crate::state::SameReport;

/// The full speed test (`plan::SpeedTest::Full`): offered where the speed
/// tests by themselves stopped short on a fast line, and run once.
#[derive(Debug, Clone, PartialEq)]
pub enum FullSpeed {
    NotOffered,
    Offered(Callback<MouseEvent>),
    Asked,
}

#[derive(Debug, Properties, PartialEq)]
pub struct ReportViewProps {
    pub report: SameReport,
    /// Speed tests still running: steps done of total.
    pub speed: Option<(u32, u32)>,
    pub full_speed: FullSpeed,
    /// The desk's number, where the target list gives one.
    #[prop_or_default]
    pub desk_phone: Option<AttrValue>,
}

/// Where fetching the report panel has got to.
#[derive(Debug, Clone, PartialEq)]
enum Panel {
    Loading,
    Started,
    /// Why it could not be fetched; it is fetched again by itself.
    Failed(String),
}

#[function_component]
pub fn ReportView(props: &ReportViewProps) -> Html {
    let panel = use_state(|| Panel::Loading);
    {
        let panel = panel.setter();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                loop {
                    match report_panel::load().await {
                        Ok(()) => return panel.set(Panel::Started),
                        Err(why) => panel.set(Panel::Failed(why)),
                    }
                    timers::sleep(RETRY_MS).await;
                }
            });
        });
    }
    let finished = props.speed.is_none();
    let started = *panel == Panel::Started;
    use_effect_with(
        (props.report.clone(), finished, started),
        |(report, finished, started)| {
            if *started {
                report_panel::show(&checks_wire_bytes(&report.0), *finished);
            }
        },
    );
    let status = match &*panel {
        Panel::Loading => {
            html! { <p id="report-pending" role="status">{ "Writing the report…" }</p> }
        }
        Panel::Failed(why) => report_failed(why),
        Panel::Started => html! {},
    };
    let watch_first = matches!(
        props.report.0.verdict.primary().diagnosis,
        Diagnosis::None | Diagnosis::Degraded | Diagnosis::Unknown
    );
    // The verdict and Copy first, seen without scrolling on a laptop or a
    // phone. The panel's two elements (Copy in the verdict, the rest under
    // it) stay empty here: the panel's own bundle draws into them, and this
    // page never touches what it draws.
    html! {
        <>
            <VerdictView verdict={props.report.0.verdict.clone()} desk_phone={props.desk_phone.clone()}>
                <div id={COPY_ID} class="copy-slot"></div>
            </VerdictView>
            // Nothing found wrong, or a fault that comes and goes: watching
            // is the next step, so it is offered beside the verdict.
            if watch_first {
                <WatchLink />
            }
            // In the place the progress bar had, so that nothing below moves.
            if let Some((done, total)) = props.speed {
                if props.full_speed == FullSpeed::Asked {
                    <Progress {done} {total} label="Measuring the full download and upload speed (up to about 40 MB each way)" />
                } else {
                    <Progress {done} {total} label="Still checking, which can change the result: packet loss and cut connections, then download and upload speed" />
                }
            } else if let FullSpeed::Offered(onclick) = &props.full_speed {
                <div class="full-speed">
                    <p>{ "The line is faster than the speed test measures by itself (it stops at a few megabytes, so as not to load a line that may be failing): the report gives the speed it reached." }</p>
                    <button type="button" id="full-speed" class="nhsuk-button nhsuk-button--secondary" onclick={onclick.clone()}>{ "Measure the full speed" }</button>
                </div>
            }
            { status }
            <div id={PANEL_ID}></div>
            if !watch_first {
                <WatchLink />
            }
        </>
    }
}
