//! How the go command's HTTP client is configured by the environment: which HTTP proxy a
//! request goes through (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, as
//! golang.org/x/net/http/httpproxy reads them), which root certificates verify TLS
//! (`crypto/x509` `root_unix.go`: `SSL_CERT_FILE`, `SSL_CERT_DIR`) and which `.netrc`
//! credentials are attached (cmd/go/internal/auth).
//!
//! Pure functions over an environment map and file contents; the files are read by
//! [`load_roots`] and [`load_netrc`] through `Host`.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use godiag_core::host::Host;

/// The proxy settings of `http.ProxyFromEnvironment`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    /// `HTTP_PROXY`, else `http_proxy`.
    pub http: Option<(String, String)>,
    /// `HTTPS_PROXY`, else `https_proxy`.
    pub https: Option<(String, String)>,
    /// `NO_PROXY`, else `no_proxy`.
    pub no_proxy: Option<(String, String)>,
    /// `REQUEST_METHOD` is set: Go then refuses `HTTP_PROXY` (CGI, httpoxy).
    pub cgi: bool,
}

/// What the environment says about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyChoice {
    /// Connect to the server itself.
    Direct {
        /// Why no proxy is used, when a proxy variable is set.
        reason: Option<String>,
    },
    /// Go through this proxy (a URL, `http://` added when it had no known scheme).
    Via {
        /// The proxy URL.
        url: String,
        /// The variable it came from.
        variable: String,
    },
    /// Go refuses to make the request.
    Refused(String),
}

impl ProxyEnv {
    /// Reads the variables the way `httpproxy.FromEnvironment` does (the first non-empty of
    /// the upper- and lower-case names).
    #[must_use]
    pub fn from_env(env: &BTreeMap<String, String>) -> Self {
        let any = |names: [&str; 2]| {
            names.iter().find_map(|name| {
                env.get(*name)
                    .filter(|value| !value.is_empty())
                    .map(|value| ((*name).to_owned(), value.clone()))
            })
        };
        Self {
            http: any(["HTTP_PROXY", "http_proxy"]),
            https: any(["HTTPS_PROXY", "https_proxy"]),
            no_proxy: any(["NO_PROXY", "no_proxy"]),
            cgi: env.get("REQUEST_METHOD").is_some_and(|v| !v.is_empty()),
        }
    }

    /// Returns the proxy for `url` (`httpproxy.Config.ProxyFunc`).
    #[must_use]
    pub fn choose(&self, url: &str) -> ProxyChoice {
        let (scheme, host, port) = split_url(url);
        let proxy = match scheme.as_str() {
            "https" => self.https.as_ref(),
            "http" => {
                if self.cgi && self.http.is_some() {
                    return ProxyChoice::Refused(
                        "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy"
                            .to_owned(),
                    );
                }
                self.http.as_ref()
            }
            _ => None,
        };
        let Some((variable, value)) = proxy else {
            return ProxyChoice::Direct { reason: None };
        };
        if let Some(reason) = self.bypass(&host, &port) {
            return ProxyChoice::Direct {
                reason: Some(reason),
            };
        }
        let url = if ["http://", "https://", "socks5://", "socks5h://"]
            .iter()
            .any(|scheme| value.starts_with(scheme))
        {
            value.clone()
        } else {
            format!("http://{value}")
        };
        ProxyChoice::Via {
            url,
            variable: variable.clone(),
        }
    }

    /// `useProxy`: why `host:port` is not proxied, if it is not.
    fn bypass(&self, host: &str, port: &str) -> Option<String> {
        let host = host.trim().to_ascii_lowercase();
        if host == "localhost" {
            return Some("localhost is never proxied".to_owned());
        }
        let ip: Option<IpAddr> = host.trim_matches(['[', ']']).parse().ok();
        if ip.is_some_and(|ip| ip.is_loopback()) {
            return Some("loopback addresses are never proxied".to_owned());
        }
        let (variable, list) = self.no_proxy.as_ref()?;
        for pattern in list.split(',') {
            let pattern = pattern.trim().to_ascii_lowercase();
            if pattern.is_empty() {
                continue;
            }
            if pattern == "*" {
                return Some(format!("{variable}=* turns proxies off"));
            }
            if no_proxy_matches(&pattern, &host, ip, port) {
                return Some(format!("{variable} lists {pattern}"));
            }
        }
        None
    }
}

fn no_proxy_matches(pattern: &str, host: &str, ip: Option<IpAddr>, port: &str) -> bool {
    if let Some((net, bits)) = pattern.split_once('/') {
        let (Ok(net), Ok(bits), Some(ip)) = (net.parse::<IpAddr>(), bits.parse::<u32>(), ip) else {
            return false;
        };
        return cidr_contains(net, bits, ip);
    }
    let (want_host, want_port) =
        split_host_port(pattern).unwrap_or((pattern.to_owned(), String::new()));
    if want_host.is_empty() {
        return false;
    }
    let port_ok = want_port.is_empty() || want_port == port;
    if let Ok(want_ip) = want_host.trim_matches(['[', ']']).parse::<IpAddr>() {
        return ip == Some(want_ip) && port_ok;
    }
    let want_host = want_host
        .strip_prefix('*')
        .filter(|p| p.starts_with('.'))
        .map_or(want_host.as_str(), |p| p);
    let (suffix, match_host) = if want_host.starts_with('.') {
        (want_host.to_owned(), false)
    } else {
        (format!(".{want_host}"), true)
    };
    (host.ends_with(&suffix) || (match_host && host == &suffix[1..])) && port_ok
}

fn cidr_contains(net: IpAddr, bits: u32, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(net), IpAddr::V4(ip)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(net) & mask == u32::from(ip) & mask
        }
        (IpAddr::V6(net), IpAddr::V6(ip)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(net) & mask == u128::from(ip) & mask
        }
        _ => false,
    }
}

/// Splits `host:port` (`[v6]:port` too); `None` without a port.
fn split_host_port(text: &str) -> Option<(String, String)> {
    if let Some(rest) = text.strip_prefix('[') {
        let (host, tail) = rest.split_once(']')?;
        let port = tail.strip_prefix(':')?;
        return Some((host.to_owned(), port.to_owned()));
    }
    let (host, port) = text.rsplit_once(':')?;
    (!host.contains(':')).then(|| (host.to_owned(), port.to_owned()))
}

/// Returns (scheme, host, port) of a URL, the port defaulted by scheme (`canonicalAddr`).
#[must_use]
pub fn split_url(url: &str) -> (String, String, String) {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let (host, port) = split_host_port(authority).unwrap_or_else(|| {
        let port = if scheme == "http" { "80" } else { "443" };
        (authority.to_owned(), port.to_owned())
    });
    (
        scheme.to_ascii_lowercase(),
        host.trim_matches(['[', ']']).to_owned(),
        port,
    )
}

/// crypto/x509's default bundle files on Linux, tried in order until one reads.
pub const CERT_FILES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// crypto/x509's default certificate directories on Linux.
pub const CERT_DIRS: &[&str] = &["/etc/ssl/certs", "/etc/pki/tls/certs"];

/// The root certificates Go would trust, and where they came from.
#[derive(Debug, Clone, Default)]
pub struct Roots {
    /// PEM texts read, one per file.
    pub pems: Vec<Vec<u8>>,
    /// The files read.
    pub sources: Vec<PathBuf>,
    /// `SSL_CERT_FILE` / `SSL_CERT_DIR` as set.
    pub overrides: Vec<(String, String)>,
}

/// Loads roots like crypto/x509 `loadSystemRoots`: `SSL_CERT_FILE` replaces the bundle list,
/// `SSL_CERT_DIR` (colon-separated) replaces the directory list; the first readable bundle
/// is used, then every file of every directory.
#[must_use]
pub fn load_roots(host: &dyn Host, env: &BTreeMap<String, String>) -> Roots {
    let mut roots = Roots::default();
    let file_override = env.get("SSL_CERT_FILE").filter(|v| !v.is_empty());
    let dir_override = env.get("SSL_CERT_DIR").filter(|v| !v.is_empty());
    let files: Vec<String> = file_override.map_or_else(
        || CERT_FILES.iter().map(|f| (*f).to_owned()).collect(),
        |file| vec![file.clone()],
    );
    let dirs: Vec<String> = dir_override.map_or_else(
        || CERT_DIRS.iter().map(|d| (*d).to_owned()).collect(),
        |dirs| dirs.split(':').map(str::to_owned).collect(),
    );
    for (name, value) in [
        ("SSL_CERT_FILE", file_override),
        ("SSL_CERT_DIR", dir_override),
    ] {
        if let Some(value) = value {
            roots.overrides.push((name.to_owned(), value.clone()));
        }
    }
    for file in &files {
        if let Ok(pem) = host.read(Path::new(file)) {
            roots.pems.push(pem);
            roots.sources.push(PathBuf::from(file));
            break;
        }
    }
    for dir in &dirs {
        let Ok(entries) = host.read_dir(Path::new(dir)) else {
            continue;
        };
        for entry in entries {
            // crypto/x509 `readUniqueDirectoryEntries`: a symlink to a file in the same
            // directory (the `HASH.0` links) is skipped, so each certificate is read once.
            let same_dir_link = host
                .read_link(&entry)
                .is_ok_and(|target| !target.to_string_lossy().contains('/'));
            if !same_dir_link
                && host.metadata(&entry).is_ok_and(|meta| meta.is_file)
                && !roots.sources.contains(&entry)
                && let Ok(pem) = host.read(&entry)
                && pem.starts_with(b"-----BEGIN")
            {
                roots.pems.push(pem);
                roots.sources.push(entry);
            }
        }
    }
    roots
}

/// One `machine login password` entry of a `.netrc` file.
#[derive(Clone, PartialEq, Eq)]
pub struct NetrcLine {
    /// The machine (host, or host:port).
    pub machine: String,
    /// The user name the entry gives the machine (printed; the password never is).
    pub login: String,
    /// The password; never printed.
    pub password: String,
}

impl std::fmt::Debug for NetrcLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetrcLine")
            .field("machine", &self.machine)
            .field("login", &self.login)
            .finish_non_exhaustive()
    }
}

/// `parseNetrc` of cmd/go/internal/auth/netrc.go: `machine`, `login`, `password`,
/// `macdef` (skipped to the next empty line), and `default` ends the file.
#[must_use]
pub fn parse_netrc(data: &str) -> Vec<NetrcLine> {
    let mut out = Vec::new();
    let mut line = NetrcLine {
        machine: String::new(),
        login: String::new(),
        password: String::new(),
    };
    let mut in_macro = false;
    for text in data.split('\n') {
        if in_macro {
            if text.is_empty() {
                in_macro = false;
            }
            continue;
        }
        let fields: Vec<&str> = text.split_whitespace().collect();
        let mut i = 0;
        while i + 1 < fields.len() {
            match fields[i] {
                "machine" => {
                    line = NetrcLine {
                        machine: fields[i + 1].to_owned(),
                        login: String::new(),
                        password: String::new(),
                    };
                }
                "login" => fields[i + 1].clone_into(&mut line.login),
                "password" => fields[i + 1].clone_into(&mut line.password),
                "macdef" => in_macro = true,
                _ => {}
            }
            if !line.machine.is_empty() && !line.login.is_empty() && !line.password.is_empty() {
                out.push(line.clone());
                line = NetrcLine {
                    machine: String::new(),
                    login: String::new(),
                    password: String::new(),
                };
            }
            i += 2;
        }
        if fields.get(i) == Some(&"default") {
            break;
        }
    }
    out
}

/// The `.netrc` the go command reads: `$NETRC`, else `$HOME/.netrc`.
#[must_use]
pub fn netrc_path(env: &BTreeMap<String, String>) -> Option<String> {
    if let Some(path) = env.get("NETRC").filter(|v| !v.is_empty()) {
        return Some(path.clone());
    }
    env.get("HOME")
        .filter(|v| !v.is_empty())
        .map(|home| format!("{}/.netrc", home.trim_end_matches('/')))
}

/// Reads and parses the `.netrc` file, returning its path and entries.
#[must_use]
pub fn load_netrc(
    host: &dyn Host,
    env: &BTreeMap<String, String>,
) -> (Option<String>, Vec<NetrcLine>) {
    let Some(path) = netrc_path(env) else {
        return (None, Vec::new());
    };
    let lines = host
        .read_to_string(Path::new(&path))
        .map(|text| parse_netrc(&text))
        .unwrap_or_default();
    (Some(path), lines)
}

/// `loadCredential`: the netrc entry whose machine is the longest path prefix of the
/// `https://` URL (`host[:port]`, then `host[:port]/a`, ...); earlier entries win for equal
/// machines. Only `https` URLs ever get credentials.
#[must_use]
pub fn credential_for<'a>(lines: &'a [NetrcLine], url: &str) -> Option<&'a NetrcLine> {
    let mut prefix = url.strip_prefix("https://")?.trim_end_matches('/');
    loop {
        if let Some(line) = lines.iter().find(|line| {
            line.machine
                .strip_prefix("https://")
                .unwrap_or(&line.machine)
                .trim_end_matches('/')
                == prefix
        }) {
            return Some(line);
        }
        prefix = &prefix[..prefix.rfind('/')?];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn proxy_choice_follows_httpproxy() {
        let proxies = ProxyEnv::from_env(&env(&[
            ("HTTPS_PROXY", "proxy.corp:3128"),
            ("http_proxy", "http://p80.corp"),
            ("NO_PROXY", "corp.example, .internal,10.0.0.0/8,*.svc:8443"),
        ]));
        let via = |url: &str| match proxies.choose(url) {
            ProxyChoice::Via { url, .. } => Some(url),
            _ => None,
        };
        assert_eq!(
            via("https://proxy.golang.org/x").as_deref(),
            Some("http://proxy.corp:3128")
        );
        assert_eq!(
            via("http://plain.example/x").as_deref(),
            Some("http://p80.corp")
        );
        assert_eq!(via("https://corp.example/x"), None);
        assert_eq!(via("https://git.corp.example/x"), None);
        assert_eq!(via("https://a.internal/x"), None);
        assert_eq!(
            via("https://internal/x").as_deref(),
            Some("http://proxy.corp:3128")
        );
        assert_eq!(via("https://10.1.2.3/x"), None);
        assert_eq!(via("https://a.svc:8443/x"), None);
        assert_eq!(
            via("https://a.svc/x").as_deref(),
            Some("http://proxy.corp:3128")
        );
        assert_eq!(via("https://127.0.0.1:9/x"), None);
        assert_eq!(via("https://localhost/x"), None);
        assert_eq!(via("https://[::1]:8/x"), None);
    }

    #[test]
    fn upper_case_wins_and_cgi_refuses_http_proxy() {
        let proxies = ProxyEnv::from_env(&env(&[
            ("HTTPS_PROXY", "http://upper"),
            ("https_proxy", "http://lower"),
            ("HTTP_PROXY", "http://p"),
            ("REQUEST_METHOD", "GET"),
        ]));
        assert!(
            matches!(proxies.choose("https://x.example/"), ProxyChoice::Via { url, .. } if url == "http://upper")
        );
        assert!(matches!(
            proxies.choose("http://x.example/"),
            ProxyChoice::Refused(_)
        ));
        let star = ProxyEnv::from_env(&env(&[("HTTPS_PROXY", "http://p"), ("no_proxy", "*")]));
        assert!(matches!(
            star.choose("https://x.example/"),
            ProxyChoice::Direct { reason: Some(_) }
        ));
    }

    #[test]
    fn netrc_parsing_and_prefix_lookup() {
        let lines = parse_netrc(
            "machine a.example login u password p\nmachine b.example:8443\n login v\n password q\nmacdef init\nmachine hidden login x password y\n\nmachine c.example/team login w password r\ndefault login d password e\nmachine after login z password z\ndefault\nmachine gone login g password g\n",
        );
        // As in Go: `default` ends the file only when it is the last word a line leaves.
        let machines: Vec<&str> = lines.iter().map(|l| l.machine.as_str()).collect();
        assert_eq!(
            machines,
            ["a.example", "b.example:8443", "c.example/team", "after"]
        );
        assert_eq!(
            credential_for(&lines, "https://a.example/m/@v/list").map(|l| l.login.as_str()),
            Some("u")
        );
        assert!(credential_for(&lines, "https://a.example:443/m").is_none());
        assert!(credential_for(&lines, "http://a.example/m").is_none());
        assert_eq!(
            credential_for(&lines, "https://b.example:8443/x").map(|l| l.login.as_str()),
            Some("v")
        );
        assert_eq!(
            credential_for(&lines, "https://c.example/team/m").map(|l| l.login.as_str()),
            Some("w")
        );
        assert!(credential_for(&lines, "https://c.example/other").is_none());
        assert!(!format!("{:?}", lines[0]).contains("password"));
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // builds a fixture machine on disk
    fn roots_skip_same_directory_links() {
        let dir = tempfile::tempdir().unwrap();
        let certs = dir.path().join("etc/ssl/certs");
        let shared = dir.path().join("usr/share/ca");
        std::fs::create_dir_all(&certs).unwrap();
        std::fs::create_dir_all(&shared).unwrap();
        std::fs::write(shared.join("a.crt"), "-----BEGIN CERTIFICATE-----\n").unwrap();
        std::os::unix::fs::symlink("../../../usr/share/ca/a.crt", certs.join("a.pem")).unwrap();
        std::os::unix::fs::symlink("a.pem", certs.join("1234abcd.0")).unwrap();
        std::fs::write(certs.join("local.pem"), "-----BEGIN CERTIFICATE-----\n").unwrap();
        std::fs::write(certs.join("README"), "not a certificate").unwrap();
        let host = godiag_core::host::FixtureHost::new(dir.path(), BTreeMap::new());
        let roots = load_roots(&host, &BTreeMap::new());
        assert_eq!(
            roots.sources,
            [
                PathBuf::from("/etc/ssl/certs/a.pem"),
                PathBuf::from("/etc/ssl/certs/local.pem")
            ]
        );
    }

    #[test]
    fn url_parts() {
        assert_eq!(
            split_url("https://u:p@h.example/x"),
            ("https".into(), "h.example".into(), "443".into())
        );
        assert_eq!(
            split_url("http://[::1]:8080/x"),
            ("http".into(), "::1".into(), "8080".into())
        );
    }
}
