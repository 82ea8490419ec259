//! The report codec against real reports: round trips, size, damage, pastes
//! mangled the ways mail and chat mangle them, and golden codes that every
//! later version must keep reading.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first surprise"
)]

use linktriage_core::codec::{DecodeError, decode, encode, extract};
use linktriage_core::report::{Report, RunFacts, SiteDetails, render_text};

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

/// The lab report as shared: site details typed (markup and non-Latin
/// letters included, as people type them) and addresses removed.
fn shared_lab_report() -> Report {
    let site = SiteDetails {
        place: "The Surgery <b>&amp; Ålesund</b> (Y01234)".into(),
        ticket: "INC-0042 \"urgent\"".into(),
        note: "Contacting Server since 09:05; 10.20.30.40 → slow 🐢".into(),
    };
    lab_report().shared(&site, true)
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
fn a_shared_report_survives_the_round_trip_exactly() {
    let report = shared_lab_report();
    assert!(report.addresses_removed);
    assert!(!render_text(&report).contains("10.20.30.40"));
    assert_eq!(decode(&encode(&report)).unwrap(), report);
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
            code.replacen("LT2.", "LT7.", 1),
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
    let prose = "LTD has LT and LT. and LTx.y, LT2 cables, LT 2. and LT1234.5 but no code";
    assert_eq!(extract(prose), []);
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
    let report = shared_lab_report();
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
    let golden = [
        (
            include_str!("golden/v1-default-config-lab.code"),
            include_str!("golden/v1-default-config-lab.txt"),
        ),
        (
            include_str!("golden/v2-default-config-lab.code"),
            include_str!("golden/v2-default-config-lab.txt"),
        ),
    ];
    for (code, text) in golden {
        let report = decode(code).unwrap();
        assert_eq!(render_text(&report), text);
    }
}

#[test]
fn the_checksum_is_standard_crc32() {
    // The check value of CRC-32/ISO-HDLC, and agreement with crc32fast.
    assert_eq!(linktriage_core::codec::crc32(b"123456789"), 0xCBF4_3926);
    let text = encode(&lab_report());
    assert_eq!(
        linktriage_core::codec::crc32(text.as_bytes()),
        crc32fast::hash(text.as_bytes())
    );
}

#[test]
fn a_code_from_uncompressed_blocks_decodes_the_same() {
    use linktriage_core::codec::{deflate_stored, finish, wire_bytes};
    let report = lab_report();
    let code = finish(&deflate_stored(&wire_bytes(&report)));
    assert_eq!(decode(&code).unwrap(), report);
    assert_eq!(
        decode(&finish(&deflate_stored(&[]))).map(|_| ()),
        Err(DecodeError::NotAReport(
            "the content does not read: Hit the end of buffer, expected more data".into()
        ))
    );
}

/// Found by fuzzing: a well-formed code whose report has no verdict would
/// have crashed the desk view, which shows every report's verdict first.
#[test]
fn a_report_without_a_verdict_is_not_a_report() {
    use linktriage_core::codec::{deflate_stored, finish, wire_bytes};
    let mut report = lab_report();
    report.verdict.findings.clear();
    let code = finish(&deflate_stored(&wire_bytes(&report)));
    assert_eq!(
        decode(&code),
        Err(DecodeError::NotAReport("it has no verdict".into()))
    );
}

#[test]
fn pasted_text_reads_back_to_the_same_text() {
    let report = lab_report();
    let code = encode(&report);
    let pasted = linktriage_core::report::render_pasteable(&report, &code);
    let found = extract(&pasted);
    assert_eq!(found.len(), 1);
    let back = found[0].report.as_ref().unwrap();
    assert_eq!(
        linktriage_core::report::render_pasteable(back, &code),
        pasted
    );
}

// proptest needs an OS random source, which wasm32 has not.
#[cfg(not(target_arch = "wasm32"))]
mod generated {
    //! Round trips over generated reports: every kind of measurement, any
    //! text in every text field, figures at the precision reports keep.
    use linktriage_core::check::*;
    use linktriage_core::codec::{decode, encode};
    use linktriage_core::device::{ConnectionInfo, DeviceFacts};
    use linktriage_core::report::{Report, RunFacts, SiteDetails};
    use linktriage_core::segment::Segment;
    use proptest::prelude::*;

    fn figure() -> impl Strategy<Value = f64> {
        (0i64..10_000_000).prop_map(|h| h as f64 / 100.0)
    }

    fn segment() -> impl Strategy<Value = Segment> {
        proptest::sample::select(Segment::ALL.to_vec())
    }

    fn measurement() -> impl Strategy<Value = Measurement> {
        prop_oneof![
            (
                proptest::option::of(100u16..600),
                proptest::option::of(figure()),
                proptest::option::of(figure())
            )
                .prop_map(|(status, first_ms, repeat_ms)| Measurement::Reach(Reach {
                    outcome: ReachOutcome::Reached { status },
                    first_ms,
                    repeat_ms
                })),
            figure().prop_map(|after_ms| Measurement::Reach(Reach {
                outcome: ReachOutcome::TimedOut { after_ms },
                first_ms: None,
                repeat_ms: None
            })),
            (
                proptest::collection::vec(figure(), 0..30),
                0u32..30,
                1u32..10_000
            )
                .prop_map(|(s, failed, late)| Measurement::RoundTrips(
                    RoundTrips::from_samples(s, failed, late)
                )),
            (
                proptest::option::of(any::<String>()),
                proptest::collection::vec(figure(), 0..12)
            )
                .prop_map(|(failure, s)| {
                    Measurement::WebSocket(WebSocketEcho {
                        failure,
                        round_trips: RoundTrips::from_samples(s, 0, 300),
                    })
                }),
            (
                proptest::collection::vec(figure(), 0..4),
                any::<u32>(),
                proptest::option::of(any::<String>())
            )
                .prop_map(|(samples_mbps, largest, failure)| {
                    Measurement::Upload(Throughput {
                        samples_mbps,
                        largest_bytes: u64::from(largest),
                        failure,
                    })
                }),
            (figure(), figure(), any::<bool>()).prop_map(|(o, u, behind)| Measurement::Clock(
                ClockOffset {
                    offset_ms: if behind { -o } else { o },
                    uncertainty_ms: u
                }
            )),
            (
                proptest::collection::vec(any::<String>(), 0..3),
                proptest::option::of(any::<String>()),
                proptest::option::of(0usize..20_000)
            )
                .prop_map(
                    |(injected_headers, altered_check_header, payload_difference_at)| {
                        Measurement::Interception(Interception {
                            injected_headers,
                            altered_check_header,
                            payload_difference_at,
                        })
                    }
                ),
            any::<bool>().prop_map(|a| Measurement::LocalAgent(if a {
                LocalAgent::Answering
            } else {
                LocalAgent::NotAnswering
            })),
            any::<String>().prop_map(|reason| Measurement::NotTested(NotTested {
                kind: CheckKind::Clock,
                reason
            })),
        ]
    }

    fn report() -> impl Strategy<Value = Report> {
        (
            any::<String>(),
            any::<String>(),
            0i64..4_000_000_000_000,
            -720i32..840,
            proptest::collection::vec((any::<String>(), segment(), measurement()), 0..12),
            any::<String>(),
            any::<bool>(),
            proptest::option::of((figure(), figure())),
            (
                any::<String>(),
                any::<String>(),
                any::<String>(),
                any::<bool>(),
            ),
        )
            .prop_map(
                |(name, version, started, offset, results, ua, online, connection, site)| {
                    let run = RunFacts {
                        config_name: name,
                        config_version: version,
                        started_at_ms: started as f64,
                        utc_offset_minutes: offset,
                    };
                    let results = results
                        .into_iter()
                        .map(|(target, segment, measurement)| CheckResult {
                            target,
                            segment,
                            measurement,
                        })
                        .collect();
                    let device = DeviceFacts {
                        user_agent: ua,
                        online,
                        connection: connection.map(|(d, r)| ConnectionInfo {
                            effective_type: Some("4g".into()),
                            downlink_mbps: Some(d),
                            rtt_ms: Some(r),
                        }),
                        time_zone: "Europe/London".into(),
                        language: "en-GB".into(),
                        cores: Some(4),
                        precise_timers: true,
                    };
                    let (place, ticket, note, remove_addresses) = site;
                    let site = SiteDetails {
                        place,
                        ticket,
                        note,
                    };
                    Report::judged(run, results, device).shared(&site, remove_addresses)
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn any_report_round_trips(report in report()) {
            prop_assert_eq!(decode(&encode(&report)).unwrap(), report);
        }

        #[test]
        fn any_text_decodes_without_panicking(text in any::<String>()) {
            let _ = linktriage_core::codec::extract(&text);
            let _ = decode(&text);
        }

        #[test]
        fn any_damage_to_a_code_is_refused_or_read_back_unchanged(report in report(), at in any::<prop::sample::Index>(), with in any::<char>()) {
            let code = encode(&report);
            let mut chars: Vec<char> = code.chars().collect();
            let i = at.index(chars.len());
            chars[i] = with;
            let damaged: String = chars.into_iter().collect();
            if let Ok(back) = decode(&damaged) {
                prop_assert_eq!(back, report);
            }
        }
    }
}
