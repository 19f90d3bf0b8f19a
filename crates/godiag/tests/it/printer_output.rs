//! What godiag writes besides the report: `-q` silences the diffs and "edited" lines of
//! `--fix` (issue #9, "One Printer"), errors are always written, and a hint follows the
//! errors that have one.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::peers::godiag;

const TYPO: &str = "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: localhost:4317\n\
                    exporters:\n  otlphttp/backend:\n    endpoint: https://otlp.example.com\n\
                    service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      \
                    exporters: [otlphttp/backnd]\n";

fn run(root: &Path, args: &[&str]) -> Output {
    Command::new(godiag())
        .env_clear()
        .arg("--root")
        .arg(root)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn machine_with_a_typo() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    fs::create_dir_all(root.path().join("etc/otelcol")).unwrap();
    fs::write(root.path().join("etc/otelcol/config.yaml"), TYPO).unwrap();
    root
}

#[test]
fn quiet_fixes_write_nothing_to_stderr() {
    let lint = ["lint", "/etc/otelcol/config.yaml", "--fix", "--yes"];
    let loud = machine_with_a_typo();
    let output = run(loud.path(), &lint);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("+      exporters: [otlphttp/backend]"),
        "{stderr}"
    );
    assert!(
        stderr.contains("edited /etc/otelcol/config.yaml (backup: "),
        "{stderr}"
    );

    let quiet = machine_with_a_typo();
    let output = run(quiet.path(), &[&["-q"][..], &lint].concat());
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    let fixed = fs::read_to_string(quiet.path().join("etc/otelcol/config.yaml")).unwrap();
    assert!(fixed.contains("[otlphttp/backend]"), "{fixed}");
}

#[test]
fn errors_are_written_under_quiet_with_their_hint() {
    let root = machine_with_a_typo();
    let output = run(
        root.path(),
        &["-q", "lint", "/etc/otelcol/config.yaml", "--fix"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: --fix needs confirmation, and standard input is not a terminal\n\n\
         hint: pass `--yes` to apply edits without a terminal to confirm on\n"
    );
    let output = Command::new(godiag())
        .args(["explain", "NOPE001"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: unknown check code `NOPE001`\n\nhint: `godiag explain --list` lists every code\n"
    );
}
