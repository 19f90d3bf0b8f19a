//! A plain-HTTP request through an HTTP proxy, the way net/http's Transport sends it: the
//! absolute URL as the request target (`GET http://host/path HTTP/1.1`) on a connection
//! to the proxy, with `Proxy-Authorization` from the proxy URL's user information. (A
//! CONNECT tunnel, which ureq uses for every proxied request, is only for `https`.)

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use base64::Engine as _;

use crate::net::{HttpRequest, HttpResponse, NetError, NetErrorKind};

/// Sends `GET url` through the HTTP proxy `proxy`; the body is read as the caller reads it,
/// up to the request's limit.
pub(super) fn get(
    proxy: &str,
    url: &str,
    headers: &[(String, String)],
    request: &HttpRequest,
    timeout: Duration,
    started: Instant,
) -> Result<HttpResponse, NetError> {
    let fail = |kind, message: String| NetError::new(kind, message, started.elapsed());
    let (proxy_host, proxy_port) = host_port(proxy);
    let proxy_addr = format!("{proxy_host}:{proxy_port}");
    let refused = |error: io::Error| {
        let kind = match error.kind() {
            io::ErrorKind::ConnectionRefused => NetErrorKind::Refused,
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => NetErrorKind::Timeout,
            _ => NetErrorKind::Proxy,
        };
        fail(
            kind,
            format!("proxyconnect tcp: dial tcp {proxy_addr}: {error}"),
        )
    };
    let address = (proxy_host.as_str(), proxy_port.parse::<u16>().unwrap_or(80))
        .to_socket_addrs()
        .map_err(|e| fail(NetErrorKind::NameNotFound, format!("proxyconnect tcp: {e}")))?
        .next()
        .ok_or_else(|| {
            fail(
                NetErrorKind::NameNotFound,
                format!("proxyconnect tcp: no address for {proxy_host}"),
            )
        })?;
    let mut stream = TcpStream::connect_timeout(&address, timeout).map_err(refused)?;
    let left = timeout
        .saturating_sub(started.elapsed())
        .max(Duration::from_millis(1));
    let _ = stream.set_read_timeout(Some(left));
    let _ = stream.set_write_timeout(Some(left));
    let (host, port) = host_port(url);
    let host_header = if port == "80" {
        host
    } else {
        format!("{host}:{port}")
    };
    let mut head = format!(
        "GET {url} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: {}\r\n",
        request.user_agent
    );
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    if let Some(credentials) = proxy_credentials(proxy) {
        let _ = write!(head, "Proxy-Authorization: {credentials}\r\n");
    }
    head.push_str("Connection: close\r\n\r\n");
    let io = |e: io::Error| {
        let kind = if matches!(
            e.kind(),
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
        ) {
            NetErrorKind::Timeout
        } else {
            NetErrorKind::Reset
        };
        fail(kind, e.to_string())
    };
    stream.write_all(head.as_bytes()).map_err(io)?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(io)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| {
            fail(
                NetErrorKind::Protocol,
                format!("malformed HTTP response {:?}", line.trim()),
            )
        })?;
    let mut fields: Vec<(String, String)> = Vec::new();
    loop {
        let mut field = String::new();
        if reader.read_line(&mut field).map_err(io)? == 0 || field.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = field.split_once(':') {
            fields.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let find = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let location = super::http::redirect_location(status, find("location").as_deref(), url);
    let cap = if location.is_some() {
        0
    } else {
        request.body_limit
    };
    let body: Box<dyn Read + Send> =
        if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            Box::new(Chunked::new(reader).take(cap))
        } else {
            let length = find("content-length").and_then(|v| v.parse::<u64>().ok());
            Box::new(reader.take(length.unwrap_or(u64::MAX).min(cap)))
        };
    Ok(HttpResponse {
        status,
        content_type: find("content-type"),
        location,
        body,
        duration: started.elapsed(),
    })
}

/// The host and port of a URL, the port defaulting by scheme.
fn host_port(url: &str) -> (String, String) {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let default = if scheme == "https" { "443" } else { "80" };
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']').unwrap_or((rest, ""));
        let port = after.strip_prefix(':').unwrap_or(default);
        return (host.to_owned(), port.to_owned());
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host.to_owned(), port.to_owned()),
        None => (authority.to_owned(), default.to_owned()),
    }
}

/// `Proxy-Authorization: Basic ...` from `http://user:password@host` (net/http).
fn proxy_credentials(proxy: &str) -> Option<String> {
    let rest = proxy.split_once("://").map_or(proxy, |(_, rest)| rest);
    let authority = rest.split('/').next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    let token = base64::engine::general_purpose::STANDARD.encode(userinfo);
    Some(format!("Basic {token}"))
}

/// A chunked body (RFC 9112 section 7.1), read chunk by chunk as the caller reads.
struct Chunked<R> {
    inner: R,
    /// Bytes left in the current chunk.
    left: u64,
    /// A chunk was read, so a CRLF ends it before the next size line.
    started: bool,
    done: bool,
}

impl<R: BufRead> Chunked<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            left: 0,
            started: false,
            done: false,
        }
    }

    /// Reads the next chunk's size line (after the previous chunk's CRLF).
    fn next_chunk(&mut self) -> io::Result<()> {
        if self.started {
            let mut crlf = String::new();
            self.inner.read_line(&mut crlf)?;
        }
        let mut size = String::new();
        if self.inner.read_line(&mut size)? == 0 {
            self.done = true;
            return Ok(());
        }
        self.left = u64::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
        self.started = true;
        self.done = self.left == 0;
        Ok(())
    }
}

impl<R: BufRead> Read for Chunked<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        while self.left == 0 && !self.done {
            self.next_chunk()?;
        }
        if self.done || buffer.is_empty() {
            return Ok(0);
        }
        let room = usize::try_from(self.left)
            .unwrap_or(usize::MAX)
            .min(buffer.len());
        let read = self.inner.read(&mut buffer[..room])?;
        if read == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.left -= read as u64;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(input: &[u8], cap: u64) -> Vec<u8> {
        let mut body = Vec::new();
        Chunked::new(input)
            .take(cap)
            .read_to_end(&mut body)
            .unwrap();
        body
    }

    #[test]
    fn chunks_and_credentials() {
        assert_eq!(
            chunked(b"4\r\nabcd\r\n3;x=y\r\nefg\r\n0\r\n\r\n", 100),
            b"abcdefg"
        );
        assert_eq!(chunked(b"4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n", 2), b"ab");
        assert_eq!(
            proxy_credentials("http://u:p@proxy:3128").as_deref(),
            Some("Basic dTpw")
        );
        assert_eq!(proxy_credentials("http://proxy:3128"), None);
    }
}
