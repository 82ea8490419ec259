//! Offline use: registering the service worker that keeps this release's
//! files on this computer (the server writes it: `offline.rs` there), so the
//! pages open again with the network down.

use wasm_bindgen_futures::JsFuture;

/// Whether the pages can open here with the network down, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfflineUse {
    Ready,
    Unavailable(&'static str),
}

/// Registers `/sw.js` for the whole site. A browser only allows it on a
/// secure address (https, or this computer's own), and a policy may forbid it.
pub async fn register() -> OfflineUse {
    let Some(window) = web_sys::window() else {
        return OfflineUse::Unavailable("this browser cannot keep a copy");
    };
    if !window.is_secure_context() {
        return OfflineUse::Unavailable("it needs a secure address (https)");
    }
    let navigator = window.navigator();
    let has_workers = js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false);
    if !has_workers {
        return OfflineUse::Unavailable("this browser, or a policy, does not allow it");
    }
    match JsFuture::from(navigator.service_worker().register("/sw.js")).await {
        Ok(_) => OfflineUse::Ready,
        Err(_) => OfflineUse::Unavailable("this browser, or a policy, did not allow it"),
    }
}
