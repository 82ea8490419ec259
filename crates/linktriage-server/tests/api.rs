//! The server's HTTP surface, driven through `oneshot` without a socket.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first surprise"
)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use linktriage_core::config::Config;
use linktriage_server::{AppState, router};
use tower::ServiceExt;

/// A stand-in for the built app, written once for all tests of this binary.
fn assets() -> &'static std::path::Path {
    static ASSETS: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    ASSETS.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("assets");
        std::fs::create_dir_all(&dir).unwrap();
        let files: [(&str, &[u8]); 3] = [
            ("index.html", b"<!doctype html><title>Link Triage</title>"),
            ("app.wasm", b"raw"),
            ("app.wasm.br", b"brotli copy"),
        ];
        for (name, content) in files {
            std::fs::write(dir.join(name), content).unwrap();
        }
        dir
    })
}

fn app() -> axum::Router {
    router(AppState::new(
        Config::embedded_default(),
        assets().to_owned(),
    ))
}

async fn get(path: &str) -> axum::response::Response {
    app()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn body_text(response: axum::response::Response) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn ping_answers_204_uncached_with_server_timing_readable_by_any_page() {
    let response = get("/api/ping").await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let headers = response.headers();
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(headers["timing-allow-origin"], "*");
    let timing = headers["server-timing"].to_str().unwrap();
    let duration: f64 = timing.strip_prefix("app;dur=").unwrap().parse().unwrap();
    assert!((0.0..1_000.0).contains(&duration), "{timing}");
}

#[tokio::test]
async fn config_is_served_as_json_the_app_can_parse() {
    let response = get("/api/config").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    let config = Config::from_json(&body_text(response).await).unwrap();
    assert_eq!(config, Config::embedded_default());
}

#[tokio::test]
async fn every_answer_is_cross_origin_isolated() {
    for path in ["/", "/api/ping", "/healthz"] {
        let response = get(path).await;
        let headers = response.headers();
        assert_eq!(
            headers["cross-origin-opener-policy"], "same-origin",
            "{path}"
        );
        assert_eq!(
            headers["cross-origin-embedder-policy"], "credentialless",
            "{path}"
        );
    }
}

#[tokio::test]
async fn unknown_paths_open_the_app_and_unknown_api_paths_do_not() {
    let response = get("/desk").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        body_text(response)
            .await
            .contains("<title>Link Triage</title>")
    );
    assert_eq!(
        get("/api/nothing-here").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn healthz_says_ok() {
    let response = get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "ok\n");
}

#[tokio::test]
async fn the_apps_files_go_out_as_the_builds_brotli_copy_when_accepted() {
    let request = Request::get("/app.wasm")
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .body(Body::empty())
        .unwrap();
    let response = app().oneshot(request).await.unwrap();
    assert_eq!(
        response
            .headers()
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap()),
        Some("br"),
        "{:?}",
        response.headers()
    );
    assert_eq!(body_text(response).await, "brotli copy");
}

#[tokio::test]
async fn measurement_answers_are_never_compressed() {
    let request = Request::get("/api/config")
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .body(Body::empty())
        .unwrap();
    let response = app().oneshot(request).await.unwrap();
    assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
}
