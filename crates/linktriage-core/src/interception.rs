//! Reading the signs of a proxy or security product from what the server saw.

use crate::check::Interception;
use crate::wire::CHECK_HEADER;

/// Request headers a browser itself sends. Anything else that reaches the
/// server was added on the way (`via`, `x-forwarded-for`, `x-bluecoat-via`,
/// a security product's tag). Compared by prefix where browsers vary.
const SENT_BY_BROWSERS: &[&str] = &[
    "host",
    "connection",
    "user-agent",
    "accept",
    "accept-encoding",
    "accept-language",
    "origin",
    "referer",
    "cache-control",
    "pragma",
    "priority",
    "dnt",
    "te",
    "upgrade-insecure-requests",
    "content-type",
    "content-length",
    "cookie",
    "sec-",
    CHECK_HEADER,
];

/// Compares what the server saw with what the app sent.
///
/// `headers_seen`: request headers as the server received them.
/// `token_sent`: the value the app put in the check header.
/// `payload_difference_at`: from [`crate::payload::first_difference`].
pub fn analyse(
    headers_seen: &[(String, String)],
    token_sent: &str,
    payload_difference_at: Option<usize>,
) -> Interception {
    let injected_headers = headers_seen
        .iter()
        .filter(|(name, _)| {
            let name = name.to_ascii_lowercase();
            !SENT_BY_BROWSERS
                .iter()
                .any(|known| name == *known || (known.ends_with('-') && name.starts_with(known)))
        })
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    let token_seen = headers_seen
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(CHECK_HEADER))
        .map(|(_, value)| value.as_str());
    let altered_check_header = match token_seen {
        Some(seen) if seen == token_sent => None,
        Some(seen) => Some(format!("sent \"{token_sent}\", arrived as \"{seen}\"")),
        None => Some(format!("sent \"{token_sent}\", never arrived")),
    };
    Interception {
        injected_headers,
        altered_check_header,
        payload_difference_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).into(), (*v).into()))
            .collect()
    }

    const CHROMIUM: &[(&str, &str)] = &[
        ("host", "probe.example"),
        ("connection", "keep-alive"),
        ("sec-ch-ua-platform", "\"Linux\""),
        ("user-agent", "Mozilla/5.0"),
        ("accept", "*/*"),
        ("sec-fetch-site", "same-origin"),
        ("accept-encoding", "gzip, deflate, br, zstd"),
        ("accept-language", "en-GB"),
        ("x-linktriage-check", "t1"),
    ];

    #[test]
    fn what_chromium_sends_is_clean() {
        assert!(analyse(&headers(CHROMIUM), "t1", None).is_clean());
    }

    #[test]
    fn each_sign_of_interception_is_named() {
        let mut seen = headers(CHROMIUM);
        seen.push(("via".into(), "1.1 webfilter".into()));
        seen.push(("X-Forwarded-For".into(), "10.0.0.7".into()));
        let found = analyse(&seen, "t1", Some(40));
        assert_eq!(
            found.injected_headers,
            ["via: 1.1 webfilter", "X-Forwarded-For: 10.0.0.7"]
        );
        assert_eq!(found.payload_difference_at, Some(40));
        assert_eq!(found.altered_check_header, None);

        let changed = headers(&[("x-linktriage-check", "rewritten")]);
        let found = analyse(&changed, "t1", None);
        assert_eq!(
            found.altered_check_header.as_deref(),
            Some("sent \"t1\", arrived as \"rewritten\"")
        );
        let found = analyse(&headers(&[("host", "h")]), "t1", None);
        assert_eq!(
            found.altered_check_header.as_deref(),
            Some("sent \"t1\", never arrived")
        );
    }
}
