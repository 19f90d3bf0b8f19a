//! godiag's predicted GOPROXY walk against the real go command's requests.
//!
//! Test proxies on 127.0.0.1 answer 200, 404, 410 or 500, hang, reset the connection or
//! present a certificate nobody trusts. For each GOPROXY string (with private-module
//! patterns where the case says so), `go mod download -json M@V` runs with an empty module
//! cache and the proxies log what it asks; then `godiag go fetch M@V` runs with the same
//! environment. The requests godiag sent to the proxies must be exactly the go command's,
//! in order, and both must agree on success, on the error text for HTTP errors, and on
//! the error's first words otherwise.
//!
//! Direct mode must not reach the internet, so the whole matrix runs in its own network
//! and mount namespace (`unshare -n -m`, loopback only) with a resolv.conf pointing at
//! 127.0.0.1, where nothing answers: every `direct` step fails at name resolution, offline.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::peers::{self, godiag};
use crate::testproxy::{Behaviour, Log, Logged, TLS_REJECTED, TestProxy};

/// One row: GOPROXY with `{A}` `{B}` (working), `{N}` 404, `{G}` 410, `{E}` 500, `{H}` hang,
/// `{R}` reset, `{T}` untrusted TLS; extra variables; the argument.
struct Case(
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

const V1: &str = "example.com/hello@v1.0.0";

const CASES: &[Case] = &[
    Case("{A}", &[], V1),
    Case("{N},{A}", &[], V1),
    Case("{G},{A}", &[], V1),
    Case("{E},{A}", &[], V1),
    Case("{E}|{A}", &[], V1),
    Case("{N}", &[], V1),
    Case("{G}", &[], V1),
    Case("{E}", &[], V1),
    Case("off", &[], V1),
    Case("{N},off", &[], V1),
    Case("{E}|off", &[], V1),
    Case("{T},{A}", &[], V1),
    Case("{T}|{A}", &[], V1),
    Case("{R},{A}", &[], V1),
    Case("{R}|{A}", &[], V1),
    Case("{H},{A}", &[], V1),
    Case("{H}|{A}", &[], V1),
    Case("{N}|{E},{A}", &[], V1),
    Case("{N},{E}|{A}", &[], V1),
    Case(" {N} , , {A} ", &[], V1),
    Case("{A},{N}", &[], V1),
    Case("{N},{G},{B}", &[], V1),
    Case("{E}|{N}", &[], V1),
    Case("{N}|{E}", &[], V1),
    Case("{E}|{T}|{B}", &[], V1),
    Case("{T}", &[], V1),
    Case("{N},direct", &[], V1),
    Case("direct", &[], V1),
    Case("{N},direct,{A}", &[], V1),
    Case("{A}", &[("GOPRIVATE", "example.com")], V1),
    Case("{A},direct", &[("GONOPROXY", "example.com")], V1),
    Case("{A}", &[("GONOPROXY", "other.example")], V1),
    Case(
        "{A}",
        &[("GOPRIVATE", "example.com"), ("GONOPROXY", "none")],
        V1,
    ),
    Case("{E},{A}", &[("GOPRIVATE", "*.example.com")], V1),
    Case("{N},{A}", &[("GOPRIVATE", "example.com/hello/")], V1),
    Case("{A}", &[], "example.com/hello@latest"),
    Case("{N},{A}", &[], "example.com/hello@latest"),
    Case("{A}", &[], "example.com/hello@v1"),
    Case("{A}", &[], "example.com/hello@v9.9.9"),
    Case("{N},{A}", &[], "example.com/hello@badrev"),
    Case("{E}|{A}", &[], "example.com/hello@latest"),
    Case("file:///nonexistent/proxy,{A}", &[], V1),
    Case("{A}", &[("GOFLAGS", "-mod=mod"), ("GOAUTH", "off")], V1),
    // Direct mode on a known hosting site: git ls-remote, offline, fails to resolve.
    Case("direct", &[], "github.com/user/repo@v1.0.0"),
    Case("{N},direct", &[], "github.com/user/repo@v1.0.0"),
    // No git on PATH (`{GO_DIR}` is the go command's directory alone).
    Case(
        "direct",
        &[("PATH", "{GO_DIR}")],
        "github.com/user/repo@v1.0.0",
    ),
];

struct Proxies {
    log: Log,
    by_key: BTreeMap<char, TestProxy>,
}

impl Proxies {
    fn start() -> Self {
        let log = Log::default();
        let mut by_key = BTreeMap::new();
        for (key, behaviour) in [
            ('A', Behaviour::Ok),
            ('B', Behaviour::Ok),
            ('N', Behaviour::Status(404)),
            ('G', Behaviour::Status(410)),
            ('E', Behaviour::Status(500)),
            ('H', Behaviour::Hang),
            ('R', Behaviour::Reset),
            ('T', Behaviour::BadTls),
        ] {
            by_key.insert(key, TestProxy::start(&key.to_string(), behaviour, &log));
        }
        Self { log, by_key }
    }

    fn goproxy(&self, template: &str) -> String {
        let mut out = template.to_owned();
        for (key, proxy) in &self.by_key {
            out = out.replace(&format!("{{{key}}}"), &proxy.url);
        }
        out
    }

    fn take(&self) -> Vec<Logged> {
        // A rejected handshake is logged when the proxy reads the client's alert, which can
        // come after the client exited; let the proxies catch up.
        std::thread::sleep(Duration::from_millis(150));
        std::mem::take(&mut *self.log.lock().unwrap())
    }

    /// The proxy and path of a URL godiag requested, when it is one of ours.
    fn locate(&self, url: &str) -> Option<Logged> {
        self.by_key.values().find_map(|proxy| {
            url.strip_prefix(&proxy.url)
                .filter(|rest| rest.starts_with('/'))
                .map(|rest| Logged {
                    proxy: proxy.name.clone(),
                    path: rest.to_owned(),
                })
        })
    }
}

/// Runs a command with a time limit; returns stdout, or `None` when it had to be killed.
pub(crate) fn run_with_limit(command: &mut Command, limit: Duration) -> Option<Vec<u8>> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            let mut out = Vec::new();
            child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
            return Some(out);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn environment(
    go: &Path,
    dir: &Path,
    goproxy: &str,
    extra: &[(&str, &str)],
) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    let go_dir = go.parent().unwrap().display().to_string();
    env.insert("PATH".to_owned(), format!("{go_dir}:/usr/bin:/bin"));
    env.insert("HOME".to_owned(), dir.join("home").display().to_string());
    env.insert(
        "GOMODCACHE".to_owned(),
        dir.join("modcache").display().to_string(),
    );
    env.insert(
        "GOCACHE".to_owned(),
        dir.join("gocache").display().to_string(),
    );
    env.insert("GOENV".to_owned(), "off".to_owned());
    env.insert("GOTOOLCHAIN".to_owned(), "local".to_owned());
    env.insert("GOFLAGS".to_owned(), "-mod=mod".to_owned());
    env.insert("GOSUMDB".to_owned(), "off".to_owned());
    env.insert("GOPROXY".to_owned(), goproxy.to_owned());
    for (key, value) in extra {
        env.insert((*key).to_owned(), value.replace("{GO_DIR}", &go_dir));
    }
    env
}

/// What one side did.
#[derive(Debug)]
struct Side {
    requests: Vec<Logged>,
    /// `None` when the go command hung (killed); `Some(None)` success; `Some(Some(e))` error.
    #[allow(clippy::option_option)]
    error: Option<Option<String>>,
}

fn run_go(
    go: &Path,
    env: &BTreeMap<String, String>,
    dir: &Path,
    arg: &str,
    proxies: &Proxies,
) -> Side {
    let out = run_with_limit(
        Command::new(go)
            .env_clear()
            .envs(env)
            .current_dir(dir)
            .args(["mod", "download", "-json", arg]),
        Duration::from_secs(4),
    );
    let error = out.map(|out| {
        let json: Value = serde_json::from_slice(&out).unwrap_or(Value::Null);
        json["Error"].as_str().map(str::to_owned)
    });
    Side {
        requests: proxies.take(),
        error,
    }
}

fn run_godiag(
    env: &BTreeMap<String, String>,
    dir: &Path,
    arg: &str,
    proxies: &Proxies,
) -> (Side, Value) {
    let out = run_with_limit(
        Command::new(godiag())
            .env_clear()
            .envs(env)
            .current_dir(dir)
            .args([
                "--format",
                "json",
                "--deadline",
                "1500ms",
                "go",
                "fetch",
                arg,
            ]),
        Duration::from_secs(10),
    )
    .unwrap_or_else(|| {
        panic!(
            "godiag {arg} with GOPROXY={:?} did not end by its deadline",
            env["GOPROXY"]
        )
    });
    proxies.take();
    let json: Value = serde_json::from_slice(&out).unwrap();
    let fetch = &json["go"]["fetch"];
    let requests = fetch["attempts"]
        .as_array()
        .unwrap_or_else(|| panic!("no attempts for {arg}: {json}"))
        .iter()
        .filter(|a| a["sent"] == true)
        .filter_map(|a| {
            let mut logged = proxies.locate(a["request"].as_str().unwrap())?;
            if matches!(a["failure"].as_str(), Some("unknown_authority" | "tls")) {
                TLS_REJECTED.clone_into(&mut logged.path);
            }
            Some(logged)
        })
        .collect();
    let outcome = &fetch["outcome"];
    let error = if outcome["error"]
        .as_str()
        .is_some_and(|e| e.contains("would keep waiting"))
    {
        None
    } else {
        Some(outcome["error"].as_str().map(str::to_owned))
    };
    let mut fetch = fetch.clone();
    // The codes reported as problems (not ok or skipped), for the checks that need the proxies' real answers.
    fetch["codes"] = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            ["error", "warning", "info"].contains(&f["severity"].as_str().unwrap_or_default())
        })
        .map(|f| f["code"].clone())
        .collect();
    (Side { requests, error }, fetch)
}

/// The request sequences agree. A rejected certificate is logged by the proxy when it
/// notices the client's alert, which can be after the client's next request elsewhere,
/// so rejections are compared by count per proxy and the rest in order.
pub(crate) fn same_requests(theirs: &[Logged], ours: &[Logged]) -> bool {
    let split = |list: &[Logged]| {
        let (rejected, rest): (Vec<Logged>, Vec<Logged>) =
            list.iter().cloned().partition(|l| l.path == TLS_REJECTED);
        let mut counts = BTreeMap::new();
        for logged in rejected {
            *counts.entry(logged.proxy).or_insert(0) += 1;
        }
        (counts, rest)
    };
    split(theirs) == split(ours)
}

/// Errors agree when equal, or (for transport failures, whose wording is Go's net
/// package's) when equal up to the failing URL.
pub(crate) fn errors_agree(go: &str, ours: &str) -> bool {
    if go == ours {
        return true;
    }
    let cut = |text: &str| text.find("Get \"").map(|at| text[..at].to_owned());
    let url = |text: &str| text.split('"').nth(1).map(str::to_owned);
    match (cut(go), cut(ours)) {
        (Some(a), Some(b)) => {
            let after = |text: &str| text[text.find("Get \"").unwrap_or(0)..].to_owned();
            a == b && url(&after(go)) == url(&after(ours))
        }
        _ => false,
    }
}

#[test]
fn proxy_walk_matches_the_go_command() {
    let Some(go) = peers::go() else { return };
    if std::env::var_os("GODIAG_IN_NETNS").is_none() {
        rerun_in_namespace();
        return;
    }
    isolate_name_resolution();
    let proxies = Proxies::start();
    let mut disagreements = Vec::new();
    for case in CASES {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        let goproxy = proxies.goproxy(case.0);
        let env = environment(&go, dir.path(), &goproxy, case.1);
        let theirs = run_go(&go, &env, dir.path(), case.2, &proxies);
        std::fs::remove_dir_all(dir.path().join("modcache")).ok();
        let (ours, report) = run_godiag(&env, dir.path(), case.2, &proxies);
        // GO026: a proxy answering 404/410 to everything, golang.org/x/mod included, is
        // reported; a working one never is.
        let codes = report["codes"].as_array().unwrap();
        let not_found = codes.iter().any(|c| c == "GO026");
        if ["{N}", "{G}"].contains(&case.0) && case.1.is_empty() && !not_found {
            disagreements.push(format!("GOPROXY={:?}: GO026 not reported", case.0));
        }
        if case.0 == "{A}" && not_found {
            disagreements.push(format!("GOPROXY={:?}: GO026 reported", case.0));
        }
        let same_errors = match (&theirs.error, &ours.error) {
            (None, None) | (Some(None), Some(None)) => true,
            (Some(Some(a)), Some(Some(b))) => errors_agree(a, b),
            _ => false,
        };
        if !same_requests(&theirs.requests, &ours.requests) || !same_errors {
            disagreements.push(format!(
                "GOPROXY={:?} {:?} {}\n  go:     {:?}\n          {:?}\n  godiag: {:?}\n          {:?}\n  attempts: {}",
                case.0, case.1, case.2, theirs.requests, theirs.error, ours.requests, ours.error,
                serde_json::to_string_pretty(&report["attempts"]).unwrap()
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} cases disagree:\n{}",
        disagreements.len(),
        CASES.len(),
        disagreements.join("\n")
    );
    eprintln!("{} GOPROXY cases agree with the go command", CASES.len());
}

/// Runs this test again inside new network and mount namespaces.
fn rerun_in_namespace() {
    let exe = std::env::current_exe().unwrap();
    let status = Command::new("unshare")
        .args(["-n", "-m", "--"])
        .arg(&exe)
        .args([
            "--exact",
            "fetch_differential::proxy_walk_matches_the_go_command",
            "--nocapture",
        ])
        .env("GODIAG_IN_NETNS", "1")
        .status();
    match status {
        Ok(status) => assert!(status.success(), "the matrix failed inside its namespace"),
        Err(error) => {
            let message = format!("unshare is needed to keep direct mode offline: {error}");
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
            eprintln!("skipping: {message}");
        }
    }
}

/// Inside the namespace: loopback up, and name resolution that can only fail, fast.
fn isolate_name_resolution() {
    let run = |args: &[&str]| {
        let status = Command::new(args[0]).args(&args[1..]).status().unwrap();
        assert!(status.success(), "{args:?}");
    };
    run(&["ip", "link", "set", "lo", "up"]);
    let dir = std::env::temp_dir().join(format!("godiag-netns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("resolv.conf"),
        "nameserver 127.0.0.1\noptions attempts:1 timeout:1\n",
    )
    .unwrap();
    std::fs::write(dir.join("hosts"), "127.0.0.1 localhost\n").unwrap();
    for file in ["resolv.conf", "hosts"] {
        let source = dir.join(file);
        run(&[
            "mount",
            "--bind",
            source.to_str().unwrap(),
            &format!("/etc/{file}"),
        ]);
    }
}
