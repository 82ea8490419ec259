//! The report codec against real reports: round trips, size, damage, pastes
//! mangled the ways mail and chat mangle them, and golden codes that every
//! later version must keep reading.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first surprise"
)]

use linktriage_core::codec::{DecodeError, decode, encode, extract};
use linktriage_core::report::{Report, RunFacts, render_text};

/// A real report: the JSON download of a run of the default list in the test
/// lab (no public host resolves there), judged again as the app would.
fn lab_report() -> Report {
    let report: Report =
        serde_json::from_str(include_str!("golden/default-config-lab.json")).unwrap();
    let run = RunFacts {
        config_name: report.config_name.clone(),
        config_version: report.config_version.clone(),
        started_at_ms: report.started_at_ms,
        utc_offset_minutes: report.utc_offset_minutes,
    };
    Report::judged(run, report.results, report.device)
}

#[test]
fn a_real_report_survives_the_round_trip_exactly() {
    let report = lab_report();
    let code = encode(&report);
    let back = decode(&code).unwrap();
    assert_eq!(back, report);
    assert_eq!(render_text(&back), render_text(&report));
}

#[test]
fn a_typical_code_is_under_1500_characters() {
    let code = encode(&lab_report());
    assert!(code.len() < 1500, "{} characters", code.len());
    assert!(
        code.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
        "{code}"
    );
}

#[test]
fn damage_is_named_not_misread() {
    let code = encode(&lab_report());
    let flipped = {
        let mut chars: Vec<char> = code.chars().collect();
        let i = chars.len() / 2;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect::<String>()
    };
    let cases: Vec<(String, DecodeError)> = vec![
        (code[..code.len() / 2].to_owned(), DecodeError::Truncated),
        (code[..code.len() - 3].to_owned(), DecodeError::Truncated),
        (flipped, DecodeError::ChecksumMismatch),
        (
            code.replacen("LT1.", "LT7.", 1),
            DecodeError::UnknownVersion("7".into()),
        ),
    ];
    for (damaged, expected) in cases {
        assert_eq!(decode(&damaged).unwrap_err(), expected, "{damaged}");
    }
    // A well-formed code whose content is not a report.
    let payload = "aGVsbG8";
    let forged = format!("LT1.{payload}.{:08x}", crc32fast::hash(payload.as_bytes()));
    assert!(matches!(decode(&forged), Err(DecodeError::NotAReport(_))));
}

#[test]
fn every_report_in_a_mangled_email_thread_is_found() {
    let first = lab_report();
    let mut second = lab_report();
    second.config_name = "Practice B".into();
    let (a, b) = (encode(&first), encode(&second));
    // Quoted twice and hard-wrapped at 70 characters, as a mail client does.
    let wrapped: Vec<String> = b
        .as_bytes()
        .chunks(70)
        .map(|c| format!("> > {}", std::str::from_utf8(c).unwrap()))
        .collect();
    // A stray space in the middle, and the code glued after "Code:".
    let spaced = format!("{} {}", &a[..40], &a[40..]);
    let thread = format!(
        "Hi desk,\nsee below.\n\nCode:{spaced}\nThanks\n\n> > On Monday someone wrote:\n{}\n> > Browser: Chrome\n",
        wrapped.join("\n")
    );
    let found = extract(&thread);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].report.as_ref().unwrap(), &first);
    assert_eq!(found[1].report.as_ref().unwrap().config_name, "Practice B");
}

#[test]
fn a_damaged_report_does_not_hide_the_others() {
    let good = encode(&lab_report());
    let cut = &good[..good.len() / 3];
    let paste = format!("{cut}\nsomething else\n{good}\n");
    let found = extract(&paste);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].report, Err(DecodeError::Truncated));
    assert!(found[1].report.is_ok());
}

#[test]
fn text_with_no_report_finds_none_and_a_huge_paste_is_quick() {
    assert!(
        extract("LTD has LT and LT. and LTx.y but no code").is_empty()
            || extract("LTD has LT and LT. and LTx.y but no code")
                .iter()
                .all(|f| f.report.is_err())
    );
    let huge = "LT1.".to_owned() + &"A".repeat(10 * 1024 * 1024);
    #[expect(clippy::disallowed_methods, reason = "a native test timing itself")]
    let started = std::time::Instant::now();
    let found = extract(&huge);
    assert!(
        started.elapsed().as_secs_f64() < 1.0,
        "{:?}",
        started.elapsed()
    );
    assert!(found.iter().all(|f| f.report.is_err()));
}

/// Writes the golden files for the version this build writes, if they are
/// missing; a released version's files are never rewritten. Run once when a
/// new version is released:
/// `cargo test -p linktriage-core --test codec -- --ignored write_golden_files`
#[test]
#[ignore = "writes files; run by hand when a new code version is released"]
fn write_golden_files() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let version = linktriage_core::codec::VERSION;
    let report = lab_report();
    for (extension, content) in [("code", encode(&report)), ("txt", render_text(&report))] {
        let path = dir.join(format!("v{version}-default-config-lab.{extension}"));
        let existing = std::fs::read_to_string(&path).unwrap_or_default();
        if existing.is_empty() {
            std::fs::write(&path, content).unwrap();
        }
    }
}

/// Codes written by released versions, and the text each must read as, forever.
#[test]
fn golden_codes_keep_decoding() {
    let golden = [(
        include_str!("golden/v1-default-config-lab.code"),
        include_str!("golden/v1-default-config-lab.txt"),
    )];
    for (code, text) in golden {
        let report = decode(code).unwrap();
        assert_eq!(render_text(&report), text);
    }
}
