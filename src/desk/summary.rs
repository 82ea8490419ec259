//! Above the reports: how many were found, the sites that failed together,
//! the table of all of them, and the reports that could not be read.

use std::rc::Rc;

use linktriage_core::desk::{Entry, row, shared_faults, summary};
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct SummaryProps {
    pub entries: Rc<Vec<Entry>>,
}

#[function_component]
pub fn Summary(props: &SummaryProps) -> Html {
    let entries = &props.entries;
    let read: Vec<_> = entries
        .iter()
        .filter_map(|e| Some((e.number, e.report.as_ref().ok()?)))
        .collect();
    let faults = shared_faults(read.iter().map(|(_, r)| *r));
    let damaged: Vec<_> = entries
        .iter()
        .filter_map(|e| Some((e, e.report.as_ref().err()?)))
        .collect();
    html! {
        <>
            <p id="desk-status" role="status">{ summary(entries) }</p>
            if !faults.is_empty() {
                <section id="shared-faults" class="nhsuk-warning-callout" aria-labelledby="shared-faults-heading">
                    <h3 id="shared-faults-heading" class="nhsuk-warning-callout__label">{ "Sites that failed together" }</h3>
                    <ul>
                        { for faults.iter().map(|f| html! {
                            <li data-segment={f.loss.id()}>
                                <strong>{ f.headline() }</strong>{ format!(": {}.", f.sites_listed()) }
                            </li>
                        }) }
                    </ul>
                </section>
            }
            if !damaged.is_empty() {
                <section id="damaged" class="nhsuk-error-summary" aria-labelledby="damaged-heading">
                    <h3 id="damaged-heading" class="nhsuk-error-summary__title">{ "Reports that could not be read" }</h3>
                    <ul>
                        { for damaged.iter().map(|(e, why)| html! {
                            <li class="damaged" data-report={e.number.to_string()}>
                                { format!("Report {} (line {} of the paste): {why}.", e.number, e.line) }
                            </li>
                        }) }
                    </ul>
                </section>
            }
            if read.len() >= 2 {
                <div class="table-scroll" tabindex="0" role="region" aria-labelledby="report-table-caption">
                    <table id="report-table" class="nhsuk-table">
                        <caption id="report-table-caption" class="nhsuk-table__caption">{ "Every report in the paste" }</caption>
                        <thead class="nhsuk-table__head">
                            <tr class="nhsuk-table__row">
                                <th scope="col" class="nhsuk-table__header">{ "Report" }</th>
                                <th scope="col" class="nhsuk-table__header">{ "Site" }</th>
                                <th scope="col" class="nhsuk-table__header">{ "Ticket" }</th>
                                <th scope="col" class="nhsuk-table__header">{ "Checked" }</th>
                                <th scope="col" class="nhsuk-table__header">{ "Verdict" }</th>
                                <th scope="col" class="nhsuk-table__header">{ "Key figures" }</th>
                            </tr>
                        </thead>
                        <tbody class="nhsuk-table__body">
                            { for read.iter().map(|(number, report)| {
                                let r = row(report, *number);
                                html! {
                                    <tr class="nhsuk-table__row" data-segment={r.diagnosis.id()}>
                                        <td class="nhsuk-table__cell"><a href={format!("#report-{number}")}>{ number }</a></td>
                                        <td class="nhsuk-table__cell">{ r.site }</td>
                                        <td class="nhsuk-table__cell">{ r.ticket }</td>
                                        <td class="nhsuk-table__cell">{ r.checked_utc }</td>
                                        <td class="nhsuk-table__cell">{ r.verdict }</td>
                                        <td class="nhsuk-table__cell">{ r.key_figures }</td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </>
    }
}
