//! The load test of `cargo xtask bench load`: many simulated clients, each
//! making the quick phase's requests to a running server (22 pings, whoami
//! three times, the payload on one kept-alive connection; ten WebSocket
//! echoes on another), their starts spread over the window; then many idle
//! kept-alive connections held open. Prints what it saw as `key value`
//! lines for the bench to read.
//!
//!     cargo run --release --example load -- ADDR [CLIENTS] [WINDOW_S] [IDLE]
#![allow(
    clippy::disallowed_methods,
    reason = "a native load generator: the clock works here"
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Default)]
struct Seen {
    requests: AtomicU64,
    errors: AtomicU64,
    /// Ping round trips in microseconds.
    pings: std::sync::Mutex<Vec<u64>>,
}

/// One GET on a kept-alive connection; the status code.
async fn get(stream: &mut BufReader<TcpStream>, path: &str) -> std::io::Result<u16> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: load\r\n\r\n");
    stream.get_mut().write_all(request.as_bytes()).await?;
    let mut status_line = String::new();
    stream.read_line(&mut status_line).await?;
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in {status_line:?}")))?;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await?;
    Ok(status)
}

async fn one_client(address: SocketAddr, seen: &Seen) -> std::io::Result<()> {
    let mut http = BufReader::new(TcpStream::connect(address).await?);
    for _ in 0..22 {
        let started = Instant::now();
        let status = get(&mut http, "/api/ping").await?;
        let took = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        seen.requests.fetch_add(1, Relaxed);
        if status != 204 {
            seen.errors.fetch_add(1, Relaxed);
        }
        seen.pings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(took);
    }
    for path in ["/api/whoami", "/api/whoami", "/api/whoami", "/api/payload"] {
        let status = get(&mut http, path).await?;
        seen.requests.fetch_add(1, Relaxed);
        if status != 200 {
            seen.errors.fetch_add(1, Relaxed);
        }
    }
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{address}/api/ws"))
        .await
        .map_err(std::io::Error::other)?;
    use tokio_tungstenite::tungstenite::Message;
    for n in 0..10 {
        socket
            .send(Message::text(format!("echo {n}")))
            .await
            .map_err(std::io::Error::other)?;
        let echoed = socket.next().await;
        seen.requests.fetch_add(1, Relaxed);
        if !matches!(echoed, Some(Ok(Message::Text(ref t))) if t.as_str() == format!("echo {n}")) {
            seen.errors.fetch_add(1, Relaxed);
        }
    }
    let _ = socket.close(None).await;
    Ok(())
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let address: SocketAddr = args
        .first()
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| std::io::Error::other("give the server's address"))?;
    let number =
        |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (clients, window_s, idle) = (number(1, 2000), number(2, 60), number(3, 10_000));
    let _ = rlimit::increase_nofile_limit(u64::MAX);

    // The clients, their starts spread evenly over four fifths of the window.
    let seen = Arc::new(Seen::default());
    let started = Instant::now();
    let spread = Duration::from_secs(window_s) * 4 / 5;
    let tasks: Vec<_> = (0..clients)
        .map(|i| {
            let seen = Arc::clone(&seen);
            let at = spread * u32::try_from(i).unwrap_or(u32::MAX)
                / u32::try_from(clients.max(1)).unwrap_or(1);
            tokio::spawn(async move {
                tokio::time::sleep(at).await;
                if one_client(address, &seen).await.is_err() {
                    seen.errors.fetch_add(1, Relaxed);
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    let took = started.elapsed();
    let mut pings = std::mem::take(
        &mut *seen
            .pings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    pings.sort_unstable();
    println!("clients {clients}");
    println!("seconds {:.1}", took.as_secs_f64());
    println!("requests {}", seen.requests.load(Relaxed));
    println!("errors {}", seen.errors.load(Relaxed));
    println!("ping_p50_ms {:.3}", percentile(&pings, 50.0));
    println!("ping_p99_ms {:.3}", percentile(&pings, 99.0));
    println!("clients_done");

    // Idle kept-alive connections: each sends one ping, then stays.
    let mut held = Vec::new();
    let mut failed = 0u64;
    for _ in 0..idle {
        match TcpStream::connect(address).await {
            Ok(stream) => {
                let mut stream = BufReader::new(stream);
                match get(&mut stream, "/api/ping").await {
                    Ok(204) => held.push(stream),
                    _ => failed += 1,
                }
            }
            Err(_) => failed += 1,
        }
    }
    println!("idle_held {}", held.len());
    println!("idle_failed {failed}");
    println!("idle_ready");
    // Held until the bench has read the server's memory and closes stdin.
    let mut line = String::new();
    let _ = BufReader::new(tokio::io::stdin())
        .read_line(&mut line)
        .await;
    drop(held);
    Ok(())
}
