//! The finished run: the verdict, and the report text with its code and Copy.

use linktriage_core::codec::checks_wire_bytes;
use yew::prelude::*;

use super::site_form::SharingChoices;
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
    let choices = use_state(SharingChoices::default);
    // As shared: what was measured, with what the clinician chose to add or
    // take out. Memoised, so the code is made again only on a change.
    let shared = use_memo((props.report.clone(), (*choices).clone()), |(report, c)| {
        report.0.shared(&c.site, c.remove_addresses)
    });
    let writing = use_written_report(shared, checks_wire_bytes);
    let on_change = Callback::from(move |c| choices.set(c));
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
