//! Loading the target list from the server that served the app.

use linktriage_core::config::Config;
use linktriage_core::wire::COMPACT_QUERY;
use web_sys::RequestMode;

use super::http::{absolute_url, fetch_body};

/// The target list, and whether it is the copy this computer kept because
/// the server did not answer (the service worker marks it so).
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub from_copy: bool,
}

/// The header the service worker puts on the copy it answers with.
const COPY_HEADER: &str = "x-linktriage-copy";

/// Fetches and validates `/api/config`; the error is a sentence for the page.
pub async fn load() -> Result<Loaded, String> {
    let url = absolute_url("/", &format!("/api/config?{COMPACT_QUERY}"));
    let (response, body) = fetch_body(&url, RequestMode::SameOrigin, 5_000)
        .await
        .map_err(|e| format!("the server {e}"))?;
    let from_copy = response.headers().has(COPY_HEADER).unwrap_or(false);
    let config = Config::from_compact(&js_sys::Uint8Array::new(&body).to_vec())
        .map_err(|e| format!("the list of checks is not valid ({e})"))?;
    Ok(Loaded { config, from_copy })
}
