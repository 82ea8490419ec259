//! Copying text when asked, and how it went.

use yew::prelude::*;

use crate::probes::clipboard::{self, CopyOutcome};

/// A click handler that copies `text` (selecting the element `fallback_id`
/// when the browser refuses), and the outcome of the last copy.
#[hook]
pub fn use_copy(
    text: AttrValue,
    fallback_id: AttrValue,
) -> (Callback<MouseEvent>, Option<CopyOutcome>) {
    let outcome = use_state(|| None::<CopyOutcome>);
    let copy = {
        let outcome = outcome.clone();
        Callback::from(move |_| {
            let (text, fallback_id, outcome) = (text.clone(), fallback_id.clone(), outcome.clone());
            wasm_bindgen_futures::spawn_local(async move {
                outcome.set(Some(clipboard::copy(&text, &fallback_id).await));
            });
        })
    };
    (copy, *outcome)
}
