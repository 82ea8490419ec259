//! `cargo xtask golden`: writes the golden files of the formats this build
//! writes, when they are missing: the report code and its text for the code
//! version (`codec::VERSION`), and the JSON for tooling (`codec::JSON_VERSION`).
//! A released version's files are never rewritten: the tests decode them
//! forever. Run it once when a new version of either format is released.

use std::path::Path;

use anyhow::Context;
use linktriage_core::codec::{self, JSON_VERSION, VERSION};
use linktriage_core::report::{Report, RunFacts, SiteDetails, render_text};

use crate::root;

pub fn write_missing() -> anyhow::Result<()> {
    let dir = root().join("crates/linktriage-core/tests/golden");
    let code_path = dir.join(format!("v{VERSION}-default-config-lab.code"));
    let report = shared_lab_report(&dir)?;
    write_once(&code_path, &codec::encode(&report))?;
    write_once(
        &dir.join(format!("v{VERSION}-default-config-lab.txt")),
        &render_text(&report),
    )?;
    // The JSON of the report as the golden code carries it, so that the
    // test, which decodes that code, compares like with like.
    let code = std::fs::read_to_string(&code_path)?;
    let released = codec::decode(&code).context("the golden code does not decode")?;
    write_once(
        &dir.join(format!("json-v{JSON_VERSION}-default-config-lab.json")),
        &codec::to_json(&[&released]),
    )
}

/// A real run of the default list in the test lab (the JSON download of
/// one), judged again as the app would, with site details typed the way
/// people type them (markup, non-Latin letters, an address to remove).
fn shared_lab_report(dir: &Path) -> anyhow::Result<Report> {
    let measured: Report = serde_json::from_str(&std::fs::read_to_string(
        dir.join("default-config-lab.json"),
    )?)?;
    let run = RunFacts {
        config_name: measured.config_name.clone(),
        config_version: measured.config_version.clone(),
        started_at_ms: measured.started_at_ms,
        utc_offset_minutes: measured.utc_offset_minutes,
    };
    let site = SiteDetails {
        place: "The Surgery <b>&amp; Ålesund</b> (Y01234)".into(),
        ticket: "INC-0042 \"urgent\"".into(),
        note: "Contacting Server since 09:05; 10.20.30.40 → slow 🐢".into(),
    };
    Ok(Report::judged(run, measured.results, measured.device).shared(&site, true))
}

fn write_once(path: &Path, content: &str) -> anyhow::Result<()> {
    if path.exists() {
        eprintln!("kept {} (released)", path.display());
        return Ok(());
    }
    std::fs::write(path, content).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
