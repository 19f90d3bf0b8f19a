//! Per-link DNS state files systemd writes under /run, used when resolved cannot be asked
//! over D-Bus: `/run/systemd/resolve/netif/IFINDEX` (what `resolvectl dns/domain/default-route`
//! set at run time: `SERVERS=`, `DOMAINS=` with `~` for routing-only, `DEFAULT_ROUTE=`) and
//! `/run/systemd/netif/links/IFINDEX` (what systemd-networkd configured: `DNS=`, `DOMAINS=`,
//! `ROUTE_DOMAINS=`). Both are `KEY=value` lines with space-separated lists.

use serde::Serialize;

use super::{Pos, lines, text};

/// One link's DNS configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LinkDns {
    /// Servers, as written (`10.0.0.1`, `10.0.0.1:53`, `10.0.0.1#name`).
    pub servers: Vec<String>,
    /// Domains; routing-only ones start with `~`.
    pub domains: Vec<String>,
    /// `DEFAULT_ROUTE=`, when set explicitly.
    pub default_route: Option<bool>,
    /// Where `SERVERS=`/`DNS=` was, for findings.
    pub servers_pos: Option<Pos>,
}

/// Parses a state file of either kind.
#[must_use]
pub fn parse(bytes: &[u8]) -> LinkDns {
    let mut link = LinkDns::default();
    for (number, raw) in lines(bytes) {
        let content = text(raw);
        if content.starts_with('#') {
            continue;
        }
        let Some((key, value)) = content.split_once('=') else {
            continue;
        };
        let words = || value.split_whitespace().map(str::to_owned);
        match key.trim() {
            "SERVERS" | "DNS" => {
                link.servers.extend(words());
                link.servers_pos = Some(Pos::at(number, 0));
            }
            "DOMAINS" => link.domains.extend(words()),
            "ROUTE_DOMAINS" => link.domains.extend(words().map(|d| format!("~{d}"))),
            "DEFAULT_ROUTE" => {
                link.default_route = match value.trim() {
                    "yes" | "1" | "true" | "on" => Some(true),
                    "no" | "0" | "false" | "off" => Some(false),
                    _ => None,
                };
            }
            _ => {}
        }
    }
    link
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn reads_resolved_and_networkd_state() {
        let resolved = parse(b"# This is private data.\nSERVERS=10.8.0.1 10.8.0.2\nDOMAINS=~corp.example lab.example\nDEFAULT_ROUTE=no\n");
        assert_eq!(resolved.servers, ["10.8.0.1", "10.8.0.2"]);
        assert_eq!(resolved.domains, ["~corp.example", "lab.example"]);
        assert_eq!(resolved.default_route, Some(false));
        let networkd = parse(b"ADMIN_STATE=configured\nDNS=192.168.1.1\nDOMAINS=home.arpa\nROUTE_DOMAINS=corp.example\n");
        assert_eq!(networkd.domains, ["home.arpa", "~corp.example"]);
        assert_eq!(networkd.default_route, None);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse(&bytes);
        }
    }
}
