//! The pages as served: the target list's support desk number written into
//! the message a browser that cannot run the app shows (no JavaScript, no
//! WebAssembly, too old). Only the server can put it there, since no script
//! runs in such a browser; the built pages leave a slot for it.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use linktriage_core::config::tel_address;

use crate::AppState;

/// Where a built page leaves room for the number: an empty element, right
/// after "call your IT service desk", which the number replaces whole.
const SLOT: &[u8] = br#"<span class="app-desk-phone"></span>"#;

/// Larger than any page the build writes (each is a few kilobytes), so a
/// page is never cut; a file this size is no page.
const LARGEST_PAGE: usize = 256 * 1024;

/// `page` with `desk_phone` in its slot, as a link that dials it; `None`
/// when the page has no slot. The number is one `Config::validate` let
/// through: digits, spaces, brackets, dashes and a leading `+`, none of
/// which HTML reads as markup.
pub fn with_desk_phone(page: &[u8], desk_phone: &str) -> Option<Vec<u8>> {
    let at = page.windows(SLOT.len()).position(|w| w == SLOT)?;
    let number = format!(
        " on <a href=\"{}\">{desk_phone}</a>",
        tel_address(desk_phone)
    );
    let mut served = Vec::with_capacity(page.len() + number.len());
    served.extend_from_slice(&page[..at]);
    served.extend_from_slice(number.as_bytes());
    served.extend_from_slice(&page[at + SLOT.len()..]);
    Some(served)
}

/// A built file as served: a page with the desk's number in it where the
/// target list gives one, every other file as built.
pub fn as_served(path: &str, bytes: Vec<u8>, desk_phone: Option<&str>) -> Vec<u8> {
    match desk_phone {
        Some(phone) if path.ends_with(".html") => with_desk_phone(&bytes, phone).unwrap_or(bytes),
        _ => bytes,
    }
}

/// Middleware on the built files: where the target list gives the desk's
/// number, each page goes out with it. The page is asked for uncompressed
/// (a few kilobytes) and without the browser's validators, so that a page
/// kept from before the number changed is never confirmed as current.
pub async fn with_the_desk_phone(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let may_be_page = crate::assets::is_page_path(path) || path.ends_with(".html");
    let Some(phone) = state.config.desk_phone.clone().filter(|_| may_be_page) else {
        return next.run(request).await;
    };
    let headers = request.headers_mut();
    for asked in [
        header::ACCEPT_ENCODING,
        header::IF_NONE_MATCH,
        header::IF_MODIFIED_SINCE,
    ] {
        headers.remove(asked);
    }
    let response = next.run(request).await;
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if response.status() != StatusCode::OK || !is_page {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(page) = axum::body::to_bytes(body, LARGEST_PAGE).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // A page without a slot (the desk's own view) goes out as it is, and
    // unvalidated like the rest: the request's validators went before its
    // page was known, and a `HEAD` has no body to look in.
    let served = with_desk_phone(&page, &phone).unwrap_or_else(|| page.to_vec());
    for validator in [header::ETAG, header::LAST_MODIFIED, header::CONTENT_LENGTH] {
        parts.headers.remove(validator);
    }
    Response::from_parts(parts, Body::from(served))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<p>Use another browser, or call your IT service desk<span class="app-desk-phone"></span>.</p>"#;

    #[test]
    fn the_number_goes_into_the_slot_as_a_link_that_dials_it() {
        let cases = [
            (
                "0300 123 4567",
                r#"call your IT service desk on <a href="tel:03001234567">0300 123 4567</a>.</p>"#,
            ),
            (
                "+44 (300) 123-4567",
                r#"call your IT service desk on <a href="tel:+443001234567">+44 (300) 123-4567</a>.</p>"#,
            ),
        ];
        for (phone, ending) in cases {
            let served = with_desk_phone(PAGE.as_bytes(), phone).unwrap();
            let served = String::from_utf8(served).unwrap();
            assert!(served.ends_with(ending), "{phone}: {served}");
            assert!(!served.contains("app-desk-phone"));
        }
    }

    #[test]
    fn a_page_without_a_slot_or_a_list_without_a_number_is_served_as_built() {
        assert_eq!(with_desk_phone(b"<p>No slot</p>", "0300 123 4567"), None);
        let page = PAGE.as_bytes().to_vec();
        assert_eq!(as_served("index.html", page.clone(), None), page);
        assert_eq!(
            as_served("app.js", page.clone(), Some("0300 123 4567")),
            page
        );
        assert_ne!(
            as_served("index.html", page.clone(), Some("0300 123 4567")),
            page
        );
    }
}
