//! The Link Triage server as a library: [`Surface`] is the whole HTTP
//! surface (plain pings answered ahead of routing, then [`router`]), so
//! tests drive exactly what a connection is served with through `oneshot`;
//! [`serve`] is the topology the binary runs (one event loop per core), which
//! a test can start too. `main` only reads the command line.
//!
//! The server is stateless: it holds the configuration it was started with and
//! nothing that a request leaves behind.

pub mod api;
mod csp;
pub mod decode;
mod headers;
mod serve;

pub use serve::{Serving, serve};

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
    /// The pages' Content-Security-Policy (`csp`), worked out at start.
    page_policy: Option<HeaderValue>,
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
        let page_policy = HeaderValue::from_str(&csp::policy(&assets)).ok();
        AppState(Arc::new(Shared {
            page_policy,
            config,
            config_json,
            config_compact,
            assets,
            transfers: Arc::new(tokio::sync::Semaphore::new(api::MAX_CONCURRENT_TRANSFERS)),
        }))
    }
}

/// Accepts connections on `listener` until `stop` completes, serving each
/// with [`Surface`] over HTTP/1.1 with upgrades (WebSocket) on the current
/// event loop. HTTP/1.1 only: browsers speak HTTP/2 over TLS alone, which a
/// proxy in front ends, and not sniffing for HTTP/2's preface is part of
/// what keeps `/api/ping` as cheap as nginx's answer (BENCHMARKS.md). No
/// header read timeout, as with `axum::serve` before: hyper's arms a timer
/// on every request, 5 % of a ping; on an untrusted network a proxy in front
/// deals with slow clients.
pub async fn serve_connections(
    listener: tokio::net::TcpListener,
    surface: Surface,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    use hyper_util::rt::TokioIo;
    use hyper_util::service::TowerToHyperService;
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // A connection reset before it was accepted, or out of
                // descriptors for a moment: the next accept may succeed.
                Err(_) => continue,
            },
            () = &mut stop => return Ok(()),
        };
        let service = TowerToHyperService::new(surface.for_peer(peer));
        tokio::spawn(async move {
            // A client that goes away mid-request is not the server's error.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        });
    }
}

/// The whole HTTP surface, as every connection is served: a plain ping
/// (the hot path of the latency check) answered at once, ahead of routing
/// and its layers; everything else through [`router`], which sees the
/// peer's address as axum's `ConnectInfo`. A `tower::Service` over any
/// request body, so in-process tests send it requests as a connection does.
#[derive(Debug, Clone)]
pub struct Surface {
    app: Router,
    peer: Option<std::net::SocketAddr>,
}

impl Surface {
    pub fn new(state: AppState) -> Surface {
        Surface {
            app: router(state),
            peer: None,
        }
    }

    /// The surface for one connection from `peer`.
    pub fn for_peer(&self, peer: std::net::SocketAddr) -> Surface {
        Surface {
            app: self.app.clone(),
            peer: Some(peer),
        }
    }
}

impl<B> tower::Service<axum::http::Request<B>> for Surface
where
    B: http_body::Body<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = futures_util::future::Either<
        std::future::Ready<Result<axum::response::Response, std::convert::Infallible>>,
        tower::util::Oneshot<Router, axum::http::Request<axum::body::Body>>,
    >;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        // A Router is always ready.
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: axum::http::Request<B>) -> Self::Future {
        use futures_util::future::Either;
        if api::is_plain_ping(&request) {
            return Either::Left(std::future::ready(Ok(api::ping_response())));
        }
        if let Some(peer) = self.peer {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        Either::Right(tower::ServiceExt::oneshot(
            self.app.clone(),
            request.map(axum::body::Body::new),
        ))
    }
}

/// Everything but the plain ping: the measurement API under `/api`,
/// `/healthz`, and the built app for every other path.
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
        .layer(middleware::from_fn(headers::isolation_and_privacy))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::page_policy,
        ));
    Router::new()
        .merge(api::router(&state))
        .route("/healthz", get(|| async { "ok\n" }))
        .merge(static_files)
        .with_state(state)
}
