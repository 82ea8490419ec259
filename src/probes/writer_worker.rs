//! The report writer, run in a dedicated Web Worker (`src/bin/writer.rs`, a
//! bundle of its own): it turns a report's wire bytes into the text to paste,
//! the code, the share link and the QR code (`linktriage_core::written`).
//! Nothing of it is on the clinician's first load: the page starts it once
//! the verdict is shown.
//!
//! Messages, as plain JavaScript values (no serialiser in either bundle):
//! - worker to page, first: `"ready"`, once it listens;
//! - page to worker: `[id, wire bytes (Uint8Array), origin, place, ticket,
//!   note, remove addresses (bool)]`: the report as measured, and what the
//!   clinician chose for the report they share (`Sharing`);
//! - worker to page, per request: `[id, text, code, link, modules, path]`
//!   (`modules` 0 when the link is too long for a QR code), or `[id, why]`
//!   when the bytes are not a report.

use js_sys::{Array, Uint8Array};
use linktriage_core::report::{Sharing, SiteDetails};
use linktriage_core::written::{QrDrawing, Written, write_up};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// The message that says the worker listens.
pub const READY: &str = "ready";

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// The worker's entry: answer each request, then say it listens.
pub fn start() {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        if let Some(answer) = answer(&event.data()) {
            let _ = scope().post_message(&answer);
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker, which lives as long as its page.
    on_message.forget();
    let _ = scope().post_message(&JsValue::from_str(READY));
}

/// The answer to one request, or `None` for a message that is not one.
fn answer(data: &JsValue) -> Option<Array> {
    let request: &Array = data.dyn_ref()?;
    let id = request.get(0);
    id.as_f64()?;
    let wire = request.get(1).dyn_into::<Uint8Array>().ok()?.to_vec();
    let origin = request.get(2).as_string()?;
    let sharing = Sharing {
        site: SiteDetails {
            place: request.get(3).as_string()?,
            ticket: request.get(4).as_string()?,
            note: request.get(5).as_string()?,
        },
        remove_addresses: request.get(6).as_bool()?,
    };
    let answer = Array::of1(&id);
    match write_up(&wire, &origin, &sharing) {
        Ok(written) => {
            for value in written_values(&written) {
                answer.push(&value);
            }
        }
        Err(why) => {
            answer.push(&JsValue::from_str(&why));
        }
    }
    Some(answer)
}

fn written_values(written: &Written) -> [JsValue; 5] {
    let (modules, path) = written
        .qr
        .as_ref()
        .map_or((0, ""), |qr| (qr.modules, qr.path.as_str()));
    [
        written.text.as_str().into(),
        written.code.as_str().into(),
        written.link.as_str().into(),
        (modules as f64).into(),
        path.into(),
    ]
}

/// The page's reading of an answer: its request's id, and what was written
/// or why not. `None` for a message that is not an answer.
pub fn read_answer(data: &JsValue) -> Option<(u32, Result<Written, String>)> {
    let answer: &Array = data.dyn_ref()?;
    let id = answer.get(0).as_f64()? as u32;
    if answer.length() == 2 {
        return Some((id, Err(answer.get(1).as_string()?)));
    }
    let modules = answer.get(4).as_f64()? as usize;
    let written = Written {
        text: answer.get(1).as_string()?,
        code: answer.get(2).as_string()?,
        link: answer.get(3).as_string()?,
        qr: (modules > 0).then(|| QrDrawing {
            modules,
            path: answer.get(5).as_string().unwrap_or_default(),
        }),
    };
    Some((id, Ok(written)))
}

/// The page's request for the report in `wire` to be written as shared
/// with `sharing`, with the share link on `origin`.
pub fn request(id: u32, wire: &[u8], origin: &str, sharing: &Sharing) -> Array {
    let site = &sharing.site;
    [
        JsValue::from(id),
        Uint8Array::from(wire).into(),
        origin.into(),
        site.place.as_str().into(),
        site.ticket.as_str().into(),
        site.note.as_str().into(),
        sharing.remove_addresses.into(),
    ]
    .iter()
    .collect()
}
