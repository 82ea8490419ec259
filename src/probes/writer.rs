//! Asking the report writer (`writer_worker`, in a worker of its own) to
//! write a report out. The worker starts at the first request, once a
//! verdict is shown, and then serves the page for as long as it is open;
//! if it cannot start (its files could not be fetched: the network went
//! down on a page with no offline copy), every request waiting fails with a
//! sentence, and the next request starts a new worker.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures_channel::oneshot;
use linktriage_core::report::Sharing;
use linktriage_core::written::Written;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MessageEvent, Worker};

use super::writer_worker::{READY, read_answer, request};
use super::{location, timers};

/// The worker's loader, which Trunk writes beside the clinician's page
/// (`index.html` names the worker); the watch page uses the same one.
pub const WORKER_SCRIPT: &str = "/writer_loader.js";

/// Longest wait for an answer, starting the worker included: its files are
/// about 90 KB, fetched once.
const ANSWER_TIMEOUT_MS: u32 = 20_000;

const CANNOT_START: &str = "the part of Link Triage that writes the report could not be loaded from the Link Triage server";

type Reply = oneshot::Sender<Result<Written, String>>;

/// What the worker's handlers share with the page.
#[derive(Debug, Default)]
struct Exchange {
    ready: bool,
    /// The worker failed: the next request replaces it.
    broken: bool,
    /// Requests made before the worker listened, sent once it does.
    unsent: Vec<js_sys::Array>,
    waiting: HashMap<u32, Reply>,
}

#[derive(Debug)]
struct Writer {
    worker: Worker,
    exchange: Rc<RefCell<Exchange>>,
    next_id: u32,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static WRITER: RefCell<Option<Writer>> = const { RefCell::new(None) };
}

impl Writer {
    fn start() -> Result<Writer, String> {
        let worker = Worker::new(WORKER_SCRIPT).map_err(|_| CANNOT_START.to_owned())?;
        let exchange = Rc::new(RefCell::new(Exchange::default()));
        let on_message = {
            let (exchange, worker) = (exchange.clone(), worker.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                let mut exchange = exchange.borrow_mut();
                if data.as_string().as_deref() == Some(READY) {
                    exchange.ready = true;
                    for message in std::mem::take(&mut exchange.unsent) {
                        let _ = worker.post_message(&message);
                    }
                } else if let Some((id, written)) = read_answer(&data)
                    && let Some(reply) = exchange.waiting.remove(&id)
                {
                    let _ = reply.send(written);
                }
            })
        };
        let on_error = {
            let exchange = exchange.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                let mut exchange = exchange.borrow_mut();
                exchange.broken = true;
                // Dropping the replies tells every waiting request.
                exchange.waiting.clear();
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Writer {
            worker,
            exchange,
            next_id: 0,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    fn ask(&mut self, wire: &[u8], sharing: &Sharing, reply: Reply) {
        self.next_id = self.next_id.wrapping_add(1);
        let id = self.next_id;
        let message = request(id, wire, &location::origin(), sharing);
        let mut exchange = self.exchange.borrow_mut();
        exchange.waiting.insert(id, reply);
        if exchange.ready {
            let _ = self.worker.post_message(&message);
        } else {
            exchange.unsent.push(message);
        }
    }

    fn is_broken(&self) -> bool {
        self.exchange.borrow().broken
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// The report in `wire` (this version's wire bytes) written out as shared
/// with `sharing`, or a sentence saying why it could not be.
pub async fn write(wire: &[u8], sharing: &Sharing) -> Result<Written, String> {
    let (reply, answer) = oneshot::channel();
    WRITER.with(|writer| -> Result<(), String> {
        let mut writer = writer.borrow_mut();
        if writer.as_ref().is_none_or(Writer::is_broken) {
            // The broken one is dropped here, outside its own handlers.
            *writer = None;
            *writer = Some(Writer::start()?);
        }
        if let Some(writer) = writer.as_mut() {
            writer.ask(wire, sharing, reply);
        }
        Ok(())
    })?;
    match timers::with_timeout(ANSWER_TIMEOUT_MS, answer).await {
        Some(Ok(written)) => written,
        // The worker failed to start; the next request starts another.
        Some(Err(oneshot::Canceled)) => Err(CANNOT_START.to_owned()),
        None => {
            // Started but never listening (its WebAssembly did not arrive):
            // replaced at the next request.
            WRITER.with(|writer| {
                if let Some(writer) = writer.borrow().as_ref() {
                    writer.exchange.borrow_mut().broken = true;
                }
            });
            Err(CANNOT_START.to_owned())
        }
    }
}
