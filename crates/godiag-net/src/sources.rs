//! The connections the firewall verdicts are computed for: from loopback, from another host
//! on the LAN (on the default route's interface), and from the Windows host of a WSL2 VM.
//!
//! A LAN client's address is not known; godiag assumes a neighbour in the interface's subnet
//! (the first host address that is not this machine's) and says so in the report.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use godiag_core::host::Host;

use crate::firewall::eval::Packet;
use crate::firewall::{Origin, Source};
use crate::model::{Family, InterfaceAddress};
use crate::parse::routes::{self, DefaultRoute};

/// Interface names that are bridges or tunnels of this machine, not its LAN.
const VIRTUAL: &[&str] = &[
    "docker", "br-", "veth", "virbr", "cni", "flannel", "cali", "tun", "tap", "wg",
];

/// The default routes of both families.
#[must_use]
pub fn default_routes(host: &dyn Host) -> (Option<DefaultRoute>, Option<DefaultRoute>) {
    let read = |path: &str| host.read_to_string(Path::new(path)).unwrap_or_default();
    (
        routes::default_v4(&read("/proc/net/route")),
        routes::default_v6(&read("/proc/net/ipv6_route")),
    )
}

/// Builds the sources for `port`.
#[must_use]
pub fn build(
    interfaces: &[InterfaceAddress],
    defaults: &(Option<DefaultRoute>, Option<DefaultRoute>),
    wsl_host: Option<IpAddr>,
    port: u16,
) -> Vec<Source> {
    let mut sources = vec![
        source(
            Origin::Loopback,
            "lo",
            Ipv4Addr::LOCALHOST.into(),
            Ipv4Addr::LOCALHOST.into(),
            port,
        ),
        source(
            Origin::Loopback,
            "lo",
            Ipv6Addr::LOCALHOST.into(),
            Ipv6Addr::LOCALHOST.into(),
            port,
        ),
    ];
    for (family, route) in [(Family::Ipv4, &defaults.0), (Family::Ipv6, &defaults.1)] {
        let Some(lan) = lan_address(interfaces, family, route.as_ref()) else {
            continue;
        };
        sources.push(source(
            Origin::Lan,
            &lan.interface,
            neighbour(lan),
            lan.address,
            port,
        ));
        if let (Some(gateway), Family::Ipv4) = (wsl_host, family) {
            sources.push(source(
                Origin::WslHost,
                &lan.interface,
                gateway,
                lan.address,
                port,
            ));
        }
    }
    sources
}

fn source(from: Origin, iif: &str, saddr: IpAddr, daddr: IpAddr, dport: u16) -> Source {
    Source {
        from,
        packet: Packet {
            family: Family::of(daddr),
            iif: iif.to_owned(),
            saddr,
            daddr,
            dport,
            icmpv6_type: None,
        },
    }
}

/// The address LAN clients connect to: on the default route's interface, else the first
/// non-virtual interface.
fn lan_address<'a>(
    interfaces: &'a [InterfaceAddress],
    family: Family,
    route: Option<&DefaultRoute>,
) -> Option<&'a InterfaceAddress> {
    let usable = |a: &&InterfaceAddress| {
        Family::of(a.address) == family && !a.is_loopback() && !a.is_link_local()
    };
    route
        .and_then(|route| {
            interfaces
                .iter()
                .filter(usable)
                .find(|a| a.interface == route.interface)
        })
        .or_else(|| {
            interfaces
                .iter()
                .filter(usable)
                .find(|a| !VIRTUAL.iter().any(|prefix| a.interface.starts_with(prefix)))
        })
}

/// The first host address of the subnet that is not this machine's.
fn neighbour(own: &InterfaceAddress) -> IpAddr {
    match own.address {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let prefix = u32::from(own.prefix.min(32));
            if prefix >= 31 {
                return IpAddr::V4(Ipv4Addr::from(bits ^ 1));
            }
            let network = bits & u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
            let first = network + 1;
            IpAddr::V4(Ipv4Addr::from(if first == bits {
                first + 1
            } else {
                first
            }))
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let prefix = u32::from(own.prefix.min(128));
            if prefix >= 127 {
                return IpAddr::V6(Ipv6Addr::from(bits ^ 1));
            }
            let network = bits & u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
            let first = network + 1;
            IpAddr::V6(Ipv6Addr::from(if first == bits {
                first + 1
            } else {
                first
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(interface: &str, text: &str, prefix: u8) -> InterfaceAddress {
        InterfaceAddress {
            interface: interface.to_owned(),
            address: text.parse().unwrap(),
            prefix,
        }
    }

    #[test]
    fn neighbours_are_in_the_subnet_and_not_us() {
        assert_eq!(
            neighbour(&address("eth0", "10.77.0.1", 24)),
            "10.77.0.2".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            neighbour(&address("eth0", "192.168.1.20", 24)),
            "192.168.1.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            neighbour(&address("eth0", "fd00:77::1", 64)),
            "fd00:77::2".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            neighbour(&address("eth0", "10.0.0.5", 32)),
            "10.0.0.4".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn the_lan_is_the_default_route_interface() {
        let interfaces = [
            address("lo", "127.0.0.1", 8),
            address("docker0", "172.17.0.1", 16),
            address("eth0", "192.168.1.20", 24),
        ];
        let chosen = lan_address(&interfaces, Family::Ipv4, None).unwrap();
        assert_eq!(chosen.interface, "eth0");
        let route = DefaultRoute {
            interface: "docker0".to_owned(),
            gateway: None,
        };
        assert_eq!(
            lan_address(&interfaces, Family::Ipv4, Some(&route))
                .unwrap()
                .interface,
            "docker0"
        );
    }
}
