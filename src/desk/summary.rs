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
                <section id="shared-faults" class="alert-box" aria-labelledby="shared-faults-heading">
                    <h2 id="shared-faults-heading">{ "Sites that failed together" }</h2>
                    <ul>
                        { for faults.iter().map(|f| html! {
                            <li data-segment={f.diagnosis.id()}>
                                <strong>{ f.headline() }</strong>{ format!(": {}.", f.sites.join(", ")) }
                            </li>
                        }) }
                    </ul>
                </section>
            }
            if !damaged.is_empty() {
                <section id="damaged" aria-labelledby="damaged-heading">
                    <h2 id="damaged-heading">{ "Reports that could not be read" }</h2>
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
                    <table id="report-table">
                        <caption id="report-table-caption">{ "Every report in the paste" }</caption>
                        <thead>
                            <tr>
                                <th scope="col">{ "Report" }</th>
                                <th scope="col">{ "Site" }</th>
                                <th scope="col">{ "Ticket" }</th>
                                <th scope="col">{ "Checked" }</th>
                                <th scope="col">{ "Verdict" }</th>
                                <th scope="col">{ "Key figures" }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for read.iter().map(|(number, report)| {
                                let r = row(report, *number);
                                html! {
                                    <tr data-segment={r.diagnosis.id()}>
                                        <td><a href={format!("#report-{number}")}>{ number }</a></td>
                                        <td>{ r.site }</td>
                                        <td>{ r.ticket }</td>
                                        <td>{ r.checked_utc }</td>
                                        <td>{ r.verdict }</td>
                                        <td>{ r.key_figures }</td>
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
