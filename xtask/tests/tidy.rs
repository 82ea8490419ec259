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

/// Every package `package` depends on, directly or not, for any target
/// (wasm32 included), as cargo resolved them: normal and build
/// dependencies, not dev-dependencies.
fn resolved_dependencies(package: &str) -> Vec<String> {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["tree", "--package", package, "--target", "all"])
        .args([
            "--edges",
            "normal,build",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut names: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .filter(|name| name != package)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Fails naming the first of `files` that contains any of `needles`, with
/// `what` saying what that means ("uses", "touches the wire format with").
fn assert_none_contain<'a>(
    files: impl IntoIterator<Item = &'a PathBuf>,
    needles: &[&str],
    what: &str,
) {
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        for needle in needles {
            assert!(!text.contains(needle), "{} {what} {needle}", file.display());
        }
    }
}

fn assert_no_dependency_on(package: &str, forbidden: &[&str]) {
    let deps = resolved_dependencies(package);
    assert!(
        deps.contains(&"serde".to_owned()),
        "read the graph: {deps:?}"
    );
    for f in forbidden {
        let found: Vec<&String> = deps
            .iter()
            .filter(|d| d == f || d.starts_with(&format!("{f}-")))
            .collect();
        assert!(
            found.is_empty(),
            "{package} depends on {found:?}, directly or not"
        );
    }
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

/// ARCHITECTURE.md: "Every class a page uses is written whole in its
/// source or HTML, never put together at run time": the styles build keeps
/// only the rules of classes it finds written.
#[test]
fn no_class_is_put_together_at_run_time() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    assert!(files.len() > 10, "found the app's sources");
    let mut pieces = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let at = format!("{}:{}", file.display(), number + 1);
            if line.contains("class={format!") {
                pieces.push(format!("{at}: a class made by format!"));
            }
            // A design-system class cut short ("nhsuk-tag--", or followed
            // by a `{}` to fill in) is one made at run time.
            for (start, _) in line.match_indices("nhsuk-") {
                let rest = &line[start..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .unwrap_or(rest.len());
                let (class, next) = rest.split_at(end);
                if class.ends_with(['-', '_']) || next.starts_with('{') {
                    pieces.push(format!("{at}: {class}…"));
                }
            }
        }
    }
    assert!(
        pieces.is_empty(),
        "classes put together at run time: {pieces:#?}"
    );
}

/// ARCHITECTURE.md: the pages' frame is in their HTML (Trunk has no
/// includes): the skip link, the header and the footer's words are the same
/// on every page.
#[test]
fn every_page_has_the_same_frame() {
    let between = |page: &str, from: &str, to: &str| {
        let text = read(page);
        let start = text
            .find(from)
            .unwrap_or_else(|| panic!("{page} has {from}"));
        let end = start
            + text[start..]
                .find(to)
                .unwrap_or_else(|| panic!("{page} has {to}"));
        text[start..end].to_owned()
    };
    for part in [
        (
            "<a class=\"nhsuk-skip-link\"",
            "<div class=\"nhsuk-width-container\">",
        ),
        ("<p class=\"nhsuk-body-s\">", "</footer>"),
        ("<link data-trunk rel=\"inline\"", "/>"),
    ] {
        let clinician = between("index.html", part.0, part.1);
        for page in ["desk.html", "watch.html"] {
            assert_eq!(
                between(page, part.0, part.1),
                clinician,
                "{page} and index.html differ"
            );
        }
    }
}

/// ARCHITECTURE.md: "The core does no I/O and reads no clock."
#[test]
fn the_core_does_no_io_and_knows_no_framework() {
    assert_no_dependency_on(
        "linktriage-core",
        &[
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
            "mio",
            "socket2",
            "getrandom",
        ],
    );
    let mut files = Vec::new();
    rust_files(&root().join("crates/linktriage-core/src"), &mut files);
    assert_none_contain(
        &files,
        &[
            "std::fs",
            "std::net",
            "std::env",
            "std::process",
            "std::thread",
            "std::io",
            "Instant::now",
            "SystemTime",
        ],
        "uses",
    );
}

/// ARCHITECTURE.md: "The app and the server depend on the core, never on
/// each other."
#[test]
fn the_app_and_the_server_depend_on_the_core_and_never_on_each_other() {
    let app = resolved_dependencies("linktriage-app");
    let server = resolved_dependencies("linktriage-server");
    assert!(app.contains(&"linktriage-core".to_owned()), "{app:?}");
    assert!(server.contains(&"linktriage-core".to_owned()), "{server:?}");
    // Not tokio: Yew itself depends on it (for its wasm runtime).
    assert_no_dependency_on("linktriage-app", &["linktriage-server", "axum", "hyper"]);
    assert_no_dependency_on("linktriage-server", &["linktriage-app", "yew", "web-sys"]);
}

/// ARCHITECTURE.md: "Every browser API call that measures, fetches or
/// stores lives in `src/probes/`": outside it, no file of the app names
/// `web_sys::window`, `fetch`, `location` or a storage API. Components may
/// cast their own elements (`NodeRef`), which is rendering, not a probe.
#[test]
fn browser_calls_live_in_probes() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let outside: Vec<_> = files
        .iter()
        .filter(|f| !f.starts_with(root().join("src/probes")))
        .filter(|f| !f.ends_with("panic.rs"))
        .collect();
    assert!(outside.len() > 5, "found the app's files");
    let calls = [
        "web_sys::window",
        ".location()",
        "fetch_with",
        "local_storage",
        "add_event_listener",
    ];
    assert_none_contain(outside, &calls, "outside src/probes/ calls");
}

/// ARCHITECTURE.md: "One module owns the report's wire format and its
/// version tag": nothing outside `core::codec` writes a code's frame.
#[test]
fn only_the_codec_knows_the_wire_format() {
    let mut files = Vec::new();
    for dir in [
        "src",
        "crates/linktriage-core/src",
        "crates/linktriage-server/src",
    ] {
        rust_files(&root().join(dir), &mut files);
    }
    let codec = root().join("crates/linktriage-core/src/codec");
    let outside = files.iter().filter(|f| !f.starts_with(&codec));
    let wire = [
        "postcard::to_allocvec(&v",
        "URL_SAFE_NO_PAD",
        "miniz_oxide::",
        "crc32(",
    ];
    assert_none_contain(outside, &wire, "touches the report's wire format with");
}

/// ARCHITECTURE.md: every invariant names the test that holds it, or says
/// that none can; every test it names exists.
#[test]
fn each_invariant_names_what_holds_it() {
    let architecture = read("ARCHITECTURE.md");
    let invariants = architecture
        .split("\n## Invariants\n")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let mut sources = String::new();
    let mut files = Vec::new();
    rust_files(&root(), &mut files);
    for file in files {
        sources.push_str(&std::fs::read_to_string(file).unwrap());
    }
    for dir in ["e2e", "bench"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            sources.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default());
        }
    }
    let items: Vec<&str> = invariants
        .lines()
        .filter(|l| l.starts_with("- **"))
        .collect();
    assert!(items.len() >= 15, "read the invariants: {}", items.len());
    for item in items {
        let held = item.contains("Held by ") || item.contains("No test can hold");
        assert!(held, "an invariant names no test: {item}");
        // Every `name` quoted after "Held by", to the end of its sentence,
        // is a test (a function or a Node test's title) that exists.
        for held_by in item.split("Held by ").skip(1) {
            let sentence = held_by.split(". ").next().unwrap_or_default();
            for name in sentence.split('`').skip(1).step_by(2) {
                let name = name.trim_end_matches("()");
                assert!(
                    sources.contains(&format!("fn {name}("))
                        || sources.contains(&format!("'{name}'"))
                        || sources.contains(&format!("\"{name}\"")),
                    "ARCHITECTURE.md names a test that does not exist: {name}"
                );
            }
        }
    }
}

/// ARCHITECTURE.md lists the core's modules in layers from the bottom; a
/// module may use only modules of earlier layers, so there is no cycle.
#[test]
fn the_core_modules_use_only_modules_below_them() {
    let architecture = read("ARCHITECTURE.md");
    let section = architecture
        .split("### `crates/linktriage-core/`")
        .nth(1)
        .unwrap()
        .split("\n### ")
        .next()
        .unwrap();
    // Layer of each module: the numbered item that names it first.
    let mut layer_of = std::collections::BTreeMap::new();
    let mut layer = 0;
    for line in section.lines() {
        let trimmed = line.trim_start();
        let numbered = line
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if numbered {
            layer += 1;
        }
        if layer == 0 || !(numbered || trimmed.starts_with("- ")) {
            continue;
        }
        // The module a line is about is its first quoted word, if that is
        // a module's name.
        if let Some(name) = trimmed.split('`').nth(1)
            && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        {
            layer_of.entry(name.to_owned()).or_insert(layer);
        }
    }
    let src = root().join("crates/linktriage-core/src");
    let mut modules: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| p.file_name().unwrap() != "lib.rs")
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    modules.sort();
    for module in &modules {
        let Some(&own) = layer_of.get(module) else {
            panic!("ARCHITECTURE.md does not place the core's module `{module}`: {layer_of:?}");
        };
        let mut files = Vec::new();
        let path = src.join(module);
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(src.join(format!("{module}.rs")));
        }
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            // Tests may reach further; the module's code may not.
            let code = text.split("#[cfg(test)]").next().unwrap();
            for used in code.split("crate::").skip(1) {
                let name: String = used
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                let theirs = layer_of[&name];
                assert!(
                    theirs < own || &name == module,
                    "{} (layer {own}) uses `{name}` (layer {theirs}): a module uses only earlier layers",
                    file.display()
                );
            }
        }
    }
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
