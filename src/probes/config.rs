//! Loading the target list from the server that served the app.

use linktriage_core::config::Config;
use linktriage_core::wire::COMPACT_QUERY;
use web_sys::RequestMode;

use super::http::{absolute_url, fetch_body};

/// Fetches and validates `/api/config`; the error is a sentence for the page.
pub async fn load() -> Result<Config, String> {
    let url = absolute_url("/", &format!("/api/config?{COMPACT_QUERY}"));
    let (_, body) = fetch_body(&url, RequestMode::SameOrigin, 5_000)
        .await
        .map_err(|e| format!("the server {e}"))?;
    Config::from_compact(&js_sys::Uint8Array::new(&body).to_vec())
        .map_err(|e| format!("the list of checks is not valid ({e})"))
}
