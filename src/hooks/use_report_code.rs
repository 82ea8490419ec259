//! The report's compact code, made as soon as the report changes.

use std::rc::Rc;

use linktriage_core::codec::{deflate_stored, finish};
use linktriage_core::report::Report;
use yew::prelude::*;

use crate::probes::compress::deflate_raw;

/// `None` for the moment it takes the browser to compress; then the code.
/// `report` should keep its `Rc` while unchanged (`use_memo`): the code is
/// matched to the report it was made for by pointer. `wire_bytes` is
/// `codec::wire_bytes`, or `codec::checks_wire_bytes` on the clinician's
/// page, whose reports never have a watch.
#[hook]
pub fn use_report_code(report: Rc<Report>, wire_bytes: fn(&Report) -> Vec<u8>) -> Option<String> {
    let code = use_state(|| None::<(Rc<Report>, String)>);
    // The newest report asked for: compressions finish out of order when the
    // report changes quickly (typing a note), and only the newest may land.
    let newest = use_mut_ref(|| report.clone());
    {
        let code = code.clone();
        use_effect_with(report.clone(), move |report| {
            let report = report.clone();
            *newest.borrow_mut() = report.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let bytes = wire_bytes(&report);
                // Without a compressor the code is longer, never missing.
                let compressed = deflate_raw(&bytes)
                    .await
                    .unwrap_or_else(|| deflate_stored(&bytes));
                if Rc::ptr_eq(&newest.borrow(), &report) {
                    code.set(Some((report, finish(&compressed))));
                }
            });
        });
    }
    // A code made for an earlier report (before the speed tests) is not shown.
    (*code)
        .as_ref()
        .filter(|(made_for, _)| Rc::ptr_eq(made_for, &report))
        .map(|(_, code)| code.clone())
}
