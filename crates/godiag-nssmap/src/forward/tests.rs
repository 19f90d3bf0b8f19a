use std::net::{Ipv4Addr, TcpListener};
use std::thread;

use super::*;

/// A loopback server that answers each query with `reply(query) -> Vec<messages>`; several
/// messages per query let a test send decoys before the real answer.
fn udp_server(reply: impl Fn(&[u8]) -> Vec<Vec<u8>> + Send + 'static) -> SocketAddr {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let address = socket.local_addr().unwrap();
    thread::spawn(move || {
        let mut buffer = [0u8; 512];
        while let Ok((len, peer)) = socket.recv_from(&mut buffer) {
            for message in reply(&buffer[..len]) {
                socket.send_to(&message, peer).unwrap();
            }
        }
    });
    address
}

/// The response to `query`: truncated or not, an rcode and the A/AAAA answers of its type.
fn reply(query: &[u8], truncated: bool, rcode: u8, addresses: &[IpAddr]) -> Vec<u8> {
    let mut message = query.to_vec();
    message[2] = 0x81 | if truncated { 0x02 } else { 0 };
    message[3] = 0x80 | rcode;
    let qtype = u16::from_be_bytes([query[query.len() - 4], query[query.len() - 3]]);
    let mut count = 0u8;
    for address in addresses {
        let (rtype, rdata) = match address {
            IpAddr::V4(v4) => (1u16, v4.octets().to_vec()),
            IpAddr::V6(v6) => (28u16, v6.octets().to_vec()),
        };
        if rtype != qtype {
            continue;
        }
        count += 1;
        message.extend_from_slice(&[0xc0, 12]);
        message.extend_from_slice(&rtype.to_be_bytes());
        message.extend_from_slice(&[0, 1, 0, 0, 1, 0]);
        message.extend_from_slice(&u16::try_from(rdata.len()).unwrap().to_be_bytes());
        message.extend_from_slice(&rdata);
    }
    message[7] = count;
    message
}

fn answer(query: &[u8], rcode: u8, addresses: &[IpAddr]) -> Vec<u8> {
    reply(query, false, rcode, addresses)
}

fn options(timeout_ms: u64, attempts: u32) -> Options {
    Options {
        timeout: Duration::from_millis(timeout_ms),
        attempts,
    }
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn both_families_come_back_in_one_answer_despite_decoys() {
    let server = udp_server(|query| {
        let mut decoy = answer(query, 0, &[ip("6.6.6.6")]);
        decoy[0] ^= 0xff;
        vec![decoy, answer(query, 0, &[ip("10.0.0.7"), ip("fd00::7")])]
    });
    let got = query(&[server], "git.corp.example", Family::Any, options(1000, 1));
    let Forwarded::Answer(answer) = got else {
        panic!("no answer: {got:?}");
    };
    assert_eq!(answer.canonical, "git.corp.example");
    assert_eq!(answer.addresses, [ip("10.0.0.7"), ip("fd00::7")]);
    assert_eq!(answer.ttl, 256);
}

#[test]
fn nxdomain_and_nodata_are_told_apart() {
    let server = udp_server(|query| vec![answer(query, RCODE_NXDOMAIN, &[])]);
    assert_eq!(
        query(&[server], "no.example", Family::Any, options(1000, 1)),
        Forwarded::NxDomain
    );
    let server = udp_server(|query| vec![answer(query, 0, &[ip("10.0.0.1")])]);
    assert_eq!(
        query(&[server], "v4.example", Family::V6, options(1000, 1)),
        Forwarded::NoData
    );
}

#[test]
fn a_truncated_answer_is_asked_again_over_tcp() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).unwrap();
    thread::spawn(move || {
        let mut buffer = [0u8; 512];
        while let Ok((len, peer)) = udp.recv_from(&mut buffer) {
            udp.send_to(&reply(&buffer[..len], true, 0, &[]), peer)
                .unwrap();
        }
    });
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut len = [0u8; 2];
        stream.read_exact(&mut len).unwrap();
        let mut query = vec![0u8; usize::from(u16::from_be_bytes(len))];
        stream.read_exact(&mut query).unwrap();
        let reply = answer(&query, 0, &[ip("10.9.9.9")]);
        stream
            .write_all(&u16::try_from(reply.len()).unwrap().to_be_bytes())
            .unwrap();
        stream.write_all(&reply).unwrap();
    });
    let server = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let got = query(&[server], "big.example", Family::V4, options(2000, 1));
    let Forwarded::Answer(answer) = got else {
        panic!("no answer: {got:?}");
    };
    assert_eq!(answer.addresses, [ip("10.9.9.9")]);
}

#[test]
fn a_silent_server_costs_timeout_times_attempts_and_the_next_one_answers() {
    // Bound but never read: queries vanish, as with a blackholed server.
    let silent = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let dead = silent.local_addr().unwrap();
    let started = Instant::now();
    assert_eq!(
        query(&[dead], "x.example", Family::Any, options(200, 2)),
        Forwarded::NoAnswer
    );
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(400), "{took:?}");
    assert!(took < Duration::from_millis(900), "{took:?}");
    let live = udp_server(|query| vec![answer(query, 0, &[ip("10.0.0.2")])]);
    let got = query(&[dead, live], "x.example", Family::V4, options(200, 1));
    assert!(matches!(got, Forwarded::Answer(_)), "{got:?}");
}
