//! The measurement endpoints under `/api`: each answers fast, uncached and
//! uncompressed, and each is capped so that none can be used to exhaust the
//! server.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Extension, Query, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use http_body_util::BodyExt;
use linktriage_core::payload::{XorShift, reference_payload};
use linktriage_core::wire::{
    CHECK_HEADER, COMPACT_TYPE, RELEASE_HEADER, UploadReceipt, WhoAmI, to_compact,
};
use serde::Deserialize;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use crate::connection::OnConnection;
use crate::proxy::FORWARDING_HEADERS;

/// The largest download or upload one request may ask for. At 100 Mbit/s a
/// one-second transfer is 12.5 MB; this leaves room for faster links.
pub const MAX_TRANSFER_BYTES: u64 = 64 * 1024 * 1024;
/// Transfers running at once; more are refused with 503 rather than queued.
pub const MAX_CONCURRENT_TRANSFERS: usize = 8;
/// A WebSocket echo closes after this many messages or this long idle.
const WS_MAX_MESSAGES: u32 = 1_000;
const WS_MAX_MESSAGE_BYTES: usize = 64 * 1024;
const WS_IDLE: Duration = Duration::from_secs(30);
/// Sent with every answer (the router's layer, the ping's fast path and
/// every refusal): no cache or proxy may keep or rewrite it.
const NO_STORE: &str = "no-store, no-transform";
const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");
/// With `*`, on every answer: any page may read the answers' timings.
const TIMING_ALLOW_ORIGIN: HeaderName = HeaderName::from_static("timing-allow-origin");
/// The headers the app reads, exposed to pages of other origins.
const EXPOSED: [HeaderName; 2] = [SERVER_TIMING, header::CONTENT_LENGTH];
const CHUNK: usize = 64 * 1024;
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The endpoints, at their full paths (a nested router would cost a second
/// match on every ping), with what every answer needs: CORS for configured
/// origins, and `Timing-Allow-Origin` so any page may read the timings.
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/api/ping", get(ping).fallback(wrong_method))
        .route("/api/config", get(config).fallback(wrong_method))
        .route("/api/download", get(download).fallback(wrong_method))
        .route("/api/upload", post(upload).fallback(wrong_method))
        .route("/api/whoami", get(whoami).fallback(wrong_method))
        .route("/api/payload", get(payload).fallback(wrong_method))
        .route("/api/ws", get(websocket).fallback(wrong_method))
        .route("/api/rtc", post(rtc_offer).fallback(wrong_method))
        // Without this, an unknown API path would fall through to the app.
        .route("/api/{*rest}", any(|| async { ApiError::NoSuchEndpoint }))
        .layer(SetResponseHeaderLayer::overriding(
            TIMING_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        // Every answer, refusals and CORS's own included: no cache or proxy
        // may keep or rewrite a measurement.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(NO_STORE),
        ))
        .layer(cors(&state.config.allowed_origins))
}

/// Every way the API refuses a request: one type, so every refusal says
/// what was wrong in a sentence and hides nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    NoSuchEndpoint,
    /// The path is right but not the method (a POST to `/api/ping`).
    WrongMethod,
    /// The query does not read; the sentence says which part.
    BadQuery(String),
    /// More bytes than one transfer may move.
    TooLarge {
        bytes: u64,
    },
    /// Every transfer slot is taken: try again, not wait in a queue.
    Busy,
    /// The client stopped sending before its upload was complete.
    UploadCutOff,
    /// This server runs no loss check (`--rtc-listen off`).
    NoLossCheck,
    /// Not an offer for a loss check; the sentence says why.
    BadOffer(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match &self {
            ApiError::NoSuchEndpoint => (StatusCode::NOT_FOUND, "no such endpoint".to_owned()),
            ApiError::WrongMethod => (
                StatusCode::METHOD_NOT_ALLOWED,
                "this endpoint does not take that method".to_owned(),
            ),
            ApiError::BadQuery(why) => (StatusCode::BAD_REQUEST, format!("bad query: {why}")),
            ApiError::TooLarge { bytes } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("{bytes} bytes is more than the {MAX_TRANSFER_BYTES} this server allows"),
            ),
            ApiError::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "too many transfers at once; try again in a moment".to_owned(),
            ),
            ApiError::UploadCutOff => {
                (StatusCode::BAD_REQUEST, "the upload was cut off".to_owned())
            }
            ApiError::NoLossCheck => (
                StatusCode::NOT_FOUND,
                "this server does not run the loss check".to_owned(),
            ),
            ApiError::BadOffer(why) => (StatusCode::BAD_REQUEST, format!("bad offer: {why}")),
        };
        let mut response = (status, format!("{message}\n")).into_response();
        let headers = response.headers_mut();
        // Also set by the router's layer; here too, so that a refusal made
        // anywhere carries it.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
        if self == ApiError::Busy {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        response
    }
}

/// A query that does not read is the API's refusal, not axum's.
fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query
        .map(|Query(q)| q)
        .map_err(|e| ApiError::BadQuery(e.body_text()))
}

async fn wrong_method() -> ApiError {
    ApiError::WrongMethod
}

/// Other Link Triage deployments named in the configuration may use this
/// server as a probe; the headers the app reads are exposed to them.
fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, HeaderName::from_static(CHECK_HEADER)])
        .expose_headers(EXPOSED)
        .max_age(Duration::from_secs(3600))
        // Vary is for caches, and every answer here is `no-store`.
        .vary([])
}

/// The smallest possible answer: the app times it with Resource Timing and
/// subtracts the handler's own time, given in `Server-Timing`.
async fn ping(
    on_connection: Option<Extension<OnConnection>>,
    headers: axum::http::HeaderMap,
) -> Response {
    // Behind a proxy, the connection is the proxy's, not the page's.
    let on_connection = on_connection
        .map(|Extension(on)| on)
        .filter(|_| crate::proxy::came_straight(&headers));
    ping_response(on_connection)
}

/// A request the server answers before routing: a ping with no `Origin`
/// (same-origin pages and tools send none), which needs no CORS decision.
/// Pings with an `Origin` take the router, whose CORS layer answers them.
pub fn is_plain_ping<B>(request: &axum::http::Request<B>) -> bool {
    request.method() == Method::GET
        && request.uri().path() == "/api/ping"
        && !request.headers().contains_key(header::ORIGIN)
}

/// The ping's answer, with every header the router's layers would add for a
/// request without `Origin`, from the same constants (a test holds the two
/// paths to the same headers). `Server-Timing` gives the server's own time
/// (`app`) and, where the request came on a connection, that connection's
/// number and the request's number on it (`conn;desc="7.3"`), which the
/// page reads from Resource Timing to count connections cut while in use.
pub fn ping_response(on_connection: Option<OnConnection>) -> Response {
    static EXPOSED_LIST: std::sync::LazyLock<HeaderValue> = std::sync::LazyLock::new(|| {
        let exposed = EXPOSED;
        let names: Vec<&str> = exposed.iter().map(HeaderName::as_str).collect();
        HeaderValue::from_str(&names.join(","))
            .unwrap_or_else(|_| unreachable!("header names are valid values"))
    });
    #[expect(
        clippy::disallowed_methods,
        reason = "native server: Instant works here"
    )]
    let started = std::time::Instant::now();
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
    headers.insert(TIMING_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_LIST.clone());
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let timing = match on_connection {
        Some(on) => format!(
            "app;dur={millis:.3}, conn;desc=\"{}.{}\"",
            on.connection, on.request
        ),
        None => format!("app;dur={millis:.3}"),
    };
    if let Ok(value) = HeaderValue::from_str(&timing) {
        headers.insert(SERVER_TIMING, value);
    }
    response
}

/// `?format=postcard`: the answer in the compact form the app reads.
#[derive(Debug, Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

impl FormatQuery {
    fn compact(&self) -> bool {
        self.format.as_deref() == Some("postcard")
    }
}

/// The target list, as JSON or in the compact form, with the release the
/// asking page belongs to (`wire::RELEASE_HEADER`).
async fn config(
    State(state): State<AppState>,
    format: Result<Query<FormatQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let served = state.served_config();
    let (content_type, body) = if query(format)?.compact() {
        (COMPACT_TYPE, served.compact.clone())
    } else {
        ("application/json", served.json.clone().into_bytes())
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (HeaderName::from_static(RELEASE_HEADER), state.release()),
        ],
        body,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
struct DownloadQuery {
    bytes: Option<u64>,
}

/// `bytes` of incompressible data, generated as it is sent.
async fn download(
    State(state): State<AppState>,
    asked: Result<Query<DownloadQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let bytes = query(asked)?.bytes.unwrap_or(1024 * 1024);
    if bytes > MAX_TRANSFER_BYTES {
        return Err(ApiError::TooLarge { bytes });
    }
    let Ok(permit) = state.transfers.clone().try_acquire_owned() else {
        return Err(ApiError::Busy);
    };
    let mut rng = XorShift::new(bytes ^ 0x9e37_79b9_7f4a_7c15);
    let mut remaining = bytes as usize;
    let chunks = futures_util::stream::poll_fn(move |_| {
        if remaining == 0 {
            return std::task::Poll::Ready(None);
        }
        let mut chunk = vec![0u8; remaining.min(CHUNK)];
        rng.fill(&mut chunk);
        remaining -= chunk.len();
        crate::metrics::sent(chunk.len());
        std::task::Poll::Ready(Some(Ok::<_, Infallible>(Bytes::from(chunk))))
    });
    // The permit lives as long as the body is being sent.
    let body = Body::from_stream(futures_util::StreamExt::map(chunks, move |c| {
        let _held = &permit;
        c
    }));
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CONTENT_LENGTH, &bytes.to_string()),
        ],
        body,
    )
        .into_response())
}

/// Reads and discards the body, up to the cap, and says how much arrived.
async fn upload(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let Ok(_permit) = state.transfers.clone().try_acquire_owned() else {
        return Err(ApiError::Busy);
    };
    #[expect(
        clippy::disallowed_methods,
        reason = "native server: Instant works here"
    )]
    let started = std::time::Instant::now();
    let mut body = request.into_body();
    let mut bytes = 0u64;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(ApiError::UploadCutOff);
        };
        if let Some(data) = frame.data_ref() {
            bytes += data.len() as u64;
            crate::metrics::received(data.len());
            if bytes > MAX_TRANSFER_BYTES {
                return Err(ApiError::TooLarge { bytes });
            }
        }
    }
    let receipt = UploadReceipt {
        bytes,
        receive_ms: started.elapsed().as_secs_f64() * 1000.0,
        server_time_ms: unix_ms(),
    };
    Ok(Json(receipt).into_response())
}

/// Who sent `request`, as far as the socket and trusted proxies tell;
/// `None` without a socket (under `oneshot`: the peer address is read
/// from the extensions a connection puts in).
fn behind(state: &AppState, request: &Request) -> Option<crate::proxy::Behind> {
    let ConnectInfo(peer) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()?;
    let forwarded: Vec<&str> = request
        .headers()
        .get_all(X_FORWARDED_FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    Some(state.trusted_proxies.behind(peer.ip(), &forwarded))
}

async fn whoami(
    State(state): State<AppState>,
    format: Result<Query<FormatQuery>, QueryRejection>,
    request: Request,
) -> Result<Response, ApiError> {
    let compact = query(format)?.compact();
    let behind = behind(&state, &request);
    // Through the deployment's own proxy, its forwarding headers are its
    // own and not a sign of something on the clinician's path; what the
    // request carried before it stays.
    let from_trusted_proxy = behind.as_ref().is_some_and(|b| b.from_trusted_proxy);
    let mut headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .filter(|(name, _)| !(from_trusted_proxy && FORWARDING_HEADERS.contains(&name.as_str())))
        .map(|(name, value)| {
            (
                name.to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    if let Some(before) = behind.as_ref().and_then(|b| b.forwarded_before.clone()) {
        headers.push((X_FORWARDED_FOR.to_string(), before));
    }
    let who = WhoAmI {
        client: behind.map(|b| b.client.to_string()),
        headers,
        server_time_ms: unix_ms(),
    };
    if compact {
        return Ok(([(header::CONTENT_TYPE, COMPACT_TYPE)], to_compact(&who)).into_response());
    }
    Ok(Json(who).into_response())
}

/// The longest offer read: a browser's offer of one data channel is 1 to 3 KB.
const MAX_OFFER_BYTES: usize = 16 * 1024;

/// A loss check's offer (SDP), answered with the server's SDP: a session
/// on the server's peer, capped as the transfers are.
async fn rtc_offer(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let Some(peer) = state.rtc() else {
        return Err(ApiError::NoLossCheck);
    };
    // Without a socket (in-process tests) every offer is loopback's.
    let loopback = IpAddr::from([127, 0, 0, 1]);
    let client = behind(&state, &request).map_or(loopback, |b| b.client);
    let reached = request
        .extensions()
        .get::<crate::Reached>()
        .map_or(loopback, |crate::Reached(at)| at.ip());
    let body = axum::body::to_bytes(request.into_body(), MAX_OFFER_BYTES)
        .await
        .map_err(|_| ApiError::BadOffer(format!("longer than {MAX_OFFER_BYTES} bytes")))?;
    let offer =
        std::str::from_utf8(&body).map_err(|_| ApiError::BadOffer("not text".to_owned()))?;
    match peer.answer(offer, client, reached) {
        Ok(answer) => Ok(([(header::CONTENT_TYPE, "application/sdp")], answer).into_response()),
        Err(crate::rtc::Refusal::Busy) => Err(ApiError::Busy),
        Err(crate::rtc::Refusal::BadOffer(why)) => Err(ApiError::BadOffer(why)),
    }
}

/// The reference payload the app regenerates and compares byte for byte.
async fn payload() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        reference_payload(),
    )
}

/// Echoes every message back, within limits.
async fn websocket(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    let stopping = state.stopping();
    upgrade
        .max_message_size(WS_MAX_MESSAGE_BYTES)
        .max_frame_size(WS_MAX_MESSAGE_BYTES)
        .on_upgrade(|socket| echo(socket, stopping))
}

/// Until the limits, or the server stops: then a close frame, "going away"
/// (1001), so the page sees a clean close and not a cut connection.
async fn echo(mut socket: WebSocket, mut stopping: tokio::sync::watch::Receiver<bool>) {
    use axum::extract::ws::{CloseFrame, close_code};
    let _open = crate::metrics::OpenWebSocket::opened();
    for _ in 0..WS_MAX_MESSAGES {
        let received = tokio::select! {
            received = tokio::time::timeout(WS_IDLE, socket.recv()) => Some(received),
            () = crate::stopped(&mut stopping) => None,
        };
        let Some(received) = received else {
            let _ = socket
                .send(Message::Close(Some(CloseFrame {
                    code: close_code::AWAY,
                    reason: "the server is restarting".into(),
                })))
                .await;
            return;
        };
        let message = match received {
            Ok(Some(Ok(message))) => message,
            _ => return,
        };
        let reply = match message {
            Message::Text(_) | Message::Binary(_) => message,
            Message::Close(_) => return,
            Message::Ping(_) | Message::Pong(_) => continue,
        };
        if socket.send(reply).await.is_err() {
            return;
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}

/// The server's wall clock in milliseconds since the Unix epoch.
pub(crate) fn unix_ms() -> f64 {
    #[expect(
        clippy::disallowed_methods,
        reason = "native server: the clock is what whoami reports"
    )]
    let now = std::time::SystemTime::now();
    now.duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
