//! The last frame's code as text: `LTR`, then in base 32 the payload's
//! length, the payload and its CRC-32. Letters and digits only, so nothing
//! a chat or ticket tool does to punctuation can change it; it carries its
//! own length, so a reader finds its end however a mail client wrapped it,
//! with no punctuation to mark it; and it has no version number, now or
//! ever: what changes is inside, in numbered parts (`parts`).

use super::{DecodeError, base32, crc32};

/// What the code starts with: no digit after `LT`, so no released
/// version's code (`LT1.` to `LT8.`) starts the same.
pub const FRAME_MARK: &str = "LTR";

/// The payload's length is at most this (a report is a few kilobytes): its
/// varint is three bytes at most.
const MAX_PAYLOAD_BYTES: usize = 1 << 20;

/// The code for `payload`.
pub fn frame(payload: &[u8]) -> String {
    let mut bytes = Vec::with_capacity(payload.len() + 8);
    let mut len = payload.len() as u32;
    while len >= 0x80 {
        bytes.push((len as u8) | 0x80);
        len >>= 7;
    }
    bytes.push(len as u8);
    bytes.extend_from_slice(payload);
    bytes.extend_from_slice(&crc32(payload).to_be_bytes());
    format!("{FRAME_MARK}{}", base32::encode(&bytes))
}

/// How many base 32 characters the code whose first characters (after the
/// mark) are `start` has in all, once `start` says: `None` while it is too
/// short to tell, or when what it says is not a length a code can have.
pub fn chars_in(start: &str) -> Option<usize> {
    // Three bytes of length at most: five characters hold them.
    let head: String = start.chars().take(5).collect();
    let bytes = base32::decode_start(&head).ok()?;
    let mut len = 0usize;
    for (i, byte) in bytes.iter().enumerate().take(3) {
        len |= usize::from(byte & 0x7F) << (7 * i);
        if byte & 0x80 == 0 {
            if len > MAX_PAYLOAD_BYTES {
                return None;
            }
            let all = (i + 1) + len + 4;
            return Some((all * 8).div_ceil(5));
        }
    }
    None
}

/// The payload of a whole code (as [`frame`] wrote it, mark included), or
/// why it cannot be read.
pub fn unframe(code: &str) -> Result<Vec<u8>, DecodeError> {
    let text = code
        .strip_prefix(FRAME_MARK)
        .ok_or_else(|| DecodeError::NotAReport("it does not start with LTR".into()))?;
    let Some(chars) = chars_in(text) else {
        return Err(if text.chars().count() < 5 {
            DecodeError::Truncated
        } else {
            DecodeError::TooLong
        });
    };
    match text.chars().count() {
        n if n < chars => return Err(DecodeError::Truncated),
        n if n > chars => return Err(DecodeError::ChecksumMismatch),
        _ => {}
    }
    let bytes = base32::decode(text).map_err(|(_, c)| {
        DecodeError::NotAReport(format!("{c:?} is not a character of a report code"))
    })?;
    // Where the length ends: the first byte without its high bit.
    let head = bytes
        .iter()
        .position(|b| b & 0x80 == 0)
        .map_or(0, |at| at + 1);
    let (payload, checksum) = bytes
        .get(head..)
        .and_then(|rest| rest.split_at_checked(rest.len().checked_sub(4)?))
        .ok_or(DecodeError::Truncated)?;
    if crc32(payload).to_be_bytes() != checksum {
        return Err(DecodeError::ChecksumMismatch);
    }
    Ok(payload.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_reads_back_and_the_code_knows_its_own_length() {
        for len in [0usize, 1, 2, 5, 127, 128, 1_986, 20_000] {
            let payload: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let code = frame(&payload);
            assert!(code.bytes().all(|b| b.is_ascii_alphanumeric()), "{len}");
            assert!(code.starts_with("LTR"));
            let body = &code[FRAME_MARK.len()..];
            assert_eq!(chars_in(body), Some(body.len()), "{len} bytes");
            // Its length is known from its first five characters.
            assert_eq!(chars_in(&body[..5.min(body.len())]), Some(body.len()));
            assert_eq!(unframe(&code).unwrap(), payload, "{len} bytes");
        }
    }

    #[test]
    fn damage_is_refused_and_said() {
        let code = frame(b"a report, deflated");
        assert_eq!(
            unframe(&code[..code.len() - 1]),
            Err(DecodeError::Truncated)
        );
        assert_eq!(unframe("LTR"), Err(DecodeError::Truncated));
        assert_eq!(
            unframe(&format!("{code}7")),
            Err(DecodeError::ChecksumMismatch)
        );
        // Any one character changed to any other digit.
        for at in FRAME_MARK.len()..code.len() {
            for digit in "0123456789ABCDEFGHJKMNPQRSTVWXYZ".chars() {
                let mut changed = code.clone();
                if changed[at..].starts_with(digit) {
                    continue;
                }
                changed.replace_range(at..=at, &digit.to_string());
                assert!(unframe(&changed).is_err(), "{changed}");
            }
        }
        assert!(matches!(
            unframe(&code.replace('A', "_")),
            Err(DecodeError::NotAReport(_) | DecodeError::ChecksumMismatch)
        ));
    }

    #[test]
    fn read_as_a_person_or_a_tool_may_have_changed_its_case() {
        let code = frame(b"the same report");
        let lower = format!("{FRAME_MARK}{}", code[FRAME_MARK.len()..].to_lowercase());
        assert_eq!(unframe(&lower).unwrap(), b"the same report");
    }
}
