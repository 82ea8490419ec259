//! `linktriage decode`: every report in a paste, for ticket tooling. It reads
//! the paste as the desk view does (`core::desk::read_paste`: the same
//! limits, the same messages), so the command and the page agree.

use linktriage_core::codec::to_json;
use linktriage_core::desk::{MAX_PASTE_BYTES, read_paste};
use linktriage_core::report::render_pasteable;

/// What the command prints: the reports on standard output, each damaged
/// one on standard error, and why it failed if nothing could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub output: String,
    pub problems: Vec<String>,
    pub failure: Option<String>,
}

/// How much of standard input is read: one byte more than a paste may
/// hold, so that a larger one is refused with the desk's message rather
/// than cut short.
pub const READ_LIMIT: u64 = MAX_PASTE_BYTES as u64 + 1;

/// Reads every report in `paste`: as JSON (the format for tooling, see
/// `core::codec::to_json`), or with `as_text` each exactly as the clinician
/// saw it, code and all.
pub fn decode(paste: &str, as_text: bool) -> Decoded {
    let entries = match read_paste(paste) {
        Ok(entries) => entries,
        Err(why) => {
            return Decoded {
                output: String::new(),
                problems: Vec::new(),
                failure: Some(why.to_string()),
            };
        }
    };
    let total = entries.len();
    let mut problems = Vec::new();
    let mut reports = Vec::new();
    for entry in &entries {
        match &entry.report {
            Ok(report) => reports.push((report, &entry.code)),
            Err(why) => problems.push(format!(
                "report {} of {total}: {why} (line {} of the input)",
                entry.number, entry.line
            )),
        }
    }
    let output = if as_text {
        reports
            .iter()
            .map(|(report, code)| format!("{}\n", render_pasteable(report, code)))
            .collect()
    } else {
        let reports: Vec<_> = reports.iter().map(|(report, _)| *report).collect();
        format!("{}\n", to_json(&reports))
    };
    let failure = reports
        .is_empty()
        .then(|| format!("none of the {total} report codes could be read"));
    Decoded {
        output,
        problems,
        failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLDEN: &str =
        include_str!("../../linktriage-core/tests/golden/v2-default-config-lab.code");

    #[test]
    fn a_paste_too_large_is_refused_as_the_desk_refuses_it() {
        let paste = format!("{GOLDEN}\n{}", "x".repeat(MAX_PASTE_BYTES));
        let decoded = decode(&paste, false);
        assert_eq!(decoded.output, "");
        let failure = decoded.failure.unwrap_or_default();
        assert!(
            failure.starts_with("The paste is 17 MB, more than the 16 MB"),
            "{failure}"
        );
    }

    #[test]
    fn good_reports_print_and_damaged_ones_are_named() {
        let cut = &GOLDEN[..200];
        let decoded = decode(&format!("{cut}\n\n{GOLDEN}\n"), false);
        assert_eq!(decoded.failure, None);
        assert_eq!(decoded.problems.len(), 1, "{:?}", decoded.problems);
        assert!(decoded.problems[0].starts_with("report 1 of 2: the report code is cut off"));
        assert!(
            decoded
                .output
                .contains("\"format\": \"link-triage-reports\"")
        );
    }
}
