//! The `linktriage` command line: serve the app and its endpoints, check a
//! configuration, or decode pasted reports. The work is the library's.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use linktriage_core::config::Config;
use linktriage_server::proxy::{Cidr, TrustedProxies};
use linktriage_server::tls::{CertificateFiles, Tls};
use linktriage_server::{AppState, Assets, Limits, Options, log, rtc};

/// `--hsts`: a year, the least that HSTS preload lists and testssl.sh take
/// as enough.
const HSTS_MAX_AGE_S: u32 = 31_536_000;

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
#[expect(
    clippy::large_enum_variant,
    reason = "parsed once at start, never moved about"
)]
enum Command {
    /// Serve the app, its configuration and the measurement endpoints.
    Serve {
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Target list (TOML). Without it, the embedded default is served.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Serve the app from this folder (Trunk's output, for development)
        /// rather than the one inside the binary. Without it, and with no
        /// app inside (a plain cargo build), `dist` is used.
        #[arg(long)]
        assets: Option<PathBuf>,
        /// Serve over TLS (HTTP/2 and HTTP/1.1) with this certificate chain
        /// (PEM); read again when it changes or on SIGHUP.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Send Strict-Transport-Security (a year) with every page and file,
        /// so that browsers never try this server over plain HTTP again.
        /// Only with --tls-cert; where a proxy ends TLS, it sends its own.
        #[arg(long, requires = "tls_cert")]
        hsts: bool,
        /// Ask each target from this server at start and every hour, as
        /// `check-config --try` does, and tell pages which hosts refuse
        /// browsers their answers (Cross-Origin-Resource-Policy without
        /// CORS): a page then says "could not test" of such a host rather
        /// than that it is down. This server must be able to reach them.
        #[arg(long)]
        try_targets: bool,
        /// A proxy in front (an address or block, such as 10.0.0.0/8; the
        /// flag may be given again): its X-Forwarded-For says who the
        /// client is. From anyone else the header is ignored.
        #[arg(long = "trusted-proxy", value_name = "CIDR")]
        trusted_proxies: Vec<Cidr>,
        /// Serve Prometheus metrics at http://ADDR/metrics, apart from the
        /// app (keep it off the clinicians' network).
        #[arg(long, value_name = "ADDR")]
        metrics_listen: Option<SocketAddr>,
        /// The UDP address of the loss check's sessions (WebRTC; one port
        /// for all: open it where the HTTP port is open), or `off`.
        /// Without it, the address and port of --listen, over UDP.
        #[arg(long, value_name = "ADDR|off")]
        rtc_listen: Option<RtcListen>,
        /// The address browsers are told to send the loss check to, when
        /// it is not the one they reach the server on (behind NAT).
        #[arg(long, value_name = "IP")]
        rtc_advertise: Option<std::net::IpAddr>,
        #[command(flatten)]
        limits: LimitArgs,
        /// How log lines are written on standard error.
        #[arg(long, value_enum, default_value_t)]
        log_format: log::Format,
    },
    /// Ask a running server for /healthz: exit 0 if it answers 200 (a
    /// container's health check, where there is no curl). Over https the
    /// certificate is not checked.
    Health {
        /// The address to ask.
        #[arg(default_value = linktriage_server::health::DEFAULT_URL)]
        url: String,
    },
    /// Check a target list and say what is wrong with it, if anything.
    CheckConfig {
        /// The TOML file to check.
        file: PathBuf,
        /// Also ask each target from this machine, as a page would, and warn
        /// of any whose answer a browser would refuse to read (a check of
        /// it would fail however well the network works).
        #[arg(long = "try")]
        try_targets: bool,
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

/// The connection limits; each one not given is [`Limits::default`]'s, the
/// one place the defaults are set (10 s, 75 s, 10,000 connections, 10 s).
#[derive(Debug, clap::Args)]
struct LimitArgs {
    /// Time a client has to send a request's headers (10s, 500ms, 1m).
    #[arg(long, value_parser = duration)]
    header_timeout: Option<Duration>,
    /// Time a kept-alive connection may wait for its next request, and a
    /// request may go with nothing sent or received.
    #[arg(long, value_parser = duration)]
    idle_timeout: Option<Duration>,
    /// Connections at once; never more than the descriptor limit allows.
    #[arg(long)]
    max_connections: Option<usize>,
    /// After SIGTERM or SIGINT, time requests in flight have to finish.
    #[arg(long, value_parser = duration)]
    grace: Option<Duration>,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        let default = Limits::default();
        Limits {
            header: self.header_timeout.unwrap_or(default.header),
            idle: self.idle_timeout.unwrap_or(default.idle),
            max_connections: self.max_connections.unwrap_or(default.max_connections),
            grace: self.grace.unwrap_or(default.grace),
        }
    }
}

/// `--rtc-listen`: an address, or `off`.
#[derive(Debug, Clone, Copy)]
enum RtcListen {
    At(SocketAddr),
    Off,
}

impl std::str::FromStr for RtcListen {
    type Err = String;

    fn from_str(text: &str) -> Result<RtcListen, String> {
        if text == "off" {
            return Ok(RtcListen::Off);
        }
        text.parse().map(RtcListen::At).map_err(|_| {
            format!("{text:?} is not an address and port such as 0.0.0.0:8443, nor off")
        })
    }
}

/// A duration as a number and a unit: `500ms`, `10s`, `2m`, `1h`; a bare
/// number is seconds.
fn duration(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 10s, 500ms or 2m"))?;
    let seconds = match unit {
        "ms" => return Ok(Duration::from_millis(number)),
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(format!("{text:?}: the unit must be ms, s, m or h")),
    };
    Ok(Duration::from_secs(number.saturating_mul(seconds)))
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
            limits,
            log_format,
            tls_cert,
            tls_key,
            hsts,
            try_targets,
            trusted_proxies,
            metrics_listen,
            rtc_listen,
            rtc_advertise,
        } => {
            log::set_format(log_format);
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(Tls::new(CertificateFiles { cert, key })?),
                _ => None,
            };
            let scheme = if tls.is_some() { "https" } else { "http" };
            let config = match config {
                Some(path) => load_config(&path)?,
                None => Config::embedded_default(),
            };
            // Served over TLS, a plain-HTTP target is blocked in every
            // browser; behind a proxy that ends TLS, it may be too.
            for warning in config.warnings() {
                log::warn("config", &warning);
            }
            let assets = match assets {
                Some(folder) => Assets::Folder(folder),
                None => Assets::embedded().unwrap_or_else(|| Assets::Folder("dist".into())),
            };
            if !assets.has_app() {
                log::warn(
                    "assets",
                    &format!(
                        "no app to serve: {} has no index.html; build one into the binary with cargo xtask dist, or give --assets",
                        assets.describe()
                    ),
                );
            }
            let (limits, descriptors) = limits.limits().for_descriptors();
            let state = AppState::new(config, assets.clone(), TrustedProxies(trusted_proxies));
            if hsts {
                state.set_strict_transport(HSTS_MAX_AGE_S);
            }
            let release = state.release().to_owned();
            let rtc = match rtc_listen.unwrap_or(RtcListen::At(listen)) {
                RtcListen::Off => None,
                RtcListen::At(at) => {
                    let options = rtc::RtcOptions {
                        listen: at,
                        advertise: rtc_advertise,
                    };
                    match rtc::bind(options, rtc::RtcLimits::default()) {
                        Ok((signalling, peer)) => {
                            state.set_rtc(signalling);
                            Some(peer)
                        }
                        // Asked for, it must work; by default, the pages
                        // and every other check matter more than it.
                        Err(e) if rtc_listen.is_some() => return Err(e),
                        Err(e) => {
                            log::warn(
                                "rtc",
                                &format!(
                                    "{e:#}; serving without the loss check (give --rtc-listen to choose its UDP address)"
                                ),
                            );
                            None
                        }
                    }
                }
            };
            let loss_check = state.rtc().map_or("no loss check".to_owned(), |peer| {
                format!("loss check on UDP {}", peer.local_address())
            });
            let serving = linktriage_server::serve(
                listen,
                state,
                Options {
                    limits,
                    tls,
                    metrics_listen,
                    rtc,
                    try_targets,
                },
            )?;
            let metrics = serving.metrics_address().map_or(String::new(), |a| {
                format!("; metrics at http://{a}/metrics")
            });
            log::info(
                "start",
                &format!(
                    "Link Triage is serving at {scheme}://{}/ ({}, release {release}; {} connections at most; descriptor limit {descriptors}; {loss_check}{metrics})",
                    serving.address(),
                    assets.describe(),
                    limits.max_connections
                ),
            );
            serving.wait()?;
            log::info("stop", "stopped");
            Ok(())
        }
        Command::Decode { text } => decode(text),
        Command::Health { url } => linktriage_server::health::check(&url),
        Command::CheckConfig { file, try_targets } => {
            let config = load_config(&file)?;
            for warning in config.warnings() {
                eprintln!("{}: warning: {warning}", file.display());
            }
            if try_targets {
                try_each_target(&file, &config)?;
            }
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

/// Asks each target from here: what a page can read on standard output,
/// what it cannot as a warning on standard error.
fn try_each_target(file: &std::path::Path, config: &Config) -> anyhow::Result<()> {
    use linktriage_server::trial::{Found, try_targets};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting an event loop")?;
    for (target, found) in runtime.block_on(try_targets(config)) {
        match found {
            Found::Readable(said) => println!("{target}: {said}"),
            Found::NotTried(why) => println!("{target}: not tried: {why}"),
            Found::Unreadable(why) => eprintln!("{}: warning: {target} {why}", file.display()),
        }
    }
    Ok(())
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
    let paste = linktriage_server::decode::text_of(&paste);
    let decoded = linktriage_server::decode::decode(&paste, as_text);
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
