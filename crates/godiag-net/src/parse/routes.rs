//! `/proc/net/route` and `/proc/net/ipv6_route`: which interface and gateway the default
//! route uses.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A default route (destination `0.0.0.0/0` or `::/0`) from the routing table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultRoute {
    /// The interface the route leaves through, e.g. `eth0`.
    pub interface: String,
    /// The gateway, when the route has one.
    pub gateway: Option<IpAddr>,
}

/// Finds the IPv4 default route in `/proc/net/route` (`Iface Destination Gateway Flags ...
/// Mask`, addresses as native-order hex words).
#[must_use]
pub fn default_v4(text: &str) -> Option<DefaultRoute> {
    text.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 8 || fields[1] != "00000000" || fields[7] != "00000000" {
            return None;
        }
        let gateway = u32::from_str_radix(fields[2], 16).ok()?;
        Some(DefaultRoute {
            interface: fields[0].to_owned(),
            gateway: (gateway != 0).then(|| IpAddr::V4(Ipv4Addr::from(gateway.to_ne_bytes()))),
        })
    })
}

/// Finds the IPv6 default route in `/proc/net/ipv6_route` (`dest plen src plen nexthop
/// metric refcnt use flags iface`, addresses as 32 hex digits in network order).
#[must_use]
pub fn default_v6(text: &str) -> Option<DefaultRoute> {
    text.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 10 || fields[0].bytes().any(|b| b != b'0') || fields[1] != "00" {
            return None;
        }
        if fields[9] == "lo" {
            return None;
        }
        let gateway = u128::from_str_radix(fields[4], 16).ok()?;
        Some(DefaultRoute {
            interface: fields[9].to_owned(),
            gateway: (gateway != 0).then(|| IpAddr::V6(Ipv6Addr::from(gateway))),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_routes() {
        let v4 = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t0110A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\neth0\t0010A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
        let route = default_v4(v4).unwrap();
        assert_eq!(route.interface, "eth0");
        if cfg!(target_endian = "little") {
            assert_eq!(route.gateway, Some("192.168.16.1".parse().unwrap()));
        }
        let v6 = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 eth0\n00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200 lo\n";
        let route = default_v6(v6).unwrap();
        assert_eq!(route.gateway, Some("fe80::1".parse().unwrap()));
    }
}
