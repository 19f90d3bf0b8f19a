//! A ✔ means "godiag looked, and it is fine": on a machine with nothing to look at, every
//! check is skipped (with its reason) or reports a problem, never `ok`. Each command runs
//! on an empty `--root` (a fresh directory, an empty env file); a check may pass there only
//! if [`ALLOWED_OK`] says what it examined even so.
//!
//! Regression tests for issue #9 ("Foundation v2"):
//! `godiag port 8080` with nothing listening printed "✔ NET009 The server answers plain
//! HTTP" and "✔ NET014 WSL relays the server to Windows 127.0.0.1" off WSL, and `godiag
//! lint` on a missing file printed "fix: Correct the YAML at the position shown" and
//! nineteen ✔.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::peers::godiag;

/// `(command, code, what the check examined on an empty machine)`: the only passes allowed.
const ALLOWED_OK: &[(&str, &str, &str)] = &[
    (
        "dns",
        "DNS005",
        "glibc's built-in hosts line against the order Go picks: both ask only files and dns",
    ),
    (
        "dns",
        "DNS008",
        "the name itself, which Go's resolver would query as given",
    ),
];

/// Runs `godiag --format json ARGS` on `root` with an empty env file.
fn report(root: &Path, args: &[&str]) -> Value {
    let env_file = root.join(".godiag-env");
    fs::write(&env_file, "").unwrap();
    let output = Command::new(godiag())
        .env_clear()
        .arg("--root")
        .arg(root)
        .arg("--env-file")
        .arg(&env_file)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "godiag {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn findings(report: &Value) -> &[Value] {
    report["findings"].as_array().unwrap()
}

fn finding<'a>(report: &'a Value, code: &str) -> &'a Value {
    findings(report)
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} finding"))
}

/// Fails on every `ok` finding of `command` that [`ALLOWED_OK`] does not list, and on a
/// skipped finding without its reason.
fn assert_nothing_claimed(command: &str, report: &Value) {
    assert_nothing_claimed_in(command, report, |_| true);
}

/// [`assert_nothing_claimed`] for the findings `select` picks (one domain of `doctor`).
fn assert_nothing_claimed_in(command: &str, report: &Value, select: impl Fn(&Value) -> bool) {
    let mut claimed = Vec::new();
    for finding in findings(report).iter().filter(|f| select(f)) {
        let code = finding["code"].as_str().unwrap();
        match finding["severity"].as_str().unwrap() {
            "ok" if !ALLOWED_OK
                .iter()
                .any(|(c, allowed, _)| *c == command && *allowed == code) =>
            {
                claimed.push(format!("{code} {}", finding["title"]));
            }
            "skipped" => assert!(
                finding["skip_reason"]
                    .as_str()
                    .is_some_and(|r| !r.is_empty()),
                "{command}: {code} is skipped without a reason"
            ),
            _ => {}
        }
    }
    assert!(
        claimed.is_empty(),
        "`godiag {command}` passes checks that examined nothing: {claimed:#?}"
    );
}

#[test]
fn port_on_an_empty_root_claims_nothing() {
    let root = tempfile::tempdir().unwrap();
    let report = report(root.path(), &["port", "8080"]);
    assert_nothing_claimed("port", &report);
    // Without a socket table there is no "nothing listens" either.
    assert_eq!(finding(&report, "NET001")["severity"], "skipped");
}

#[test]
fn doctor_port_on_an_empty_root_claims_nothing_about_reachability() {
    let root = tempfile::tempdir().unwrap();
    let report = report(root.path(), &["doctor", "--port", "8080"]);
    assert!(
        findings(&report).iter().any(|f| f["domain"] == "net"),
        "doctor --port 8080 ran no reachability check"
    );
    assert_nothing_claimed_in("doctor --port", &report, |f| f["domain"] == "net");
}

#[test]
fn port_with_nothing_listening_off_wsl_skips_what_needs_a_server() {
    let root = tempfile::tempdir().unwrap();
    let proc_net = root.path().join("proc/net");
    fs::create_dir_all(&proc_net).unwrap();
    fs::write(
        proc_net.join("tcp"),
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n",
    )
    .unwrap();
    let report = report(root.path(), &["port", "8080"]);
    assert_eq!(finding(&report, "NET001")["severity"], "error");
    let net009 = finding(&report, "NET009");
    assert_eq!(net009["severity"], "skipped");
    assert_eq!(net009["skip_reason"], "nothing listens on port 8080");
    let net014 = finding(&report, "NET014");
    assert_eq!(net014["severity"], "skipped");
    assert_eq!(net014["skip_reason"], "this is not WSL");
    assert_nothing_claimed("port", &report);
}

#[test]
fn lint_of_a_missing_file_says_to_check_the_path_and_claims_nothing() {
    let root = tempfile::tempdir().unwrap();
    let report = report(root.path(), &["lint", "/etc/otelcol/config.yaml"]);
    let otel001 = finding(&report, "OTEL001");
    assert_eq!(otel001["severity"], "error");
    let fix = otel001["fix"]["text"].as_str().unwrap();
    assert!(fix.contains("Check the path"), "{fix}");
    assert!(
        !fix.contains("YAML"),
        "a missing file is not a YAML error: {fix}"
    );
    for other in findings(&report).iter().filter(|f| f["code"] != "OTEL001") {
        assert_eq!(
            other["skip_reason"], "the file could not be read",
            "{other}"
        );
    }
    assert_nothing_claimed("lint", &report);
}

#[test]
fn lint_of_an_empty_file_claims_nothing() {
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("config.yaml"), "").unwrap();
    let report = report(root.path(), &["lint", "/config.yaml"]);
    assert_eq!(finding(&report, "OTEL001")["severity"], "error");
    assert_nothing_claimed("lint", &report);
}

#[test]
fn sampling_lint_of_a_missing_or_empty_file_claims_nothing() {
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("empty.json"), "").unwrap();
    for path in ["/sampling.json", "/empty.json"] {
        let report = report(root.path(), &["lint", "--kind", "sampling", path]);
        let samp001 = finding(&report, "SAMP001");
        assert_eq!(samp001["severity"], "error", "{path}");
        assert_nothing_claimed("lint --kind sampling", &report);
    }
    let missing = report(
        root.path(),
        &["lint", "--kind", "sampling", "/sampling.json"],
    );
    let fix = finding(&missing, "SAMP001")["fix"]["text"]
        .as_str()
        .unwrap();
    assert!(fix.contains("Check the path"), "{fix}");
}

/// `godiag dns ''` printed "✔ DNS010 The name resolves" and exited 0; on a machine with
/// nothing to read and no network to ask, no resolution path can say the name resolves.
#[test]
fn dns_on_an_empty_root_claims_nothing() {
    let root = tempfile::tempdir().unwrap();
    let report = report(root.path(), &["dns", "git.corp.example"]);
    assert_nothing_claimed("dns", &report);
    for code in ["DNS009", "DNS010", "DNS011"] {
        let finding = finding(&report, code);
        assert_eq!(finding["severity"], "skipped", "{code}: {finding}");
    }
}

/// With nothing to read, the walk stops before its first request: none of the checks that
/// judge requests, the module cache, the project, git or the checksum database may pass.
#[test]
fn go_fetch_on_an_empty_root_claims_nothing() {
    let root = tempfile::tempdir().unwrap();
    let report = report(root.path(), &["go", "fetch", "golang.org/x/text@v0.14.0"]);
    assert_nothing_claimed("go fetch", &report);
    assert_eq!(finding(&report, "GO029")["severity"], "skipped");
}

/// Issue #16, "Inputs checked at the door": `--root DIR doctor` without `--env-file` has no
/// environment to judge, so it says so instead of reporting GO006/GO007 errors about a
/// missing HOME. With an env file that sets HOME the checks run as before.
#[test]
fn a_root_without_env_file_says_the_environment_is_unknown() {
    let root = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(godiag())
            .env_clear()
            .arg("--root")
            .arg(root.path())
            .args(args)
            .output()
            .unwrap()
    };
    let output = run(&["--format", "json", "doctor"]);
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let go: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["domain"] == "go")
        .collect();
    assert!(!go.is_empty());
    for finding in go {
        assert_eq!(finding["severity"], "skipped", "{finding}");
        let reason = finding["skip_reason"].as_str().unwrap();
        assert!(reason.contains("give it with --env-file"), "{reason}");
    }

    let human = run(&["doctor"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.lines().any(|line| line.starts_with("– Go environment")
            && line.contains("environment of the machine under --root is unknown")),
        "{text}"
    );
    assert!(!text.contains("GO006") && !text.contains("GO007"), "{text}");

    let env_file = root.path().join(".godiag-env");
    fs::write(&env_file, "HOME=/home/dev\nPATH=/usr/bin:/bin\n").unwrap();
    let known = run(&[
        "--env-file",
        env_file.to_str().unwrap(),
        "--format",
        "json",
        "go",
        "env",
    ]);
    let report: Value = serde_json::from_slice(&known.stdout).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|finding| finding["code"] == "GO017" && finding["severity"] == "warning"),
        "{report}"
    );
}
