//! The report panel, a bundle of its own (`src/bin/report_panel.rs`), which
//! the clinician's page loads once it shows a verdict
//! (`probes::report_panel`): Copy, what the clinician may add to the
//! report, the report's text and its share link, drawn into the page's
//! `#report-panel`, and Copy into its `#report-copy` under the verdict's
//! callout, both of which the page leaves empty for it.

use std::cell::RefCell;
use std::rc::Rc;

use linktriage_core::report::Sharing;
use yew::AppHandle;
use yew::prelude::*;

use crate::components::{CopyReport, SharedReport, SiteForm};
use crate::hooks::{SameBytes, use_written_report};
use crate::probes::page::element_by_id;

/// Where the clinician's page leaves room for the panel, and for Copy.
pub const PANEL_ID: &str = "report-panel";
pub const COPY_ID: &str = "report-copy";

thread_local! {
    static PANEL: RefCell<Option<AppHandle<ReportPanel>>> = const { RefCell::new(None) };
}

/// Shows `report` (its wire bytes) in the panel, drawing the panel the
/// first time.
pub fn show(report: Vec<u8>, finished: bool) {
    let props = ReportPanelProps {
        report: SameBytes(Rc::new(report)),
        finished,
    };
    PANEL.with_borrow_mut(|panel| match panel {
        Some(handle) => handle.update(props),
        None => {
            let Some(root) = element_by_id(PANEL_ID) else {
                return;
            };
            *panel = Some(yew::Renderer::<ReportPanel>::with_root_and_props(root, props).render());
        }
    });
}

#[derive(Debug, Properties, PartialEq)]
pub struct ReportPanelProps {
    pub report: SameBytes,
    /// Nothing more will be added to the report (the speed tests are done).
    pub finished: bool,
}

#[function_component]
pub fn ReportPanel(props: &ReportPanelProps) -> Html {
    // What the clinician chose to add or take out: the writer applies it.
    let sharing = use_state(Sharing::default);
    let writing = use_written_report(props.report.clone(), (*sharing).clone());
    let on_change = Callback::from(move |s| sharing.set(s));
    let copy = html! { <CopyReport writing={writing.clone()} /> };
    let copy_slot = element_by_id(COPY_ID);
    html! {
        <>
            // Copy under the verdict's callout, where the page left room.
            if let Some(slot) = copy_slot {
                { create_portal(copy, slot) }
            } else {
                { copy }
            }
            <section aria-labelledby="report-heading">
                <h2 id="report-heading" class="nhsuk-heading-m">{ "Report" }</h2>
                <p>{ "Copy this report and paste it into your ticket, email or chat to the IT service desk. If you add details below, copy it again." }</p>
                <SiteForm {on_change} />
                <SharedReport {writing} finished={props.finished} />
            </section>
        </>
    }
}
