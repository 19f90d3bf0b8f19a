//! The network seam of `godiag go fetch`: one HTTP GET, as the go command's client makes it.
//!
//! [`Transport`] is to requests what `Host` is to files: [`RealTransport`] talks to the
//! network (ureq over rustls, with the proxies and root certificates the go command would
//! use); [`RecordedTransport`] answers from a recorded machine's
//! `ROOT/.godiag/http/` directory, so scenarios run offline. Nothing here decides what to
//! request or what an answer means.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use godiag_core::host::Host;

use super::netenv::{ProxyChoice, ProxyEnv, Roots};

mod forward;

/// The go command's User-Agent (cmd/go/internal/web/http.go), with godiag named after it.
pub const USER_AGENT: &str = "GoCommand/1 (+https://go.dev/cmd/go) godiag";

/// One GET request.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The URL, user information included when GOPROXY has it.
    pub url: String,
    /// A basic-auth header value from `.netrc`, never printed.
    pub authorization: Option<String>,
    /// Ask only for the first byte (`Range: bytes=0-0`) and read at most that.
    pub probe_only: bool,
    /// GOINSECURE: skip certificate verification.
    pub insecure: bool,
    /// How long the request may take.
    pub timeout: Duration,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("url", &godiag_core::redact::redact(&self.url))
            .field("authorization", &self.authorization.as_ref().map(|_| "***"))
            .field("probe_only", &self.probe_only)
            .field("insecure", &self.insecure)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// `Content-Type`, when sent.
    pub content_type: Option<String>,
    /// The body (only its start for probes).
    pub body: Vec<u8>,
    /// The proxy the request went through, if any.
    pub via: Option<String>,
    /// How long it took.
    pub duration: Duration,
}

/// Why no answer came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NetErrorKind {
    /// The deadline passed first.
    Timeout,
    /// Nothing listens there.
    Refused,
    /// The connection was reset or closed mid-answer.
    Reset,
    /// The host name did not resolve.
    Dns,
    /// The server's certificate is signed by an authority the roots do not contain.
    UnknownAuthority,
    /// Another TLS failure (expired, wrong name, handshake).
    Tls,
    /// The server answered plain HTTP to a TLS client, or similar protocol trouble.
    Protocol,
    /// The HTTP proxy failed.
    Proxy,
    /// A recorded machine has no answer for this request.
    NotRecorded,
    /// Anything else.
    Other,
}

/// A failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetError {
    /// What kind of failure.
    pub kind: NetErrorKind,
    /// The failure in words.
    pub message: String,
    /// The proxy the request went through, if any.
    pub via: Option<String>,
    /// How long it took.
    pub duration: Duration,
}

/// Makes GET requests.
pub trait Transport: Send + Sync {
    /// Performs one GET.
    fn get(&self, request: &HttpRequest) -> Result<HttpResponse, NetError>;
}

/// The network, configured like the go command's HTTP client.
pub struct RealTransport {
    proxies: ProxyEnv,
    /// Loads the roots; run at the first `https` request, as crypto/x509 loads the system
    /// roots once, on first use (an `http` or `file` proxy never reads them).
    load_roots: Box<dyn Fn() -> Roots + Send + Sync>,
    roots: OnceLock<Arc<Vec<ureq::tls::Certificate<'static>>>>,
}

impl RealTransport {
    /// A transport using these proxy settings and trusting these roots.
    #[must_use]
    pub fn new(proxies: ProxyEnv, roots: &Roots) -> Self {
        let roots = roots.clone();
        Self::with_roots(proxies, move || roots.clone())
    }

    /// A transport using these proxy settings; `load_roots` gives the roots when the first
    /// `https` request needs them.
    #[must_use]
    pub fn with_roots(
        proxies: ProxyEnv,
        load_roots: impl Fn() -> Roots + Send + Sync + 'static,
    ) -> Self {
        Self {
            proxies,
            load_roots: Box::new(load_roots),
            roots: OnceLock::new(),
        }
    }

    fn roots(&self) -> Arc<Vec<ureq::tls::Certificate<'static>>> {
        let roots = self.roots.get_or_init(|| {
            let mut seen = std::collections::BTreeSet::new();
            let certs = (self.load_roots)()
                .pems
                .iter()
                .flat_map(|pem| ureq::tls::parse_pem(pem).collect::<Vec<_>>())
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(cert)) => Some(cert),
                    _ => None,
                })
                // The bundle and the directory hold the same certificates; trust each once.
                .filter(|cert| seen.insert(cert.der().to_vec()))
                .collect();
            Arc::new(certs)
        });
        Arc::clone(roots)
    }

    /// An agent for one hop: roots only when TLS is spoken (to the server or the proxy);
    /// redirects are followed by [`Transport::get`], hop by hop, as net/http's client does.
    fn agent(
        &self,
        url: &str,
        request: &HttpRequest,
        proxy: Option<&str>,
        timeout: Duration,
    ) -> Result<ureq::Agent, String> {
        let tls_needed =
            url.starts_with("https://") || proxy.is_some_and(|p| p.starts_with("https://"));
        let roots = if tls_needed {
            self.roots()
        } else {
            Arc::new(Vec::new())
        };
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .root_certs(ureq::tls::RootCerts::Specific(roots))
            .disable_verification(request.insecure)
            .build();
        let proxy = match proxy {
            Some(url) => Some(ureq::Proxy::new(url).map_err(|e| format!("proxy {url}: {e}"))?),
            None => None,
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .user_agent(USER_AGENT)
            .tls_config(tls)
            .proxy(proxy)
            .build();
        Ok(config.new_agent())
    }

    /// One hop: the answer, and where it redirects to.
    fn hop(
        &self,
        url: &str,
        authorization: Option<&str>,
        request: &HttpRequest,
        started: Instant,
    ) -> Result<(HttpResponse, Option<String>), NetError> {
        let via = match self.proxies.choose(url) {
            ProxyChoice::Via { url, .. } => Some(url),
            ProxyChoice::Direct { .. } => None,
            ProxyChoice::Refused(message) => {
                return Err(NetError {
                    kind: NetErrorKind::Proxy,
                    message,
                    via: None,
                    duration: started.elapsed(),
                });
            }
        };
        let fail = |kind, message: String| NetError {
            kind,
            message,
            via: via.clone(),
            duration: started.elapsed(),
        };
        let left = request.timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Err(fail(NetErrorKind::Timeout, "timeout: global".to_owned()));
        }
        // A probe reads one byte of a successful answer, but a failure's text in full (the
        // go command shows it as `server response:`); a redirect's body is not read.
        let limit = |status: u16, redirect: bool| -> u64 {
            if redirect {
                0
            } else if request.probe_only && matches!(status, 200 | 206) {
                1
            } else {
                16 << 20
            }
        };
        if let Some(proxy) = via.as_deref().filter(|p| p.starts_with("http://"))
            && url.starts_with("http://")
        {
            let answer = forward::get(proxy, url, authorization, request, left, limit)
                .map_err(|(kind, message)| fail(kind, message))?;
            let location = answer
                .location
                .map(|location| resolve_location(url, &location));
            let response = HttpResponse {
                status: answer.status,
                content_type: answer.content_type,
                body: answer.body,
                via: via.clone(),
                duration: started.elapsed(),
            };
            return Ok((response, location));
        }
        let agent = self
            .agent(url, request, via.as_deref(), left)
            .map_err(|message| fail(NetErrorKind::Proxy, message))?;
        let mut call = agent.get(url);
        if let Some(auth) = authorization {
            call = call.header("Authorization", auth);
        }
        if request.probe_only {
            call = call.header("Range", "bytes=0-0");
        }
        let mut response = call.call().map_err(|error| {
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
        let location = matches!(status, 301 | 302 | 303 | 307 | 308)
            .then(|| header("location"))
            .flatten()
            .map(|location| resolve_location(url, &location));
        let mut body = Vec::new();
        let read = response
            .body_mut()
            .as_reader()
            .take(limit(status, location.is_some()))
            .read_to_end(&mut body);
        if let Err(error) = read {
            let kind = if error.kind() == std::io::ErrorKind::TimedOut {
                NetErrorKind::Timeout
            } else {
                NetErrorKind::Reset
            };
            return Err(fail(kind, format!("reading the answer: {error}")));
        }
        let response = HttpResponse {
            status,
            content_type,
            body,
            via: via.clone(),
            duration: started.elapsed(),
        };
        Ok((response, location))
    }
}

impl Transport for RealTransport {
    fn get(&self, request: &HttpRequest) -> Result<HttpResponse, NetError> {
        let started = Instant::now();
        let mut url = request.url.clone();
        let mut authorization = request.authorization.clone();
        // net/http's client stops after 10 redirects.
        for _ in 0..=10 {
            let (response, location) =
                self.hop(&url, authorization.as_deref(), request, started)?;
            let Some(next) = location else {
                return Ok(response);
            };
            // cmd/go/internal/web: a secure URL never redirects to an insecure one.
            if url.starts_with("https://") && next.starts_with("http://") {
                return Err(NetError {
                    kind: NetErrorKind::Other,
                    message: format!("redirected from secure URL {url} to insecure URL {next}"),
                    via: response.via,
                    duration: started.elapsed(),
                });
            }
            // net/http drops credentials when a redirect leaves the host.
            if super::netenv::split_url(&next).1 != super::netenv::split_url(&url).1 {
                authorization = None;
            }
            url = next;
        }
        Err(NetError {
            kind: NetErrorKind::Other,
            message: "stopped after 10 redirects".to_owned(),
            via: None,
            duration: started.elapsed(),
        })
    }
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
        ureq::Error::HostNotFound => NetErrorKind::Dns,
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

/// A recorded machine's answers: `ROOT/.godiag/http/<url with "/" and ":" as "_">` holds
/// `STATUS` on its first line, optional `Content-Type: ...` lines, an empty line and the
/// body. A request without a recording fails with [`NetErrorKind::NotRecorded`]; a file
/// whose first line is `timeout`, `refused`, `reset`, `dns` or `unknown-authority` fails
/// that way.
pub struct RecordedTransport {
    host: Arc<dyn Host>,
}

impl RecordedTransport {
    /// Answers from `host`'s `/.godiag/http`.
    #[must_use]
    pub fn new(host: Arc<dyn Host>) -> Self {
        Self { host }
    }

    /// The file name a URL is recorded under.
    #[must_use]
    pub fn file_name(url: &str) -> String {
        url.chars()
            .map(|c| {
                if matches!(c, '/' | ':' | '?' | '*') {
                    '_'
                } else {
                    c
                }
            })
            .collect()
    }
}

impl Transport for RecordedTransport {
    fn get(&self, request: &HttpRequest) -> Result<HttpResponse, NetError> {
        let path = format!("/.godiag/http/{}", Self::file_name(&request.url));
        let fail = |kind, message: &str| NetError {
            kind,
            message: message.to_owned(),
            via: None,
            duration: Duration::ZERO,
        };
        let Ok(bytes) = self.host.read(Path::new(&path)) else {
            return Err(fail(
                NetErrorKind::NotRecorded,
                "not sent: this is a recorded machine and no answer was recorded",
            ));
        };
        let text = String::from_utf8_lossy(&bytes);
        let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let first = lines.next().unwrap_or_default().trim();
        let kinds: BTreeMap<&str, NetErrorKind> = [
            ("timeout", NetErrorKind::Timeout),
            ("refused", NetErrorKind::Refused),
            ("reset", NetErrorKind::Reset),
            ("dns", NetErrorKind::Dns),
            ("unknown-authority", NetErrorKind::UnknownAuthority),
        ]
        .into_iter()
        .collect();
        if let Some(kind) = kinds.get(first) {
            return Err(fail(*kind, lines.next().unwrap_or(first)));
        }
        let status = first
            .parse()
            .map_err(|_| fail(NetErrorKind::Other, "unreadable recording"))?;
        let content_type = lines
            .find_map(|line| line.strip_prefix("Content-Type:"))
            .map(|value| value.trim().to_owned());
        Ok(HttpResponse {
            status,
            content_type,
            body: body.as_bytes().to_vec(),
            via: None,
            duration: Duration::ZERO,
        })
    }
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
    }
}
