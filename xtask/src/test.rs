//! `cargo xtask test`: every check CI runs, in order, then one summary line.

use std::process::Command;

use crate::{build, root, run, tools};

/// A named step of the test run.
type Step = (&'static str, fn() -> anyhow::Result<()>);

pub fn run_all() -> anyhow::Result<()> {
    tools::setup(tools::Need::Everything)?;
    let steps: [Step; 9] = [
        ("format", || cargo(&["fmt", "--all", "--check"])),
        ("clippy (native)", || {
            cargo(&[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])
        }),
        ("clippy (wasm)", || {
            cargo(&[
                "clippy",
                "--target",
                "wasm32-unknown-unknown",
                "--package",
                "linktriage-app",
                "--package",
                "linktriage-core",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])
        }),
        ("native tests (core, server, tidy)", || {
            cargo(&["test", "--workspace"])
        }),
        (
            "browser tests (wasm-bindgen-test in headless Chromium)",
            || {
                run(Command::new("cargo")
                    .args([
                        "test",
                        "--target",
                        "wasm32-unknown-unknown",
                        "--package",
                        "linktriage-app",
                    ])
                    .env("CHROMEDRIVER", "/usr/bin/chromedriver")
                    .current_dir(root()))
            },
        ),
        ("release build (app and server)", || {
            build::app()?;
            build::server().map(drop)
        }),
        ("size budgets of the built pages", size_budgets),
        ("fuzzing the report extractor and decoder (30 s)", || {
            crate::fuzz::run_for(30)
        }),
        // Last, so that the names of any failed tests end the output.
        (
            "end-to-end tests (Playwright, Chromium, real server)",
            end_to_end,
        ),
    ];
    let mut failed = Vec::new();
    for (name, step) in steps {
        eprintln!("\n=== {name}");
        if let Err(e) = step() {
            eprintln!("FAILED: {name}: {e:#}");
            failed.push(name);
        }
    }
    let passed = steps.len() - failed.len();
    eprintln!();
    for name in &failed {
        eprintln!("failed step: {name}");
    }
    // What a CI record keeps is the end of the output: name the failed
    // end-to-end tests there, whatever they printed before.
    if let Ok(failures) = std::fs::read_to_string(e2e_failures()) {
        for line in failures.lines() {
            eprintln!("failed test: {line}");
        }
    }
    println!("steps: {passed} passed, {} failed", failed.len());
    if failed.is_empty() {
        Ok(())
    } else {
        std::process::exit(1)
    }
}

/// The clinician's first load, gzip -9, in bytes: the budget every change
/// to the page must fit (ARCHITECTURE.md, BENCHMARKS.md).
const FIRST_LOAD_BUDGET: usize = 150_000;
/// The desk view's page: its size when it was first measured (128,850 B on
/// 2026-11-24), what reading and drawing watches added (11,700 B, to
/// 144,592 B on 2026-12-01), about 7 % for what the desk gains, and the
/// watch's packet loss (the version 8 reader, its words and band: about
/// 155,000 B on 2026-12-03), and the NHS design system's styles with the
/// cards and table drawn in its markup (163,134 B on 2026-12-03: 5.9 KB of
/// styles, 2.5 KB of markup). It is not on a clinician's first load, so its
/// limit is a tripwire for a dependency that grows it by surprise (as float
/// formatting would, 9 KB: figures go through `wording::fixed`), not a budget.
const DESK_BUDGET: usize = 170_000;

/// Sizes, not timings: the same build gives the same bytes on any machine.
fn size_budgets() -> anyhow::Result<()> {
    let first = build::gzip_total(&build::dist_files()?)?;
    let desk = build::gzip_total(&build::desk_files()?)?;
    eprintln!(
        "first load {first} B gzip (budget {FIRST_LOAD_BUDGET}); desk view {desk} B gzip (limit {DESK_BUDGET})"
    );
    if first > FIRST_LOAD_BUDGET {
        anyhow::bail!("the first load is {first} B gzip, over its budget of {FIRST_LOAD_BUDGET} B");
    }
    if desk > DESK_BUDGET {
        anyhow::bail!("the desk view is {desk} B gzip, over its limit of {DESK_BUDGET} B");
    }
    Ok(())
}

fn cargo(args: &[&str]) -> anyhow::Result<()> {
    run(Command::new("cargo").args(args).current_dir(root()))
}

/// Where the end-to-end run writes one line per failed test
/// (`e2e/failures-reporter.mjs`).
fn e2e_failures() -> std::path::PathBuf {
    root().join("target/e2e-failures.txt")
}

fn end_to_end() -> anyhow::Result<()> {
    let failures = e2e_failures();
    // A list left by an earlier run must not be read as this one's.
    let _ = std::fs::remove_file(&failures);
    let mut files: Vec<_> = std::fs::read_dir(root().join("e2e"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    run(build::lab_env(
        Command::new("node")
            .arg("--test")
            .arg("--test-concurrency=1")
            .args(["--test-reporter=spec", "--test-reporter-destination=stdout"])
            .arg("--test-reporter=./e2e/failures-reporter.mjs")
            .arg(format!(
                "--test-reporter-destination={}",
                failures.display()
            ))
            .args(files)
            .current_dir(root()),
    ))
}
