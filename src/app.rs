//! The page: what a clinician sees from opening the link to copying the report.

use yew::prelude::*;

use linktriage_core::verdict::judge;

use crate::components::{OfflineNote, Progress, ReportView, VerdictView};
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
            <p role="status">{ "Loading the list of checks…" }</p>
        },
        RunState::ConfigFailed { why, device } => html! {
            <>
                <VerdictView verdict={judge(&[], device)} />
                <div id="config-error" role="alert">
                    <p>{ format!("Link Triage could not load its list of checks: {why}.") }</p>
                    <p>{ "Reload the page. If this keeps happening, tell your IT service desk." }</p>
                </div>
            </>
        },
        RunState::Running { done, total, .. } => html! { <Progress done={*done} total={*total} /> },
        RunState::Finished { report, speed } => {
            html! { <ReportView report={SameReport(report.clone())} speed={*speed} /> }
        }
    };
    html! {
        <>
            <header><h1>{ "Link Triage" }</h1></header>
            <main>
                <p class="intro">{ "This page checks the connection from this computer to the clinical system and the NHS network, and writes a report for your IT service desk." }</p>
                if checks.list_from_copy {
                    <p id="opened-from-copy" role="status">{ "The Link Triage server did not answer, so this page opened from the copy kept on this computer. The checks ran from here." }</p>
                }
                { body }
                <OfflineNote />
            </main>
        </>
    }
}
