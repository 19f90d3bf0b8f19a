//! Bad arguments are usage errors: exit 2 and one `error: …` line naming what is wrong, no
//! repeated cause (issue #9, "The report"); a file that cannot be read is a finding whose fix
//! is about reading it.

use std::process::{Command, Output};

use serde_json::Value;

use crate::peers::godiag;

fn run(args: &[&str]) -> Output {
    Command::new(godiag())
        .env_clear()
        .args(args)
        .output()
        .unwrap()
}

/// Asserts exit 2 and a single `error:` line that contains `says`.
fn assert_usage_error(args: &[&str], says: &str) {
    let output = run(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "{args:?} printed a report");
    let errors: Vec<_> = stderr
        .lines()
        .filter(|line| line.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{args:?}: {stderr}");
    assert!(errors[0].contains(says), "{args:?}: {stderr}");
    assert!(!stderr.contains("Caused by"), "{args:?}: {stderr}");
}

#[test]
fn malformed_host_names_are_usage_errors() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path().to_str().unwrap();
    let too_long = ["a"; 130].join(".");
    let long_label = format!("{}.example", "x".repeat(64));
    for (name, says) in [
        ("", "the host name is empty"),
        ("a..b", "label 2 is empty"),
        (".git.corp.example", "label 1 is empty"),
        ("git corp.example", "cannot hold ` `"),
        (too_long.as_str(), "at most 253"),
        (long_label.as_str(), "at most 63"),
    ] {
        assert_usage_error(&["--root", root, "dns", name], says);
    }
    // Underscores are fine for Go and glibc alike.
    let output = run(&[
        "--root",
        root,
        "--format",
        "json",
        "dns",
        "_sip._tcp.example.test",
    ]);
    assert!(output.status.code().is_some_and(|code| code < 2));
}

#[test]
fn a_malformed_module_path_is_one_usage_error() {
    assert_usage_error(
        &["go", "fetch", "Bad Path@v1"],
        "malformed module path \"Bad Path\"",
    );
}

#[test]
fn a_directory_is_not_a_lint_or_metrics_input() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("etc/otelcol")).unwrap();
    let root = root.path().to_str().unwrap();
    assert_usage_error(&["--root", root, "lint", "/etc/otelcol"], "is a directory");
    assert_usage_error(&["--root", root, "metrics", "/etc"], "is a directory");
}

#[test]
fn a_missing_lint_file_says_to_check_the_path() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path().to_str().unwrap();
    for (kind, code) in [("collector", "OTEL001"), ("sampling", "SAMP001")] {
        let output = run(&[
            "--root",
            root,
            "--format",
            "json",
            "lint",
            "--kind",
            kind,
            "/etc/missing.conf",
        ]);
        assert_eq!(output.status.code(), Some(1));
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|finding| finding["code"] == code && finding["severity"] == "error")
            .unwrap_or_else(|| panic!("no {code} error: {report}"));
        let fix = finding["fix"]["text"].as_str().unwrap();
        assert!(
            fix.starts_with("Check the path: `/etc/missing.conf` does not exist"),
            "{fix}"
        );
        assert!(!fix.contains("YAML"), "{fix}");
    }
}

/// Issue #16, "Inputs checked at the door": a URL or a module path where a host belongs, port
/// 0 and a zero deadline are refused before anything runs.
#[test]
fn urls_port_zero_and_a_zero_deadline_are_usage_errors() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path().to_str().unwrap();
    assert_usage_error(
        &["--root", root, "dns", "http://git.internal.company.com/"],
        "drop the scheme and path: `godiag dns git.internal.company.com`",
    );
    assert_usage_error(
        &["--root", root, "dns", "git.internal.company.com/team/m"],
        "`godiag dns git.internal.company.com`",
    );
    assert_usage_error(&["--root", root, "port", "0"], "port 0");
    assert_usage_error(&["--root", root, "doctor", "--port", "0"], "port 0");
    assert_usage_error(
        &["--root", root, "--deadline", "0s", "dns", "x.test"],
        "leaves no time",
    );
}
