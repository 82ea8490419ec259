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
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            runtime.block_on(serve(listen, AppState::new(config, assets)))
        }
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

/// Reads and validates a target list; the error names the file and the field.
fn load_config(path: &std::path::Path) -> anyhow::Result<Config> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the configuration", path.display()))?;
    Config::from_toml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

async fn serve(listen: SocketAddr, state: AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let local = listener.local_addr()?;
    println!("Link Triage is serving at http://{local}/");
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("serving")
}
