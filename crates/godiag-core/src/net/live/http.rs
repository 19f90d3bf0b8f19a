//! One HTTP GET over ureq and rustls, redirects followed hop by hop as net/http's client
//! follows them; a plain-HTTP request through an HTTP proxy goes through [`super::forward`].

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::forward;
use crate::net::{HttpRequest, HttpResponse, NetError, NetErrorKind};

/// Makes the request, following at most `request.redirects` redirects.
pub(super) fn request(request: &HttpRequest, deadline: Instant) -> Result<HttpResponse, NetError> {
    let started = Instant::now();
    let mut url = request.url.clone();
    let mut headers = request.headers.clone();
    let mut left = request.redirects;
    loop {
        let response = hop(&url, &headers, request, deadline, started)?;
        let Some(next) = response.location.clone().filter(|_| left > 0) else {
            return Ok(response);
        };
        // net/http drops credentials when a redirect leaves the host.
        if authority(&next) != authority(&url) {
            headers.retain(|(name, _)| !name.eq_ignore_ascii_case("authorization"));
        }
        url = next;
        left -= 1;
    }
}

/// One request, no redirect followed.
fn hop(
    url: &str,
    headers: &[(String, String)],
    request: &HttpRequest,
    deadline: Instant,
    started: Instant,
) -> Result<HttpResponse, NetError> {
    let fail = |kind, message: String| NetError::new(kind, message, started.elapsed());
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(fail(NetErrorKind::Timeout, "timeout: global".to_owned()));
    }
    if let Some(proxy) = request
        .proxy
        .as_deref()
        .filter(|p| p.starts_with("http://"))
        && url.starts_with("http://")
    {
        return forward::get(proxy, url, headers, request, left, started);
    }
    let agent = agent(url, request, left).map_err(|message| fail(NetErrorKind::Proxy, message))?;
    let mut call = agent.get(url);
    for (name, value) in headers {
        call = call.header(name.as_str(), value.as_str());
    }
    let response = call.call().map_err(|error| {
        let (kind, message) = classify(&error);
        fail(kind, message)
    })?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("content-type");
    let location = redirect_location(status, header("location").as_deref(), url);
    // A redirect's body is not read; the answer is where it points.
    let limit = if location.is_some() {
        0
    } else {
        request.body_limit
    };
    Ok(HttpResponse {
        status,
        content_type,
        location,
        body: Box::new(response.into_body().into_reader().take(limit)),
        duration: started.elapsed(),
    })
}

/// An agent for one hop: roots only when TLS is spoken (to the server or the proxy).
fn agent(url: &str, request: &HttpRequest, timeout: Duration) -> Result<ureq::Agent, String> {
    let proxy = request.proxy.as_deref();
    let tls_needed =
        url.starts_with("https://") || proxy.is_some_and(|p| p.starts_with("https://"));
    let roots = match request.trust.certificates() {
        Some(_) if !tls_needed => ureq::tls::RootCerts::Specific(Arc::new(Vec::new())),
        Some(certificates) => ureq::tls::RootCerts::Specific(certificates),
        None => ureq::tls::RootCerts::WebPki,
    };
    let tls = ureq::tls::TlsConfig::builder()
        .provider(ureq::tls::TlsProvider::Rustls)
        .root_certs(roots)
        .disable_verification(request.trust.is_insecure())
        .build();
    let proxy = match proxy {
        Some(url) => Some(ureq::Proxy::new(url).map_err(|e| format!("proxy {url}: {e}"))?),
        None => None,
    };
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .user_agent(request.user_agent.as_str())
        .tls_config(tls)
        .proxy(proxy)
        .build();
    Ok(config.new_agent())
}

/// Where a redirect points, resolved against the URL that sent it; none for other answers.
pub(super) fn redirect_location(status: u16, location: Option<&str>, url: &str) -> Option<String> {
    matches!(status, 301 | 302 | 303 | 307 | 308)
        .then_some(location)
        .flatten()
        .map(|location| resolve_location(url, location))
}

/// `host:port` of a URL, for comparing where two URLs go.
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
}

/// Resolves a `Location` header against the URL that sent it (absolute, scheme-relative,
/// absolute-path or relative-path references).
fn resolve_location(base: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_owned();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    if let Some(authority) = location.strip_prefix("//") {
        return format!("{scheme}://{authority}");
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    if location.starts_with('/') {
        return format!("{scheme}://{authority}{location}");
    }
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let dir = path.rfind('/').map_or("/", |at| &path[..=at]);
    format!("{scheme}://{authority}{dir}{location}")
}

/// Sorts a ureq error into what a person can act on.
fn classify(error: &ureq::Error) -> (NetErrorKind, String) {
    use std::io::ErrorKind as Io;
    let text = error.to_string();
    let kind = match error {
        ureq::Error::Timeout(_) => NetErrorKind::Timeout,
        ureq::Error::HostNotFound => NetErrorKind::NameNotFound,
        ureq::Error::ConnectionFailed => NetErrorKind::Refused,
        ureq::Error::Io(io) => match io.kind() {
            Io::ConnectionRefused => NetErrorKind::Refused,
            Io::ConnectionReset | Io::ConnectionAborted | Io::UnexpectedEof | Io::BrokenPipe => {
                NetErrorKind::Reset
            }
            Io::TimedOut | Io::WouldBlock => NetErrorKind::Timeout,
            _ if text.contains("UnknownIssuer") => NetErrorKind::UnknownAuthority,
            _ if text.contains("InvalidCertificate") || text.contains("tls") => NetErrorKind::Tls,
            _ => NetErrorKind::Other,
        },
        ureq::Error::Rustls(rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer,
        )) => NetErrorKind::UnknownAuthority,
        ureq::Error::Rustls(rustls::Error::InvalidMessage(_)) | ureq::Error::Protocol(_) => {
            NetErrorKind::Protocol
        }
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) => NetErrorKind::Tls,
        ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => NetErrorKind::Proxy,
        _ => NetErrorKind::Other,
    };
    (kind, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_against_the_request() {
        let base = "https://proxy.example/mod/x/@v/list?q=1";
        for (location, want) in [
            ("https://other.example/a", "https://other.example/a"),
            ("//cdn.example/b", "https://cdn.example/b"),
            ("/c", "https://proxy.example/c"),
            ("d", "https://proxy.example/mod/x/@v/d"),
        ] {
            assert_eq!(resolve_location(base, location), want);
        }
        assert_eq!(redirect_location(200, Some("/c"), base), None);
    }

    #[test]
    fn authorities_ignore_user_information_and_paths() {
        assert_eq!(
            authority("https://u:p@proxy.example:8443/x?y"),
            "proxy.example:8443"
        );
        assert_eq!(authority("http://proxy.example"), "proxy.example");
    }
}

#[cfg(test)]
mod live {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    use super::*;
    use crate::net::Trust;

    /// Answers each connection with the next of `answers`, after reading the request head,
    /// and returns the heads it read.
    fn server(answers: Vec<String>) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let serving = std::thread::spawn(move || {
            let mut heads = Vec::new();
            for answer in answers {
                let (stream, _) = listener.accept().unwrap();
                let mut reader = BufReader::new(stream);
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line.trim().is_empty() {
                        break;
                    }
                    head.push_str(&line);
                }
                reader.get_mut().write_all(answer.as_bytes()).unwrap();
                heads.push(head);
            }
            heads
        });
        (base, serving)
    }

    fn get(url: String, redirects: u32) -> HttpRequest {
        HttpRequest {
            url,
            headers: vec![("Accept".to_owned(), "text/plain".to_owned())],
            user_agent: "godiag-test".to_owned(),
            proxy: None,
            trust: Trust::default(),
            body_limit: 5,
            redirects,
        }
    }

    #[test]
    fn redirects_are_followed_as_asked_and_bodies_limited() {
        let moved = "HTTP/1.1 302 Found\r\nLocation: /there\r\nContent-Length: 0\r\n\r\n";
        let ok =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world";
        let (base, serving) = server(vec![moved.to_owned(), ok.to_owned()]);
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut response = request(&get(format!("{base}/here"), 1), deadline).unwrap();
        let mut body = String::new();
        response.body.read_to_string(&mut body).unwrap();
        assert_eq!((response.status, body.as_str()), (200, "hello"));
        assert_eq!(response.content_type.as_deref(), Some("text/plain"));
        let heads = serving.join().unwrap();
        assert!(heads[1].starts_with("GET /there "), "{heads:?}");
        assert!(heads[0].to_ascii_lowercase().contains("accept: text/plain"));

        let (base, serving) = server(vec![moved.to_owned()]);
        let response = request(&get(format!("{base}/here"), 0), deadline).unwrap();
        assert_eq!(response.status, 302);
        assert_eq!(response.location, Some(format!("{base}/there")));
        serving.join().unwrap();
    }

    #[test]
    fn a_closed_port_is_refused() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        drop(listener);
        let deadline = Instant::now() + Duration::from_secs(5);
        let error = request(&get(url, 0), deadline).unwrap_err();
        assert_eq!(error.kind, NetErrorKind::Refused, "{error:?}");
    }
}
