//! A recorded machine's network: answers read from `ROOT/.godiag/net/`, no traffic.

mod hosts;

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{NetError, NetErrorKind, Network, RECORDED_NET, ReplyEnd, TcpExchange, TcpReply};
use crate::host::Host;

/// The transport a recorded exchange came over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// One datagram each way.
    Udp,
    /// A connection: the request and the reply as the bytes on the wire.
    Tcp,
}

/// A protocol whose recording is a table of answers rather than bytes (DNS): the domain that
/// speaks it builds the replies, so that this crate need not.
pub trait RecordedService: Send + Sync {
    /// Answers `request`, sent to `server` over `transport`, as the recording says.
    ///
    /// # Errors
    /// What the recording says went wrong (a timeout, nothing listening, no route).
    fn answer(
        &self,
        transport: Transport,
        server: SocketAddr,
        request: &[u8],
    ) -> Result<Vec<u8>, NetError>;
}

/// A recorded machine, answered from its files through its `Host`.
///
/// `net/connect` holds one line a target, `#` starting a comment:
///
/// ```text
/// # TARGET          OUTCOME   [REPLY]
/// 127.0.0.1:8080    open      http=200
/// [::1]:8080        refused
/// ```
///
/// OUTCOME is `open`, `refused`, `timeout`, `unreachable`, `denied` or `error`. REPLY says
/// what an open port sends back to a TCP exchange: `http=STATUS` (an HTTP status line),
/// `tls` (a TLS alert record, as a TLS server answers plain text), `other` (bytes that are
/// neither) or `silent` (nothing, until the wait ends); without one the port is silent.
/// A target not listed is [`NetErrorKind::NotRecorded`].
///
/// Exchanges with a port a [`RecordedService`] was given for are answered by it instead.
/// A recorded answer costs no time.
#[derive(Clone)]
pub struct RecordedNetwork {
    host: Arc<dyn Host>,
    services: Vec<(u16, Arc<dyn RecordedService>)>,
}

impl RecordedNetwork {
    /// A recorded network over a fixture host.
    #[must_use]
    pub fn new(host: Arc<dyn Host>) -> Self {
        Self {
            host,
            services: Vec::new(),
        }
    }

    /// Lets `service` answer the UDP and TCP exchanges with `port`.
    #[must_use]
    pub fn with_service(mut self, port: u16, service: Arc<dyn RecordedService>) -> Self {
        self.services.push((port, service));
        self
    }

    fn service(&self, address: SocketAddr) -> Option<&dyn RecordedService> {
        self.services
            .iter()
            .find(|(port, _)| *port == address.port())
            .map(|(_, service)| service.as_ref())
    }

    /// The recorded line for `address`: its outcome and reply.
    fn target(&self, address: SocketAddr) -> Result<Option<Recorded>, NetError> {
        let path = format!("{RECORDED_NET}/connect");
        let text = self
            .host
            .read_to_string(Path::new(&path))
            .unwrap_or_default();
        let target = address.to_string();
        let found = text
            .lines()
            .map(|line| line.split('#').next().unwrap_or_default())
            .map(str::split_whitespace)
            .find_map(|mut words| (words.next()? == target).then(|| (words.next(), words.next())));
        let Some((outcome, reply)) = found else {
            return Err(not_recorded());
        };
        let failure = |kind, message: &str| Err(NetError::new(kind, message, Duration::ZERO));
        // The words the kernel uses, so that a recorded failure reads like a live one.
        match outcome.unwrap_or_default() {
            "open" => Ok(reply.map(Recorded::parse)),
            "refused" => failure(NetErrorKind::Refused, "Connection refused (os error 111)"),
            "timeout" => failure(NetErrorKind::Timeout, "connection timed out"),
            "unreachable" => failure(
                NetErrorKind::HostUnreachable,
                "No route to host (os error 113)",
            ),
            "denied" => failure(NetErrorKind::Denied, "Permission denied (os error 13)"),
            _ => failure(NetErrorKind::Other, "recorded failure"),
        }
    }
}

fn not_recorded() -> NetError {
    NetError::new(
        NetErrorKind::NotRecorded,
        "not run: a recorded machine has no network",
        Duration::ZERO,
    )
}

/// What an open recorded port sends.
enum Recorded {
    Http(u16),
    Tls,
    Other,
    Silent,
}

impl Recorded {
    fn parse(word: &str) -> Self {
        match word {
            "tls" => Self::Tls,
            "other" => Self::Other,
            _ => word
                .strip_prefix("http=")
                .and_then(|status| status.parse().ok())
                .map_or(Self::Silent, Self::Http),
        }
    }

    fn bytes(&self) -> Option<Vec<u8>> {
        match self {
            Self::Http(status) => Some(format!("HTTP/1.1 {status} recorded\r\n\r\n").into_bytes()),
            // An alert record: content type 21, TLS 1.2, two bytes (fatal, decode_error).
            Self::Tls => Some(vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]),
            Self::Other => Some(b"recorded: neither HTTP nor TLS\r\n".to_vec()),
            Self::Silent => None,
        }
    }
}

impl Network for RecordedNetwork {
    fn resolve(&self, name: &str, _deadline: Instant) -> Result<Vec<IpAddr>, NetError> {
        let text = self
            .host
            .read_to_string(Path::new("/etc/hosts"))
            .map_err(|error| NetError::from_io(&error, Duration::ZERO))?;
        let found = hosts::rfc6724_order(hosts::addresses_of(&text, name));
        if found.is_empty() {
            return Err(NetError::new(
                NetErrorKind::NameNotFound,
                format!("{name} is not in the recorded /etc/hosts"),
                Duration::ZERO,
            ));
        }
        Ok(found)
    }

    fn connect(&self, address: SocketAddr, _deadline: Instant) -> Result<Duration, NetError> {
        self.target(address).map(|_| Duration::ZERO)
    }

    fn tcp_exchange(
        &self,
        address: SocketAddr,
        exchange: &TcpExchange<'_>,
        _deadline: Instant,
    ) -> Result<TcpReply, NetError> {
        let reply = match self.service(address) {
            Some(service) => Some(service.answer(Transport::Tcp, address, exchange.request)?),
            None => self.target(address)?.and_then(|reply| reply.bytes()),
        };
        let Some(mut bytes) = reply else {
            return Ok(TcpReply {
                bytes: Vec::new(),
                end: ReplyEnd::Deadline,
                duration: Duration::ZERO,
            });
        };
        bytes.truncate(exchange.limit);
        let end = if (exchange.complete)(&bytes) {
            ReplyEnd::Complete
        } else {
            ReplyEnd::Closed
        };
        Ok(TcpReply {
            bytes,
            end,
            duration: Duration::ZERO,
        })
    }

    fn udp_exchange(
        &self,
        address: SocketAddr,
        datagram: &[u8],
        accept: &dyn Fn(&[u8]) -> bool,
        _deadline: Instant,
    ) -> Result<Vec<u8>, NetError> {
        let Some(service) = self.service(address) else {
            return Err(not_recorded());
        };
        let reply = service.answer(Transport::Udp, address, datagram)?;
        if accept(&reply) {
            Ok(reply)
        } else {
            Err(NetError::timeout(Duration::ZERO))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::host::FixtureHost;

    fn network(files: &[(&str, &str)]) -> (tempfile::TempDir, RecordedNetwork) {
        let root = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = root.path().join(path);
            fs_err::create_dir_all(path.parent().unwrap()).unwrap();
            fs_err::write(path, text).unwrap();
        }
        let host = Arc::new(FixtureHost::new(root.path(), BTreeMap::new()));
        (root, RecordedNetwork::new(host))
    }

    fn http_exchange() -> TcpExchange<'static> {
        TcpExchange {
            request: b"GET / HTTP/1.1\r\n\r\n",
            complete: &|reply: &[u8]| reply.ends_with(b"\r\n\r\n"),
            limit: 1024,
            reply_within: None,
        }
    }

    #[test]
    fn recorded_targets_answer_by_outcome_and_reply() {
        let table =
            "# recorded\n127.0.0.1:8080 open http=200\n[::1]:8080 refused\n127.0.0.1:9 open\n";
        let (_root, network) = network(&[(".godiag/net/connect", table)]);
        let now = Instant::now();
        let open = network
            .tcp_exchange("127.0.0.1:8080".parse().unwrap(), &http_exchange(), now)
            .unwrap();
        assert!(open.bytes.starts_with(b"HTTP/1.1 200 "));
        assert_eq!(open.end, ReplyEnd::Complete);
        let refused = network
            .connect("[::1]:8080".parse().unwrap(), now)
            .unwrap_err();
        assert_eq!(refused.kind, NetErrorKind::Refused);
        let silent = network
            .tcp_exchange("127.0.0.1:9".parse().unwrap(), &http_exchange(), now)
            .unwrap();
        assert_eq!((silent.bytes.len(), silent.end), (0, ReplyEnd::Deadline));
        let missing = network
            .connect("10.0.0.1:8080".parse().unwrap(), now)
            .unwrap_err();
        assert_eq!(missing.kind, NetErrorKind::NotRecorded);
    }

    struct Echo;

    impl RecordedService for Echo {
        fn answer(
            &self,
            transport: Transport,
            _server: SocketAddr,
            request: &[u8],
        ) -> Result<Vec<u8>, NetError> {
            let mut reply = request.to_vec();
            reply.push(u8::from(transport == Transport::Tcp));
            Ok(reply)
        }
    }

    #[test]
    fn a_service_answers_its_port_only() {
        let (_root, network) = network(&[]);
        let network = network.with_service(53, Arc::new(Echo));
        let now = Instant::now();
        let server: SocketAddr = "10.0.0.1:53".parse().unwrap();
        let reply = network
            .udp_exchange(server, b"q", &|_: &[u8]| true, now)
            .unwrap();
        assert_eq!(reply, b"q\0");
        let rejected = network
            .udp_exchange(server, b"q", &|_: &[u8]| false, now)
            .unwrap_err();
        assert_eq!(rejected.kind, NetErrorKind::Timeout);
        let other = network
            .udp_exchange("10.0.0.1:54".parse().unwrap(), b"q", &|_: &[u8]| true, now)
            .unwrap_err();
        assert_eq!(other.kind, NetErrorKind::NotRecorded);
    }

    #[test]
    fn names_resolve_from_the_recorded_hosts_file() {
        let (_root, network) = network(&[("etc/hosts", "127.0.0.1 localhost\n::1 localhost\n")]);
        let found = network.resolve("localhost", Instant::now()).unwrap();
        assert_eq!(found[0], "::1".parse::<IpAddr>().unwrap());
        let missing = network.resolve("db", Instant::now()).unwrap_err();
        assert_eq!(missing.kind, NetErrorKind::NameNotFound);
    }
}
