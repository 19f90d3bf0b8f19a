//! What a bind means, in Go's terms, and which addresses reach it.
//!
//! Go's `net.Listen("tcp", ":8080")` (and `"0.0.0.0:8080"`, `"[::]:8080"`) opens ONE
//! `AF_INET6` socket on `::` with `IPV6_V6ONLY=0`, which also takes IPv4 and appears only in
//! `/proc/net/tcp6` (`net/ipsock_posix.go` `favoriteAddrFamily`, `net/sockopt_posix.go`
//! `setDefaultSockopts`). Only `"tcp4"` gives a real `0.0.0.0` socket; `"tcp6"` sets
//! `IPV6_V6ONLY=1`; `"localhost:8080"` binds one address, the first IPv4 one localhost has.
//! The kernel's rule for a destination: an exact address match wins over a wildcard, and an
//! `AF_INET` socket over a dual-stack one (`net/ipv4/inet_hashtables.c` `compute_score`).

use std::net::{IpAddr, Ipv6Addr};

use crate::model::{Family, Listener, RawListener};

/// How a listener reads to a person: `ss`'s spelling, the Go call, and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindMeaning {
    /// What `ss -ltn` prints.
    pub ss_address: String,
    /// The Go call that creates such a socket.
    pub go_listen: String,
    /// One sentence.
    pub meaning: String,
}

/// Describes a raw listener; `default_v6only` is `net.ipv6.bindv6only`, used when the
/// source could not tell.
#[must_use]
pub fn describe(raw: &RawListener, default_v6only: bool) -> BindMeaning {
    let port = raw.port;
    let v6only = raw.v6only.unwrap_or(default_v6only);
    let unknown = raw.v6only.is_none();
    match (raw.family, raw.address) {
        (Family::Ipv6, IpAddr::V6(v6)) if v6.is_unspecified() && !v6only => BindMeaning {
            ss_address: format!("*:{port}"),
            go_listen: format!(
                "net.Listen(\"tcp\", \":{port}\")  (also \"0.0.0.0:{port}\" or \"[::]:{port}\")"
            ),
            meaning: format!(
                "one dual-stack IPv6 socket on every address{}: 127.0.0.1, ::1 and every interface \
                 address reach it, over IPv4 and IPv6 (it appears only in /proc/net/tcp6)",
                if unknown {
                    " (assumed: /proc cannot show IPV6_V6ONLY; net.ipv6.bindv6only is 0)"
                } else {
                    ""
                }
            ),
        },
        (Family::Ipv6, IpAddr::V6(v6)) if v6.is_unspecified() => BindMeaning {
            ss_address: format!("[::]:{port}"),
            go_listen: format!("net.Listen(\"tcp6\", \":{port}\")"),
            meaning:
                "IPv6 only (IPV6_V6ONLY=1) on every address: ::1 and IPv6 interface addresses \
                      reach it; 127.0.0.1 and IPv4 addresses do not"
                    .to_owned(),
        },
        (Family::Ipv4, IpAddr::V4(v4)) if v4.is_unspecified() => BindMeaning {
            ss_address: format!("0.0.0.0:{port}"),
            go_listen: format!("net.Listen(\"tcp4\", \":{port}\")"),
            meaning: "every IPv4 address: 127.0.0.1 and IPv4 interface addresses reach it; ::1 \
                      and IPv6 addresses do not"
                .to_owned(),
        },
        (Family::Ipv4, IpAddr::V4(v4)) if v4.octets() == [127, 0, 0, 1] => BindMeaning {
            ss_address: format!("127.0.0.1:{port}"),
            go_listen: format!(
                "net.Listen(\"tcp\", \"127.0.0.1:{port}\")  (also \"localhost:{port}\")"
            ),
            meaning: "127.0.0.1 only: reachable from this machine (this network namespace) over \
                      IPv4; ::1 and interface addresses do not reach it"
                .to_owned(),
        },
        (Family::Ipv6, IpAddr::V6(v6)) if v6.is_loopback() => BindMeaning {
            ss_address: format!("[::1]:{port}"),
            go_listen: format!("net.Listen(\"tcp\", \"[::1]:{port}\")"),
            meaning: "::1 only: reachable from this machine (this network namespace) over IPv6; \
                      127.0.0.1 and interface addresses do not reach it"
                .to_owned(),
        },
        (Family::Ipv6, IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_some() => BindMeaning {
            ss_address: format!("[{v6}]:{port}"),
            go_listen: "none: Go binds IPv4-mapped addresses as AF_INET sockets".to_owned(),
            meaning: format!(
                "the IPv4-mapped address {v6} on an IPv6 socket: only IPv4 clients of that one \
                 address reach it"
            ),
        },
        (_, address) => {
            let endpoint = std::net::SocketAddr::new(address, port);
            BindMeaning {
                ss_address: endpoint.to_string(),
                go_listen: format!("net.Listen(\"tcp\", \"{endpoint}\")"),
                meaning: format!(
                    "{address} only: clients must connect to exactly that address{}",
                    if address.is_loopback() {
                        " (a loopback address other than 127.0.0.1: localhost does not reach it)"
                    } else {
                        "; 127.0.0.1, ::1 and the other interface addresses do not reach it"
                    }
                ),
            }
        }
    }
}

/// Returns true when a connection to `target` (a local address) reaches `listener`.
#[must_use]
pub fn accepts(listener: &Listener, target: IpAddr, default_v6only: bool) -> bool {
    match (listener.address, target) {
        (IpAddr::V4(bound), IpAddr::V4(to)) => bound.is_unspecified() || bound == to,
        (IpAddr::V4(_), IpAddr::V6(_)) => false,
        (IpAddr::V6(bound), IpAddr::V6(to)) => bound.is_unspecified() || bound == to,
        (IpAddr::V6(bound), IpAddr::V4(to)) => {
            let dual = !listener.v6only.unwrap_or(default_v6only);
            dual && (bound.is_unspecified() || bound.to_ipv4_mapped() == Some(to))
        }
    }
}

/// Returns the listener the kernel hands a connection to `target`, if any: exact address
/// first, then a wildcard; among wildcards an `AF_INET` socket before a dual-stack one.
#[must_use]
pub fn accepting(
    listeners: &[Listener],
    target: IpAddr,
    default_v6only: bool,
) -> Option<&Listener> {
    listeners
        .iter()
        .filter(|listener| accepts(listener, target, default_v6only))
        .min_by_key(|listener| {
            let wildcard = listener.address.is_unspecified();
            let family_rank = u8::from(Family::of(target) != listener.family);
            (u8::from(wildcard), family_rank)
        })
}

/// True for a listener only this machine (network namespace) can reach.
#[must_use]
pub fn is_loopback_only(listener: &Listener) -> bool {
    match listener.address {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6 == Ipv6Addr::LOCALHOST || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listener(address: &str, v6only: Option<bool>) -> Listener {
        let address: IpAddr = address.parse().unwrap();
        let raw = RawListener {
            family: Family::of(address),
            address,
            port: 8080,
            v6only,
            uid: 0,
            inode: 1,
            accept_queue: 0,
            backlog: None,
        };
        let meaning = describe(&raw, false);
        Listener {
            address,
            port: 8080,
            family: raw.family,
            v6only,
            pid: None,
            process: None,
            processes: Vec::new(),
            uid: 0,
            inode: 1,
            accept_queue: 0,
            backlog: None,
            ss_address: meaning.ss_address,
            go_listen: meaning.go_listen,
            meaning: meaning.meaning,
        }
    }

    #[test]
    fn go_binds_are_named_as_ss_prints_them() {
        let table = [
            (
                "::",
                Some(false),
                "*:8080",
                "net.Listen(\"tcp\", \":8080\")",
            ),
            (
                "::",
                Some(true),
                "[::]:8080",
                "net.Listen(\"tcp6\", \":8080\")",
            ),
            (
                "0.0.0.0",
                None,
                "0.0.0.0:8080",
                "net.Listen(\"tcp4\", \":8080\")",
            ),
            (
                "127.0.0.1",
                None,
                "127.0.0.1:8080",
                "net.Listen(\"tcp\", \"127.0.0.1:8080\")",
            ),
            (
                "::1",
                Some(true),
                "[::1]:8080",
                "net.Listen(\"tcp\", \"[::1]:8080\")",
            ),
            (
                "10.1.0.1",
                None,
                "10.1.0.1:8080",
                "net.Listen(\"tcp\", \"10.1.0.1:8080\")",
            ),
        ];
        for (address, v6only, ss, go) in table {
            let found = listener(address, v6only);
            assert_eq!(found.ss_address, ss);
            assert!(found.go_listen.starts_with(go), "{}", found.go_listen);
        }
    }

    #[test]
    fn which_addresses_reach_which_binds() {
        let v4 = |text: &str| text.parse::<IpAddr>().unwrap();
        let dual = listener("::", Some(false));
        let v6only = listener("::", Some(true));
        let any4 = listener("0.0.0.0", None);
        let lo4 = listener("127.0.0.1", None);
        let lo6 = listener("::1", Some(true));
        let one = listener("10.1.0.1", None);
        let cases = [
            (&dual, "127.0.0.1", true),
            (&dual, "::1", true),
            (&dual, "10.1.0.1", true),
            (&v6only, "127.0.0.1", false),
            (&v6only, "::1", true),
            (&any4, "::1", false),
            (&any4, "10.1.0.1", true),
            (&lo4, "10.1.0.1", false),
            (&lo4, "127.0.0.1", true),
            (&lo6, "127.0.0.1", false),
            (&one, "127.0.0.1", false),
            (&one, "10.1.0.1", true),
        ];
        for (bound, target, reached) in cases {
            assert_eq!(
                accepts(bound, v4(target), false),
                reached,
                "{} <- {target}",
                bound.ss_address
            );
        }
    }

    #[test]
    fn the_kernel_prefers_exact_then_ipv4_sockets() {
        let all = [
            listener("::", Some(true)),
            listener("0.0.0.0", None),
            listener("127.0.0.1", None),
        ];
        let to = |text: &str| accepting(&all, text.parse().unwrap(), false).unwrap();
        assert_eq!(to("127.0.0.1").ss_address, "127.0.0.1:8080");
        assert_eq!(to("10.0.0.1").ss_address, "0.0.0.0:8080");
        assert_eq!(to("::1").ss_address, "[::]:8080");
    }
}
