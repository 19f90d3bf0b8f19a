//! Asks the real resolvers, all at once and each under the deadline: /etc/hosts, glibc's
//! getaddrinfo (the NSS path, through `getent ahosts`), Go's own resolver emulated with Go's
//! order and rules, every configured server directly, and systemd-resolved when it runs.
//! Every path reports addresses, response code, error and time.

pub mod go_pure;
pub mod recorded;
pub mod resolved;
pub mod wire;

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use godiag_core::host::{CommandLine, Host};
use godiag_core::net::{NetError, NetErrorKind, Network};
use godiag_core::runner::duration_ms;
use hickory_proto::rr::RecordType;
use serde::{Deserialize, Serialize};

use wire::{Exchange, ExchangeOptions};

/// What one resolution path gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathResult {
    /// `hosts_file`, `getaddrinfo`, `go_pure`, `server:IP`, `resolved` or `nss_godiag`.
    pub name: String,
    /// Addresses found, in the order the path gave them.
    pub addresses: Vec<String>,
    /// The DNS response code behind the answer, when one was seen.
    pub rcode: Option<String>,
    /// Why it found nothing, in the words the program would use.
    pub error: Option<String>,
    /// Wall time.
    pub duration_ms: u64,
    /// What was asked, and where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Why no server replied at all, when none did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_reply: Option<NoReply>,
    /// godiag stopped waiting before the program would have given up: the result says
    /// nothing about what the program ends up with, only that it had nothing by then.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unfinished: bool,
    /// The path could not be tried (a recorded machine without recorded answers).
    #[serde(skip)]
    pub not_run: bool,
}

/// Why a DNS server gave no reply: the socket's own words, each a different diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoReply {
    /// Nothing came back before the wait ended: the server, or a firewall on the way,
    /// drops the packets (the VPN-down classic).
    Timeout,
    /// `ECONNREFUSED` (ICMP port unreachable over UDP, a reset over TCP): the server's
    /// machine is there, but nothing listens on port 53.
    Refused,
    /// `ENETUNREACH`: no route to the server's network at all; this machine is offline, or
    /// the network that reaches the server (a VPN) is down.
    NetworkUnreachable,
    /// `EHOSTUNREACH`: no route to the server itself (no neighbour answers for it, or a
    /// router says so).
    HostUnreachable,
}

impl NoReply {
    /// The network error's meaning, when it is one of these.
    #[must_use]
    pub fn of(error: &NetError) -> Option<Self> {
        match error.kind {
            NetErrorKind::Timeout => Some(Self::Timeout),
            NetErrorKind::Refused | NetErrorKind::Reset => Some(Self::Refused),
            NetErrorKind::NetworkUnreachable => Some(Self::NetworkUnreachable),
            NetErrorKind::HostUnreachable => Some(Self::HostUnreachable),
            _ => None,
        }
    }

    /// The words Go's resolver uses for it (`net` error texts).
    #[must_use]
    pub fn go_text(self) -> &'static str {
        match self {
            Self::Timeout => "i/o timeout",
            Self::Refused => "connection refused",
            Self::NetworkUnreachable => "connect: network is unreachable",
            Self::HostUnreachable => "connect: no route to host",
        }
    }

    /// True when no packet can leave for the server: the diagnosis is the network, not
    /// the server.
    #[must_use]
    pub fn no_route(self) -> bool {
        matches!(self, Self::NetworkUnreachable | Self::HostUnreachable)
    }
}

/// A wait as people read it: `850 ms`, `1.5 s`, `5 s`.
#[must_use]
pub fn wait_text(wait: Duration) -> String {
    let ms = duration_ms(wait);
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", wait.as_secs_f64())
    }
}

impl PathResult {
    /// An empty result for a path.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            addresses: Vec::new(),
            rcode: None,
            error: None,
            duration_ms: 0,
            detail: None,
            no_reply: None,
            unfinished: false,
            not_run: false,
        }
    }

    /// A path that was still waiting when godiag's probe budget ended.
    #[must_use]
    pub fn no_answer_within(name: impl Into<String>, waited: Duration) -> Self {
        Self {
            error: Some(format!(
                "did not answer within {} (godiag's deadline)",
                wait_text(waited)
            )),
            duration_ms: duration_ms(waited),
            no_reply: Some(NoReply::Timeout),
            unfinished: true,
            ..Self::new(name)
        }
    }

    /// A path that could not be tried, and why.
    #[must_use]
    pub fn skipped(name: impl Into<String>, why: impl Into<String>) -> Self {
        Self {
            error: Some(why.into()),
            not_run: true,
            ..Self::new(name)
        }
    }

    /// Records the time since `started`.
    #[must_use]
    pub fn took(mut self, started: Instant) -> Self {
        self.duration_ms = duration_ms(started.elapsed());
        self
    }

    /// True when the path found an address.
    #[must_use]
    pub fn resolved(&self) -> bool {
        !self.addresses.is_empty()
    }

    /// True when the path got no reply from any server (timeout, refused, no route).
    #[must_use]
    pub fn unreachable(&self) -> bool {
        self.rcode.is_none() && self.no_reply.is_some()
    }
}

/// The command that shows the NSS path.
pub const GETENT: &str = "getent";

/// The path that asks the godiag NSS module alone.
pub const NSS_GODIAG: &str = "nss_godiag";

/// `getent -s godiag ahosts NAME`: the godiag NSS module alone, loaded by glibc as every
/// program loads it, killed after `cap`. Not a path of its own in the comparison of glibc and
/// Go: when the module is on the hosts line, getaddrinfo's answer already went through it.
pub fn nss_godiag(host: &dyn Host, name: &str, cap: Duration) -> PathResult {
    let started = Instant::now();
    let source = crate::nss_install::SOURCE;
    let mut result = PathResult::new(NSS_GODIAG);
    result.detail = Some(format!("getent -s {source} ahosts {name}"));
    let command = CommandLine::new(GETENT, &["-s", source, "ahosts", name]);
    match host.run(&command, cap) {
        Ok(output) => {
            let text = String::from_utf8_lossy(&output.stdout);
            for line in text.lines() {
                if let Some(address) = line.split_whitespace().next()
                    && !result.addresses.iter().any(|a| a == address)
                {
                    result.addresses.push(address.to_owned());
                }
            }
            if result.addresses.is_empty() {
                result.error = Some(match output.status {
                    Some(code) => format!("nothing (getent exit {code})"),
                    None => "getent was killed".to_owned(),
                });
            }
            result.duration_ms = duration_ms(output.duration);
            result
        }
        Err(error) if error.kind() == io::ErrorKind::Unsupported => PathResult::skipped(
            NSS_GODIAG,
            "not run: a recorded machine has no recorded getent answer",
        ),
        Err(error) if error.kind() == io::ErrorKind::TimedOut => {
            result.error = Some(format!("did not answer within {}", wait_text(cap)));
            result.no_reply = Some(NoReply::Timeout);
            result.unfinished = true;
            result.took(started)
        }
        Err(error) => {
            result.error = Some(error.to_string());
            result.took(started)
        }
    }
}

/// `getent ahosts NAME`: glibc's getaddrinfo through NSS, as every glibc program sees it,
/// killed after `cap`. `glibc_wait` is how long glibc itself would wait for the name when no
/// server answers ([`glibc_worst_case`]), for the report.
pub fn getaddrinfo(host: &dyn Host, name: &str, cap: Duration, glibc_wait: Duration) -> PathResult {
    let started = Instant::now();
    let mut result = PathResult::new("getaddrinfo");
    result.detail = Some(format!("getent ahosts {name}"));
    let command = CommandLine::new(GETENT, &["ahosts", name]);
    match host.run(&command, cap) {
        Ok(output) => {
            let text = String::from_utf8_lossy(&output.stdout);
            for line in text.lines() {
                if let Some(address) = line.split_whitespace().next()
                    && !result.addresses.iter().any(|a| a == address)
                {
                    result.addresses.push(address.to_owned());
                }
            }
            // An answer, even NXDOMAIN, comes long before glibc's whole schedule of waits
            // has run out: getent failing only then means no server replied.
            let gave_up = !glibc_wait.is_zero() && output.duration + RECORDED >= glibc_wait;
            if result.addresses.is_empty() {
                result.error = Some(match output.status {
                    Some(2) if gave_up => {
                        result.no_reply = Some(NoReply::Timeout);
                        format!(
                            "no server answered: glibc gave up after {} (resolv.conf's timeout \
                             and attempts; getent exit 2)",
                            wait_text(glibc_wait)
                        )
                    }
                    Some(0 | 2) => "not found through NSS (getent exit 2)".to_owned(),
                    Some(code) => format!("getent failed with exit status {code}"),
                    None => "getent was killed".to_owned(),
                });
            }
            result.duration_ms = duration_ms(output.duration);
            result
        }
        Err(error) if error.kind() == io::ErrorKind::Unsupported => PathResult::skipped(
            "getaddrinfo",
            "not run: a recorded machine has no recorded getent answer",
        ),
        Err(error) if error.kind() == io::ErrorKind::TimedOut => {
            result.error = Some(if glibc_wait > cap {
                format!(
                    "did not answer within {} (glibc itself waits up to {} for a name no \
                     server answers)",
                    wait_text(cap),
                    wait_text(glibc_wait)
                )
            } else {
                format!("did not answer within {}", wait_text(cap))
            });
            result.no_reply = Some(NoReply::Timeout);
            result.unfinished = true;
            result.took(started)
        }
        Err(error) => {
            result.error = Some(error.to_string());
            result.took(started)
        }
    }
}

/// How long glibc's `res_send` waits for one name when no server replies: `attempts`
/// rounds over the servers, the first server of a round waiting `timeout` and server `i`
/// (from 0) `(timeout << i) / servers` seconds, at least 1 (glibc `resolv/res_send.c` `send_dg`; A
/// and AAAA share the wait).
#[must_use]
pub fn glibc_worst_case(timeout_s: i64, attempts: i64, servers: usize) -> Duration {
    let servers = i64::try_from(servers.max(1)).unwrap_or(3);
    let timeout = timeout_s.max(1);
    let round: i64 = (0..servers)
        .map(|index| {
            let seconds = timeout << index;
            if index > 0 {
                seconds / servers
            } else {
                seconds
            }
            .max(1)
        })
        .sum();
    Duration::from_secs(u64::try_from(round * attempts.max(0)).unwrap_or_default())
}

/// A live timeout ends within this of its planned wait; one that ends sooner was recorded.
const RECORDED: Duration = Duration::from_millis(50);

/// Asks `server` directly for `name.` (A and AAAA at once), one try that waits `wait` (the
/// resolvers' per-try timeout) but never past `deadline`.
pub fn direct(
    network: &dyn Network,
    server: IpAddr,
    name: &str,
    wait: Duration,
    deadline: Instant,
) -> PathResult {
    let started = Instant::now();
    let deadline = deadline.min(started + wait);
    let planned = deadline.saturating_duration_since(started);
    let mut result = PathResult::new(format!("server:{server}"));
    let fqdn = if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.")
    };
    let address = SocketAddr::new(server, 53);
    result.detail = Some(format!("dig @{server} {fqdn} A/AAAA"));
    let options = ExchangeOptions {
        use_tcp: false,
        trust_ad: false,
        deadline,
    };
    let mut replied = false;
    let exchanges: Vec<Exchange> = std::thread::scope(|scope| {
        [RecordType::A, RecordType::AAAA]
            .map(|qtype| {
                let fqdn = &fqdn;
                scope.spawn(move || wire::exchange(network, address, fqdn, qtype, options))
            })
            .into_iter()
            .filter_map(|handle| handle.join().ok())
            .collect()
    });
    for exchange in exchanges {
        match exchange {
            Exchange::Reply(judged) => {
                replied = true;
                result
                    .addresses
                    .extend(judged.addresses.iter().map(ToString::to_string));
                if result.rcode.is_none()
                    || judged.rcode != "NOERROR" && result.addresses.is_empty()
                {
                    result.rcode = Some(judged.rcode.clone());
                }
                if let Some(error) = judged.outcome.go_error() {
                    result.error.get_or_insert_with(|| error.to_owned());
                }
            }
            Exchange::Failed(error) => {
                result.error.get_or_insert(error);
            }
            Exchange::NoReply(why) => {
                result.no_reply.get_or_insert(why);
                result.error.get_or_insert_with(|| match why {
                    // A recorded machine's timeout costs no time: say so rather than "in 0 ms".
                    NoReply::Timeout if started.elapsed() + RECORDED < planned => {
                        format!("no answer from {address}: a recorded timeout")
                    }
                    NoReply::Timeout => {
                        format!("no answer from {address} in {}", wait_text(planned))
                    }
                    other => other.go_text().to_owned(),
                });
            }
        }
    }
    if replied {
        result.no_reply = None;
    }
    if result.resolved() {
        result.error = None;
        result.rcode = Some("NOERROR".into());
    }
    result.took(started)
}

/// /etc/hosts as glibc and Go read it.
#[must_use]
pub fn hosts_file(hosts: Option<&crate::parse::hosts::Hosts>, name: &str) -> PathResult {
    let mut result = PathResult::new("hosts_file");
    let Some(hosts) = hosts else {
        result.error = Some("/etc/hosts could not be read".into());
        return result;
    };
    let glibc = hosts.glibc_lookup(name);
    let go = hosts.go_lookup(name);
    result.addresses = glibc.iter().map(|m| m.address.clone()).collect();
    if result.addresses.is_empty() {
        result.error = Some(if go.is_empty() {
            "not in /etc/hosts".to_owned()
        } else {
            format!(
                "glibc finds no entry, but Go does (line {}): Go adds the trailing dot to dotted names",
                go[0].pos.line
            )
        });
    } else {
        result.detail = Some(format!("/etc/hosts line {}", glibc[0].pos.line));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_waits_as_res_send_does() {
        // (timeout, attempts, servers) -> seconds: server i of a round waits
        // (timeout << i) / servers, the first one `timeout`.
        for (timeout, attempts, servers, seconds) in [
            (5, 2, 1, 10),
            (5, 2, 2, 20),
            (5, 2, 3, 28),
            (1, 1, 3, 3),
            (1, 2, 2, 4),
            (30, 5, 1, 150),
            (5, 0, 1, 0),
        ] {
            assert_eq!(
                glibc_worst_case(timeout, attempts, servers),
                Duration::from_secs(seconds),
                "timeout:{timeout} attempts:{attempts} with {servers} servers"
            );
        }
    }

    #[test]
    fn socket_errors_name_what_happened() {
        for (kind, expected) in [
            (io::ErrorKind::TimedOut, Some(NoReply::Timeout)),
            (io::ErrorKind::WouldBlock, Some(NoReply::Timeout)),
            (io::ErrorKind::ConnectionRefused, Some(NoReply::Refused)),
            (
                io::ErrorKind::NetworkUnreachable,
                Some(NoReply::NetworkUnreachable),
            ),
            (
                io::ErrorKind::HostUnreachable,
                Some(NoReply::HostUnreachable),
            ),
            (io::ErrorKind::InvalidData, None),
        ] {
            let error = NetError::from_io(&kind.into(), Duration::ZERO);
            assert_eq!(NoReply::of(&error), expected, "{kind:?}");
        }
        // The raw errno, as a socket call returns it.
        assert_eq!(
            NoReply::of(&NetError::from_io(
                &io::Error::from_raw_os_error(101),
                Duration::ZERO
            )),
            Some(NoReply::NetworkUnreachable)
        );
        assert_eq!(
            NoReply::of(&NetError::from_io(
                &io::Error::from_raw_os_error(113),
                Duration::ZERO
            )),
            Some(NoReply::HostUnreachable)
        );
    }

    #[test]
    fn waits_read_as_people_say_them() {
        assert_eq!(wait_text(Duration::from_millis(850)), "850 ms");
        assert_eq!(wait_text(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(wait_text(Duration::from_secs(5)), "5 s");
    }

    #[test]
    fn a_recorded_offline_server_is_no_route_not_a_name_error() {
        let network = recorded::network("10.99.0.53 * * unreachable\n");
        let server: IpAddr = "10.99.0.53".parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(2);
        let result = direct(
            &network,
            server,
            "git.corp.example",
            Duration::from_secs(5),
            deadline,
        );
        assert_eq!(result.no_reply, Some(NoReply::NetworkUnreachable));
        assert_eq!(result.rcode, None);
        assert!(result.unreachable());
        assert_eq!(
            result.error.as_deref(),
            Some("connect: network is unreachable")
        );
    }

    /// A server on loopback that reads nothing and answers nothing: a silent server.
    #[test]
    #[allow(clippy::disallowed_methods)] // the silent server's own socket, not a probe
    fn a_silent_server_is_a_timeout_that_ends_on_time() {
        let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        // `direct` asks port 53; ask through the network the way it does, at this port.
        let started = Instant::now();
        let wait = Duration::from_millis(1500);
        let exchange = wire::exchange(
            &godiag_core::net::LiveNetwork,
            SocketAddr::from(([127, 0, 0, 1], port)),
            "git.corp.example.",
            RecordType::A,
            ExchangeOptions {
                use_tcp: false,
                trust_ad: false,
                deadline: started + wait,
            },
        );
        let took = started.elapsed();
        assert_eq!(exchange, Exchange::NoReply(NoReply::Timeout));
        assert!(took >= wait, "{took:?}");
        // A socket read timeout this long would return up to ~1/8 late (the kernel's timer
        // wheel); the sliced wait ends within a few milliseconds.
        assert!(took < wait + Duration::from_millis(60), "{took:?}");
        drop(silent);
    }

    #[test]
    fn a_probe_still_waiting_at_the_budget_is_a_timeout_result() {
        let result = PathResult::no_answer_within("getaddrinfo", Duration::from_millis(1800));
        assert!(result.unreachable());
        assert!(result.unfinished);
        assert_eq!(
            result.error.as_deref(),
            Some("did not answer within 1.8 s (godiag's deadline)")
        );
    }
}
