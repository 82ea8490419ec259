//! Taking IP addresses out of text before a report is shared: in target
//! names a configuration gave, error messages, evidence and what the user
//! typed. This module knows text only: each part of the report lists its own
//! texts through [`Texts`], so that a new text field is placed there when it
//! is added (the lists destructure their structs without `..`).

/// What an address is replaced with.
pub const REMOVED: &str = "[IP address removed]";

/// A part of a report that holds text that may carry an address.
pub trait Texts {
    /// Calls `f` on every such text. Implementations destructure `self`
    /// without `..`, so a new field does not compile until it is listed
    /// here or named as holding no address.
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String));
}

impl<T: Texts> Texts for [T] {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        for item in self {
            item.each_text(f);
        }
    }
}

impl Texts for String {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        f(self);
    }
}

impl<T: Texts> Texts for Option<T> {
    fn each_text(&mut self, f: &mut dyn FnMut(&mut String)) {
        if let Some(inner) = self {
            inner.each_text(f);
        }
    }
}

/// Replaces every IPv4 and IPv6 address in every text of `value`.
pub fn remove_addresses(value: &mut (impl Texts + ?Sized)) {
    value.each_text(&mut |text| *text = without_addresses(text));
}

/// `text` with each IP address (v4, v6, v4 with a port, v6 in brackets)
/// replaced by [`REMOVED`]. Times such as `09:05:30` and version numbers
/// such as `1.2.3` are not addresses and stay.
///
/// Byte by byte, with no substring search or address parser from the
/// standard library: those cost the clinician's page kilobytes it does not
/// have (BENCHMARKS.md). The tests hold the recognisers to the standard
/// library's answers.
pub fn without_addresses(text: &str) -> String {
    let bytes = text.as_bytes();
    let is_token = |b: u8| b.is_ascii_hexdigit() || b == b':' || b == b'.';
    // Letters, digits and anything not ASCII join a token to a word.
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !is_token(bytes[i]) || bytes[i] == b'.' {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_token(bytes[i]) {
            i += 1;
        }
        let joined =
            (start > 0 && is_word(bytes[start - 1])) || bytes.get(i).is_some_and(|&b| is_word(b));
        if let Some(len) = address_prefix(&bytes[start..i]).filter(|_| !joined) {
            // Token bounds are ASCII, so these are character boundaries.
            out.push_str(&text[copied..start]);
            out.push_str(REMOVED);
            copied = start + len;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// How much of `token` (hex digits, colons and dots) is an address: all of
/// it, or all but a port or a full stop ending a sentence.
fn address_prefix(token: &[u8]) -> Option<usize> {
    let mut end = token.len();
    while end > 0 && matches!(token[end - 1], b'.' | b':') {
        end -= 1;
    }
    let trimmed = &token[..end];
    if is_ipv4(trimmed) {
        return Some(end);
    }
    let colons = trimmed.iter().filter(|&&b| b == b':').count();
    if colons >= 2 {
        return is_ipv6(trimmed).then_some(end);
    }
    // An IPv4 address with a port.
    let colon = trimmed.iter().position(|&b| b == b':')?;
    let (host, port) = (&trimmed[..colon], &trimmed[colon + 1..]);
    (is_ipv4(host) && !port.is_empty() && port.iter().all(u8::is_ascii_digit)).then_some(end)
}

/// Four decimal numbers up to 255, of one to three digits and no leading
/// zero, between dots.
fn is_ipv4(text: &[u8]) -> bool {
    let mut parts = 0;
    for part in text.split(|&b| b == b'.') {
        parts += 1;
        let ok = (1..=3).contains(&part.len())
            && part.iter().all(u8::is_ascii_digit)
            && (part.len() == 1 || part[0] != b'0')
            && part.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')) <= 255;
        if !ok {
            return false;
        }
    }
    parts == 4
}

/// Groups of one to four hex digits between colons: eight of them, or
/// fewer with one `::`; the last two may be an IPv4 address.
fn is_ipv6(text: &[u8]) -> bool {
    let gap = text.windows(2).position(|w| w == b"::");
    let (head, tail) = match gap {
        Some(at) => (&text[..at], &text[at + 2..]),
        None => (text, &[][..]),
    };
    let mut groups = 0;
    for (side, may_end_in_ipv4) in [(head, gap.is_none()), (tail, true)] {
        if side.is_empty() {
            continue;
        }
        let count = side.split(|&b| b == b':').count();
        for (j, part) in side.split(|&b| b == b':').enumerate() {
            if may_end_in_ipv4 && j == count - 1 && part.contains(&b'.') {
                if !is_ipv4(part) {
                    return false;
                }
                groups += 2;
            } else if (1..=4).contains(&part.len()) && part.iter().all(u8::is_ascii_hexdigit) {
                groups += 1;
            } else {
                return false;
            }
        }
    }
    match gap {
        Some(_) => groups < 8 && text.len() > 2,
        None => groups == 8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written recognisers agree with the standard library's
    /// parsers (`core::net`: parsing only, no sockets) on a sweep of
    /// awkward forms.
    #[test]
    fn recognisers_agree_with_the_standard_library() {
        let tokens = [
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
            "01.2.3.4",
            "1.2.3.4",
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7",
            "1::2::3",
            "fe80::1",
            "2001:db8::1.2.3.4",
            "::ffff:1.2.3.4",
            "12345::",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3.4",
            "1.2.3.4::",
            ":1:2",
            "1:2:",
            "g::1",
            "a:b:c:d:e:f:0:1",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4::5:6:7:8",
        ];
        for token in tokens {
            assert_eq!(
                is_ipv4(token.as_bytes()),
                token.parse::<core::net::Ipv4Addr>().is_ok(),
                "{token}"
            );
            let v6 = token.contains(':') && token.len() > 2;
            assert_eq!(
                v6 && is_ipv6(token.as_bytes()),
                v6 && token.parse::<core::net::Ipv6Addr>().is_ok(),
                "{token}"
            );
        }
    }

    #[test]
    fn addresses_go_and_everything_else_stays() {
        let r = REMOVED;
        let cases = [
            ("reached 10.1.2.3 in 4 ms", format!("reached {r} in 4 ms")),
            ("at 192.168.0.1.", format!("at {r}.")),
            ("proxy 10.0.0.1:8080 said no", format!("proxy {r} said no")),
            ("v6 2001:db8::1 and fe80::1%", format!("v6 {r} and {r}%")),
            ("[2001:db8:0:0:0:0:0:7]:443", format!("[{r}]:443")),
            ("::ffff:10.0.0.1", r.to_owned()),
            ("at 09:05:30 UTC", "at 09:05:30 UTC".to_owned()),
            ("version 1.2.3", "version 1.2.3".to_owned()),
            (
                "999.1.1.1 is no address",
                "999.1.1.1 is no address".to_owned(),
            ),
            (
                "cafe:babe and deadbeef",
                "cafe:babe and deadbeef".to_owned(),
            ),
            ("HSCN: 3 of 4", "HSCN: 3 of 4".to_owned()),
            ("", String::new()),
            (
                "1:2:3:4:5:6:7:8 and 1:2:3:4:5:6:7",
                format!("{r} and 1:2:3:4:5:6:7"),
            ),
            ("1:2:3:4:5:6:1.2.3.4 or 1::2::3", format!("{r} or 1::2::3")),
            (
                "12345::1 and 1.2.3.04 and 1.2.3.40",
                format!("12345::1 and 1.2.3.04 and {r}"),
            ),
            (
                "::1 loopback and :: alone",
                format!("{r} loopback and :: alone"),
            ),
            ("ünïcödé 10.0.0.1ü", "ünïcödé 10.0.0.1ü".to_owned()),
        ];
        for (text, expected) in cases {
            assert_eq!(without_addresses(text), expected, "{text}");
        }
    }
}
