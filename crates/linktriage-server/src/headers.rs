//! The headers the page and its files carry, as middleware.

use crate::AppState;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// Cross-origin isolation gives the page 5 µs timers instead of 100 µs;
/// `credentialless` keeps no-cors reach checks to other hosts working. The
/// rest keeps the page's address and content to itself.
pub async fn isolation_and_privacy(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed = [
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-embedder-policy", "credentialless"),
        ("cross-origin-resource-policy", "cross-origin"),
        ("referrer-policy", "no-referrer"),
        ("x-content-type-options", "nosniff"),
    ];
    for (name, value) in fixed {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    response
}

/// The pages' Content-Security-Policy (`csp`), on every HTML answer.
pub async fn page_policy(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_page = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if let (true, Some(policy)) = (is_page, &state.page_policy) {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_SECURITY_POLICY, policy.clone());
    }
    response
}

/// Files whose names carry their content's hash are kept for a year and
/// never asked about again; everything else (the pages, the service worker,
/// the watch's unhashed worker) is asked about on every use, so that a new
/// release is seen at once.
pub async fn file_caching(request: Request, next: Next) -> Response {
    let forever = crate::offline::is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let policy = if forever && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static(policy),
    );
    response
}
