//! The Link Triage server as a library: `router(state)` is the whole HTTP
//! surface, so tests drive it with `oneshot` and `main` only binds a socket.
//!
//! The server is stateless: it holds the configuration it was started with and
//! nothing that a request leaves behind.

pub mod api;
mod headers;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::routing::get;
use linktriage_core::config::Config;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// What every handler may read. Immutable after start.
#[derive(Debug, Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    /// The configuration as the app receives it, serialised once.
    config_json: Arc<str>,
    /// Folder holding the built app.
    assets: PathBuf,
    /// Download and upload slots: a cap on bandwidth use, not state.
    transfers: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(config: Config, assets: PathBuf) -> AppState {
        let config_json = serde_json::to_string(&config)
            .unwrap_or_else(|e| unreachable!("a Config always serialises: {e}"));
        AppState {
            config: Arc::new(config),
            config_json: config_json.into(),
            assets,
            transfers: Arc::new(tokio::sync::Semaphore::new(api::MAX_CONCURRENT_TRANSFERS)),
        }
    }
}

/// The whole HTTP surface: the measurement API under `/api`, `/healthz`, and
/// the built app for every other path.
pub fn router(state: AppState) -> Router {
    let index = state.assets.join("index.html");
    // Unknown paths get the app itself, so a deep link still opens it.
    // The build writes .br and .gz copies beside each file; they are sent
    // as they are to browsers that accept them. Nothing is compressed per
    // request, so measurement answers (throughput above all) never are.
    let app = ServeDir::new(&state.assets)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(index)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .append_index_html_on_directories(true);
    let static_files =
        Router::new()
            .fallback_service(app)
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            ));
    Router::new()
        .nest(
            "/api",
            api::router(&state).layer(middleware::from_fn(headers::server_timing)),
        )
        .route("/healthz", get(|| async { "ok\n" }))
        .merge(static_files)
        .layer(middleware::from_fn(headers::isolation_and_privacy))
        .with_state(state)
}
