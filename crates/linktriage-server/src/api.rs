//! The measurement endpoints under `/api`.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ping", get(ping))
        .route("/config", get(config))
        // Without this, an unknown API path would fall through to the app.
        .fallback(|| async { (StatusCode::NOT_FOUND, "no such endpoint\n") })
}

/// The smallest possible answer: the app times it with Resource Timing.
async fn ping() -> impl IntoResponse {
    (
        StatusCode::NO_CONTENT,
        [(header::CACHE_CONTROL, "no-store")],
    )
}

/// The target list, as JSON.
async fn config(State(state): State<AppState>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        state.config_json.to_string(),
    )
}
