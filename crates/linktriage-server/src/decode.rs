//! `linktriage decode`: every report in a paste, for ticket tooling. It reads
//! the paste as the desk view does (`core::desk::read_paste`: the same
//! limits, the same messages), so the command and the page agree.

use std::borrow::Cow;

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

/// How much of standard input is read: more than the largest paste may take
/// in UTF-16 (two bytes a character), so that a larger one is refused with
/// the desk's message rather than cut short.
pub const READ_LIMIT: u64 = 2 * MAX_PASTE_BYTES as u64 + 4;

/// The text in `input`, whatever Windows wrote it in: UTF-16 (what Windows
/// PowerShell 5 writes with `>` and `Out-File`, little-endian with a byte
/// order mark), either byte order with or without the mark, or UTF-8 with
/// or without one. Bytes that are not text become U+FFFD, which no code
/// holds, so a damaged code is refused rather than read as another.
pub fn text_of(input: &[u8]) -> Cow<'_, str> {
    let utf16 = |bytes: &[u8], little_endian: bool| -> Cow<'_, str> {
        let units = bytes.chunks_exact(2).map(|pair| {
            let pair = [pair[0], pair[1]];
            if little_endian {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        });
        Cow::Owned(
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect(),
        )
    };
    match input {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest),
        _ => match utf16_without_a_mark(input) {
            Some(little_endian) => utf16(input, little_endian),
            None => String::from_utf8_lossy(input),
        },
    }
}

/// Whether `input` looks like UTF-16 text with no byte order mark, and in
/// which order: mostly ASCII, so that one byte of most pairs is zero. UTF-8
/// text holds no zero bytes at all.
fn utf16_without_a_mark(input: &[u8]) -> Option<bool> {
    if input.len() < 4 || !input.len().is_multiple_of(2) {
        return None;
    }
    let pairs = input.len() / 2;
    let zero_at = |offset: usize| {
        input
            .iter()
            .skip(offset)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let (even, odd) = (zero_at(0), zero_at(1));
    if odd * 2 > pairs && even == 0 {
        Some(true)
    } else if even * 2 > pairs && odd == 0 {
        Some(false)
    } else {
        None
    }
}

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

    /// `text` as Windows PowerShell 5's `>` writes it: UTF-16LE with a mark.
    fn powershell_5(text: &str) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    }

    #[test]
    fn text_written_by_windows_in_any_encoding_is_read() {
        let paste = format!("Report from the practice \u{2013} see below\r\n{GOLDEN}\r\n");
        let big_endian: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(paste.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        let no_mark: Vec<u8> = paste.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let utf8_mark: Vec<u8> = [0xEF, 0xBB, 0xBF]
            .into_iter()
            .chain(paste.bytes())
            .collect();
        for (encoding, bytes) in [
            ("UTF-16LE with a mark", powershell_5(&paste)),
            ("UTF-16BE with a mark", big_endian),
            ("UTF-16LE without a mark", no_mark),
            ("UTF-8 with a mark", utf8_mark),
            ("UTF-8", paste.clone().into_bytes()),
        ] {
            assert_eq!(text_of(&bytes), paste, "{encoding}");
            let decoded = decode(&text_of(&bytes), false);
            assert_eq!(decoded.failure, None, "{encoding}");
            assert!(
                decoded.problems.is_empty(),
                "{encoding}: {:?}",
                decoded.problems
            );
        }
        // A lone surrogate is not text: replaced, never dropped silently.
        assert_eq!(text_of(&[0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00]), "\u{FFFD}A");
    }

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
