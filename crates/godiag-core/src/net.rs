//! The network seam: every packet godiag sends goes through one [`Network`].
//!
//! [`Network`] is to traffic what [`crate::host::Host`] is to files: resolve a name as the
//! system resolver does, connect to a TCP port, exchange bytes over TCP or a datagram over
//! UDP, make one HTTP request and shake hands over TLS, each bounded by a deadline
//! (`Instant`). Every failure is one [`NetError`] whose [`NetErrorKind`] says what a person
//! can act on. The binary picks the implementation once, as it picks the `Host`:
//! [`LiveNetwork`] talks to this machine's network; [`RecordedNetwork`] answers for a
//! recorded machine (`--root`) from its files, without any traffic. HTTP and TLS go live
//! only with the crate's `http` feature (ureq over rustls); without it they fail as
//! [`NetErrorKind::Other`], so a crate that must carry no TLS stack can still use the seam.
//!
//! # The recorded layout
//!
//! A recorded machine keeps its answers under `ROOT/.godiag/net/`:
//!
//! | path | answers | format |
//! |---|---|---|
//! | `net/connect` | [`Network::connect`], [`Network::tcp_exchange`] | `TARGET OUTCOME [REPLY]` a line |
//! | `net/dns` | UDP and TCP exchanges with port 53 | godiag-dns's table (`SERVER NAME TYPE RESULT`) |
//! | `net/http/FILE` | [`Network::http`] | `STATUS`, headers, an empty line, the body |
//! | `net/tls` | [`Network::tls_handshake`] | `TARGET SERVER_NAME RESULT` a line |
//!
//! Names resolve from the recorded `ROOT/etc/hosts`, as glibc's `files` source reads it.
//! What the network cannot answer is [`NetErrorKind::NotRecorded`]. The formats are
//! described on [`RecordedNetwork`].
//!
//! This module does not decide what to send: the DNS messages, the HTTP headers a
//! program would send and the proxy it would choose are the domains' business.

mod live;
mod recorded;

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use live::LiveNetwork;
pub use recorded::{RecordedNetwork, RecordedService, Transport};

/// Where a recorded machine keeps its network answers, under its root.
pub const RECORDED_NET: &str = "/.godiag/net";

/// Every way godiag reaches the network.
pub trait Network: Send + Sync {
    /// Resolves `name` as a C program on this machine would (getaddrinfo), addresses in
    /// the order it gives them.
    ///
    /// # Errors
    /// [`NetErrorKind::NameNotFound`] for a name without addresses; a timeout at `deadline`.
    fn resolve(&self, name: &str, deadline: Instant) -> Result<Vec<IpAddr>, NetError>;

    /// Opens a TCP connection to `address` and closes it: how long the handshake took.
    ///
    /// # Errors
    /// Why no connection was made (refused, timeout, unreachable, denied...).
    fn connect(&self, address: SocketAddr, deadline: Instant) -> Result<Duration, NetError>;

    /// Connects to `address`, sends `exchange.request` and reads the reply until it is
    /// complete, the peer closes, the limit is reached or the wait ends.
    ///
    /// # Errors
    /// Only when no connection was made; what happened after is in [`TcpReply::end`].
    fn tcp_exchange(
        &self,
        address: SocketAddr,
        exchange: &TcpExchange<'_>,
        deadline: Instant,
    ) -> Result<TcpReply, NetError>;

    /// Sends `datagram` to `address` and returns the first reply `accept` approves; replies
    /// it rejects are dropped and the wait goes on until `deadline` (as Go's resolver does).
    ///
    /// # Errors
    /// A timeout when no accepted reply came; the socket's error otherwise.
    fn udp_exchange(
        &self,
        address: SocketAddr,
        datagram: &[u8],
        accept: &dyn Fn(&[u8]) -> bool,
        deadline: Instant,
    ) -> Result<Vec<u8>, NetError>;

    /// Makes one HTTP GET; the whole exchange ends by `deadline`, body included.
    ///
    /// # Errors
    /// Why no answer came; an answer with any status is `Ok`.
    fn http(&self, request: &HttpRequest, deadline: Instant) -> Result<HttpResponse, NetError>;

    /// Shakes hands over TLS with `address` and reports what the peer presented.
    ///
    /// # Errors
    /// Why the handshake failed ([`NetErrorKind::UnknownAuthority`], [`NetErrorKind::Tls`]...).
    fn tls_handshake(
        &self,
        address: SocketAddr,
        request: &TlsRequest,
        deadline: Instant,
    ) -> Result<TlsSummary, NetError>;
}

/// What a TCP exchange sends and when its reply is whole.
pub struct TcpExchange<'a> {
    /// The bytes sent once connected.
    pub request: &'a [u8],
    /// True once the bytes read so far are the whole reply.
    pub complete: &'a dyn Fn(&[u8]) -> bool,
    /// The most bytes read.
    pub limit: usize,
    /// How long the peer may take to answer once connected; the deadline still applies.
    pub reply_within: Option<Duration>,
}

/// What came back over a TCP connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpReply {
    /// The bytes read.
    pub bytes: Vec<u8>,
    /// Why reading stopped.
    pub end: ReplyEnd,
    /// Time from the start to the end of the exchange.
    pub duration: Duration,
}

/// Why a TCP exchange stopped reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyEnd {
    /// The reply is whole ([`TcpExchange::complete`] said so).
    Complete,
    /// The limit was reached.
    Limit,
    /// The peer closed the connection.
    Closed,
    /// The wait ended before the reply was whole.
    Deadline,
    /// Sending or reading failed.
    Failed(NetError),
}

/// One HTTP GET (the only method a diagnosis needs).
#[derive(Clone)]
pub struct HttpRequest {
    /// The URL, user information included when the caller has it.
    pub url: String,
    /// Headers to send (`Accept`, `Range`, `Authorization`...), in order.
    pub headers: Vec<(String, String)>,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// The proxy to use (`http://`, `https://` or `socks5://`), or none.
    pub proxy: Option<String>,
    /// Whom to trust when TLS is spoken.
    pub trust: Trust,
    /// The most body bytes read.
    pub body_limit: u64,
    /// How many redirects to follow; past them the redirect itself is the answer, with
    /// its [`HttpResponse::location`] and no body.
    pub redirects: u32,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let secret = name.eq_ignore_ascii_case("authorization");
                (name.as_str(), if secret { "***" } else { value.as_str() })
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("url", &crate::redact::redact(&self.url))
            .field("headers", &headers)
            .field("proxy", &self.proxy.as_deref().map(crate::redact::redact))
            .field("body_limit", &self.body_limit)
            .field("redirects", &self.redirects)
            .finish_non_exhaustive()
    }
}

/// An HTTP answer whose body is read as the caller goes.
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// `Content-Type`, when sent.
    pub content_type: Option<String>,
    /// Where a redirect that was not followed points, resolved against the request's URL.
    pub location: Option<String>,
    /// The body, decompressed, at most the request's limit.
    pub body: Box<dyn std::io::Read + Send>,
    /// Time until the headers were in.
    pub duration: Duration,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("location", &self.location)
            .field("duration", &self.duration)
            .finish_non_exhaustive()
    }
}

/// The certificates a TLS client trusts.
///
/// The default trusts the Mozilla roots built into godiag (webpki-roots), as a client
/// without a trust store of its own does; [`Trust::roots`] trusts exactly the given ones,
/// as the go command trusts what crypto/x509 loads.
#[derive(Clone, Default)]
pub struct Trust {
    roots: Option<Arc<Vec<Vec<u8>>>>,
    insecure: bool,
    #[cfg(feature = "http")]
    parsed: Arc<std::sync::OnceLock<Arc<Vec<ureq::tls::Certificate<'static>>>>>,
}

impl Trust {
    /// Trusts the certificates in these PEM texts, each once; none trusts nobody.
    #[must_use]
    pub fn roots(pems: Vec<Vec<u8>>) -> Self {
        Self {
            roots: Some(Arc::new(pems)),
            ..Self::default()
        }
    }

    /// Skips verification when `insecure` (GOINSECURE).
    #[must_use]
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.insecure = insecure;
        self
    }

    /// Returns true when nothing is verified.
    #[must_use]
    pub fn is_insecure(&self) -> bool {
        self.insecure
    }

    /// The certificates of the given roots, parsed once however often the trust is used.
    #[cfg(feature = "http")]
    fn certificates(&self) -> Option<Arc<Vec<ureq::tls::Certificate<'static>>>> {
        let pems = self.roots.as_ref()?;
        let parsed = self.parsed.get_or_init(|| {
            let mut seen = std::collections::BTreeSet::new();
            let certificates = pems
                .iter()
                .flat_map(|pem| ureq::tls::parse_pem(pem).collect::<Vec<_>>())
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(certificate)) => Some(certificate),
                    _ => None,
                })
                // A bundle and a directory hold the same certificates; trust each once.
                .filter(|certificate| seen.insert(certificate.der().to_vec()))
                .collect();
            Arc::new(certificates)
        });
        Some(Arc::clone(parsed))
    }
}

impl fmt::Debug for Trust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trust")
            .field("roots", &self.roots.as_ref().map(|roots| roots.len()))
            .field("insecure", &self.insecure)
            .finish_non_exhaustive()
    }
}

/// A TLS handshake to make.
#[derive(Debug, Clone)]
pub struct TlsRequest {
    /// The name sent as SNI and checked against the certificate.
    pub server_name: String,
    /// Whom to trust.
    pub trust: Trust,
}

/// What a TLS peer presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSummary {
    /// The protocol version agreed (`TLSv1.3`).
    pub version: String,
    /// The cipher suite agreed.
    pub cipher_suite: String,
    /// The size in bytes of each certificate of the peer's chain, leaf first.
    pub chain: Vec<usize>,
    /// How long the handshake took, connection included.
    pub duration: Duration,
}

/// Why a network operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct NetError {
    /// What kind of failure.
    pub kind: NetErrorKind,
    /// The failure in the words of the system or library that saw it.
    pub message: String,
    /// How long the operation ran before it failed.
    pub duration: Duration,
}

impl NetError {
    /// A failure of `kind`, described by `message`, after `duration`.
    #[must_use]
    pub fn new(kind: NetErrorKind, message: impl Into<String>, duration: Duration) -> Self {
        Self {
            kind,
            message: message.into(),
            duration,
        }
    }

    /// A socket error, sorted by what it means for reachability.
    #[must_use]
    pub fn from_io(error: &std::io::Error, duration: Duration) -> Self {
        Self::new(NetErrorKind::of_io(error), error.to_string(), duration)
    }

    /// The wait reached `deadline` (Go's words for it).
    #[must_use]
    pub fn timeout(duration: Duration) -> Self {
        Self::new(NetErrorKind::Timeout, "i/o timeout", duration)
    }
}

/// What kind of failure a [`NetError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NetErrorKind {
    /// The deadline passed first.
    Timeout,
    /// Nothing listens there (or a firewall answers with a reset).
    Refused,
    /// The connection was reset or closed mid-answer.
    Reset,
    /// No route to the peer's network (`ENETUNREACH`): offline.
    NetworkUnreachable,
    /// No route to the peer itself (`EHOSTUNREACH`, ICMP admin-prohibited over IPv4).
    HostUnreachable,
    /// The kernel refused to send (`EACCES`/`EPERM`: a firewall rule, or IPv6 prohibited).
    Denied,
    /// The name has no address. Serialized as `dns`, as the report has called it since v1.
    #[serde(rename = "dns")]
    NameNotFound,
    /// The peer's certificate is signed by an authority the roots do not contain.
    UnknownAuthority,
    /// Another TLS failure (expired, wrong name, handshake).
    Tls,
    /// The peer spoke something other than what was asked (plain HTTP to a TLS client).
    Protocol,
    /// The proxy failed or could not be used.
    Proxy,
    /// A recorded machine has no answer for this.
    NotRecorded,
    /// Anything else.
    Other,
}

impl NetErrorKind {
    /// Sorts a socket error (see the reachability research: refused = no listener or a
    /// reset rule; timeout = dropped; EHOSTUNREACH = ICMP admin-prohibited over IPv4;
    /// EACCES = the same over IPv6).
    #[must_use]
    pub fn of_io(error: &std::io::Error) -> Self {
        use std::io::ErrorKind as Io;
        const EPERM: i32 = 1;
        const EACCES: i32 = 13;
        const ENETUNREACH: i32 = 101;
        const EHOSTUNREACH: i32 = 113;
        match (error.kind(), error.raw_os_error()) {
            (Io::ConnectionRefused, _) => Self::Refused,
            (Io::TimedOut | Io::WouldBlock, _) => Self::Timeout,
            (Io::ConnectionReset | Io::ConnectionAborted | Io::BrokenPipe, _) => Self::Reset,
            (Io::NetworkUnreachable, _) | (_, Some(ENETUNREACH)) => Self::NetworkUnreachable,
            (Io::HostUnreachable, _) | (_, Some(EHOSTUNREACH)) => Self::HostUnreachable,
            (Io::PermissionDenied, _) | (_, Some(EACCES | EPERM)) => Self::Denied,
            _ => Self::Other,
        }
    }
}

/// The time left until `deadline`, or a timeout when none is.
fn left(deadline: Instant, started: Instant) -> Result<Duration, NetError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(NetError::timeout(started.elapsed()))
    } else {
        Ok(left)
    }
}
