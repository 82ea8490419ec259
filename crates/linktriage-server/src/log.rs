//! One line on standard error for each start, stop, refusal and error: as
//! words for a person at a terminal, or with `--log-format json` one JSON
//! object a line for a collector. Never a client's address or a site.

use std::sync::OnceLock;

/// How log lines are written; chosen once, at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

static FORMAT: OnceLock<Format> = OnceLock::new();

/// Sets the format for the life of the process; later calls change nothing.
pub fn set_format(format: Format) {
    let _ = FORMAT.set(format);
}

#[derive(Debug, Clone, Copy)]
enum Level {
    Info,
    Warn,
    Error,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

pub fn info(event: &str, message: &str) {
    write(Level::Info, event, message);
}

pub fn warn(event: &str, message: &str) {
    write(Level::Warn, event, message);
}

pub fn error(event: &str, message: &str) {
    write(Level::Error, event, message);
}

fn write(level: Level, event: &str, message: &str) {
    let line = match FORMAT.get().copied().unwrap_or_default() {
        Format::Text => match level {
            Level::Info => message.to_owned(),
            Level::Warn | Level::Error => format!("{}: {message}", level.name()),
        },
        Format::Json => serde_json::json!({
            "time": linktriage_core::time::iso_8601(crate::api::unix_ms()),
            "level": level.name(),
            "event": event,
            "message": message,
        })
        .to_string(),
    };
    eprintln!("{line}");
}
