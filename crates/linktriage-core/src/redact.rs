//! Taking IP addresses out of a report before it is shared: in target names
//! a configuration gave, error messages, evidence and what the user typed.
//! The browser's user agent is left alone: it holds version numbers that
//! look like addresses (`Chrome/156.0.0.0`) and never an address.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::check::Measurement;
use crate::report::Report;

/// What an address is replaced with.
pub const REMOVED: &str = "[IP address removed]";

/// Replaces every IPv4 and IPv6 address in every text of `report`.
pub fn remove_addresses(report: &mut Report) {
    let mut texts: Vec<&mut String> = vec![
        &mut report.config_name,
        &mut report.config_version,
        &mut report.site.place,
        &mut report.site.ticket,
        &mut report.site.note,
    ];
    for result in &mut report.results {
        texts.push(&mut result.target);
        match &mut result.measurement {
            Measurement::WebSocket(ws) => texts.extend(ws.failure.as_mut()),
            Measurement::Download(t) | Measurement::Upload(t) => texts.extend(t.failure.as_mut()),
            Measurement::Interception(i) => {
                texts.extend(i.injected_headers.iter_mut());
                texts.extend(i.altered_check_header.as_mut());
            }
            Measurement::NotTested(n) => texts.push(&mut n.reason),
            Measurement::Reach(_)
            | Measurement::RoundTrips(_)
            | Measurement::Clock(_)
            | Measurement::LocalAgent(_) => {}
        }
    }
    for finding in &mut report.verdict.findings {
        texts.push(&mut finding.headline);
        texts.push(&mut finding.next_step);
        texts.push(&mut finding.resolver);
        texts.extend(finding.evidence.iter_mut());
    }
    for text in texts {
        *text = without_addresses(text);
    }
}

/// `text` with each IP address (v4, v6, v4 with a port, v6 in brackets)
/// replaced by [`REMOVED`]. Times such as `09:05:30` and version numbers
/// such as `1.2.3` are not addresses and stay.
pub fn without_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_hexdigit() || c == ':') {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let token_len = from
            .find(|c: char| !(c.is_ascii_hexdigit() || c == ':' || c == '.'))
            .unwrap_or(from.len());
        let (token, after) = from.split_at(token_len);
        let joined_to_a_word = out.chars().last().is_some_and(char::is_alphanumeric)
            || after.chars().next().is_some_and(char::is_alphanumeric);
        match address_prefix(token) {
            Some(len) if !joined_to_a_word => {
                out.push_str(REMOVED);
                out.push_str(&token[len..]);
            }
            _ => out.push_str(token),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// How much of `token` (hex digits, colons and dots) is an address: all of
/// it, or all but a port or a full stop ending a sentence.
fn address_prefix(token: &str) -> Option<usize> {
    let trimmed = token.trim_end_matches(['.', ':']);
    if trimmed.parse::<Ipv4Addr>().is_ok() && trimmed.split('.').count() == 4 {
        return Some(trimmed.len());
    }
    if trimmed.contains("::") || trimmed.matches(':').count() >= 2 {
        if trimmed.len() > 2 && trimmed.parse::<Ipv6Addr>().is_ok() {
            return Some(trimmed.len());
        }
        return None;
    }
    // An IPv4 address with a port.
    let (host, port) = trimmed.split_once(':')?;
    (host.parse::<Ipv4Addr>().is_ok() && port.bytes().all(|b| b.is_ascii_digit()))
        .then_some(trimmed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ("ünïcödé 10.0.0.1ü", "ünïcödé 10.0.0.1ü".to_owned()),
        ];
        for (text, expected) in cases {
            assert_eq!(without_addresses(text), expected, "{text}");
        }
    }
}
