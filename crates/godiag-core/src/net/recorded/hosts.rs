//! `/etc/hosts` (hosts(5)): `ADDRESS NAME [ALIAS...]`, `#` comments.
//!
//! How a recorded machine resolves names: glibc's `files` source, the addresses a name maps
//! to in file order. Lines that do not start with an address are skipped as glibc skips them.

use std::net::IpAddr;

/// Returns the addresses `/etc/hosts` gives `name` (case-insensitive), in file order.
#[must_use]
pub(super) fn addresses_of(text: &str, name: &str) -> Vec<IpAddr> {
    let mut found = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default();
        let mut words = line.split_whitespace();
        let Some(Ok(address)) = words.next().map(str::parse::<IpAddr>) else {
            continue;
        };
        if words.any(|word| word.eq_ignore_ascii_case(name)) && !found.contains(&address) {
            found.push(address);
        }
    }
    found
}

/// Orders addresses as glibc's getaddrinfo does for loopback answers (RFC 6724 with the
/// default gai.conf: `::1` has precedence 50, IPv4 35), keeping file order otherwise.
#[must_use]
pub(super) fn rfc6724_order(mut addresses: Vec<IpAddr>) -> Vec<IpAddr> {
    addresses.sort_by_key(|address| match address {
        IpAddr::V6(v6) if v6.is_loopback() => 0,
        IpAddr::V6(_) => 1,
        IpAddr::V4(_) => 2,
    });
    addresses
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_address_of_a_name() {
        let text = "127.0.0.1 localhost\n::1 ip6-localhost ip6-loopback # c\n::1 LOCALHOST\nbad localhost\n# 10.0.0.1 localhost\n";
        let found = addresses_of(text, "localhost");
        assert_eq!(
            found,
            vec![
                "127.0.0.1".parse::<IpAddr>().unwrap(),
                "::1".parse().unwrap()
            ]
        );
        assert_eq!(rfc6724_order(found)[0], "::1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn the_wsl_generated_file_gives_localhost_no_ipv6() {
        let text = "127.0.0.1\tlocalhost\n127.0.1.1\tPC.\tPC\n::1     ip6-localhost ip6-loopback\n";
        assert_eq!(
            addresses_of(text, "localhost"),
            vec!["127.0.0.1".parse::<IpAddr>().unwrap()]
        );
    }
}
