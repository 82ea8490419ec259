//! The target list the support desk publishes: parsing, defaults, validation.
//!
//! People write it in TOML; the server hands it to the app as JSON of the same
//! shape ([`Config`] serialises and deserialises both ways). Every error names
//! the field and says what is wrong with it.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::check::CheckKind;
use crate::segment::Segment;

/// The configuration the server embeds and serves when it is given none.
pub const DEFAULT_TOML: &str = include_str!("default-config.toml");

/// A validated target list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Appears in every report, so the desk knows which list was used.
    pub name: String,
    pub version: String,
    /// Origins (scheme://host[:port]) whose pages may call this server's
    /// measurement endpoints: other Link Triage deployments that use this
    /// server as a probe from a different vantage point.
    // Always written: the compact form is positional, so no field may be
    // left out.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    #[serde(rename = "target")]
    pub targets: Vec<Target>,
}

/// One thing to check from the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Unique within the list; what the report calls it.
    pub name: String,
    pub segment: Segment,
    /// `https://…` or `http://…`; a path starting with `/` means the origin
    /// that served the app.
    pub url: String,
    pub kind: TargetKind,
    /// How long one request may take before it counts as a timeout.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u32,
    /// Probe targets: how many round trips to time after the warm-up.
    #[serde(default = "default_samples")]
    pub samples: u32,
    /// Probe targets: a round trip slower than this counts as late.
    #[serde(default = "default_late_ms")]
    pub late_ms: u32,
    /// Probe targets: which of the probe checks to run (all by default).
    #[serde(default = "default_probe_checks")]
    pub checks: Vec<CheckKind>,
}

/// How a target is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// Any HTTPS host, fetched in no-cors mode: reached or not, how fast.
    Reach,
    /// A Link Triage server: precise round trips and the other endpoints.
    Probe,
    /// A service on this computer, such as NHS Credential Management on
    /// localhost. Best effort: browsers may block pages from reaching it.
    Agent,
}

/// The checks a probe target can run, in the order they run.
pub const PROBE_CHECKS: [CheckKind; 6] = [
    CheckKind::RoundTrips,
    CheckKind::WebSocket,
    CheckKind::Clock,
    CheckKind::Interception,
    CheckKind::Download,
    CheckKind::Upload,
];

fn default_timeout_ms() -> u32 {
    4_000
}
fn default_samples() -> u32 {
    20
}
fn default_late_ms() -> u32 {
    300
}
fn default_probe_checks() -> Vec<CheckKind> {
    PROBE_CHECKS.to_vec()
}

/// Bounds that keep a published list from making the checks unbounded.
const TIMEOUT_MS: std::ops::RangeInclusive<u32> = 100..=5_000;
const SAMPLES: std::ops::RangeInclusive<u32> = 5..=200;
const LATE_MS: std::ops::RangeInclusive<u32> = 1..=10_000;
const MAX_TARGETS: usize = 64;

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The text is not TOML (or JSON) of the expected shape.
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// The shape is right but a value is not acceptable.
    Invalid { field: String, problem: String },
    /// The compact (postcard) form the app reads does not read.
    Compact(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Syntax {
                line,
                column,
                message,
            } => write!(f, "line {line}, column {column}: {message}"),
            ConfigError::Invalid { field, problem } => write!(f, "{field}: {problem}"),
            ConfigError::Compact(why) => write!(f, "the compact form does not read: {why}"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Parses and validates a TOML target list.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_and_column(text, span.start))
                .unwrap_or((1, 1));
            ConfigError::Syntax {
                line,
                column,
                message: e.message().trim().to_owned(),
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Parses and validates the JSON the server serves to the app.
    pub fn from_json(text: &str) -> Result<Config, ConfigError> {
        let config: Config = serde_json::from_str(text).map_err(|e| ConfigError::Syntax {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Parses and validates the compact form (postcard) the app reads: the
    /// page then needs no JSON parser, which would cost its first load
    /// kilobytes it does not have (BENCHMARKS.md).
    pub fn from_compact(bytes: &[u8]) -> Result<Config, ConfigError> {
        let config: Config = crate::wire::from_compact(bytes).map_err(ConfigError::Compact)?;
        config.validate()?;
        Ok(config)
    }

    /// The embedded default list.
    pub fn embedded_default() -> Config {
        Config::from_toml(DEFAULT_TOML)
            .unwrap_or_else(|e| unreachable!("the embedded default is tested to parse: {e}"))
    }

    /// Checks what the types alone cannot: presence, uniqueness, bounds, URL form.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field: String, problem: String| Err(ConfigError::Invalid { field, problem });
        if self.name.trim().is_empty() {
            return invalid("name".into(), "must not be empty".into());
        }
        if self.version.trim().is_empty() {
            return invalid("version".into(), "must not be empty".into());
        }
        for (i, origin) in self.allowed_origins.iter().enumerate() {
            if !is_origin(origin) {
                return invalid(
                    format!("allowed_origins[{i}]"),
                    format!(
                        "\"{origin}\" is not an origin like \"https://host.example:8443\" (scheme, host and optional port, no path)"
                    ),
                );
            }
        }
        if self.targets.is_empty() {
            return invalid("target".into(), "at least one [[target]] is needed".into());
        }
        if self.targets.len() > MAX_TARGETS {
            return invalid(
                "target".into(),
                format!(
                    "{} targets; at most {MAX_TARGETS} are allowed",
                    self.targets.len()
                ),
            );
        }
        let mut names = HashSet::new();
        for (i, t) in self.targets.iter().enumerate() {
            let field = |name: &str| format!("target[{i}].{name}");
            if t.name.trim().is_empty() {
                return invalid(field("name"), "must not be empty".into());
            }
            if !names.insert(t.name.as_str()) {
                return invalid(
                    field("name"),
                    format!(
                        "\"{}\" is used by another target; names must be unique",
                        t.name
                    ),
                );
            }
            if let Err(problem) = check_url(&t.url) {
                return invalid(field("url"), problem);
            }
            if t.kind == TargetKind::Agent && !is_on_this_computer(&t.url) {
                return invalid(
                    field("url"),
                    format!(
                        "\"{}\": an agent runs on this computer, so its URL must be http(s)://localhost or 127.0.0.1",
                        t.url
                    ),
                );
            }
            if let Some(check) = t.checks.iter().find(|c| !PROBE_CHECKS.contains(c)) {
                return invalid(
                    field("checks"),
                    format!(
                        "\"{}\" is not a probe check; use round_trips, web_socket, clock, interception, download or upload",
                        check.id()
                    ),
                );
            }
            let bounds = [
                ("timeout_ms", t.timeout_ms, &TIMEOUT_MS),
                ("samples", t.samples, &SAMPLES),
                ("late_ms", t.late_ms, &LATE_MS),
            ];
            for (name, value, range) in bounds {
                if !range.contains(&value) {
                    return invalid(
                        field(name),
                        format!(
                            "{value} is out of range; use {} to {}",
                            range.start(),
                            range.end()
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    /// The targets of one kind, in the order the list gives them.
    pub fn targets_of(&self, kind: TargetKind) -> impl Iterator<Item = &Target> {
        self.targets.iter().filter(move |t| t.kind == kind)
    }
}

fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with('/') && !url.starts_with("//") {
        return Ok(());
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("\"{url}\" must start with https://, http:// or / (this server)"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) || host.contains('@') {
        return Err(format!("\"{url}\" has no usable host name"));
    }
    Ok(())
}

fn is_on_this_computer(url: &str) -> bool {
    [
        "http://localhost",
        "https://localhost",
        "http://127.0.0.1",
        "https://127.0.0.1",
    ]
    .iter()
    .any(|prefix| {
        url.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
    })
}

fn is_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    !rest.is_empty() && !rest.contains(['/', '?', '#', '@']) && !rest.contains(char::is_whitespace)
}

/// One-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_TARGET: &str = r#"
name = "Test list"
version = "1"

[[target]]
name = "Probe"
segment = "lan"
url = "/"
kind = "probe"
"#;

    #[test]
    fn the_embedded_default_parses_and_covers_every_remote_segment() {
        let config = Config::embedded_default();
        for segment in [
            Segment::Hscn,
            Segment::Internet,
            Segment::Supplier,
            Segment::Identity,
        ] {
            assert!(
                config.targets.iter().any(|t| t.segment == segment),
                "no default target for {segment:?}"
            );
        }
        assert!(config.targets_of(TargetKind::Probe).any(|t| t.url == "/"));
    }

    #[test]
    fn defaults_fill_the_optional_fields() {
        let target = &Config::from_toml(ONE_TARGET).unwrap().targets[0];
        assert_eq!(
            (target.timeout_ms, target.samples, target.late_ms),
            (4_000, 20, 300)
        );
    }

    #[test]
    fn json_round_trip_keeps_everything() {
        let config = Config::embedded_default();
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(Config::from_json(&json).unwrap(), config);
    }

    /// Each bad file, and the start of the message it must give.
    #[test]
    fn bad_files_name_the_field_and_the_problem() {
        let cases: &[(&str, &str)] = &[
            (
                "name = \"x\"\n",
                "line 1, column 1: missing field `version`",
            ),
            (
                "name = \"x\"\nversion = \"1\"\ntarget = []\n",
                "target: at least one [[target]]",
            ),
            (
                &ONE_TARGET.replace("lan", "lann"),
                "line 7, column 11: unknown variant `lann`",
            ),
            (
                &ONE_TARGET.replace("kind = \"probe\"", "kind = \"probe\"\nsamplez = 3"),
                "line 10, column 1: unknown field `samplez`",
            ),
            (
                &ONE_TARGET.replace("url = \"/\"", "url = \"ftp://x\""),
                "target[0].url: \"ftp://x\" must start with",
            ),
            (
                &ONE_TARGET.replace("url = \"/\"", "url = \"https:///x\""),
                "target[0].url: \"https:///x\" has no usable host",
            ),
            (
                &ONE_TARGET.replace("url = \"/\"", "url = \"//evil\""),
                "target[0].url: \"//evil\" must start with",
            ),
            (
                &ONE_TARGET.replace("kind = \"probe\"", "kind = \"probe\"\ntimeout_ms = 60000"),
                "target[0].timeout_ms: 60000 is out of range; use 100 to 5000",
            ),
            (
                &ONE_TARGET.replace("kind = \"probe\"", "kind = \"probe\"\nsamples = 1"),
                "target[0].samples: 1 is out of range",
            ),
            (
                &format!(
                    "{ONE_TARGET}{}",
                    &ONE_TARGET[ONE_TARGET.find("[[target]]").unwrap()..]
                ),
                "target[1].name: \"Probe\" is used by another target",
            ),
            (
                &ONE_TARGET.replace("version = \"1\"", "version = \" \""),
                "version: must not be empty",
            ),
            (
                &ONE_TARGET.replace(
                    "version = \"1\"",
                    "version = \"1\"\nallowed_origins = [\"https://a.example/path\"]",
                ),
                "allowed_origins[0]: \"https://a.example/path\" is not an origin",
            ),
            ("name = \"x\"\nversion = ", "line 2, column 11: "),
            (
                &ONE_TARGET.replace("kind = \"probe\"", "kind = \"agent\""),
                "target[0].url: \"/\": an agent runs on this computer",
            ),
            (
                &ONE_TARGET.replace("kind = \"probe\"", "kind = \"probe\"\nchecks = [\"reach\"]"),
                "target[0].checks: \"reach\" is not a probe check",
            ),
            (
                &ONE_TARGET.replace("kind = \"probe\"", "kind = \"probe\"\nchecks = [\"speed\"]"),
                "line 10, column 11: unknown variant `speed`",
            ),
        ];
        for (text, expected) in cases {
            let message = Config::from_toml(text).unwrap_err().to_string();
            assert!(
                message.starts_with(expected),
                "for\n{text}\nexpected {expected:?}\ngot      {message:?}"
            );
        }
    }
}
