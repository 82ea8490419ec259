//! Where the page was loaded from, and the fragment of its address: the
//! page's one window on `window.location`.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// `https://host:port` of the page, or empty outside a page.
pub fn origin() -> String {
    location().and_then(|l| l.origin().ok()).unwrap_or_default()
}

/// The page's host name, without a port.
pub fn hostname() -> String {
    location()
        .and_then(|l| l.hostname().ok())
        .unwrap_or_default()
}

/// The fragment of the page's address, `#` included, or empty.
pub fn fragment() -> String {
    location().and_then(|l| l.hash().ok()).unwrap_or_default()
}

/// The query of the page's address, without its `?`, or empty.
pub fn query() -> String {
    location()
        .and_then(|l| l.search().ok())
        .map(|q| q.trim_start_matches('?').to_owned())
        .unwrap_or_default()
}

/// Opens `url` in place of this page (not kept in the history).
pub fn replace(url: &str) {
    if let Some(location) = location() {
        let _ = location.replace(url);
    }
}

/// Whether the page came over HTTPS.
pub fn is_secure() -> bool {
    location()
        .and_then(|l| l.protocol().ok())
        .is_some_and(|p| p == "https:")
}

/// Calls `f` whenever only the fragment of the page's address changes (a
/// new share link given in the same tab); stops when dropped.
#[derive(Debug)]
pub struct FragmentListener {
    listener: Closure<dyn Fn()>,
}

impl FragmentListener {
    pub fn new(f: impl Fn() + 'static) -> FragmentListener {
        let listener = Closure::<dyn Fn()>::new(f);
        if let Some(w) = web_sys::window() {
            let _ =
                w.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
        }
        FragmentListener { listener }
    }
}

impl Drop for FragmentListener {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback(
                "hashchange",
                self.listener.as_ref().unchecked_ref(),
            );
        }
    }
}
