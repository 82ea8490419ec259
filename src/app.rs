//! The page: what a clinician sees from opening the link to copying the report.

use yew::prelude::*;

use linktriage_core::plan::SpeedTest;
use linktriage_core::verdict::judge;

use crate::components::{FullSpeed, OfflineNote, Progress, ReportView, VerdictView};
use crate::hooks::use_checks;
use crate::probes;
use crate::state::{RunState, SameReport};

/// The URL fragment that makes the app panic on purpose, so the support desk
/// (and the tests) can see that a fault in the tool shows a message.
pub const SELF_TEST_PANIC: &str = "#selftest-panic";

#[function_component]
pub fn App() -> Html {
    let checks = use_checks();
    let run = checks.run;
    if probes::location::fragment() == SELF_TEST_PANIC {
        panic!("self-test: the page address asked for a crash");
    }
    let body = match &*run {
        RunState::LoadingConfig => html! {
            <p>{ "Loading the list of checks…" }</p>
        },
        RunState::ConfigFailed { why, device } => html! {
            <>
                <VerdictView verdict={judge(&[], device)} />
                <div id="config-error" class="nhsuk-error-summary" role="alert">
                    <p>{ format!("Link Triage could not load its list of checks: {why}.") }</p>
                    <p>{ "Reload the page. If this keeps happening, tell your IT service desk." }</p>
                </div>
            </>
        },
        RunState::Running { done, total, .. } => html! { <Progress done={*done} total={*total} /> },
        RunState::Finished {
            report,
            speed,
            full_speed,
        } => {
            let full_speed = if *full_speed {
                FullSpeed::Asked
            } else if speed.is_none() && SpeedTest::full_would_tell_more(&report.results) {
                FullSpeed::Offered(checks.run_full_speed.clone())
            } else {
                FullSpeed::NotOffered
            };
            html! {
                <ReportView report={SameReport(report.clone())} speed={*speed} {full_speed} desk_phone={checks.desk_phone.clone()} />
            }
        }
    };
    // What a screen reader hears, politely: where the run has got to, once
    // a stage (never once a check), then the verdict. One region, there
    // from the start, so that each change is read out.
    let announced = match &*run {
        RunState::LoadingConfig => "Loading the list of checks.".to_owned(),
        RunState::ConfigFailed { .. } => String::new(),
        RunState::Running { .. } => {
            "Checking the connection. This takes about 10 seconds.".to_owned()
        }
        RunState::Finished { report, .. } => {
            format!("Checked. {}", report.verdict.primary().headline)
        }
    };
    html! {
        // Inside the page's <main> (`crate::mount`), under its header.
        <>
            <h1 class="nhsuk-heading-l">{ "Check the connection to the clinical system" }</h1>
            <p id="run-status" class="nhsuk-u-visually-hidden" role="status" aria-live="polite">{ announced }</p>
            // Once there is a verdict, it comes first.
            if !matches!(&*run, RunState::Finished { .. }) {
                <p class="intro">{ "This page checks the connection from this computer to the clinical system and the NHS network, and writes a report for your IT service desk." }</p>
            }
            if checks.list_from_copy {
                { opened_from_copy("The checks ran from here.") }
            }
            { body }
            <OfflineNote />
        </>
    }
}

/// The banner saying the page opened from this computer's copy, the server
/// not answering; `then` says what ran from it.
pub fn opened_from_copy(then: &'static str) -> Html {
    html! {
        <div id="opened-from-copy" class="nhsuk-notification-banner" role="status" aria-labelledby="opened-from-copy-title">
            <div class="nhsuk-notification-banner__header">
                <h2 class="nhsuk-notification-banner__title" id="opened-from-copy-title">{ "Important" }</h2>
            </div>
            <div class="nhsuk-notification-banner__content">
                <p class="nhsuk-notification-banner__heading">{ "The Link Triage server did not answer, so this page opened from the copy kept on this computer." }</p>
                <p>{ then }</p>
            </div>
        </div>
    }
}
