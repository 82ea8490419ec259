//! The life of each connection, under limits: the accept loop of one event
//! loop, a cap on connections at once, a time limit to send a request's
//! headers and one for a quiet connection, and a graceful end on stop.
//!
//! One timer per connection, never one per request: the connection records
//! when bytes last moved and whether a request is being answered (a few
//! relaxed atomic operations a request), and its watchdog wakes only at the
//! earliest deadline that could apply, to check again. This keeps
//! `/api/ping` at nginx's rate (BENCHMARKS.md) where hyper's own header
//! timeout, armed afresh for every request, cost 5 %.
//!
//! At the cap, a new connection closes the connection of this event loop
//! that has waited longest without a request in flight (a half-sent request
//! or an idle keep-alive) rather than being refused: a flood of clients that
//! never finish a request cannot keep a clinician's ping out.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

use crate::Surface;
use crate::log;

/// The limits every connection is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From a connection's first byte (or its opening) to the end of its
    /// request's headers: a client that sends headers slowly or not at all
    /// holds a connection this long at most.
    pub header: Duration,
    /// How long a kept-alive connection may wait for its next request, and
    /// a request may go with no byte moving either way (an upload stalled,
    /// a download nobody reads).
    pub idle: Duration,
    /// Connections at once, across every event loop.
    pub max_connections: usize,
    /// After a stop, how long requests in flight may take to finish.
    pub grace: Duration,
}

impl Default for Limits {
    /// Go's and nginx's customs: 10 s for the headers, nginx's 75 s for a
    /// kept-alive connection (longer than the watch's longest interval, so
    /// a watch keeps its connection), 10 s of grace as systemd and
    /// Kubernetes allow before they kill. The cap is set from the
    /// descriptor limit at start ([`Limits::for_descriptors`]).
    fn default() -> Limits {
        Limits {
            header: Duration::from_secs(10),
            idle: Duration::from_secs(75),
            max_connections: 10_000,
            grace: Duration::from_secs(10),
        }
    }
}

/// Descriptors kept back from the cap for everything that is not a client
/// connection: listening sockets, the event loops' own, a certificate or
/// configuration file being read.
const DESCRIPTORS_KEPT_BACK: u64 = 64;

impl Limits {
    /// Raises this process's descriptor limit to its hard limit, and caps
    /// connections at what the limit leaves once others are kept back. The
    /// limit found is returned for the start-up line.
    pub fn for_descriptors(self) -> (Limits, u64) {
        let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
        let room = limit.saturating_sub(DESCRIPTORS_KEPT_BACK).max(16);
        let max_connections = self
            .max_connections
            .min(usize::try_from(room).unwrap_or(usize::MAX));
        (
            Limits {
                max_connections,
                ..self
            },
            limit,
        )
    }
}

/// What all event loops share about connections: how many are open, and
/// how many were turned away.
#[derive(Debug, Default)]
pub struct Census {
    open: AtomicUsize,
    pub refused: AtomicU64,
    pub cut_for_room: AtomicU64,
    pub timed_out: AtomicU64,
}

impl Census {
    pub fn open(&self) -> usize {
        self.open.load(Relaxed)
    }
}

/// The clock every connection's times are read on, in milliseconds: one
/// scale, so that the longest-waiting connection can be found.
static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);

/// [`EPOCH`]'s milliseconds as of the last tick of [`keep_time`]: what a
/// connection's reads and writes stamp themselves with, one atomic load
/// rather than a clock read each (a ping does several; at nginx's rate that
/// is measurable). The limits are seconds; 10 ms late is nothing.
static COARSE_MS: AtomicU64 = AtomicU64::new(0);

/// How often [`COARSE_MS`] is brought up to date.
const TICK: Duration = Duration::from_millis(10);

/// Keeps [`COARSE_MS`] current; [`crate::serve`] runs it beside the event
/// loops for as long as the server runs.
pub async fn keep_time() {
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        ticks.tick().await;
        COARSE_MS.store(exact_ms(), Relaxed);
    }
}

/// The time as connections are stamped with it.
fn now_ms() -> u64 {
    COARSE_MS.load(Relaxed)
}

/// The time read from the clock, for the watchdogs' own decisions: a
/// deadline built from coarse stamps is passed at the latest one tick late,
/// and never waited for again if the ticks stopped.
fn exact_ms() -> u64 {
    u64::try_from(EPOCH.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn instant_at(ms: u64) -> Instant {
    EPOCH
        .checked_add(Duration::from_millis(ms))
        .unwrap_or_else(|| Instant::now() + Duration::from_secs(365 * 24 * 3600))
}

/// What one connection's watchdog reads. Written by the connection's I/O
/// and its requests, on its own event loop; atomics only because a task
/// must be `Send`.
#[derive(Debug)]
pub struct Connection {
    /// This connection's number, unique while the server runs.
    id: u64,
    /// Requests it has carried so far.
    requests: AtomicU32,
    /// When a byte last moved, either way.
    last_io: AtomicU64,
    /// When the request now being sent began (its first byte, or the
    /// connection's opening); [`NOT_WAITING`] while a request is answered
    /// or the connection is quiet between requests.
    head_since: AtomicU64,
    in_flight: AtomicU32,
    /// HTTP/2: after the first request, bytes between requests are
    /// frames of the connection (settings, window updates), not a request
    /// being sent, so only the idle limit applies.
    multiplexed: std::sync::atomic::AtomicBool,
    /// Told to close: at the cap, to make room.
    cut: tokio::sync::Notify,
    /// The watchdog's last order ([`CARRY_ON`] until it gives one), and the
    /// connection's task to wake when it does.
    orders: std::sync::atomic::AtomicU8,
    woken_by_order: futures_util::task::AtomicWaker,
}

const NOT_WAITING: u64 = u64::MAX;

impl Connection {
    fn new(now: u64) -> Connection {
        // Unique across event loops: one increment per connection.
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Connection {
            id: NEXT_ID.fetch_add(1, Relaxed),
            requests: AtomicU32::new(0),
            last_io: AtomicU64::new(now),
            head_since: AtomicU64::new(now),
            in_flight: AtomicU32::new(0),
            multiplexed: std::sync::atomic::AtomicBool::new(false),
            cut: tokio::sync::Notify::new(),
            orders: std::sync::atomic::AtomicU8::new(CARRY_ON),
            woken_by_order: futures_util::task::AtomicWaker::new(),
        }
    }

    fn bytes_read(&self) {
        let now = now_ms();
        self.last_io.store(now, Relaxed);
        if self.in_flight.load(Relaxed) == 0
            && self.head_since.load(Relaxed) == NOT_WAITING
            && !self.multiplexed.load(Relaxed)
        {
            self.head_since.store(now, Relaxed);
        }
    }

    fn bytes_written(&self) {
        self.last_io.store(now_ms(), Relaxed);
    }

    /// A request's headers are in: it is answered from here on.
    /// A request arrived: which connection it came on and its number on
    /// it (from 1), which the ping's answer tells the page, so that the
    /// page sees a connection cut while in use even when the browser hides
    /// the cut by sending the request again on a new one.
    pub fn next_request(&self) -> OnConnection {
        OnConnection {
            connection: self.id,
            request: self.requests.fetch_add(1, Relaxed).saturating_add(1),
        }
    }

    pub fn request_began(self: &Arc<Connection>) -> InFlight {
        self.in_flight.fetch_add(1, Relaxed);
        self.head_since.store(NOT_WAITING, Relaxed);
        InFlight(Arc::clone(self))
    }

    /// When this connection, left as it is, would be over a limit.
    fn deadline(&self, limits: &Limits) -> u64 {
        let quiet_until = self
            .last_io
            .load(Relaxed)
            .saturating_add(millis(limits.idle));
        if self.in_flight.load(Relaxed) > 0 {
            return quiet_until;
        }
        match self.head_since.load(Relaxed) {
            NOT_WAITING => quiet_until,
            since => since.saturating_add(millis(limits.header)),
        }
    }

    /// Since when it has waited for a request, if it is waiting: the
    /// eviction order at the cap.
    fn waiting_since(&self) -> Option<u64> {
        if self.in_flight.load(Relaxed) > 0 {
            return None;
        }
        Some(match self.head_since.load(Relaxed) {
            NOT_WAITING => self.last_io.load(Relaxed),
            since => since,
        })
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// A request being answered on a connection, until its answer's body has
/// been sent (or dropped).
#[derive(Debug)]
pub struct InFlight(Arc<Connection>);

/// A request's extension: the connection it came on and its number there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnConnection {
    pub connection: u64,
    pub request: u32,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Relaxed);
        self.0.bytes_written();
    }
}

/// A connection's socket, noting each read and write for its watchdog, and
/// counted open as long as it lives (after a WebSocket upgrade too, when
/// the socket outlives the HTTP connection).
#[derive(Debug)]
struct Watched<S> {
    socket: S,
    connection: Arc<Connection>,
    _open: Open,
}

#[derive(Debug)]
struct Open(Arc<Census>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Relaxed);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buffer.filled().len();
        let polled = Pin::new(&mut self.socket).poll_read(context, buffer);
        if matches!(polled, Poll::Ready(Ok(()))) && buffer.filled().len() > before {
            self.connection.bytes_read();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.socket).poll_write(context, bytes);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.connection.bytes_written();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffers: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.socket).poll_write_vectored(context, buffers);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.connection.bytes_written();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.socket.is_write_vectored()
    }

    fn poll_flush(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.socket).poll_flush(context)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.socket).poll_shutdown(context)
    }
}

/// The HTTP connections of one event loop, for eviction at the cap and for
/// waiting on them at a stop. Touched once when a connection opens and once
/// when it ends, never per request.
#[derive(Debug, Default)]
struct Local {
    next_id: AtomicU64,
    connections: Mutex<HashMap<u64, Arc<Connection>>>,
}

impl Local {
    fn add(self: &Arc<Local>, connection: &Arc<Connection>) -> Registered {
        let id = self.next_id.fetch_add(1, Relaxed);
        self.lock().insert(id, Arc::clone(connection));
        Registered(Arc::clone(self), id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Connection>>> {
        // Nothing panics while holding it; if something did, the map is
        // still whole.
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    /// Tells the connection that has waited longest for a request to close,
    /// and forgets it, so that it is not chosen twice; false when every
    /// connection here has a request in flight.
    fn cut_longest_waiting(&self) -> bool {
        let mut connections = self.lock();
        let oldest = connections
            .iter()
            .filter_map(|(id, c)| Some((c.waiting_since()?, *id)))
            .min();
        let Some(connection) = oldest.and_then(|(_, id)| connections.remove(&id)) else {
            return false;
        };
        connection.cut.notify_one();
        true
    }
}

struct Registered(Arc<Local>, u64);

impl Drop for Registered {
    fn drop(&mut self) {
        self.0.lock().remove(&self.1);
    }
}

/// Whether an accept failed for want of descriptors (or kernel memory):
/// retrying at once would fail the same way, and spin.
fn out_of_descriptors(error: &std::io::Error) -> bool {
    // EMFILE 24, ENFILE 23, ENOBUFS 105, ENOMEM 12 on Linux.
    matches!(error.raw_os_error(), Some(24 | 23 | 105 | 12))
}

/// One log line at most every ten seconds for what the cap does, however
/// many connections it turns away: a flood must not flood the log.
#[derive(Debug, Default)]
struct CapLog {
    refused: u64,
    cut: u64,
    logged_at: Option<Instant>,
}

impl CapLog {
    const EVERY: Duration = Duration::from_secs(10);

    fn note(&mut self, cut: bool, open: usize, cap: usize) {
        if cut {
            self.cut += 1;
        } else {
            self.refused += 1;
        }
        let now = Instant::now();
        if self.logged_at.is_some_and(|at| now - at < Self::EVERY) {
            return;
        }
        log::warn(
            "cap",
            &format!(
                "at the cap of {cap} connections ({open} open): {} longest-waiting closed to make room, {} refused",
                self.cut, self.refused
            ),
        );
        *self = CapLog {
            logged_at: Some(now),
            ..CapLog::default()
        };
    }
}

/// How long the accept loop rests when descriptors have run out.
const ACCEPT_BACK_OFF: Duration = Duration::from_millis(100);

/// Accepts connections on `listener` until `stopping` turns true, serving
/// each with [`Surface`] over HTTP/1.1 with upgrades (WebSocket) on the
/// current event loop, under `limits`; then lets them finish for up to the
/// grace. HTTP/1.1 only on plain TCP: browsers speak HTTP/2 over TLS alone,
/// and not sniffing for HTTP/2's preface is part of what keeps `/api/ping`
/// as cheap as nginx's answer (BENCHMARKS.md).
pub async fn serve_connections(
    listener: tokio::net::TcpListener,
    surface: Surface,
    limits: Limits,
    census: Arc<Census>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let local = Arc::new(Local::default());
    let mut short_of_descriptors = false;
    let mut cap_log = CapLog::default();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) if out_of_descriptors(&error) => {
                    if !short_of_descriptors {
                        log::warn("accept", &format!("out of descriptors ({error}); closing the longest-waiting connection and resting"));
                        short_of_descriptors = true;
                    }
                    if !local.cut_longest_waiting() {
                        tokio::time::sleep(ACCEPT_BACK_OFF).await;
                    }
                    // The connection cut closes its socket when it runs.
                    tokio::task::yield_now().await;
                    continue;
                }
                // A connection reset before it was accepted: the next may
                // succeed.
                Err(_) => continue,
            },
            () = crate::stopped(&mut stopping) => break,
        };
        short_of_descriptors = false;
        let open = census.open.load(Relaxed);
        if open >= limits.max_connections {
            let cut = local.cut_longest_waiting();
            cap_log.note(cut, open, limits.max_connections);
            if cut {
                census.cut_for_room.fetch_add(1, Relaxed);
                // Let it close its socket before this one takes a descriptor.
                tokio::task::yield_now().await;
            } else {
                census.refused.fetch_add(1, Relaxed);
                drop(stream);
                continue;
            }
        }
        census.open.fetch_add(1, Relaxed);
        // The address the client reached: where a loss check's browser is
        // told to send its UDP, when the peer listens on every address.
        let reached = stream.local_addr().ok();
        let connection = Arc::new(Connection::new(exact_ms()));
        let socket = Watched {
            socket: stream,
            connection: Arc::clone(&connection),
            _open: Open(Arc::clone(&census)),
        };
        let registered = local.add(&connection);
        let service = surface.for_connection(peer, reached, Arc::clone(&connection));
        let (census, stopping) = (Arc::clone(&census), stopping.clone());
        // Two kinds of task, so that a plain connection's is not the size
        // of a TLS handshake's (memory per idle connection, BENCHMARKS.md).
        let over_time_limit = move || census.timed_out.fetch_add(1, Relaxed);
        match tls.clone() {
            None => tokio::spawn(async move {
                let _registered = registered;
                let served = Box::pin(http1(socket, service));
                if !watch(served, &connection, limits, stopping).await {
                    over_time_limit();
                }
            }),
            Some(acceptor) => tokio::spawn(async move {
                let _registered = registered;
                if !over_tls(socket, acceptor, connection, service, limits, stopping).await {
                    over_time_limit();
                }
            }),
        };
    }
    drop(listener);
    // Stopping: each connection ends once its request in flight is
    // answered; the grace is the most they get.
    let deadline = Instant::now() + limits.grace;
    while (local.len() > 0 || census.open() > 0) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// Serves one TLS connection until it ends, is over a limit (false), or is
/// cut to make room: the handshake within the header limit, then HTTP/2 if
/// the client chose it, else HTTP/1.1 with upgrades (WebSocket).
async fn over_tls(
    socket: Watched<tokio::net::TcpStream>,
    acceptor: tokio_rustls::TlsAcceptor,
    connection: Arc<Connection>,
    service: Surface,
    limits: Limits,
    stopping: tokio::sync::watch::Receiver<bool>,
) -> bool {
    let handshake = Box::pin(tokio::time::timeout_at(
        instant_at(connection.deadline(&limits)),
        acceptor.accept(socket),
    ));
    let stream = match handshake.await {
        Ok(Ok(stream)) => stream,
        // A client that does not finish its handshake in time.
        Err(_) => return false,
        // One that speaks something else, or gives up: its own affair.
        Ok(Err(_)) => return true,
    };
    if stream.get_ref().1.alpn_protocol() == Some(b"h2") {
        connection.multiplexed.store(true, Relaxed);
        let served = hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
            .timer(hyper_util::rt::TokioTimer::new())
            .serve_connection(
                hyper_util::rt::TokioIo::new(stream),
                hyper_util::service::TowerToHyperService::new(service),
            );
        return watch(Box::pin(served), &connection, limits, stopping).await;
    }
    watch(
        Box::pin(http1(stream, service)),
        &connection,
        limits,
        stopping,
    )
    .await
}

fn http1<S>(socket: S, service: Surface) -> impl EndsGracefully
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    hyper::server::conn::http1::Builder::new()
        .serve_connection(
            hyper_util::rt::TokioIo::new(socket),
            hyper_util::service::TowerToHyperService::new(service),
        )
        .with_upgrades()
}

/// A connection hyper serves, which can be asked to finish what it is
/// answering and close.
trait EndsGracefully: Future {
    fn end_gracefully(self: Pin<&mut Self>);
}

type Service = hyper_util::service::TowerToHyperService<Surface>;

impl<I> EndsGracefully for hyper::server::conn::http1::UpgradeableConnection<I, Service>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    fn end_gracefully(self: Pin<&mut Self>) {
        self.graceful_shutdown();
    }
}

impl<I, E> EndsGracefully for hyper::server::conn::http2::Connection<I, Service, E>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + 'static,
    E: hyper::rt::bounds::Http2ServerConnExec<
            <Service as hyper::service::Service<hyper::Request<hyper::body::Incoming>>>::Future,
            AnswerBody,
        >,
{
    fn end_gracefully(self: Pin<&mut Self>) {
        self.graceful_shutdown();
    }
}

/// Drives a connection under its watchdog: true when it ended or was cut,
/// false when it went over a limit.
///
/// The watchdog is a task of its own that gives the connection orders
/// through [`Connection::order`]; the connection reads them with one atomic
/// load each time it is polled. Racing the connection against a timer, a
/// stop signal and the cut in one `select!` would poll all four on every
/// request: a few per cent of a ping (BENCHMARKS.md).
async fn watch(
    served: Pin<Box<impl EndsGracefully>>,
    connection: &Arc<Connection>,
    limits: Limits,
    stopping: tokio::sync::watch::Receiver<bool>,
) -> bool {
    let watchdog = tokio::spawn(watchdog(Arc::clone(connection), limits, stopping));
    let steered = Steered {
        served,
        connection: Arc::clone(connection),
        ending: false,
    };
    let ended_well = steered.await;
    watchdog.abort();
    ended_well
}

/// The orders a watchdog gives its connection.
const CARRY_ON: u8 = 0;
const END_GRACEFULLY: u8 = 1;
const CLOSE_CUT: u8 = 2;
const CLOSE_OVER_LIMIT: u8 = 3;

impl Connection {
    fn order(&self, order: u8) {
        self.orders
            .store(order, std::sync::atomic::Ordering::Release);
        self.woken_by_order.wake();
    }
}

/// Waits for the connection's deadlines, a cut, and the server's stop, and
/// orders the connection accordingly.
async fn watchdog(
    connection: Arc<Connection>,
    limits: Limits,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    let sleep = tokio::time::sleep_until(instant_at(connection.deadline(&limits)));
    let mut sleep = std::pin::pin!(sleep);
    let mut told_to_end = false;
    loop {
        tokio::select! {
            () = &mut sleep => {
                let deadline = connection.deadline(&limits);
                if exact_ms() >= deadline {
                    return connection.order(CLOSE_OVER_LIMIT);
                }
                sleep.as_mut().reset(instant_at(deadline));
            }
            () = connection.cut.notified() => return connection.order(CLOSE_CUT),
            () = crate::stopped(&mut stopping), if !told_to_end => {
                told_to_end = true;
                connection.order(END_GRACEFULLY);
            }
        }
    }
}

/// A connection that follows its watchdog's orders.
struct Steered<C> {
    served: Pin<Box<C>>,
    connection: Arc<Connection>,
    ending: bool,
}

impl<C: EndsGracefully> Future for Steered<C> {
    type Output = bool;

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<bool> {
        let this = &mut *self;
        this.connection.woken_by_order.register(context.waker());
        match this
            .connection
            .orders
            .load(std::sync::atomic::Ordering::Acquire)
        {
            CLOSE_CUT => return Poll::Ready(true),
            CLOSE_OVER_LIMIT => return Poll::Ready(false),
            END_GRACEFULLY if !this.ending => {
                this.ending = true;
                this.served.as_mut().end_gracefully();
            }
            _ => {}
        }
        // A client that goes away mid-request is not the server's error.
        this.served.as_mut().poll(context).map(|_| true)
    }
}

/// An answer's body, holding its request in flight until the body has been
/// sent or dropped: then the connection is waiting again, and the exchange
/// is counted (`metrics`).
#[derive(Debug)]
pub struct AnswerBody {
    body: axum::body::Body,
    exchange: Exchange,
    _in_flight: Option<InFlight>,
}

/// What is counted of one exchange when its answer has been sent.
#[derive(Debug, Clone, Copy)]
pub struct Exchange {
    pub route: crate::metrics::Route,
    pub status: u16,
    pub began: Instant,
}

impl AnswerBody {
    pub fn new(
        body: axum::body::Body,
        exchange: Exchange,
        in_flight: Option<InFlight>,
    ) -> AnswerBody {
        AnswerBody {
            body,
            exchange,
            _in_flight: in_flight,
        }
    }
}

impl Drop for AnswerBody {
    fn drop(&mut self) {
        let Exchange {
            route,
            status,
            began,
        } = self.exchange;
        crate::metrics::answered(route, status, began.elapsed());
    }
}

impl http_body::Body for AnswerBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(context)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
