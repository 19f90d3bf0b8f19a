//! Connection probes: which addresses to try, tried concurrently under one deadline.
//!
//! Targets are 127.0.0.1, `::1`, what `localhost` resolves to on this machine, and every
//! non-loopback interface address (link-local IPv6 needs a zone and is skipped). A probe to
//! this machine's own interface address travels over `lo`, so it shows what the bind allows,
//! not what the firewall does to traffic from other hosts.

mod http;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use godiag_core::net::{NetErrorKind, Network, TcpExchange};
use godiag_core::runner::duration_ms;

use crate::model::{ConnectOutcome, ConnectResult, InterfaceAddress, Probe};

/// The longest a single probe waits for a handshake and an answer.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(1500);

/// An address to probe and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The address connected to; the port is the one asked about.
    pub address: IpAddr,
    /// `loopback`, `localhost`, `interface eth0`.
    pub reached_as: Vec<String>,
}

/// Builds the target list: loopback, localhost's addresses, interface addresses.
#[must_use]
pub fn targets(localhost: &[IpAddr], interfaces: &[InterfaceAddress]) -> Vec<Target> {
    let mut targets: Vec<Target> = Vec::new();
    let mut add = |address: IpAddr, why: String| {
        if let Some(target) = targets.iter_mut().find(|t| t.address == address) {
            if !target.reached_as.contains(&why) {
                target.reached_as.push(why);
            }
        } else {
            targets.push(Target {
                address,
                reached_as: vec![why],
            });
        }
    };
    add(IpAddr::V4(Ipv4Addr::LOCALHOST), "loopback".to_owned());
    add(IpAddr::V6(Ipv6Addr::LOCALHOST), "loopback".to_owned());
    for address in localhost {
        add(*address, "localhost".to_owned());
    }
    for interface in interfaces {
        if !interface.is_loopback() && !interface.is_link_local() {
            add(
                interface.address,
                format!("interface {}", interface.interface),
            );
        }
    }
    targets
}

/// Probes every target concurrently; a probe still running at `deadline` is a timeout.
/// `expected_listener` is left for the caller, who knows the socket table.
#[must_use]
pub fn run(
    network: &Arc<dyn Network>,
    targets: &[Target],
    port: u16,
    deadline: Duration,
) -> Vec<Probe> {
    let started = Instant::now();
    // Leave room for scheduling on a busy machine: a probe must report before the deadline.
    let timeout = PROBE_TIMEOUT.min(deadline.mul_f32(0.6));
    let (sender, receiver) = mpsc::channel();
    for (index, target) in targets.iter().enumerate() {
        let (sender, network, address) = (
            sender.clone(),
            Arc::clone(network),
            SocketAddr::new(target.address, port),
        );
        let spawned = thread::Builder::new()
            .name("godiag-probe".to_owned())
            .spawn(move || {
                let _ = sender.send((index, connect(network.as_ref(), address, timeout)));
            });
        if spawned.is_err() {
            break;
        }
    }
    drop(sender);
    let mut results = vec![None; targets.len()];
    while let Ok((index, result)) =
        receiver.recv_timeout(deadline.saturating_sub(started.elapsed()))
    {
        results[index] = Some(result);
    }
    targets
        .iter()
        .zip(results)
        .map(|(target, result)| {
            let result = result.unwrap_or_else(|| ConnectResult {
                outcome: ConnectOutcome::Timeout,
                error: Some(format!(
                    "no answer within the deadline ({} ms)",
                    deadline.as_millis()
                )),
                http_status: None,
                protocol: None,
                duration_ms: godiag_core::runner::duration_ms(deadline),
            });
            Probe {
                target: SocketAddr::new(target.address, port).to_string(),
                address: target.address,
                reached_as: target.reached_as.clone(),
                connected: result.outcome == ConnectOutcome::Open,
                outcome: result.outcome,
                error: result.error,
                http_status: result.http_status,
                protocol: result.protocol,
                duration_ms: result.duration_ms,
                expected_listener: None,
            }
        })
        .collect()
}

/// Connects to `address`, then asks for `GET /` and reports what answered; the whole probe
/// ends within `timeout`.
#[must_use]
pub fn connect(network: &dyn Network, address: SocketAddr, timeout: Duration) -> ConnectResult {
    let request = http::request(address);
    let exchange = TcpExchange {
        request: request.as_bytes(),
        complete: &http::complete,
        limit: http::READ_LIMIT,
        reply_within: Some(http::ANSWER_TIMEOUT),
    };
    match network.tcp_exchange(address, &exchange, Instant::now() + timeout) {
        Ok(reply) => {
            // Whatever stopped the reading, the bytes so far say who answered.
            let (protocol, http_status) = http::classify(&reply.bytes);
            ConnectResult {
                outcome: ConnectOutcome::Open,
                error: None,
                http_status,
                protocol: Some(protocol),
                duration_ms: duration_ms(reply.duration),
            }
        }
        Err(error) => ConnectResult {
            outcome: outcome(error.kind),
            error: Some(error.message),
            http_status: None,
            protocol: None,
            duration_ms: duration_ms(error.duration),
        },
    }
}

/// What a failed connection means for reachability.
fn outcome(kind: NetErrorKind) -> ConnectOutcome {
    match kind {
        NetErrorKind::Refused => ConnectOutcome::Refused,
        NetErrorKind::Timeout => ConnectOutcome::Timeout,
        NetErrorKind::NetworkUnreachable | NetErrorKind::HostUnreachable => {
            ConnectOutcome::Unreachable
        }
        NetErrorKind::Denied => ConnectOutcome::Denied,
        NetErrorKind::NotRecorded => ConnectOutcome::NotRun,
        _ => ConnectOutcome::Error,
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use godiag_core::net::LiveNetwork;

    use super::*;

    #[test]
    fn a_live_probe_of_a_closed_port_is_refused() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let result = connect(&LiveNetwork, address, Duration::from_secs(2));
        assert_eq!(result.outcome, ConnectOutcome::Refused);
        assert!(result.error.is_some());
    }

    #[test]
    fn targets_merge_reasons_and_skip_link_local() {
        let interfaces = vec![
            InterfaceAddress {
                interface: "lo".to_owned(),
                address: "127.0.0.1".parse().unwrap(),
                prefix: 8,
            },
            InterfaceAddress {
                interface: "eth0".to_owned(),
                address: "10.1.0.1".parse().unwrap(),
                prefix: 24,
            },
            InterfaceAddress {
                interface: "eth0".to_owned(),
                address: "fe80::1".parse().unwrap(),
                prefix: 64,
            },
        ];
        let localhost = ["::1".parse().unwrap(), "127.0.0.1".parse().unwrap()];
        let found = targets(&localhost, &interfaces);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].reached_as, ["loopback", "localhost"]);
        assert_eq!(found[2].reached_as, ["interface eth0"]);
    }
}
