//! Which build of a program `godiag dns` predicts for: the binary hands the Go environment's
//! `CGO_ENABLED` to the name-resolution domain, which no longer computes `go env` itself.

use std::fs;
use std::process::Command;

use serde_json::Value;

use crate::peers::godiag;

/// `.dns.program` of `godiag dns localhost` on an empty machine whose environment is `env`.
fn program(env: &str, extra: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    fs::create_dir(&root).unwrap();
    let env_file = dir.path().join("env");
    fs::write(&env_file, env).unwrap();
    let output = Command::new(godiag())
        .arg("--root")
        .arg(&root)
        .arg("--env-file")
        .arg(&env_file)
        .args(["--format", "json", "dns", "localhost"])
        .args(extra)
        .env_clear()
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "{error}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    report["dns"]["program"].clone()
}

#[test]
fn a_program_built_here_gets_the_go_environments_cgo_enabled() {
    // No go command on this machine: CGO_ENABLED comes from the environment, as go env
    // would take it.
    for (value, cgo) in [("1", true), ("0", false)] {
        let program = program(&format!("CGO_ENABLED={value}\n"), &[]);
        assert_eq!(program["cgo"], cgo, "{program}");
        assert_eq!(
            program["source"],
            format!("go env CGO_ENABLED={value} (the default for programs built here)"),
        );
    }
    // --cgo wins over the environment.
    let program = program("CGO_ENABLED=1\n", &["--cgo", "off"]);
    assert_eq!(program["cgo"], false, "{program}");
    assert_eq!(program["source"], "--cgo off");
}
