//! Loading the target list from the server that served the app.

use linktriage_core::config::Config;
use linktriage_core::report::{ListFacts, is_release_id};
use linktriage_core::wire::{COMPACT_QUERY, RELEASE_HEADER};
use web_sys::RequestMode;

use super::http::{absolute_url, fetch_body};

/// The target list, and whether it is the copy this computer kept because
/// the server did not answer (the service worker marks it so).
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub from_copy: bool,
    /// The release of this page's files, as the answer names it: the
    /// service worker's when it answered, else the server's. Empty when
    /// the answer names none the report could carry.
    pub release: String,
}

impl Loaded {
    /// What every report of this page names: the list and the release.
    pub fn facts(&self) -> ListFacts {
        ListFacts {
            name: self.config.name.clone(),
            version: self.config.version.clone(),
            release: self.release.clone(),
        }
    }
}

/// The header the service worker puts on the copy it answers with.
const COPY_HEADER: &str = "x-linktriage-copy";

/// Fetches and validates `/api/config`; the error is a sentence for the page.
pub async fn load() -> Result<Loaded, String> {
    let url = absolute_url("/", &format!("/api/config?{COMPACT_QUERY}"));
    let (response, body) = fetch_body(&url, RequestMode::SameOrigin, 5_000)
        .await
        .map_err(|e| format!("the server {e}"))?;
    let headers = response.headers();
    let from_copy = headers.has(COPY_HEADER).unwrap_or(false);
    let release = headers
        .get(RELEASE_HEADER)
        .ok()
        .flatten()
        .filter(|r| is_release_id(r))
        .unwrap_or_default();
    let config = Config::from_compact(&js_sys::Uint8Array::new(&body).to_vec())
        .map_err(|e| format!("the list of checks is not valid ({e})"))?;
    Ok(Loaded {
        config,
        from_copy,
        release,
    })
}
