//! glibc itself loading the module: `getent` (and Python's getaddrinfo) in a private mount
//! namespace where a test nsswitch.conf is bind-mounted over /etc/nsswitch.conf and the module
//! appears in the multiarch libdir through an overlay, both only inside that namespace.
//!
//! The differential: the same names in /etc/hosts (`hosts: files`) and in the map
//! (`hosts: godiag`) must give byte-identical output, since `libnss_files` is the behaviour
//! users compare the module with.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::peers::{module_in, peer};

const HOSTS: &str = "10.1.2.3 git.corp.example\nfd00::3 git.corp.example\n\
                     10.1.2.4 git.corp.example\n192.0.2.7 Build.Corp.Example\n\
                     fd00::9 v6.corp.example\n";
const MAP: &str = "git.corp.example 10.1.2.3 fd00::3 10.1.2.4\nBuild.Corp.Example 192.0.2.7\n\
                   v6.corp.example fd00::9\n*.wild.example 10.9.0.1\n";
const NAMES: &[&str] = &[
    "git.corp.example",
    "GIT.CORP.EXAMPLE",
    "build.corp.example",
    "v6.corp.example",
    "missing.corp.example",
];

/// Where glibc's dlopen finds `libnss_NAME.so.2` without any configuration.
pub fn multiarch_libdir() -> PathBuf {
    PathBuf::from(format!("/usr/lib/{}-linux-gnu", std::env::consts::ARCH))
}

pub struct Machine {
    pub dir: tempfile::TempDir,
}

impl Machine {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("lib");
        fs::create_dir(&lib).unwrap();
        module_in(&lib);
        fs::write(dir.path().join("hosts"), HOSTS).unwrap();
        fs::write(dir.path().join("nss.map"), MAP).unwrap();
        Self { dir }
    }

    /// Runs `commands` in a new mount namespace whose hosts line is `hosts` and returns stdout.
    pub fn run(&self, unshare: &Path, hosts: &str, commands: &str) -> String {
        let t = self.dir.path();
        let nsswitch = t.join(format!("nsswitch-{}.conf", hosts.replace(' ', "-")));
        fs::write(&nsswitch, format!("hosts: {hosts}\n")).unwrap();
        let libdir = multiarch_libdir();
        let script = format!(
            "set -e\nmount --make-rprivate /\n\
             mount -t overlay overlay -o lowerdir={lib}:{libdir} {libdir}\n\
             mount --bind {nsswitch} /etc/nsswitch.conf\nmount --bind {hosts} /etc/hosts\n\
             set +e\n{commands}",
            lib = t.join("lib").display(),
            libdir = libdir.display(),
            nsswitch = nsswitch.display(),
            hosts = t.join("hosts").display(),
        );
        let output = Command::new(unshare)
            .args(["-m", "sh", "-c", &script])
            .env("GODIAG_NSS_MAP", t.join("nss.map"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "unshare: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }
}

fn peers() -> Option<(PathBuf, PathBuf)> {
    let getent = peer("GODIAG_TEST_GETENT", "getent (libc-bin)")?;
    let unshare = peer("GODIAG_TEST_UNSHARE", "unshare (util-linux)")?;
    Some((getent, unshare))
}

fn getent_commands(getent: &Path, keys: &[(&str, &str)]) -> String {
    let mut commands = String::new();
    for (database, key) in keys {
        writeln!(
            commands,
            "echo \"== {database} {key}\"; {} {database} '{key}'; echo \"rc=$?\"",
            getent.display()
        )
        .unwrap();
    }
    commands
}

#[test]
fn getent_gives_byte_identical_output_for_the_map_and_etc_hosts() {
    let Some((getent, unshare)) = peers() else {
        return;
    };
    let machine = Machine::new();
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for database in ["ahosts", "ahostsv4", "ahostsv6", "hosts"] {
        keys.extend(NAMES.iter().map(|name| (database, *name)));
    }
    // Reverse lookups of mapped addresses.
    keys.extend([
        ("hosts", "10.1.2.3"),
        ("hosts", "192.0.2.7"),
        ("hosts", "fd00::9"),
    ]);
    let mut commands = getent_commands(&getent, &keys);
    let python = "import socket\nfor name in ['git.corp.example', 'v6.corp.example']:\n    \
                  print(name, sorted(set((a[0], a[4][0]) for a in socket.getaddrinfo(name, 22))))\n";
    writeln!(commands, "python3 -c \"{python}\"").unwrap();
    let files = machine.run(&unshare, "files", &commands);
    let godiag = machine.run(&unshare, "godiag", &commands);
    assert_eq!(godiag, files);
    // The comparison means something only if the names resolved at all.
    assert!(
        files.contains("10.1.2.4        STREAM git.corp.example\n")
            || files.contains("10.1.2.3        STREAM git.corp.example\n"),
        "{files}"
    );
    assert!(
        files.contains("fd00::9         v6.corp.example\n"),
        "{files}"
    );
    assert!(
        files.contains("10.1.2.3        git.corp.example\n"),
        "{files}"
    );
    assert!(files.contains("AF_INET6: 10>, 'fd00::3'"), "{files}");
}

#[test]
fn wildcards_resolve_and_unmapped_names_fall_through_to_the_next_source() {
    let Some((getent, unshare)) = peers() else {
        return;
    };
    let machine = Machine::new();
    let commands = getent_commands(
        &getent,
        &[
            ("ahostsv4", "a.b.wild.example"),
            ("hosts", "wild.example"),
            ("hosts", "build.corp.example"),
        ],
    );
    let out = machine.run(&unshare, "godiag", &commands);
    assert!(
        out.contains("== ahostsv4 a.b.wild.example\n10.9.0.1        STREAM a.b.wild.example\n"),
        "{out}"
    );
    // The one intended difference from libnss_files, which compares names literally: a
    // trailing dot is the absolute form of the same name, as nss_dns and resolved treat it.
    let dotted = machine.run(
        &unshare,
        "godiag",
        &getent_commands(&getent, &[("hosts", "build.corp.example.")]),
    );
    assert!(
        dotted.contains("192.0.2.7       Build.Corp.Example\n"),
        "{dotted}"
    );
    assert!(out.contains("== hosts wild.example\nrc=2\n"), "{out}");
    // With the map missing the module is UNAVAIL and `files` still answers after it.
    fs::remove_file(machine.dir.path().join("nss.map")).unwrap();
    let out = machine.run(&unshare, "godiag files", &commands);
    assert!(
        out.contains("192.0.2.7       Build.Corp.Example\n"),
        "{out}"
    );
}

const GO_LOOKUP: &str = r#"package main

import (
	"fmt"
	"net"
	"os"
	"sort"
)

func main() {
	for _, name := range os.Args[1:] {
		addrs, err := net.LookupHost(name)
		sort.Strings(addrs)
		fmt.Println(name, addrs, err != nil)
	}
}
"#;

/// A cgo Go program (`CGO_ENABLED=1`), built with the real toolchain.
fn cgo_lookup(go: &Path, gcc: &Path, dir: &Path) -> PathBuf {
    let src = dir.join("golookup");
    fs::create_dir(&src).unwrap();
    fs::write(src.join("main.go"), GO_LOOKUP).unwrap();
    fs::write(src.join("go.mod"), "module golookup\n\ngo 1.21\n").unwrap();
    let out = dir.join("golookup.bin");
    let status = Command::new(go)
        .args(["build", "-o"])
        .arg(&out)
        .arg(".")
        .current_dir(&src)
        .env("CGO_ENABLED", "1")
        .env("CC", gcc)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .env(
            "GOCACHE",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-build"),
        )
        .status()
        .unwrap();
    assert!(status.success(), "go build (cgo)");
    out
}

#[test]
fn a_cgo_go_program_resolves_through_the_module_as_through_etc_hosts() {
    let (Some((_, unshare)), Some(go), Some(gcc)) = (
        peers(),
        peer("GODIAG_TEST_GO", "the Go toolchain"),
        peer("GODIAG_TEST_GCC", "gcc"),
    ) else {
        return;
    };
    let machine = Machine::new();
    let program = cgo_lookup(&go, &gcc, machine.dir.path());
    let names = "git.corp.example v6.corp.example missing.corp.example";
    // Forced onto glibc, so both runs go through NSS.
    let forced = format!("GODEBUG=netdns=cgo {} {names}", program.display());
    let files = machine.run(&unshare, "files", &forced);
    let godiag = machine.run(&unshare, "godiag", &forced);
    assert_eq!(godiag, files);
    assert!(
        files.contains("git.corp.example [10.1.2.3 10.1.2.4 fd00::3] false\n"),
        "{files}"
    );
    // Unforced: an unknown source on the hosts line makes Go pick the C library by itself.
    let chosen = machine.run(
        &unshare,
        "godiag",
        &format!(
            "GODEBUG=netdns=2 {} git.corp.example 2>&1",
            program.display()
        ),
    );
    assert!(
        chosen.contains("git.corp.example [10.1.2.3 10.1.2.4 fd00::3] false"),
        "{chosen}"
    );
    assert!(chosen.contains("cgo"), "{chosen}");
}
