//! The report written out for sharing (text, code, link, QR code) by the
//! report writer, made again whenever the report changes.

use std::rc::Rc;

use linktriage_core::report::Sharing;
use linktriage_core::written::Written;
use yew::prelude::*;

use crate::components::RETRY_MS;
use crate::probes::{timers, writer};

/// A report to write (its wire bytes), and how it is shared.
type Asked = Rc<(Rc<Vec<u8>>, Sharing)>;

/// A report's wire bytes, compared by pointer: a changed report is new
/// bytes in a new `Rc`.
#[derive(Debug, Clone)]
pub struct SameBytes(pub Rc<Vec<u8>>);

impl PartialEq for SameBytes {
    fn eq(&self, other: &SameBytes) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The same [`Asked`], by pointer.
struct SameAsked(Asked);

impl PartialEq for SameAsked {
    fn eq(&self, other: &SameAsked) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

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

/// The report whose wire bytes (`codec::wire_bytes`) are `report`, written
/// out by the report writer as shared with `sharing` (the writer adds the
/// site details and takes addresses out). `report` should keep its `Rc`
/// while unchanged.
#[hook]
pub fn use_written_report(report: SameBytes, sharing: Sharing) -> Writing {
    // A report and how it is shared, one `Rc` while both are unchanged:
    // what was written is matched to what it was written for by pointer.
    let asked: Asked = use_memo((report, sharing), |(report, sharing)| {
        (report.0.clone(), sharing.clone())
    });
    let written = use_state(|| None::<(Asked, Rc<Written>)>);
    let failed = use_state(|| None::<(Asked, AttrValue)>);
    // Bumped to try again after a failure.
    let attempt = use_state(|| 0_u32);
    // The newest asked for: answers come back out of order when the report
    // changes quickly (typing a note), and only the newest may land.
    let newest = use_mut_ref(|| asked.clone());
    {
        let (written, failed, attempt) = (written.clone(), failed.clone(), attempt.clone());
        use_effect_with((SameAsked(asked.clone()), *attempt), move |(asked, _)| {
            let asked = asked.0.clone();
            *newest.borrow_mut() = asked.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let (report, sharing) = &*asked;
                let outcome = writer::write(report, sharing).await;
                if !Rc::ptr_eq(&newest.borrow(), &asked) {
                    return;
                }
                match outcome {
                    Ok(done) => {
                        failed.set(None);
                        written.set(Some((asked, Rc::new(done))));
                    }
                    Err(why) => {
                        failed.set(Some((asked.clone(), why.into())));
                        timers::sleep(RETRY_MS).await;
                        // A newer report is already being written.
                        if Rc::ptr_eq(&newest.borrow(), &asked) {
                            attempt.set(*attempt + 1);
                        }
                    }
                }
            });
        });
    }
    let current = |made_for: &Asked| Rc::ptr_eq(made_for, &asked);
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
