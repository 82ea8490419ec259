//! "Copy report": the one button a clinician needs, with its fallbacks.

use yew::prelude::*;

use crate::probes::clipboard::{self, CopyOutcome};

#[derive(Debug, Properties, PartialEq)]
pub struct CopyButtonProps {
    /// The text to copy.
    pub text: AttrValue,
    /// The element showing the same text, selected when copying is refused.
    pub fallback_id: AttrValue,
    /// The button's id (its message's is this with `-status`): the desk view
    /// has one per report.
    #[prop_or(AttrValue::Static("copy-report"))]
    pub id: AttrValue,
    #[prop_or(AttrValue::Static("Copy report"))]
    pub label: AttrValue,
}

#[function_component]
pub fn CopyButton(props: &CopyButtonProps) -> Html {
    let outcome = use_state(|| None::<CopyOutcome>);
    let onclick = {
        let (text, fallback_id, outcome) = (
            props.text.clone(),
            props.fallback_id.clone(),
            outcome.clone(),
        );
        Callback::from(move |_| {
            let (text, fallback_id, outcome) = (text.clone(), fallback_id.clone(), outcome.clone());
            wasm_bindgen_futures::spawn_local(async move {
                outcome.set(Some(clipboard::copy(&text, &fallback_id).await));
            });
        })
    };
    let message = match *outcome {
        None => "",
        Some(CopyOutcome::Copied | CopyOutcome::CopiedByFallback) => {
            "Copied. Paste it into your ticket, email or chat."
        }
        Some(CopyOutcome::SelectedForManualCopy) => {
            "Your browser did not allow copying. The text is selected: press Ctrl+C to copy it."
        }
    };
    html! {
        <div class="copy">
            <button type="button" id={props.id.clone()} {onclick}>{ props.label.clone() }</button>
            <span id={format!("{}-status", props.id)} class="copy-status" role="status" aria-live="polite">{ message }</span>
        </div>
    }
}
