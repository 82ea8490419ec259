//! The last frame's text: Crockford's base 32, upper-case letters and digits
//! only, which no Markdown renderer, smart typographer or HTML-to-Markdown
//! converter changes (base64url's `_` and `-` are emphasis and dashes to
//! them), and which a QR code's alphanumeric mode holds at 5.5 bits a
//! character against 8 for base64 in its byte mode.
//!
//! Crockford's alphabet leaves out I, L, O and U; read back, lower case is
//! upper case, and I and L are 1 and O is 0, as a person copying one by hand
//! would mean them.

/// The 32 digits, in order of value.
const DIGITS: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `bytes` as base 32, five bits a character, the last character padded
/// with zero bits (no `=`).
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(DIGITS[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(DIGITS[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The value of one character, as Crockford reads it, or `None`.
fn value(c: u8) -> Option<u32> {
    let value = match c.to_ascii_uppercase() {
        digit @ b'0'..=b'9' => digit - b'0',
        b'O' => 0,
        b'I' | b'L' => 1,
        b'U' => return None,
        upper @ b'A'..=b'Z' => {
            let at = DIGITS.iter().position(|&d| d == upper)?;
            at as u8
        }
        _ => return None,
    };
    Some(u32::from(value))
}

/// The bytes `text` encodes, or the first character that is not a base 32
/// digit (with its place). Only what [`encode`] writes is read: the last
/// character's padding bits must be zero and no character may be left over,
/// so each run of bytes has one text and a changed last character is not
/// read as the same bytes.
pub fn decode(text: &str) -> Result<Vec<u8>, (usize, char)> {
    decode_bits(text, true)
}

/// The whole bytes the start of a text encodes, with any bits left over
/// dropped: for reading what a code says of itself before the rest of it.
pub fn decode_start(start: &str) -> Result<Vec<u8>, (usize, char)> {
    decode_bits(start, false)
}

fn decode_bits(text: &str, whole: bool) -> Result<Vec<u8>, (usize, char)> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    let mut last = None;
    for (at, c) in text.char_indices() {
        let digit = u8::try_from(c).ok().and_then(value).ok_or((at, c))?;
        buffer = ((buffer << 5) | digit) & 0xFFFF;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
        last = Some((at, c));
    }
    match last {
        Some(last) if whole && (bits >= 5 || buffer & ((1 << bits) - 1) != 0) => Err(last),
        _ => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_reads_back_as_written() {
        let bytes: Vec<u8> = (0..=255u8).rev().chain(0..=255).collect();
        for len in 0..40 {
            let text = encode(&bytes[..len]);
            assert_eq!(text.len(), (len * 8).div_ceil(5), "{len} bytes");
            assert!(text.bytes().all(|b| DIGITS.contains(&b)), "{text}");
            assert_eq!(decode(&text).unwrap(), &bytes[..len], "{len} bytes");
        }
        let all = encode(&bytes);
        assert_eq!(decode(&all).unwrap(), bytes);
    }

    #[test]
    fn known_values_and_what_a_person_would_mean() {
        // RFC 4648's test vectors, in Crockford's digits.
        let cases: [(&str, &str); 6] = [
            ("", ""),
            ("f", "CR"),
            ("fo", "CSQG"),
            ("foo", "CSQPY"),
            ("foob", "CSQPYRG"),
            ("foobar", "CSQPYRK1E8"),
        ];
        for (plain, coded) in cases {
            assert_eq!(encode(plain.as_bytes()), coded, "{plain:?}");
            assert_eq!(decode(coded).unwrap(), plain.as_bytes(), "{coded}");
        }
        assert_eq!(
            decode("csqpyrkie8").unwrap(),
            b"foobar",
            "lower case, I for 1"
        );
        assert_eq!(decode("CSQPYRKLE8").unwrap(), b"foobar", "L for 1");
        assert_eq!(decode("CR").unwrap(), decode("Cr").unwrap());
        assert_eq!(
            decode("0O0").unwrap_err(),
            (2, '0'),
            "three characters are never a whole"
        );
        assert_eq!(decode("0O").unwrap(), decode("00").unwrap(), "O for 0");
    }

    #[test]
    fn only_what_encode_writes_is_read() {
        // "CR" is "f"; "CS" has a padding bit set, "CRZ" a character over.
        assert_eq!(decode("CS"), Err((1, 'S')));
        assert_eq!(decode("CRZ"), Err((2, 'Z')));
        assert_eq!(decode("C"), Err((0, 'C')));
    }

    #[test]
    fn anything_else_is_named_with_its_place() {
        assert_eq!(decode("CSQ_YR"), Err((3, '_')));
        assert_eq!(decode("CSQU"), Err((3, 'U')));
        assert_eq!(decode("CS Q"), Err((2, ' ')));
        assert_eq!(decode("CS\\Q"), Err((2, '\\')));
        assert_eq!(decode("CSé"), Err((2, 'é')));
    }
}
