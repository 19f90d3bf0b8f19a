//! Recorded DNS servers: the answers a recorded machine's `ROOT/.godiag/net/dns` gives.
//!
//! The table is read through the machine's `Host` and answers, as a [`RecordedService`] of
//! godiag-core's [`godiag_core::net::RecordedNetwork`], the exchanges with port 53:
//! godiag-core moves the bytes, this module knows DNS. Nothing here is sent anywhere.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use godiag_core::host::Host;
use godiag_core::net::{NetError, NetErrorKind, RECORDED_NET, RecordedService, Transport};
use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA};
use hickory_proto::rr::{RData, Record, RecordType};

/// Where a recorded machine keeps its DNS servers' answers.
pub const RECORDED_DNS: &str = "dns";

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

/// One line of `.godiag/net/dns`: `SERVER NAME TYPE RESULT...`.
#[derive(Debug, Clone)]
struct Rule {
    server: String,
    name: String,
    qtype: String,
    behaviour: Behaviour,
}

/// Answers recorded in a fixture's `.godiag/net/dns`, one rule a line:
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
pub struct RecordedDns {
    rules: Vec<Rule>,
}

impl RecordedDns {
    /// Reads `host`'s recorded table; a machine without one has none.
    #[must_use]
    pub fn read(host: &dyn Host) -> Self {
        Self::parse(&host.read_to_string(&path()).unwrap_or_default())
    }

    /// Returns true when `host` has recorded DNS answers.
    #[must_use]
    pub fn recorded(host: &dyn Host) -> bool {
        host.metadata(&path()).is_ok()
    }

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

    fn reply(&self, server: SocketAddr, query: &[u8]) -> Result<Vec<u8>, NetError> {
        let request = Message::from_vec(query).map_err(|error| other(error.to_string()))?;
        let question = request
            .queries()
            .first()
            .ok_or_else(|| other("no question".to_owned()))?;
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
            Behaviour::Timeout => return Err(NetError::timeout(Duration::ZERO)),
            Behaviour::NetworkUnreachable => {
                return Err(failure(&io::ErrorKind::NetworkUnreachable.into()));
            }
            Behaviour::HostUnreachable => {
                return Err(failure(&io::ErrorKind::HostUnreachable.into()));
            }
            Behaviour::Refused => {
                return Err(failure(&io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    "connection refused",
                )));
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
        reply.to_vec().map_err(|error| other(error.to_string()))
    }
}

impl RecordedService for RecordedDns {
    fn answer(
        &self,
        transport: Transport,
        server: SocketAddr,
        request: &[u8],
    ) -> Result<Vec<u8>, NetError> {
        match transport {
            Transport::Udp => self.reply(server, request),
            // RFC 1035 section 4.2.2: over TCP each message has a two-byte length prefix.
            Transport::Tcp => {
                let query = request.get(2..).unwrap_or_default();
                let reply = self.reply(server, query)?;
                Ok(super::wire::framed(&reply)?)
            }
        }
    }
}

fn path() -> std::path::PathBuf {
    Path::new(RECORDED_NET).join(RECORDED_DNS)
}

fn failure(error: &io::Error) -> NetError {
    NetError::from_io(error, Duration::ZERO)
}

fn other(message: String) -> NetError {
    NetError::new(NetErrorKind::Other, message, Duration::ZERO)
}

/// A recorded network over `table` alone, for tests.
#[cfg(test)]
pub(crate) fn network(table: &str) -> godiag_core::net::RecordedNetwork {
    let host =
        godiag_core::host::FixtureHost::new("/nonexistent", std::collections::BTreeMap::new());
    godiag_core::net::RecordedNetwork::new(std::sync::Arc::new(host))
        .with_service(53, std::sync::Arc::new(RecordedDns::parse(table)))
}
