//! The JSON shapes of the probe server's answers, shared by the server that
//! writes them and the app that reads them: one definition, no drift.

use serde::{Deserialize, Serialize};

/// `GET /api/whoami`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhoAmI {
    /// The client's address as the server saw it (a proxy's, if there is one).
    pub client: Option<String>,
    /// The request headers as they arrived, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The server's clock, in milliseconds since the Unix epoch.
    pub server_time_ms: f64,
}

/// `POST /api/upload`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadReceipt {
    pub bytes: u64,
    /// From the handler's start to the last byte read, in milliseconds.
    pub receive_ms: f64,
    /// The server's clock when the last byte arrived, in milliseconds since
    /// the Unix epoch.
    pub server_time_ms: f64,
}

/// Asks `/api/config` and `/api/whoami` for the compact form (postcard)
/// instead of JSON: the page reads that with no JSON parser, which its size
/// budget cannot carry. JSON stays the default, for people and tools.
pub const COMPACT_QUERY: &str = "format=postcard";
/// The content type of the compact form.
pub const COMPACT_TYPE: &str = "application/x-postcard";

/// `value` in the compact form.
pub fn to_compact<T: Serialize>(value: &T) -> Vec<u8> {
    postcard::to_allocvec(value).unwrap_or_default()
}

/// Reads the compact form; the error says what did not read.
pub fn from_compact<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| e.to_string())
}

/// On the answer to `/api/config`: the release of the pages that asked,
/// which every report names. The server sets it to the release it serves;
/// the service worker, which answers the pages from its copy of one
/// release, sets it to that release, so a page never names another's.
pub const RELEASE_HEADER: &str = "x-linktriage-release";

/// The header the app sends to `/api/whoami` and expects back unchanged.
pub const CHECK_HEADER: &str = "x-linktriage-check";
