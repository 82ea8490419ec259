//! Putting the report on the clipboard, with fallbacks for when it is refused.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// How a copy went, for the message beside the button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyOutcome {
    /// On the clipboard through the Clipboard API.
    Copied,
    /// On the clipboard through the older selection-and-copy route.
    CopiedByFallback,
    /// Not copied: the text is selected for the user to copy by hand.
    SelectedForManualCopy,
}

/// Copies `text`; if the browser refuses, selects the element with id
/// `fallback_id` (which shows the same text) and tries the older route.
pub async fn copy(text: &str, fallback_id: &str) -> CopyOutcome {
    if let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard())
        && JsFuture::from(clipboard.write_text(text)).await.is_ok()
    {
        return CopyOutcome::Copied;
    }
    if select_element_text(fallback_id) && exec_copy() {
        CopyOutcome::CopiedByFallback
    } else {
        CopyOutcome::SelectedForManualCopy
    }
}

fn select_element_text(id: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let (Some(document), Ok(Some(selection))) = (window.document(), window.get_selection()) else {
        return false;
    };
    let Some(element) = document.get_element_by_id(id) else {
        return false;
    };
    selection.select_all_children(&element).is_ok()
}

fn exec_copy() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        .and_then(|d| d.exec_command("copy").ok())
        .unwrap_or(false)
}
