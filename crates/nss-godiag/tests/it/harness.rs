//! The C harness (tests/harness.c), built with gcc and run plain and under valgrind.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::peers::{module_in, peer};

fn build(gcc: &Path, dir: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/harness.c");
    let out = dir.join("harness");
    let status = Command::new(gcc)
        .args(["-Wall", "-Wextra", "-Werror", "-O1", "-g", "-pthread", "-o"])
        .arg(&out)
        .arg(&source)
        .arg("-ldl")
        .status()
        .unwrap();
    assert!(status.success(), "gcc {}", source.display());
    out
}

fn run(mut command: Command) -> String {
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{command:?} exited {:?}\nstdout: {stdout}\nstderr: {stderr}",
        output.status.code()
    );
    stdout
}

#[test]
fn every_buffer_size_name_and_thread_gets_glibcs_contract() {
    let Some(gcc) = peer("GODIAG_TEST_GCC", "gcc") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let harness = build(&gcc, dir.path());
    let mut command = Command::new(&harness);
    command
        .arg(module_in(dir.path()))
        .arg(dir.path().join("nss.map"));
    let stdout = run(command);
    assert!(stdout.ends_with(", 0 failures\n"), "{stdout}");
    let checks: u64 = stdout.split(' ').next().unwrap().parse().unwrap();
    assert!(checks > 100_000, "{stdout}");
}

#[test]
fn valgrind_finds_no_errors_in_the_harness() {
    let (Some(gcc), Some(valgrind)) = (
        peer("GODIAG_TEST_GCC", "gcc"),
        peer("GODIAG_TEST_VALGRIND", "valgrind"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let harness = build(&gcc, dir.path());
    let mut command = Command::new(valgrind);
    // Leaks count only when definite: the cached map is meant to stay reachable.
    command
        .args([
            "-q",
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite",
        ])
        .arg(&harness)
        .arg(module_in(dir.path()))
        .arg(dir.path().join("nss.map"))
        .arg("quick");
    let stdout = run(command);
    assert!(stdout.ends_with(", 0 failures\n"), "{stdout}");
}
