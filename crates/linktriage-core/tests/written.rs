//! The report writer: what a page shows of a report to share is written from
//! its wire bytes, and reads back at the desk as the very same report.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first surprise"
)]

use linktriage_core::codec::{checks_wire_bytes, decode, share_link, wire_bytes};
use linktriage_core::qr::QrCode;
use linktriage_core::report::{Report, Sharing, SiteDetails, render_pasteable};
use linktriage_core::written::write_up;

const ORIGIN: &str = "https://linktriage.example.nhs.uk";

/// A real report (a run of the default list in the test lab, shared with
/// site details and an address removed), as a golden code holds it.
fn lab_report() -> Report {
    decode(include_str!("golden/v2-default-config-lab.code")).unwrap()
}

#[test]
fn a_report_is_written_out_as_the_desk_will_read_it() {
    let report = lab_report();
    let written = write_up(&checks_wire_bytes(&report), ORIGIN, &report.sharing()).unwrap();
    assert_eq!(decode(&written.code).unwrap(), report);
    assert_eq!(written.text, render_pasteable(&report, &written.code));
    assert!(written.text.ends_with(&format!("{}\n", written.code)));
    assert_eq!(written.link, share_link(ORIGIN, &written.code));
    let qr = written.qr.unwrap();
    let expected = QrCode::encode(written.link.as_bytes()).unwrap();
    assert_eq!(qr.modules, expected.size());
    assert_eq!(qr.path, expected.svg_path());
}

#[test]
fn a_report_too_long_for_a_qr_code_still_has_its_text_code_and_link() {
    let mut report = lab_report();
    // Targets with names that do not compress: a list far longer than any
    // real one, so the link outgrows the largest QR code.
    let results = report.results.clone();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..400 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let mut result = results[i % results.len()].clone();
        result.target = format!("host-{seed:016x}");
        report.results.push(result);
    }
    let written = write_up(&wire_bytes(&report), ORIGIN, &report.sharing()).unwrap();
    assert!(
        written.qr.is_none(),
        "a link of {} characters",
        written.link.len()
    );
    assert_eq!(decode(&written.code).unwrap(), report);
    assert_eq!(written.text, render_pasteable(&report, &written.code));
}

/// The page sends the report as measured and what the clinician chose:
/// the writer adds the site details and takes the addresses out, in the
/// text and in the code alike.
#[test]
fn the_writer_shares_the_report_as_the_clinician_chose() {
    let mut measured = lab_report();
    measured.site = SiteDetails::default();
    measured.addresses_removed = false;
    measured.results[0].target = "server at 10.20.30.40".into();
    let sharing = Sharing {
        site: SiteDetails {
            place: "  Y01234  ".into(),
            ticket: "INC-7".into(),
            note: "slow since 192.168.1.20 rebooted".into(),
        },
        remove_addresses: true,
    };
    let written = write_up(&checks_wire_bytes(&measured), ORIGIN, &sharing).unwrap();
    let expected = measured.shared(&sharing);
    assert_eq!(decode(&written.code).unwrap(), expected);
    assert_eq!(written.text, render_pasteable(&expected, &written.code));
    assert!(written.text.contains("Y01234"), "{}", written.text);
    assert!(!written.text.contains("10.20.30.40"), "{}", written.text);
    assert!(!written.text.contains("192.168.1.20"), "{}", written.text);
    // Asked to keep them, the writer keeps them.
    let kept = Sharing {
        remove_addresses: false,
        ..sharing
    };
    let written = write_up(&checks_wire_bytes(&measured), ORIGIN, &kept).unwrap();
    assert!(written.text.contains("10.20.30.40"), "{}", written.text);
}

#[test]
fn bytes_that_are_not_a_report_are_refused_with_a_reason() {
    for junk in [&b""[..], b"\xff\xff\xff\xff", b"not a report at all"] {
        let why = write_up(junk, ORIGIN, &Sharing::default()).unwrap_err();
        assert!(why.contains("does not read"), "{why}");
    }
}
