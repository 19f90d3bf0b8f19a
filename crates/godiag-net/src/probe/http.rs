//! The request godiag sends on an open connection, and how it reads the answer.
//!
//! `GET / HTTP/1.1` with `Connection: close`. A status line means HTTP. A TLS server
//! answers a plain request with an alert record (first byte `0x15`) or, for Go's
//! `http.Server` with TLS, with `HTTP/1.0 400 Bad Request` and the body "Client sent an HTTP
//! request to an HTTPS server." (net/http/server.go, `(*conn).serve`), so both count as TLS.

use std::net::SocketAddr;
use std::time::Duration;

use crate::model::Protocol;

const GO_TLS_ANSWER: &[u8] = b"HTTP request to an HTTPS server";
/// The most of an answer read: enough for a status line, headers and Go's TLS hint.
pub(super) const READ_LIMIT: usize = 1024;
/// How long a server may take to answer `GET /` once connected; a silent server (a database,
/// a gRPC server waiting for a preface) is reported as such rather than holding the report.
pub(super) const ANSWER_TIMEOUT: Duration = Duration::from_millis(400);

/// The request: `GET /` on a connection that closes after the answer.
pub(super) fn request(address: SocketAddr) -> String {
    let host = match address {
        SocketAddr::V4(v4) => v4.to_string(),
        SocketAddr::V6(v6) => format!("[{}]:{}", v6.ip(), v6.port()),
    };
    format!(
        "GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: godiag\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    )
}

/// True once the headers are in, unless the status is 400 (whose body may say TLS).
pub(super) fn complete(answer: &[u8]) -> bool {
    let Some(end) = find(answer, b"\r\n\r\n") else {
        return false;
    };
    !answer.starts_with(b"HTTP/1.0 400") || answer.len() > end + 4 + GO_TLS_ANSWER.len() + 16
}

/// Classifies what came back.
pub(super) fn classify(answer: &[u8]) -> (Protocol, Option<u16>) {
    if answer.is_empty() {
        return (Protocol::Silent, None);
    }
    if matches!(answer[0], 0x15 | 0x16) && answer.get(1) == Some(&0x03) {
        return (Protocol::Tls, None);
    }
    if !answer.starts_with(b"HTTP/") {
        return (Protocol::Other, None);
    }
    let status = answer
        .split(|byte| *byte == b' ')
        .nth(1)
        .and_then(|code| std::str::from_utf8(code).ok())
        .and_then(|code| code.trim().parse().ok());
    if find(answer, GO_TLS_ANSWER).is_some() {
        return (Protocol::Tls, status);
    }
    (Protocol::Http, status)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_classified() {
        assert_eq!(
            classify(b"HTTP/1.1 404 Not Found\r\n\r\n"),
            (Protocol::Http, Some(404))
        );
        assert_eq!(
            classify(b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"),
            (Protocol::Tls, Some(400))
        );
        assert_eq!(
            classify(&[0x15, 0x03, 0x01, 0x00, 0x02]),
            (Protocol::Tls, None)
        );
        assert_eq!(classify(b"SSH-2.0-OpenSSH\r\n"), (Protocol::Other, None));
        assert_eq!(classify(b""), (Protocol::Silent, None));
    }
}
