//! Loading the report panel (the `report_panel` bundle: Copy, what the
//! clinician may add, the report's text and its share link) into the
//! clinician's page once a verdict is shown, and handing it the report.
//! The panel is a fifth of the page's code; apart, it leaves the first
//! load carrying only what finds the verdict.
//!
//! Trunk builds the panel as it builds a worker (`data-type="worker"` in
//! `index.html`): wasm-bindgen's no-modules glue, which the page does not
//! load by itself. Its script declares one global, `wasm_bindgen`, that
//! starts the bundle and holds its exports.

use std::cell::Cell;

use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The panel's glue and module, beside the clinician's page.
const SCRIPT: &str = "/report_panel.js";
const MODULE: &str = "/report_panel_bg.wasm";

const CANNOT_LOAD: &str = "the part of Link Triage that writes the report could not be loaded from the Link Triage server";

#[wasm_bindgen]
extern "C" {
    /// Starts the panel's bundle (its glue's global, once its script ran).
    #[wasm_bindgen(js_name = wasm_bindgen, catch)]
    fn start_bundle(module: &str) -> Result<Promise, JsValue>;

    /// The panel's export: show this report (`codec::checks_wire_bytes`).
    #[wasm_bindgen(js_namespace = wasm_bindgen, js_name = show_report, catch)]
    fn show_report(report: &[u8], finished: bool) -> Result<(), JsValue>;
}

thread_local! {
    /// The panel's script has run: its global is declared, and a second
    /// copy of the script would fail to declare it again.
    static SCRIPT_RAN: Cell<bool> = const { Cell::new(false) };
}

/// Fetches and starts the panel, or says why it could not. Called again
/// after a failure, it tries again from where it failed.
pub async fn load() -> Result<(), String> {
    if !SCRIPT_RAN.get() {
        run_script().await?;
        SCRIPT_RAN.set(true);
    }
    let started = start_bundle(MODULE).map_err(|_| CANNOT_LOAD.to_owned())?;
    JsFuture::from(started)
        .await
        .map(drop)
        .map_err(|_| CANNOT_LOAD.to_owned())
}

/// Adds the panel's script to the page and waits for it to run.
async fn run_script() -> Result<(), String> {
    let cannot = |_| CANNOT_LOAD.to_owned();
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(CANNOT_LOAD)?;
    let script: web_sys::HtmlScriptElement = document
        .create_element("script")
        .map_err(cannot)?
        .dyn_into()
        .map_err(|_| CANNOT_LOAD.to_owned())?;
    let ran = Promise::new(&mut |resolve, reject| {
        script.set_onload(Some(&resolve));
        script.set_onerror(Some(&reject));
    });
    script.set_src(SCRIPT);
    document
        .head()
        .ok_or(CANNOT_LOAD)?
        .append_child(&script)
        .map_err(cannot)?;
    JsFuture::from(ran).await.map(drop).map_err(cannot)
}

/// Hands the started panel the report as it now is; `finished` once
/// nothing more will be added to it.
pub fn show(report: &[u8], finished: bool) {
    let _ = show_report(report, finished);
}
