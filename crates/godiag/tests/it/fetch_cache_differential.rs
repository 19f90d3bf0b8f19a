//! godiag's reading of the module cache against the real go command.
//!
//! For each state (a complete entry, a zip without `.ziphash`, an edited zip, a `.partial`
//! file, ...), `go mod download -json` first fills an empty cache from a test proxy on
//! 127.0.0.1, the state is made, and the cache is copied. Then the go command runs on the
//! cache and the proxy logs what it asks; the copy is put back and `godiag go fetch` runs.
//! Both must agree on the requests (none when the cache serves the version), on success,
//! and on the error text; godiag's hash of a cached zip must equal the go command's
//! `.ziphash`. GOPROXY is the test proxy only and GOSUMDB is off: nothing leaves loopback.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::peers::{self, godiag};
use crate::testproxy::{Behaviour, Log, Logged, TestProxy};

/// A state: name, version, and what to do to a freshly filled cache.
struct State(&'static str, &'static str, fn(&Path, &Path));

const V1: &str = "v1.0.0";
const V11: &str = "v1.1.0";

fn file(download: &Path, version: &str, suffix: &str) -> std::path::PathBuf {
    download.join(format!("{version}.{suffix}"))
}

fn extracted(cache: &Path, version: &str) -> std::path::PathBuf {
    cache.join(format!("example.com/hello@{version}"))
}

const STATES: &[State] = &[
    State("complete", V1, |_, _| {}),
    State("complete, deflated zip", V11, |_, _| {}),
    State("zip without ziphash", V1, |d, _| {
        fs::remove_file(file(d, V1, "ziphash")).unwrap();
    }),
    State("unreadable zip without ziphash", V1, |d, _| {
        fs::remove_file(file(d, V1, "ziphash")).unwrap();
        fs::write(file(d, V1, "zip"), "garbage\n").unwrap();
    }),
    State("malformed ziphash", V1, |d, _| {
        fs::write(file(d, V1, "ziphash"), "nonsense").unwrap();
    }),
    State("malformed ziphash, unreadable zip", V1, |d, _| {
        fs::write(file(d, V1, "ziphash"), "nonsense").unwrap();
        fs::write(file(d, V1, "zip"), "garbage\n").unwrap();
    }),
    State("ziphash of other content", V1, |d, _| {
        fs::write(
            file(d, V1, "ziphash"),
            "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )
        .unwrap();
    }),
    State("ziphash not h1", V1, |d, _| {
        fs::write(
            file(d, V1, "ziphash"),
            "h2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )
        .unwrap();
    }),
    State("partial extraction", V11, |d, _| {
        fs::write(file(d, V11, "partial"), "").unwrap();
    }),
    State("unreadable zip, tree missing", V1, |d, c| {
        fs::write(file(d, V1, "zip"), "garbage\n").unwrap();
        fs::remove_dir_all(extracted(c, V1)).unwrap();
    }),
    State("unreadable zip, tree present", V1, |d, _| {
        fs::write(file(d, V1, "zip"), "garbage\n").unwrap();
    }),
    State("zip missing", V11, |d, _| {
        fs::remove_file(file(d, V11, "zip")).unwrap();
    }),
    State("only the info file", V1, |d, c| {
        for suffix in ["mod", "zip", "ziphash"] {
            fs::remove_file(file(d, V1, suffix)).unwrap();
        }
        fs::remove_dir_all(extracted(c, V1)).unwrap();
    }),
    State("tree missing", V1, |_, c| {
        fs::remove_dir_all(extracted(c, V1)).unwrap();
    }),
];

/// Makes a tree writable again (the go command leaves extracted trees read-only).
fn writable(path: &Path) {
    let _ = Command::new("chmod").args(["-R", "u+w"]).arg(path).status();
}

fn copy(from: &Path, to: &Path) {
    writable(from);
    if to.exists() {
        writable(to);
        fs::remove_dir_all(to).unwrap();
    }
    let status = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

/// What one side did: requests, and `None` on success or the error text.
type Side = (Vec<Logged>, Option<String>);

fn run_go(go: &Path, env: &BTreeMap<String, String>, arg: &str, log: &Log) -> Side {
    let out = Command::new(go)
        .env_clear()
        .envs(env)
        .args(["mod", "download", "-json", arg])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    // `base.Fatalf` exits before the JSON is printed: the error is stderr's last line.
    let error = json["Error"].as_str().map(str::to_owned).or_else(|| {
        (!out.status.success()).then(|| {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr.lines().rev().find(|line| !line.trim().is_empty());
            let last = last.unwrap_or_default();
            last.strip_prefix("go: ").unwrap_or(last).to_owned()
        })
    });
    (std::mem::take(&mut *log.lock().unwrap()), error)
}

fn run_godiag(env: &BTreeMap<String, String>, arg: &str, log: &Log) -> (Side, Value) {
    let out = Command::new(godiag())
        .env_clear()
        .envs(env)
        .args(["--format", "json", "go", "fetch", arg])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fetch = json["go"]["fetch"].clone();
    let error = fetch["outcome"]["error"].as_str().map(str::to_owned);
    ((std::mem::take(&mut *log.lock().unwrap()), error), fetch)
}

#[test]
fn module_cache_states_match_the_go_command() {
    let Some(go) = peers::go() else { return };
    let log = Log::default();
    let proxy = TestProxy::start("A", Behaviour::Ok, &log);
    let mut disagreements = Vec::new();
    for State(name, version, make) in STATES {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("modcache");
        let saved = dir.path().join("saved");
        fs::create_dir_all(dir.path().join("home")).unwrap();
        let env: BTreeMap<String, String> = [
            ("HOME", dir.path().join("home").display().to_string()),
            ("PATH", "/usr/bin:/bin".to_owned()),
            ("GOMODCACHE", cache.display().to_string()),
            ("GOCACHE", dir.path().join("gocache").display().to_string()),
            ("GOENV", "off".to_owned()),
            ("GOTOOLCHAIN", "local".to_owned()),
            ("GOFLAGS", "-mod=mod".to_owned()),
            ("GOSUMDB", "off".to_owned()),
            ("GOPROXY", proxy.url.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let arg = format!("example.com/hello@{version}");
        let (_, filled) = run_go(&go, &env, &arg, &log);
        assert_eq!(filled, None, "{name}: filling the cache failed");
        let download = cache.join("cache/download/example.com/hello/@v");
        writable(&cache);
        let recorded_hash = fs::read_to_string(file(&download, version, "ziphash")).unwrap();
        make(&download, &cache);
        copy(&cache, &saved);
        let theirs = run_go(&go, &env, &arg, &log);
        copy(&saved, &cache);
        let (ours, report) = run_godiag(&env, &arg, &log);
        writable(dir.path());
        if *name == "complete" || name.starts_with("complete,") {
            assert_eq!(
                report["module_cache"]["zip_hash"].as_str(),
                Some(recorded_hash.trim()),
                "{name}: godiag's h1: hash of the cached zip"
            );
        }
        if theirs != ours {
            disagreements.push(format!(
                "{name}\n  go:     {theirs:?}\n  godiag: {ours:?}\n  attempts: {}",
                serde_json::to_string_pretty(&report["attempts"]).unwrap()
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} cache states disagree:\n{}",
        disagreements.len(),
        STATES.len(),
        disagreements.join("\n")
    );
}
