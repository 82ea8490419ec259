//! The QR encoder against a reference encoder (Nayuki's qrcodegen), module
//! for module: every version (but the one skipped), every mask, at level L.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first surprise"
)]

use linktriage_core::qr::{QrCode, SKIPPED_VERSION};
use qrcodegen::{Mask, QrCode as Reference, QrCodeEcc, QrSegment, Version};

/// The reference's code for `data` at version `at_least` or above.
fn reference(data: &[u8], mask: u8, at_least: u8) -> Reference {
    Reference::encode_segments_advanced(
        &[QrSegment::make_bytes(data)],
        QrCodeEcc::Low,
        Version::new(at_least),
        Version::MAX,
        Some(Mask::new(mask)),
        false,
    )
    .unwrap()
}

fn same(ours: &QrCode, theirs: &Reference) -> bool {
    let n = ours.size();
    n == theirs.size() as usize
        && (0..n)
            .all(|y| (0..n).all(|x| ours.is_dark(x, y) == theirs.get_module(x as i32, y as i32)))
}

#[test]
fn every_version_and_mask_matches_the_reference_encoder() {
    // The longest data each version holds: one byte more needs the next.
    let version_of =
        |len: usize| QrCode::encode_with_mask(&vec![0; len], 0).map(|c| (c.size() - 17) / 4);
    for version in (1..=40).filter(|&v| v != SKIPPED_VERSION) {
        // Binary search for the last length this version holds.
        let (mut fits, mut too_long) = (0, 2_954);
        while too_long - fits > 1 {
            let mid = (fits + too_long) / 2;
            if version_of(mid).is_some_and(|v| v <= version) {
                fits = mid;
            } else {
                too_long = mid;
            }
        }
        let len = fits;
        assert_eq!(version_of(len), Some(version));
        let data: Vec<u8> = (0..len).map(|i| (i * 7 + version) as u8).collect();
        for mask in 0..8 {
            let ours = QrCode::encode_with_mask(&data, mask).unwrap();
            let theirs = reference(&data, mask, version as u8);
            assert!(
                same(&ours, &theirs),
                "version {version}, mask {mask}, {len} bytes"
            );
        }
    }
}

#[test]
fn a_share_link_encodes_as_the_reference_reads_it() {
    let link = format!(
        "http://127.0.0.1:8080/desk/#{}",
        "LT2.".to_owned() + &"Ab-_9".repeat(230) + ".0a1b2c3d"
    );
    let ours = QrCode::encode(link.as_bytes()).unwrap();
    // Whichever mask ours chose, the reference draws the same code with it.
    let version = ((ours.size() - 17) / 4) as u8;
    let matched = (0..8).any(|mask| same(&ours, &reference(link.as_bytes(), mask, version)));
    assert!(matched);
}
