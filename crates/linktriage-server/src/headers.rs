//! Response headers every answer carries, as middleware.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Adds `Server-Timing: app;dur=…` (the server's own share of the round trip,
/// which the app subtracts) and lets any page read the timings.
pub async fn server_timing(request: Request, next: Next) -> Response {
    #[expect(
        clippy::disallowed_methods,
        reason = "native server: Instant works here"
    )]
    let started = std::time::Instant::now();
    let mut response = next.run(request).await;
    let millis = started.elapsed().as_secs_f64() * 1_000.0;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&format!("app;dur={millis:.3}")) {
        headers.insert(HeaderName::from_static("server-timing"), value);
    }
    headers.insert(
        HeaderName::from_static("timing-allow-origin"),
        HeaderValue::from_static("*"),
    );
    response
}

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
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}
