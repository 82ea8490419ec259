//! The verdict: one plain sentence, what to do, who fixes it; the evidence
//! for the desk one click away.

use linktriage_core::config::tel_address;
use linktriage_core::verdict::{Verdict, confidence_word};
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct VerdictViewProps {
    pub verdict: Verdict,
    /// The heading's id; the desk view shows several verdicts on one page.
    #[prop_or(AttrValue::Static("verdict"))]
    pub id: AttrValue,
    /// The desk's number, where the target list gives one: said with what
    /// to do now, as a link that dials it.
    #[prop_or_default]
    pub desk_phone: Option<AttrValue>,
    /// Shown to the desk, which reads a clinician's report: the callout
    /// says where to route it, and what the clinician was told to do, not
    /// "call your IT service desk" to the desk itself.
    #[prop_or_default]
    pub for_the_desk: bool,
    /// Drawn just under what to do now: the clinician's page puts Copy
    /// here, so the verdict and Copy are seen together without scrolling.
    #[prop_or_default]
    pub children: Html,
}

#[function_component]
pub fn VerdictView(props: &VerdictViewProps) -> Html {
    let verdict = &props.verdict;
    let primary = verdict.primary();
    let others = &verdict.findings[1..];
    // The design system's parts: what is wrong as the heading, what to do
    // now and who fixes it in its warning callout ("Important"), what
    // else was found as a summary list, the evidence folded in details.
    html! {
        <section class="verdict" aria-labelledby={props.id.clone()}>
            <h2 id={props.id.clone()} class="nhsuk-heading-m" data-segment={primary.diagnosis.id()} data-confidence={confidence_word(primary.confidence)}>
                { &primary.headline }
            </h2>
            <div class="nhsuk-warning-callout next-step">
                if props.for_the_desk {
                    <h3 class="nhsuk-warning-callout__label">
                        <span class="nhsuk-u-visually-hidden">{ "Important: " }</span>{ "Where this report goes" }
                    </h3>
                    <p class="route-to"><strong>{ "Route to: " }</strong>{ primary.routes_to() }</p>
                    <p><strong>{ "The clinician was told: " }</strong>{ &primary.next_step }</p>
                } else {
                    <h3 class="nhsuk-warning-callout__label">
                        <span class="nhsuk-u-visually-hidden">{ "Important: " }</span>{ "What to do now" }
                    </h3>
                    <p>{ &primary.next_step }</p>
                    <p><strong>{ "Who fixes it: " }</strong>{ &primary.resolver }</p>
                }
                if let Some(phone) = &props.desk_phone {
                    <p><strong>{ "Your IT service desk: " }</strong><a href={tel_address(phone)}>{ phone.clone() }</a></p>
                }
            </div>
            { props.children.clone() }
            if !others.is_empty() {
                <dl class="nhsuk-summary-list also-found">
                    <div class="nhsuk-summary-list__row">
                        <dt class="nhsuk-summary-list__key">{ "Also found" }</dt>
                        <dd class="nhsuk-summary-list__value">
                            <ul class="nhsuk-list">
                                { for others.iter().map(|f| html! {
                                    <li data-segment={f.diagnosis.id()}>{ format!("{} Who fixes it: {}.", f.headline, f.resolver) }</li>
                                }) }
                            </ul>
                        </dd>
                    </div>
                </dl>
            }
            <details class="nhsuk-details verdict-details">
                <summary class="nhsuk-details__summary">
                    <span class="nhsuk-details__summary-text">{ "Details for the IT service desk" }</span>
                </summary>
                <div class="nhsuk-details__text">
                    <p>{ format!("Verdict for the desk: {}.", verdict.summary()) }</p>
                    <ul>
                        { for verdict.findings.iter().flat_map(|f| f.evidence.iter()).map(|e| html! { <li>{ e }</li> }) }
                    </ul>
                </div>
            </details>
        </section>
    }
}
