//! The crate graph issue #9 asks for: the name-resolution and reachability domains use the go
//! command's rules from godiag-go, not the Go environment domain (with its HTTP and TLS
//! stack), and godiag-go itself stays free of that stack.
//!
//! The graph is `cargo tree`'s, so the test means what the criterion says; `--offline`
//! keeps it to the lock file and the sources already on this machine.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Every package in `cargo tree -p PACKAGE` (its own dev-dependencies included, as
/// `cargo tree` shows them), with the subtrees of `prune` left out.
fn tree(package: &str, prune: &[&str]) -> BTreeSet<String> {
    tree_with(package, prune, &[])
}

/// [`tree`] with more of `cargo tree`'s options (features, edge kinds).
fn tree_with(package: &str, prune: &[&str], options: &[&str]) -> BTreeSet<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let mut command = Command::new(cargo);
    command
        .args(["tree", "--offline", "--prefix", "none", "--format", "{p}"])
        .arg("--manifest-path")
        .arg(&manifest)
        .args(["-p", package])
        .args(options);
    for pruned in prune {
        command.args(["--prune", pruned]);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "cargo tree -p {package} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let names: BTreeSet<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    // A tree without the package itself means the output was not what this test reads.
    assert!(
        names.contains(package),
        "{package} missing from its own tree"
    );
    names
}

fn offending<'a>(names: &BTreeSet<String>, banned: &[&'a str]) -> Vec<&'a str> {
    banned
        .iter()
        .copied()
        .filter(|banned| names.contains(*banned))
        .collect()
}

#[test]
fn dns_and_net_do_not_depend_on_the_go_environment_domain() {
    for package in ["godiag-dns", "godiag-net", "godiag-go"] {
        let names = tree(package, &[]);
        assert_eq!(
            offending(&names, &["godiag-goenv"]),
            Vec::<&str>::new(),
            "cargo tree -p {package}"
        );
        assert!(
            names.contains("godiag-go"),
            "{package} should use godiag-go"
        );
    }
}

#[test]
fn godiag_go_has_no_http_or_tls_stack() {
    // What godiag-core's network seam needs is core's business; godiag-go must not add any.
    let names = tree("godiag-go", &["godiag-core"]);
    assert_eq!(
        offending(
            &names,
            &["ureq", "rustls", "hyper", "reqwest", "native-tls"]
        ),
        Vec::<&str>::new(),
        "cargo tree -p godiag-go --prune godiag-core"
    );
}

#[test]
fn godiag_core_without_its_http_feature_has_no_tls_stack() {
    // What a crate that must not carry TLS (the NSS module) gets from godiag-core.
    let names = tree_with(
        "godiag-core",
        &[],
        &["--no-default-features", "--edges", "normal"],
    );
    assert_eq!(
        offending(
            &names,
            &["ureq", "rustls", "webpki-roots", "hyper", "native-tls"]
        ),
        Vec::<&str>::new(),
        "cargo tree -p godiag-core --no-default-features --edges normal"
    );
    // And with it, the seam's HTTP client is there: the test above is not vacuous.
    let names = tree_with("godiag-core", &[], &["--edges", "normal"]);
    assert!(names.contains("ureq") && names.contains("rustls"));
    // The crates the NSS module will build on ask godiag-core for no HTTP either.
    for package in ["godiag-go", "godiag-dns", "godiag-net"] {
        let names = tree_with(package, &[], &["--edges", "normal"]);
        assert_eq!(
            offending(&names, &["ureq", "rustls"]),
            Vec::<&str>::new(),
            "cargo tree -p {package} --edges normal"
        );
    }
}

#[test]
fn domains_reach_http_only_through_the_network_seam() {
    // Every request goes through godiag_core::net; a domain with an HTTP client or TLS stack
    // of its own would be a second seam.
    for package in ["godiag-dns", "godiag-net", "godiag-goenv", "godiag-prom"] {
        let names = tree(package, &["godiag-core"]);
        assert_eq!(
            offending(
                &names,
                &["ureq", "rustls", "hyper", "reqwest", "native-tls"]
            ),
            Vec::<&str>::new(),
            "cargo tree -p {package} --prune godiag-core"
        );
    }
}
