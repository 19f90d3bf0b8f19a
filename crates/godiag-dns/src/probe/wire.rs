//! DNS messages the way Go's resolver writes and judges them (`net/dnsclient_unix.go`
//! `newRequest`, `checkResponse`, `checkHeader`, `skipToAnswer`), on hickory-proto.

use std::hash::{BuildHasher, Hasher};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RData, RecordType};

use godiag_core::net::{NetError, NetErrorKind, Network, ReplyEnd, TcpExchange};

/// The EDNS0 UDP size Go advertises (`maxDNSPacketSize`).
const GO_UDP_SIZE: u16 = 1232;

/// What one exchange with one server gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exchange {
    /// A reply, already judged.
    Reply(Judged),
    /// No reply at all, and why.
    NoReply(super::NoReply),
    /// A reply that could not be used, or another failure: Go's words for it.
    Failed(String),
}

/// A reply judged as Go judges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// The response code's name (`NOERROR`, `NXDOMAIN`, ...).
    pub rcode: String,
    /// Addresses of the asked type.
    pub addresses: Vec<IpAddr>,
    /// Go's verdict.
    pub outcome: Outcome,
}

/// Go's verdict on a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Records of the asked type.
    Answer,
    /// NXDOMAIN, or NOERROR without records of the type: "no such host"; no other server
    /// is tried.
    NoSuchHost,
    /// SERVFAIL: "server misbehaving" (temporary); the next server is tried.
    ServerFailure,
    /// Another error code: "server misbehaving"; the next server is tried.
    Misbehaving,
    /// NOERROR, not authoritative, no recursion, nothing in it: "lame referral"; next server.
    LameReferral,
}

impl Outcome {
    /// The text Go puts in its `DNSError`.
    #[must_use]
    pub fn go_error(self) -> Option<&'static str> {
        match self {
            Self::Answer => None,
            Self::NoSuchHost => Some("no such host"),
            Self::ServerFailure | Self::Misbehaving => Some("server misbehaving"),
            Self::LameReferral => Some("lame referral"),
        }
    }
}

/// A random query id: the standard library's per-process random hasher keys.
fn random_id() -> u16 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    u16::try_from(hasher.finish() & 0xffff).unwrap_or_default()
}

/// Builds a query as Go does: recursion desired, AD only with `trust-ad`, an EDNS0 OPT
/// record advertising 1232 bytes.
pub fn query(name: &str, qtype: RecordType, trust_ad: bool) -> io::Result<(u16, Vec<u8>)> {
    let name = Name::from_ascii(name)
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error.to_string()))?;
    let id = random_id();
    let mut message = Message::new();
    let mut edns = Edns::new();
    edns.set_max_payload(GO_UDP_SIZE);
    message
        .set_id(id)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .set_recursion_desired(true)
        .set_authentic_data(trust_ad)
        .add_query(Query::query(name, qtype))
        .set_edns(edns);
    let bytes = message
        .to_vec()
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error.to_string()))?;
    Ok((id, bytes))
}

/// `checkResponse`: a reply to this id and question.
fn matches(reply: &Message, id: u16, name: &str, qtype: RecordType) -> bool {
    reply.message_type() == MessageType::Response
        && reply.id() == id
        && reply.queries().first().is_some_and(|q| {
            q.query_type() == qtype
                && q.query_class() == DNSClass::IN
                && q.name().to_ascii().eq_ignore_ascii_case(name)
        })
}

/// One exchange as Go's `exchange` does it: UDP (or only TCP with `use-vc`), and TCP again
/// when the UDP reply is truncated.
pub fn exchange(
    network: &dyn Network,
    server: SocketAddr,
    name: &str,
    qtype: RecordType,
    options: ExchangeOptions,
) -> Exchange {
    let (id, request) = match query(name, qtype, options.trust_ad) {
        Ok(built) => built,
        Err(error) => return Exchange::Failed(format!("cannot marshal DNS message: {error}")),
    };
    let accept = |reply: &[u8]| {
        Message::from_vec(reply).is_ok_and(|message| matches(&message, id, name, qtype))
    };
    let mut reply = if options.use_tcp {
        tcp(network, server, &request, options.deadline)
    } else {
        network.udp_exchange(server, &request, &accept, options.deadline)
    };
    // RFC 7766: a truncated UDP reply means "ask again over TCP" (Go does, same server).
    let truncated = !options.use_tcp
        && reply
            .as_ref()
            .is_ok_and(|bytes| Message::from_vec(bytes).is_ok_and(|m| m.truncated()));
    if truncated {
        reply = tcp(network, server, &request, options.deadline);
    }
    match reply {
        Err(error) => super::NoReply::of(&error)
            .map_or_else(|| Exchange::Failed(error.to_string()), Exchange::NoReply),
        Ok(bytes) => match Message::from_vec(&bytes) {
            Ok(message) if matches(&message, id, name, qtype) => {
                Exchange::Reply(judge(&message, qtype))
            }
            Ok(_) => Exchange::Failed("invalid DNS response".into()),
            Err(_) => Exchange::Failed("cannot unmarshal DNS message".into()),
        },
    }
}

/// Frames a message for TCP: a two-byte length prefix (RFC 1035 section 4.2.2).
///
/// # Errors
/// A message longer than the prefix can say.
pub fn framed(message: &[u8]) -> Result<Vec<u8>, NetError> {
    let length = u16::try_from(message.len())
        .map_err(|_| NetError::new(NetErrorKind::Other, "query too long", Duration::ZERO))?;
    let mut framed = length.to_be_bytes().to_vec();
    framed.extend_from_slice(message);
    Ok(framed)
}

/// The length a framed message announces, once its prefix is in.
fn announced(framed: &[u8]) -> Option<usize> {
    Some(2 + usize::from(u16::from_be_bytes([*framed.first()?, *framed.get(1)?])))
}

/// Sends `query` over TCP and returns the reply without its prefix.
fn tcp(
    network: &dyn Network,
    server: SocketAddr,
    query: &[u8],
    deadline: Instant,
) -> Result<Vec<u8>, NetError> {
    let request = framed(query)?;
    let complete = |reply: &[u8]| announced(reply).is_some_and(|length| reply.len() >= length);
    let exchange = TcpExchange {
        request: &request,
        complete: &complete,
        limit: 2 + usize::from(u16::MAX),
        reply_within: None,
    };
    let reply = network.tcp_exchange(server, &exchange, deadline)?;
    match reply.end {
        ReplyEnd::Complete => {
            let length = announced(&reply.bytes).unwrap_or(2);
            Ok(reply.bytes[2..length].to_vec())
        }
        ReplyEnd::Deadline => Err(NetError::timeout(reply.duration)),
        ReplyEnd::Failed(error) => Err(error),
        // The words of `io::ErrorKind::UnexpectedEof`, as Go's "unexpected EOF" means the same.
        ReplyEnd::Closed | ReplyEnd::Limit => Err(NetError::new(
            NetErrorKind::Other,
            "unexpected end of file",
            reply.duration,
        )),
    }
}

/// Settings of one exchange.
#[derive(Debug, Clone, Copy)]
pub struct ExchangeOptions {
    /// `options use-vc`.
    pub use_tcp: bool,
    /// `options trust-ad`.
    pub trust_ad: bool,
    /// When to give up.
    pub deadline: Instant,
}

/// `checkHeader` and `skipToAnswer`.
fn judge(message: &Message, qtype: RecordType) -> Judged {
    let code = message.response_code();
    let addresses: Vec<IpAddr> = message
        .answers()
        .iter()
        .filter_map(|record| match record.data() {
            RData::A(a) if qtype == RecordType::A => Some(IpAddr::V4(a.0)),
            RData::AAAA(aaaa) if qtype == RecordType::AAAA => Some(IpAddr::V6(aaaa.0)),
            _ => None,
        })
        .collect();
    let has_type = message.answers().iter().any(|r| r.record_type() == qtype);
    let outcome = if code == ResponseCode::NXDomain {
        Outcome::NoSuchHost
    } else if code == ResponseCode::NoError
        && !message.authoritative()
        && !message.recursion_available()
        && message.answers().is_empty()
        && message.additionals().is_empty()
        && message.extensions().is_none()
    {
        Outcome::LameReferral
    } else if code == ResponseCode::ServFail {
        Outcome::ServerFailure
    } else if code != ResponseCode::NoError {
        Outcome::Misbehaving
    } else if has_type {
        Outcome::Answer
    } else {
        Outcome::NoSuchHost
    };
    Judged {
        rcode: rcode_name(code),
        addresses,
        outcome,
    }
}

/// `NOERROR`, `NXDOMAIN`, `SERVFAIL`...
#[must_use]
pub fn rcode_name(code: ResponseCode) -> String {
    match code {
        ResponseCode::NoError => "NOERROR".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        ResponseCode::Refused => "REFUSED".into(),
        other => format!("RCODE{}", u16::from(other)),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use godiag_core::host::FixtureHost;
    use godiag_core::net::{RecordedNetwork, RecordedService, Transport};
    use hickory_proto::rr::Record;
    use hickory_proto::rr::rdata::A;

    use super::*;

    #[test]
    fn query_looks_like_gos() {
        let (id, bytes) = query("git.corp.example.", RecordType::A, false).unwrap();
        let message = Message::from_vec(&bytes).unwrap();
        assert_eq!(message.id(), id);
        assert!(message.recursion_desired());
        assert!(!message.authentic_data());
        assert_eq!(message.extensions().as_ref().unwrap().max_payload(), 1232);
        let (_, bytes) = query("x.", RecordType::AAAA, true).unwrap();
        assert!(Message::from_vec(&bytes).unwrap().authentic_data());
    }

    fn reply(code: ResponseCode, answers: &[&str], ra: bool) -> Message {
        let mut message = Message::new();
        message
            .set_message_type(MessageType::Response)
            .set_response_code(code)
            .set_recursion_available(ra);
        for answer in answers {
            message.add_answer(Record::from_rdata(
                Name::from_ascii("x.").unwrap(),
                60,
                RData::A(A(answer.parse().unwrap())),
            ));
        }
        message
    }

    /// Answers UDP with a truncated, empty reply and TCP with the full answer.
    struct Truncating;

    impl RecordedService for Truncating {
        fn answer(
            &self,
            transport: Transport,
            _: SocketAddr,
            query: &[u8],
        ) -> Result<Vec<u8>, NetError> {
            let tcp = transport == Transport::Tcp;
            let request = Message::from_vec(if tcp { &query[2..] } else { query }).unwrap();
            let answers: &[&str] = if tcp { &["10.0.0.7"] } else { &[] };
            let mut reply = reply(ResponseCode::NoError, answers, true);
            reply
                .set_id(request.id())
                .set_truncated(!tcp)
                .add_query(request.queries()[0].clone());
            let bytes = reply.to_vec().unwrap();
            Ok(if tcp { framed(&bytes).unwrap() } else { bytes })
        }
    }

    #[test]
    fn a_truncated_udp_reply_is_asked_again_over_tcp() {
        let options = ExchangeOptions {
            use_tcp: false,
            trust_ad: false,
            deadline: Instant::now() + std::time::Duration::from_secs(1),
        };
        let host = FixtureHost::new("/nonexistent", std::collections::BTreeMap::new());
        let network = RecordedNetwork::new(Arc::new(host)).with_service(53, Arc::new(Truncating));
        let exchange = exchange(
            &network,
            "127.0.0.1:53".parse().unwrap(),
            "x.",
            RecordType::A,
            options,
        );
        let Exchange::Reply(judged) = exchange else {
            panic!("{exchange:?}");
        };
        assert_eq!(judged.addresses, ["10.0.0.7".parse::<IpAddr>().unwrap()]);
    }

    #[test]
    fn judged_like_check_header() {
        let judged = judge(
            &reply(ResponseCode::NoError, &["10.0.0.1"], true),
            RecordType::A,
        );
        assert_eq!(judged.outcome, Outcome::Answer);
        assert_eq!(judged.addresses, ["10.0.0.1".parse::<IpAddr>().unwrap()]);
        assert_eq!(
            judge(&reply(ResponseCode::NXDomain, &[], true), RecordType::A).outcome,
            Outcome::NoSuchHost
        );
        assert_eq!(
            judge(&reply(ResponseCode::NoError, &[], true), RecordType::A).outcome,
            Outcome::NoSuchHost
        );
        assert_eq!(
            judge(&reply(ResponseCode::NoError, &[], false), RecordType::A).outcome,
            Outcome::LameReferral
        );
        assert_eq!(
            judge(&reply(ResponseCode::ServFail, &[], true), RecordType::A).outcome,
            Outcome::ServerFailure
        );
        assert_eq!(
            judge(&reply(ResponseCode::Refused, &[], true), RecordType::A).outcome,
            Outcome::Misbehaving
        );
        assert_eq!(
            judge(
                &reply(ResponseCode::NoError, &["10.0.0.1"], true),
                RecordType::AAAA
            )
            .outcome,
            Outcome::NoSuchHost
        );
    }
}
