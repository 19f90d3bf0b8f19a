//! `go env`, the go part of `doctor`, and `metrics` on an empty machine (a fresh `--root`, an
//! empty env file): a check reports `ok` only when it examined something that exists even
//! there, and the allow-list below says what; every other check is a problem or is skipped
//! with a reason (issue #9: "A ✔ must mean godiag looked, and it is fine").

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::peers::godiag;

/// The checks that pass on an empty machine, with what each examined there.
const EXAMINED_ON_AN_EMPTY_MACHINE: &[(&str, &str, &str)] = &[
    (
        "go env",
        "GO013",
        "the whole environment and every startup file, for variables Go does not read",
    ),
    (
        "go env",
        "GO018",
        "GOPATH, GOROOT, GOWORK and GO111MODULE as the environment leaves them, defaults included",
    ),
    (
        "metrics",
        "PROM001",
        "the input's bytes: an empty exposition is valid, as for promtool and Prometheus",
    ),
];

struct EmptyMachine {
    dir: tempfile::TempDir,
}

impl EmptyMachine {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("root")).unwrap();
        std::fs::write(dir.path().join("env"), "").unwrap();
        Self { dir }
    }

    /// Runs godiag with `args` (and `stdin`), returning the exit status, the JSON report
    /// (`Null` when none was printed) and standard error.
    fn run(&self, args: &[&str], stdin: &[u8]) -> (Option<i32>, Value, String) {
        let mut child = Command::new(godiag())
            .env_clear()
            .arg("--root")
            .arg(self.dir.path().join("root"))
            .arg("--env-file")
            .arg(self.dir.path().join("env"))
            .args(["--format", "json"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let output = child.wait_with_output().unwrap();
        let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (output.status.code(), report, stderr)
    }

    fn root_file(&self, path: &str, content: &str) {
        std::fs::write(self.dir.path().join("root").join(path), content).unwrap();
    }
}

/// The findings of `domain`.
fn findings<'a>(report: &'a Value, domain: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no report: {report}"))
        .iter()
        .filter(|finding| finding["domain"] == domain)
        .collect()
}

/// Fails for every passed finding the allow-list does not give for `command`, and for every
/// skipped one without a reason.
fn assert_passed_only_what_was_examined(command: &str, findings: &[&Value]) {
    let unexplained: Vec<String> = findings
        .iter()
        .filter(|finding| finding["severity"] == "ok")
        .map(|finding| finding["code"].as_str().unwrap().to_owned())
        .filter(|code| {
            !EXAMINED_ON_AN_EMPTY_MACHINE
                .iter()
                .any(|(allowed, allowed_code, _)| *allowed == command && allowed_code == code)
        })
        .collect();
    assert!(
        unexplained.is_empty(),
        "`{command}` passed checks that had nothing to examine: {unexplained:?}"
    );
    for finding in findings.iter().filter(|f| f["severity"] == "skipped") {
        let reason = finding["skip_reason"].as_str().unwrap_or_default();
        assert!(!reason.is_empty(), "skipped without a reason: {finding}");
    }
}

fn skip_reason<'a>(findings: &[&'a Value], code: &str) -> &'a str {
    let finding = findings
        .iter()
        .find(|finding| finding["code"] == code)
        .unwrap_or_else(|| panic!("no {code} finding"));
    assert_eq!(finding["severity"], "skipped", "{finding}");
    finding["skip_reason"].as_str().unwrap()
}

#[test]
fn go_env_on_an_empty_machine_passes_only_what_it_examined() {
    let machine = EmptyMachine::new();
    let (code, report, stderr) = machine.run(&["go", "env"], b"");
    assert!(matches!(code, Some(0 | 1)), "exit {code:?}: {stderr}");
    let go = findings(&report, "go");
    assert_eq!(go.len(), 19, "one finding per GO001–GO019 check");
    assert_passed_only_what_was_examined("go env", &go);
    assert_eq!(skip_reason(&go, "GO016"), "no go command");
    assert_eq!(
        skip_reason(&go, "GO002"),
        "no startup file sets a Go variable"
    );
    assert!(skip_reason(&go, "GO001").starts_with("there is no go env file"));
    assert!(skip_reason(&go, "GO010").starts_with("GOPROXY is not known"));
}

#[test]
fn doctor_on_an_empty_machine_passes_only_what_the_go_checks_examined() {
    let machine = EmptyMachine::new();
    let (code, report, stderr) = machine.run(&["doctor", "--deadline", "5s"], b"");
    assert!(matches!(code, Some(0 | 1)), "exit {code:?}: {stderr}");
    let go = findings(&report, "go");
    assert!(!go.is_empty(), "doctor ran no go check: {report}");
    assert_passed_only_what_was_examined("go env", &go);
}

#[test]
fn metrics_of_an_empty_file_passes_only_that_it_parses() {
    let machine = EmptyMachine::new();
    machine.root_file("metrics.prom", "");
    let (code, report, stderr) = machine.run(&["metrics", "/metrics.prom"], b"");
    assert_eq!(code, Some(0), "{stderr}");
    let prom = findings(&report, "prom");
    assert_passed_only_what_was_examined("metrics", &prom);
    assert_eq!(
        skip_reason(&prom, "PROM002"),
        "the exposition holds no sample"
    );
    assert_eq!(
        skip_reason(&prom, "PROM120"),
        "the input is a file, not a URL"
    );
    assert_eq!(
        skip_reason(&prom, "PROM100"),
        "no --require-prefix was given"
    );
}

#[test]
fn metrics_of_empty_standard_input_passes_only_that_it_parses() {
    let machine = EmptyMachine::new();
    let (code, report, stderr) = machine.run(&["metrics", "-", "--require-prefix", "app_"], b"");
    assert_eq!(code, Some(0), "{stderr}");
    let prom = findings(&report, "prom");
    assert_passed_only_what_was_examined("metrics", &prom);
    assert_eq!(
        skip_reason(&prom, "PROM100"),
        "the exposition holds no sample"
    );
    assert_eq!(
        skip_reason(&prom, "PROM121"),
        "the input is standard input, not a URL"
    );
}

#[test]
fn metrics_of_a_file_that_does_not_exist_reports_no_check() {
    let machine = EmptyMachine::new();
    let (code, report, stderr) = machine.run(&["metrics", "/missing.prom"], b"");
    // A missing input is a usage error (exit 2): no report, so no check claims to have looked.
    assert_eq!(code, Some(2), "{report}");
    assert_eq!(report, Value::Null);
    assert!(stderr.contains("/missing.prom"), "{stderr}");
}
