//! The `linktriage` command line: serve the app and its endpoints, check a
//! configuration, or decode pasted reports. The work is the library's.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use linktriage_core::config::Config;
use linktriage_server::AppState;

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
            let serving = linktriage_server::serve(listen, AppState::new(config, assets))?;
            println!("Link Triage is serving at http://{}/", serving.address());
            serving.wait()
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

/// Decodes every report in standard input. Damaged ones are named on
/// standard error, and the rest still print.
fn decode(as_text: bool) -> anyhow::Result<()> {
    use std::io::Read;
    let mut paste = Vec::new();
    std::io::stdin()
        .take(linktriage_server::decode::READ_LIMIT)
        .read_to_end(&mut paste)
        .context("reading standard input")?;
    let decoded = linktriage_server::decode::decode(&String::from_utf8_lossy(&paste), as_text);
    print!("{}", decoded.output);
    for problem in &decoded.problems {
        eprintln!("{problem}");
    }
    match decoded.failure {
        Some(why) => anyhow::bail!(why),
        None => Ok(()),
    }
}

/// Reads and validates a target list; the error names the file and the field.
fn load_config(path: &std::path::Path) -> anyhow::Result<Config> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the configuration", path.display()))?;
    Config::from_toml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}
