//! The server's HTTP surface, driven through `oneshot` without a socket as
//! every connection is served (the ping's fast path included), and over
//! real sockets where only a socket shows it.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first surprise"
)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use linktriage_core::config::Config;
use linktriage_server::{AppState, Surface, router};
use tower::ServiceExt;

/// A stand-in for the built app, written once for all tests of this binary.
fn assets() -> &'static std::path::Path {
    static ASSETS: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    ASSETS.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("assets");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(dir.join("desk")).unwrap();
        let files: [(&str, &[u8]); 5] = [
            ("index.html", b"<!doctype html><title>Link Triage</title>"),
            (
                "desk/index.html",
                b"<!doctype html><title>Link Triage: service desk view</title>",
            ),
            ("app.wasm", b"raw"),
            ("app.wasm.br", b"brotli copy"),
            ("app-0123456789abcdef_bg.wasm", b"hashed"),
        ];
        for (name, content) in files {
            std::fs::write(dir.join(name), content).unwrap();
        }
        dir
    })
}

fn state() -> AppState {
    state_trusting(&[])
}

fn state_trusting(proxies: &[&str]) -> AppState {
    let mut config = Config::embedded_default();
    config.allowed_origins = vec!["https://desk.example".into()];
    AppState::new(
        config,
        linktriage_server::Assets::Folder(assets().to_owned()),
        linktriage_server::proxy::TrustedProxies(
            proxies.iter().map(|p| p.parse().unwrap()).collect(),
        ),
    )
}

/// The whole surface, as a connection is served.
fn app() -> Surface {
    Surface::new(state())
}

async fn send(request: Request<Body>) -> axum::response::Response {
    app().oneshot(request).await.unwrap().map(Body::new)
}

async fn body_bytes(response: axum::response::Response) -> Vec<u8> {
    response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

async fn get(path: &str) -> axum::response::Response {
    send(Request::get(path).body(Body::empty()).unwrap()).await
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
    assert_eq!(headers[header::CACHE_CONTROL], "no-store, no-transform");
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
    assert_eq!(config.targets, Config::embedded_default().targets);
    assert_eq!(config.allowed_origins, ["https://desk.example"]);
}

#[tokio::test]
async fn config_in_the_compact_form_the_app_reads_is_the_same_list() {
    let json = Config::from_json(&body_text(get("/api/config").await).await).unwrap();
    let response = get("/api/config?format=postcard").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/x-postcard"
    );
    // Both forms name the release the pages belong to.
    let release = state().release().to_owned();
    assert_eq!(release.len(), 16);
    assert_eq!(response.headers()["x-linktriage-release"], &*release);
    let compact = Config::from_compact(&body_bytes(response).await).unwrap();
    assert_eq!(compact, json);
    assert_eq!(
        get("/api/config").await.headers()["x-linktriage-release"],
        &*release
    );
    // A mangled answer is a clear error, not a panic or a wrong list.
    let error = Config::from_compact(b"\x05abc").unwrap_err().to_string();
    assert!(
        error.starts_with("the compact form does not read"),
        "{error}"
    );
}

#[tokio::test]
async fn the_page_and_its_files_are_cross_origin_isolated() {
    for path in ["/", "/app.wasm", "/desk/", "/somewhere"] {
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
async fn the_desk_view_is_its_own_page_at_desk() {
    // Where share links point.
    assert_eq!(linktriage_core::codec::DESK_PATH, "/desk/");
    let response = get("/desk/").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        body_text(response)
            .await
            .contains("<title>Link Triage: service desk view</title>")
    );
    // Typed without the slash, the address is corrected.
    let response = get("/desk").await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()[header::LOCATION], "/desk/");
}

#[tokio::test]
async fn unknown_paths_open_the_app_but_unknown_files_and_api_paths_do_not() {
    // A page of another release asking for its script gets no page as one.
    for missing in ["/linktriage-app-0123456789abcdef.js", "/desk/style-00.css"] {
        assert_eq!(
            get(missing).await.status(),
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    let response = get("/some/deep/link").await;
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
    let response = send(request).await;
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
    let response = send(request).await;
    assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
}

#[tokio::test]
async fn download_sends_exactly_the_bytes_asked_for_and_they_do_not_repeat() {
    let response = get("/api/download?bytes=300000").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "no-store, no-transform"
    );
    assert_eq!(response.headers()[header::CONTENT_LENGTH], "300000");
    let body = body_bytes(response).await;
    assert_eq!(body.len(), 300_000);
    let distinct: std::collections::HashSet<_> = body.chunks(8).collect();
    assert!(
        distinct.len() > 37_000,
        "incompressible: {} distinct words",
        distinct.len()
    );
}

#[tokio::test]
async fn download_and_upload_refuse_more_than_the_cap() {
    let too_many = linktriage_server::api::MAX_TRANSFER_BYTES + 1;
    let response = get(&format!("/api/download?bytes={too_many}")).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let chunk = vec![0u8; 1 << 20];
    let chunks = (0..65)
        .map(move |_| Ok::<_, std::convert::Infallible>(axum::body::Bytes::from(chunk.clone())));
    let request = Request::post("/api/upload")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    assert_eq!(send(request).await.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn transfers_beyond_the_concurrency_cap_are_refused_not_queued() {
    let router = app();
    let mut held = Vec::new();
    for _ in 0..linktriage_server::api::MAX_CONCURRENT_TRANSFERS {
        let request = Request::get("/api/download?bytes=1000000")
            .body(Body::empty())
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        held.push(response);
    }
    let request = Request::get("/api/download?bytes=10")
        .body(Body::empty())
        .unwrap();
    let refused = router.clone().oneshot(request).await.unwrap();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        refused.headers()[header::CACHE_CONTROL],
        "no-store, no-transform"
    );
    assert_eq!(refused.headers()[header::RETRY_AFTER], "2");
    drop(held);
    let request = Request::get("/api/download?bytes=10")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        router.oneshot(request).await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn upload_counts_what_arrived() {
    let request = Request::post("/api/upload")
        .body(Body::from(vec![7u8; 123_456]))
        .unwrap();
    let response = send(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    let receipt: linktriage_core::wire::UploadReceipt =
        serde_json::from_slice(&body_bytes(response).await).unwrap();
    assert_eq!(receipt.bytes, 123_456);
    assert!(receipt.receive_ms >= 0.0);
    assert!(
        (1.7e12..1e13).contains(&receipt.server_time_ms),
        "{}",
        receipt.server_time_ms
    );
}

#[tokio::test]
async fn whoami_echoes_the_headers_as_they_arrived_and_the_server_clock() {
    let request = Request::get("/api/whoami")
        .header("x-linktriage-check", "token-123")
        .header("via", "1.1 some-proxy")
        .body(Body::empty())
        .unwrap();
    let response = send(request).await;
    let who: linktriage_core::wire::WhoAmI =
        serde_json::from_slice(&body_bytes(response).await).unwrap();
    let compact_request = Request::get("/api/whoami?format=postcard")
        .header("via", "1.1 some-proxy")
        .body(Body::empty())
        .unwrap();
    let compact: linktriage_core::wire::WhoAmI =
        linktriage_core::wire::from_compact(&body_bytes(send(compact_request).await).await)
            .unwrap();
    assert!(
        compact
            .headers
            .contains(&("via".into(), "1.1 some-proxy".into()))
    );
    assert!(
        who.headers
            .contains(&("x-linktriage-check".into(), "token-123".into()))
    );
    assert!(
        who.headers
            .contains(&("via".into(), "1.1 some-proxy".into()))
    );
    // 2026 or later, and not in the far future.
    assert!(
        (1.7e12..1e13).contains(&who.server_time_ms),
        "{}",
        who.server_time_ms
    );
}

#[tokio::test]
async fn payload_is_the_reference_byte_for_byte() {
    let response = get("/api/payload").await;
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    assert_eq!(
        body_bytes(response).await,
        linktriage_core::payload::reference_payload()
    );
}

#[tokio::test]
async fn cors_admits_configured_origins_only() {
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/api/upload")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
            .body(Body::empty())
            .unwrap()
    };
    let allowed = send(preflight("https://desk.example")).await;
    assert_eq!(
        allowed.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://desk.example"
    );
    let other = send(preflight("https://elsewhere.example")).await;
    assert!(
        other
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    let request = Request::get("/api/ping")
        .header(header::ORIGIN, "https://desk.example")
        .body(Body::empty())
        .unwrap();
    let response = send(request).await;
    let exposed = response.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap();
    assert!(exposed.contains("server-timing"), "{exposed}");
}

#[tokio::test]
async fn the_websocket_echoes_over_a_real_socket() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let server = RealServer::start();
    let address = server.address();
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{address}/api/ws"))
        .await
        .unwrap();
    for n in 0..3 {
        socket
            .send(Message::text(format!("echo {n}")))
            .await
            .unwrap();
        let reply = socket.next().await.unwrap().unwrap();
        assert_eq!(reply, Message::text(format!("echo {n}")));
    }
}

/// Serves `state()` on a loopback socket as the binary does (one event loop
/// per core); stopped when the test drops it.
struct RealServer(Option<linktriage_server::Serving>);

impl RealServer {
    fn start() -> RealServer {
        RealServer::start_with(state())
    }

    fn start_with(state: AppState) -> RealServer {
        let listen = "127.0.0.1:0".parse().unwrap();
        RealServer(Some(
            linktriage_server::serve(listen, state, linktriage_server::Options::default()).unwrap(),
        ))
    }

    fn address(&self) -> std::net::SocketAddr {
        self.0.as_ref().unwrap().address()
    }
}

impl Drop for RealServer {
    fn drop(&mut self) {
        if let Some(serving) = self.0.take() {
            serving.stop().unwrap();
        }
    }
}

/// A GET over a real connection: the status line, the headers (names in
/// lower case) and the body.
async fn raw_get(
    address: std::net::SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> (String, Vec<(String, String)>, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().to_owned();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

#[tokio::test]
async fn a_plain_ping_answered_ahead_of_the_router_carries_the_routers_headers() {
    let server = RealServer::start();
    let address = server.address();
    let (status, fast, _) = raw_get(address, "/api/ping", &[]).await;
    assert_eq!(status, "HTTP/1.1 204 No Content");
    // The router alone, as a ping with an `Origin` reaches it.
    let routed = router(state())
        .oneshot(Request::get("/api/ping").body(Body::empty()).unwrap())
        .await
        .unwrap();
    // hyper writes no Content-Length for a 204 on the wire, whichever path.
    let mut routed_names: Vec<String> = routed
        .headers()
        .keys()
        .map(|n| n.as_str().to_owned())
        .filter(|n| n != "content-length")
        .collect();
    let mut fast_names: Vec<String> = fast
        .iter()
        .map(|(n, _)| n.clone())
        // Written by the connection, not by either path.
        .filter(|n| !matches!(n.as_str(), "date" | "connection"))
        .collect();
    routed_names.sort();
    fast_names.sort();
    assert_eq!(fast_names, routed_names);
    for (name, value) in &fast {
        if name != "date" && name != "connection" && name != "server-timing" {
            assert_eq!(routed.headers()[name.as_str()], value.as_str(), "{name}");
        }
    }
    // A ping from another origin takes the router: CORS answers it.
    let (_, cross, _) = raw_get(address, "/api/ping", &[("origin", "https://desk.example")]).await;
    assert!(
        cross.contains(&(
            "access-control-allow-origin".into(),
            "https://desk.example".into()
        )),
        "{cross:?}"
    );
}

#[tokio::test]
async fn over_a_real_socket_whoami_knows_the_clients_address() {
    let server = RealServer::start();
    let address = server.address();
    let (status, _, body) = raw_get(address, "/api/whoami", &[]).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    let who: linktriage_core::wire::WhoAmI = serde_json::from_str(&body).unwrap();
    assert_eq!(who.client.as_deref(), Some("127.0.0.1"));
}

/// What whoami says for a request naming another client in
/// `X-Forwarded-For`, from a server that trusts `proxies`.
async fn client_seen(proxies: &[&str], forwarded_for: &str) -> Option<String> {
    whoami_through(proxies, forwarded_for).await.client
}

async fn whoami_through(proxies: &[&str], forwarded_for: &str) -> linktriage_core::wire::WhoAmI {
    let server = RealServer::start_with(state_trusting(proxies));
    let headers = [("x-forwarded-for", forwarded_for), ("via", "1.1 balancer")];
    let (_, _, body) = raw_get(server.address(), "/api/whoami", &headers).await;
    serde_json::from_str(&body).unwrap()
}

/// The forwarding headers whoami hands the page to look for interception.
fn forwarding_headers(who: &linktriage_core::wire::WhoAmI) -> Vec<String> {
    who.headers
        .iter()
        .filter(|(name, _)| name == "x-forwarded-for" || name == "via")
        .map(|(name, value)| format!("{name}: {value}"))
        .collect()
}

#[tokio::test]
async fn x_forwarded_for_is_believed_from_a_trusted_proxy_only() {
    let forwarded = "192.0.2.66, 203.0.113.5";
    assert_eq!(
        client_seen(&[], forwarded).await.as_deref(),
        Some("127.0.0.1")
    );
    assert_eq!(
        client_seen(&["10.0.0.0/8"], forwarded).await.as_deref(),
        Some("127.0.0.1")
    );
    assert_eq!(
        client_seen(&["127.0.0.0/8"], forwarded).await.as_deref(),
        Some("203.0.113.5")
    );
}

#[tokio::test]
async fn a_trusted_proxys_own_headers_do_not_read_as_interception_but_what_came_before_it_does() {
    // Not trusted: every header is as it arrived, for the page to judge.
    let untrusted = whoami_through(&[], "203.0.113.5").await;
    assert_eq!(
        forwarding_headers(&untrusted),
        ["x-forwarded-for: 203.0.113.5", "via: 1.1 balancer"]
    );
    // The deployment's balancer, straight from the client: nothing left.
    let direct = whoami_through(&["127.0.0.0/8"], "203.0.113.5").await;
    assert_eq!(forwarding_headers(&direct), Vec::<String>::new());
    // Something on the client's side had added an entry before it: kept.
    let through = whoami_through(&["127.0.0.0/8"], "192.0.2.66, 203.0.113.5").await;
    assert_eq!(
        forwarding_headers(&through),
        ["x-forwarded-for: 192.0.2.66"]
    );
}

#[tokio::test]
async fn the_served_topology_stops_when_asked_and_frees_its_port() {
    let server = RealServer::start();
    let address = server.address();
    let (status, _, _) = raw_get(address, "/healthz", &[]).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    drop(server);
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
}

/// Every way the API refuses a request carries what every `/api` answer
/// carries, and says what was wrong (503, when busy, is checked with the
/// concurrency cap above).
#[tokio::test]
async fn every_refusal_is_uncached_and_says_why() {
    let too_many = linktriage_server::api::MAX_TRANSFER_BYTES + 1;
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (
            Request::get("/api/nothing").body(Body::empty()).unwrap(),
            StatusCode::NOT_FOUND,
            "no such endpoint",
        ),
        (
            Request::post("/api/ping").body(Body::empty()).unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
            "does not take that method",
        ),
        (
            Request::get("/api/upload").body(Body::empty()).unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
            "does not take that method",
        ),
        (
            Request::get("/api/download?bytes=lots")
                .body(Body::empty())
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "bad query",
        ),
        (
            Request::get("/api/whoami?format=a&format=b")
                .body(Body::empty())
                .unwrap(),
            StatusCode::BAD_REQUEST,
            "bad query",
        ),
        (
            Request::get(format!("/api/download?bytes={too_many}"))
                .body(Body::empty())
                .unwrap(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "more than the",
        ),
    ];
    for (request, status, says) in cases {
        let what = format!("{} {}", request.method(), request.uri());
        let response = send(request).await;
        assert_eq!(response.status(), status, "{what}");
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "no-store, no-transform",
            "{what}"
        );
        let body = body_text(response).await;
        assert!(body.contains(says), "{what}: {body}");
    }
}

/// The browser asks for the service worker on every visit: an unchanged
/// release costs a 304, never the script again.
#[tokio::test]
async fn the_service_worker_is_tagged_with_its_release_and_not_sent_twice() {
    let release = state().release().to_owned();
    let response = get("/sw.js").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
    let tag = response.headers()[header::ETAG]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(tag, format!("\"{release}\""));
    assert!(
        body_text(response)
            .await
            .contains(&format!("const BUILD = '{release}';"))
    );
    let again = send(
        Request::get("/sw.js")
            .header(header::IF_NONE_MATCH, &tag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(body_bytes(again).await.is_empty());
    let other = send(
        Request::get("/sw.js")
            .header(header::IF_NONE_MATCH, "\"an-older-release\"")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(other.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_service_worker_goes_gzipped_and_a_weak_or_star_tag_is_a_304() {
    let tag = format!("\"{}\"", state().release());
    let zipped = send(
        Request::get("/sw.js")
            .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(zipped.status(), StatusCode::OK);
    assert_eq!(zipped.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(zipped.headers()[header::VARY], "accept-encoding");
    let bytes = body_bytes(zipped).await;
    let mut script = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut script)
        .unwrap();
    assert!(script.contains(&format!("const BUILD = {};", tag.replace('"', "'"))));
    assert!(
        bytes.len() * 2 < script.len(),
        "{} of {}",
        bytes.len(),
        script.len()
    );
    for if_none_match in [format!("W/{tag}"), "*".to_owned()] {
        let again = send(
            Request::get("/sw.js")
                .header(header::IF_NONE_MATCH, &if_none_match)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{if_none_match}");
        assert_eq!(again.headers()[header::VARY], "accept-encoding");
    }
}

/// A hashed file asked about again is still kept for a year: the 304 says
/// what its 200 said.
#[tokio::test]
async fn a_304_for_a_hashed_file_keeps_its_caching_and_vary() {
    let path = "/app-0123456789abcdef_bg.wasm";
    let first = get(path).await;
    assert_eq!(first.status(), StatusCode::OK);
    let immutable = "public, max-age=31536000, immutable";
    assert_eq!(first.headers()[header::CACHE_CONTROL], immutable);
    let modified = first.headers()[header::LAST_MODIFIED].clone();
    let again = send(
        Request::get(path)
            .header(header::IF_MODIFIED_SINCE, modified)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[header::CACHE_CONTROL], immutable);
    assert_eq!(again.headers()[header::VARY], "accept-encoding");
}

#[tokio::test]
async fn the_favicon_is_an_icon_not_a_404() {
    let response = get("/favicon.ico").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/x-icon");
    assert_eq!(&body_bytes(response).await[..4], [0, 0, 1, 0]);
}

/// Strict-Transport-Security only where the deployment asked for it.
#[tokio::test]
async fn strict_transport_security_is_sent_only_when_asked_for() {
    assert!(
        !get("/")
            .await
            .headers()
            .contains_key(header::STRICT_TRANSPORT_SECURITY)
    );
    let asked = state();
    asked.set_strict_transport(31_536_000);
    for path in ["/", "/desk/", "/sw.js", "/app.wasm"] {
        let response = Surface::new(asked.clone())
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(
            response.headers()[header::STRICT_TRANSPORT_SECURITY],
            "max-age=31536000",
            "{path}"
        );
    }
}

/// A server started with `--rtc-listen off` says so, rather than failing
/// in a way the page would read as UDP blocked.
#[tokio::test]
async fn without_its_peer_the_loss_check_says_it_is_not_run_here() {
    let response = send(
        Request::post("/api/rtc")
            .header(header::CONTENT_TYPE, "application/sdp")
            .body(Body::from("v=0"))
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        body_text(response).await,
        "this server does not run the loss check\n"
    );
    assert_eq!(
        get("/api/rtc").await.status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
}

/// The `conn` of a ping answer's `Server-Timing`: its connection's number
/// and the request's number on that connection.
fn connection_of(head: &str) -> (u64, u32) {
    let timing = head
        .lines()
        .find_map(|l| l.strip_prefix("server-timing: "))
        .unwrap_or_else(|| panic!("no server-timing in {head}"));
    let desc = timing
        .split(", ")
        .find_map(|m| m.strip_prefix("conn;desc=\""))
        .and_then(|d| d.strip_suffix('"'))
        .unwrap_or_else(|| panic!("no conn in {timing}"));
    let (connection, request) = desc.split_once('.').unwrap();
    (connection.parse().unwrap(), request.parse().unwrap())
}

/// Pings on one kept-alive connection, each answer's head as it came.
async fn pings_on_one_connection(
    address: std::net::SocketAddr,
    origins: &[Option<&str>],
) -> Vec<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut heads = Vec::new();
    for origin in origins {
        let origin = origin.map_or(String::new(), |o| format!("origin: {o}\r\n"));
        let request = format!("GET /api/ping HTTP/1.1\r\nhost: {address}\r\n{origin}\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        // A 204 has no body: its head is the whole answer.
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8; 1];
            stream.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        heads.push(String::from_utf8(head).unwrap().to_ascii_lowercase());
    }
    heads
}

#[tokio::test]
async fn each_ping_answer_names_its_connection_and_its_number_on_it() {
    let server = RealServer::start();
    let address = server.address();
    // Answered ahead of the router and through it (with an Origin) alike.
    let first = pings_on_one_connection(address, &[None, Some("https://desk.example"), None]).await;
    let first: Vec<(u64, u32)> = first.iter().map(|h| connection_of(h)).collect();
    assert_eq!(first.iter().map(|c| c.1).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(first.iter().all(|c| c.0 == first[0].0), "{first:?}");
    // A new connection has a number of its own, and starts again at 1.
    let second = pings_on_one_connection(address, &[None]).await;
    let second = connection_of(&second[0]);
    assert_ne!(second.0, first[0].0);
    assert_eq!(second.1, 1);
    // Through a proxy, the connection is the proxy's: no number is given,
    // on either path.
    let forwarded = ("x-forwarded-for", "10.1.2.3");
    for headers in [
        vec![forwarded],
        vec![forwarded, ("origin", "https://desk.example")],
    ] {
        let (_, headers, _) = raw_get(address, "/api/ping", &headers).await;
        let timing = headers
            .iter()
            .find(|(n, _)| n == "server-timing")
            .map(|(_, v)| v.clone())
            .unwrap();
        assert!(timing.starts_with("app;dur="), "{timing}");
        assert!(!timing.contains("conn"), "{timing}");
    }
}

/// Where the target list gives the desk's number, every page goes out with
/// it (however the browser asks for it), and the offline copy keeps the
/// page as sent; without one, the page goes out as built.
#[tokio::test]
async fn the_pages_say_the_desks_number_where_the_list_gives_one() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("assets-with-slot");
    std::fs::create_dir_all(&dir).unwrap();
    let built = r#"<!doctype html><p>Or call your IT service desk<span class="app-desk-phone"></span>.</p>"#;
    std::fs::write(dir.join("index.html"), built).unwrap();
    std::fs::write(
        dir.join("index.html.br"),
        b"brotli copy of the page as built",
    )
    .unwrap();
    let surface = |desk_phone: Option<&str>| {
        let mut config = Config::embedded_default();
        config.desk_phone = desk_phone.map(str::to_owned);
        Surface::new(AppState::new(
            config,
            linktriage_server::Assets::Folder(dir.clone()),
            linktriage_server::proxy::TrustedProxies(Vec::new()),
        ))
    };
    let asked = |path: &str| {
        Request::get(path)
            .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
            .header(header::IF_NONE_MATCH, "\"an-earlier-page\"")
            .header(header::IF_MODIFIED_SINCE, "Fri, 04 Dec 2026 09:00:00 GMT")
            .body(Body::empty())
            .unwrap()
    };
    let number = r#" on <a href="tel:03001234567">0300 123 4567</a>"#;
    let served = built.replace(r#"<span class="app-desk-phone"></span>"#, number);
    for path in ["/", "/index.html", "/a/deep/link"] {
        let page = surface(Some("0300 123 4567"))
            .oneshot(asked(path))
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert!(
            page.headers().get(header::CONTENT_ENCODING).is_none(),
            "{path}"
        );
        assert!(page.headers().get(header::ETAG).is_none(), "{path}");
        assert!(
            page.headers()
                .get(header::CONTENT_SECURITY_POLICY)
                .is_some(),
            "{path}"
        );
        let text = body_text(page.map(Body::new)).await;
        assert_eq!(text, served, "{path}");
    }
    let worker = surface(Some("0300 123 4567"))
        .oneshot(Request::get("/sw.js").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let served_hash = {
        use sha2::Digest;
        sha2::Sha256::digest(served.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert!(
        body_text(worker.map(Body::new))
            .await
            .contains(&served_hash)
    );
    let as_built = surface(None).oneshot(asked("/")).await.unwrap();
    assert_eq!(as_built.headers()[header::CONTENT_ENCODING], "br");
}
