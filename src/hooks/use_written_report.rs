//! The report written out for sharing (text, code, link, QR code) by the
//! report writer, made again whenever the report changes.

use std::rc::Rc;

use linktriage_core::report::Report;
use linktriage_core::written::Written;
use yew::prelude::*;

use crate::probes::{timers, writer};
use crate::state::SameReport;

/// How long after a failure the writer is asked again: the network may be
/// back.
const RETRY_MS: u32 = 10_000;

/// Where writing the report has got to.
#[derive(Debug, Clone, PartialEq)]
pub struct Writing {
    /// The newest report written, which may be an earlier one than the
    /// report now (for the moment a new one takes), or none yet.
    pub written: Option<Rc<Written>>,
    /// `written` is the report as it is now.
    pub up_to_date: bool,
    /// Why the newest attempt failed; Link Triage tries again by itself.
    pub failed: Option<AttrValue>,
}

/// `report` written out by the report writer. `report` should keep its `Rc`
/// while unchanged (`use_memo`): what was written is matched to the report
/// it was written for by pointer. `wire_bytes` is `codec::wire_bytes`, or
/// `codec::checks_wire_bytes` on the clinician's page, whose reports never
/// have a watch.
#[hook]
pub fn use_written_report(report: Rc<Report>, wire_bytes: fn(&Report) -> Vec<u8>) -> Writing {
    let written = use_state(|| None::<(Rc<Report>, Rc<Written>)>);
    let failed = use_state(|| None::<(Rc<Report>, AttrValue)>);
    // Bumped to try again after a failure.
    let attempt = use_state(|| 0_u32);
    // The newest report asked for: answers come back out of order when the
    // report changes quickly (typing a note), and only the newest may land.
    let newest = use_mut_ref(|| report.clone());
    {
        let (written, failed, attempt) = (written.clone(), failed.clone(), attempt.clone());
        use_effect_with(
            (SameReport(report.clone()), *attempt),
            move |(report, _)| {
                let report = report.0.clone();
                *newest.borrow_mut() = report.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let outcome = writer::write(&wire_bytes(&report)).await;
                    if !Rc::ptr_eq(&newest.borrow(), &report) {
                        return;
                    }
                    match outcome {
                        Ok(done) => {
                            failed.set(None);
                            written.set(Some((report, Rc::new(done))));
                        }
                        Err(why) => {
                            failed.set(Some((report.clone(), why.into())));
                            timers::sleep(RETRY_MS).await;
                            // A newer report is already being written.
                            if Rc::ptr_eq(&newest.borrow(), &report) {
                                attempt.set(*attempt + 1);
                            }
                        }
                    }
                });
            },
        );
    }
    let current = |made_for: &Rc<Report>| Rc::ptr_eq(made_for, &report);
    Writing {
        written: (*written).as_ref().map(|(_, w)| w.clone()),
        up_to_date: (*written)
            .as_ref()
            .is_some_and(|(made_for, _)| current(made_for)),
        failed: (*failed)
            .as_ref()
            .filter(|(made_for, _)| current(made_for))
            .map(|(_, why)| why.clone()),
    }
}
