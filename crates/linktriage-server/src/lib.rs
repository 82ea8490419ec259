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

/// What every handler may read. Immutable after start, and one `Arc`: axum
/// clones the state with the handler for every request.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

#[derive(Debug)]
pub struct Shared {
    pub config: Config,
    /// The configuration as served, serialised once: JSON, and the compact
    /// form the app reads.
    config_json: String,
    config_compact: Vec<u8>,
    /// Folder holding the built app.
    assets: PathBuf,
    /// Download and upload slots: a cap on bandwidth use, not state.
    transfers: Arc<tokio::sync::Semaphore>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(config: Config, assets: PathBuf) -> AppState {
        let config_json = serde_json::to_string(&config)
            .unwrap_or_else(|e| unreachable!("a Config always serialises: {e}"));
        let config_compact = linktriage_core::wire::to_compact(&config);
        AppState(Arc::new(Shared {
            config,
            config_json,
            config_compact,
            assets,
            transfers: Arc::new(tokio::sync::Semaphore::new(api::MAX_CONCURRENT_TRANSFERS)),
        }))
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
    // Isolation and privacy headers matter on the page and its files; the
    // measurement answers go without them, which halves the work per ping.
    let static_files = Router::new()
        .fallback_service(app)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(middleware::from_fn(headers::isolation_and_privacy));
    Router::new()
        .merge(api::router(&state))
        .route("/healthz", get(|| async { "ok\n" }))
        .merge(static_files)
        .with_state(state)
}
