//! The Link Triage server as a library: [`Surface`] is the whole HTTP
//! surface (plain pings answered ahead of routing, then [`router`]), so
//! tests drive exactly what a connection is served with through `oneshot`;
//! [`serve`] is the topology the binary runs (one event loop per core), which
//! a test can start too. `main` only reads the command line.
//!
//! The server is stateless: it holds the configuration it was started with and
//! nothing that a request leaves behind.

pub mod api;
mod assets;
pub mod connection;
mod csp;
pub mod decode;
mod favicon;
mod headers;
pub mod health;
pub mod log;
pub mod metrics;
mod offline;
mod pages;
pub mod proxy;
pub mod rtc;
mod serve;
pub mod tls;
pub mod trial;

pub use assets::Assets;
pub use connection::Limits;
pub use serve::{Options, Serving, serve};

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::routing::get;
use connection::{AnswerBody, Exchange};
use linktriage_core::config::Config;
use tower_http::services::{ServeDir, ServeFile};

/// What every handler may read. Immutable after start, and one `Arc`: axum
/// clones the state with the handler for every request.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

#[derive(Debug)]
pub struct Shared {
    pub config: Config,
    /// The configuration as served, serialised: JSON, and the compact form
    /// the app reads; again when the server learns which hosts refuse
    /// browsers their answers (`serve --try-targets`).
    served_config: std::sync::RwLock<Arc<ServedConfig>>,
    /// The built app.
    assets: Assets,
    /// Whose `X-Forwarded-For` is believed.
    trusted_proxies: proxy::TrustedProxies,
    /// The pages' Content-Security-Policy (`csp`), worked out at start.
    page_policy: Option<HeaderValue>,
    /// `/sw.js` for the release being served.
    service_worker: offline::ServiceWorker,
    /// Download and upload slots: a cap on bandwidth use, not state.
    transfers: Arc<tokio::sync::Semaphore>,
    /// Turns true once, when the server stops: connections end gracefully
    /// and WebSockets close.
    stopping: tokio::sync::watch::Sender<bool>,
    /// The loss check's peer, once it listens (`serve` binds it).
    rtc: std::sync::OnceLock<rtc::Signalling>,
    /// `Strict-Transport-Security`, where the deployment asked for it.
    strict_transport: std::sync::OnceLock<HeaderValue>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// A configuration in the two forms `/api/config` serves.
#[derive(Debug)]
pub struct ServedConfig {
    pub json: String,
    pub compact: Vec<u8>,
}

impl ServedConfig {
    fn of(config: &Config) -> ServedConfig {
        ServedConfig {
            json: serde_json::to_string(config)
                .unwrap_or_else(|e| unreachable!("a Config always serialises: {e}")),
            compact: linktriage_core::wire::to_compact(config),
        }
    }
}

impl AppState {
    pub fn new(config: Config, assets: Assets, trusted_proxies: proxy::TrustedProxies) -> AppState {
        let served_config = std::sync::RwLock::new(Arc::new(ServedConfig::of(&config)));
        let page_policy = HeaderValue::from_str(&csp::policy(&assets)).ok();
        let service_worker =
            offline::ServiceWorker::for_release(&assets, config.desk_phone.as_deref());
        AppState(Arc::new(Shared {
            page_policy,
            service_worker,
            config,
            served_config,
            assets,
            trusted_proxies,
            transfers: Arc::new(tokio::sync::Semaphore::new(api::MAX_CONCURRENT_TRANSFERS)),
            stopping: tokio::sync::watch::Sender::new(false),
            rtc: std::sync::OnceLock::new(),
            strict_transport: std::sync::OnceLock::new(),
        }))
    }

    /// The configuration as now served.
    pub fn served_config(&self) -> Arc<ServedConfig> {
        // A poisoned lock still holds a whole value: it is only ever swapped.
        let served = self.served_config.read().unwrap_or_else(|e| e.into_inner());
        Arc::clone(&served)
    }

    /// Serves the list with what was learned of its hosts: for each target
    /// (by its place in the list), why a browser cannot read its answers, or
    /// nothing. The list as written is kept in `config`.
    pub fn learn_refused_reads(&self, refused: &[Option<String>]) {
        let mut config = self.config.clone();
        for (target, why) in config.targets.iter_mut().zip(refused) {
            if why.is_some() {
                target.refuses_reads.clone_from(why);
            }
        }
        let mut served = self
            .served_config
            .write()
            .unwrap_or_else(|e| e.into_inner());
        *served = Arc::new(ServedConfig::of(&config));
    }

    /// The release being served: a hash of its files, as its service
    /// worker names it.
    pub fn release(&self) -> &str {
        &self.service_worker.build
    }

    /// The loss check's peer, when this server has one.
    pub fn rtc(&self) -> Option<&rtc::Signalling> {
        self.rtc.get()
    }

    /// Gives the server its loss check's peer: once, at start.
    pub fn set_rtc(&self, signalling: rtc::Signalling) {
        let _ = self.rtc.set(signalling);
    }

    /// Sends `Strict-Transport-Security` with this `max-age` on every
    /// page and file: once, at start, for a server on TLS (`serve --hsts`).
    pub fn set_strict_transport(&self, max_age_s: u32) {
        let policy = HeaderValue::from_str(&format!("max-age={max_age_s}"))
            .unwrap_or_else(|e| unreachable!("digits are a header value: {e}"));
        let _ = self.strict_transport.set(policy);
    }

    /// The `Strict-Transport-Security` to send, if any.
    pub fn strict_transport(&self) -> Option<&HeaderValue> {
        self.strict_transport.get()
    }

    /// Tells every connection, WebSocket and event loop that the server is
    /// stopping.
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    /// Turns true when the server stops.
    pub fn stopping(&self) -> tokio::sync::watch::Receiver<bool> {
        self.stopping.subscribe()
    }
}

/// The service worker of the release being served. The browser asks for
/// it on every visit (it is `no-cache`): its tag is the release, so an
/// unchanged release costs a `304` rather than the script.
async fn service_worker(
    axum::extract::State(state): axum::extract::State<AppState>,
    request_headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let tag = format!("\"{}\"", state.release());
    let vary = (header::VARY, "accept-encoding".to_owned());
    if headers::none_match(request_headers.get(header::IF_NONE_MATCH), &tag) {
        return (
            axum::http::StatusCode::NOT_MODIFIED,
            [(header::ETAG, tag), vary],
        )
            .into_response();
    }
    let gzip = request_headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accepted| assets::accepts(accepted, "gzip"));
    let worker = &state.service_worker;
    let script = (
        header::CONTENT_TYPE,
        "text/javascript; charset=utf-8".to_owned(),
    );
    if gzip {
        let encoding = (header::CONTENT_ENCODING, "gzip".to_owned());
        let headers = [script, (header::ETAG, tag), vary, encoding];
        return (headers, worker.gzipped.clone()).into_response();
    }
    let headers = [script, (header::ETAG, tag), vary];
    (headers, worker.script.clone()).into_response()
}

/// Completes once `stopping` turns true (or its sender is gone).
pub(crate) async fn stopped(stopping: &mut tokio::sync::watch::Receiver<bool>) {
    // The borrow `wait_for` returns ends here, before any later await.
    let _ = stopping.wait_for(|stop| *stop).await;
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
    reached: Option<std::net::SocketAddr>,
    connection: Option<Arc<connection::Connection>>,
}

/// A request's extension: the server's own address on the connection it
/// came on (the one the client reached).
#[derive(Debug, Clone, Copy)]
pub struct Reached(pub std::net::SocketAddr);

impl Surface {
    pub fn new(state: AppState) -> Surface {
        Surface {
            app: router(state),
            peer: None,
            reached: None,
            connection: None,
        }
    }

    /// The surface for one connection from `peer`, which marks each of its
    /// requests in flight on `connection` until the answer is sent.
    pub fn for_connection(
        &self,
        peer: std::net::SocketAddr,
        reached: Option<std::net::SocketAddr>,
        connection: Arc<connection::Connection>,
    ) -> Surface {
        Surface {
            app: self.app.clone(),
            peer: Some(peer),
            reached,
            connection: Some(connection),
        }
    }
}

impl<B> tower::Service<axum::http::Request<B>> for Surface
where
    B: http_body::Body<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = axum::http::Response<AnswerBody>;
    type Error = std::convert::Infallible;
    type Future = futures_util::future::Either<
        std::future::Ready<Result<Self::Response, std::convert::Infallible>>,
        Answering,
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
        let in_flight = self
            .connection
            .as_ref()
            .map(connection::Connection::request_began);
        let on_connection = self
            .connection
            .as_ref()
            .map(|connection| connection.next_request());
        let began = tokio::time::Instant::now();
        if api::is_plain_ping(&request) {
            let exchange = Exchange {
                route: metrics::Route::Ping,
                status: 204,
                began,
            };
            // Behind a proxy, the connection is the proxy's, not the page's.
            let on_connection = on_connection.filter(|_| proxy::came_straight(request.headers()));
            let answer = api::ping_response(on_connection)
                .map(|body| AnswerBody::new(body, exchange, in_flight));
            return Either::Left(std::future::ready(Ok(answer)));
        }
        let route = metrics::Route::of(request.uri().path());
        if let Some(peer) = self.peer {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        if let Some(reached) = self.reached {
            request.extensions_mut().insert(Reached(reached));
        }
        if let Some(on_connection) = on_connection {
            request.extensions_mut().insert(on_connection);
        }
        Either::Right(Answering {
            routed: tower::ServiceExt::oneshot(
                self.app.clone(),
                request.map(axum::body::Body::new),
            ),
            route,
            began,
            in_flight,
        })
    }
}

/// A routed request being answered, holding its place in flight for the
/// answer's body.
#[derive(Debug)]
pub struct Answering {
    routed: tower::util::Oneshot<Router, axum::http::Request<axum::body::Body>>,
    route: metrics::Route,
    began: tokio::time::Instant,
    in_flight: Option<connection::InFlight>,
}

impl Future for Answering {
    type Output = Result<axum::http::Response<AnswerBody>, std::convert::Infallible>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = &mut *self;
        let answer = std::task::ready!(std::pin::Pin::new(&mut this.routed).poll(context));
        let in_flight = this.in_flight.take();
        std::task::Poll::Ready(answer.map(|answer| {
            let exchange = Exchange {
                route: this.route,
                status: answer.status().as_u16(),
                began: this.began,
            };
            answer.map(|body| AnswerBody::new(body, exchange, in_flight))
        }))
    }
}

/// Everything but the plain ping: the measurement API under `/api`,
/// `/healthz`, and the built app for every other path.
pub fn router(state: AppState) -> Router {
    // Unknown paths get the app itself, so a deep link still opens it.
    // The build writes .br and .gz copies beside each file; they are sent
    // as they are to browsers that accept them. Nothing is compressed per
    // request, so measurement answers (throughput above all) never are.
    let files = match &state.assets {
        Assets::Embedded => Router::new().fallback(assets::serve_embedded),
        Assets::Folder(folder) => {
            let index = folder.join("index.html");
            let page_or_nothing = tower::service_fn(move |request: axum::extract::Request| {
                let page = ServeFile::new(&index)
                    .precompressed_br()
                    .precompressed_gzip();
                async move {
                    if assets::is_page_path(request.uri().path()) {
                        let page = tower::ServiceExt::oneshot(page, request).await;
                        page.map(axum::response::IntoResponse::into_response)
                    } else {
                        Ok(axum::response::IntoResponse::into_response(
                            axum::http::StatusCode::NOT_FOUND,
                        ))
                    }
                }
            });
            Router::new().fallback_service(
                ServeDir::new(folder)
                    .precompressed_br()
                    .precompressed_gzip()
                    .fallback(page_or_nothing)
                    .append_index_html_on_directories(true),
            )
        }
    };
    // Isolation and privacy headers matter on the page and its files; the
    // measurement answers go without them, which halves the work per ping.
    let static_files = files
        .route("/sw.js", get(service_worker))
        .route(
            "/favicon.ico",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "image/x-icon")],
                    favicon::ICON.as_slice(),
                )
            }),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages::with_the_desk_phone,
        ))
        .layer(middleware::from_fn(headers::file_caching))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::strict_transport,
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
