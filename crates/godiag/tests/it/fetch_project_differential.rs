//! godiag's reading of go.mod, go.work and vendor/ against the real go command.
//!
//! Each case is a small project (`app`, which imports `example.com/hello`, and a local
//! `hello` directory) next to a test proxy on 127.0.0.1 that serves example.com/hello
//! v1.0.0 and v1.1.0. The go command runs in `app` with an empty module cache and the proxy
//! logs what it asks; then `godiag go fetch example.com/hello` runs with the same
//! environment and directory. `go mod download -json example.com/hello` (a build's view:
//! no version on the command line) must agree with godiag on every request and on the
//! error text. Vendor and replacement-directory cases run `go build ./...`, whose
//! requests differ from a download's: there the go command fetches anything exactly when
//! godiag predicts requests, and its error ends with godiag's.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::peers::{self, godiag};
use crate::testproxy::{Behaviour, Log, TestProxy};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Peer {
    Download,
    Build,
}

/// A case: name, how the go command runs, GOFLAGS, files (`go.sum` gets real sums).
struct Case(
    &'static str,
    Peer,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const APP: &str = "module example.com/app\n\ngo 1.22\n\nrequire example.com/hello v1.0.0\n";
const MAIN: (&str, &str) = (
    "app/main.go",
    "package main\n\nimport _ \"example.com/hello\"\n\nfunc main() {}\n",
);
const HELLO: (&str, &str) = ("hello/go.mod", "module example.com/hello\n\ngo 1.22\n");
const HELLO_GO: (&str, &str) = ("hello/hello.go", "package hello\n");
const VENDORED: (&str, &str) = (
    "app/vendor/modules.txt",
    "# example.com/hello v1.0.0\n## explicit\nexample.com/hello\n",
);
const VENDORED_GO: (&str, &str) = ("app/vendor/example.com/hello/hello.go", "package hello\n");

const CASES: &[Case] = &[
    Case(
        "required version",
        Peer::Download,
        "",
        &[("app/go.mod", APP)],
    ),
    Case(
        "replace with a directory",
        Peer::Download,
        "",
        &[
            (
                "app/go.mod",
                concat!(
                    "module example.com/app\n\ngo 1.22\n\nrequire example.com/hello v1.0.0\n",
                    "\nreplace example.com/hello => ../hello\n"
                ),
            ),
            HELLO,
        ],
    ),
    Case(
        "replace with another version",
        Peer::Download,
        "",
        &[(
            "app/go.mod",
            concat!(
                "module example.com/app\n\ngo 1.22\n\nrequire example.com/hello v1.0.0\n",
                "\nreplace example.com/hello => example.com/hello v1.1.0\n"
            ),
        )],
    ),
    Case(
        "version-specific replace",
        Peer::Download,
        "",
        &[(
            "app/go.mod",
            concat!(
                "module example.com/app\n\ngo 1.22\n\nrequire example.com/hello v1.0.0\n",
                "\nreplace example.com/hello v1.0.0 => example.com/hello v1.1.0\n"
            ),
        )],
    ),
    Case(
        "replace of another version does not apply",
        Peer::Download,
        "",
        &[
            (
                "app/go.mod",
                concat!(
                    "module example.com/app\n\ngo 1.22\n\nrequire example.com/hello v1.0.0\n",
                    "\nreplace example.com/hello v0.9.0 => ../hello\n"
                ),
            ),
            HELLO,
        ],
    ),
    Case(
        "workspace module",
        Peer::Download,
        "",
        &[
            ("app/go.mod", APP),
            ("app/go.work", "go 1.22\n\nuse (\n\t.\n\t../hello\n)\n"),
            HELLO,
        ],
    ),
    Case(
        "go.work replace",
        Peer::Download,
        "",
        &[
            ("app/go.mod", APP),
            (
                "app/go.work",
                "go 1.22\n\nuse .\n\nreplace example.com/hello => ../hello\n",
            ),
            HELLO,
        ],
    ),
    Case(
        "go.work with -mod=mod",
        Peer::Build,
        "-mod=mod",
        &[
            ("app/go.mod", APP),
            MAIN,
            ("app/go.work", "go 1.22\n\nuse .\n"),
        ],
    ),
    Case(
        "go.work uses a missing directory",
        Peer::Download,
        "",
        &[
            ("app/go.mod", APP),
            ("app/go.work", "go 1.22\n\nuse .\nuse ../gone\n"),
        ],
    ),
    Case(
        "go.mod does not parse",
        Peer::Download,
        "",
        &[(
            "app/go.mod",
            "module example.com/app\n\ngo 1.22\n  frobnicate x\n",
        )],
    ),
    Case(
        "go.sum records another go.mod hash",
        Peer::Download,
        "",
        &[
            ("app/go.mod", APP),
            (
                "app/go.sum",
                "example.com/hello v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
            ),
        ],
    ),
    Case(
        "go.sum agrees",
        Peer::Download,
        "",
        &[("app/go.mod", APP), ("app/go.sum", "")],
    ),
    Case(
        "vendor directory",
        Peer::Build,
        "",
        &[
            ("app/go.mod", APP),
            MAIN,
            VENDORED,
            VENDORED_GO,
            ("app/go.sum", ""),
        ],
    ),
    Case(
        "vendor directory, GOFLAGS=-mod=mod",
        Peer::Build,
        "-mod=mod",
        &[
            ("app/go.mod", APP),
            MAIN,
            VENDORED,
            VENDORED_GO,
            ("app/go.sum", ""),
        ],
    ),
    Case(
        "vendor directory, go 1.13",
        Peer::Build,
        "",
        &[
            (
                "app/go.mod",
                "module example.com/app\n\ngo 1.13\n\nrequire example.com/hello v1.0.0\n",
            ),
            MAIN,
            VENDORED,
            VENDORED_GO,
            ("app/go.sum", ""),
        ],
    ),
    Case(
        "vendor directory without the module",
        Peer::Build,
        "",
        &[
            ("app/go.mod", APP),
            MAIN,
            (
                "app/vendor/modules.txt",
                "# example.com/other v1.0.0\n## explicit\n",
            ),
            ("app/go.sum", ""),
        ],
    ),
    Case(
        "replacement directory missing",
        Peer::Build,
        "",
        &[
            (
                "app/go.mod",
                concat!(
                    "module example.com/app\n\ngo 1.22\n\nrequire example.com/hello v1.0.0\n",
                    "\nreplace example.com/hello => ../hello\n"
                ),
            ),
            MAIN,
        ],
    ),
    Case(
        "replacement directory without go.mod",
        Peer::Build,
        "",
        &[
            (
                "app/go.mod",
                concat!(
                    "module example.com/app\n\ngo 1.22\n\nrequire example.com/hello v1.0.0\n",
                    "\nreplace example.com/hello => ../hello\n"
                ),
            ),
            MAIN,
            HELLO_GO,
        ],
    ),
    Case(
        "replacement directory present",
        Peer::Build,
        "",
        &[
            (
                "app/go.mod",
                concat!(
                    "module example.com/app\n\ngo 1.22\n\nrequire example.com/hello v1.0.0\n",
                    "\nreplace example.com/hello => ../hello\n"
                ),
            ),
            MAIN,
            HELLO,
            HELLO_GO,
        ],
    ),
];

fn environment(dir: &Path, proxy: &str, goflags: &str) -> BTreeMap<String, String> {
    [
        ("HOME", dir.join("home").display().to_string()),
        ("PATH", "/usr/bin:/bin".to_owned()),
        ("GOMODCACHE", dir.join("modcache").display().to_string()),
        ("GOCACHE", dir.join("gocache").display().to_string()),
        ("GOENV", "off".to_owned()),
        ("GOTOOLCHAIN", "local".to_owned()),
        ("GOSUMDB", "off".to_owned()),
        ("GOFLAGS", goflags.to_owned()),
        ("GOPROXY", proxy.to_owned()),
        ("PWD", dir.join("app").display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The go.sum lines of example.com/hello v1.0.0 as the go command computes them.
fn sums(go: &Path, proxy: &str, log: &Log) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(go)
        .env_clear()
        .envs(environment(dir.path(), proxy, "-mod=mod"))
        .current_dir(dir.path())
        .args(["mod", "download", "-json", "example.com/hello@v1.0.0"])
        .output()
        .unwrap();
    let _ = Command::new("chmod")
        .args(["-R", "u+w"])
        .arg(dir.path())
        .status();
    log.lock().unwrap().clear();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    format!(
        "example.com/hello v1.0.0 {}\nexample.com/hello v1.0.0/go.mod {}\n",
        json["Sum"].as_str().unwrap(),
        json["GoModSum"].as_str().unwrap()
    )
}

/// The go command's error: the JSON's `Error`, else what it printed on failure.
fn go_error(stdout: &[u8], stderr: &[u8], ok: bool) -> Option<String> {
    let json: Value = serde_json::from_slice(stdout).unwrap_or(Value::Null);
    json["Error"].as_str().map(str::to_owned).or_else(|| {
        (!ok).then(|| {
            let text = String::from_utf8_lossy(stderr).trim().to_owned();
            text.strip_prefix("go: ").unwrap_or(&text).to_owned()
        })
    })
}

#[test]
fn project_files_decide_like_the_go_command() {
    let Some(go) = peers::go() else { return };
    let log = Log::default();
    let proxy = TestProxy::start("A", Behaviour::Ok, &log);
    let go_sum = sums(&go, &proxy.url, &log);
    let mut disagreements = Vec::new();
    for Case(name, peer, goflags, files) in CASES {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("home")).unwrap();
        fs::create_dir_all(dir.path().join("app")).unwrap();
        for (path, content) in *files {
            let file = dir.path().join(path);
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            let content = if path.ends_with("go.sum") {
                &go_sum
            } else {
                *content
            };
            fs::write(file, content).unwrap();
        }
        let env = environment(dir.path(), &proxy.url, goflags);
        let app = dir.path().join("app");
        let args: &[&str] = match peer {
            Peer::Download => &["mod", "download", "-json", "example.com/hello"],
            Peer::Build => &["build", "./..."],
        };
        let out = Command::new(&go)
            .env_clear()
            .envs(&env)
            .current_dir(&app)
            .args(args)
            .output()
            .unwrap();
        let theirs: Vec<String> = log.lock().unwrap().drain(..).map(|l| l.path).collect();
        let their_error = go_error(&out.stdout, &out.stderr, out.status.success());
        let _ = Command::new("chmod")
            .args(["-R", "u+w"])
            .arg(dir.path())
            .status();
        let _ = fs::remove_dir_all(dir.path().join("modcache"));
        let ours = Command::new(godiag())
            .env_clear()
            .envs(&env)
            .current_dir(&app)
            .args(["--format", "json", "go", "fetch", "example.com/hello"])
            .output()
            .unwrap();
        log.lock().unwrap().clear();
        let json: Value = serde_json::from_slice(&ours.stdout).unwrap();
        let fetch = &json["go"]["fetch"];
        let our_requests: Vec<String> = fetch["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["sent"] == true)
            .filter_map(|a| {
                a["request"]
                    .as_str()?
                    .strip_prefix(&proxy.url)
                    .map(str::to_owned)
            })
            .collect();
        let our_error = fetch["outcome"]["error"].as_str().map(str::to_owned);
        let agree = match peer {
            Peer::Download => theirs == our_requests && their_error == our_error,
            Peer::Build => {
                theirs.is_empty() == our_requests.is_empty()
                    && match (&their_error, &our_error) {
                        (_, None) => their_error.is_none() || !our_requests.is_empty(),
                        (Some(go), Some(ours)) => go.ends_with(ours.as_str()),
                        (None, Some(_)) => false,
                    }
            }
        };
        if !agree {
            disagreements.push(format!(
                "{name}\n  go:     {theirs:?} {their_error:?}\n  godiag: {our_requests:?} {our_error:?}\n  resolution: {}",
                fetch["resolution"]
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} project cases disagree:\n{}",
        disagreements.len(),
        CASES.len(),
        disagreements.join("\n")
    );
}
