//! Clocks and waiting: the browser's monotonic and wall clocks, and a sleep.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Milliseconds on the page's monotonic clock (`performance.now()`).
pub fn monotonic_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Milliseconds since the Unix epoch on the monotonic clock (its origin
/// plus the time since): a clock that never jumps when the computer's is
/// set, for what is timed over hours (a watch's loss probes).
pub fn epoch_monotonic_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.time_origin() + p.now())
}

/// The wall clock, in milliseconds since the Unix epoch.
pub fn wall_clock_ms() -> f64 {
    js_sys::Date::now()
}

/// The browser's offset from UTC now, in minutes east of Greenwich.
pub fn utc_offset_minutes() -> i32 {
    // getTimezoneOffset is minutes *west*; the report speaks of east.
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// Waits `ms` milliseconds without blocking the page.
pub async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let Some(window) = web_sys::window() else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            return;
        };
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            resolve.unchecked_ref(),
            ms as i32,
        );
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Calls `f` once after `ms` milliseconds; dropping the guard cancels it.
#[derive(Debug)]
pub struct Timeout {
    handle: i32,
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    pub fn new(ms: u32, f: impl FnOnce() + 'static) -> Option<Timeout> {
        let mut f = Some(f);
        let callback = Closure::<dyn FnMut()>::new(move || {
            if let Some(f) = f.take() {
                f();
            }
        });
        let handle = web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                ms as i32,
            )
            .ok()?;
        Some(Timeout {
            handle,
            _callback: callback,
        })
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_timeout_with_handle(self.handle);
        }
    }
}

/// A point on the monotonic clock after which a group of checks must stop.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at_ms: f64,
}

impl Deadline {
    pub fn in_ms(ms: u32) -> Deadline {
        Deadline {
            at_ms: monotonic_ms() + f64::from(ms),
        }
    }

    /// `ms` after the page began to load (the monotonic clock's origin), so
    /// that the time the page itself took to arrive counts against it; but
    /// never less than `at_least_ms` from now.
    pub fn after_opening(ms: u32, at_least_ms: u32) -> Deadline {
        Deadline {
            at_ms: f64::from(ms).max(monotonic_ms() + f64::from(at_least_ms)),
        }
    }

    /// Milliseconds left, or 0.
    pub fn remaining_ms(self) -> u32 {
        (self.at_ms - monotonic_ms()).max(0.0) as u32
    }

    /// A request timeout: `wanted`, cut short by the deadline.
    /// `None` when too little time is left to be worth a request.
    pub fn timeout(self, wanted_ms: u32) -> Option<u32> {
        let left = self.remaining_ms().min(wanted_ms);
        (left >= 50).then_some(left)
    }
}

/// Runs `future`, or gives up after `ms` milliseconds.
pub async fn with_timeout<T>(ms: u32, future: impl std::future::Future<Output = T>) -> Option<T> {
    use futures_util::future::{Either, select};
    let future = std::pin::pin!(future);
    let timer = std::pin::pin!(sleep(ms));
    match select(future, timer).await {
        Either::Left((value, _)) => Some(value),
        Either::Right(_) => None,
    }
}
