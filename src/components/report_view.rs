//! The finished run: the verdict, and the report text with its code and Copy.

use linktriage_core::codec::checks_wire_bytes;
use linktriage_core::report::Sharing;
use yew::prelude::*;

use super::{Progress, SharedReport, SiteForm, VerdictView, WatchLink};
use crate::hooks::use_written_report;
use crate::state::SameReport;

#[derive(Debug, Properties, PartialEq)]
pub struct ReportViewProps {
    pub report: SameReport,
    /// Speed tests still running: steps done of total.
    pub speed: Option<(u32, u32)>,
}

#[function_component]
pub fn ReportView(props: &ReportViewProps) -> Html {
    // What the clinician chose to add or take out: the writer applies it.
    let sharing = use_state(Sharing::default);
    let writing = use_written_report(
        props.report.0.clone(),
        (*sharing).clone(),
        checks_wire_bytes,
    );
    let on_change = Callback::from(move |s| sharing.set(s));
    html! {
        <section aria-labelledby="report-heading">
            <VerdictView verdict={props.report.0.verdict.clone()} />
            <WatchLink />
            <h2 id="report-heading">{ "Report" }</h2>
            <p>{ "Copy this report and paste it into your ticket, email or chat to the IT service desk." }</p>
            if let Some((done, total)) = props.speed {
                <Progress {done} {total} label="Checking for packet loss and cut connections, then download and upload speed" />
            }
            <SiteForm {on_change} />
            <SharedReport {writing} finished={props.speed.is_none()} />
        </section>
    }
}
