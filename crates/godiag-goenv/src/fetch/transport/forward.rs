//! A plain-HTTP request through an HTTP proxy, the way net/http's Transport sends it: the
//! absolute URL as the request target (`GET http://host/path HTTP/1.1`) on a connection
//! to the proxy, with `Proxy-Authorization` from the proxy URL's user information. (A
//! CONNECT tunnel, which ureq uses for every proxied request, is only for `https`.)

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use base64::Engine as _;

use super::{HttpRequest, NetErrorKind, USER_AGENT};
use crate::fetch::netenv::split_url;

/// An answer, before the caller decides how much of the body it keeps.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) content_type: Option<String>,
    pub(super) location: Option<String>,
    pub(super) body: Vec<u8>,
}

/// Sends `GET url` through the HTTP proxy `proxy`; reads at most `limit(status)` bytes of
/// the body.
pub(super) fn get(
    proxy: &str,
    url: &str,
    authorization: Option<&str>,
    request: &HttpRequest,
    timeout: Duration,
    limit: impl Fn(u16, bool) -> u64,
) -> Result<Answer, (NetErrorKind, String)> {
    let started = Instant::now();
    let (_, proxy_host, proxy_port) = split_url(proxy);
    let proxy_addr = format!("{proxy_host}:{proxy_port}");
    let refused = |error: std::io::Error| {
        let kind = match error.kind() {
            std::io::ErrorKind::ConnectionRefused => NetErrorKind::Refused,
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => NetErrorKind::Timeout,
            _ => NetErrorKind::Proxy,
        };
        (
            kind,
            format!("proxyconnect tcp: dial tcp {proxy_addr}: {error}"),
        )
    };
    let address = (proxy_host.as_str(), proxy_port.parse::<u16>().unwrap_or(80))
        .to_socket_addrs()
        .map_err(|e| (NetErrorKind::Dns, format!("proxyconnect tcp: {e}")))?
        .next()
        .ok_or((
            NetErrorKind::Dns,
            format!("proxyconnect tcp: no address for {proxy_host}"),
        ))?;
    let mut stream = TcpStream::connect_timeout(&address, timeout).map_err(refused)?;
    let left = timeout
        .saturating_sub(started.elapsed())
        .max(Duration::from_millis(1));
    let _ = stream.set_read_timeout(Some(left));
    let _ = stream.set_write_timeout(Some(left));
    let (_, host, port) = split_url(url);
    let host_header = if port == "80" {
        host
    } else {
        format!("{host}:{port}")
    };
    let mut head =
        format!("GET {url} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: {USER_AGENT}\r\n");
    if let Some(auth) = authorization {
        let _ = write!(head, "Authorization: {auth}\r\n");
    }
    if let Some(credentials) = proxy_credentials(proxy) {
        let _ = write!(head, "Proxy-Authorization: {credentials}\r\n");
    }
    if request.probe_only {
        head.push_str("Range: bytes=0-0\r\n");
    }
    head.push_str("Connection: close\r\n\r\n");
    let io = |e: std::io::Error| {
        let kind = if matches!(
            e.kind(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
        ) {
            NetErrorKind::Timeout
        } else {
            NetErrorKind::Reset
        };
        (kind, e.to_string())
    };
    stream.write_all(head.as_bytes()).map_err(io)?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(io)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or((
            NetErrorKind::Protocol,
            format!("malformed HTTP response {:?}", line.trim()),
        ))?;
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).map_err(io)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let location = find("location").filter(|_| matches!(status, 301 | 302 | 303 | 307 | 308));
    let cap = limit(status, location.is_some());
    let body = if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        chunked(&mut reader, cap).map_err(io)?
    } else {
        let length = find("content-length").and_then(|v| v.parse::<u64>().ok());
        let mut body = Vec::new();
        reader
            .take(length.unwrap_or(u64::MAX).min(cap))
            .read_to_end(&mut body)
            .map_err(io)?;
        body
    };
    Ok(Answer {
        status,
        content_type: find("content-type"),
        location,
        body,
    })
}

/// `Proxy-Authorization: Basic ...` from `http://user:password@host` (net/http).
fn proxy_credentials(proxy: &str) -> Option<String> {
    let rest = proxy.split_once("://").map_or(proxy, |(_, rest)| rest);
    let authority = rest.split('/').next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    let token = base64::engine::general_purpose::STANDARD.encode(userinfo);
    Some(format!("Basic {token}"))
}

/// A chunked body, up to `cap` bytes.
fn chunked(reader: &mut impl BufRead, cap: u64) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        if reader.read_line(&mut size)? == 0 {
            break;
        }
        let size = u64::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "bad chunk size"))?;
        if size == 0 {
            break;
        }
        let mut chunk = Vec::new();
        reader.by_ref().take(size).read_to_end(&mut chunk)?;
        body.extend_from_slice(&chunk);
        let mut crlf = String::new();
        reader.read_line(&mut crlf)?;
        if body.len() as u64 >= cap {
            body.truncate(usize::try_from(cap).unwrap_or(usize::MAX));
            break;
        }
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_and_credentials() {
        let mut input = &b"4\r\nabcd\r\n3;x=y\r\nefg\r\n0\r\n\r\n"[..];
        assert_eq!(chunked(&mut input, 100).unwrap(), b"abcdefg");
        let mut input = &b"4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n"[..];
        assert_eq!(chunked(&mut input, 2).unwrap(), b"ab");
        assert_eq!(
            proxy_credentials("http://u:p@proxy:3128").as_deref(),
            Some("Basic dTpw")
        );
        assert_eq!(proxy_credentials("http://proxy:3128"), None);
    }
}
