//! The pages' Content-Security-Policy, worked out once at start: scripts
//! only from this server (and the build's own inline loaders, by their
//! hashes), WebAssembly allowed to compile, connections to the web hosts
//! the checks need, and no page may frame these. The desk view shows
//! pasted, untrusted text: if anything of it ever became markup, no script
//! of it would run.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The pages Trunk writes, each with its inline module loader.
const PAGES: [&str; 3] = ["index.html", "desk/index.html", "watch/index.html"];

/// The policy for the pages among `assets`.
pub fn policy(assets: &crate::Assets) -> String {
    let mut scripts = vec!["'self'".to_owned(), "'wasm-unsafe-eval'".to_owned()];
    for page in PAGES {
        if let Some(html) = assets.text(page) {
            for script in inline_scripts(&html) {
                let hash = format!("'sha256-{}'", STANDARD.encode(Sha256::digest(script)));
                if !scripts.contains(&hash) {
                    scripts.push(hash);
                }
            }
        }
    }
    [
        "default-src 'none'".to_owned(),
        format!("script-src {}", scripts.join(" ")),
        "style-src 'self'".to_owned(),
        "img-src 'self' data:".to_owned(),
        // Any web host: a reach check follows a target's redirects wherever
        // they lead (a sign-in host sending the browser on to another), and
        // the policy would refuse every hop it does not list, turning a
        // working host into a failed check. Scripts are what it guards.
        "connect-src 'self' https: http: wss: ws:".to_owned(),
        "worker-src 'self'".to_owned(),
        "form-action 'self'".to_owned(),
        "base-uri 'none'".to_owned(),
        "object-src 'none'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
    ]
    .join("; ")
}

/// The text of each `<script>` without a `src`, as the browser hashes it.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let Some(tag_end) = rest[open..].find('>').map(|i| open + i + 1) else {
            break;
        };
        let Some(close) = rest[tag_end..].find("</script>").map(|i| tag_end + i) else {
            break;
        };
        if !rest[open..tag_end].contains("src=") {
            found.push(&rest[tag_end..close]);
        }
        rest = &rest[close..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_loaded_ones_left() {
        let html = "<script src=\"/a.js\"></script>\n<script type=\"module\">\nimport x from '/b.js';\n</script><p>";
        assert_eq!(inline_scripts(html), ["\nimport x from '/b.js';\n"]);
    }

    #[test]
    fn the_policy_allows_scripts_from_this_server_and_the_loader_only() {
        let dir = std::env::temp_dir().join(format!("linktriage-csp-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("desk")).unwrap_or_default();
        let loader = "\nimport init from '/app.js';\nawait init();\n";
        std::fs::write(
            dir.join("index.html"),
            format!("<html><head><script type=\"module\">{loader}</script></head></html>"),
        )
        .unwrap_or_default();
        let policy = policy(&crate::Assets::Folder(dir.clone()));
        let hash = STANDARD.encode(Sha256::digest(loader));
        assert!(
            policy.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';"
            )),
            "{policy}"
        );
        assert!(
            policy.contains("connect-src 'self' https: http: wss: ws:;"),
            "{policy}"
        );
        assert!(policy.ends_with("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
