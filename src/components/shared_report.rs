//! The report as written out for sharing: Copy, the text with its code, and
//! the share link with its QR code; or, while the report writer works (or
//! cannot be reached), a sentence saying so.

use yew::prelude::*;

use super::{CopyButton, SharePanel};
use crate::hooks::Writing;

#[derive(Debug, Properties, PartialEq)]
pub struct SharedReportProps {
    pub writing: Writing,
    /// Nothing more will be added to the report (the speed tests are done):
    /// with the text up to date, the report is complete.
    #[prop_or(true)]
    pub finished: bool,
}

#[function_component]
pub fn SharedReport(props: &SharedReportProps) -> Html {
    let writing = &props.writing;
    let status = match (&writing.written, &writing.failed) {
        (_, Some(why)) => html! {
            <p id="report-failed" role="alert">{ format!("The report could not be written: {why}. Link Triage tries again every 10 seconds. The result above still holds.") }</p>
        },
        (None, None) => {
            html! { <p id="report-pending" role="status">{ "Writing the report…" }</p> }
        }
        (Some(_), None) => html! {},
    };
    let Some(written) = writing.written.clone() else {
        return status;
    };
    let text: AttrValue = written.text.clone().into();
    let complete = writing.up_to_date && props.finished;
    html! {
        <>
            { status }
            <CopyButton text={text.clone()} fallback_id="report-text" />
            // tabindex lets keyboard users scroll a long report.
            <pre id="report-text" tabindex="0" data-complete={complete.to_string()}>{ text }</pre>
            <SharePanel {written} />
        </>
    }
}
