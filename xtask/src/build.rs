//! Building the release app (Trunk) and server, as serve, test and bench use them.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

use anyhow::Context;

use crate::{path_with_npm_bin, root, run};

/// Builds the app into `dist/`, unless `dist/` was built from the sources
/// as they are now: a restart of `cargo xtask serve` with another flag then
/// takes seconds, not the minute and a half of three Trunk builds, the
/// styles and the minifier (BENCHMARKS.md). What the app is built from is
/// named in [`APP_INPUTS`]; a digest of their contents is kept in
/// `target/app-inputs.sha256` once a build has finished, so a build that
/// fails or is stopped halfway is never taken for a finished one.
pub fn app() -> anyhow::Result<()> {
    let stamp = root().join("target").join("app-inputs.sha256");
    let inputs = app_inputs_digest()?;
    let built = ["index.html", "desk/index.html", "watch/index.html"]
        .iter()
        .all(|page| root().join("dist").join(page).is_file());
    if built && std::fs::read_to_string(&stamp).is_ok_and(|kept| kept == inputs) {
        eprintln!("dist/ is built from the sources as they are: not built again");
        return Ok(());
    }
    let _ = std::fs::remove_file(&stamp);
    build_app()?;
    std::fs::create_dir_all(root().join("target"))?;
    std::fs::write(&stamp, inputs)?;
    Ok(())
}

/// Everything `dist/` is made from: the app's and the core's sources and
/// manifests, the pages, the styles, the locked versions of every crate
/// and npm package, the toolchain, and this file, which says how.
const APP_INPUTS: [&str; 14] = [
    "src",
    "styles",
    "crates/linktriage-core/src",
    "crates/linktriage-core/Cargo.toml",
    "Cargo.toml",
    "Cargo.lock",
    "Trunk.toml",
    "index.html",
    "desk.html",
    "watch.html",
    "package-lock.json",
    "rust-toolchain.toml",
    "clippy.toml",
    "xtask/src/build.rs",
];

/// A SHA-256 over the path and bytes of every file of [`APP_INPUTS`], in
/// order.
fn app_inputs_digest() -> anyhow::Result<String> {
    use sha2::Digest;
    let mut files = Vec::new();
    for input in APP_INPUTS {
        collect_files(&root().join(input), &mut files);
    }
    files.sort();
    let mut digest = sha2::Sha256::new();
    for file in files {
        let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        digest.update(
            file.strip_prefix(root())
                .unwrap_or(&file)
                .to_string_lossy()
                .as_bytes(),
        );
        digest.update((bytes.len() as u64).to_le_bytes());
        digest.update(&bytes);
    }
    Ok(digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn collect_files(path: &std::path::Path, files: &mut Vec<PathBuf>) {
    match std::fs::read_dir(path) {
        Ok(entries) => {
            for entry in entries.flatten() {
                collect_files(&entry.path(), files);
            }
        }
        Err(_) if path.is_file() => files.push(path.to_owned()),
        Err(_) => {}
    }
}

/// Builds the app into `dist/` and the desk view into `dist/desk/` (a page
/// and bundle of its own, so the clinician's first load carries no decoder),
/// and writes a gzip and a brotli copy beside each file, which the server
/// sends to browsers that accept them.
fn build_app() -> anyhow::Result<()> {
    styles()?;
    let trunk = |args: &[&str]| {
        run(Command::new("trunk")
            .arg("build")
            .args(args)
            .args(["--release", "--offline=true"])
            .env("PATH", path_with_npm_bin())
            .env("CARGO_ENCODED_RUSTFLAGS", short_source_paths())
            .current_dir(root()))
    };
    // The app first: Trunk empties its dist directory, desk/ included.
    trunk(&[])?;
    minify_glue(&root().join("dist"))?;
    // Served where share links point (`core::codec::DESK_PATH`).
    let desk_path = linktriage_core::codec::DESK_PATH;
    let desk_dist = format!("dist{}", desk_path.trim_end_matches('/'));
    trunk(&["desk.html", "--dist", &desk_dist, "--public-url", desk_path])?;
    minify_glue(&root().join(&desk_dist))?;
    // The watch page and its worker, opened by "Keep watching".
    let watch_path = linktriage_core::watch::WATCH_PATH;
    let watch_dist = format!("dist{}", watch_path.trim_end_matches('/'));
    trunk(&[
        "watch.html",
        "--dist",
        &watch_dist,
        "--public-url",
        watch_path,
    ])?;
    minify_glue(&root().join(&watch_dist))?;
    let after_the_verdict = AFTER_THE_VERDICT.map(bundle_files);
    for file in dist_files()?
        .into_iter()
        .chain(after_the_verdict.into_iter().flatten().flatten())
        .chain(desk_files()?)
        .chain(watch_files()?)
    {
        let raw = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        std::fs::write(with_suffix(&file, "gz"), gzip(&raw)?)?;
        std::fs::write(with_suffix(&file, "br"), brotli(&raw)?)?;
    }
    Ok(())
}

/// The pages' stylesheets, which Trunk links (`target/styles/`): each
/// page's Sass (`styles/`) compiled with the design system's components it
/// names, then stripped of every rule for a class that no page's source
/// (`src/`, the HTML) writes. The design system's Sass draws every variant
/// of each component; the pages use a few, and what they do not use would
/// cost the first load about 15 KB. So every class a page uses is written
/// whole in its source, never put together at run time (a tidy test holds
/// this).
pub fn styles() -> anyhow::Result<()> {
    let compiled = root().join("target").join("styles").join("compiled");
    std::fs::create_dir_all(&compiled)?;
    for page in STYLESHEETS {
        run(Command::new("sass")
            .args(["--no-source-map", "--style=compressed"])
            .args(["--load-path=node_modules", "--load-path=styles"])
            .arg(format!("styles/{page}.scss"))
            .arg(compiled.join(format!("{page}.css")))
            .env("PATH", path_with_npm_bin())
            .current_dir(root()))?;
    }
    run(Command::new("purgecss")
        .arg("--css")
        .args(STYLESHEETS.map(|page| compiled.join(format!("{page}.css"))))
        .args(["--content", "src/**/*.rs", "*.html"])
        // Custom properties and keyframes no rule left uses go as well.
        .args(["--variables", "--keyframes"])
        .arg("--output")
        .arg(root().join("target").join("styles"))
        .env("PATH", path_with_npm_bin())
        .current_dir(root()))
}

/// The stylesheets in `styles/`, one for each page.
const STYLESHEETS: [&str; 3] = ["clinician", "desk", "watch"];

/// Minifies the page's wasm-bindgen glue (the hashed `.js` beside the page's
/// `index.html`) with terser, and gives `index.html` the new file's
/// integrity. Trunk's own minifier cannot read this glue; terser takes 2 KB
/// off each page's first load. The file keeps its name: its hash is of the
/// glue as built, and the same build always minifies to the same bytes.
fn minify_glue(dir: &std::path::Path) -> anyhow::Result<()> {
    use base64::Engine;
    use sha2::Digest;
    let integrity = |bytes: &[u8]| {
        format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(bytes))
        )
    };
    let page = dir.join("index.html");
    let mut html =
        std::fs::read_to_string(&page).with_context(|| format!("reading {}", page.display()))?;
    for entry in std::fs::read_dir(dir)? {
        let file = entry?.path();
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let is_glue = name.ends_with(".js") && html.contains(&format!("/{name}\""));
        if !is_glue {
            continue;
        }
        let built = std::fs::read(&file)?;
        run(Command::new("terser")
            .arg(&file)
            .args(["--module", "--compress", "--mangle", "--output"])
            .arg(&file)
            .env("PATH", path_with_npm_bin())
            .current_dir(root()))?;
        let minified = std::fs::read(&file)?;
        let (before, after) = (integrity(&built), integrity(&minified));
        anyhow::ensure!(
            html.contains(&before),
            "{} names no integrity for {name}",
            page.display()
        );
        html = html.replace(&before, &after);
    }
    std::fs::write(&page, html)?;
    Ok(())
}

/// Panic locations name source files even when panics abort. Shortened,
/// they cost less to download and say nothing about the build machine.
fn short_source_paths() -> String {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default();
    [
        format!(
            "--remap-path-prefix={}=",
            cargo_home.join("registry").join("src").display()
        ),
        format!("--remap-path-prefix={}=", root().display()),
    ]
    .join("\u{1f}")
}

/// Builds the server with the app in `dist/` inside it (its build script
/// reads `LINKTRIAGE_EMBED`), and returns the path of its binary: one file
/// that serves both pages from any folder. Call [`app`] first.
pub fn server() -> anyhow::Result<PathBuf> {
    run(&mut release_build_of_server())?;
    Ok(root().join("target").join("release").join("linktriage"))
}

/// `cargo build --release --package linktriage-server` with the environment
/// every release build of it has (the app to embed, the commit), so that
/// building something else of the package (the load test) does not build
/// the binary again without its app.
pub fn release_build_of_server() -> Command {
    let mut cargo = Command::new("cargo");
    cargo
        .args(["build", "--release", "--package", "linktriage-server"])
        .env("LINKTRIAGE_EMBED", root().join("dist"))
        .current_dir(root());
    // The commit, for the metrics' build_info; a copy without git has none.
    if let Some(commit) = commit() {
        cargo.env("LINKTRIAGE_COMMIT", commit);
    }
    cargo
}

/// The commit checked out, shortened, if this is a git clone.
fn commit() -> Option<String> {
    let output = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(root())
        .output()
        .ok()?;
    let commit = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !commit.trim().is_empty()).then(|| commit.trim().to_owned())
}

/// The environment the end-to-end lab and the benchmarks find the built
/// server and app by.
pub fn lab_env(command: &mut Command) -> &mut Command {
    command
        .env("LINKTRIAGE_BIN", root().join("target/release/linktriage"))
        .env("LINKTRIAGE_DIST", root().join("dist"))
}

/// The files of the clinician's page's first load (not the compressed
/// copies; wasm-bindgen snippets included; not the desk view's or the watch
/// page's, which load apart, nor the report panel's and the report
/// writer's, fetched once a verdict is shown), sorted by path.
pub fn dist_files() -> anyhow::Result<Vec<PathBuf>> {
    let mut files = files_in(&root().join("dist"), &[desk_dist(), watch_dist()])?;
    files.retain(|file| AFTER_THE_VERDICT.iter().all(|b| !is_of_bundle(file, b)));
    Ok(files)
}

/// The bundles the clinician's page fetches once it shows a verdict, built
/// as workers are (`index.html` names them): the report panel, and the
/// report writer (which the watch page uses too).
pub const AFTER_THE_VERDICT: [&str; 2] = ["report_panel", "writer"];

/// The files of one of those bundles: `writer.js`, `writer_bg.wasm`,
/// `writer_loader.js`.
pub fn bundle_files(bundle: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = files_in(&root().join("dist"), &[desk_dist(), watch_dist()])?;
    files.retain(|file| is_of_bundle(file, bundle));
    Ok(files)
}

fn is_of_bundle(file: &std::path::Path, bundle: &str) -> bool {
    file.parent() == Some(&root().join("dist"))
        && file
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_prefix(bundle))
            .is_some_and(|rest| rest.starts_with(['.', '_']))
}

/// The files of the watch page and its worker.
pub fn watch_files() -> anyhow::Result<Vec<PathBuf>> {
    files_in(&watch_dist(), &[])
}

fn watch_dist() -> PathBuf {
    page_dist(linktriage_core::watch::WATCH_PATH)
}

/// The files of the desk view's page, likewise.
pub fn desk_files() -> anyhow::Result<Vec<PathBuf>> {
    files_in(&desk_dist(), &[])
}

fn desk_dist() -> PathBuf {
    page_dist(linktriage_core::codec::DESK_PATH)
}

/// Where the build puts the page served at `path` (`/desk/`).
fn page_dist(path: &str) -> PathBuf {
    root().join("dist").join(path.trim_matches('/'))
}

/// Every file under `dir` but those under the folders `except`.
fn files_in(dir: &std::path::Path, except: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() && !except.contains(&path) {
                pending.push(path);
            } else if path.is_file()
                && !matches!(path.extension().and_then(|e| e.to_str()), Some("gz" | "br"))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn with_suffix(file: &std::path::Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// What a page's first load transfers, gzip -9 (the figure budgets are in).
pub fn gzip_total(files: &[PathBuf]) -> anyhow::Result<usize> {
    let mut total = 0;
    for file in files {
        let raw = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        total += gzip(&raw)?.len();
    }
    Ok(total)
}

pub fn gzip(raw: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(raw)?;
    Ok(encoder.finish()?)
}

pub fn brotli(raw: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &raw[..], &mut out, &params)?;
    Ok(out)
}
