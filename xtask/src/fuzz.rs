//! `cargo xtask fuzz [SECONDS]`: the fuzz target on the report extractor and
//! decoder (`fuzz/`), run by cargo fuzz for a bounded time. `cargo xtask
//! test` runs it for 30 seconds.
//!
//! cargo fuzz passes rustc flags that only nightly accepts by default; the
//! pinned stable toolchain takes them with `RUSTC_BOOTSTRAP=1`, so no nightly
//! toolchain is downloaded. No sanitizer: the project forbids unsafe code,
//! and sanitizers need nightly's runtime builds. libFuzzer's own checks stay:
//! a panic, an input slower than `-timeout` seconds, or memory beyond
//! `-rss_limit_mb` fails the run, and the input is kept in `fuzz/artifacts/`.

use std::process::Command;

use crate::{root, run};

pub fn run_for(seconds: u32) -> anyhow::Result<()> {
    // New inputs the fuzzer finds go to target/, not to the committed seeds.
    let corpus = root().join("target").join("fuzz-corpus").join("paste");
    std::fs::create_dir_all(&corpus)?;
    run(Command::new("cargo")
        .args([
            "fuzz",
            "run",
            "--fuzz-dir",
            "fuzz",
            "--sanitizer",
            "none",
            "paste",
        ])
        .arg(&corpus)
        .arg(root().join("fuzz").join("seeds").join("paste"))
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .args([
            "-timeout=2",
            "-rss_limit_mb=512",
            "-max_len=65536",
            "-print_final_stats=1",
        ])
        .env("RUSTC_BOOTSTRAP", "1")
        .current_dir(root()))
}
