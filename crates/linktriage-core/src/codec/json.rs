//! The reports as JSON, for ticket tooling: what `linktriage decode` prints
//! and the desk view downloads. A public format of its own, so it carries its
//! version, and a golden file (`tests/golden/json-v1-default-config-lab.json`)
//! holds its field names: a renamed or removed field, or one whose meaning
//! changes, breaks what tools read, and is a new version. A new field that
//! is absent where it does not apply is not: tools that do not know it read
//! on (`watch`, absent from a report without one, is such a field).

use serde::Serialize;

use crate::report::Report;

/// What the JSON's `format` field says.
pub const JSON_FORMAT: &str = "link-triage-reports";
/// The version of the JSON this build writes.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Envelope<'a> {
    format: &'static str,
    version: u32,
    reports: &'a [&'a Report],
}

/// `reports` as pretty-printed JSON in an envelope naming the format and its
/// version.
pub fn to_json(reports: &[&Report]) -> String {
    let envelope = Envelope {
        format: JSON_FORMAT,
        version: JSON_VERSION,
        reports,
    };
    // Plain data with string keys: serialising cannot fail.
    serde_json::to_string_pretty(&envelope).unwrap_or_default()
}
