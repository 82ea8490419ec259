//! Saving a report to a file the desk's tools can read: a download made in
//! the page from memory (a `blob:` address), so nothing is uploaded.

use linktriage_core::codec::to_json;
use linktriage_core::report::Report;
use linktriage_core::time::format_timestamp;
use wasm_bindgen::JsCast;

/// Offers `report` as a JSON file for tooling (`core::codec::to_json`, the
/// format `linktriage decode` prints), named by when it was checked. The
/// error is a sentence for the page.
pub fn report_as_json(report: &Report) -> Result<(), String> {
    let json = to_json(&[report]);
    let stamp: String = format_timestamp(report.started_at_ms, 0)
        .chars()
        .filter(char::is_ascii_digit)
        .take(12)
        .collect();
    download(
        &format!("link-triage-{stamp}.json"),
        "application/json",
        &json,
    )
    .map_err(|_| "Your browser did not allow the download.".to_owned())
}

fn download(file_name: &str, mime: &str, content: &str) -> Result<(), wasm_bindgen::JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no document"))?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(content));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    web_sys::Url::revoke_object_url(&url)
}
