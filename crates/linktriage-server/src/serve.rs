//! The topology the `linktriage serve` command runs: one single-threaded
//! event loop per core, each with its own listening socket on the same port
//! (`SO_REUSEPORT`), so the kernel spreads connections across them and no
//! request crosses threads. This is nginx's model, and it beats a shared
//! work-stealing runtime on `/api/ping` (BENCHMARKS.md).
//!
//! SIGTERM and SIGINT (and [`Serving::stop`]) stop every loop's accepting;
//! requests in flight finish within the grace, WebSockets are closed with a
//! close frame (the echo watches [`AppState::stopping`]), and the command
//! exits 0.

use std::net::SocketAddr;

use anyhow::Context;

use std::sync::Arc;

use crate::connection::{Census, Limits, serve_connections};
use crate::tls::Tls;
use crate::{AppState, Surface, log};

/// A running server: where it listens, and its event loops.
#[derive(Debug)]
pub struct Serving {
    address: SocketAddr,
    metrics_address: Option<SocketAddr>,
    state: AppState,
    census: Arc<Census>,
    workers: Vec<std::thread::JoinHandle<anyhow::Result<()>>>,
}

/// How the server runs, beyond what it serves.
#[derive(Debug, Default)]
pub struct Options {
    pub limits: Limits,
    /// With it, every connection is TLS, and the certificate is kept current.
    pub tls: Option<Tls>,
    /// Where to serve `/metrics` (Prometheus text), apart from the app.
    pub metrics_listen: Option<SocketAddr>,
    /// The loss check's peer, bound (`rtc::bind`), its signalling already
    /// given to the state: run here until the server stops.
    pub rtc: Option<crate::rtc::PeerLoop>,
    /// Ask each target from here, at start and every hour, and mark in the
    /// served list the hosts that refuse browsers their answers.
    pub try_targets: bool,
}

/// Starts serving `state` on `listen` (port 0 picks a free port) as
/// `options` say, until SIGTERM, SIGINT or [`Serving::stop`].
pub fn serve(listen: SocketAddr, state: AppState, options: Options) -> anyhow::Result<Serving> {
    let Options {
        limits,
        tls,
        metrics_listen,
        rtc,
        try_targets,
    } = options;
    let metrics = metrics_listen
        .map(|address| {
            std::net::TcpListener::bind(address)
                .and_then(|l| l.set_nonblocking(true).map(|()| l))
                .with_context(|| format!("cannot listen on {address} for metrics"))
        })
        .transpose()?;
    let metrics_address = metrics
        .as_ref()
        .map(std::net::TcpListener::local_addr)
        .transpose()?;
    // SO_REUSEPORT would quietly share a port that another server of ours
    // already holds; an ordinary bind first says "in use" as it should.
    if listen.port() != 0 {
        drop(
            std::net::TcpListener::bind(listen)
                .with_context(|| format!("cannot listen on {listen}"))?,
        );
    }
    let first =
        reuse_port_listener(listen).with_context(|| format!("cannot listen on {listen}"))?;
    // With port 0 the first socket picks the port; the others share it.
    let address = first.local_addr()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut listeners = vec![first];
    for _ in 1..cores {
        listeners.push(
            reuse_port_listener(address).with_context(|| format!("cannot listen on {address}"))?,
        );
    }
    let census = Arc::new(Census::default());
    let surface = Surface::new(state.clone());
    let mut workers: Vec<_> = listeners
        .into_iter()
        .map(|listener| {
            let (surface, census, stopping) = (surface.clone(), census.clone(), state.stopping());
            let acceptor = tls.as_ref().map(|tls| tls.acceptor.clone());
            std::thread::spawn(move || -> anyhow::Result<()> {
                event_loop()?.block_on(async {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    serve_connections(listener, surface, limits, census, acceptor, stopping).await
                })
            })
        })
        .collect();
    let (signal_loop, signals, hangup) = signals()?;
    let stopper = state.clone();
    let counted = Arc::clone(&census);
    workers.push(std::thread::spawn(move || -> anyhow::Result<()> {
        signal_loop.block_on(async move {
            tokio::spawn(crate::connection::keep_time());
            if let Some(peer) = rtc {
                tokio::spawn(peer.run(stopper.stopping()));
            }
            if let Some(tls) = tls {
                tokio::spawn(tls.watch(hangup, stopper.stopping()));
            }
            if try_targets {
                tokio::spawn(crate::trial::keep_learning(stopper.clone()));
            }
            if let Some(listener) = metrics {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                let release = stopper.release().to_owned();
                tokio::spawn(serve_metrics(listener, counted, release, stopper.stopping()));
            }
            let mut stopping = stopper.stopping();
            tokio::select! {
                name = signals => {
                    log::info("stop", &format!("{name}: stopping; requests in flight have {} s to finish", limits.grace.as_secs()));
                    stopper.stop();
                }
                () = crate::stopped(&mut stopping) => {}
            }
            anyhow::Ok(())
        })
    }));
    Ok(Serving {
        address,
        metrics_address,
        state,
        census,
        workers,
    })
}

/// `GET /metrics` on its own address, until the server stops.
async fn serve_metrics(
    listener: tokio::net::TcpListener,
    census: Arc<Census>,
    release: String,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    use axum::routing::get;
    let app = axum::Router::new().route(
        "/metrics",
        get(move || {
            let text = crate::metrics::render(&census, &release);
            async move {
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    text,
                )
            }
        }),
    );
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move { crate::stopped(&mut stopping).await });
    if let Err(error) = served.await {
        log::error("metrics", &format!("the metrics listener failed: {error}"));
    }
}

fn event_loop() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting an event loop")
}

/// The first of SIGTERM and SIGINT, by name, on an event loop of its own,
/// and SIGHUP (read the certificate again). Registered before serving
/// begins, so that a signal a moment after start is not the default action
/// (an abrupt exit).
fn signals() -> anyhow::Result<(
    tokio::runtime::Runtime,
    impl Future<Output = &'static str> + Send,
    tokio::signal::unix::Signal,
)> {
    use tokio::signal::unix::{SignalKind, signal};
    let runtime = event_loop()?;
    let (mut terminate, mut interrupt, hangup) = {
        let _entered = runtime.enter();
        (
            signal(SignalKind::terminate()).context("listening for SIGTERM")?,
            signal(SignalKind::interrupt()).context("listening for SIGINT")?,
            signal(SignalKind::hangup()).context("listening for SIGHUP")?,
        )
    };
    let first = async move {
        tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = interrupt.recv() => "SIGINT",
        }
    };
    Ok((runtime, first, hangup))
}

impl Serving {
    /// Where it listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Where `/metrics` is served, if anywhere.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics_address
    }

    /// Connections open, refused and cut, across every event loop.
    pub fn census(&self) -> &Census {
        &self.census
    }

    /// Waits until every event loop has stopped (on a signal, or [`stop`]).
    ///
    /// [`stop`]: Serving::stop
    pub fn wait(self) -> anyhow::Result<()> {
        for worker in self.workers {
            worker
                .join()
                .map_err(|_| anyhow::anyhow!("a server thread stopped unexpectedly"))??;
        }
        Ok(())
    }

    /// Stops accepting connections and waits for the event loops to end.
    pub fn stop(self) -> anyhow::Result<()> {
        self.state.stop();
        self.wait()
    }
}

fn reuse_port_listener(address: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.set_nonblocking(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&address.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}
