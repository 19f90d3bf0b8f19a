//! docs/checks/README.md lists every code the binary knows, generated from the registry.
//! Run with `GODIAG_UPDATE_DOCS=1` to rewrite the table after adding a check.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::peers::godiag;

const TABLE_START: &str = "| Code | Slug | Severity | Title | Page |\n|---|---|---|---|---|\n";

#[test]
fn docs_index_lists_every_code() {
    let output = Command::new(godiag())
        .args(["explain", "--list", "--format", "json"])
        .output()
        .unwrap();
    let codes: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let mut table = String::from(TABLE_START);
    for code in &codes {
        let (id, title) = (
            code["code"].as_str().unwrap(),
            code["title"].as_str().unwrap(),
        );
        writeln!(
            table,
            "| {id} | {} | {} | {} | [{id}]({id}.md) |",
            code["slug"].as_str().unwrap(),
            code["severity"].as_str().unwrap(),
            title.replace('|', "\\\\|")
        )
        .unwrap();
        let page = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../docs/checks/{id}.md"));
        assert!(page.exists(), "{id} has no page at {}", page.display());
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/checks/README.md");
    let readme = fs::read_to_string(&path).unwrap();
    let start = readme.find(TABLE_START).expect("the index table header");
    let end = readme[start..]
        .find("\n\n")
        .map_or(readme.len(), |at| start + at + 1);
    let current = &readme[start..end];
    if current != table {
        if std::env::var("GODIAG_UPDATE_DOCS").is_ok() {
            fs::write(
                &path,
                format!("{}{table}{}", &readme[..start], &readme[end..]),
            )
            .unwrap();
        } else {
            panic!(
                "docs/checks/README.md is out of date; run GODIAG_UPDATE_DOCS=1 cargo test -p godiag --test it docs_index"
            );
        }
    }
}
