//! What `--metrics-listen ADDR` serves, as Prometheus text: the build, the
//! requests by route and status, how long each exchange took until its
//! answer was sent, the bytes the transfers moved, the WebSockets and
//! connections open, and the connections the limits turned away. Base units
//! (seconds, bytes), `_total` on counters, and no label that names a client
//! or a site.
//!
//! Each event loop counts into a block of its own (a thread-local), so the
//! ping path touches no cache line another core writes; a scrape adds the
//! blocks up.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::connection::Census;

/// What a request was for, as the `route` label says it: a fixed set, so
/// that no path a client sends becomes a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Ping,
    Config,
    Download,
    Upload,
    WhoAmI,
    Payload,
    WebSocket,
    Rtc,
    OtherApi,
    Health,
    Page,
}

impl Route {
    const ALL: [Route; 11] = [
        Route::Ping,
        Route::Config,
        Route::Download,
        Route::Upload,
        Route::WhoAmI,
        Route::Payload,
        Route::WebSocket,
        Route::Rtc,
        Route::OtherApi,
        Route::Health,
        Route::Page,
    ];

    pub fn of(path: &str) -> Route {
        match path {
            "/api/ping" => Route::Ping,
            "/api/config" => Route::Config,
            "/api/download" => Route::Download,
            "/api/upload" => Route::Upload,
            "/api/whoami" => Route::WhoAmI,
            "/api/payload" => Route::Payload,
            "/api/ws" => Route::WebSocket,
            "/api/rtc" => Route::Rtc,
            "/healthz" => Route::Health,
            _ if path.starts_with("/api/") => Route::OtherApi,
            _ => Route::Page,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Route::Ping => "ping",
            Route::Config => "config",
            Route::Download => "download",
            Route::Upload => "upload",
            Route::WhoAmI => "whoami",
            Route::Payload => "payload",
            Route::WebSocket => "websocket",
            Route::Rtc => "rtc",
            Route::OtherApi => "other_api",
            Route::Health => "healthz",
            Route::Page => "page",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The status codes the server answers with; any other is counted as
/// `other`.
const CODES: [u16; 12] = [101, 200, 204, 304, 307, 400, 404, 405, 413, 500, 503, 206];
const OTHER_CODE: usize = CODES.len();

/// Upper bounds of the duration histogram, in seconds: from a ping on a
/// LAN to a long transfer.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

const ROUTES: usize = Route::ALL.len();

#[derive(Debug)]
struct Block {
    requests: [[AtomicU64; CODES.len() + 1]; ROUTES],
    /// Per route: a count per bucket (not cumulative; the scrape adds them
    /// up), the last for beyond the largest bound.
    durations: [[AtomicU64; BUCKETS.len() + 1]; ROUTES],
    duration_micros: [AtomicU64; ROUTES],
    bytes_sent: AtomicU64,
    bytes_received: AtomicU64,
    websockets_opened: AtomicU64,
    websockets_closed: AtomicU64,
}

impl Block {
    fn new() -> Block {
        Block {
            requests: [const { [const { AtomicU64::new(0) }; CODES.len() + 1] }; ROUTES],
            durations: [const { [const { AtomicU64::new(0) }; BUCKETS.len() + 1] }; ROUTES],
            duration_micros: [const { AtomicU64::new(0) }; ROUTES],
            bytes_sent: AtomicU64::new(0),
            bytes_received: AtomicU64::new(0),
            websockets_opened: AtomicU64::new(0),
            websockets_closed: AtomicU64::new(0),
        }
    }
}

/// Every thread's block, for the scrape. A block lives as long as the
/// process (threads are the event loops, a handful).
static BLOCKS: Mutex<Vec<&'static Block>> = Mutex::new(Vec::new());

thread_local! {
    static LOCAL: &'static Block = {
        let block: &'static Block = Box::leak(Box::new(Block::new()));
        BLOCKS.lock().unwrap_or_else(PoisonError::into_inner).push(block);
        block
    };
}

fn count<R>(record: impl FnOnce(&Block) -> R) {
    LOCAL.with(|block| {
        record(block);
    });
}

/// One request answered: its route, status, and the time from its headers
/// to the end of its answer.
pub fn answered(route: Route, status: u16, took: Duration) {
    let code = CODES
        .iter()
        .position(|c| *c == status)
        .unwrap_or(OTHER_CODE);
    let seconds = took.as_secs_f64();
    let bucket = BUCKETS
        .iter()
        .position(|b| seconds <= *b)
        .unwrap_or(BUCKETS.len());
    let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
    let route = route.index();
    count(|block| {
        block.requests[route][code].fetch_add(1, Relaxed);
        block.durations[route][bucket].fetch_add(1, Relaxed);
        block.duration_micros[route].fetch_add(micros, Relaxed);
    });
}

/// Bytes a download sent.
pub fn sent(bytes: usize) {
    count(|block| block.bytes_sent.fetch_add(bytes as u64, Relaxed));
}

/// Bytes an upload brought.
pub fn received(bytes: usize) {
    count(|block| block.bytes_received.fetch_add(bytes as u64, Relaxed));
}

/// A WebSocket open until this is dropped.
#[derive(Debug)]
pub struct OpenWebSocket(());

impl OpenWebSocket {
    pub fn opened() -> OpenWebSocket {
        count(|block| block.websockets_opened.fetch_add(1, Relaxed));
        OpenWebSocket(())
    }
}

impl Drop for OpenWebSocket {
    fn drop(&mut self) {
        count(|block| block.websockets_closed.fetch_add(1, Relaxed));
    }
}

/// The blocks added up.
struct Totals {
    requests: [[u64; CODES.len() + 1]; ROUTES],
    durations: [[u64; BUCKETS.len() + 1]; ROUTES],
    duration_micros: [u64; ROUTES],
    bytes_sent: u64,
    bytes_received: u64,
    websockets_open: u64,
}

fn totals() -> Totals {
    let mut totals = Totals {
        requests: [[0; CODES.len() + 1]; ROUTES],
        durations: [[0; BUCKETS.len() + 1]; ROUTES],
        duration_micros: [0; ROUTES],
        bytes_sent: 0,
        bytes_received: 0,
        websockets_open: 0,
    };
    let (mut opened, mut closed) = (0u64, 0u64);
    for block in BLOCKS.lock().unwrap_or_else(PoisonError::into_inner).iter() {
        for route in 0..ROUTES {
            for (total, counter) in totals.requests[route]
                .iter_mut()
                .zip(&block.requests[route])
            {
                *total += counter.load(Relaxed);
            }
            for (total, counter) in totals.durations[route]
                .iter_mut()
                .zip(&block.durations[route])
            {
                *total += counter.load(Relaxed);
            }
            totals.duration_micros[route] += block.duration_micros[route].load(Relaxed);
        }
        totals.bytes_sent += block.bytes_sent.load(Relaxed);
        totals.bytes_received += block.bytes_received.load(Relaxed);
        opened += block.websockets_opened.load(Relaxed);
        closed += block.websockets_closed.load(Relaxed);
    }
    // A WebSocket may close on another thread than it opened on.
    totals.websockets_open = opened.saturating_sub(closed);
    totals
}

/// The version, and the commit the build was made from when it was named.
const VERSION: &str = env!("CARGO_PKG_VERSION");
const COMMIT: Option<&str> = option_env!("LINKTRIAGE_COMMIT");

/// The Prometheus text of everything counted so far.
pub fn render(census: &Census, release: &str) -> String {
    let totals = totals();
    let mut out = String::new();
    let family = |out: &mut String, name: &str, kind: &str, help: &str| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    };

    let name = "linktriage_build_info";
    family(
        &mut out,
        name,
        "gauge",
        "The running build: always 1, its version, commit and the release of the pages it serves (as reports name it) as labels.",
    );
    let commit = COMMIT.unwrap_or("unknown");
    let _ = writeln!(
        out,
        "{name}{{version=\"{VERSION}\",commit=\"{commit}\",release=\"{release}\"}} 1"
    );

    let name = "linktriage_http_requests_total";
    family(
        &mut out,
        name,
        "counter",
        "Requests answered, by route and status code.",
    );
    for route in Route::ALL {
        for (i, count) in totals.requests[route.index()].iter().enumerate() {
            if *count > 0 {
                let code = CODES.get(i).map_or("other".to_owned(), u16::to_string);
                let _ = writeln!(
                    out,
                    "{name}{{route=\"{}\",code=\"{code}\"}} {count}",
                    route.label()
                );
            }
        }
    }

    let name = "linktriage_http_request_duration_seconds";
    family(
        &mut out,
        name,
        "histogram",
        "Time from a request's headers to the end of its answer (a transfer's whole length).",
    );
    for route in Route::ALL {
        let counts = &totals.durations[route.index()];
        let all: u64 = counts.iter().sum();
        if all == 0 {
            continue;
        }
        let label = route.label();
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(counts) {
            cumulative += count;
            let _ = writeln!(
                out,
                "{name}_bucket{{route=\"{label}\",le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(out, "{name}_bucket{{route=\"{label}\",le=\"+Inf\"}} {all}");
        let seconds = totals.duration_micros[route.index()] as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum{{route=\"{label}\"}} {seconds}");
        let _ = writeln!(out, "{name}_count{{route=\"{label}\"}} {all}");
    }

    let name = "linktriage_transfer_bytes_total";
    family(
        &mut out,
        name,
        "counter",
        "Bytes the speed tests moved: sent by downloads, received by uploads.",
    );
    let _ = writeln!(out, "{name}{{direction=\"sent\"}} {}", totals.bytes_sent);
    let _ = writeln!(
        out,
        "{name}{{direction=\"received\"}} {}",
        totals.bytes_received
    );

    let name = "linktriage_websockets_open";
    family(&mut out, name, "gauge", "WebSocket echoes open now.");
    let _ = writeln!(out, "{name} {}", totals.websockets_open);

    let name = "linktriage_connections_open";
    family(&mut out, name, "gauge", "Client connections open now.");
    let _ = writeln!(out, "{name} {}", census.open());

    let name = "linktriage_connections_refused_total";
    family(
        &mut out,
        name,
        "counter",
        "Connections closed at once: at the cap with none waiting to make room.",
    );
    let _ = writeln!(out, "{name} {}", census.refused.load(Relaxed));

    let name = "linktriage_connections_cut_total";
    family(
        &mut out,
        name,
        "counter",
        "Connections the server closed: to make room at the cap, or over the header or idle limit.",
    );
    let _ = writeln!(
        out,
        "{name}{{reason=\"room\"}} {}",
        census.cut_for_room.load(Relaxed)
    );
    let _ = writeln!(
        out,
        "{name}{{reason=\"time_limit\"}} {}",
        census.timed_out.load(Relaxed)
    );
    out
}
