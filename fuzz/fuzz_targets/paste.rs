//! Fuzz target: any bytes through every way a report is read. As pasted
//! text, through the extractor and the decoder of each code found; and
//! wrapped in a valid code (checksum and all) as compressed content and as
//! raw wire bytes, so the inflater and the wire reader see arbitrary input
//! that a checksum would otherwise turn away. libFuzzer fails the run on a
//! panic, on an input slower than its `-timeout`, and on memory beyond its
//! `-rss_limit_mb`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use linktriage_core::codec::{decode, deflate_stored, finish};
use linktriage_core::desk::read_paste;

fuzz_target!(|data: &[u8]| {
    if let Ok(entries) = read_paste(&String::from_utf8_lossy(data)) {
        for entry in entries {
            // Reading is deterministic: the code found reads as reported.
            assert_eq!(decode(&entry.code), entry.report);
        }
    }
    let _ = decode(&finish(data));
    let _ = decode(&finish(&deflate_stored(data)));
});
