//! The network seam of the probes: one DNS exchange over UDP or TCP with a deadline.
//!
//! [`RealTransport`] uses sockets; [`FixtureTransport`] answers from a recorded table
//! (`ROOT/.godiag/dns`), so a recorded machine can be diagnosed, probes included, without any
//! traffic. Nothing here knows DNS beyond TCP's two-byte length prefix; building and checking
//! messages is [`super::wire`]'s job.
// Sockets are the one thing `Host` does not carry: probes reach the network only through
// this trait, which the binary picks (real or recorded) the way it picks the Host.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA};
use hickory_proto::rr::{RData, Record, RecordType};

/// One DNS exchange with a server.
pub trait Transport: Send + Sync {
    /// Sends `query` over UDP and returns the first reply `accept` approves; replies it
    /// rejects are dropped and the read goes on until `deadline` (as Go does).
    fn udp(
        &self,
        server: SocketAddr,
        query: &[u8],
        accept: &dyn Fn(&[u8]) -> bool,
        deadline: Instant,
    ) -> io::Result<Vec<u8>>;

    /// Sends `query` over TCP (two-byte length prefix) and returns the reply.
    fn tcp(&self, server: SocketAddr, query: &[u8], deadline: Instant) -> io::Result<Vec<u8>>;
}

fn left(deadline: Instant) -> io::Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(timed_out())
    } else {
        Ok(left)
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "i/o timeout")
}

/// The longest a socket read waits before the deadline is looked at again.
///
/// A socket's read timeout (`SO_RCVTIMEO`) sleeps on the kernel's timer wheel, whose
/// granularity grows with the length of the wait: a 2.94 s timeout measured here returned
/// after 3.01 s, and 1 s after 1.024 s. Short waits stay within a few milliseconds, so a long
/// wait is taken in slices and ends when the deadline says, not when the wheel does.
const WAIT_SLICE: Duration = Duration::from_millis(100);

fn slice(deadline: Instant) -> io::Result<Duration> {
    Ok(left(deadline)?.min(WAIT_SLICE))
}

fn would_block(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Real sockets.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealTransport;

impl Transport for RealTransport {
    fn udp(
        &self,
        server: SocketAddr,
        query: &[u8],
        accept: &dyn Fn(&[u8]) -> bool,
        deadline: Instant,
    ) -> io::Result<Vec<u8>> {
        let local: SocketAddr = if server.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            ([0u16; 8], 0).into()
        };
        let socket = UdpSocket::bind(local)?;
        socket.connect(server)?;
        socket.send(query)?;
        let mut buffer = vec![0u8; 65_535];
        loop {
            socket.set_read_timeout(Some(slice(deadline)?))?;
            match socket.recv(&mut buffer) {
                Ok(size) if accept(&buffer[..size]) => return Ok(buffer[..size].to_vec()),
                Ok(_) => {}
                Err(error) if would_block(&error) => {}
                Err(error) => return Err(error),
            }
        }
    }

    fn tcp(&self, server: SocketAddr, query: &[u8], deadline: Instant) -> io::Result<Vec<u8>> {
        // connect_timeout waits in poll(2), which keeps time precisely.
        let mut stream = TcpStream::connect_timeout(&server, left(deadline)?)?;
        stream.set_write_timeout(Some(left(deadline)?))?;
        let length = u16::try_from(query.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "query too long"))?;
        let mut framed = length.to_be_bytes().to_vec();
        framed.extend_from_slice(query);
        stream.write_all(&framed)?;
        let mut prefix = [0u8; 2];
        read_exact(&mut stream, &mut prefix, deadline)?;
        let mut reply = vec![0u8; usize::from(u16::from_be_bytes(prefix))];
        read_exact(&mut stream, &mut reply, deadline)?;
        Ok(reply)
    }
}

fn read_exact(stream: &mut TcpStream, buffer: &mut [u8], deadline: Instant) -> io::Result<()> {
    let mut filled = 0;
    while filled < buffer.len() {
        stream.set_read_timeout(Some(slice(deadline)?))?;
        match stream.read(&mut buffer[filled..]) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(read) => filled += read,
            Err(error) if would_block(&error) || error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// What a recorded server does for a question.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Behaviour {
    /// NOERROR with these addresses (none: NODATA).
    Answer(Vec<std::net::IpAddr>),
    /// A response code without answers.
    Rcode(ResponseCode),
    /// Connection refused (nothing listens).
    Refused,
    /// No route to the server's network (`ENETUNREACH`).
    NetworkUnreachable,
    /// No route to the server itself (`EHOSTUNREACH`).
    HostUnreachable,
    /// No reply.
    Timeout,
}

/// One line of `.godiag/dns`: `SERVER NAME TYPE RESULT...`.
#[derive(Debug, Clone)]
struct Rule {
    server: String,
    name: String,
    qtype: String,
    behaviour: Behaviour,
}

/// Answers recorded in a fixture's `.godiag/dns`, one rule a line:
///
/// ```text
/// # SERVER      NAME               TYPE  RESULT
/// 10.0.0.1      git.corp.example   A     NXDOMAIN
/// 10.8.0.1      git.corp.example   A     10.8.1.5 10.8.1.6
/// 10.8.0.1      *                  AAAA  NODATA
/// 127.0.0.53    *                  *     refused
/// ```
///
/// `*` matches anything; RESULT is addresses, `NODATA`, a response code (`NXDOMAIN`,
/// `SERVFAIL`, `REFUSED`), `refused` (nothing listens), `unreachable` (no route to the
/// server's network: offline), `noroute` (no route to the server) or `timeout`. The first matching rule
/// wins; a question no rule matches times out. A recorded timeout costs no time.
#[derive(Debug, Clone, Default)]
pub struct FixtureTransport {
    rules: Vec<Rule>,
}

impl FixtureTransport {
    /// Parses the recorded table.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| {
                let mut words = line.split_whitespace();
                let (server, name, qtype) = (words.next()?, words.next()?, words.next()?);
                let rest: Vec<&str> = words.collect();
                let behaviour = match rest.as_slice() {
                    ["timeout"] => Behaviour::Timeout,
                    ["refused"] => Behaviour::Refused,
                    ["unreachable"] => Behaviour::NetworkUnreachable,
                    ["noroute"] => Behaviour::HostUnreachable,
                    ["NODATA"] | [] => Behaviour::Answer(Vec::new()),
                    ["NXDOMAIN"] => Behaviour::Rcode(ResponseCode::NXDomain),
                    ["SERVFAIL"] => Behaviour::Rcode(ResponseCode::ServFail),
                    ["REFUSED"] => Behaviour::Rcode(ResponseCode::Refused),
                    addresses => {
                        Behaviour::Answer(addresses.iter().filter_map(|a| a.parse().ok()).collect())
                    }
                };
                Some(Rule {
                    server: server.to_owned(),
                    name: name.trim_end_matches('.').to_ascii_lowercase(),
                    qtype: qtype.to_ascii_uppercase(),
                    behaviour,
                })
            })
            .collect();
        Self { rules }
    }

    fn answer(&self, server: SocketAddr, query: &[u8]) -> io::Result<Vec<u8>> {
        let request = Message::from_vec(query)
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error.to_string()))?;
        let question = request
            .queries()
            .first()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no question"))?;
        let name = question
            .name()
            .to_ascii()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let qtype = question.query_type().to_string();
        let ip = server.ip().to_string();
        let behaviour = self
            .rules
            .iter()
            .find(|rule| {
                (rule.server == "*" || rule.server == ip)
                    && (rule.name == "*" || rule.name == name)
                    && (rule.qtype == "*" || rule.qtype == qtype)
            })
            .map_or(Behaviour::Timeout, |rule| rule.behaviour.clone());
        let mut reply = Message::new();
        reply
            .set_id(request.id())
            .set_message_type(MessageType::Response)
            .set_recursion_desired(true)
            .set_recursion_available(true)
            .add_query(question.clone());
        match behaviour {
            Behaviour::Timeout => return Err(timed_out()),
            Behaviour::NetworkUnreachable => {
                return Err(io::ErrorKind::NetworkUnreachable.into());
            }
            Behaviour::HostUnreachable => return Err(io::ErrorKind::HostUnreachable.into()),
            Behaviour::Refused => {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    "connection refused",
                ));
            }
            Behaviour::Rcode(code) => {
                reply.set_response_code(code);
            }
            Behaviour::Answer(addresses) => {
                for address in addresses {
                    let data = match (address, question.query_type()) {
                        (std::net::IpAddr::V4(v4), RecordType::A) => RData::A(A(v4)),
                        (std::net::IpAddr::V6(v6), RecordType::AAAA) => RData::AAAA(AAAA(v6)),
                        _ => continue,
                    };
                    reply.add_answer(Record::from_rdata(question.name().clone(), 60, data));
                }
            }
        }
        reply
            .to_vec()
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error.to_string()))
    }
}

impl Transport for FixtureTransport {
    fn udp(
        &self,
        server: SocketAddr,
        query: &[u8],
        accept: &dyn Fn(&[u8]) -> bool,
        _deadline: Instant,
    ) -> io::Result<Vec<u8>> {
        let reply = self.answer(server, query)?;
        if accept(&reply) {
            Ok(reply)
        } else {
            Err(timed_out())
        }
    }

    fn tcp(&self, server: SocketAddr, query: &[u8], _deadline: Instant) -> io::Result<Vec<u8>> {
        self.answer(server, query)
    }
}
