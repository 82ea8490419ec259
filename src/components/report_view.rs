//! The finished run: the verdict, the report text, Copy and the JSON download.

use std::rc::Rc;

use linktriage_core::report::{Report, render_text};
use yew::prelude::*;

use super::{CopyButton, Progress, VerdictView};

#[derive(Debug, Properties, PartialEq)]
pub struct ReportViewProps {
    pub report: Rc<Report>,
    /// Speed tests still running: steps done of total.
    pub speed: Option<(u32, u32)>,
}

#[function_component]
pub fn ReportView(props: &ReportViewProps) -> Html {
    let text: AttrValue = render_text(&props.report).into();
    html! {
        <section aria-labelledby="report-heading">
            <VerdictView verdict={props.report.verdict.clone()} />
            <h2 id="report-heading">{ "Report" }</h2>
            <p>{ "Copy this report and paste it into your ticket, email or chat to the IT service desk." }</p>
            if let Some((done, total)) = props.speed {
                <Progress {done} {total} label="Measuring download and upload speed" />
            }
            <CopyButton text={text.clone()} fallback_id="report-text" />
            <a id="report-json" class="download" download="linktriage-report.json" href={json_href(&props.report)}>
                { "Download the full results (JSON)" }
            </a>
            // tabindex lets keyboard users scroll a long report.
            <pre id="report-text" tabindex="0" data-complete={props.speed.is_none().to_string()}>{ text }</pre>
        </section>
    }
}

/// The whole report as a `data:` URL: nothing is uploaded, the browser
/// saves it straight from the page.
fn json_href(report: &Report) -> String {
    let json = serde_json::to_string(report).unwrap_or_default();
    format!(
        "data:application/json;charset=utf-8,{}",
        js_sys::encode_uri_component(&json)
    )
}
