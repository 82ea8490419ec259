//! Installs the tools the project needs, checking each version and installing
//! only what is missing: a fresh machine gets everything, a used one nothing.
//!
//! Nothing here downloads a browser or a prebuilt binary from outside the
//! package registries: Chromium comes from Debian, wasm-opt from npm, the rest
//! from crates.io.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::{output_of, root, run};

/// Trunk 0.22 needs a newer rustc than the pinned 1.95.
const TRUNK_VERSION: &str = "0.21.14";
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// What a task needs installed; each level includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// What building the app needs.
    Build,
    /// That, and what the tests need (Chromium, ChromeDriver, Playwright,
    /// cargo fuzz and its C++ compiler, nftables and iproute2 for the loss
    /// truth test's network namespace).
    Everything,
    /// That, and what the benchmarks run and compare against (nginx, wrk,
    /// and iproute2's `ip` and `tc` for the shaped link).
    Benchmarks,
}

pub fn setup(need: Need) -> anyhow::Result<()> {
    wasm_target()?;
    cargo_tool("trunk", TRUNK_VERSION, &["--locked"])?;
    // wasm-bindgen-cli must match the library exactly. Its own lockfile pins a
    // crate the registry no longer serves, so it is installed without --locked.
    cargo_tool("wasm-bindgen", &wasm_bindgen_version()?, &[])?;
    npm_packages()?;
    if need >= Need::Everything {
        cargo_tool("cargo-fuzz", CARGO_FUZZ_VERSION, &["--locked"])?;
        debian_packages(&[
            ("chromium", "chromium"),
            ("chromedriver", "chromium-driver"),
            // The second browser of the journeys that matter, driven over
            // WebDriver BiDi by puppeteer-core (no geckodriver).
            ("firefox-esr", "firefox-esr"),
            // The server's tests read its systemd unit with systemd-analyze,
            // and the end-to-end tests make certificates with openssl.
            ("systemd-analyze", "systemd"),
            ("openssl", "openssl"),
            // cargo fuzz builds libFuzzer, which is C++.
            ("c++", "g++"),
            // The loss truth test drops UDP by nftables in a network
            // namespace of its own.
            ("nft", "nftables"),
            ("ip", "iproute2"),
        ])?;
    }
    if need >= Need::Benchmarks {
        debian_packages(&[
            ("nginx", "nginx"),
            ("wrk", "wrk"),
            ("ip", "iproute2"),
            ("tc", "iproute2"),
        ])?;
    }
    Ok(())
}

fn wasm_target() -> anyhow::Result<()> {
    let installed = output_of(
        Command::new("rustup")
            .args(["target", "list", "--installed"])
            .current_dir(root()),
    )
    .unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(Command::new("rustup")
        .args(["target", "add", "wasm32-unknown-unknown"])
        .current_dir(root()))
}

/// Installs `binary` from crates.io unless `binary --version` already names `version`.
fn cargo_tool(binary: &str, version: &str, extra: &[&str]) -> anyhow::Result<()> {
    let crate_name = match binary {
        "wasm-bindgen" => "wasm-bindgen-cli",
        other => other,
    };
    let found = output_of(Command::new(binary).arg("--version")).unwrap_or_default();
    if found.split_whitespace().any(|word| word == version) {
        return Ok(());
    }
    eprintln!(
        "installing {crate_name} {version} (found: {:?}); this takes a few minutes once",
        found.trim()
    );
    run(Command::new("cargo")
        .args(["install", crate_name, "--version", version])
        .args(extra))
}

/// The `wasm-bindgen` version in Cargo.lock, which the CLI must equal.
fn wasm_bindgen_version() -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}

/// `npm ci` from the committed lockfile when any npm tool is missing or stale.
fn npm_packages() -> anyhow::Result<()> {
    let root = root();
    let installed = root.join("node_modules").join(".package-lock.json");
    let fresh = is_newer(&installed, &root.join("package-lock.json"));
    let bins_present = ["wasm-opt", "playwright-core", "terser", "sass", "purgecss"]
        .iter()
        .all(|b| root.join("node_modules").join(".bin").join(b).exists());
    if fresh && bins_present {
        return Ok(());
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&root))
}

fn is_newer(a: &Path, b: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(a), modified(b)), (Some(a), Some(b)) if a >= b)
}

/// Whether `program` is on the PATH, or in the system folders a user's
/// PATH may leave out (nginx and ip live in /usr/sbin).
fn installed(program: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin"].map(Into::into))
        .any(|dir| dir.join(program).is_file())
}

/// Installs the Debian packages whose program is missing.
fn debian_packages(wanted: &[(&str, &str)]) -> anyhow::Result<()> {
    let mut missing: Vec<&str> = wanted
        .iter()
        .filter(|(program, _)| !installed(program))
        .map(|(_, package)| *package)
        .collect();
    missing.dedup();
    if missing.is_empty() {
        return Ok(());
    }
    let as_root = output_of(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    let sudo: &[&str] = if as_root { &[] } else { &["sudo"] };
    let apt = |args: &[&str]| {
        let mut command = Command::new(sudo.first().copied().unwrap_or("apt-get"));
        if !sudo.is_empty() {
            command.arg("apt-get");
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    run(&mut apt(&["update", "-qq"]))?;
    run(apt(&["install", "-y", "-qq"]).args(&missing))
}
