//! The topology the `linktriage serve` command runs: one single-threaded
//! event loop per core, each with its own listening socket on the same port
//! (`SO_REUSEPORT`), so the kernel spreads connections across them and no
//! request crosses threads. This is nginx's model, and it beats a shared
//! work-stealing runtime on `/api/ping` (BENCHMARKS.md).

use std::net::SocketAddr;

use anyhow::Context;

use crate::{AppState, Surface, serve_connections};

/// A running server: where it listens, and its event loops.
#[derive(Debug)]
pub struct Serving {
    address: SocketAddr,
    stop: tokio::sync::watch::Sender<bool>,
    workers: Vec<std::thread::JoinHandle<anyhow::Result<()>>>,
}

/// Starts serving `state` on `listen` (port 0 picks a free port). Each event
/// loop also stops on Ctrl+C.
pub fn serve(listen: SocketAddr, state: AppState) -> anyhow::Result<Serving> {
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
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let surface = Surface::new(state);
    let workers = listeners
        .into_iter()
        .map(|listener| {
            let (surface, mut stopped) = (surface.clone(), stopped.clone());
            std::thread::spawn(move || -> anyhow::Result<()> {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .context("starting an event loop")?;
                runtime.block_on(async {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    serve_connections(listener, surface, async {
                        tokio::select! {
                            _ = tokio::signal::ctrl_c() => {}
                            _ = stopped.wait_for(|stop| *stop) => {}
                        }
                    })
                    .await
                })
            })
        })
        .collect();
    Ok(Serving {
        address,
        stop,
        workers,
    })
}

impl Serving {
    /// Where it listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Waits until every event loop has stopped (on Ctrl+C, or [`stop`]).
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
        let _ = self.stop.send(true);
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
