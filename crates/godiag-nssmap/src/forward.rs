//! Asks a `dns` rule's servers, the way glibc's stub resolver does (resolv.conf(5)): each
//! round tries the servers in order, each server gets `timeout`, and there are `attempts`
//! rounds; a truncated UDP answer is asked again over TCP. For `AF_UNSPEC` the A and AAAA
//! queries go out together on one socket, so a dead server costs one timeout, not two.
// This crate runs inside every process that resolves a name (through libnss_godiag.so.2),
// so it cannot take godiag-core's network seam and its dependencies: it owns exactly the
// two sockets of a DNS query, here, and nothing else in it opens one.
#![allow(clippy::disallowed_methods)]

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::answer::{Answer, Family};
use crate::map::Options;
use crate::wire::{self, Data, QueryType, RCODE_NXDOMAIN, Response};

/// What the servers said, summed over the query types asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forwarded {
    /// Addresses of the wanted family.
    Answer(Answer),
    /// The server says the name does not exist.
    NxDomain,
    /// The name exists without an address of the wanted family.
    NoData,
    /// No server gave a usable answer within timeout × attempts (× servers).
    NoAnswer,
}

/// Longest response read over TCP; bigger ones cannot hold only A/AAAA records for one name.
const MAX_TCP_RESPONSE: usize = 65_535;
/// CNAME links followed before the chain counts as broken.
const MAX_CNAMES: usize = 16;

/// Asks `servers` for `name`'s addresses of `family`.
#[must_use]
pub fn query(servers: &[SocketAddr], name: &str, family: Family, options: Options) -> Forwarded {
    let types: &[QueryType] = match family {
        Family::V4 => &[QueryType::A],
        Family::V6 => &[QueryType::Aaaa],
        Family::Any => &[QueryType::A, QueryType::Aaaa],
    };
    for _ in 0..options.attempts {
        for &server in servers {
            if let Some(responses) = exchange(server, name, types, options.timeout) {
                return summarise(name, &responses);
            }
        }
    }
    Forwarded::NoAnswer
}

/// One server's answers to every query type, or `None` if it did not give them all in time
/// or answered with an error other than NXDOMAIN (glibc moves to the next server then too).
fn exchange(
    server: SocketAddr,
    name: &str,
    types: &[QueryType],
    timeout: Duration,
) -> Option<Vec<Response>> {
    let deadline = Instant::now() + timeout;
    let queries: Vec<(u16, QueryType, Vec<u8>)> = types
        .iter()
        .map(|&qtype| {
            let id = query_id();
            (id, qtype, wire::query(id, name, qtype))
        })
        .collect();
    let mut responses = udp(server, name, &queries, deadline)?;
    for (slot, (_, qtype, message)) in responses.iter_mut().zip(&queries) {
        if slot.truncated {
            *slot = tcp(server, message, deadline)
                .filter(|response| matches_query(response, slot.id, name, *qtype))?;
        }
    }
    responses
        .iter()
        .all(|response| response.rcode == 0 || response.rcode == RCODE_NXDOMAIN)
        .then_some(responses)
}

fn udp(
    server: SocketAddr,
    name: &str,
    queries: &[(u16, QueryType, Vec<u8>)],
    deadline: Instant,
) -> Option<Vec<Response>> {
    let local: SocketAddr = match server.ip() {
        IpAddr::V4(_) => ([0, 0, 0, 0], 0).into(),
        IpAddr::V6(_) => ([0u16; 8], 0).into(),
    };
    let socket = UdpSocket::bind(local).ok()?;
    socket.connect(server).ok()?;
    for (_, _, message) in queries {
        socket.send(message).ok()?;
    }
    let mut answered: Vec<Option<Response>> = vec![None; queries.len()];
    let mut buffer = [0u8; 1232];
    while answered.iter().any(Option::is_none) {
        let left = deadline.checked_duration_since(Instant::now())?;
        socket
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .ok()?;
        let Ok(len) = socket.recv(&mut buffer) else {
            // Timed out, or ICMP port unreachable surfaced as ECONNREFUSED: next server.
            return None;
        };
        let Some(response) = wire::response(&buffer[..len]) else {
            continue;
        };
        // Anything that does not answer one of our questions is ignored, as glibc's
        // res_send does (a late answer to an earlier query, or a spoofing attempt).
        if let Some(index) = queries
            .iter()
            .position(|(id, qtype, _)| matches_query(&response, *id, name, *qtype))
        {
            answered[index] = Some(response);
        }
    }
    answered.into_iter().collect()
}

fn tcp(server: SocketAddr, message: &[u8], deadline: Instant) -> Option<Response> {
    let left = deadline.checked_duration_since(Instant::now())?;
    let mut stream = TcpStream::connect_timeout(&server, left).ok()?;
    let left = deadline.checked_duration_since(Instant::now())?;
    stream.set_read_timeout(Some(left)).ok()?;
    stream.set_write_timeout(Some(left)).ok()?;
    let len = u16::try_from(message.len()).ok()?;
    let mut framed = len.to_be_bytes().to_vec();
    framed.extend_from_slice(message);
    stream.write_all(&framed).ok()?;
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).ok()?;
    let len = usize::from(u16::from_be_bytes(len)).min(MAX_TCP_RESPONSE);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).ok()?;
    wire::response(&body)
}

fn matches_query(response: &Response, id: u16, name: &str, qtype: QueryType) -> bool {
    response.id == id
        && response
            .question
            .as_ref()
            .is_some_and(|(qname, t)| *t == qtype.code() && qname.eq_ignore_ascii_case(name))
}

/// Follows the CNAME chain from `name` and keeps the addresses of its end.
fn summarise(name: &str, responses: &[Response]) -> Forwarded {
    if responses.iter().all(|r| r.rcode == RCODE_NXDOMAIN) {
        return Forwarded::NxDomain;
    }
    let records: Vec<&wire::Record> = responses.iter().flat_map(|r| &r.records).collect();
    let mut canonical = name.to_owned();
    for _ in 0..MAX_CNAMES {
        let next = records.iter().find_map(|record| match &record.data {
            Data::Cname(target) if record.owner.eq_ignore_ascii_case(&canonical) => {
                Some(target.clone())
            }
            _ => None,
        });
        match next {
            Some(target) => canonical = target,
            None => break,
        }
    }
    let mut ttl = u32::MAX;
    let addresses: Vec<IpAddr> = records
        .iter()
        .filter(|record| record.owner.eq_ignore_ascii_case(&canonical))
        .filter_map(|record| {
            let address = match record.data {
                Data::V4(v4) => IpAddr::V4(v4),
                Data::V6(v6) => IpAddr::V6(v6),
                Data::Cname(_) => return None,
            };
            ttl = ttl.min(record.ttl);
            Some(address)
        })
        .collect();
    if addresses.is_empty() {
        return Forwarded::NoData;
    }
    Forwarded::Answer(Answer {
        canonical,
        addresses,
        ttl,
    })
}

/// A query ID an off-path attacker cannot predict: std's `RandomState` is seeded from the
/// OS's random source once per process, and the counter makes each ID differ.
fn query_id() -> u16 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let hash = RandomState::new().hash_one(count);
    u16::try_from(hash & 0xffff).unwrap_or_default()
}

#[cfg(test)]
mod tests;
