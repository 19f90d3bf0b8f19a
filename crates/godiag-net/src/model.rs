//! The data `godiag port` works on: listening sockets, their owners, probe results.
//!
//! Field names are the JSON report's (`.port.listeners`, `.port.probes`); adding fields is
//! fine, renaming needs a schema bump. Nothing here does I/O.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use serde::Serialize;

/// An address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// `AF_INET`.
    Ipv4,
    /// `AF_INET6`.
    Ipv6,
}

impl Family {
    /// Returns the family of an address.
    #[must_use]
    pub fn of(address: IpAddr) -> Self {
        match address {
            IpAddr::V4(_) => Self::Ipv4,
            IpAddr::V6(_) => Self::Ipv6,
        }
    }

    /// Returns `ipv4` or `ipv6`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ipv4 => "ipv4",
            Self::Ipv6 => "ipv6",
        }
    }
}

/// Where the socket table was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableSource {
    /// The kernel's `NETLINK_SOCK_DIAG` dump (what `ss` uses); knows `IPV6_V6ONLY`.
    SockDiag,
    /// `/proc/net/tcp` and `/proc/net/tcp6`; cannot tell whether an IPv6 socket is v6-only.
    Proc,
}

/// A TCP socket in the LISTEN state, as the kernel reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawListener {
    /// The socket's family (an IPv4 address on an `AF_INET6` socket stays IPv6).
    pub family: Family,
    /// The bound address (`0.0.0.0` or `::` for every address).
    pub address: IpAddr,
    /// The bound port.
    pub port: u16,
    /// `IPV6_V6ONLY` for IPv6 sockets, when the source knows it.
    pub v6only: Option<bool>,
    /// The socket owner's user id.
    pub uid: u32,
    /// The socket inode (`socket:[INODE]` in `/proc/PID/fd`).
    pub inode: u64,
    /// Connections waiting in the accept queue.
    pub accept_queue: u32,
    /// The accept queue's limit (the `listen()` backlog), when the source knows it.
    pub backlog: Option<u32>,
}

/// A process that holds a socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Process {
    /// Process id.
    pub pid: u32,
    /// `/proc/PID/comm`.
    pub name: String,
    /// The executable (`/proc/PID/exe`), when readable.
    pub exe: Option<String>,
    /// The command line, arguments separated by spaces.
    pub cmdline: Option<String>,
    /// Build information when the executable is a Go program.
    pub go: Option<GoBuild>,
}

/// What a Go executable says about its build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoBuild {
    /// The Go version that built it, e.g. `go1.27.3`.
    pub version: String,
    /// The main package path.
    pub path: Option<String>,
}

/// A listening socket with its owners and what its bind means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listener {
    /// The bound address.
    pub address: IpAddr,
    /// The bound port.
    pub port: u16,
    /// The socket's family.
    pub family: Family,
    /// Whether an IPv6 socket refuses IPv4 (`null` for IPv4 sockets and when unknown).
    pub v6only: Option<bool>,
    /// The first owning process, when visible.
    pub pid: Option<u32>,
    /// The first owning process's name, when visible.
    pub process: Option<String>,
    /// The processes found holding the socket (a forked server's children share it; the
    /// `/proc` walk stops once every wanted socket has an owner).
    pub processes: Vec<Process>,
    /// The socket owner's user id.
    pub uid: u32,
    /// The socket inode.
    pub inode: u64,
    /// Connections waiting to be accepted.
    pub accept_queue: u32,
    /// The accept queue's limit, when known.
    pub backlog: Option<u32>,
    /// What `ss -ltn` prints for the local address, e.g. `*:8080` or `[::]:8080`.
    pub ss_address: String,
    /// The Go call that creates such a socket.
    pub go_listen: String,
    /// What the bind means, in one sentence.
    pub meaning: String,
}

impl Listener {
    /// Returns the listener's `address:port` with IPv6 in brackets.
    #[must_use]
    pub fn endpoint(&self) -> String {
        SocketAddr::new(self.address, self.port).to_string()
    }

    /// Returns who holds the socket, for messages: `server (pid 42)` or `uid 0`.
    #[must_use]
    pub fn owner(&self) -> String {
        match (&self.process, self.pid) {
            (Some(name), Some(pid)) => format!("{name} (pid {pid})"),
            _ => format!("a process of uid {} not visible to godiag", self.uid),
        }
    }

    /// Returns the Go build of the first owner that is a Go program.
    #[must_use]
    pub fn go(&self) -> Option<&GoBuild> {
        self.processes
            .iter()
            .find_map(|process| process.go.as_ref())
    }
}

/// How a connection attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectOutcome {
    /// The handshake completed.
    Open,
    /// `ECONNREFUSED`: no listener, or a firewall's `reject with tcp reset`.
    Refused,
    /// No answer before the deadline: a firewall's drop, or a full accept queue.
    Timeout,
    /// `EHOSTUNREACH`/`ENETUNREACH`: an ICMP reject (IPv4 admin-prohibited) or no route.
    Unreachable,
    /// `EACCES`/`EPERM`: an `ICMPv6` admin-prohibited reject, or a local policy.
    Denied,
    /// Any other error (address not available, ...).
    Error,
    /// Not attempted (a recorded machine without a recorded answer).
    NotRun,
}

impl ConnectOutcome {
    /// Returns the snake-case name used in JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Refused => "refused",
            Self::Timeout => "timeout",
            Self::Unreachable => "unreachable",
            Self::Denied => "denied",
            Self::Error => "error",
            Self::NotRun => "not_run",
        }
    }

    /// Parses the JSON name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Open,
            Self::Refused,
            Self::Timeout,
            Self::Unreachable,
            Self::Denied,
            Self::Error,
            Self::NotRun,
        ]
        .into_iter()
        .find(|outcome| outcome.as_str() == name)
    }
}

impl fmt::Display for ConnectOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What spoke on an open connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// An HTTP status line came back.
    Http,
    /// A TLS server (a TLS alert, or Go's "HTTP request to an HTTPS server" answer).
    Tls,
    /// Something else answered.
    Other,
    /// Nothing came back before the deadline.
    Silent,
}

/// The result of one connection attempt as the network layer reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectResult {
    /// How the attempt ended.
    pub outcome: ConnectOutcome,
    /// The error as the OS worded it.
    pub error: Option<String>,
    /// The HTTP status, when an HTTP server answered.
    pub http_status: Option<u16>,
    /// What answered on the open connection.
    pub protocol: Option<Protocol>,
    /// Wall time of connect and request.
    pub duration_ms: u64,
}

/// One probe of `.port.probes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Probe {
    /// `127.0.0.1:8080`, `[::1]:8080`.
    pub target: String,
    /// The address connected to.
    pub address: IpAddr,
    /// Why this address was probed: `loopback`, `localhost`, `interface eth0`.
    pub reached_as: Vec<String>,
    /// True when the TCP handshake completed.
    pub connected: bool,
    /// How the attempt ended.
    pub outcome: ConnectOutcome,
    /// The error as the OS worded it.
    pub error: Option<String>,
    /// The HTTP status, when an HTTP server answered.
    pub http_status: Option<u16>,
    /// What answered on the open connection.
    pub protocol: Option<Protocol>,
    /// Wall time.
    pub duration_ms: u64,
    /// The listener that should accept this address, by the kernel's rules (`null`: none).
    pub expected_listener: Option<String>,
}

/// A network interface address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterfaceAddress {
    /// Interface name.
    pub interface: String,
    /// The address assigned to the interface.
    pub address: IpAddr,
    /// Prefix length.
    pub prefix: u8,
}

impl InterfaceAddress {
    /// Returns true for loopback addresses and the `lo` interface.
    #[must_use]
    pub fn is_loopback(&self) -> bool {
        self.address.is_loopback() || self.interface == "lo"
    }

    /// Returns true for IPv6 link-local addresses (`fe80::/10`), which need a zone to use.
    #[must_use]
    pub fn is_link_local(&self) -> bool {
        matches!(self.address, IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80)
    }
}
