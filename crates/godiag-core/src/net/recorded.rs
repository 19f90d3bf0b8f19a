//! A recorded machine's network: answers read from `ROOT/.godiag/net/`, no traffic.

mod hosts;

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{
    HttpRequest, HttpResponse, NetError, NetErrorKind, Network, RECORDED_NET, ReplyEnd,
    TcpExchange, TcpReply, TlsRequest, TlsSummary,
};
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
///
/// `net/http/FILE` answers a GET of the URL whose `/`, `:`, `?` and `*` are `_` in FILE
/// ([`RecordedNetwork::file_name`]): `STATUS` on its first line, optional `Content-Type: ...`
/// and (for a redirect) `Location: ABSOLUTE-URL` lines, an empty line and the body. A file
/// whose first line is `timeout`, `refused`, `reset`, `dns`, `unknown-authority` or `tls`
/// fails that way, its second line the message.
///
/// `net/tls` holds one handshake a line, `TARGET SERVER_NAME RESULT`: RESULT is `ok
/// VERSION SUITE` or one of the failures above.
///
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

    /// The file name a URL is recorded under.
    #[must_use]
    pub fn file_name(url: &str) -> String {
        url.chars()
            .map(|c| {
                if matches!(c, '/' | ':' | '?' | '*') {
                    '_'
                } else {
                    c
                }
            })
            .collect()
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

/// The failure a recording names.
fn recorded_failure(word: &str) -> Option<NetErrorKind> {
    Some(match word {
        "timeout" => NetErrorKind::Timeout,
        "refused" => NetErrorKind::Refused,
        "reset" => NetErrorKind::Reset,
        "dns" => NetErrorKind::NameNotFound,
        "unknown-authority" => NetErrorKind::UnknownAuthority,
        "tls" => NetErrorKind::Tls,
        _ => return None,
    })
}

impl RecordedNetwork {
    /// The recorded answer to a GET of `url`.
    fn recorded_http(&self, url: &str, body_limit: u64) -> Result<HttpResponse, NetError> {
        let path = format!("{RECORDED_NET}/http/{}", Self::file_name(url));
        let fail = |kind, message: &str| NetError::new(kind, message, Duration::ZERO);
        let Ok(bytes) = self.host.read(Path::new(&path)) else {
            return Err(fail(
                NetErrorKind::NotRecorded,
                "not sent: this is a recorded machine and no answer was recorded",
            ));
        };
        let text = String::from_utf8_lossy(&bytes);
        let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
        let lines: Vec<&str> = head.lines().collect();
        let first = lines.first().copied().unwrap_or_default().trim();
        if let Some(kind) = recorded_failure(first) {
            return Err(fail(kind, lines.get(1).copied().unwrap_or(first)));
        }
        let status = first
            .parse()
            .map_err(|_| fail(NetErrorKind::Other, "unreadable recording"))?;
        let header = |name: &str| {
            lines
                .iter()
                .find_map(|line| line.strip_prefix(name))
                .map(|value| value.trim().to_owned())
        };
        let location = matches!(status, 301 | 302 | 303 | 307 | 308)
            .then(|| header("Location:"))
            .flatten();
        let limit = if location.is_some() {
            0
        } else {
            usize::try_from(body_limit).unwrap_or(usize::MAX)
        };
        let body = body.as_bytes()[..body.len().min(limit)].to_vec();
        Ok(HttpResponse {
            status,
            content_type: header("Content-Type:"),
            location,
            body: Box::new(std::io::Cursor::new(body)),
            duration: Duration::ZERO,
        })
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

    fn http(&self, request: &HttpRequest, _deadline: Instant) -> Result<HttpResponse, NetError> {
        let mut url = request.url.clone();
        let mut left = request.redirects;
        loop {
            let response = self.recorded_http(&url, request.body_limit)?;
            match response.location.clone() {
                Some(next) if left > 0 => {
                    url = next;
                    left -= 1;
                }
                _ => return Ok(response),
            }
        }
    }

    fn tls_handshake(
        &self,
        address: SocketAddr,
        request: &TlsRequest,
        _deadline: Instant,
    ) -> Result<TlsSummary, NetError> {
        let path = format!("{RECORDED_NET}/tls");
        let text = self
            .host
            .read_to_string(Path::new(&path))
            .unwrap_or_default();
        let target = address.to_string();
        let words: Vec<&str> = text
            .lines()
            .map(|line| line.split('#').next().unwrap_or_default())
            .map(|line| line.split_whitespace().collect::<Vec<_>>())
            .find(|words| {
                words.first() == Some(&target.as_str())
                    && words.get(1) == Some(&request.server_name.as_str())
            })
            .ok_or_else(not_recorded)?;
        match words.get(2..).unwrap_or_default() {
            ["ok", version, suite, ..] => Ok(TlsSummary {
                version: (*version).to_owned(),
                cipher_suite: (*suite).to_owned(),
                chain: Vec::new(),
                duration: Duration::ZERO,
            }),
            [failure, ..] => Err(NetError::new(
                recorded_failure(failure).unwrap_or(NetErrorKind::Other),
                format!("recorded handshake failure: {failure}"),
                Duration::ZERO,
            )),
            [] => Err(NetError::new(
                NetErrorKind::Other,
                "unreadable recording",
                Duration::ZERO,
            )),
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

    #[test]
    fn recorded_http_answers_and_failures() {
        let url = "https://proxy.example/mod/@v/list";
        let file = format!(".godiag/net/http/{}", RecordedNetwork::file_name(url));
        let moved = "https://proxy.example/old";
        let moved_file = format!(".godiag/net/http/{}", RecordedNetwork::file_name(moved));
        let (_root, network) = network(&[
            (&file, "200\nContent-Type: text/plain\n\nv1.0.0\n"),
            (
                &moved_file,
                "301\nLocation: https://proxy.example/mod/@v/list\n\n",
            ),
            (
                ".godiag/net/http/https___down.example_",
                "timeout\ni/o timeout\n",
            ),
        ]);
        let request = |url: &str, redirects| HttpRequest {
            url: url.to_owned(),
            headers: Vec::new(),
            user_agent: "test".to_owned(),
            proxy: None,
            trust: crate::net::Trust::default(),
            body_limit: 3,
            redirects,
        };
        let now = Instant::now();
        let mut answer = network.http(&request(url, 0), now).unwrap();
        let mut body = String::new();
        std::io::Read::read_to_string(&mut answer.body, &mut body).unwrap();
        assert_eq!((answer.status, body.as_str()), (200, "v1."));
        assert_eq!(answer.content_type.as_deref(), Some("text/plain"));
        let redirect = network.http(&request(moved, 0), now).unwrap();
        assert_eq!(redirect.location.as_deref(), Some(url));
        assert_eq!(network.http(&request(moved, 1), now).unwrap().status, 200);
        let down = network
            .http(&request("https://down.example/", 0), now)
            .unwrap_err();
        assert_eq!(
            (down.kind, down.message.as_str()),
            (NetErrorKind::Timeout, "i/o timeout")
        );
        let missing = network
            .http(&request("https://none.example/", 0), now)
            .unwrap_err();
        assert_eq!(missing.kind, NetErrorKind::NotRecorded);
    }

    #[test]
    fn recorded_handshakes_by_target_and_name() {
        let table = "127.0.0.1:443 a.example ok TLSv1_3 TLS13_AES_128_GCM_SHA256\n127.0.0.1:443 b.example unknown-authority\n";
        let (_root, network) = network(&[(".godiag/net/tls", table)]);
        let address: SocketAddr = "127.0.0.1:443".parse().unwrap();
        let request = |name: &str| TlsRequest {
            server_name: name.to_owned(),
            trust: crate::net::Trust::default(),
        };
        let now = Instant::now();
        let ok = network
            .tls_handshake(address, &request("a.example"), now)
            .unwrap();
        assert_eq!(ok.version, "TLSv1_3");
        let bad = network
            .tls_handshake(address, &request("b.example"), now)
            .unwrap_err();
        assert_eq!(bad.kind, NetErrorKind::UnknownAuthority);
        let none = network
            .tls_handshake(address, &request("c.example"), now)
            .unwrap_err();
        assert_eq!(none.kind, NetErrorKind::NotRecorded);
    }
}
