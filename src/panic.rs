//! A panic must never leave a clinician looking at a blank page: this hook
//! puts a readable message at the top of the page before the app stops.

use std::panic::PanicHookInfo;

/// Installs the hook; call once, before rendering. Yew replaces any hook set
/// with `std::panic::set_hook` by its own when it renders, so the hook goes
/// through Yew's API.
pub fn install_hook() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let detail = describe(info);
        web_sys::console::error_1(&format!("Link Triage stopped: {detail}").into());
        show_crash_message(&detail);
    }));
}

fn describe(info: &PanicHookInfo<'_>) -> String {
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    match info.location() {
        Some(at) => format!("{message} (at {}:{})", at.file(), at.line()),
        None => message,
    }
}

/// Puts the crash message at the top of the page, as text (never HTML).
pub fn show_crash_message(detail: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    // At the top of the page's main content, or of the body where the
    // page has no frame.
    let Some(parent) = document
        .get_element_by_id("maincontent")
        .or_else(|| document.body().map(Into::into))
    else {
        return;
    };
    let Ok(alert) = document.create_element("div") else {
        return;
    };
    alert.set_id("crash");
    alert.set_class_name("nhsuk-error-summary");
    let _ = alert.set_attribute("role", "alert");
    alert.set_text_content(Some(&format!(
        "Link Triage has stopped working because of a fault in the tool itself, \
         not in your network. Reload the page to try again. If this happens again, \
         tell your IT service desk and quote: {detail}"
    )));
    let _ = parent.prepend_with_node_1(&alert);
}
