//! `ip -j address show` (iproute2): the interface addresses of a recorded machine.

use std::net::IpAddr;

use serde::Deserialize;

use crate::model::InterfaceAddress;
use crate::parse::ParseError;

#[derive(Deserialize)]
struct Link {
    ifname: String,
    #[serde(default)]
    addr_info: Vec<AddrInfo>,
}

#[derive(Deserialize)]
struct AddrInfo {
    local: Option<String>,
    prefixlen: Option<u8>,
}

/// Parses the JSON array `ip -j address show` prints.
pub fn parse(text: &str, source: &str) -> Result<Vec<InterfaceAddress>, ParseError> {
    let links: Vec<Link> = serde_json::from_str(text).map_err(|error| {
        ParseError::new(source, error.line(), error.column(), error.to_string())
    })?;
    Ok(links
        .into_iter()
        .flat_map(|link| {
            let name = link.ifname;
            link.addr_info.into_iter().filter_map(move |info| {
                let address: IpAddr = info.local?.parse().ok()?;
                Some(InterfaceAddress {
                    interface: name.clone(),
                    address,
                    prefix: info
                        .prefixlen
                        .unwrap_or(if address.is_ipv4() { 32 } else { 128 }),
                })
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_addresses_of_every_link() {
        let text = r#"[{"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},
            {"ifname":"eth0","addr_info":[{"family":"inet","local":"172.28.16.5","prefixlen":20},{"family":"inet6","local":"fe80::1","prefixlen":64}]},
            {"ifname":"down"}]"#;
        let found = parse(text, "ip").unwrap();
        assert_eq!(found.len(), 3);
        assert_eq!(found[1].interface, "eth0");
        assert_eq!(found[1].prefix, 20);
        assert!(found[2].is_link_local());
    }

    #[test]
    fn bad_json_has_a_position() {
        let error = parse("[{\"ifname\": 3}]", "ip -j address show").unwrap_err();
        assert_eq!(error.line, 1);
        assert!(error.column > 1);
    }
}
