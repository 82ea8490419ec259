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
        release: report.release.clone(),
        started_at_ms: report.started_at_ms,
        utc_offset_minutes: report.utc_offset_minutes,
    };
    Report::judged(run, report.results, report.device)
}

/// The lab report as shared (site details with markup and non-Latin
/// letters, an address removed), as `cargo xtask golden` wrote it into the
/// version 2 golden code.
fn shared_lab_report() -> Report {
    decode(include_str!("golden/v2-default-config-lab.code")).unwrap()
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
    assert!(render_text(&report).contains("The Surgery <b>&amp; Ålesund</b> (Y01234)"));
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
    let next = linktriage_core::codec::VERSION + 1;
    let cases: Vec<(String, DecodeError)> = vec![
        (code[..code.len() / 2].to_owned(), DecodeError::Truncated),
        (code[..code.len() - 3].to_owned(), DecodeError::Truncated),
        (flipped, DecodeError::ChecksumMismatch),
        (
            code.replacen(
                &format!("LT{}.", linktriage_core::codec::VERSION),
                &format!("LT{next}."),
                1,
            ),
            DecodeError::UnknownVersion(next.to_string()),
        ),
    ];
    for (damaged, expected) in cases {
        assert_eq!(decode(&damaged).unwrap_err(), expected, "{damaged}");
    }
    // The version number is outside the checksum: today's content under an
    // earlier number is refused, never read as that version's shorter report.
    let today = format!("LT{}.", linktriage_core::codec::VERSION);
    for earlier in 1..linktriage_core::codec::VERSION {
        let damaged = code.replacen(&today, &format!("LT{earlier}."), 1);
        assert!(
            matches!(decode(&damaged), Err(DecodeError::NotAReport(_))),
            "version {earlier}: {:?}",
            decode(&damaged).map(|r| r.results.len())
        );
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
fn text_with_no_report_finds_none() {
    let prose =
        "LTD has LT and LT. and LTx.y, LT2 cables, LT 2. and LT1234.5 but no code; BOLT2.x.y";
    assert_eq!(extract(prose), []);
    // How fast a huge paste is read is the benchmark's to measure
    // (`cargo xtask bench desk`); here only that it is read, and refused.
    let huge = "LT1.".to_owned() + &"A".repeat(10 * 1024 * 1024);
    let found = extract(&huge);
    assert!(!found.is_empty() && found.iter().all(|f| f.report.is_err()));
}

/// What pastes gain on the way, each beside a code it must not stop
/// reading: the cases are listed in `codec::extract`'s documentation.
#[test]
fn codes_read_through_what_pastes_gain_on_the_way() {
    let code = encode(&lab_report());
    let (head, tail) = code.split_at(code.len() / 2);
    let link = format!("https://triage.example/desk/#{code}");
    let percent_encoded = link
        .replace(':', "%3A")
        .replace('/', "%2F")
        .replace('#', "%23");
    let cases: Vec<(&str, String)> = vec![
        ("zero-width space", format!("{head}\u{200b}{tail}")),
        ("soft hyphen", format!("{head}\u{ad}{tail}")),
        (
            "word joiner and byte-order mark",
            format!("\u{feff}{head}\u{2060}{tail}"),
        ),
        ("direction marks", format!("\u{200e}{head}\u{200f}{tail}")),
        (
            "zero-width space inside the start",
            format!("L\u{200b}T{}", &code[2..]),
        ),
        ("no-break space", format!("{head}\u{a0}{tail}")),
        (
            "narrow no-break space after a break",
            format!("{head}\n\u{202f}{tail}"),
        ),
        ("line separator", format!("{head}\u{2028}{tail}")),
        ("quoted-printable soft break", format!("{head}=\r\n{tail}")),
        ("a link in the text", format!("Open {link} please")),
        (
            "Safe Links",
            format!(
                "https://eur01.safelinks.protection.outlook.com/?url={percent_encoded}&data=05%7C02%7C&reserved=0"
            ),
        ),
        (
            "Safe Links, encoded twice",
            format!(
                "https://x.safelinks.protection.outlook.com/?url={}",
                percent_encoded.replace('%', "%25")
            ),
        ),
    ];
    for (name, paste) in cases {
        let found = extract(&paste);
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        assert_eq!(found[0].report.as_ref().ok(), Some(&lab_report()), "{name}");
    }
    // Look-alike dashes stand for the code's own `-`.
    let dash = code.find('-').expect("the lab report's code has a dash");
    for look_alike in ['\u{2010}', '\u{2011}', '\u{2013}', '\u{2212}'] {
        let paste = format!("{}{look_alike}{}", &code[..dash], &code[dash + 1..]);
        let found = extract(&paste);
        assert_eq!(
            found[0].report.as_ref().ok(),
            Some(&lab_report()),
            "{look_alike:?}"
        );
    }
    // A character changed, not added, is refused: never a different report.
    let mut changed = code.clone().into_bytes();
    let at = code.len() / 2;
    changed[at] = if changed[at] == b'-' { b'_' } else { b'-' };
    let changed = String::from_utf8(changed).unwrap();
    assert_eq!(
        extract(&changed)[0].report,
        Err(DecodeError::ChecksumMismatch)
    );
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
        (
            include_str!("golden/v3-default-config-lab.code"),
            include_str!("golden/v3-default-config-lab.txt"),
        ),
        (
            include_str!("golden/v4-default-config-lab.code"),
            include_str!("golden/v4-default-config-lab.txt"),
        ),
        (
            include_str!("golden/v5-default-config-lab.code"),
            include_str!("golden/v5-default-config-lab.txt"),
        ),
        (
            include_str!("golden/v6-default-config-lab.code"),
            include_str!("golden/v6-default-config-lab.txt"),
        ),
        (
            include_str!("golden/v7-default-config-lab.code"),
            include_str!("golden/v7-default-config-lab.txt"),
        ),
        (
            include_str!("golden/v8-default-config-lab.code"),
            include_str!("golden/v8-default-config-lab.txt"),
        ),
    ];
    for (code, text) in golden {
        let report = decode(code).unwrap();
        assert_eq!(render_text(&report), text);
    }
}

/// The version 3 golden code: the lab report with an 8-hour watch of the
/// default list every 10 seconds, three drops, a slow spell, flapping and
/// a pause.
fn watched_lab_report() -> Report {
    decode(include_str!("golden/v3-default-config-lab.code")).unwrap()
}

#[test]
fn a_report_with_a_watch_survives_the_round_trip_exactly() {
    let report = watched_lab_report();
    let watch = report.watch.as_ref().unwrap();
    assert_eq!(watch.drops.len(), 3);
    assert_eq!(watch.targets.len(), 8);
    assert!(watch.targets.iter().all(|t| t.minutes.len() == 480));
    assert_eq!(decode(&encode(&report)).unwrap(), report);
    // A report without a watch reads back without one.
    assert_eq!(decode(&encode(&lab_report())).unwrap().watch, None);
}

/// A phone carries a report out by its QR code when the practice network
/// is down: a working day's watch with drops must still fit one.
#[test]
fn a_watch_alone_reads_back_from_its_bytes() {
    use linktriage_core::codec::{watch_bytes, watch_from_bytes};
    let watch = watched_lab_report().watch.unwrap();
    assert_eq!(watch_from_bytes(&watch_bytes(&watch)), Ok(watch));
    assert!(watch_from_bytes(b"\x01\x02").is_err());
}

/// The version 8 golden code: version 3's watch with the server's data
/// channel, two spells of packet loss among them.
#[test]
fn a_watch_with_packet_loss_survives_the_round_trip_exactly() {
    let report = decode(include_str!("golden/v8-default-config-lab.code")).unwrap();
    let watch = report.watch.as_ref().unwrap();
    assert_eq!(watch.targets[0].loss.len(), 477);
    assert!(watch.targets[1..].iter().all(|t| t.loss.is_empty()));
    assert_eq!(watch.lossy_spells().len(), 2);
    assert_eq!(decode(&encode(&report)).unwrap(), report);
    // The loss is in the verdict, after the drops.
    let findings: Vec<&str> = report
        .verdict
        .findings
        .iter()
        .map(|f| f.headline.as_str())
        .collect();
    assert!(
        findings[1].starts_with("The connection lost packets for 20 min in 8 h of watching"),
        "{findings:?}"
    );
}

#[test]
fn an_eight_hour_watch_fits_a_qr_code() {
    use linktriage_core::codec::share_link;
    use linktriage_core::qr::QrCode;
    let code = include_str!("golden/v8-default-config-lab.code").trim();
    let link = share_link("https://linktriage.example.nhs.uk", code);
    let qr = QrCode::encode(link.as_bytes());
    assert!(qr.is_some(), "a link of {} characters", link.len());
    // For BENCHMARKS.md (`cargo test --test codec eight_hour -- --nocapture`).
    eprintln!(
        "8-hour watch: code {} characters, link {}, QR code {} modules a side",
        code.len(),
        link.len(),
        qr.map_or(0, |q| q.size())
    );
}

#[test]
fn a_damaged_watch_is_refused_not_misread() {
    use linktriage_core::codec::{deflate_stored, finish, wire_bytes};
    let mut report = watched_lab_report();
    // A drop naming a target the watch does not have.
    report.watch.as_mut().unwrap().drops[0].targets = vec![99];
    let code = finish(&deflate_stored(&wire_bytes(&report)));
    assert!(
        matches!(decode(&code), Err(DecodeError::NotAReport(why)) if why.contains("target 99")),
        "{:?}",
        decode(&code)
    );
}

/// The desk reads which release made a report, and a code whose release
/// could break the report's lines is refused.
#[test]
fn a_report_names_its_release_and_a_false_one_is_refused() {
    use linktriage_core::codec::{deflate_stored, finish, wire_bytes};
    let report = decode(include_str!("golden/v4-default-config-lab.code")).unwrap();
    assert_eq!(report.release, "5e1ea5e0fc0de4a1");
    // Before version 4 no report said.
    assert_eq!(watched_lab_report().release, "");
    for release in ["5e1ea5e0\nVerdict: nothing wrong", &"a".repeat(65)] {
        let forged = Report {
            release: release.to_owned(),
            ..report.clone()
        };
        let code = finish(&deflate_stored(&wire_bytes(&forged)));
        assert!(
            matches!(decode(&code), Err(DecodeError::NotAReport(why)) if why.contains("release")),
            "{release:?}: {:?}",
            decode(&code)
        );
    }
}

/// The JSON for tooling keeps its field names: the released golden report
/// as JSON, byte for byte.
#[test]
fn the_json_for_tooling_keeps_its_shape() {
    use linktriage_core::codec::{JSON_VERSION, to_json};
    assert_eq!(JSON_VERSION, 1, "a new JSON version needs its golden file");
    let json = to_json(&[&shared_lab_report()]);
    assert_eq!(json, include_str!("golden/json-v1-default-config-lab.json"));
}

/// A watch in the JSON: one field more, absent from reports without one.
#[test]
fn the_json_of_a_watch_names_its_parts() {
    use linktriage_core::codec::to_json;
    let json: serde_json::Value = serde_json::from_str(&to_json(&[&watched_lab_report()])).unwrap();
    let watch = &json["reports"][0]["watch"];
    let mut keys: Vec<&str> = watch
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "drops",
            "interval_ms",
            "paused",
            "running",
            "slow_spells",
            "started_at_ms",
            "targets",
            "until_ms"
        ]
    );
    assert_eq!(watch["targets"][3]["minutes"][0], "up");
    assert_eq!(watch["drops"][0]["diagnosis"], "hscn");
    assert_eq!(watch["targets"][3]["segment"], "hscn");
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
    use linktriage_core::connections::{Connections, SeenBy};
    use linktriage_core::device::{ConnectionInfo, DeviceFacts};
    use linktriage_core::report::{Report, RunFacts, Sharing, SiteDetails};
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
            (figure(), any::<bool>()).prop_map(|(after_ms, timed_out)| Measurement::Reach(Reach {
                outcome: if timed_out {
                    ReachOutcome::TimedOut { after_ms }
                } else {
                    ReachOutcome::Failed { after_ms }
                },
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
                proptest::option::of(any::<String>()),
                any::<bool>(),
                proptest::option::of((figure(), proptest::collection::vec(figure(), 0..12)))
            )
                .prop_map(|(samples_mbps, largest, failure, down, under_load)| {
                    let t = Throughput {
                        samples_mbps,
                        largest_bytes: u64::from(largest),
                        failure,
                        under_load: under_load
                            .map(|(idle_ms, loaded_ms)| UnderLoad { idle_ms, loaded_ms }),
                    };
                    if down {
                        Measurement::Download(t)
                    } else {
                        Measurement::Upload(t)
                    }
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
            (
                proptest::sample::select(CheckKind::ALL.to_vec()),
                any::<String>()
            )
                .prop_map(|(kind, reason)| Measurement::NotTested(NotTested { kind, reason })),
            (
                [0u32..1_000, 0u32..1_000, 0u32..1_000],
                any::<bool>(),
                [0u32..50, 1u32..10_000, 0u32..50, 0u32..50],
                proptest::option::of((
                    1usize..1_000,
                    [figure(), figure(), figure(), figure(), figure(), figure()]
                ))
            )
                .prop_map(
                    |(
                        mut counts,
                        server_counted,
                        [late, late_ms, reordered, duplicated],
                        round_trip,
                    )| {
                        counts.sort_unstable();
                        let [came_back, reached_server, sent] = counts;
                        Measurement::Loss(LossCheck::Measured(linktriage_core::loss::Loss {
                            sent,
                            reached_server,
                            server_counted,
                            came_back,
                            late,
                            late_ms,
                            reordered,
                            duplicated,
                            round_trip: round_trip.map(
                                |(count, [min, median, p90, p99, max, jitter])| {
                                    linktriage_core::stats::Summary {
                                        count,
                                        min,
                                        median,
                                        p90,
                                        p99,
                                        max,
                                        jitter,
                                    }
                                },
                            ),
                        }))
                    }
                ),
            Just(Measurement::Loss(LossCheck::UdpBlocked)),
            (
                [0u32..100, 0u32..100, 0u32..100, 0u32..100],
                proptest::sample::select(vec![
                    SeenBy::ServerNumbers,
                    SeenBy::BrowserTiming,
                    SeenBy::Durations
                ])
            )
                .prop_map(|(mut counts, seen_by)| {
                    counts.sort_unstable();
                    let [cut, connections, answered, requests] = counts;
                    Measurement::Connections(Connections {
                        requests,
                        answered,
                        connections,
                        cut,
                        seen_by,
                    })
                }),
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
            "[0-9a-z.-]{0,20}",
        )
            .prop_map(
                |(
                    name,
                    version,
                    started,
                    offset,
                    results,
                    ua,
                    online,
                    connection,
                    site,
                    release,
                )| {
                    let run = RunFacts {
                        config_name: name,
                        config_version: version,
                        release,
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
                    let sharing = Sharing {
                        site: SiteDetails {
                            place,
                            ticket,
                            note,
                        },
                        remove_addresses,
                    };
                    Report::judged(run, results, device).shared(&sharing)
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn any_report_round_trips(report in report()) {
            prop_assert_eq!(decode(&encode(&report)).unwrap(), report);
        }

        /// The clinician's page sends its reports (never with a watch) to
        /// the report writer with the checks' own encoder: the same bytes as
        /// the full one, written out as the desk will read them back.
        #[test]
        fn a_report_of_the_checks_alone_is_written_as_any_report(report in report()) {
            use linktriage_core::codec::{checks_wire_bytes, wire_bytes};
            use linktriage_core::report::render_pasteable;
            use linktriage_core::written::write_up;
            prop_assert_eq!(checks_wire_bytes(&report), wire_bytes(&report));
            // Shared as it was shared already: the same report.
            let written =
                write_up(&checks_wire_bytes(&report), "https://desk.example", &report.sharing()).unwrap();
            prop_assert_eq!(&decode(&written.code).unwrap(), &report);
            prop_assert_eq!(written.text, render_pasteable(&report, &written.code));
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
