//! The target list the support desk publishes: parsing, defaults, validation.
//!
//! People write it in TOML; the server hands it to the app as JSON of the same
//! shape ([`Config`] serialises and deserialises both ways). Every error names
//! the field and says what is wrong with it.

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
    /// The support desk's telephone number as people dial it
    /// (`"0300 123 4567"`): a page that cannot start in a browser tells the
    /// clinician to call it.
    #[serde(default)]
    pub desk_phone: Option<String>,
    #[serde(rename = "target")]
    pub targets: Vec<Target>,
}

/// One thing to check from the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Unique within the list; what the report calls it.
    pub name: String,
    pub segment: Placement,
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
    /// Why a browser cannot read this host's answers, where that is known:
    /// a host that refuses cross-origin reads answers a page as a host that
    /// is down would, so its every check is "could not test", with this
    /// reason, rather than an outage. Learned by `serve --try-targets`
    /// (`Target::refused_read` of the host's own headers), or written in the
    /// list by a desk that knows.
    #[serde(default)]
    pub refuses_reads: Option<String>,
}

/// Why every check of a plain-HTTP target is "could not test" on a page
/// served over HTTPS.
pub const MIXED_CONTENT: &str =
    "the page is secure and the target is not, so the browser blocks the request (mixed content)";

impl Target {
    /// Whether a page served over HTTPS is kept from this target: the
    /// browser blocks a plain-HTTP request from such a page (mixed content)
    /// before anything leaves it, and the failure it gives looks like a
    /// network's. Loopback (`localhost`, `127.0.0.0/8`, `[::1]`) is not
    /// blocked: browsers take it as trustworthy.
    pub fn is_mixed_content(&self, page_over_https: bool) -> bool {
        page_over_https && self.url.starts_with("http://") && !is_loopback(&self.url)
    }
}

impl Target {
    /// Why a page (served over HTTPS when `page_over_https`) cannot check
    /// this target at all, if it cannot: the browser blocks it as mixed
    /// content, or the host refuses the page its answers. Its checks are
    /// then "could not test", and a watch leaves it out.
    pub fn untestable_here(&self, page_over_https: bool) -> Option<&str> {
        if self.is_mixed_content(page_over_https) {
            return Some(MIXED_CONTENT);
        }
        self.refuses_reads.as_deref()
    }

    /// Why a browser would refuse the page this target's answer, from the
    /// headers (name, value) an answer to a request with an `Origin`
    /// carried when it was asked from elsewhere (`linktriage check-config
    /// --try`); `None` when a page could read it. A reach check asks with
    /// CORS first, which the host's `Access-Control-Allow-Origin` allows,
    /// then without, which `Cross-Origin-Resource-Policy: same-origin` or
    /// `same-site` refuses (Helmet's default): the answer arrives, but the
    /// browser fails the request as it fails a dead host's, and the page
    /// cannot tell the two apart.
    pub fn refused_read(&self, headers: &[(String, String)]) -> Option<String> {
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_ascii_lowercase())
        };
        if self.kind != TargetKind::Reach || header("access-control-allow-origin").is_some() {
            return None;
        }
        let policy = header("cross-origin-resource-policy")?;
        (policy == "same-origin" || policy == "same-site").then(|| {
            format!(
                "answers with Cross-Origin-Resource-Policy: {policy} and no Access-Control-Allow-Origin, so a browser refuses the page its answer and the check cannot tell it from a host that is down; ask its owner to send Cross-Origin-Resource-Policy: cross-origin (or to allow the page's origin), or check another host on the same part of the path"
            )
        })
    }
}

/// Where a target sits on the path: a segment the list names, or `auto`
/// for the server that served the page, whose place depends on where a desk
/// deploys it (on this computer, in the practice, on the internet) and is
/// read from the address the page came from ([`Placement::segment`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "PlacementId", into = "PlacementId")]
pub enum Placement {
    At(Segment),
    /// By the page's own host; only for a target on the page's origin
    /// (a `url` that is a path, such as `/`).
    Auto,
}

impl Placement {
    /// The segment a target stands for when the page was served from
    /// `page_host` (`location.hostname`). `auto` reads the host: loopback
    /// is this computer; a private or link-local address, or a name only a
    /// local network resolves (one label, `.local`, `.lan`, `.internal`,
    /// `.home.arpa`), is the practice network; anything else is taken to be
    /// the internet, which the report shows beside the target (`[internet]`).
    pub fn segment(self, page_host: &str) -> Segment {
        match self {
            Placement::At(segment) => segment,
            Placement::Auto => segment_of_host(page_host),
        }
    }
}

/// How a placement is written: a segment's id, or `auto`. Derived, so the
/// compact form the page reads is one small number and a wrong name is
/// refused with the list of right ones; the `match`es below tie it to
/// [`Segment`], so a new segment does not compile until it is written here.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum PlacementId {
    Device,
    Lan,
    Hscn,
    Internet,
    Supplier,
    Identity,
    Auto,
}

impl From<PlacementId> for Placement {
    fn from(id: PlacementId) -> Placement {
        Placement::At(match id {
            PlacementId::Device => Segment::Device,
            PlacementId::Lan => Segment::Lan,
            PlacementId::Hscn => Segment::Hscn,
            PlacementId::Internet => Segment::Internet,
            PlacementId::Supplier => Segment::Supplier,
            PlacementId::Identity => Segment::Identity,
            PlacementId::Auto => return Placement::Auto,
        })
    }
}

impl From<Placement> for PlacementId {
    fn from(placement: Placement) -> PlacementId {
        match placement {
            Placement::At(Segment::Device) => PlacementId::Device,
            Placement::At(Segment::Lan) => PlacementId::Lan,
            Placement::At(Segment::Hscn) => PlacementId::Hscn,
            Placement::At(Segment::Internet) => PlacementId::Internet,
            Placement::At(Segment::Supplier) => PlacementId::Supplier,
            Placement::At(Segment::Identity) => PlacementId::Identity,
            Placement::Auto => PlacementId::Auto,
        }
    }
}

/// Byte by byte, with no allocation and no number parser: this runs in the
/// clinician's page, where the standard library's (`parse`, `to_lowercase`,
/// `split` on several characters) cost it a kilobyte of its size budget.
fn segment_of_host(host: &str) -> Segment {
    let host = host.strip_suffix('.').unwrap_or(host).as_bytes();
    let ends_with = |suffix: &str| {
        host.len() >= suffix.len()
            && host[host.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    if host.eq_ignore_ascii_case(b"localhost") || ends_with(".localhost") || host == b"[::1]" {
        return Segment::Device;
    }
    if let Some(v6) = host.strip_prefix(b"[") {
        // Unique local (fc00::/7) and link-local (fe80::/10) addresses.
        let private = match v6 {
            [a, b, ..] if a.eq_ignore_ascii_case(&b'f') && matches!(b | 0x20, b'c' | b'd') => true,
            [a, b, c, ..] => {
                a.eq_ignore_ascii_case(&b'f')
                    && b.eq_ignore_ascii_case(&b'e')
                    && matches!(c | 0x20, b'8' | b'9' | b'a' | b'b')
            }
            _ => false,
        };
        return if private {
            Segment::Lan
        } else {
            Segment::Internet
        };
    }
    if let Some(octets) = ipv4(host) {
        return match octets {
            [127, ..] => Segment::Device,
            [10, ..] | [192, 168, ..] | [169, 254, ..] => Segment::Lan,
            [172, second, ..] if (16..32).contains(&second) => Segment::Lan,
            _ => Segment::Internet,
        };
    }
    let local_name = !host.contains(&b'.')
        || [".local", ".lan", ".internal", ".home.arpa", ".localdomain"]
            .into_iter()
            .any(ends_with);
    if local_name {
        Segment::Lan
    } else {
        Segment::Internet
    }
}

/// Four decimal numbers up to 255 between dots.
fn ipv4(host: &[u8]) -> Option<[u8; 4]> {
    let mut octets = [0u8; 4];
    let mut parts = 0;
    for part in host.split(|&b| b == b'.') {
        if parts == 4 || part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let value = part.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
        octets[parts] = u8::try_from(value).ok()?;
        parts += 1;
    }
    (parts == 4).then_some(octets)
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
pub const PROBE_CHECKS: [CheckKind; 8] = [
    CheckKind::RoundTrips,
    CheckKind::WebSocket,
    CheckKind::Clock,
    CheckKind::Interception,
    CheckKind::Loss,
    CheckKind::Connections,
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
    /// The text is not TOML (or JSON) of the expected shape. `field` names
    /// where (`target[1].segment`), when the text got that far.
    Syntax {
        field: Option<String>,
        line: usize,
        column: usize,
        message: String,
    },
    /// The shape is right but a value is not acceptable.
    Invalid { field: String, problem: String },
    /// The compact (postcard) form the app reads does not read.
    Compact(String),
}

/// What to write instead, for the mistakes people make in a hand-written
/// list, whose parser's words ("invalid type: map, expected a sequence")
/// say what it found, not what the author should do.
fn what_to_write(message: &str, field: Option<&str>) -> Option<String> {
    let field = field.unwrap_or_default();
    // The last part of the path: `timeout_ms` of `target[0].timeout_ms`.
    let key = field.rsplit('.').next().unwrap_or(field);
    let key = key.split('[').next().unwrap_or(key);
    if message.starts_with("invalid type: map, expected a sequence") {
        return Some(format!(
            "each {key} is a table of its own: write [[{key}]], with two brackets on each side, above each one"
        ));
    }
    let number = [
        "expected u8",
        "expected u16",
        "expected u32",
        "expected u64",
        "expected f64",
    ];
    if message.starts_with("invalid type: string") && number.iter().any(|n| message.ends_with(n)) {
        let example = match key {
            "timeout_ms" => "timeout_ms = 5000".to_owned(),
            "samples" => "samples = 10".to_owned(),
            key => format!("{key} = 300"),
        };
        return Some(format!(
            "write a whole number without quotes or units (the field's name gives its unit), such as {example}"
        ));
    }
    if message.starts_with("invalid type:")
        && message.ends_with("expected a string")
        && !key.is_empty()
    {
        return Some(format!(
            "put the value in double quotes, such as {key} = \"1\""
        ));
    }
    None
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Syntax {
                field: Some(field),
                line,
                column,
                message,
            } => write!(f, "{field} (line {line}, column {column}): {message}"),
            ConfigError::Syntax {
                field: None,
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
        let syntax = |e: toml::de::Error, field: Option<String>| {
            let (line, column) = e
                .span()
                .map(|span| line_and_column(text, span.start))
                .unwrap_or((1, 1));
            let message = e.message().trim();
            let message = match what_to_write(message, field.as_deref()) {
                Some(advice) => format!("{message}; {advice}"),
                None => message.to_owned(),
            };
            ConfigError::Syntax {
                field,
                line,
                column,
                message,
            }
        };
        let document = toml::Deserializer::parse(text).map_err(|e| syntax(e, None))?;
        // The path to the value that did not read, as the other errors name it.
        let config: Config = serde_path_to_error::deserialize(document).map_err(|e| {
            let path = e.path().to_string();
            let field = (path != "." && !path.is_empty()).then_some(path);
            syntax(e.into_inner(), field)
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Parses and validates the JSON the server serves to the app.
    pub fn from_json(text: &str) -> Result<Config, ConfigError> {
        let config: Config = serde_json::from_str(text).map_err(|e| ConfigError::Syntax {
            field: None,
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

    /// What a valid list may still do wrong where it is served: each a line
    /// naming the field, for `check-config` and the server's start.
    pub fn warnings(&self) -> Vec<String> {
        self.targets
            .iter()
            .enumerate()
            .filter(|(_, t)| t.is_mixed_content(true))
            .map(|(i, t)| {
                format!(
                    "target[{i}].url: {:?} is plain HTTP: a page served over HTTPS cannot check it (the browser blocks it as mixed content), so it will say \"could not test\" there; serve that target over HTTPS too, or serve the page over plain HTTP",
                    t.url
                )
            })
            .collect()
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
        if let Some(phone) = self.desk_phone.as_deref().filter(|p| !is_phone_number(p)) {
            return invalid(
                "desk_phone".into(),
                format!(
                    "\"{phone}\" is not a telephone number like \"0300 123 4567\" (6 to 15 digits, with spaces, brackets, dashes or a leading +)"
                ),
            );
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
        for (i, t) in self.targets.iter().enumerate() {
            let field = |name: &str| format!("target[{i}].{name}");
            if t.name.trim().is_empty() {
                return invalid(field("name"), "must not be empty".into());
            }
            // At most 64 targets: comparing with those before is enough,
            // and links no hash table into the page.
            if self.targets[..i].iter().any(|other| other.name == t.name) {
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
            if t.segment == Placement::Auto && !t.url.starts_with('/') {
                return invalid(
                    field("segment"),
                    format!(
                        "\"auto\" places the server that served the page, so its url must be a path on it such as \"/\"; name the segment of \"{}\"",
                        t.url
                    ),
                );
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
                        "\"{}\" is not a probe check; use round_trips, web_socket, clock, interception, loss, download or upload",
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
    let host = authority_of(url)
        .ok_or_else(|| format!("\"{url}\" must start with https://, http:// or / (this server)"))?;
    if host.is_empty() || host.contains(char::is_whitespace) || host.contains('@') {
        return Err(format!("\"{url}\" has no usable host name"));
    }
    Ok(())
}

/// The host and port of an `http://` or `https://` address, as written;
/// `None` for any other address.
fn authority_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    rest.split(['/', '?', '#']).next()
}

/// Whether `url` is on this computer's loopback, by its host as written.
fn is_loopback(url: &str) -> bool {
    let authority = authority_of(url).unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "::1"
        || host.strip_prefix("127.").is_some_and(|rest| {
            rest.split('.').count() == 3 && rest.split('.').all(|n| n.parse::<u8>().is_ok())
        })
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

/// The `tel:` address of a desk phone as written (`"0300 123 4567"`):
/// the digits alone, with the `+` of an international number, since
/// RFC 3966 takes no spaces.
pub fn tel_address(phone: &str) -> String {
    let dialled: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{dialled}")
}

/// A number as people write and dial it: 6 to 15 digits (E.164's most),
/// spaced, bracketed or dashed as they like, with a `+` only in front.
/// Nothing else, so that it goes into a page as it is.
fn is_phone_number(phone: &str) -> bool {
    let body = phone.strip_prefix('+').unwrap_or(phone);
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    let punctuation = |b: u8| matches!(b, b' ' | b'-' | b'(' | b')');
    (6..=15).contains(&digits)
        && body.len() <= 32
        && body.bytes().all(|b| b.is_ascii_digit() || punctuation(b))
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
                config
                    .targets
                    .iter()
                    .any(|t| t.segment == Placement::At(segment)),
                "no default target for {segment:?}"
            );
        }
        let server = config.targets_of(TargetKind::Probe).find(|t| t.url == "/");
        assert_eq!(server.map(|t| t.segment), Some(Placement::Auto));
    }

    /// Where `auto` places the page's own server, by the page's host.
    #[test]
    fn auto_places_the_pages_server_by_the_pages_address() {
        let cases = [
            ("127.0.0.1", Segment::Device),
            ("127.8.9.10", Segment::Device),
            ("localhost", Segment::Device),
            ("LocalHost.", Segment::Device),
            ("app.localhost", Segment::Device),
            ("[::1]", Segment::Device),
            ("10.20.30.40", Segment::Lan),
            ("172.16.0.1", Segment::Lan),
            ("172.31.255.255", Segment::Lan),
            ("172.32.0.1", Segment::Internet),
            ("192.168.1.10", Segment::Lan),
            ("169.254.3.4", Segment::Lan),
            ("[fd12::1]", Segment::Lan),
            ("[FC00::1]", Segment::Lan),
            ("[fe80::1]", Segment::Lan),
            ("[fec0::1]", Segment::Internet),
            ("[2001:db8::1]", Segment::Internet),
            ("triage", Segment::Lan),
            ("triage.practice.local", Segment::Lan),
            ("triage.surgery.internal", Segment::Lan),
            ("router.home.arpa", Segment::Lan),
            ("triage.example.nhs.uk", Segment::Internet),
            ("81.2.69.160", Segment::Internet),
            ("999.1.1.1", Segment::Internet),
            ("1.2.3", Segment::Internet),
            ("1.2.3.4.5", Segment::Internet),
        ];
        for (page_host, expected) in cases {
            assert_eq!(Placement::Auto.segment(page_host), expected, "{page_host}");
        }
        assert_eq!(
            Placement::At(Segment::Hscn).segment("127.0.0.1"),
            Segment::Hscn
        );
    }

    #[test]
    fn defaults_fill_the_optional_fields() {
        let target = &Config::from_toml(ONE_TARGET).unwrap().targets[0];
        assert_eq!(
            (target.timeout_ms, target.samples, target.late_ms),
            (4_000, 20, 300)
        );
    }

    /// Numbers as desks write them, and what is not one.
    #[test]
    fn a_desk_phone_is_a_number_people_can_dial() {
        let cases = [
            ("0300 123 4567", true),
            ("(01632) 960 001", true),
            ("+44 300 123 4567", true),
            ("0300-123-4567", true),
            ("111111", true),
            ("12345", false),
            ("0300 123 4567 8901 23", false),
            ("0300 123 4567 ext 2", false),
            ("44 + 300", false),
            ("<b>0300</b> 123 4567", false),
            ("", false),
        ];
        for (phone, valid) in cases {
            assert_eq!(is_phone_number(phone), valid, "{phone:?}");
        }
        let with_phone = ONE_TARGET.replace(
            "version = \"1\"",
            "version = \"1\"\ndesk_phone = \"0300 123 4567\"",
        );
        let config = Config::from_toml(&with_phone).unwrap();
        assert_eq!(config.desk_phone.as_deref(), Some("0300 123 4567"));
        assert_eq!(Config::from_toml(ONE_TARGET).unwrap().desk_phone, None);
        assert_eq!(tel_address("0300 123 4567"), "tel:03001234567");
        assert_eq!(tel_address("+44 (300) 123-4567"), "tel:+443001234567");
        let compact = crate::wire::to_compact(&config);
        assert_eq!(Config::from_compact(&compact).unwrap(), config);
    }

    #[test]
    fn json_round_trip_keeps_everything() {
        let config = Config::embedded_default();
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(Config::from_json(&json).unwrap(), config);
    }

    #[test]
    fn a_plain_http_target_is_blocked_on_a_secure_page_unless_it_is_loopback() {
        let target = |url: &str| Target {
            url: url.into(),
            ..Config::embedded_default().targets[0].clone()
        };
        let cases = [
            ("http://vantage.example.nhs.uk/", true),
            ("http://10.1.2.3:8080/", true),
            ("http://127.0.0.1.example/", true),
            ("https://vantage.example.nhs.uk/", false),
            ("/", false),
            ("http://localhost:43485/", false),
            ("http://LOCALHOST/", false),
            ("http://agent.localhost/", false),
            ("http://127.0.0.2:8443/", false),
            ("http://[::1]:55000/", false),
        ];
        for (url, blocked) in cases {
            assert_eq!(
                target(url).is_mixed_content(true),
                blocked,
                "{url} on an HTTPS page"
            );
            assert!(
                !target(url).is_mixed_content(false),
                "{url} on an HTTP page"
            );
        }
        let mut config = Config::embedded_default();
        assert_eq!(config.warnings(), Vec::<String>::new());
        config.targets[1].url = "http://vantage.example.nhs.uk/".into();
        assert_eq!(
            config.warnings(),
            [
                "target[1].url: \"http://vantage.example.nhs.uk/\" is plain HTTP: a page served over HTTPS cannot check it (the browser blocks it as mixed content), so it will say \"could not test\" there; serve that target over HTTPS too, or serve the page over plain HTTP"
            ]
        );
    }

    #[test]
    fn a_target_a_page_cannot_check_says_why() {
        let target = |url: &str, refuses_reads: Option<&str>| Target {
            url: url.into(),
            refuses_reads: refuses_reads.map(str::to_owned),
            ..Config::embedded_default().targets[1].clone()
        };
        let refused = Some("answers with Cross-Origin-Resource-Policy: same-origin");
        let cases = [
            (target("https://a.example/", None), true, None),
            (target("http://a.example/", None), false, None),
            (target("http://a.example/", None), true, Some(MIXED_CONTENT)),
            (target("https://a.example/", refused), false, refused),
            (
                target("http://a.example/", refused),
                true,
                Some(MIXED_CONTENT),
            ),
        ];
        for (target, over_https, why) in cases {
            assert_eq!(target.untestable_here(over_https), why, "{}", target.url);
        }
        // Written in a list, and read from the served form.
        let list = "name = \"x\"\nversion = \"1\"\n[[target]]\nname = \"a\"\nsegment = \"supplier\"\nurl = \"https://a.example/\"\nkind = \"reach\"\nrefuses_reads = \"known to refuse\"\n";
        let config = Config::from_toml(list).unwrap();
        assert_eq!(
            config.targets[0].untestable_here(true),
            Some("known to refuse")
        );
        assert_eq!(
            Config::from_json(&serde_json::to_string(&config).unwrap()).unwrap(),
            config
        );
    }

    #[test]
    fn a_host_that_refuses_cross_origin_reads_is_named_by_its_headers() {
        let reach = Target {
            kind: TargetKind::Reach,
            ..Config::embedded_default().targets[1].clone()
        };
        let probe = Target {
            kind: TargetKind::Probe,
            ..reach.clone()
        };
        let headers = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect()
        };
        /// A target, its answer's headers, and whether a page is refused.
        type Case<'a> = (&'a Target, Vec<(String, String)>, bool);
        let cases: [Case; 7] = [
            (
                &reach,
                headers(&[("Cross-Origin-Resource-Policy", "same-origin")]),
                true,
            ),
            (
                &reach,
                headers(&[("cross-origin-resource-policy", " Same-Site ")]),
                true,
            ),
            (
                &reach,
                headers(&[("Cross-Origin-Resource-Policy", "cross-origin")]),
                false,
            ),
            (&reach, headers(&[]), false),
            // CORS is asked first: a host that allows it is read.
            (
                &reach,
                headers(&[
                    ("Cross-Origin-Resource-Policy", "same-origin"),
                    ("Access-Control-Allow-Origin", "*"),
                ]),
                false,
            ),
            (
                &probe,
                headers(&[("Cross-Origin-Resource-Policy", "same-origin")]),
                false,
            ),
            (
                &reach,
                headers(&[("X-Cross-Origin-Resource-Policy", "same-origin")]),
                false,
            ),
        ];
        for (target, headers, refused) in cases {
            assert_eq!(
                target.refused_read(&headers).is_some(),
                refused,
                "{headers:?}"
            );
        }
        let said = reach
            .refused_read(&headers(&[("Cross-Origin-Resource-Policy", "same-origin")]))
            .unwrap_or_default();
        assert!(said.starts_with("answers with Cross-Origin-Resource-Policy: same-origin and no Access-Control-Allow-Origin, so a browser refuses"), "{said}");
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
                "target[0].segment (line 7, column 11): unknown variant `lann`",
            ),
            (
                &ONE_TARGET.replace("\"lan\"", "\"moon\""),
                "target[0].segment (line 7, column 11): unknown variant `moon`, expected one of `device`, `lan`, `hscn`, `internet`, `supplier`, `identity`, `auto`",
            ),
            (
                &ONE_TARGET.replace("kind = \"probe\"", "kind = \"probe\"\nsamplez = 3"),
                "target[0].samplez (line 10, column 1): unknown field `samplez`",
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
            (
                &ONE_TARGET.replace(
                    "version = \"1\"",
                    "version = \"1\"\ndesk_phone = \"call 0300 123 4567\"",
                ),
                "desk_phone: \"call 0300 123 4567\" is not a telephone number",
            ),
            ("name = \"x\"\nversion = ", "line 2, column 11: "),
            (
                &ONE_TARGET.replace("[[target]]", "[target]"),
                "target (line 5, column 1): invalid type: map, expected a sequence; each target is a table of its own: write [[target]], with two brackets on each side, above each one",
            ),
            (
                &ONE_TARGET.replace(
                    "kind = \"probe\"",
                    "kind = \"probe\"\ntimeout_ms = \"5 seconds\"",
                ),
                "target[0].timeout_ms (line 10, column 14): invalid type: string \"5 seconds\", expected u32; write a whole number without quotes or units (the field's name gives its unit), such as timeout_ms = 5000",
            ),
            (
                &ONE_TARGET.replace("version = \"1\"", "version = 1"),
                "version (line 3, column 11): invalid type: integer `1`, expected a string; put the value in double quotes, such as version = \"1\"",
            ),
            (
                &ONE_TARGET
                    .replace("\"lan\"", "\"auto\"")
                    .replace("url = \"/\"", "url = \"https://probe.example/\""),
                "target[0].segment: \"auto\" places the server that served the page, so its url must be a path",
            ),
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
                "target[0].checks[0] (line 10, column 11): unknown variant `speed`",
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
