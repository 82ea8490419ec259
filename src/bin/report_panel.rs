//! The report panel's bundle, as Trunk builds it (named in `index.html`):
//! fetched by the clinician's page once a verdict is shown, which then
//! hands it the report through `show_report`.

use wasm_bindgen::prelude::*;

fn main() {
    linktriage_app::panic::install_hook();
}

/// Shows the report (`codec::checks_wire_bytes`) in the page's panel.
#[wasm_bindgen]
pub fn show_report(report: &[u8], finished: bool) {
    linktriage_app::report_panel::show(report.to_vec(), finished);
}
