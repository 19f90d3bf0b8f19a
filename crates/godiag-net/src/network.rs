//! Sockets: the part of the machine [`godiag_core::host::Host`] does not cover.
//!
//! [`Network`] is the seam for the socket table (netlink), connection probes, interface
//! addresses, name lookups and whether nftables holds any table (netlink). [`LiveNetwork`]
//! talks to this machine's kernel; [`RecordedNetwork`] answers for a fixture machine
//! (`--root`) from its files, read through its `Host`: no socket table (so the
//! `/proc/net/tcp` fallback runs), probe answers from `/.godiag/probes`, addresses from a
//! recorded `ip -j address show`, names from `/etc/hosts`, and no table count (so the
//! recorded `nft -j list ruleset` is read).

mod http;
mod nf_tables;
mod sock_diag;

use std::io;
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use godiag_core::host::{CommandLine, Host};
use godiag_core::runner::duration_ms;

use crate::model::{ConnectOutcome, ConnectResult, InterfaceAddress, Protocol, RawListener};
use crate::parse::{hosts, ip_address};

/// Where a recorded machine keeps its probe answers.
pub const RECORDED_PROBES: &str = "/.godiag/probes";

/// Sockets, probes, addresses and names.
pub trait Network: Send + Sync {
    /// Returns every TCP socket in LISTEN from the kernel's socket table (`sock_diag`).
    fn tcp_listeners(&self) -> io::Result<Vec<RawListener>>;
    /// Connects to `address`, then asks for `GET /` and reports what answered.
    fn probe(&self, address: SocketAddr, timeout: Duration) -> ConnectResult;
    /// Returns every interface address.
    fn interfaces(&self) -> io::Result<Vec<InterfaceAddress>>;
    /// Resolves a name the way a C program (and a browser) on this machine would.
    fn resolve(&self, name: &str) -> io::Result<Vec<IpAddr>>;
    /// Returns how many nftables tables the kernel holds (with none, there is no rule to
    /// read and `nft` need not run).
    fn nftables_tables(&self) -> io::Result<usize>;
}

/// This machine.
#[derive(Debug, Default, Clone, Copy)]
pub struct LiveNetwork;

impl Network for LiveNetwork {
    fn tcp_listeners(&self) -> io::Result<Vec<RawListener>> {
        sock_diag::tcp_listeners()
    }

    fn probe(&self, address: SocketAddr, timeout: Duration) -> ConnectResult {
        let started = Instant::now();
        let stream = match TcpStream::connect_timeout(&address, timeout) {
            Ok(stream) => stream,
            Err(error) => {
                return ConnectResult {
                    outcome: classify(&error),
                    error: Some(error.to_string()),
                    http_status: None,
                    protocol: None,
                    duration_ms: duration_ms(started.elapsed()),
                };
            }
        };
        let left = timeout.saturating_sub(started.elapsed());
        let (protocol, http_status) = http::exchange(stream, address, left);
        ConnectResult {
            outcome: ConnectOutcome::Open,
            error: None,
            http_status,
            protocol: Some(protocol),
            duration_ms: duration_ms(started.elapsed()),
        }
    }

    fn interfaces(&self) -> io::Result<Vec<InterfaceAddress>> {
        Ok(if_addrs::get_if_addrs()?
            .into_iter()
            .map(|interface| InterfaceAddress {
                address: interface.ip(),
                prefix: match &interface.addr {
                    if_addrs::IfAddr::V4(v4) => v4.prefixlen,
                    if_addrs::IfAddr::V6(v6) => v6.prefixlen,
                },
                interface: interface.name,
            })
            .collect())
    }

    fn nftables_tables(&self) -> io::Result<usize> {
        nf_tables::table_count()
    }

    fn resolve(&self, name: &str) -> io::Result<Vec<IpAddr>> {
        let mut found = Vec::new();
        for address in (name, 0).to_socket_addrs()? {
            if !found.contains(&address.ip()) {
                found.push(address.ip());
            }
        }
        Ok(found)
    }
}

/// Maps a connect error to what it means for reachability (see the research table: refused =
/// no listener or tcp reset; timeout = drop; EHOSTUNREACH = ICMP admin-prohibited over IPv4;
/// EACCES = the same over IPv6).
fn classify(error: &io::Error) -> ConnectOutcome {
    const EPERM: i32 = 1;
    const EACCES: i32 = 13;
    const ENETUNREACH: i32 = 101;
    const EHOSTUNREACH: i32 = 113;
    match (error.kind(), error.raw_os_error()) {
        (io::ErrorKind::ConnectionRefused, _) => ConnectOutcome::Refused,
        (io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock, _) => ConnectOutcome::Timeout,
        (_, Some(EHOSTUNREACH | ENETUNREACH)) => ConnectOutcome::Unreachable,
        (_, Some(EACCES | EPERM)) => ConnectOutcome::Denied,
        _ => ConnectOutcome::Error,
    }
}

/// A fixture machine, answered from its recorded files.
#[derive(Clone)]
pub struct RecordedNetwork {
    host: Arc<dyn Host>,
}

impl RecordedNetwork {
    /// A recorded network over a fixture host.
    #[must_use]
    pub fn new(host: Arc<dyn Host>) -> Self {
        Self { host }
    }
}

impl Network for RecordedNetwork {
    fn tcp_listeners(&self) -> io::Result<Vec<RawListener>> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "a recorded machine has no kernel socket table",
        ))
    }

    fn probe(&self, address: SocketAddr, _timeout: Duration) -> ConnectResult {
        let text = self
            .host
            .read_to_string(Path::new(RECORDED_PROBES))
            .unwrap_or_default();
        recorded_probe(&text, address).unwrap_or(ConnectResult {
            outcome: ConnectOutcome::NotRun,
            error: Some("not run: a recorded machine has no network".to_owned()),
            http_status: None,
            protocol: None,
            duration_ms: 0,
        })
    }

    fn interfaces(&self) -> io::Result<Vec<InterfaceAddress>> {
        let command = CommandLine::new("ip", &["-j", "address", "show"]);
        let output = self.host.run(&command, Duration::from_secs(1))?;
        let text = String::from_utf8_lossy(&output.stdout);
        ip_address::parse(&text, &command.display())
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error.to_string()))
    }

    fn nftables_tables(&self) -> io::Result<usize> {
        // The recorded `nft -j list ruleset` answers instead.
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "a recorded machine has no kernel to ask",
        ))
    }

    fn resolve(&self, name: &str) -> io::Result<Vec<IpAddr>> {
        let text = self.host.read_to_string(Path::new("/etc/hosts"))?;
        let found = hosts::rfc6724_order(hosts::addresses_of(&text, name));
        if found.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{name} is not in the recorded /etc/hosts"),
            ));
        }
        Ok(found)
    }
}

/// Finds `address` in a recorded probes file: `TARGET OUTCOME [http=N|tls|other|silent]`.
fn recorded_probe(text: &str, address: SocketAddr) -> Option<ConnectResult> {
    let target = address.to_string();
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .map(str::split_whitespace)
        .find_map(|mut words| {
            if words.next()? != target {
                return None;
            }
            let outcome = ConnectOutcome::from_name(words.next()?)?;
            let detail = words.next();
            let (protocol, http_status) = match detail {
                Some(word) if word.starts_with("http=") => {
                    (Some(Protocol::Http), word[5..].parse().ok())
                }
                Some("tls") => (Some(Protocol::Tls), None),
                Some("other") => (Some(Protocol::Other), None),
                Some("silent") => (Some(Protocol::Silent), None),
                _ => (None, None),
            };
            let error = match outcome {
                ConnectOutcome::Open => None,
                ConnectOutcome::Refused => Some("Connection refused (os error 111)"),
                ConnectOutcome::Timeout => Some("connection timed out"),
                ConnectOutcome::Unreachable => Some("No route to host (os error 113)"),
                ConnectOutcome::Denied => Some("Permission denied (os error 13)"),
                ConnectOutcome::Error | ConnectOutcome::NotRun => Some("recorded failure"),
            };
            Some(ConnectResult {
                outcome,
                error: error.map(str::to_owned),
                http_status,
                protocol,
                duration_ms: 0,
            })
        })
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    #[test]
    fn recorded_probes_are_found_by_target() {
        let text = "# recorded\n127.0.0.1:8080 open http=200\n[::1]:8080 refused\n";
        let open = recorded_probe(text, "127.0.0.1:8080".parse().unwrap()).unwrap();
        assert_eq!(open.outcome, ConnectOutcome::Open);
        assert_eq!(open.http_status, Some(200));
        let refused = recorded_probe(text, "[::1]:8080".parse().unwrap()).unwrap();
        assert_eq!(refused.outcome, ConnectOutcome::Refused);
        assert!(recorded_probe(text, "10.0.0.1:8080".parse().unwrap()).is_none());
    }

    #[test]
    fn live_probe_of_a_closed_port_is_refused() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let result = LiveNetwork.probe(address, Duration::from_secs(2));
        assert_eq!(result.outcome, ConnectOutcome::Refused);
        assert!(result.error.is_some());
    }

    #[test]
    fn live_socket_table_lists_a_listener_this_test_opens() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let table = LiveNetwork.tcp_listeners().unwrap();
        assert!(
            table
                .iter()
                .any(|row| row.port == port && row.address == IpAddr::from([127, 0, 0, 1]))
        );
    }
}
