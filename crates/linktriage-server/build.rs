//! Puts the built app inside the binary when `LINKTRIAGE_EMBED` names its
//! folder (`cargo xtask dist` and the other release builds set it to
//! `dist/`): every file with its brotli and gzip copies, its content type
//! and an ETag from its bytes, as `$OUT_DIR/embedded.rs`. Without it the
//! binary holds no app and serves one from `--assets`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn main() {
    println!("cargo::rerun-if-env-changed=LINKTRIAGE_EMBED");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut code = String::from("&[\n");
    if let Some(folder) = std::env::var_os("LINKTRIAGE_EMBED") {
        let folder = PathBuf::from(folder);
        println!("cargo::rerun-if-changed={}", folder.display());
        let mut files = Vec::new();
        walk(&folder, &mut files);
        files.sort();
        assert!(
            files.iter().any(|f| f.ends_with("index.html")),
            "LINKTRIAGE_EMBED={}: no index.html; build the app first (cargo xtask dist)",
            folder.display()
        );
        for file in files {
            let name = file.to_string_lossy();
            if name.ends_with(".br") || name.ends_with(".gz") {
                continue;
            }
            let path = file
                .strip_prefix(&folder)
                .expect("walked from the folder")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let bytes = std::fs::read(&file).expect("reading a built file");
            let digest = Sha256::digest(&bytes);
            let etag: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
            let copy = |suffix: &str| {
                let copy = PathBuf::from(format!("{name}.{suffix}"));
                if copy.is_file() {
                    format!("Some(include_bytes!({:?}))", copy.display().to_string())
                } else {
                    "None".to_owned()
                }
            };
            writeln!(
                code,
                "    crate::assets::Embedded {{ path: {path:?}, etag: \"\\\"{etag}\\\"\", identity: include_bytes!({:?}), brotli: {}, gzip: {} }},",
                file.display().to_string(),
                copy("br"),
                copy("gz"),
            )
            .expect("writing to a String");
        }
    }
    code.push_str("]\n");
    std::fs::write(out.join("embedded.rs"), code).expect("writing embedded.rs");
}

fn walk(folder: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("LINKTRIAGE_EMBED: cannot read {}: {e}", folder.display()));
    for entry in entries {
        let path = entry.expect("reading a folder entry").path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}
