//! Starting and stopping the watch's worker (`watch_worker`, which runs in
//! it), and hearing its samples.

use linktriage_core::watch::Sample;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MessageEvent, Worker};

use super::watch_worker::{is_ready, plan_message, read_sample};

/// The worker's loader, which Trunk writes beside the watch page
/// (`watch.html` names the worker).
pub const WORKER_SCRIPT: &str = "/watch/watcher_loader.js";

/// A running worker; dropping it ends the watch's sampling.
#[derive(Debug)]
pub struct Sampler {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

/// Starts a worker sampling `targets` (absolute URL, whether it is a ping,
/// timeout) every `interval_ms`; `on_sample` hears each sample, `on_error`
/// why the worker could not run (a sentence for the page).
pub fn start(
    interval_ms: u32,
    targets: Vec<(String, bool, u32)>,
    on_sample: impl Fn(Sample) + 'static,
    on_error: impl Fn(String) + 'static,
) -> Result<Sampler, String> {
    let worker = Worker::new(WORKER_SCRIPT).map_err(|_| {
        "this browser cannot run the watch in the background (no Web Workers)".to_owned()
    })?;
    let plan = plan_message(interval_ms, &targets);
    let replier = worker.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        if is_ready(&data) {
            let _ = replier.post_message(&plan);
        } else if let Some(sample) = read_sample(&data) {
            on_sample(sample);
        }
    });
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        on_error(
            "the watch's background worker could not be loaded; reload the page to try again"
                .to_owned(),
        );
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Sampler {
        worker,
        _on_message: on_message,
        _on_error: on_error,
    })
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// The Web Lock a watch holds while it runs: one watch per browser (a tab
/// that cannot take it shows that another tab watches), and a page holding
/// a lock is not frozen by Chrome's energy saver.
pub const LOCK_NAME: &str = "linktriage-watch";

/// What asking for the watch's lock gave.
#[derive(Debug)]
pub enum Lock {
    /// Held until dropped.
    Held(LockGuard),
    /// Another tab of this browser holds it: a watch runs there.
    HeldElsewhere,
    /// No Web Locks here (an insecure page, an old browser): the watch
    /// runs, without the one-per-browser rule.
    Unsupported,
}

/// A held lock, released when dropped.
#[derive(Debug)]
pub struct LockGuard {
    release: js_sys::Function,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.release.call0(&wasm_bindgen::JsValue::NULL);
    }
}

/// Asks for the watch's lock, without waiting for another tab to let go.
pub async fn take_lock() -> Lock {
    use js_sys::{Function, Object, Promise, Reflect};
    use wasm_bindgen::JsValue;
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return Lock::Unsupported;
    };
    let locks = Reflect::get(&navigator, &JsValue::from_str("locks")).unwrap_or(JsValue::UNDEFINED);
    let request = Reflect::get(&locks, &JsValue::from_str("request"))
        .ok()
        .and_then(|r| r.dyn_into::<Function>().ok());
    let Some(request) = request else {
        return Lock::Unsupported;
    };
    let options = Object::new();
    let _ = Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::TRUE);
    let (sender, receiver) = futures_channel::oneshot::channel::<Lock>();
    let granted = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        if lock.is_null() {
            let _ = sender.send(Lock::HeldElsewhere);
            return JsValue::NULL;
        }
        // Held for as long as this promise is pending.
        let mut release = None;
        let held = Promise::new(&mut |resolve, _| release = Some(resolve));
        if let Some(release) = release {
            let _ = sender.send(Lock::Held(LockGuard { release }));
        }
        held.into()
    });
    if request
        .call3(&locks, &JsValue::from_str(LOCK_NAME), &options, &granted)
        .is_err()
    {
        return Lock::Unsupported;
    }
    receiver.await.unwrap_or(Lock::Unsupported)
}
