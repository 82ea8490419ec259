//! The verdict: one plain sentence, what to do, who fixes it; the evidence
//! for the desk one click away.

use linktriage_core::verdict::{Verdict, confidence_word};
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct VerdictViewProps {
    pub verdict: Verdict,
    /// The heading's id; the desk view shows several verdicts on one page.
    #[prop_or(AttrValue::Static("verdict"))]
    pub id: AttrValue,
}

#[function_component]
pub fn VerdictView(props: &VerdictViewProps) -> Html {
    let verdict = &props.verdict;
    let primary = verdict.primary();
    let others = &verdict.findings[1..];
    html! {
        <section class="verdict" aria-labelledby={props.id.clone()}>
            <h2 id={props.id.clone()} data-segment={primary.diagnosis.id()} data-confidence={confidence_word(primary.confidence)}>
                { &primary.headline }
            </h2>
            <p class="next-step"><strong>{ "What to do now: " }</strong>{ &primary.next_step }</p>
            <p><strong>{ "Who fixes it: " }</strong>{ &primary.resolver }</p>
            if !others.is_empty() {
                <div class="also-found">
                    <p><strong>{ "Also found:" }</strong></p>
                    <ul>
                        { for others.iter().map(|f| html! {
                            <li data-segment={f.diagnosis.id()}>{ format!("{} Who fixes it: {}.", f.headline, f.resolver) }</li>
                        }) }
                    </ul>
                </div>
            }
            <details class="verdict-details">
                <summary>{ "Details for the IT service desk" }</summary>
                <p>{ format!("Verdict for the desk: {}.", verdict.summary()) }</p>
                <ul>
                    { for verdict.findings.iter().flat_map(|f| f.evidence.iter()).map(|e| html! { <li>{ e }</li> }) }
                </ul>
            </details>
        </section>
    }
}
