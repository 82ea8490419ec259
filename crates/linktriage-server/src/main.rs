//! The `linktriage` command: serve the app and its endpoints, or check a configuration.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use linktriage_core::config::Config;
use linktriage_server::{AppState, router};

#[derive(Debug, Parser)]
#[command(
    name = "linktriage",
    version,
    about = "Link Triage: find where a network fault is, from the browser."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the app, its configuration and the measurement endpoints.
    Serve {
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Target list (TOML). Without it, the embedded default is served.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Folder holding the built app (Trunk's output).
        #[arg(long, default_value = "dist")]
        assets: PathBuf,
    },
    /// Check a target list and say what is wrong with it, if anything.
    CheckConfig {
        /// The TOML file to check.
        file: PathBuf,
    },
    /// Read pasted reports (one, or a whole email thread) from standard
    /// input and print them as JSON, or as text with --text. Exits non-zero
    /// when nothing decodes.
    Decode {
        /// Print each report as the clinician saw it, not as JSON.
        #[arg(long)]
        text: bool,
    },
}

fn main() -> std::process::ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the chain of causes on one line, never a backtrace.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve {
            listen,
            config,
            assets,
        } => {
            let config = match config {
                Some(path) => load_config(&path)?,
                None => Config::embedded_default(),
            };
            if !assets.join("index.html").is_file() {
                eprintln!(
                    "warning: {} has no index.html; build the app first (cargo xtask serve does)",
                    assets.display()
                );
            }
            serve(listen, AppState::new(config, assets))
        }
        Command::Decode { text } => decode(text),
        Command::CheckConfig { file } => {
            let config = load_config(&file)?;
            println!(
                "{}: valid: {:?} version {:?}, {} targets",
                file.display(),
                config.name,
                config.version,
                config.targets.len()
            );
            Ok(())
        }
    }
}

/// The largest paste read from standard input; the rest is not a report.
const MAX_PASTE_BYTES: u64 = 16 * 1024 * 1024;

/// Decodes every report in standard input. Damaged ones are named on
/// standard error, and the rest still print.
fn decode(as_text: bool) -> anyhow::Result<()> {
    use std::io::Read;
    let mut paste = Vec::new();
    std::io::stdin()
        .take(MAX_PASTE_BYTES)
        .read_to_end(&mut paste)
        .context("reading standard input")?;
    let paste = String::from_utf8_lossy(&paste);
    let found = linktriage_core::codec::extract(&paste);
    let mut reports = Vec::new();
    for (n, f) in found.iter().enumerate() {
        match &f.report {
            Ok(report) => reports.push((report, &f.code)),
            Err(e) => eprintln!("report {} of {}: {e}", n + 1, found.len()),
        }
    }
    if as_text {
        // Exactly as the clinician saw it, code and all.
        for (report, code) in &reports {
            println!(
                "{}",
                linktriage_core::report::render_pasteable(report, code)
            );
        }
    } else {
        let reports: Vec<_> = reports.iter().map(|(report, _)| report).collect();
        println!("{}", serde_json::to_string_pretty(&reports)?);
    }
    match (found.len(), reports.len()) {
        (0, _) => anyhow::bail!(
            "no Link Triage report code (a line starting LT and a version number, such as LT2.) was found in the input"
        ),
        (_, 0) => anyhow::bail!("none of the {} report codes could be read", found.len()),
        _ => Ok(()),
    }
}

/// Reads and validates a target list; the error names the file and the field.
fn load_config(path: &std::path::Path) -> anyhow::Result<Config> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the configuration", path.display()))?;
    Config::from_toml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Serves with one single-threaded event loop per core, each with its own
/// listening socket on the same port (`SO_REUSEPORT`): the kernel spreads
/// connections across them and no request crosses threads. This is nginx's
/// model, and it beats a shared work-stealing runtime on `/api/ping`
/// (BENCHMARKS.md).
fn serve(listen: SocketAddr, state: AppState) -> anyhow::Result<()> {
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
    let local = first.local_addr()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut listeners = vec![first];
    for _ in 1..cores {
        listeners
            .push(reuse_port_listener(local).with_context(|| format!("cannot listen on {local}"))?);
    }
    println!("Link Triage is serving at http://{local}/");
    let workers: Vec<_> = listeners
        .into_iter()
        .map(|listener| {
            let app = router(state.clone());
            std::thread::spawn(move || -> anyhow::Result<()> {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .context("starting an event loop")?;
                runtime.block_on(async {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    linktriage_server::serve_connections(listener, app, async {
                        let _ = tokio::signal::ctrl_c().await;
                    })
                    .await
                })
            })
        })
        .collect();
    for worker in workers {
        worker
            .join()
            .map_err(|_| anyhow::anyhow!("a server thread stopped unexpectedly"))??;
    }
    Ok(())
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
