//! The service worker, `/sw.js`, written at start for the release being
//! served: the list of its files with their SHA-256 and a build id from
//! that list, so that a browser keeps exactly one release and checks every
//! byte it keeps. Also which files may be cached for ever: Trunk's hashed
//! names change with their content.

use sha2::{Digest, Sha256};

use crate::Assets;

/// The worker's script, with the release's list put in.
#[derive(Debug, Clone)]
pub struct ServiceWorker {
    /// A hash of the release's files: what the cache and the report name it by.
    pub build: String,
    pub script: String,
    /// The script gzipped once at start (every browser takes gzip).
    pub gzipped: Vec<u8>,
}

const TEMPLATE: &str = include_str!("sw.js");

impl ServiceWorker {
    /// For the files of `assets` as they are served, with `desk_phone`
    /// in the pages (`pages::as_served`), so that the worker keeps the
    /// bytes the server sends.
    pub fn for_release(assets: &Assets, desk_phone: Option<&str>) -> ServiceWorker {
        let mut files: Vec<(String, String)> = assets
            .files()
            .into_iter()
            .map(|(path, bytes)| {
                let served = crate::pages::as_served(&path, bytes, desk_phone);
                (url_of(&path), hex(&Sha256::digest(&served)))
            })
            .collect();
        files.sort();
        let mut all = Sha256::new();
        for (url, hash) in &files {
            all.update(format!("{url} {hash}\n"));
        }
        let build = hex(&all.finalize()[..8]);
        let list = serde_json::to_string(&files)
            .unwrap_or_else(|e| unreachable!("strings always serialise: {e}"));
        let script = TEMPLATE
            .replacen("'__BUILD__'", &format!("'{build}'"), 1)
            .replacen("__FILES__", &list, 1)
            .replacen(
                "__LIST_AS_ASKED__",
                &format!("/api/config?{}", linktriage_core::wire::COMPACT_QUERY),
                1,
            )
            .replacen(
                "__RELEASE_HEADER__",
                linktriage_core::wire::RELEASE_HEADER,
                1,
            );
        let gzipped = gzip(script.as_bytes());
        ServiceWorker {
            build,
            script,
            gzipped,
        }
    }
}

/// A page's address is its folder's: `desk/index.html` is `/desk/`.
fn url_of(path: &str) -> String {
    match path.strip_suffix("index.html") {
        Some(folder) => format!("/{folder}"),
        None => format!("/{path}"),
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a file's name carries the hash of its content, as Trunk names
/// scripts, WebAssembly and styles (`app-8bf4a5fe0aac698e_bg.wasm`): such a
/// file never changes, and may be kept for a year. Trunk writes its 64-bit
/// hash without leading zeros, so one name in sixteen has 15 digits (and
/// one in 65,536 fewer than 12, which is then asked about each time: only
/// slower, never stale).
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    name.match_indices('-').any(|(at, _)| {
        let rest = &name[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        (12..=16).contains(&digits) && matches!(rest.as_bytes().get(digits), Some(b'.' | b'_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_told_from_the_rest() {
        let cases = [
            ("/linktriage-app-8bf4a5fe0aac698e.js", true),
            ("/linktriage-app-8bf4a5fe0aac698e_bg.wasm", true),
            ("/desk/style-574e841a09e9250b.css", true),
            ("/", false),
            ("/index.html", false),
            ("/watch/watcher_loader.js", false),
            ("/sw.js", false),
            // Trunk's hash without its leading zeros.
            ("/linktriage-app-3f202144e1f9f95.js", true),
            ("/style-74e841a09e92.css", true),
            ("/style-574e841a09e9250g.css", false),
            ("/style-574e841a09e92501a.css", false),
            ("/report-face.js", false),
            ("/style-74e841a09e9.css", false),
        ];
        for (path, hashed) in cases {
            assert_eq!(is_hashed(path), hashed, "{path}");
        }
    }

    #[test]
    fn the_worker_lists_each_file_by_its_address_and_hash_and_the_build_follows_them() {
        let dir = std::env::temp_dir().join(format!("linktriage-sw-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("desk"));
        let _ = std::fs::write(dir.join("index.html"), "page");
        let _ = std::fs::write(dir.join("index.html.br"), "compressed copy");
        let _ = std::fs::write(dir.join("desk/index.html"), "desk");
        let first = ServiceWorker::for_release(&Assets::Folder(dir.clone()), None);
        let page = hex(&Sha256::digest(b"page"));
        assert!(
            first.script.contains(&format!("[\"/\",\"{page}\"]")),
            "{}",
            first.script
        );
        assert!(first.script.contains("[\"/desk/\","));
        assert!(
            !first.script.contains(".br"),
            "compressed copies are not files of their own"
        );
        assert!(
            first
                .script
                .contains(&format!("const BUILD = '{}';", first.build))
        );
        assert_eq!(first.build.len(), 16);
        assert!(
            !first.script.contains("__"),
            "every placeholder is filled: {}",
            first.script
        );
        let _ = std::fs::write(dir.join("desk/index.html"), "desk, next release");
        let next = ServiceWorker::for_release(&Assets::Folder(dir), None);
        assert_ne!(next.build, first.build);
    }

    /// The worker checks every byte it keeps, so it must list the pages as
    /// they are served: with the desk's number in them.
    #[test]
    fn the_worker_lists_the_pages_as_served_with_the_desks_number() {
        let dir = std::env::temp_dir().join(format!("linktriage-sw-phone-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let built = r#"<p>call your IT service desk<span class="app-desk-phone"></span>.</p>"#;
        let _ = std::fs::write(dir.join("index.html"), built);
        let phone = "0300 123 4567";
        let served = crate::pages::with_desk_phone(built.as_bytes(), phone).unwrap();
        let with_phone = ServiceWorker::for_release(&Assets::Folder(dir.clone()), Some(phone));
        let listed = |hash: &[u8]| format!("[\"/\",\"{}\"]", hex(&Sha256::digest(hash)));
        assert!(
            with_phone.script.contains(&listed(&served)),
            "{}",
            with_phone.script
        );
        let without = ServiceWorker::for_release(&Assets::Folder(dir), None);
        assert!(without.script.contains(&listed(built.as_bytes())));
        assert_ne!(
            with_phone.build, without.build,
            "a new number is a new release of the pages"
        );
    }
}
