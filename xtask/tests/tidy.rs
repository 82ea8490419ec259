//! Tidy checks over the whole repository: the architecture's invariants and the
//! house rules, run as ordinary tests so that `cargo test` enforces them.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first surprise"
)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative)).unwrap()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy();
        if path.is_dir() {
            if !matches!(&*name, "target" | "node_modules" | "dist" | ".git") {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The `[dependencies]` table of a manifest, as the names it lists.
fn dependencies(manifest: &str) -> Vec<String> {
    read(manifest)
        .split("\n[")
        .find(|section| section.starts_with("dependencies]"))
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once('=').map(|(name, _)| name.trim().to_owned()))
        .filter(|name| !name.is_empty() && !name.starts_with('#'))
        .collect()
}

#[test]
fn every_rust_file_opens_with_a_doc_comment_saying_what_it_is_for() {
    let mut files = Vec::new();
    rust_files(&root(), &mut files);
    assert!(files.len() > 10, "found the sources");
    let undocumented: Vec<_> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//!"))
        .collect();
    assert!(
        undocumented.is_empty(),
        "files without a leading //! line: {undocumented:?}"
    );
}

#[test]
fn the_core_does_no_io_and_knows_no_framework() {
    let deps = dependencies("crates/linktriage-core/Cargo.toml");
    assert!(
        deps.contains(&"serde".to_owned()),
        "parsed the manifest: {deps:?}"
    );
    for forbidden in [
        "yew",
        "web-sys",
        "js-sys",
        "wasm-bindgen",
        "gloo",
        "axum",
        "tokio",
        "tower",
        "hyper",
        "reqwest",
    ] {
        assert!(
            !deps.iter().any(|d| d.starts_with(forbidden)),
            "the core depends on {forbidden}"
        );
    }
    let mut files = Vec::new();
    rust_files(&root().join("crates/linktriage-core/src"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for forbidden in [
            "std::fs",
            "std::net",
            "std::env",
            "std::process",
            "Instant::now",
            "SystemTime",
        ] {
            assert!(
                !text.contains(forbidden),
                "{} uses {forbidden}",
                file.display()
            );
        }
    }
}

#[test]
fn the_app_and_the_server_depend_on_the_core_and_never_on_each_other() {
    let app = dependencies("Cargo.toml");
    let server = dependencies("crates/linktriage-server/Cargo.toml");
    assert!(app.contains(&"linktriage-core".to_owned()), "{app:?}");
    assert!(server.contains(&"linktriage-core".to_owned()), "{server:?}");
    assert!(!app.contains(&"linktriage-server".to_owned()));
    assert!(!server.contains(&"linktriage-app".to_owned()));
}

#[test]
fn ci_runs_exactly_the_readme_test_command() {
    let readme = read("README.md");
    assert!(
        readme.contains("cargo xtask serve"),
        "README names the serve command"
    );
    assert!(
        readme.contains("cargo xtask test"),
        "README names the test command"
    );
    let ci: Vec<_> = read(".ci/run")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter(|l| !l.starts_with("set ") && !l.starts_with("cd "))
        .map(str::to_owned)
        .collect();
    assert_eq!(ci, ["cargo xtask test"]);
}
