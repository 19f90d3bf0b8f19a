//! HTTP proxies (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) and a TLS module proxy whose test
//! CA is given through `SSL_CERT_FILE` or `SSL_CERT_DIR`, against the real go command.
//!
//! Go never sends loopback traffic through a proxy, so the test runs in its own network
//! namespace (`unshare -n`) where 10.200.0.1 and 10.200.0.2 sit on `lo`: module proxies
//! listen there (TLS signed by a CA made for the test, and plain HTTP), a forward proxy
//! (CONNECT and absolute-form GET) on 127.0.0.1 logs what goes through it. Nothing leaves
//! the namespace. For each case `go mod download -json` and `godiag go fetch` run with the
//! same environment: the module proxies must see the same requests, the forward proxy the
//! same targets (the go command reuses its tunnel; godiag opens one per request), and
//! both must end alike.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use serde_json::Value;

use crate::fetch_differential::{errors_agree, run_with_limit, same_requests};
use crate::peers::{self, godiag};
use crate::testproxy::{Behaviour, Log, Logged, TestProxy, trusted_tls};

/// A case: name, GOPROXY (`{S}` TLS at 10.200.0.1, `{P}` plain at 10.200.0.2, `{L}` TLS
/// at 127.0.0.1), variables (`{X}` the forward proxy's URL, `{XA}` its address without
/// scheme, `{CA}` the CA file, `{CADIR}` a directory holding it).
struct Case(
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const CASES: &[Case] = &[
    Case("CA in SSL_CERT_FILE", "{S}", &[("SSL_CERT_FILE", "{CA}")]),
    Case("CA not given", "{S}", &[]),
    Case("CA in SSL_CERT_DIR", "{S}", &[("SSL_CERT_DIR", "{CADIR}")]),
    Case(
        "HTTPS_PROXY tunnels https",
        "{S}",
        &[("SSL_CERT_FILE", "{CA}"), ("HTTPS_PROXY", "{X}")],
    ),
    Case(
        "https_proxy in lower case",
        "{S}",
        &[("SSL_CERT_FILE", "{CA}"), ("https_proxy", "{X}")],
    ),
    Case(
        "HTTPS_PROXY without a scheme",
        "{S}",
        &[("SSL_CERT_FILE", "{CA}"), ("HTTPS_PROXY", "{XA}")],
    ),
    Case(
        "NO_PROXY names the host",
        "{S}",
        &[
            ("SSL_CERT_FILE", "{CA}"),
            ("HTTPS_PROXY", "{X}"),
            ("NO_PROXY", "10.200.0.1"),
        ],
    ),
    Case(
        "NO_PROXY covers it by CIDR",
        "{S}",
        &[
            ("SSL_CERT_FILE", "{CA}"),
            ("HTTPS_PROXY", "{X}"),
            ("no_proxy", "10.200.0.0/24"),
        ],
    ),
    Case(
        "NO_PROXY names other hosts",
        "{S}",
        &[
            ("SSL_CERT_FILE", "{CA}"),
            ("HTTPS_PROXY", "{X}"),
            ("NO_PROXY", "corp.example,10.9.9.9,.internal"),
        ],
    ),
    Case(
        "NO_PROXY=*",
        "{S}",
        &[
            ("SSL_CERT_FILE", "{CA}"),
            ("HTTPS_PROXY", "{X}"),
            ("NO_PROXY", "*"),
        ],
    ),
    Case(
        "HTTP_PROXY does not apply to https",
        "{S}",
        &[("SSL_CERT_FILE", "{CA}"), ("HTTP_PROXY", "{X}")],
    ),
    Case("HTTP_PROXY carries http", "{P}", &[("HTTP_PROXY", "{X}")]),
    Case(
        "HTTPS_PROXY does not apply to http",
        "{P}",
        &[("HTTPS_PROXY", "{X}")],
    ),
    Case(
        "HTTP_PROXY refused in a CGI environment",
        "{P}",
        &[("HTTP_PROXY", "{X}"), ("REQUEST_METHOD", "GET")],
    ),
    Case(
        "the proxy refuses connections",
        "{S}",
        &[
            ("SSL_CERT_FILE", "{CA}"),
            ("HTTPS_PROXY", "http://127.0.0.1:1"),
        ],
    ),
    Case(
        "loopback is never proxied",
        "{L}",
        &[("SSL_CERT_FILE", "{CA}"), ("HTTPS_PROXY", "{X}")],
    ),
    Case(
        "untrusted CA through the tunnel",
        "{S}",
        &[("HTTPS_PROXY", "{X}")],
    ),
    Case(
        "a proxy list through the tunnel",
        "{P},{S}",
        &[
            ("SSL_CERT_FILE", "{CA}"),
            ("HTTPS_PROXY", "{X}"),
            ("HTTP_PROXY", "{X}"),
        ],
    ),
];

const V1: &str = "example.com/hello@v1.0.0";

#[test]
fn http_proxies_and_trusted_tls_match_the_go_command() {
    let Some(go) = peers::go() else { return };
    if std::env::var_os("GODIAG_IN_PROXY_NETNS").is_none() {
        rerun_in_namespace();
        return;
    }
    for ip in ["10.200.0.1/32", "10.200.0.2/32"] {
        run(&["ip", "addr", "add", ip, "dev", "lo"]);
    }
    run(&["ip", "link", "set", "lo", "up"]);
    let log = Log::default();
    let dir = tempfile::tempdir().unwrap();
    let (ca, tls) = trusted_tls("10.200.0.1");
    // The loopback proxy has a CA of its own; both go into the files the cases name.
    let (loopback_ca, loopback_tls) = trusted_tls("127.0.0.1");
    let secure = TestProxy::start_at("10.200.0.1", "S", Behaviour::Ok, &log, Some(tls));
    let plain = TestProxy::start_at("10.200.0.2", "P", Behaviour::Ok, &log, None);
    let loopback = TestProxy::start_at("127.0.0.1", "L", Behaviour::Ok, &log, Some(loopback_tls));
    let forward = start_forward_proxy(&log);
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, format!("{ca}{loopback_ca}")).unwrap();
    let ca_dir = dir.path().join("certs");
    std::fs::create_dir_all(&ca_dir).unwrap();
    std::fs::write(ca_dir.join("test-ca.pem"), format!("{ca}{loopback_ca}")).unwrap();
    let fill = |text: &str| {
        text.replace("{S}", &secure.url)
            .replace("{P}", &plain.url)
            .replace("{L}", &loopback.url)
            .replace("{XA}", forward.trim_start_matches("http://"))
            .replace("{X}", &forward)
            .replace("{CADIR}", &ca_dir.display().to_string())
            .replace("{CA}", &ca_file.display().to_string())
    };
    let mut disagreements = Vec::new();
    for Case(name, goproxy, vars) in CASES {
        let work = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(work.path().join("home")).unwrap();
        let mut env = base_env(&go, work.path(), &fill(goproxy));
        for (key, value) in *vars {
            env.insert((*key).to_owned(), fill(value));
        }
        let out = run_with_limit(
            Command::new(&go)
                .env_clear()
                .envs(&env)
                .current_dir(work.path())
                .args(["mod", "download", "-json", V1]),
            Duration::from_secs(10),
        )
        .unwrap();
        let json: Value = serde_json::from_slice(&out).unwrap_or(Value::Null);
        let their_error = json["Error"].as_str().map(str::to_owned);
        let theirs = take(&log);
        let _ = Command::new("chmod")
            .args(["-R", "u+w"])
            .arg(work.path())
            .status();
        let _ = std::fs::remove_dir_all(work.path().join("modcache"));
        let out = Command::new(godiag())
            .env_clear()
            .envs(&env)
            .current_dir(work.path())
            .args(["--format", "json", "--deadline", "3s", "go", "fetch", V1])
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let fetch = &report["go"]["fetch"];
        let our_error = fetch["outcome"]["error"].as_str().map(str::to_owned);
        let ours = take(&log);
        let (their_modules, their_tunnels) = split(&theirs);
        let (our_modules, our_tunnels) = split(&ours);
        let errors = match (&their_error, &our_error) {
            (None, None) => true,
            (Some(a), Some(b)) => errors_agree(a, b),
            _ => false,
        };
        if !same_requests(&their_modules, &our_modules) || their_tunnels != our_tunnels || !errors {
            disagreements.push(format!(
                "{name}\n  go:     {their_modules:?} via {their_tunnels:?}\n          {their_error:?}\n  godiag: {our_modules:?} via {our_tunnels:?}\n          {our_error:?}\n  attempts: {}",
                fetch["attempts"]
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} proxy cases disagree:\n{}",
        disagreements.len(),
        CASES.len(),
        disagreements.join("\n")
    );
    eprintln!(
        "{} proxy and TLS cases agree with the go command",
        CASES.len()
    );
}

fn base_env(go: &Path, dir: &Path, goproxy: &str) -> BTreeMap<String, String> {
    let go_dir = go.parent().unwrap().display().to_string();
    [
        ("PATH", format!("{go_dir}:/usr/bin:/bin")),
        ("HOME", dir.join("home").display().to_string()),
        ("GOMODCACHE", dir.join("modcache").display().to_string()),
        ("GOCACHE", dir.join("gocache").display().to_string()),
        ("GOENV", "off".to_owned()),
        ("GOTOOLCHAIN", "local".to_owned()),
        ("GOFLAGS", "-mod=mod".to_owned()),
        ("GOSUMDB", "off".to_owned()),
        ("GOPROXY", goproxy.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The log so far, after the servers caught up (a rejected handshake is logged late).
fn take(log: &Log) -> Vec<Logged> {
    thread::sleep(Duration::from_millis(150));
    std::mem::take(&mut *log.lock().unwrap())
}

/// Module-proxy requests in order, and the forward proxy's targets as a set.
fn split(logged: &[Logged]) -> (Vec<Logged>, BTreeSet<String>) {
    let modules = logged.iter().filter(|l| l.proxy != "X").cloned().collect();
    let tunnels = logged
        .iter()
        .filter(|l| l.proxy == "X")
        .map(|l| l.path.clone())
        .collect();
    (modules, tunnels)
}

fn run(args: &[&str]) {
    let status = Command::new(args[0]).args(&args[1..]).status().unwrap();
    assert!(status.success(), "{args:?}");
}

/// Runs this test again inside a new network namespace.
fn rerun_in_namespace() {
    let exe = std::env::current_exe().unwrap();
    let status = Command::new("unshare")
        .args(["-n", "--"])
        .arg(&exe)
        .args([
            "--exact",
            "fetch_proxy_differential::http_proxies_and_trusted_tls_match_the_go_command",
            "--nocapture",
        ])
        .env("GODIAG_IN_PROXY_NETNS", "1")
        .status();
    match status {
        Ok(status) => assert!(
            status.success(),
            "the proxy matrix failed inside its namespace"
        ),
        Err(error) => {
            let message =
                format!("unshare is needed to give the test non-loopback addresses: {error}");
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
            eprintln!("skipping: {message}");
        }
    }
}

/// A forward proxy on 127.0.0.1: CONNECT tunnels and absolute-form GETs, each logged as
/// `CONNECT host:port` or `GET url`. Returns its URL.
fn start_forward_proxy(log: &Log) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::clone(log);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let log = Arc::clone(&log);
            thread::spawn(move || forward(stream, &log));
        }
    });
    url
}

fn forward(mut client: TcpStream, log: &Log) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        headers.push(header);
    }
    let mut words = line.split_whitespace();
    let (method, target) = (
        words.next().unwrap_or_default(),
        words.next().unwrap_or_default(),
    );
    log.lock().unwrap().push(Logged {
        proxy: "X".to_owned(),
        path: format!("{method} {target}"),
    });
    if method == "CONNECT" {
        let Ok(upstream) = TcpStream::connect(target) else {
            let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
            return;
        };
        let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
        let (mut up_read, mut up_write) = (upstream.try_clone().unwrap(), upstream);
        let mut down_write = client.try_clone().unwrap();
        let pump = thread::spawn(move || {
            let _ = std::io::copy(&mut reader, &mut up_write);
            let _ = up_write.shutdown(Shutdown::Write);
        });
        let _ = std::io::copy(&mut up_read, &mut down_write);
        let _ = down_write.shutdown(Shutdown::Both);
        let _ = pump.join();
        return;
    }
    // Absolute form: `GET http://host:port/path HTTP/1.1`, one request per connection.
    let rest = target.strip_prefix("http://").unwrap_or(target);
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let Ok(mut upstream) = TcpStream::connect(authority) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let mut request = format!("{method} {path} HTTP/1.1\r\n");
    for header in headers
        .iter()
        .filter(|h| !h.to_ascii_lowercase().starts_with("proxy-"))
    {
        request.push_str(header);
    }
    request.push_str("\r\n");
    let _ = upstream.write_all(request.as_bytes());
    let mut response = BufReader::new(upstream);
    let mut length = 0usize;
    let mut head = String::new();
    loop {
        let mut header = String::new();
        if response.read_line(&mut header).unwrap_or(0) == 0 {
            break;
        }
        if let Some(value) = header.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        let end = header.trim().is_empty();
        head.push_str(&header);
        if end {
            break;
        }
    }
    let mut body = vec![0; length];
    let _ = response.read_exact(&mut body);
    let _ = client.write_all(head.as_bytes());
    let _ = client.write_all(&body);
    let _ = client.shutdown(Shutdown::Both);
}
