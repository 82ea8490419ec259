//! The report as written out for sharing, in two parts: Copy (with the
//! writer's progress, or why it could not write), which the page puts just
//! under the verdict, so both are seen without scrolling; and the text
//! with its code and the share link with its QR code, further down.

use yew::prelude::*;

use super::{CopyButton, SharePanel};
use crate::hooks::Writing;

#[derive(Debug, Properties, PartialEq)]
pub struct CopyReportProps {
    pub writing: Writing,
}

/// Copy report, once the report is written; until then, or when it cannot
/// be, a sentence saying so.
#[function_component]
pub fn CopyReport(props: &CopyReportProps) -> Html {
    let writing = &props.writing;
    let status = match (&writing.written, &writing.failed) {
        (_, Some(why)) => report_failed(why),
        (None, None) => {
            html! { <p id="report-pending" role="status">{ "Writing the report…" }</p> }
        }
        (Some(_), None) => html! {},
    };
    html! {
        <>
            { status }
            if let Some(written) = &writing.written {
                <CopyButton text={AttrValue::from(written.text.clone())} fallback_id="report-text" />
            }
        </>
    }
}

/// How long after a failure the report panel is fetched again, or the
/// writer asked again: the network may be back. [`report_failed`] says so.
pub const RETRY_MS: u32 = 10_000;

/// Why the report could not be written (the writer, or the panel that asks
/// it, could not be had), said where Copy would be.
pub fn report_failed(why: &str) -> Html {
    let seconds = RETRY_MS / 1_000;
    html! {
        <p id="report-failed" class="nhsuk-error-message" role="alert">{ format!("The report could not be written: {why}. Link Triage tries again every {seconds} seconds. The result above still holds.") }</p>
    }
}

#[derive(Debug, Properties, PartialEq)]
pub struct SharedReportProps {
    pub writing: Writing,
    /// Nothing more will be added to the report (the speed tests are done):
    /// with the text up to date, the report is complete.
    #[prop_or(true)]
    pub finished: bool,
}

/// The report's text, as Copy copies it, and its share link and QR code.
#[function_component]
pub fn SharedReport(props: &SharedReportProps) -> Html {
    let writing = &props.writing;
    let Some(written) = writing.written.clone() else {
        return html! {};
    };
    let complete = writing.up_to_date && props.finished;
    html! {
        <>
            // tabindex lets keyboard users scroll a long report.
            <pre id="report-text" class="report-text" tabindex="0" data-complete={complete.to_string()}>{ written.text.clone() }</pre>
            <SharePanel {written} />
        </>
    }
}
