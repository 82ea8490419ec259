//! The headers the page and its files carry, as middleware.

use crate::AppState;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
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
/// release is seen at once. A `304` says what the `200` it stands for said
/// (RFC 9111 4.3.4: the cache takes the new headers).
pub async fn file_caching(request: Request, next: Next) -> Response {
    let forever = crate::offline::is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let kept = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    let policy = if forever && kept {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static(policy),
    );
    // Every file goes out in the encoding the browser accepts, so a 304
    // varies as its 200 did.
    if response.status() == StatusCode::NOT_MODIFIED {
        response.headers_mut().insert(
            axum::http::header::VARY,
            HeaderValue::from_static("accept-encoding"),
        );
    }
    response
}

/// `Strict-Transport-Security`, where the deployment asked for it
/// (`serve --hsts`, over TLS only): browsers then never try the server over
/// plain HTTP again.
pub async fn strict_transport(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    if let Some(policy) = state.strict_transport() {
        response.headers_mut().insert(
            axum::http::header::STRICT_TRANSPORT_SECURITY,
            policy.clone(),
        );
    }
    response
}

/// Whether `If-None-Match` names `etag` (quoted, as the ETag header carries
/// it): `*`, or a list holding it, strong or weak (`W/"..."`), since
/// RFC 9110 13.1.2 compares tags weakly for this header.
pub fn none_match(if_none_match: Option<&HeaderValue>, etag: &str) -> bool {
    let Some(value) = if_none_match else {
        return false;
    };
    let etag = etag.as_bytes();
    let etag = etag.strip_prefix(b"W/").unwrap_or(etag);
    value.as_bytes().split(|b| *b == b',').any(|tag| {
        let tag = tag.trim_ascii();
        tag == b"*" || tag.strip_prefix(b"W/").unwrap_or(tag) == etag
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_is_compared_weakly_and_takes_a_star() {
        let cases = [
            ("\"abc\"", true),
            ("W/\"abc\"", true),
            ("\"old\", W/\"abc\"", true),
            ("*", true),
            (" \"old\" ,\"abc\" ", true),
            ("\"abcd\"", false),
            ("abc", false),
            ("W/\"old\"", false),
            ("", false),
        ];
        for (header, expected) in cases {
            let value = HeaderValue::from_str(header).ok();
            assert_eq!(
                none_match(value.as_ref(), "\"abc\""),
                expected,
                "{header:?}"
            );
        }
        assert!(!none_match(None, "\"abc\""));
    }
}
