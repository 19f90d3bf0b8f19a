//! Asks the real resolvers, all at once and each under the deadline: /etc/hosts, glibc's
//! getaddrinfo (the NSS path, through `getent ahosts`), Go's own resolver emulated with Go's
//! order and rules, every configured server directly, and systemd-resolved when it runs.
//! Every path reports addresses, response code, error and time.

pub mod go_pure;
pub mod resolved;
pub mod transport;
pub mod wire;

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::{Duration, Instant};

use godiag_core::host::{CommandLine, Host};
use godiag_core::runner::duration_ms;
use hickory_proto::rr::RecordType;
use serde::Serialize;

use transport::Transport;
use wire::{Exchange, ExchangeOptions};

/// What one resolution path gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathResult {
    /// `hosts_file`, `getaddrinfo`, `go_pure`, `server:IP` or `resolved`.
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
    /// The path could not be tried (a recorded machine without recorded answers).
    #[serde(skip)]
    pub not_run: bool,
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
            not_run: false,
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

    /// True when the path could not reach a server at all (timeout, refused).
    #[must_use]
    pub fn unreachable(&self) -> bool {
        self.rcode.is_none()
            && self.error.as_deref().is_some_and(|e| {
                e.contains("i/o timeout")
                    || e.contains("connection refused")
                    || e.contains("deadline")
            })
    }
}

/// The command that shows the NSS path.
pub const GETENT: &str = "getent";

/// `getent ahosts NAME`: glibc's getaddrinfo through NSS, as every glibc program sees it.
pub fn getaddrinfo(host: &dyn Host, name: &str, timeout: Duration) -> PathResult {
    let started = Instant::now();
    let mut result = PathResult::new("getaddrinfo");
    result.detail = Some(format!("getent ahosts {name}"));
    let command = CommandLine::new(GETENT, &["ahosts", name]);
    match host.run(&command, timeout) {
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
                    Some(0 | 2) => "not found through NSS (getent exit 2)".to_owned(),
                    Some(code) => format!("getent failed with exit status {code}"),
                    None => "getent was killed".to_owned(),
                });
            }
            result.duration_ms = duration_ms(output.duration);
            result
        }
        Err(error) if error.kind() == std::io::ErrorKind::Unsupported => PathResult::skipped(
            "getaddrinfo",
            "not run: a recorded machine has no recorded getent answer",
        ),
        Err(error) => {
            result.error = Some(if error.kind() == std::io::ErrorKind::TimedOut {
                format!(
                    "no answer before godiag's deadline ({} ms)",
                    timeout.as_millis()
                )
            } else {
                error.to_string()
            });
            result.took(started)
        }
    }
}

/// Asks `server` directly for `name.` (A and AAAA at once), one try, until `deadline`.
pub fn direct(
    transport: &dyn Transport,
    server: IpAddr,
    name: &str,
    deadline: Instant,
) -> PathResult {
    let started = Instant::now();
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
    let exchanges: Vec<Exchange> = std::thread::scope(|scope| {
        [RecordType::A, RecordType::AAAA]
            .map(|qtype| {
                let fqdn = &fqdn;
                scope.spawn(move || wire::exchange(transport, address, fqdn, qtype, options))
            })
            .into_iter()
            .filter_map(|handle| handle.join().ok())
            .collect()
    });
    for exchange in exchanges {
        match exchange {
            Exchange::Reply(judged) => {
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
        }
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

/// Reads a fixture's recorded DNS answers (`/.godiag/dns` under its root).
#[must_use]
pub fn fixture_transport(host: &dyn Host) -> transport::FixtureTransport {
    let text = host
        .read_to_string(Path::new("/.godiag/dns"))
        .unwrap_or_default();
    transport::FixtureTransport::parse(&text)
}
