//! The go command's HTTP client: one GET as cmd/go/internal/web makes it, over godiag-core's
//! network seam.
//!
//! [`Client`] decides what the go command would: the proxy from `HTTPS_PROXY`/`NO_PROXY`
//! ([`super::netenv`]), the roots from `SSL_CERT_FILE`/`SSL_CERT_DIR` (loaded at the first
//! TLS request, as crypto/x509 loads them once, on first use), GOINSECURE, the one-byte
//! range probe, and redirects hop by hop as net/http's client follows them. The bytes go
//! through a [`Network`], live or recorded. Nothing here decides what to request or what an
//! answer means.

use std::io::Read;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use godiag_core::host::Host;
use godiag_core::net::{self, NetErrorKind, Network, Trust};

use super::netenv::{self, ProxyChoice, ProxyEnv, Roots};

/// The go command's User-Agent (cmd/go/internal/web/http.go), with godiag named after it.
pub const USER_AGENT: &str = "GoCommand/1 (+https://go.dev/cmd/go) godiag";

/// The most of an answer read: a failure's text is shown in full, a module zip never is.
const BODY_LIMIT: u64 = 16 << 20;

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

/// A failed request: the seam's error, and the proxy it went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetError {
    /// What kind of failure.
    pub kind: NetErrorKind,
    /// The failure in words.
    pub message: String,
    /// The proxy the request went through, if any.
    pub via: Option<String>,
    /// How long it took.
    pub duration: Duration,
}

/// The go command's HTTP client over a network.
pub struct Client {
    network: Arc<dyn Network>,
    proxies: ProxyEnv,
    load_roots: Box<dyn Fn() -> Roots + Send + Sync>,
    trust: OnceLock<Trust>,
}

impl Client {
    /// A client using these proxy settings; `load_roots` gives the roots when the first
    /// TLS request needs them (an `http` or `file` proxy never reads them).
    #[must_use]
    pub fn new(
        network: Arc<dyn Network>,
        proxies: ProxyEnv,
        load_roots: impl Fn() -> Roots + Send + Sync + 'static,
    ) -> Self {
        Self {
            network,
            proxies,
            load_roots: Box::new(load_roots),
            trust: OnceLock::new(),
        }
    }

    /// The client the go command would have on `host`: its proxy variables and its roots.
    #[must_use]
    pub fn for_host(network: Arc<dyn Network>, host: Arc<dyn Host>) -> Self {
        let env: std::collections::BTreeMap<String, String> = host.env_vars().into_iter().collect();
        let proxies = ProxyEnv::from_env(&env);
        Self::new(network, proxies, move || {
            netenv::load_roots(host.as_ref(), &env)
        })
    }

    /// Performs one GET, following redirects as net/http's client does.
    ///
    /// # Errors
    /// Why no answer came.
    pub fn get(&self, request: &HttpRequest) -> Result<HttpResponse, GetError> {
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
                return Err(GetError {
                    kind: NetErrorKind::Other,
                    message: format!("redirected from secure URL {url} to insecure URL {next}"),
                    via: response.via,
                    duration: started.elapsed(),
                });
            }
            // net/http drops credentials when a redirect leaves the host.
            if netenv::split_url(&next).1 != netenv::split_url(&url).1 {
                authorization = None;
            }
            url = next;
        }
        Err(GetError {
            kind: NetErrorKind::Other,
            message: "stopped after 10 redirects".to_owned(),
            via: None,
            duration: started.elapsed(),
        })
    }

    /// The roots, loaded at the first request that speaks TLS.
    fn trust(&self) -> Trust {
        self.trust
            .get_or_init(|| Trust::roots((self.load_roots)().pems))
            .clone()
    }

    /// One hop: the answer, and where it redirects to.
    fn hop(
        &self,
        url: &str,
        authorization: Option<&str>,
        request: &HttpRequest,
        started: Instant,
    ) -> Result<(HttpResponse, Option<String>), GetError> {
        let via = match self.proxies.choose(url) {
            ProxyChoice::Via { url, .. } => Some(url),
            ProxyChoice::Direct { .. } => None,
            ProxyChoice::Refused(message) => {
                return Err(GetError {
                    kind: NetErrorKind::Proxy,
                    message,
                    via: None,
                    duration: started.elapsed(),
                });
            }
        };
        let fail = |kind, message: String| GetError {
            kind,
            message,
            // Nothing went anywhere when the machine is a recording without this answer.
            via: via.clone().filter(|_| kind != NetErrorKind::NotRecorded),
            duration: started.elapsed(),
        };
        let left = request.timeout.saturating_sub(started.elapsed());
        let tls_needed = url.starts_with("https://")
            || via.as_deref().is_some_and(|p| p.starts_with("https://"));
        let trust = if tls_needed {
            self.trust()
        } else {
            Trust::roots(Vec::new())
        };
        let mut headers = Vec::new();
        if let Some(auth) = authorization {
            headers.push(("Authorization".to_owned(), auth.to_owned()));
        }
        if request.probe_only {
            headers.push(("Range".to_owned(), "bytes=0-0".to_owned()));
        }
        let hop = net::HttpRequest {
            url: url.to_owned(),
            headers,
            user_agent: USER_AGENT.to_owned(),
            proxy: via.clone(),
            trust: trust.insecure(request.insecure),
            body_limit: BODY_LIMIT,
            redirects: 0,
        };
        let response = self
            .network
            .http(&hop, Instant::now() + left)
            .map_err(|error| fail(error.kind, error.message))?;
        // A probe reads one byte of a successful answer, but a failure's text in full (the
        // go command shows it as `server response:`).
        let limit = if request.probe_only && matches!(response.status, 200 | 206) {
            1
        } else {
            u64::MAX
        };
        let mut body = Vec::new();
        if let Err(error) = response.body.take(limit).read_to_end(&mut body) {
            let kind = if error.kind() == std::io::ErrorKind::TimedOut {
                NetErrorKind::Timeout
            } else {
                NetErrorKind::Reset
            };
            return Err(fail(kind, format!("reading the answer: {error}")));
        }
        let answer = HttpResponse {
            status: response.status,
            content_type: response.content_type,
            body,
            via,
            duration: started.elapsed(),
        };
        Ok((answer, response.location))
    }
}
