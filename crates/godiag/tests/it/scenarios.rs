//! Scenario tests: each `tests/scenarios/NAME/` is a recorded machine. The runner lays
//! `_base/root` and then `NAME/root` into a temporary root, adds a stand-in go toolchain
//! (unless `NAME/nogo` exists), runs the real binary with `--root`, and checks:
//! - every line of `NAME/expect` (`CODE severity`) is among the findings, and no error or
//!   warning appears that `expect` does not name;
//! - the JSON report matches its insta snapshot (unless `NAME/nosnapshot` exists);
//! - no line of `NAME/forbid` (secrets) appears in any output format;
//! - with `NAME/after-fix`, `--fix --yes` was run (with `--unsafe-fixes` too when
//!   `NAME/unsafe-fixes` exists) and the file named on its first line holds the rest of
//!   `after-fix`.
//!
//! The machine's network answers from `NAME/root/.godiag/net/` (godiag-core's recorded
//! network), as every `--root` run's does: a scenario sends no traffic.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::fixture_go::fake_go_binary;
use crate::peers::godiag;

pub(crate) fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

pub(crate) fn copy_tree(from: &Path, to: &Path) {
    if !from.exists() {
        return;
    }
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn read_env(path: &Path) -> BTreeMap<String, String> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
        .collect()
}

struct Run {
    json: Value,
    root: tempfile::TempDir,
}

fn run_scenario(name: &str) -> Run {
    let dir = scenarios_dir().join(name);
    let root = tempfile::tempdir().unwrap();
    copy_tree(&scenarios_dir().join("_base/root"), root.path());
    copy_tree(&dir.join("root"), root.path());
    if !dir.join("nogo").exists() {
        let go = root.path().join("usr/local/go/bin/go");
        fs::create_dir_all(go.parent().unwrap()).unwrap();
        fs::write(&go, fake_go_binary()).unwrap();
        fs::set_permissions(&go, fs::Permissions::from_mode(0o755)).unwrap();
        fs::create_dir_all(root.path().join("usr/local/go/pkg/tool/linux_amd64")).unwrap();
    }
    let mut env = read_env(&scenarios_dir().join("_base/env"));
    env.extend(read_env(&dir.join("env")));
    let env_file = root.path().join(".godiag/env");
    fs::create_dir_all(env_file.parent().unwrap()).unwrap();
    let env_text: String = env.iter().fold(String::new(), |mut text, (k, v)| {
        writeln!(text, "{k}={v}").unwrap();
        text
    });
    fs::write(&env_file, env_text).unwrap();

    let args = fs::read_to_string(dir.join("args")).unwrap_or_else(|_| "go env".to_owned());
    let mut command = Command::new(godiag());
    command
        .env_clear()
        .arg("--root")
        .arg(root.path())
        .arg("--env-file")
        .arg(&env_file)
        .args(["--format", "json"]);
    command.args(args.split_whitespace());
    if let Ok(panic_in) = fs::read_to_string(dir.join("panic-in")) {
        command.env("GODIAG_INTERNAL__PANIC_IN", panic_in.trim());
    }
    if dir.join("after-fix").exists() {
        let fixed = Command::new(godiag())
            .env_clear()
            .arg("--root")
            .arg(root.path())
            .arg("--env-file")
            .arg(&env_file)
            .args(args.split_whitespace())
            .args(["--fix", "--yes"])
            .args(
                dir.join("unsafe-fixes")
                    .exists()
                    .then_some("--unsafe-fixes"),
            )
            .output()
            .unwrap();
        assert!(
            fixed.status.code().is_some_and(|code| code < 2),
            "{name}: --fix failed: {}",
            String::from_utf8_lossy(&fixed.stderr)
        );
    }
    let output = command.output().unwrap();
    let code = output.status.code();
    // Secrets listed in `forbid` must not appear in any output format.
    if let Ok(forbidden) = fs::read_to_string(dir.join("forbid")) {
        for format in ["human", "json", "sarif", "prometheus"] {
            let rendered = Command::new(godiag())
                .env_clear()
                .arg("--root")
                .arg(root.path())
                .arg("--env-file")
                .arg(&env_file)
                .args(["--format", format, "-v"])
                .args(args.split_whitespace())
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&rendered.stdout);
            for secret in forbidden.lines().filter(|line| !line.is_empty()) {
                assert!(
                    !text.contains(secret),
                    "{name}: {format} output shows {secret}"
                );
            }
        }
    }
    assert!(
        matches!(code, Some(0 | 1)),
        "{name}: exit {code:?}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{name}: {e}"));
    let has_error = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["severity"] == "error");
    assert_eq!(
        code == Some(1),
        has_error,
        "{name}: exit status must be 1 exactly when an error was found"
    );
    Run {
        json: normalise(json),
        root,
    }
}

/// Masks what varies between runs: durations and the version.
fn normalise(mut value: Value) -> Value {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, item) in map.iter_mut() {
                    if key == "duration_ms" && item.is_number() {
                        *item = Value::from(0);
                    } else {
                        walk(item);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    value["tool"]["version"] = Value::from("[VERSION]");
    walk(&mut value);
    value
}

fn dir_of(name: &str) -> PathBuf {
    scenarios_dir().join(name)
}

fn scenario_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(scenarios_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('_'))
        .collect();
    names.sort();
    names
}

fn expected(name: &str) -> BTreeSet<(String, String)> {
    fs::read_to_string(scenarios_dir().join(name).join("expect"))
        .unwrap_or_default()
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let mut words = line.split_whitespace();
            (
                words.next().unwrap().to_owned(),
                words.next().unwrap_or("error").to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_scenario_produces_what_it_expects() {
    let mut failures = Vec::new();
    for name in scenario_names() {
        let run = run_scenario(&name);
        let found: BTreeSet<(String, String)> = run.json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] != "ok")
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_owned(),
                    f["severity"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        for claim in crate::examined::passes_without_evidence(&run.json) {
            failures.push(format!("{name}: {claim}"));
        }
        let wanted = expected(&name);
        let problems: BTreeSet<_> = found
            .iter()
            .filter(|(_, severity)| severity == "error" || severity == "warning")
            .cloned()
            .collect();
        // A scenario racing a deadline only requires its codes; what else finishes varies.
        let exhaustive = !dir_of(&name).join("nosnapshot").exists();
        if !wanted.is_subset(&found) || (exhaustive && !problems.is_subset(&wanted)) {
            failures.push(format!("{name}: expected {wanted:?}, found {found:?}"));
        }
        let dir = scenarios_dir().join(&name);
        if let Ok(after) = fs::read_to_string(dir.join("after-fix")) {
            let (path, content) = after.split_once('\n').unwrap();
            let actual =
                fs::read_to_string(run.root.path().join(path.trim_start_matches('/'))).unwrap();
            if actual != content {
                failures.push(format!(
                    "{name}: after --fix {path} holds {actual:?}, expected {content:?}"
                ));
            }
        }
        if !dir.join("nosnapshot").exists() {
            insta::with_settings!({snapshot_suffix => name.clone(), prepend_module_to_snapshot => false}, {
                insta::assert_json_snapshot!("scenario", run.json);
            });
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_code_has_a_scenario() {
    let covered: BTreeSet<String> = scenario_names()
        .iter()
        .flat_map(|name| expected(name))
        .map(|(code, _)| code)
        .collect();
    let output = Command::new(godiag())
        .args(["explain", "--list"])
        .output()
        .unwrap();
    let missing: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .filter(|code| !covered.contains(code))
        .collect();
    assert!(missing.is_empty(), "codes without a scenario: {missing:?}");
}
