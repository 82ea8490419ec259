//! Where the app's files come from: the binary itself (built by `cargo
//! xtask dist`, so `linktriage serve` needs nothing beside it) or a folder
//! (`--assets`, for development). Either way each file goes out as the
//! build's brotli or gzip copy to a browser that accepts it, and an unknown
//! path gets the app's page, so a deep link still opens it.

use std::path::PathBuf;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One built file inside the binary, with its compressed copies.
#[derive(Debug)]
pub struct Embedded {
    /// Relative to the app's root, with `/`: `desk/index.html`.
    pub path: &'static str,
    /// From the file's bytes, quoted as the header carries it.
    pub etag: &'static str,
    pub identity: &'static [u8],
    pub brotli: Option<&'static [u8]>,
    pub gzip: Option<&'static [u8]>,
}

/// Written by the build script; empty unless the build named a folder.
static EMBEDDED: &[Embedded] = include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The app's files, and where they come from.
#[derive(Debug, Clone)]
pub enum Assets {
    /// Inside the binary.
    Embedded,
    /// A folder of Trunk's output, with the build's compressed copies.
    Folder(PathBuf),
}

impl Assets {
    /// The app inside this binary, if it was built with one.
    pub fn embedded() -> Option<Assets> {
        (!EMBEDDED.is_empty()).then_some(Assets::Embedded)
    }

    /// A file's text, for the pages' Content-Security-Policy.
    pub fn text(&self, path: &str) -> Option<String> {
        match self {
            Assets::Embedded => {
                find(path).map(|f| String::from_utf8_lossy(f.identity).into_owned())
            }
            Assets::Folder(folder) => std::fs::read_to_string(folder.join(path)).ok(),
        }
    }

    /// Whether the clinician's page is there at all.
    pub fn has_app(&self) -> bool {
        match self {
            Assets::Embedded => find(INDEX).is_some(),
            Assets::Folder(folder) => folder.join(INDEX).is_file(),
        }
    }

    /// Every file of the release with its bytes, by its path from the
    /// app's root (`desk/index.html`); the compressed copies are not files
    /// of their own.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        match self {
            Assets::Embedded => EMBEDDED
                .iter()
                .map(|f| (f.path.to_owned(), f.identity.to_vec()))
                .collect(),
            Assets::Folder(folder) => {
                let mut found = Vec::new();
                walk(folder, folder, &mut found);
                found
            }
        }
    }

    /// Where the files come from, in words, for the start-up line.
    pub fn describe(&self) -> String {
        match self {
            Assets::Embedded => "the app inside this binary".to_owned(),
            Assets::Folder(folder) => format!("the app in {}", folder.display()),
        }
    }
}

const INDEX: &str = "index.html";

fn walk(root: &std::path::Path, folder: &std::path::Path, found: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(root, &path, found);
            continue;
        }
        let name = path.to_string_lossy();
        if name.ends_with(".br") || name.ends_with(".gz") {
            continue;
        }
        let (Ok(relative), Ok(bytes)) = (path.strip_prefix(root), std::fs::read(&path)) else {
            continue;
        };
        let relative = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        found.push((relative, bytes));
    }
}

fn find(path: &str) -> Option<&'static Embedded> {
    find_in(EMBEDDED, path)
}

fn find_in(files: &'static [Embedded], path: &str) -> Option<&'static Embedded> {
    files.iter().find(|f| f.path == path)
}

/// Serves a file inside the binary, as `tower_http::services::ServeDir`
/// serves a folder (a folder's `index.html`, a folder named without its `/`
/// redirected, the app's page for anything unknown), with an ETag so a
/// repeat visit is answered 304.
pub async fn serve_embedded(request: Request) -> Response {
    serve_from(EMBEDDED, &request)
}

fn serve_from(files: &'static [Embedded], request: &Request) -> Response {
    let find = |path: &str| find_in(files, path);
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = request.uri().path().trim_start_matches('/');
    let file = if path.is_empty() || path.ends_with('/') {
        find(&format!("{path}{INDEX}"))
    } else if find(&format!("{path}/{INDEX}")).is_some() {
        let location = format!("/{path}/");
        return (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response();
    } else {
        find(path)
    };
    let file = file.or_else(|| is_page_path(path).then(|| find(INDEX)).flatten());
    let Some(file) = file else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let headers = request.headers();
    let etag = HeaderValue::from_static(file.etag);
    let vary = HeaderValue::from_static("accept-encoding");
    if crate::headers::none_match(headers.get(header::IF_NONE_MATCH), file.etag) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::VARY, vary)],
        )
            .into_response();
    }
    let accepted = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (body, encoding) = match (file.brotli, file.gzip) {
        (Some(brotli), _) if accepts(accepted, "br") => (brotli, Some("br")),
        (_, Some(gzip)) if accepts(accepted, "gzip") => (gzip, Some("gzip")),
        _ => (file.identity, None),
    };
    let mut response = Response::new(Body::from(body));
    let out = response.headers_mut();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(file.path)),
    );
    out.insert(header::ETAG, etag);
    out.insert(header::VARY, vary);
    if let Some(encoding) = encoding {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// Whether an unknown path is a page's (a deep link, answered with the
/// app's page) rather than a file's: every built file has an extension. A
/// missing file is answered 404, so that a page of one release asking an
/// instance of another for its files (during a rolling upgrade) fails
/// plainly, rather than being handed the page as its script.
pub fn is_page_path(path: &str) -> bool {
    !path.rsplit('/').next().unwrap_or("").contains('.')
}

/// Whether `Accept-Encoding` takes `coding` (named, and not at `q=0`).
pub fn accepts(accept_encoding: &str, coding: &str) -> bool {
    accept_encoding.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let named = parts.next().is_some_and(|c| c.eq_ignore_ascii_case(coding));
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        named && !refused
    })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_is_read_by_its_codings_and_their_weights() {
        let cases = [
            ("gzip, deflate, br, zstd", "br", true),
            ("gzip, deflate, br, zstd", "gzip", true),
            ("gzip;q=1.0, br;q=0", "br", false),
            ("gzip;q=0.5", "gzip", true),
            ("identity", "gzip", false),
            ("", "br", false),
            ("BR", "br", true),
            ("brotli", "br", false),
        ];
        for (header, coding, expected) in cases {
            assert_eq!(accepts(header, coding), expected, "{header:?} {coding}");
        }
    }

    #[test]
    fn each_built_file_has_the_type_a_browser_needs() {
        assert_eq!(content_type("desk/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("app_bg.wasm"), "application/wasm");
        assert_eq!(content_type("app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }
}

#[cfg(test)]
mod serving {
    use super::*;

    static FILES: &[Embedded] = &[
        Embedded {
            path: "index.html",
            etag: "\"page\"",
            identity: b"<p>page",
            brotli: Some(b"br page"),
            gzip: Some(b"gz page"),
        },
        Embedded {
            path: "desk/index.html",
            etag: "\"desk\"",
            identity: b"<p>desk",
            brotli: None,
            gzip: None,
        },
        Embedded {
            path: "app_bg.wasm",
            etag: "\"wasm\"",
            identity: b"\0asm",
            brotli: None,
            gzip: Some(b"gz wasm"),
        },
    ];

    fn get(path: &str, headers: &[(header::HeaderName, &str)]) -> Response {
        let mut request = Request::get(path);
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        serve_from(FILES, &request.body(Body::empty()).unwrap_or_default())
    }

    async fn body(response: Response) -> Vec<u8> {
        use http_body_util::BodyExt;
        response
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes().to_vec())
            .unwrap_or_default()
    }

    fn header_of(response: &Response, name: header::HeaderName) -> Option<&str> {
        response.headers().get(name).and_then(|v| v.to_str().ok())
    }

    #[tokio::test]
    async fn each_path_gets_its_file_as_a_folder_would_serve_it() {
        /// Path, Accept-Encoding; then the status, body and Content-Encoding.
        type Case = (
            &'static str,
            &'static str,
            StatusCode,
            &'static [u8],
            Option<&'static str>,
        );
        let cases: [Case; 9] = [
            ("/", "gzip, br", StatusCode::OK, b"br page", Some("br")),
            ("/", "gzip", StatusCode::OK, b"gz page", Some("gzip")),
            ("/", "", StatusCode::OK, b"<p>page", None),
            ("/desk/", "br", StatusCode::OK, b"<p>desk", None),
            (
                "/app_bg.wasm",
                "br, gzip",
                StatusCode::OK,
                b"gz wasm",
                Some("gzip"),
            ),
            ("/no/such/page", "", StatusCode::OK, b"<p>page", None),
            ("/watch/", "", StatusCode::OK, b"<p>page", None),
            ("/app-0123abcd.js", "", StatusCode::NOT_FOUND, b"", None),
            ("/desk", "", StatusCode::TEMPORARY_REDIRECT, b"", None),
        ];
        for (path, accepted, status, expected, encoding) in cases {
            let response = get(path, &[(header::ACCEPT_ENCODING, accepted)]);
            assert_eq!(response.status(), status, "{path}");
            assert_eq!(
                header_of(&response, header::CONTENT_ENCODING),
                encoding,
                "{path}"
            );
            assert_eq!(body(response).await, expected, "{path}");
        }
        let redirect = get("/desk", &[]);
        assert_eq!(header_of(&redirect, header::LOCATION), Some("/desk/"));
        let wasm = get("/app_bg.wasm", &[]);
        assert_eq!(
            header_of(&wasm, header::CONTENT_TYPE),
            Some("application/wasm")
        );
        assert_eq!(header_of(&wasm, header::ETAG), Some("\"wasm\""));
        assert_eq!(header_of(&wasm, header::VARY), Some("accept-encoding"));
    }

    #[tokio::test]
    async fn a_repeat_visit_with_the_etag_is_answered_304_and_another_is_not() {
        let same = get("/", &[(header::IF_NONE_MATCH, "\"old\", \"page\"")]);
        assert_eq!(same.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(header_of(&same, header::ETAG), Some("\"page\""));
        assert_eq!(header_of(&same, header::VARY), Some("accept-encoding"));
        for tag in ["W/\"page\"", "*"] {
            let weak = get("/", &[(header::IF_NONE_MATCH, tag)]);
            assert_eq!(weak.status(), StatusCode::NOT_MODIFIED, "{tag}");
        }
        assert!(body(same).await.is_empty());
        let changed = get("/", &[(header::IF_NONE_MATCH, "\"old\"")]);
        assert_eq!(changed.status(), StatusCode::OK);
    }

    #[test]
    fn only_get_and_head_are_served() {
        let request = Request::post("/").body(Body::empty()).unwrap_or_default();
        assert_eq!(
            serve_from(FILES, &request).status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
    }
}
