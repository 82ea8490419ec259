//! `cargo xtask bench`: the figures BENCHMARKS.md records.

use std::process::Command;

use crate::{build, root, run, tools};

pub fn run_all() -> anyhow::Result<()> {
    tools::setup(tools::Need::Everything)?;
    build::app()?;
    build::server()?;
    bundle_sizes()?;
    println!("\ntime from navigation to the first result (headless Chromium, loopback):");
    run(Command::new("node")
        .arg("bench/first-result.mjs")
        .env("LINKTRIAGE_BIN", root().join("target/release/linktriage"))
        .env("LINKTRIAGE_DIST", root().join("dist"))
        .current_dir(root()))
}

/// What the first page load transfers: every file Trunk wrote, raw and compressed.
fn bundle_sizes() -> anyhow::Result<()> {
    println!("\nfirst page load (bytes): raw, gzip -9, brotli 11");
    let mut totals = [0usize; 3];
    for file in build::dist_files()? {
        let raw = std::fs::read(&file)?;
        let sizes = [
            raw.len(),
            build::gzip(&raw)?.len(),
            build::brotli(&raw)?.len(),
        ];
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        println!("{name:<48} {:>8} {:>8} {:>8}", sizes[0], sizes[1], sizes[2]);
        for (total, size) in totals.iter_mut().zip(sizes) {
            *total += size;
        }
    }
    println!(
        "{:<48} {:>8} {:>8} {:>8}",
        "total", totals[0], totals[1], totals[2]
    );
    Ok(())
}
