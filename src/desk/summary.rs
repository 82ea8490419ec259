//! Above the reports: how many were found, the sites that failed together,
//! the table of all of them, and the reports that could not be read.

use std::rc::Rc;

use linktriage_core::desk::{Entry, row, shared_faults, summary};
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct SummaryProps {
    pub entries: Rc<Vec<Entry>>,
}

/// The table's columns, in order.
const COLUMNS: [&str; 6] = [
    "Report",
    "Site",
    "Ticket",
    "Checked",
    "Verdict",
    "Key figures",
];

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
                // The design system's responsive table: on a narrow screen
                // each report is a block of labelled lines, so no column is
                // cut off; the roles keep it a table for a screen reader.
                <table id="report-table" class="nhsuk-table nhsuk-table--responsive" role="table">
                    <caption id="report-table-caption" class="nhsuk-table__caption">{ "Every report in the paste" }</caption>
                    <thead class="nhsuk-table__head" role="rowgroup">
                        <tr class="nhsuk-table__row" role="row">
                            { for COLUMNS.iter().map(|c| html! {
                                <th scope="col" class="nhsuk-table__header" role="columnheader">{ *c }</th>
                            }) }
                        </tr>
                    </thead>
                    <tbody class="nhsuk-table__body">
                        { for read.iter().map(|(number, report)| {
                            let r = row(report, *number);
                            let number = html! { <a href={format!("#report-{number}")}>{ number }</a> };
                            let cells = [number, r.site.into(), r.ticket.into(), r.checked_utc.into(), r.verdict.into(), r.key_figures.into()];
                            html! {
                                <tr class="nhsuk-table__row" role="row" data-segment={r.diagnosis.id()}>
                                    { for COLUMNS.iter().zip(cells).map(|(column, cell)| html! {
                                        <td class="nhsuk-table__cell" role="cell">
                                            <span class="nhsuk-table__heading" aria-hidden="true">{ *column }</span>
                                            <span>{ cell }</span>
                                        </td>
                                    }) }
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
        </>
    }
}
