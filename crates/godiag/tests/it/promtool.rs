//! The Prometheus textfile output, checked by the real `promtool check metrics`.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::peers;

fn promtool_accepts(text: &[u8]) -> (bool, String) {
    let promtool = peers::promtool().expect("checked by the caller");
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text).unwrap();
    let output = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success() && said.trim().is_empty(), said)
}

#[test]
fn prometheus_output_passes_promtool_check_metrics() {
    if peers::promtool().is_none() {
        return;
    }
    // A report with errors, warnings and passes: the doctor run on this machine, with a
    // broken GOFLAGS and an unknown variable so every severity appears.
    let output = Command::new(peers::godiag())
        .args(["doctor", "--format", "prometheus"])
        .env("GOFLAGS", "-bogus")
        .env("GONOSUMCHECK", "1")
        .output()
        .unwrap();
    assert!(output.status.code().is_some_and(|code| code < 2));
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    assert!(text.contains("godiag_findings{code=\"GO004\""), "{text}");
    let (ok, said) = promtool_accepts(&output.stdout);
    assert!(ok, "promtool check metrics said:\n{said}\non:\n{text}");
}

#[test]
fn promtool_is_not_a_rubber_stamp() {
    if peers::promtool().is_none() {
        return;
    }
    let (ok, said) = promtool_accepts(b"# TYPE godiag_findings counter\ngodiag_findings 1\n");
    assert!(
        !ok,
        "promtool should object to a counter without _total: {said}"
    );
}
