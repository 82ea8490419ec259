//! One report as the clinician saw it: the verdict, then the very text they
//! pasted, with Copy and a JSON download for ticket tooling.

use std::rc::Rc;

use linktriage_core::desk::{NO_SITE_GIVEN, checked_utc, site_of};
use linktriage_core::report::{Report, render_pasteable};
use linktriage_core::watch::{MINUTE_MS, loss_cells};
use yew::prelude::*;

use crate::components::{CopyButton, VerdictView, loss_band, timeline_figure};
use crate::probes::save;

#[derive(Debug, Properties, PartialEq)]
pub struct ReportCardProps {
    pub number: usize,
    pub code: AttrValue,
    pub report: Rc<Report>,
    /// The first card with a watch draws the timeline's legend (and the
    /// patterns every card's timeline uses).
    #[prop_or_default]
    pub legend: bool,
}

#[function_component]
pub fn ReportCard(props: &ReportCardProps) -> Html {
    let (number, report) = (props.number, &props.report);
    let id = format!("report-{number}");
    let saved = use_state(|| None::<Result<(), String>>);
    let text: AttrValue = render_pasteable(report, &props.code).into();
    let on_download = {
        let (report, saved) = (report.clone(), saved.clone());
        Callback::from(move |_| saved.set(Some(save::report_as_json(&report))))
    };
    let site = site_of(report).unwrap_or(NO_SITE_GIVEN);

    html! {
        <article class="nhsuk-card desk-report" id={id.clone()} aria-labelledby={format!("{id}-heading")}>
            <div class="nhsuk-card__content">
            <h2 id={format!("{id}-heading")} class="nhsuk-card__heading nhsuk-heading-m">{ format!("Report {number}: {site}, checked {}", checked_utc(report)) }</h2>
            <VerdictView verdict={report.verdict.clone()} id={format!("{id}-verdict")} for_the_desk=true />
            if let Some(watch) = &report.watch {
                <section class="desk-watch" id={format!("{id}-watch")} aria-labelledby={format!("{id}-watch-heading")}>
                    <h3 id={format!("{id}-watch-heading")} class="nhsuk-heading-s">{ "Watch" }</h3>
                    <p>{ format!("{} (Times in UTC.)", watch.summary(0)) }</p>
                    { timeline_figure(
                        &watch.targets.iter().map(|t| (t.name.as_str(), t.minutes.as_slice())).collect::<Vec<_>>(),
                        "a minute",
                        usize::MAX,
                        props.legend,
                    ) }
                    { for watch.targets.iter().filter(|t| !t.loss.is_empty()).map(|t| {
                        let cells = loss_cells(&t.loss, watch.started_at_ms, MINUTE_MS, watch.until_ms);
                        loss_band(&t.name, &cells, usize::MAX)
                    }) }
                </section>
            }
            <CopyButton text={text.clone()} fallback_id={format!("{id}-text")} id={format!("{id}-copy")} />
            <button type="button" id={format!("{id}-json")} class="nhsuk-button nhsuk-button--secondary" onclick={on_download}>{ "Download as JSON" }</button>
            if let Some(Err(why)) = &*saved {
                <p class="nhsuk-error-message" role="alert">{ why.clone() }</p>
            }
            <pre id={format!("{id}-text")} class="report-text" tabindex="0">{ text }</pre>
            </div>
        </article>
    }
}
