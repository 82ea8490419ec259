//! Fuzz target: any bytes through every way a report is read and shown. As
//! pasted text, through the extractor and the decoder of each code found;
//! and wrapped in a valid code (checksum and all) as compressed content and
//! as raw wire bytes, so the inflater and the wire reader see arbitrary input
//! that a checksum would otherwise turn away, and whatever report that makes
//! (any figure, any text) goes through everything the desk view does with
//! one. libFuzzer fails the run on a panic, on an input slower than its
//! `-timeout`, and on memory beyond its `-rss_limit_mb`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use linktriage_core::codec::{decode, deflate_stored, finish, to_json};
use linktriage_core::desk::{read_paste, row, shared_faults};
use linktriage_core::report::{Report, Sharing, render_pasteable};

fuzz_target!(|data: &[u8]| {
    if let Ok(entries) = read_paste(&String::from_utf8_lossy(data)) {
        for entry in entries {
            // Reading is deterministic: the code found reads as reported.
            assert_eq!(decode(&entry.code), entry.report);
        }
    }
    for code in [finish(data), finish(&deflate_stored(data))] {
        if let Ok(report) = decode(&code) {
            show(&report, &code);
        }
    }
});

/// What the desk view does with a report it has read.
fn show(report: &Report, code: &str) {
    let _ = render_pasteable(report, code);
    let _ = row(report, 1);
    let _ = to_json(&[report]);
    let shared = report.shared(&Sharing {
        remove_addresses: true,
        ..report.sharing()
    });
    let _ = render_pasteable(&shared, code);
    for fault in shared_faults([report, &shared]) {
        let _ = fault.headline();
    }
}
