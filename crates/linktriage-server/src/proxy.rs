//! Whose address a request is from, behind proxies: `X-Forwarded-For` is
//! believed only when the connection comes from an address given with
//! `--trusted-proxy CIDR`, and then only as far as the trusted hops go, so a
//! client cannot name itself someone else by sending the header.

use std::net::IpAddr;

/// An address block: `10.0.0.0/8`, `fd00::/8`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Cidr, String> {
        let wrong = || format!("{text:?} is not an address block such as 10.0.0.0/8 or fd00::/8");
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address.trim().parse().map_err(|_| wrong())?;
        let longest = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.trim().parse::<u8>().map_err(|_| wrong())?,
            None => longest,
        };
        if prefix > longest {
            return Err(format!(
                "{text:?}: the prefix is longer than the address ({longest} bits)"
            ));
        }
        Ok(Cidr { network, prefix })
    }
}

impl Cidr {
    /// Whether `address` is in the block (an IPv4 address seen as IPv6,
    /// `::ffff:10.1.2.3`, is taken as the IPv4 address it is).
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                same_prefix(&network.octets(), &address.octets(), self.prefix)
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                same_prefix(&network.octets(), &address.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

fn same_prefix(a: &[u8], b: &[u8], bits: u8) -> bool {
    let (whole, rest) = (usize::from(bits / 8), bits % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    rest == 0 || (a[whole] ^ b[whole]) >> (8 - rest) == 0
}

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<Cidr>);

impl TrustedProxies {
    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|block| block.contains(address))
    }

    /// The client's address: the connection's peer, unless the peer is a
    /// trusted proxy; then the nearest address in `X-Forwarded-For` (read
    /// from the right, as each proxy appends the address it saw) that is
    /// not itself a trusted proxy. An entry that is not an address ends the
    /// walk at the hop that added it.
    ///
    /// With it, what of the request's proxy headers the deployment's
    /// own proxies did not write: a trusted proxy's `X-Forwarded-For`
    /// entries and its other forwarding headers are the deployment's, not
    /// something on the clinician's path, and must not read as
    /// interception; entries left of the client came with the request and
    /// are kept.
    pub fn behind(&self, peer: IpAddr, forwarded_for: &[&str]) -> Behind {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return Behind {
                client: peer,
                from_trusted_proxy: false,
                forwarded_before: None,
            };
        }
        let hops: Vec<&str> = forwarded_for
            .iter()
            .flat_map(|header| header.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        let mut believed = 0;
        for hop in hops.iter().rev() {
            let Some(address) = address_of(hop) else {
                break;
            };
            client = address;
            believed += 1;
            if !self.trusts(address) {
                break;
            }
        }
        let before = &hops[..hops.len() - believed];
        Behind {
            client,
            from_trusted_proxy: true,
            forwarded_before: (!before.is_empty()).then(|| before.join(", ")),
        }
    }
}

/// Who a request is from, behind the deployment's proxies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behind {
    pub client: IpAddr,
    /// Whether it came through a trusted proxy, whose forwarding headers
    /// ([`FORWARDING_HEADERS`]) are then its own.
    pub from_trusted_proxy: bool,
    /// `X-Forwarded-For` as it was before the trusted proxies and the hop
    /// they saw: written by something on the client's side.
    pub forwarded_before: Option<String>,
}

/// The headers a reverse proxy writes about the request it forwards.
pub const FORWARDING_HEADERS: [&str; 7] = [
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-forwarded-port",
    "x-real-ip",
    "forwarded",
    "via",
];

/// Whether a request came without any forwarding header: straight from
/// the client, as far as the server can tell, so that the connection it
/// came on is the client's own (behind a proxy it is the proxy's).
pub fn came_straight(headers: &axum::http::HeaderMap) -> bool {
    !FORWARDING_HEADERS
        .iter()
        .any(|name| headers.contains_key(*name))
}

/// An address as proxies write it: bare, with a port, or bracketed IPv6.
fn address_of(hop: &str) -> Option<IpAddr> {
    if let Ok(address) = hop.parse::<IpAddr>() {
        return Some(address.to_canonical());
    }
    if let Ok(socket) = hop.parse::<std::net::SocketAddr>() {
        return Some(socket.ip().to_canonical());
    }
    hop.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|h| h.parse::<IpAddr>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    fn trusted(blocks: &[&str]) -> TrustedProxies {
        TrustedProxies(blocks.iter().filter_map(|b| b.parse().ok()).collect())
    }

    #[test]
    fn blocks_read_and_hold_their_addresses() {
        let cases = [
            ("10.0.0.0/8", "10.255.1.2", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("192.168.4.0/22", "192.168.7.255", true),
            ("192.168.4.0/22", "192.168.8.0", false),
            ("203.0.113.9", "203.0.113.9", true),
            ("203.0.113.9", "203.0.113.8", false),
            ("0.0.0.0/0", "198.51.100.1", true),
            ("fd00::/8", "fd12:3456::1", true),
            ("fd00::/8", "fe80::1", false),
            ("10.0.0.0/8", "::ffff:10.1.2.3", true),
            ("::/0", "10.1.2.3", false),
        ];
        for (block, address, inside) in cases {
            let cidr: Cidr = block.parse().unwrap_or(Cidr {
                network: ip("255.255.255.255"),
                prefix: 32,
            });
            assert_eq!(cidr.contains(ip(address)), inside, "{block} {address}");
        }
    }

    #[test]
    fn a_wrong_block_says_what_is_wrong() {
        let cases = [
            (
                "10.0.0.0/33",
                "the prefix is longer than the address (32 bits)",
            ),
            (
                "fd00::/129",
                "the prefix is longer than the address (128 bits)",
            ),
            ("10.0.0/8", "is not an address block such as 10.0.0.0/8"),
            ("10.0.0.0/x", "is not an address block"),
            ("", "is not an address block"),
        ];
        for (text, expected) in cases {
            let error = text.parse::<Cidr>().err().unwrap_or_default();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn the_forwarded_address_is_believed_only_as_far_as_the_trusted_hops_go() {
        let proxies = trusted(&["10.0.0.0/8", "192.0.2.1"]);
        // (peer, X-Forwarded-For headers, client)
        let cases: [(&str, &[&str], &str); 9] = [
            // Not from a proxy: the header is the client's own words.
            ("198.51.100.7", &["203.0.113.5"], "198.51.100.7"),
            // From a proxy: the address it saw.
            ("10.0.0.2", &["203.0.113.5"], "203.0.113.5"),
            // A client's own entry left of the proxy's is not believed.
            ("10.0.0.2", &["1.2.3.4, 203.0.113.5"], "203.0.113.5"),
            // Two trusted hops, then the client.
            ("10.0.0.2", &["203.0.113.5, 192.0.2.1"], "203.0.113.5"),
            // Headers in the order they came, read from the last.
            (
                "10.0.0.2",
                &["1.2.3.4", "203.0.113.5, 10.9.9.9"],
                "203.0.113.5",
            ),
            // With ports, and IPv6 in brackets.
            ("10.0.0.2", &["[2001:db8::7]:443"], "2001:db8::7"),
            ("10.0.0.2", &["203.0.113.5:51234"], "203.0.113.5"),
            // Not an address: the walk stops at the hop that wrote it.
            ("10.0.0.2", &["203.0.113.5, unknown"], "10.0.0.2"),
            // No header from a proxy: the proxy is all there is.
            ("::ffff:10.0.0.2", &[], "10.0.0.2"),
        ];
        for (peer, headers, client) in cases {
            assert_eq!(
                proxies.behind(ip(peer), headers).client,
                ip(client),
                "{peer} {headers:?}"
            );
        }
        // What came before the proxies is the request's own.
        assert_eq!(
            proxies.behind(ip("10.0.0.2"), &["198.51.100.1, 203.0.113.5"]),
            Behind {
                client: ip("203.0.113.5"),
                from_trusted_proxy: true,
                forwarded_before: Some("198.51.100.1".into()),
            }
        );
        assert_eq!(
            proxies
                .behind(ip("10.0.0.2"), &["203.0.113.5, 10.1.1.1"])
                .forwarded_before,
            None
        );
        assert_eq!(
            TrustedProxies::default()
                .behind(ip("10.0.0.2"), &["203.0.113.5"])
                .client,
            ip("10.0.0.2"),
            "nobody is trusted unless named"
        );
    }
}
