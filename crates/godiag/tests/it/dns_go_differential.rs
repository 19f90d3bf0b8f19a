//! godiag's prediction of Go's resolver choice against the real Go toolchain.
//!
//! A small Go program that calls `LookupHost` (with an already cancelled context, so nothing
//! leaves the machine) is built once per run with cgo on, cgo off, `-tags netgo` and
//! `-tags netcgo`. For each of a few hundred generated combinations of nsswitch.conf,
//! resolv.conf, /etc/mdns.allow, host name and environment (`GODEBUG`, `LOCALDOMAIN`,
//! `RES_OPTIONS`, `HOSTALIASES`), the files are bind-mounted over /etc in a private mount, network
//! and UTS namespace, the programs run with `GODEBUG=netdns=...+2` and print
//! `hostLookupOrder(HOST) = ORDER` for each host name; godiag reads the same files as a
//! fixture root and must report the same `.dns.go_resolver.order` for every name (`null` where
//! Go prints nothing, for IP literals).

use std::fmt::Write as _;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use serde_json::Value;

use crate::peers::{self, godiag};

const GO_PROGRAM: &str = r#"package main

import (
	"context"
	"net"
	"os"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, host := range os.Args[1:] {
		net.DefaultResolver.LookupHost(ctx, host)
	}
}
"#;

/// The builds: name, `CGO_ENABLED`, tags, godiag flags.
const BUILDS: &[(&str, &str, &str, &[&str])] = &[
    ("cgo", "1", "", &["--cgo", "on"]),
    ("nocgo", "0", "", &["--cgo", "off"]),
    ("netgo", "1", "netgo", &["--cgo", "on", "--tags", "netgo"]),
    (
        "netcgo",
        "1",
        "netcgo",
        &["--cgo", "on", "--tags", "netcgo"],
    ),
];

const NSSWITCH: &[Option<&str>] = &[
    Some("hosts: files dns\n"),
    Some("hosts:          files dns\nnetworks:       files\n"),
    Some("hosts: dns files\n"),
    Some("hosts: files [NOTFOUND=return] dns\n"),
    Some("hosts: files [!UNAVAIL=return] dns myhostname\n"),
    Some("hosts: files mdns4_minimal [NOTFOUND=return] dns\n"),
    Some("hosts: files myhostname dns\n"),
    Some("hosts: files mdns4_minimal [NOTFOUND=return] dns myhostname\n"),
    Some("hosts: mymachines resolve [!UNAVAIL=return] files myhostname dns\n"),
    Some("hosts: files\tdns\n"),
    Some("hosts: files dns # comment\n"),
    Some("hosts: files dns#x\n"),
    Some("hosts: files\n"),
    Some("hosts: dns\n"),
    Some("hosts:\n"),
    Some(""),
    None,
    Some("hosts: files [notfound=return]\n"),
    Some("hosts: files [NOTFOUND = return] dns\n"),
    Some("hosts: files [NOTFOUND=return\n"),
    Some("passwd: files\nhosts files dns\n"),
    Some("hosts: files\nhosts: dns\n"),
    Some("hosts: files systemd dns\n"),
    Some("hosts: files dns myhostname mdns4\n"),
    Some("hosts: sss files dns\n"),
    Some(
        "hosts: dns [success=return notfound=continue unavail=continue tryagain=continue] files [notfound=return]\n",
    ),
    Some("hosts: files [] dns\n"),
    Some("hosts: files[NOTFOUND=return] dns\n"),
    Some("hosts: resolve files\n"),
    Some("hosts: dns mymachines files\n"),
    Some("# just a comment\n  hosts: files dns  \n"),
    Some("hosts: files [SUCCESS=return] dns [unavail=return]\n"),
    Some("hosts: files [!success=return] dns\n"),
    Some("hosts: mdns_minimal files dns\n"),
];

const RESOLV: &[Option<&str>] = &[
    Some("nameserver 127.0.0.1\n"),
    Some("nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch corp.example\n"),
    Some("  # indented comment\nnameserver 10.0.0.1\n"),
    Some("nameserver 10.0.0.1\noptions inet6\n"),
    Some("options ndots:abc timeout:0 attempts:9\n"),
    Some("nameserver 10.0.0.1\nsortlist 10.0.0.0\n"),
    None,
    Some("search a.example #comment\nnameserver 10.0.0.1 # c\n"),
    Some("options rotate single-request use-vc no-reload\n"),
    Some("domain corp.example\n; comment\n"),
    Some("options no-aaaa\n"),
    Some("options ndots\n"),
    Some(""),
    Some("DIR"),
    Some("lookup file bind\n"),
];

const GODEBUG: &[&str] = &[
    "netdns=2",
    "netdns=go+2",
    "netdns=2+cgo",
    "netdns=cgo+2",
    "netdns=bogus+2",
    "x=1,netdns=cgo,netdns=go+2",
    "netdns=2+go,gctrace=0",
];

const OPTIONAL: &[Option<&str>] = &[None, None, Some(""), Some("corp.example")];
const RES_OPTIONS: &[Option<&str>] = &[None, None, None, Some(""), Some("ndots:2")];
const HOSTALIASES: &[Option<&str>] = &[None, None, None, Some(""), Some("/tmp/aliases")];
const HOSTNAMES: &[&str] = &["box", "box.corp.example", "myhost"];
const POOL: &[&str] = &[
    "localhost",
    "LocalHost.",
    "x.local",
    "foo.LOCAL.",
    "_gateway",
    "_Outbound",
    "a\\b",
    "x%y",
    "plain",
    "foo.onion",
    "10.0.0.1",
    "anything.localhost",
    "git.corp.example.",
    "localhost.localdomain",
];

struct Combo {
    nsswitch: Option<&'static str>,
    resolv: Option<&'static str>,
    mdns_allow: bool,
    hostname: &'static str,
    env: Vec<(&'static str, &'static str)>,
    hosts: Vec<String>,
    builds: Vec<usize>,
}

/// Deterministic combinations: a small linear congruential generator picks from each pool.
fn combos(count: usize) -> Vec<Combo> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut pick = |len: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).unwrap() % len
    };
    (0..count)
        .map(|index| {
            let hostname = HOSTNAMES[pick(HOSTNAMES.len())];
            let mut env = vec![("GODEBUG", GODEBUG[pick(GODEBUG.len())])];
            for (name, pool) in [
                ("LOCALDOMAIN", OPTIONAL),
                ("RES_OPTIONS", RES_OPTIONS),
                ("HOSTALIASES", HOSTALIASES),
            ] {
                if let Some(value) = pool[pick(pool.len())] {
                    env.push((name, value));
                }
            }
            let mut hosts = vec!["git.corp.example".to_owned(), hostname.to_owned()];
            for _ in 0..4 {
                let host = POOL[pick(POOL.len())].to_owned();
                if !hosts.contains(&host) {
                    hosts.push(host);
                }
            }
            Combo {
                // Walk every nsswitch and resolv.conf variant in turn, the rest at random.
                nsswitch: NSSWITCH[index % NSSWITCH.len()],
                resolv: RESOLV[(index / NSSWITCH.len() + index) % RESOLV.len()],
                mdns_allow: pick(6) == 0,
                hostname,
                env,
                hosts,
                builds: if index % 4 == 0 {
                    vec![0, 1, 2, 3]
                } else {
                    vec![0, 1]
                },
            }
        })
        .collect()
}

fn build_programs(go: &Path, dir: &Path) -> Vec<PathBuf> {
    let source = dir.join("src");
    fs::create_dir_all(&source).unwrap();
    fs::write(source.join("main.go"), GO_PROGRAM).unwrap();
    fs::write(source.join("go.mod"), "module difftest\n\ngo 1.27\n").unwrap();
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("go-build-cache");
    BUILDS
        .iter()
        .map(|(name, cgo, tags, _)| {
            let out = dir.join(name);
            let mut command = Command::new(go);
            command
                .current_dir(&source)
                .env("CGO_ENABLED", cgo)
                .env("GOCACHE", &cache)
                .env("GOTOOLCHAIN", "local")
                .env("GOFLAGS", "")
                .env("GOPROXY", "off")
                .args(["build", "-o"])
                .arg(&out);
            if !tags.is_empty() {
                command.args(["-tags", tags]);
            }
            let output = command.output().unwrap();
            assert!(
                output.status.success(),
                "go build {name}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            out
        })
        .collect()
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// Lays out `root/etc` (bind-mounted over /etc for Go) and `root/proc` (read by godiag).
fn lay_out(combo: &Combo, root: &Path, ld_cache: &Path) {
    let etc = root.join("etc");
    fs::create_dir_all(&etc).unwrap();
    symlink(ld_cache, etc.join("ld.so.cache")).unwrap();
    if let Some(text) = combo.nsswitch {
        fs::write(etc.join("nsswitch.conf"), text).unwrap();
    }
    match combo.resolv {
        Some("DIR") => fs::create_dir(etc.join("resolv.conf")).unwrap(),
        Some(text) => fs::write(etc.join("resolv.conf"), text).unwrap(),
        None => {}
    }
    fs::write(etc.join("hosts"), "127.0.0.1 localhost\n").unwrap();
    if combo.mdns_allow {
        fs::write(etc.join("mdns.allow"), ".local\n").unwrap();
    }
    let kernel = root.join("proc/sys/kernel");
    fs::create_dir_all(&kernel).unwrap();
    fs::write(kernel.join("hostname"), format!("{}\n", combo.hostname)).unwrap();
    let mut env_file = String::new();
    for (name, value) in &combo.env {
        writeln!(env_file, "{name}={value}").unwrap();
    }
    fs::write(root.join("env"), env_file).unwrap();
}

/// Runs every build in one namespace; returns per build the orders Go printed.
fn run_go(combo: &Combo, root: &Path, programs: &[PathBuf]) -> Vec<Vec<(String, String)>> {
    let mut script = format!(
        "mount --bind {} /etc || exit 90\nhostname {} || exit 91\n",
        shell_quote(&root.join("etc").display().to_string()),
        combo.hostname
    );
    let mut env = String::new();
    for (name, value) in &combo.env {
        write!(env, "{name}={} ", shell_quote(value)).unwrap();
    }
    let mut hosts = String::new();
    for host in &combo.hosts {
        write!(hosts, "{} ", shell_quote(host)).unwrap();
    }
    for &build in &combo.builds {
        writeln!(
            script,
            "echo '### {build}' >&2\nenv -i {env}{} {hosts}",
            shell_quote(&programs[build].display().to_string())
        )
        .unwrap();
    }
    let output = Command::new("unshare")
        .args([
            "--mount",
            "--net",
            "--uts",
            "--propagation",
            "private",
            "sh",
            "-c",
        ])
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "namespace script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut per_build: Vec<Vec<(String, String)>> = Vec::new();
    for line in String::from_utf8_lossy(&output.stderr).lines() {
        if line.starts_with("### ") {
            per_build.push(Vec::new());
        } else if let Some(rest) = line.strip_prefix("go package net: hostLookupOrder(") {
            let (host, order) = rest.rsplit_once(") = ").unwrap();
            per_build
                .last_mut()
                .unwrap()
                .push((host.to_owned(), order.to_owned()));
        }
    }
    assert_eq!(per_build.len(), combo.builds.len());
    per_build
}

fn godiag_order(root: &Path, host: &str, flags: &[&str]) -> Option<String> {
    let output = Command::new(godiag())
        .env_clear()
        .arg("--root")
        .arg(root)
        .arg("--env-file")
        .arg(root.join("env"))
        .args(["--format", "json", "dns", host])
        .args(flags)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "godiag dns {host}: {error}: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    json["dns"]["go_resolver"]["order"]
        .as_str()
        .map(str::to_owned)
}

fn namespaces_available() -> bool {
    let ok = Command::new("unshare")
        .args(["--mount", "--net", "--uts", "true"])
        .status()
        .is_ok_and(|status| status.success());
    if !ok {
        let message = "mount/network/UTS namespaces not available (needs root and unshare)";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
        eprintln!("skipping: {message}");
    }
    ok
}

#[test]
fn go_resolver_choice_matches_real_go() {
    let Some(go) = peers::go() else {
        return;
    };
    if !namespaces_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let programs = build_programs(&go, dir.path());
    let ld_cache = dir.path().join("ld.so.cache");
    fs::copy("/etc/ld.so.cache", &ld_cache).unwrap();
    let combos = combos(240);
    let disagreements = Mutex::new(Vec::new());
    let compared = Mutex::new(0usize);
    let seen = Mutex::new(std::collections::BTreeMap::<String, usize>::new());
    let next = Mutex::new(0usize);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().unwrap();
                        *next += 1;
                        *next - 1
                    };
                    let Some(combo) = combos.get(index) else {
                        break;
                    };
                    let root = dir.path().join(format!("combo{index}"));
                    lay_out(combo, &root, &ld_cache);
                    let printed = run_go(combo, &root, &programs);
                    for (&build, orders) in combo.builds.iter().zip(&printed) {
                        for host in &combo.hosts {
                            let go_order = orders
                                .iter()
                                .find(|(printed_host, _)| printed_host == host)
                                .map(|(_, order)| order.clone());
                            let ours = godiag_order(&root, host, BUILDS[build].3);
                            *compared.lock().unwrap() += 1;
                            *seen
                                .lock()
                                .unwrap()
                                .entry(go_order.clone().unwrap_or_else(|| "(none)".into()))
                                .or_default() += 1;
                            if ours != go_order {
                                disagreements.lock().unwrap().push(format!(
                                    "combo {index} build {} host {host:?}: go {go_order:?}, godiag {ours:?}\n  nsswitch {:?}\n  resolv {:?}\n  env {:?} hostname {} mdns.allow {}",
                                    BUILDS[build].0, combo.nsswitch, combo.resolv, combo.env, combo.hostname, combo.mdns_allow
                                ));
                            }
                        }
                    }
                }
            });
        }
    });
    let disagreements = disagreements.into_inner().unwrap();
    let compared = compared.into_inner().unwrap();
    assert!(compared >= 2000, "only {compared} comparisons");
    // Every answer Go can give occurred, so the comparison exercised each of them.
    let seen = seen.into_inner().unwrap();
    for order in ["cgo", "files,dns", "dns,files", "files", "dns", "(none)"] {
        assert!(
            seen.get(order).copied().unwrap_or(0) > 0,
            "Go never answered {order}: {seen:?}"
        );
    }
    assert!(
        disagreements.is_empty(),
        "{} of {compared} disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
