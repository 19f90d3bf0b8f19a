//! docs/godiag.1 is generated from the CLI definition (`godiag man`) and committed; this
//! test fails when it is stale. Run with `GODIAG_UPDATE_DOCS=1` to rewrite it after changing
//! the CLI.

use std::path::Path;
use std::process::Command;

use crate::peers::godiag;

#[test]
fn the_committed_man_page_is_current() {
    let output = Command::new(godiag()).arg("man").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let generated = String::from_utf8(output.stdout).unwrap();
    assert!(generated.contains(".TH godiag 1"), "{generated}");
    // The page is the CLI's: its options and every command.
    for wanted in [
        "\\-\\-root",
        "\\-\\-deadline",
        "godiag\\-dns(1)",
        "godiag\\-lint(1)",
    ] {
        assert!(generated.contains(wanted), "no {wanted} in {generated}");
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/godiag.1");
    if std::env::var("GODIAG_UPDATE_DOCS").is_ok() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/godiag.1 is out of date; run GODIAG_UPDATE_DOCS=1 cargo test -p godiag --test it man_page"
    );
}
