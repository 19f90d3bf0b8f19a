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

/// Issue #16: `explain --list --format json | head` printed "error: Broken pipe" and
/// `completions bash | head` panicked. Every command stays silent and exits 0 when its
/// standard output is a pipe nobody reads; the read end is closed before godiag starts, so
/// its first write fails whatever the output's size.
#[test]
fn every_command_is_silent_on_a_closed_pipe() {
    let root = machine_with_a_typo();
    let root_arg = root.path().to_str().unwrap();
    let machine = |args: &[&'static str]| {
        let mut line = vec!["--root", root_arg];
        line.extend_from_slice(args);
        line
    };
    let lines: Vec<Vec<&str>> = vec![
        vec!["explain", "--list", "--format", "json"],
        vec!["explain", "--list"],
        vec!["explain", "DNS001"],
        vec!["explain", "DNS001", "--format", "json"],
        vec!["completions", "bash"],
        vec!["man"],
        machine(&["doctor", "-v"]),
        machine(&["--format", "json", "doctor"]),
        machine(&["--format", "sarif", "go", "env"]),
        machine(&["--format", "prometheus", "dns", "x.test"]),
        machine(&["lint", "/etc/otelcol/config.yaml"]),
    ];
    for line in lines {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = Command::new(godiag())
            .env_clear()
            .args(&line)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{line:?}: {stderr}");
        assert!(stderr.is_empty(), "{line:?}: {stderr}");
    }
}

/// Issue #16: in `explain --list` the longest slugs ran into their titles. Every slug and
/// every title starts at the same column, after at least two spaces.
#[test]
fn explain_list_columns_line_up() {
    let output = Command::new(godiag())
        .env_clear()
        .args(["explain", "--list"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let columns: Vec<(usize, usize)> = text
        .lines()
        .map(|line| {
            let mut words = line.split_whitespace();
            let code = words.next().unwrap();
            let slug = words.next().unwrap();
            let slug_at = line.find(&format!("  {slug}  ")).unwrap() + 2;
            assert!(line.starts_with(code), "{line}");
            (slug_at, slug_at + slug.len() + 2)
        })
        .collect();
    assert!(columns.len() > 100);
    let (slug_at, _) = columns[0];
    assert!(columns.iter().all(|(at, _)| *at == slug_at), "{text}");
    let title_at = text
        .lines()
        .map(|line| line[slug_at..].find(' ').unwrap() + slug_at)
        .max()
        .unwrap()
        + 2;
    for line in text.lines() {
        assert!(
            line.as_bytes()[title_at - 1] == b' ' && line.as_bytes()[title_at] != b' ',
            "{line}"
        );
    }
}

/// Issue #16: DNS002 and DNS009 propose the same hosts-line edit, and its diff was printed
/// under both. The second names the first instead, and `--fix` shows and writes it once.
#[test]
fn one_edit_proposed_by_two_findings_is_shown_once() {
    use crate::scenarios::{copy_tree, scenarios_dir};
    let root = tempfile::tempdir().unwrap();
    copy_tree(&scenarios_dir().join("_base/root"), root.path());
    copy_tree(
        &scenarios_dir().join("dns-glibc-stops-go-resolves/root"),
        root.path(),
    );
    let args = ["--no-color", "dns", "git.corp.example", "--cgo", "off"];
    let report = run(root.path(), &args);
    let text = String::from_utf8_lossy(&report.stdout);
    assert_eq!(text.matches("+++ b/etc/nsswitch.conf").count(), 1, "{text}");
    assert!(
        text.contains("edit /etc/nsswitch.conf: the same edit as DNS002 above"),
        "{text}"
    );

    let mut fixing = args.to_vec();
    fixing.extend(["--fix", "--unsafe-fixes", "--yes"]);
    let fixed = run(root.path(), &fixing);
    let stderr = String::from_utf8_lossy(&fixed.stderr);
    assert_eq!(
        stderr.matches("+++ b/etc/nsswitch.conf").count(),
        1,
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("edited /etc/nsswitch.conf").count(),
        1,
        "{stderr}"
    );
}
