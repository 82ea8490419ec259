//! The `linktriage serve` binary under the faults an operator meets: clients
//! that never finish a request while descriptors are short, a stop during a
//! download or a WebSocket, connections kept alive and left. Each test runs
//! the real binary on loopback and reads only what a client can see (and
//! the process's CPU time from /proc).
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first surprise"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "a native test of a native binary: the clock works here"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `linktriage serve`, killed when dropped.
struct Server {
    child: Child,
    address: SocketAddr,
    /// Standard error so far, start-up line included.
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    /// Starts `serve` on a free loopback port with `args`, its descriptor
    /// limit first set to `descriptors` (soft and hard) when given.
    fn start(descriptors: Option<u32>, args: &[&str]) -> Server {
        let assets = std::env::temp_dir().join("linktriage-binary-test-no-assets");
        let mut all = vec!["serve", "--listen", "127.0.0.1:0", "--assets"];
        all.push(assets.to_str().unwrap());
        all.extend_from_slice(args);
        Server::run(descriptors, &all)
    }

    /// Starts the binary with exactly `args`.
    fn run(descriptors: Option<u32>, args: &[&str]) -> Server {
        let bin = env!("CARGO_BIN_EXE_linktriage");
        let mut command = Command::new("sh");
        let limit = descriptors.map_or(String::new(), |n| format!("ulimit -n {n} && "));
        command
            .arg("-c")
            .arg(format!("{limit}exec \"$0\" \"$@\""))
            .arg(bin)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start linktriage");
        let stderr = child.stderr.take().unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (found, address) = std::sync::mpsc::channel();
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                {
                    let mut log = kept.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
                if let Some(rest) = line.split("serving at ").nth(1) {
                    let address: SocketAddr = rest.split('/').nth(2).unwrap().parse().unwrap();
                    let _ = found.send(address);
                }
            }
        });
        let Ok(address) = address.recv_timeout(Duration::from_secs(10)) else {
            let _ = child.kill();
            panic!(
                "the server did not say where it serves:\n{}",
                log.lock().unwrap()
            );
        };
        Server {
            child,
            address,
            log,
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit, at most `within`.
    fn exit_status(&mut self, within: Duration) -> std::process::ExitStatus {
        let until = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < until,
                "still running after {within:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// User and system CPU time the process has used.
    fn cpu_time(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        // Fields after the command's closing parenthesis; utime and stime
        // are the 14th and 15th of the whole line, in clock ticks (100 a
        // second on Linux).
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<u64> = after
            .split(' ')
            .skip(11)
            .take(2)
            .map(|f| f.parse().unwrap())
            .collect();
        Duration::from_millis((fields[0] + fields[1]) * 10)
    }

    /// One ping on a fresh connection: how long until its answer.
    fn ping(&self) -> Duration {
        let started = Instant::now();
        let mut stream = TcpStream::connect(self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream
            .write_all(b"GET /api/ping HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 204"), "{answer:?}");
        started.elapsed()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads until the server closes the connection (or `within` passes):
/// whether it closed.
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[test]
fn half_sent_requests_under_256_descriptors_keep_neither_pings_out_nor_the_cpu_busy() {
    let server = Server::start(Some(256), &["--header-timeout", "3s"]);
    assert!(
        server.log().contains("descriptor limit 256"),
        "{}",
        server.log()
    );
    let mut attackers: Vec<TcpStream> = (0..400)
        .map(|_| {
            let mut stream = TcpStream::connect(server.address).unwrap();
            stream
                .write_all(b"GET /api/ping HTTP/1.1\r\nHost: test\r\n")
                .unwrap();
            stream
        })
        .collect();
    let connected = Instant::now();
    // While they hold on: each ping is answered within a second, and the
    // server rests instead of spinning.
    std::thread::sleep(Duration::from_millis(300));
    let cpu_before = server.cpu_time();
    let window = Instant::now();
    for _ in 0..10 {
        let took = server.ping();
        assert!(took < Duration::from_secs(1), "a ping took {took:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let busy = server.cpu_time() - cpu_before;
    let elapsed = window.elapsed();
    assert!(
        busy.as_secs_f64() < elapsed.as_secs_f64() * 0.25,
        "{busy:?} of CPU in {elapsed:?}"
    );
    // Every attacker is closed within the header limit of its connection
    // (3 s), give or take the scheduling of a busy machine.
    let deadline = connected + Duration::from_secs(3) + Duration::from_secs(3);
    for (n, attacker) in attackers.iter_mut().enumerate() {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            closed_within(attacker, left.max(Duration::from_millis(1))),
            "attacker {n} still open"
        );
    }
    // And the server serves as before.
    assert!(server.ping() < Duration::from_secs(1));
}

#[test]
fn a_connection_left_idle_is_closed_but_a_slow_download_is_not() {
    let server = Server::start(None, &["--header-timeout", "1s", "--idle-timeout", "2s"]);
    // Kept alive after an answer, then left: closed after the idle limit.
    let mut idle = TcpStream::connect(server.address).unwrap();
    idle.write_all(b"GET /api/ping HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    let left = Instant::now();
    assert!(closed_within(&mut idle, Duration::from_secs(6)));
    let waited = left.elapsed();
    assert!(
        waited >= Duration::from_millis(1900),
        "closed after {waited:?}"
    );

    // A download read slowly for longer than the header limit, with bytes
    // always moving, runs to its end.
    let mut download = TcpStream::connect(server.address).unwrap();
    download
        .write_all(
            b"GET /api/download?bytes=4000000 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    download
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let (mut total, mut buffer) = (0usize, vec![0u8; 100_000]);
    let started = Instant::now();
    loop {
        let n = download.read(&mut buffer).unwrap();
        if n == 0 {
            break;
        }
        total += n;
        std::thread::sleep(Duration::from_millis(40));
    }
    assert!(started.elapsed() > Duration::from_secs(1));
    // The whole body, and its headers.
    assert!(total > 4_000_000, "only {total} bytes arrived");
}

/// Reads an HTTP answer's headers from `stream`; the body's length.
fn content_length(stream: &mut TcpStream) -> (usize, Vec<u8>) {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let n = stream.read(&mut buffer).unwrap();
        assert!(n > 0, "closed before the headers");
        seen.extend_from_slice(&buffer[..n]);
        if let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&seen[..end]).to_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            return (length, seen[end + 4..].to_vec());
        }
    }
}

#[test]
fn sigterm_during_a_download_lets_it_finish_and_exits_0() {
    let mut server = Server::start(None, &[]);
    let mut download = TcpStream::connect(server.address).unwrap();
    download
        .write_all(b"GET /api/download?bytes=60000000 HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    download
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let (length, already) = content_length(&mut download);
    assert_eq!(length, 60_000_000);
    server.signal("TERM");
    std::thread::sleep(Duration::from_millis(200));
    // Stopped accepting,
    assert!(
        TcpStream::connect(server.address).is_err(),
        "still accepting after SIGTERM"
    );
    // but the transfer in flight goes on to its last byte, read slowly.
    let mut total = already.len();
    let mut buffer = vec![0u8; 1 << 20];
    while total < length {
        let n = download.read(&mut buffer).unwrap();
        assert!(n > 0, "cut off after {total} of {length} bytes");
        total += n;
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(total, length);
    let status = server.exit_status(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{}", server.log());
    assert!(server.log().contains("SIGTERM"), "{}", server.log());
}

#[test]
fn sigint_closes_a_websocket_with_a_close_frame_and_exits_0() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    let mut server = Server::start(None, &[]);
    let url = format!("ws://{}/api/ws", server.address);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let close = runtime.block_on(async {
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        socket.send(Message::text("before")).await.unwrap();
        assert_eq!(
            socket.next().await.unwrap().unwrap(),
            Message::text("before")
        );
        server.signal("INT");
        let next = tokio::time::timeout(Duration::from_secs(5), socket.next()).await;
        next.expect("a message before the time limit")
            .unwrap()
            .unwrap()
    });
    match close {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Away),
        other => panic!("expected a close frame, got {other:?}"),
    }
    let status = server.exit_status(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{}", server.log());
}

#[test]
fn a_request_during_the_grace_on_a_kept_alive_connection_is_still_answered_then_closed() {
    let mut server = Server::start(None, &["--grace", "3s"]);
    let mut kept = TcpStream::connect(server.address).unwrap();
    kept.write_all(b"GET /api/download?bytes=3000000 HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    kept.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let (length, already) = content_length(&mut kept);
    server.signal("TERM");
    let mut total = already.len();
    let mut buffer = vec![0u8; 1 << 16];
    while total < length {
        let n = kept.read(&mut buffer).unwrap();
        assert!(n > 0, "cut off after {total} of {length} bytes");
        total += n;
    }
    // Once answered, the stopping server closes the kept-alive connection.
    assert!(closed_within(&mut kept, Duration::from_secs(4)));
    let status = server.exit_status(Duration::from_secs(5));
    assert_eq!(status.code(), Some(0), "{}", server.log());
}

/// A TLS client for a server whose certificate nothing trusts: it takes
/// any certificate and says which one it was given.
mod tls_client {
    use rustls_pki_types::ServerName;

    /// What one handshake offering `alpn` gave: the protocol chosen, the
    /// certificate presented, and the answer to a plain HTTP/1.1 ping when
    /// HTTP/1.1 was chosen.
    pub struct Handshake {
        pub protocol: Option<Vec<u8>>,
        pub certificate: Vec<u8>,
        pub ping_status_line: Option<String>,
    }

    pub async fn connect(address: std::net::SocketAddr, alpn: &[&[u8]]) -> Handshake {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let connector = linktriage_server::health::connector(alpn).unwrap();
        let tcp = tokio::net::TcpStream::connect(address).await.unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        let mut stream = connector.connect(name, tcp).await.unwrap();
        let (_, session) = stream.get_ref();
        let protocol = session.alpn_protocol().map(<[u8]>::to_vec);
        let certificate = session.peer_certificates().unwrap()[0].to_vec();
        let mut ping_status_line = None;
        if protocol.as_deref() != Some(b"h2") {
            stream
                .write_all(
                    b"GET /api/ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                )
                .await
                .unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).await.unwrap_or_default();
            ping_status_line = answer.lines().next().map(str::to_owned);
        }
        Handshake {
            protocol,
            certificate,
            ping_status_line,
        }
    }
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
}

/// The first certificate in a PEM file, as DER.
fn certificate_der(pem_file: &std::path::Path) -> Vec<u8> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::pem_file_iter(pem_file)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .to_vec()
}

#[test]
fn over_tls_http2_and_http1_are_served_and_a_replaced_certificate_is_used_without_a_restart() {
    let folder = std::env::temp_dir().join(format!("linktriage-tls-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let (cert, key) = (folder.join("cert.pem"), folder.join("key.pem"));
    std::fs::copy(fixture("first.pem"), &cert).unwrap();
    std::fs::copy(fixture("first.key"), &key).unwrap();
    let server = Server::start(
        None,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(
        server.log().contains("serving at https://"),
        "{}",
        server.log()
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let first = certificate_der(&fixture("first.pem"));
    let second = certificate_der(&fixture("second.pem"));
    runtime.block_on(async {
        let h2 = tls_client::connect(server.address, &[b"h2", b"http/1.1"]).await;
        assert_eq!(h2.protocol.as_deref(), Some(&b"h2"[..]));
        assert_eq!(h2.certificate, first);
        let http1 = tls_client::connect(server.address, &[b"http/1.1"]).await;
        assert_eq!(http1.protocol.as_deref(), Some(&b"http/1.1"[..]));
        assert_eq!(
            http1.ping_status_line.as_deref(),
            Some("HTTP/1.1 204 No Content")
        );
    });
    // The container's health check speaks TLS to it too.
    let healthy = Command::new(env!("CARGO_BIN_EXE_linktriage"))
        .arg("health")
        .arg(format!(
            "https://127.0.0.1:{}/healthz",
            server.address.port()
        ))
        .output()
        .unwrap();
    assert!(healthy.status.success(), "{healthy:?}");
    // The files replaced, as a renewal does (the key first, so that for a
    // moment the two do not match, which must change nothing).
    std::fs::copy(fixture("second.key"), &key).unwrap();
    std::fs::copy(fixture("second.pem"), &cert).unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    let presented = loop {
        let presented = runtime
            .block_on(tls_client::connect(server.address, &[b"http/1.1"]))
            .certificate;
        if presented == second || Instant::now() > until {
            break presented;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        presented == second,
        "still the first certificate:\n{}",
        server.log()
    );
    // SIGHUP reads the files again at once.
    server.signal("HUP");
    let until = Instant::now() + Duration::from_secs(5);
    while !server.log().contains("SIGHUP: serving the certificate") {
        assert!(Instant::now() < until, "{}", server.log());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_missing_certificate_file_is_named_and_the_server_does_not_start() {
    let output = Command::new(env!("CARGO_BIN_EXE_linktriage"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            "/nonexistent/cert.pem",
            "--tls-key",
        ])
        .arg(fixture("first.key"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: /nonexistent/cert.pem: cannot read it: No such file or directory (os error 2)\n"
    );
}

/// One GET over a fresh connection: the whole answer as text.
fn get_text(address: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn metrics_on_their_own_address_count_requests_bytes_and_connections_in_base_units() {
    let server = Server::start(
        None,
        &["--metrics-listen", "127.0.0.1:0", "--log-format", "json"],
    );
    // Every line of the log is one JSON object, the start among them.
    let start: serde_json::Value =
        serde_json::from_str(server.log().lines().last().unwrap()).unwrap();
    assert_eq!(start["event"], "start");
    assert_eq!(start["level"], "info");
    assert!(start["time"].as_str().unwrap().ends_with('Z'));
    let message = start["message"].as_str().unwrap();
    let metrics: SocketAddr = message
        .split("metrics at http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(metrics.port(), server.address.port());

    server.ping();
    server.ping();
    assert!(get_text(server.address, "/api/download?bytes=1000").starts_with("HTTP/1.1 200"));
    assert!(get_text(server.address, "/api/nothing").starts_with("HTTP/1.1 404"));
    // The app's own address does not serve them.
    assert!(!get_text(server.address, "/metrics").contains("linktriage_build_info"));
    // The release the pages are told, for the build's labels.
    let config = get_text(server.address, "/api/config");
    let release = config
        .lines()
        .find_map(|line| line.strip_prefix("x-linktriage-release: "))
        .unwrap_or_else(|| panic!("no release: {config}"))
        .trim()
        .to_owned();
    // Counted when each answer has gone: give the last a moment.
    std::thread::sleep(Duration::from_millis(100));
    let text = get_text(metrics, "/metrics");
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        text.contains(&format!(",release=\"{release}\"}} 1\n")),
        "{text}"
    );
    for expected in [
        "# TYPE linktriage_build_info gauge\nlinktriage_build_info{version=\"",
        "# TYPE linktriage_http_requests_total counter\n",
        "linktriage_http_requests_total{route=\"ping\",code=\"204\"} 2\n",
        "linktriage_http_requests_total{route=\"download\",code=\"200\"} 1\n",
        "linktriage_http_requests_total{route=\"config\",code=\"200\"} 1\n",
        "linktriage_http_requests_total{route=\"other_api\",code=\"404\"} 1\n",
        "# TYPE linktriage_http_request_duration_seconds histogram\n",
        "linktriage_http_request_duration_seconds_bucket{route=\"ping\",le=\"+Inf\"} 2\n",
        "linktriage_http_request_duration_seconds_count{route=\"ping\"} 2\n",
        "linktriage_transfer_bytes_total{direction=\"sent\"} 1000\n",
        "linktriage_transfer_bytes_total{direction=\"received\"} 0\n",
        "linktriage_websockets_open 0\n",
        "# TYPE linktriage_connections_open gauge\n",
        "linktriage_connections_refused_total 0\n",
        "linktriage_connections_cut_total{reason=\"time_limit\"} 0\n",
    ] {
        assert!(text.contains(expected), "no {expected:?} in\n{text}");
    }
    // Base units and Prometheus's names: every counter ends in _total, and
    // no label names a client.
    for line in text.lines().filter(|l| l.starts_with("# TYPE ")) {
        let fields: Vec<&str> = line.split(' ').collect();
        if fields[3] == "counter" {
            assert!(fields[2].ends_with("_total"), "{line}");
        }
    }
    assert!(!text.contains("127.0.0.1"), "a client address in\n{text}");
}

fn packaging(file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../packaging")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A packaged command line as a test can run it: the binary's own path
/// dropped, and every address to listen on moved to a free loopback port.
fn on_loopback(args: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for arg in args {
        let listens = matches!(
            out.last().map(String::as_str),
            Some("--listen" | "--metrics-listen" | "--rtc-listen")
        );
        out.push(if listens {
            "127.0.0.1:0".to_owned()
        } else {
            // As Kubernetes puts in the node's address.
            arg.replace("$(NODE_IP)", "127.0.0.1")
        });
    }
    out
}

/// The server started with `args` answers its health check, and ends on
/// SIGTERM with 0.
fn serves_and_stops(what: &str, args: &[String]) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut server = Server::run(None, &args);
    let healthy = Command::new(env!("CARGO_BIN_EXE_linktriage"))
        .arg("health")
        .arg(format!("http://{}/healthz", server.address))
        .output()
        .unwrap();
    assert!(
        healthy.status.success(),
        "{what}: {healthy:?}\n{}",
        server.log()
    );
    server.signal("TERM");
    let status = server.exit_status(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{what}:\n{}", server.log());
}

#[test]
fn the_container_s_command_and_health_check_are_the_binary_s_own() {
    let dockerfile = packaging("Dockerfile");
    let array = |starts: &str| -> Vec<String> {
        let line = dockerfile
            .lines()
            .find(|l| l.trim_start().starts_with(starts))
            .unwrap_or_else(|| panic!("no {starts} in the Dockerfile"));
        let json = &line[line.find('[').unwrap()..];
        serde_json::from_str(json).unwrap()
    };
    assert_eq!(array("ENTRYPOINT "), ["/usr/local/bin/linktriage"]);
    assert!(
        dockerfile.contains("\nUSER nonroot:nonroot\n"),
        "runs as a non-root user"
    );
    let command = array("CMD [\"serve\"");
    serves_and_stops("the container's CMD", &on_loopback(&command));
    // The health check asks the address the command listens on.
    let health = array("CMD [\"/usr/local/bin/linktriage\", \"health\"");
    let listen = &command[command.iter().position(|a| a == "--listen").unwrap() + 1];
    let port = listen.rsplit(':').next().unwrap();
    assert_eq!(health[2], format!("http://127.0.0.1:{port}/healthz"));
    // Its health check against nothing fails, and says so.
    let nothing = Command::new(env!("CARGO_BIN_EXE_linktriage"))
        .args(["health", "http://127.0.0.1:9/healthz"])
        .output()
        .unwrap();
    assert_eq!(nothing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&nothing.stderr).starts_with("error: 127.0.0.1:9: no answer"));
}

#[test]
fn the_kubernetes_deployment_s_arguments_serve_and_its_probes_ask_healthz() {
    let manifest = packaging("kubernetes.yaml");
    let args = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("args: "))
        .expect("the container's args");
    let args: Vec<String> = serde_json::from_str(args).unwrap();
    serves_and_stops("the Kubernetes args", &on_loopback(&args));
    assert_eq!(
        manifest.matches("path: /healthz").count(),
        2,
        "readiness and liveness"
    );
    for hardening in [
        "readOnlyRootFilesystem: true",
        "runAsNonRoot: true",
        "allowPrivilegeEscalation: false",
        "drop: [\"ALL\"]",
    ] {
        assert!(manifest.contains(hardening), "{hardening}");
    }
}

#[test]
fn the_systemd_unit_verifies_and_its_command_serves() {
    let unit = packaging("linktriage.service");
    let exec: Vec<String> = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("ExecStart")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert_eq!(exec[0], "/usr/local/bin/linktriage");
    serves_and_stops("the unit's ExecStart", &on_loopback(&exec[1..]));
    // systemd's own reading of the unit, the binary where it will be.
    let folder = std::env::temp_dir().join(format!("linktriage-unit-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let copy = folder.join("linktriage.service");
    std::fs::write(
        &copy,
        unit.replace(
            "/usr/local/bin/linktriage",
            env!("CARGO_BIN_EXE_linktriage"),
        ),
    )
    .unwrap();
    let verified = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&copy)
        .output()
        .expect("systemd-analyze (the systemd package; cargo xtask setup installs it)");
    let complaints = String::from_utf8_lossy(&verified.stderr);
    assert!(
        verified.status.success() && complaints.trim().is_empty(),
        "{complaints}"
    );
    for hardening in [
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "LimitNOFILE=65536",
    ] {
        assert!(unit.contains(hardening), "{hardening}");
    }
}

/// The loss check's UDP port already taken: by default the server serves
/// without the loss check and says why; asked for that port, it does not
/// start, and says why.
#[test]
fn a_taken_udp_port_costs_the_loss_check_only_unless_it_was_asked_for() {
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let assets = std::env::temp_dir().join("linktriage-binary-test-no-assets");
    let server = Server::run(
        None,
        &[
            "serve",
            "--listen",
            &listen,
            "--assets",
            assets.to_str().unwrap(),
        ],
    );
    server.ping();
    let log = server.log.lock().unwrap().clone();
    assert!(
        log.contains(&format!("cannot listen on UDP {listen} for the loss check"))
            && log.contains("serving without the loss check")
            && log.contains("; no loss check"),
        "{log}"
    );
    drop(server);
    let output = Command::new(env!("CARGO_BIN_EXE_linktriage"))
        .args(["serve", "--listen", "127.0.0.1:0", "--rtc-listen", &listen])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "\nerror: cannot listen on UDP {listen} for the loss check: "
        )),
        "{stderr}"
    );
}
