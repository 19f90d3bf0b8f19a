//! A go env file or a go command this user cannot use (issue #16, "Inputs checked at the
//! door"): godiag reports what the go command and the shell do with them, checked against
//! the real ones.
//!
//! The tests run as root, who reads and runs anything; `setpriv --bounding-set` drops the
//! capabilities that override file modes, so root meets a mode as any user would.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::peers::{go, godiag};

const WITHOUT_DAC: &str = "--bounding-set=-dac_override,-dac_read_search";

fn setpriv() -> Option<&'static str> {
    let present = Command::new("setpriv").arg("--version").output().is_ok();
    if !present {
        eprintln!("skipping: setpriv (util-linux) is not installed");
    }
    present.then_some("setpriv")
}

/// Runs `program args` with only `env` set and no mode-overriding capabilities.
fn run_as_a_user(program: &Path, args: &[&str], env: &[(&str, String)]) -> Output {
    Command::new("setpriv")
        .arg(WITHOUT_DAC)
        .arg(program)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(key, value)| (key, value)))
        .output()
        .unwrap()
}

fn findings(output: &Output, code: &str) -> Vec<Value> {
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["code"] == code && finding["severity"] == "warning")
        .cloned()
        .collect()
}

#[test]
fn an_unreadable_go_env_file_is_ignored_by_go_and_reported() {
    let (Some(go), Some(_)) = (go(), setpriv()) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join(".config/go/env");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "GOPROXY=https://goproxy.corp.example\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    let bin = go.parent().unwrap().to_str().unwrap().to_owned();
    let env = [
        ("HOME", home.path().to_str().unwrap().to_owned()),
        ("PATH", format!("{bin}:/usr/bin:/bin")),
        (
            "GOROOT",
            go.parent().unwrap().parent().unwrap().display().to_string(),
        ),
    ];

    let real = run_as_a_user(&go, &["env", "GOPROXY"], &env);
    assert!(
        real.status.success(),
        "{}",
        String::from_utf8_lossy(&real.stderr)
    );
    let proxy = String::from_utf8_lossy(&real.stdout);
    assert!(
        !proxy.contains("goproxy.corp.example"),
        "go read the file: {proxy}"
    );

    let output = run_as_a_user(&godiag(), &["--format", "json", "go", "env"], &env);
    let found = findings(&output, "GO019");
    assert_eq!(found.len(), 1, "{found:?}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("ignores an env file it cannot read"),
        "{message}"
    );
    assert!(
        found[0]["title"]
            .as_str()
            .unwrap()
            .contains("cannot be read")
    );
    assert!(
        found[0]["fix"]["text"]
            .as_str()
            .unwrap()
            .starts_with("chmod u+rw")
    );
}

#[test]
fn a_go_without_execute_permission_is_not_called_missing() {
    let Some(_) = setpriv() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(
        bin.join("go"),
        "#!/bin/sh\necho go version go1.0 linux/amd64\n",
    )
    .unwrap();
    std::fs::set_permissions(bin.join("go"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let env = [
        ("HOME", dir.path().to_str().unwrap().to_owned()),
        ("PATH", format!("{}:/usr/bin:/bin", bin.display())),
    ];

    // The shell, like exec.LookPath, does not find it.
    let shell = run_as_a_user(Path::new("/bin/sh"), &["-c", "command -v go"], &env);
    assert!(!shell.status.success());

    let output = run_as_a_user(&godiag(), &["--format", "json", "go", "env"], &env);
    let found = findings(&output, "GO017");
    assert_eq!(found.len(), 1, "{found:?}");
    let title = found[0]["title"].as_str().unwrap();
    assert!(
        title.ends_with("is on PATH but this user cannot execute it"),
        "{title}"
    );
    assert!(
        !found[0]["fix"]["text"]
            .as_str()
            .unwrap()
            .contains("install Go")
    );
    assert!(
        found[0]["fix"]["text"]
            .as_str()
            .unwrap()
            .contains("chmod a+rx")
    );
}
