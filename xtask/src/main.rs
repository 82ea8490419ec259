//! `cargo xtask`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! - `serve [-- ARGS]`: install what is missing, build the app, run `linktriage serve ARGS`.
//! - `test`: install what is missing, then every check CI runs; ends with one summary line.
//! - `bench [PARTS]`: the figures in BENCHMARKS.md (size, first result, desk
//!   view reading a paste, latency and throughput truth, server requests per
//!   second).
//! - `fuzz [SECONDS]`: the fuzz target on the report extractor and decoder.
//! - `screenshots`: the README's screenshots of each main view, made again
//!   into `docs/screenshots/` from the built app (`e2e/screenshots.mjs`).
//! - `golden`: write the golden files of a newly released format version.
//! - `setup`: only install what is missing.

mod bench;
mod build;
mod fuzz;
mod golden;
mod test;
mod tools;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, rest) = args
        .split_first()
        .map_or(("help", &[][..]), |(t, r)| (t.as_str(), r));
    let rest: Vec<&str> = rest
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--")
        .collect();
    match task {
        "setup" => tools::setup(tools::Need::Everything),
        "golden" => golden::write_missing(),
        "serve" => serve(&rest),
        "dist" => dist(),
        "screenshots" => screenshots(),
        "test" => test::run_all(),
        "bench" => bench::run_all(&rest),
        "fuzz" => {
            tools::setup(tools::Need::Everything)?;
            let seconds = rest.first().map_or(Ok(300), |s| s.parse())?;
            fuzz::run_for(seconds)
        }
        _ => {
            eprintln!(
                "usage: cargo xtask (serve [-- linktriage serve ARGS] | dist | test | bench [PART] | fuzz [SECONDS] | screenshots | golden | setup)"
            );
            if task == "help" {
                Ok(())
            } else {
                bail!("unknown task {task:?}")
            }
        }
    }
}

fn serve(args: &[&str]) -> anyhow::Result<()> {
    tools::setup(tools::Need::Build)?;
    build::app()?;
    let server = build::server()?;
    let mut command = Command::new(server);
    command
        .arg("serve")
        .arg("--assets")
        .arg(root().join("dist"))
        .args(args);
    run(&mut command)
}

/// Builds the one file to deploy: `target/release/linktriage` with both
/// pages inside it.
/// The README's screenshots, made by the same script a test runs, so they
/// show the app as it is built now.
fn screenshots() -> anyhow::Result<()> {
    tools::setup(tools::Need::Everything)?;
    build::app()?;
    build::server()?;
    run(build::lab_env(
        Command::new("node")
            .args(["e2e/screenshots.mjs", "docs/screenshots"])
            .current_dir(root()),
    ))
}

fn dist() -> anyhow::Result<()> {
    tools::setup(tools::Need::Build)?;
    build::app()?;
    let server = build::server()?;
    let bytes = std::fs::metadata(&server)?.len();
    println!(
        "{}: {:.1} MB, the app inside; copy it anywhere and run `linktriage serve`",
        server.display(),
        bytes as f64 / 1e6
    );
    Ok(())
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs a command to completion, echoing it; an error says which command failed.
pub fn run(command: &mut Command) -> anyhow::Result<()> {
    eprintln!("$ {}", describe(command));
    let status = command
        .status()
        .with_context(|| format!("cannot start {}", describe(command)))?;
    if !status.success() {
        bail!("{} failed ({status})", describe(command));
    }
    Ok(())
}

/// Runs a command and returns its standard output, or `None` if it cannot run.
pub fn output_of(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A PATH with the npm tools (wasm-opt) first.
pub fn path_with_npm_bin() -> std::ffi::OsString {
    let npm_bin = root().join("node_modules").join(".bin");
    let mut paths = vec![npm_bin];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap_or_default()
}
