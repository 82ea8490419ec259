//! "Copy report": the one button a clinician needs, with its fallbacks.

use yew::prelude::*;

use crate::hooks::use_copy;
use crate::probes::clipboard::CopyOutcome;

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
    /// A second button beside the page's main one: drawn as the design
    /// system's secondary button.
    #[prop_or(false)]
    pub secondary: bool,
}

#[function_component]
pub fn CopyButton(props: &CopyButtonProps) -> Html {
    let (onclick, outcome) = use_copy(props.text.clone(), props.fallback_id.clone());
    let message = match outcome {
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
            <button type="button" id={props.id.clone()} class={if props.secondary { "nhsuk-button nhsuk-button--secondary" } else { "nhsuk-button" }} {onclick}>{ props.label.clone() }</button>
            <span id={format!("{}-status", props.id)} class="copy-status" role="status" aria-live="polite">{ message }</span>
        </div>
    }
}
