//! The finished run: the verdict, and the report text with its code and Copy.

use std::rc::Rc;

use linktriage_core::codec::checks_wire_bytes;
use linktriage_core::report::{Report, render_checks_pasteable, render_checks_text};
use yew::prelude::*;

use super::site_form::SharingChoices;
use super::{CopyButton, Progress, SharePanel, SiteForm, VerdictView, WatchLink};
use crate::hooks::use_report_code;

#[derive(Debug, Properties, PartialEq)]
pub struct ReportViewProps {
    pub report: Rc<Report>,
    /// Speed tests still running: steps done of total.
    pub speed: Option<(u32, u32)>,
}

#[function_component]
pub fn ReportView(props: &ReportViewProps) -> Html {
    let choices = use_state(SharingChoices::default);
    // As shared: what was measured, with what the clinician chose to add or
    // take out. Memoised, so the code is made again only on a change.
    let shared = use_memo((props.report.clone(), (*choices).clone()), |(report, c)| {
        report.shared(&c.site, c.remove_addresses)
    });
    let code = use_report_code(shared.clone(), checks_wire_bytes);
    let text: AttrValue = match &code {
        Some(code) => render_checks_pasteable(&shared, code).into(),
        None => render_checks_text(&shared).into(),
    };
    let on_change = Callback::from(move |c| choices.set(c));
    // Complete: the speed tests are done and the code is in the text.
    let complete = props.speed.is_none() && code.is_some();
    html! {
        <section aria-labelledby="report-heading">
            <VerdictView verdict={props.report.verdict.clone()} />
            <WatchLink />
            <h2 id="report-heading">{ "Report" }</h2>
            <p>{ "Copy this report and paste it into your ticket, email or chat to the IT service desk." }</p>
            if let Some((done, total)) = props.speed {
                <Progress {done} {total} label="Measuring download and upload speed" />
            }
            <SiteForm {on_change} />
            <CopyButton text={text.clone()} fallback_id="report-text" />
            // tabindex lets keyboard users scroll a long report.
            <pre id="report-text" tabindex="0" data-complete={complete.to_string()}>{ text }</pre>
            if let Some(code) = code {
                <SharePanel {code} />
            }
        </section>
    }
}
