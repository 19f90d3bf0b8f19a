//! This machine's network: sockets, getaddrinfo, and (with the `http` feature) ureq over
//! rustls.
// The one place sockets are opened: everything else reaches the network through `Network`.
#![allow(clippy::disallowed_methods)]

#[cfg(feature = "http")]
mod forward;
#[cfg(feature = "http")]
mod http;
#[cfg(feature = "http")]
mod tls;

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};

use super::{
    HttpRequest, HttpResponse, NetError, NetErrorKind, Network, ReplyEnd, TcpExchange, TcpReply,
    TlsRequest, TlsSummary, left,
};

/// The longest a socket read waits before the deadline is looked at again.
///
/// A socket's read timeout (`SO_RCVTIMEO`) sleeps on the kernel's timer wheel, whose
/// granularity grows with the length of the wait: a 2.94 s timeout measured here returned
/// after 3.01 s, and 1 s after 1.024 s. Short waits stay within a few milliseconds, so a long
/// wait is taken in slices and ends when the deadline says, not when the wheel does.
const WAIT_SLICE: Duration = Duration::from_millis(100);

/// This machine's network.
#[derive(Debug, Default, Clone, Copy)]
pub struct LiveNetwork;

impl Network for LiveNetwork {
    fn resolve(&self, name: &str, deadline: Instant) -> Result<Vec<IpAddr>, NetError> {
        let started = Instant::now();
        let wait = left(deadline, started)?;
        // getaddrinfo takes no timeout; it runs on its own thread, which is left to finish
        // alone when the deadline comes first.
        let (sender, receiver) = std::sync::mpsc::channel();
        let owned = name.to_owned();
        std::thread::spawn(move || {
            let _ = sender.send((owned.as_str(), 0).to_socket_addrs());
        });
        let addresses = match receiver.recv_timeout(wait) {
            Ok(Ok(addresses)) => addresses,
            Ok(Err(error)) => {
                return Err(NetError::new(
                    NetErrorKind::NameNotFound,
                    error.to_string(),
                    started.elapsed(),
                ));
            }
            Err(_) => return Err(NetError::timeout(started.elapsed())),
        };
        let mut found = Vec::new();
        for address in addresses {
            if !found.contains(&address.ip()) {
                found.push(address.ip());
            }
        }
        Ok(found)
    }

    fn connect(&self, address: SocketAddr, deadline: Instant) -> Result<Duration, NetError> {
        let started = Instant::now();
        connect(address, deadline, started)?;
        Ok(started.elapsed())
    }

    fn tcp_exchange(
        &self,
        address: SocketAddr,
        exchange: &TcpExchange<'_>,
        deadline: Instant,
    ) -> Result<TcpReply, NetError> {
        let started = Instant::now();
        let mut stream = connect(address, deadline, started)?;
        let deadline = exchange
            .reply_within
            .map_or(deadline, |within| deadline.min(Instant::now() + within));
        let (bytes, end) = converse(&mut stream, exchange, deadline, started);
        Ok(TcpReply {
            bytes,
            end,
            duration: started.elapsed(),
        })
    }

    fn udp_exchange(
        &self,
        address: SocketAddr,
        datagram: &[u8],
        accept: &dyn Fn(&[u8]) -> bool,
        deadline: Instant,
    ) -> Result<Vec<u8>, NetError> {
        let started = Instant::now();
        let io = |error: io::Error| NetError::from_io(&error, started.elapsed());
        let local: SocketAddr = if address.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            ([0u16; 8], 0).into()
        };
        let socket = UdpSocket::bind(local).map_err(io)?;
        socket.connect(address).map_err(io)?;
        socket.send(datagram).map_err(io)?;
        let mut buffer = vec![0u8; 65_535];
        loop {
            let wait = left(deadline, started)?.min(WAIT_SLICE);
            socket.set_read_timeout(Some(wait)).map_err(io)?;
            match socket.recv(&mut buffer) {
                Ok(size) if accept(&buffer[..size]) => return Ok(buffer[..size].to_vec()),
                Ok(_) => {}
                Err(error) if would_block(&error) => {}
                Err(error) => return Err(io(error)),
            }
        }
    }

    fn http(&self, request: &HttpRequest, deadline: Instant) -> Result<HttpResponse, NetError> {
        #[cfg(feature = "http")]
        return http::request(request, deadline);
        #[cfg(not(feature = "http"))]
        {
            let _ = (request, deadline);
            Err(without_http())
        }
    }

    fn tls_handshake(
        &self,
        address: SocketAddr,
        request: &TlsRequest,
        deadline: Instant,
    ) -> Result<TlsSummary, NetError> {
        #[cfg(feature = "http")]
        return tls::handshake(address, request, deadline);
        #[cfg(not(feature = "http"))]
        {
            let _ = (address, request, deadline);
            Err(without_http())
        }
    }
}

/// What HTTP and TLS give in a build without them.
#[cfg(not(feature = "http"))]
fn without_http() -> NetError {
    NetError::new(
        NetErrorKind::Other,
        "godiag-core was built without its `http` feature",
        Duration::ZERO,
    )
}

/// Connects within the deadline; `connect_timeout` waits in poll(2), which keeps time
/// precisely.
fn connect(
    address: SocketAddr,
    deadline: Instant,
    started: Instant,
) -> Result<TcpStream, NetError> {
    TcpStream::connect_timeout(&address, left(deadline, started)?)
        .map_err(|error| NetError::from_io(&error, started.elapsed()))
}

/// Sends the request and reads until the reply is whole or reading has to stop.
fn converse(
    stream: &mut TcpStream,
    exchange: &TcpExchange<'_>,
    deadline: Instant,
    started: Instant,
) -> (Vec<u8>, ReplyEnd) {
    let failed = |error: &io::Error| ReplyEnd::Failed(NetError::from_io(error, started.elapsed()));
    let Ok(wait) = left(deadline, started) else {
        return (Vec::new(), ReplyEnd::Deadline);
    };
    if let Err(error) = stream
        .set_write_timeout(Some(wait))
        .and_then(|()| stream.write_all(exchange.request))
    {
        return (Vec::new(), failed(&error));
    }
    let mut reply = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if (exchange.complete)(&reply) {
            return (reply, ReplyEnd::Complete);
        }
        if reply.len() >= exchange.limit {
            return (reply, ReplyEnd::Limit);
        }
        let Ok(wait) = left(deadline, started) else {
            return (reply, ReplyEnd::Deadline);
        };
        if let Err(error) = stream.set_read_timeout(Some(wait.min(WAIT_SLICE))) {
            return (reply, failed(&error));
        }
        let room = chunk.len().min(exchange.limit - reply.len());
        match stream.read(&mut chunk[..room]) {
            Ok(0) => return (reply, ReplyEnd::Closed),
            Ok(read) => reply.extend_from_slice(&chunk[..read]),
            Err(error) if would_block(&error) || error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return (reply, failed(&error)),
        }
    }
}

fn would_block(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use std::net::{TcpListener, UdpSocket};

    use super::*;

    #[test]
    fn a_closed_port_is_refused() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let deadline = Instant::now() + Duration::from_secs(2);
        let error = LiveNetwork.connect(address, deadline).unwrap_err();
        assert_eq!(error.kind, NetErrorKind::Refused);
    }

    #[test]
    fn a_tcp_exchange_reads_until_the_reply_is_whole() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 4];
            stream.read_exact(&mut request).unwrap();
            stream.write_all(b"pong and more").unwrap();
            request
        });
        let exchange = TcpExchange {
            request: b"ping",
            complete: &|reply: &[u8]| reply.len() >= 4,
            limit: 1024,
            reply_within: None,
        };
        let deadline = Instant::now() + Duration::from_secs(2);
        let reply = LiveNetwork
            .tcp_exchange(address, &exchange, deadline)
            .unwrap();
        assert_eq!(server.join().unwrap(), *b"ping");
        assert!(reply.bytes.starts_with(b"pong"));
        assert_eq!(reply.end, ReplyEnd::Complete);
    }

    #[test]
    fn a_silent_peer_ends_the_exchange_at_its_reply_time() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let exchange = TcpExchange {
            request: b"hello",
            complete: &|_: &[u8]| false,
            limit: 1024,
            reply_within: Some(Duration::from_millis(50)),
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        let reply = LiveNetwork
            .tcp_exchange(address, &exchange, deadline)
            .unwrap();
        assert_eq!(reply.end, ReplyEnd::Deadline);
        assert!(reply.duration < Duration::from_secs(2));
        drop(listener);
    }

    #[test]
    fn udp_replies_the_filter_rejects_are_skipped() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let address = server.local_addr().unwrap();
        let echo = std::thread::spawn(move || {
            let mut buffer = [0u8; 64];
            let (_, from) = server.recv_from(&mut buffer).unwrap();
            server.send_to(b"wrong", from).unwrap();
            server.send_to(b"right", from).unwrap();
        });
        let deadline = Instant::now() + Duration::from_secs(2);
        let reply = LiveNetwork
            .udp_exchange(address, b"q", &|reply: &[u8]| reply == b"right", deadline)
            .unwrap();
        echo.join().unwrap();
        assert_eq!(reply, b"right");
        let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
        let deadline = Instant::now() + Duration::from_millis(50);
        let error = LiveNetwork
            .udp_exchange(
                silent.local_addr().unwrap(),
                b"q",
                &|_: &[u8]| true,
                deadline,
            )
            .unwrap_err();
        assert_eq!(error.kind, NetErrorKind::Timeout);
    }

    #[test]
    fn localhost_resolves() {
        let deadline = Instant::now() + Duration::from_secs(5);
        let found = LiveNetwork.resolve("localhost", deadline).unwrap();
        assert!(found.iter().any(IpAddr::is_loopback));
    }
}
