//! `fetch` with a deadline, and reading what the browser timed.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, PerformanceResourceTiming, RequestCache, RequestInit, RequestMode, Response,
};

use super::location;
use super::timers::{Timeout, sleep};

/// How a request failed, as far as a browser can tell.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// No answer before the deadline: the request was aborted.
    TimedOut,
    /// The browser refused or the network failed (DNS, refused, reset, TLS,
    /// CORS): the browser does not say which.
    Network(String),
    /// Answered, with an error status.
    Status(u16),
    /// Not a browser page (no `window`), or an API missing.
    Unsupported(&'static str),
}

/// What to send, beyond a plain GET.
#[derive(Debug, Clone)]
pub struct Options {
    pub mode: RequestMode,
    pub timeout_ms: u32,
    pub method: &'static str,
    pub body: Option<js_sys::Uint8Array>,
    pub headers: Vec<(&'static str, String)>,
}

impl Options {
    pub fn get(mode: RequestMode, timeout_ms: u32) -> Options {
        Options {
            mode,
            timeout_ms,
            method: "GET",
            body: None,
            headers: Vec::new(),
        }
    }
}

/// Fetches `url` and reads the whole body, giving up after `timeout_ms`.
pub async fn fetch_body(
    url: &str,
    mode: RequestMode,
    timeout_ms: u32,
) -> Result<(Response, js_sys::ArrayBuffer), FetchError> {
    fetch(url, &Options::get(mode, timeout_ms)).await
}

/// Sends `count` GETs to `url` at once and says which were answered (with
/// any status) within `timeout_ms`: the browser's own `Promise.allSettled`
/// over its fetches, one deadline for all. Nothing is known without a
/// browser page: then no answer is given.
pub async fn answered_at_once(
    url: &str,
    mode: RequestMode,
    count: usize,
    timeout_ms: u32,
) -> Vec<bool> {
    let (Some(window), Ok(controller)) = (web_sys::window(), AbortController::new()) else {
        return Vec::new();
    };
    let init = RequestInit::new();
    init.set_mode(mode);
    init.set_cache(RequestCache::NoStore);
    init.set_signal(Some(&controller.signal()));
    let requests: js_sys::Array = (0..count)
        .map(|_| window.fetch_with_str_and_init(url, &init))
        .collect();
    let abort = controller.clone();
    let _deadline = Timeout::new(timeout_ms, move || abort.abort());
    let Ok(settled) = JsFuture::from(js_sys::Promise::all_settled(&requests)).await else {
        return Vec::new();
    };
    js_sys::Array::from(&settled)
        .iter()
        .map(|outcome| {
            js_sys::Reflect::get(&outcome, &"status".into())
                .ok()
                .and_then(|status| status.as_string())
                .is_some_and(|status| status == "fulfilled")
        })
        .collect()
}

/// Sends a request and reads the whole answer, within the deadline.
///
/// In no-cors mode the answer is opaque: no status, no body, but it did come.
pub async fn fetch(
    url: &str,
    options: &Options,
) -> Result<(Response, js_sys::ArrayBuffer), FetchError> {
    let window = web_sys::window().ok_or(FetchError::Unsupported("window"))?;
    let controller =
        AbortController::new().map_err(|_| FetchError::Unsupported("AbortController"))?;
    let init = RequestInit::new();
    init.set_mode(options.mode);
    init.set_method(options.method);
    init.set_cache(RequestCache::NoStore);
    init.set_signal(Some(&controller.signal()));
    if let Some(body) = &options.body {
        init.set_body(body);
    }
    if !options.headers.is_empty() {
        let headers = web_sys::Headers::new().map_err(|_| FetchError::Unsupported("Headers"))?;
        for (name, value) in &options.headers {
            headers
                .set(name, value)
                .map_err(|_| FetchError::Unsupported("a header"))?;
        }
        init.set_headers(&headers);
    }
    let abort = controller.clone();
    // Dropped at the end of this function, which cancels the timer.
    let _deadline = Timeout::new(options.timeout_ms, move || abort.abort());

    let outcome = async {
        let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await?
            .dyn_into()?;
        // The body must be read for the Resource Timing entry to appear, and
        // reading it is part of the deadline.
        let body = JsFuture::from(response.array_buffer()?).await?.dyn_into()?;
        Ok::<_, JsValue>((response, body))
    }
    .await;
    match outcome {
        Ok((response, _)) if options.mode != RequestMode::NoCors && !response.ok() => {
            Err(FetchError::Status(response.status()))
        }
        Ok(answer) => Ok(answer),
        Err(_) if controller.signal().aborted() => Err(FetchError::TimedOut),
        Err(e) => Err(FetchError::Network(describe_js_error(&e))),
    }
}

/// The failure in a few words, for the report and the page, after what was
/// asked: "the server answered with error 503".
impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::TimedOut => f.write_str("did not answer in time"),
            FetchError::Network(detail) => write!(f, "could not be reached ({detail})"),
            FetchError::Status(code) => write!(f, "answered with error {code}"),
            FetchError::Unsupported(what) => {
                write!(f, "could not be asked: this browser lacks {what}")
            }
        }
    }
}

fn describe_js_error(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// The browser's own timing of the request to `url` (absolute), once its
/// entry has appeared. Entries arrive a moment after the body is read.
pub async fn resource_timing(url: &str) -> Option<PerformanceResourceTiming> {
    resource_timing_beyond(url, 0).await
}

/// How many entries the browser holds for `url`: a request to a URL asked
/// before waits with [`resource_timing_beyond`] for an entry past these, so
/// that it never reads the timing of the request before it.
pub fn resource_timings_of(url: &str) -> u32 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0, |p| {
            p.get_entries_by_name_with_entry_type(url, "resource")
                .length()
        })
}

/// The newest timing of a request to `url` once there are more than `seen`.
pub async fn resource_timing_beyond(url: &str, seen: u32) -> Option<PerformanceResourceTiming> {
    let performance = web_sys::window()?.performance()?;
    for _ in 0..20 {
        let entries = performance.get_entries_by_name_with_entry_type(url, "resource");
        if entries.length() > seen
            && let Some(entry) = entries.pop().dyn_ref::<PerformanceResourceTiming>()
        {
            return Some(entry.clone());
        }
        sleep(1).await;
    }
    None
}

/// The `desc` of the answer's Server-Timing metric `name`.
pub fn server_timing_desc(timing: &PerformanceResourceTiming, name: &str) -> Option<String> {
    timing
        .server_timing()
        .iter()
        .filter_map(|m| m.dyn_into::<web_sys::PerformanceServerTiming>().ok())
        .find(|m| m.name() == name)
        .map(|m| m.description())
}

/// The `dur` of the server's `app` Server-Timing metric, in milliseconds.
fn server_time_ms(timing: &PerformanceResourceTiming) -> Option<f64> {
    timing
        .server_timing()
        .iter()
        .filter_map(|m| m.dyn_into::<web_sys::PerformanceServerTiming>().ok())
        .find(|m| m.name() == "app")
        .map(|m| m.duration())
}

/// A ping's network time from the browser's own timing of it (in a page or
/// a worker alike): `responseStart - requestStart`, less the server's own
/// time. Those read zero when the server withholds `Timing-Allow-Origin`;
/// then the whole duration, which is still the browser's figure.
pub fn ping_network_ms(timing: &PerformanceResourceTiming) -> f64 {
    let (request_start, response_start) = (timing.request_start(), timing.response_start());
    let network = if response_start > 0.0 && request_start > 0.0 {
        response_start - request_start
    } else {
        timing.duration()
    };
    (network - server_time_ms(timing).unwrap_or(0.0)).max(0.0)
}

/// Makes room for the entries of a whole run and clears the last run's.
pub fn reset_resource_timings() {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        performance.clear_resource_timings();
        performance.set_resource_timing_buffer_size(5_000);
    }
}

/// The same URL with `ws:`/`wss:` for `http:`/`https:`.
pub fn websocket_url(http_url: &str) -> String {
    if let Some(rest) = http_url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = http_url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        http_url.to_owned()
    }
}

/// Whether the page itself was served from this computer.
pub fn page_is_on_loopback() -> bool {
    let host = location::hostname();
    host == "localhost" || host.starts_with("127.") || host == "[::1]"
}

/// `path` made absolute against `base`, which is either absolute or a path on
/// the origin that served the app (the config's `url = "/"`).
pub fn absolute_url(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    if base.starts_with("http://") || base.starts_with("https://") {
        return format!("{base}{path}");
    }
    format!("{}{base}{path}", location::origin())
}
