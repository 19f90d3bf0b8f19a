//! godiag's resolution paths against the real resolvers, in a private mount and network
//! namespace: dnsmasq on 127.0.0.1 serves `corp.example`, 127.0.0.2 refuses, and
//! nsswitch.conf, resolv.conf and /etc/hosts are bind-mounted test files. For each name,
//! godiag's `getaddrinfo` path must equal `getent ahosts`, and its `go_pure` path must equal
//! what a real `CGO_ENABLED=0` Go program's `LookupHost` returns.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::peers::{self, godiag};

const GO_LOOKUP: &str = r#"package main

import (
	"fmt"
	"net"
	"os"
	"strings"
)

func main() {
	for _, host := range os.Args[1:] {
		addrs, err := net.LookupHost(host)
		if err != nil {
			fmt.Printf("GO %s ERR %v\n", host, err)
			continue
		}
		fmt.Printf("GO %s OK %s\n", host, strings.Join(addrs, " "))
	}
}
"#;

const NAMES: &[&str] = &[
    "git.corp.example",
    "dual.corp.example",
    "nope.corp.example",
    "git",
    "inhosts.test",
    "git.corp.example.",
];

/// Starts dnsmasq for corp.example on 127.0.0.1; prints the commands for a namespace script.
#[must_use]
pub fn dnsmasq_command(
    dnsmasq: &Path,
    listen: &str,
    pid_file: &Path,
    records: &[(&str, &str)],
) -> String {
    let mut command = format!(
        "{} --no-resolv --no-hosts --bind-interfaces --listen-address={listen} --user=root \
         --auth-zone=corp.example --auth-server=ns.corp.example --local=/corp.example/ \
         --pid-file={} --log-facility=/dev/null",
        dnsmasq.display(),
        pid_file.display()
    );
    for (name, address) in records {
        write!(command, " --host-record={name},{address}").unwrap();
    }
    command
}

#[test]
fn paths_match_getent_and_real_go() {
    let (Some(go), Some(dnsmasq)) = (peers::go(), peers::dnsmasq()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    fs::create_dir_all(t.join("src")).unwrap();
    fs::write(t.join("src/main.go"), GO_LOOKUP).unwrap();
    fs::write(t.join("src/go.mod"), "module lookup\n\ngo 1.27\n").unwrap();
    let built = Command::new(&go)
        .current_dir(t.join("src"))
        .env("CGO_ENABLED", "0")
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "")
        .env(
            "GOCACHE",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-build-cache"),
        )
        .args(["build", "-o"])
        .arg(t.join("lookup"))
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    fs::write(t.join("nsswitch.conf"), "hosts: files dns\n").unwrap();
    fs::write(
        t.join("hosts"),
        "127.0.0.1 localhost\n10.1.1.1 inhosts.test\n",
    )
    .unwrap();
    fs::write(t.join("resolv.conf"), "nameserver 127.0.0.1\nnameserver 127.0.0.2\nsearch corp.example\noptions timeout:1 attempts:1\n").unwrap();
    let mut script = String::from("ip link set lo up\n");
    writeln!(
        script,
        "{} || exit 90",
        dnsmasq_command(
            &dnsmasq,
            "127.0.0.1",
            &t.join("dnsmasq.pid"),
            &[
                ("git.corp.example", "10.8.1.5"),
                ("dual.corp.example", "10.8.1.6"),
                ("dual.corp.example", "fd00::6")
            ]
        )
    )
    .unwrap();
    for file in ["nsswitch.conf", "hosts", "resolv.conf"] {
        writeln!(
            script,
            "mount --bind {} /etc/{file} || exit 91",
            t.join(file).display()
        )
        .unwrap();
    }
    for name in NAMES {
        writeln!(
            script,
            "printf '%s\\n' \"GODIAG {name} $({} dns {name} --cgo off --format json | tr -d '\\n')\"",
            godiag().display()
        )
        .unwrap();
        writeln!(script, "echo \"GETENT {name} $(getent ahosts {name} | awk '{{print $1}}' | sort -u | tr '\\n' ' ')\"").unwrap();
    }
    writeln!(script, "{} {}", t.join("lookup").display(), NAMES.join(" ")).unwrap();
    writeln!(script, "kill $(cat {})", t.join("dnsmasq.pid").display()).unwrap();
    let output = Command::new("unshare")
        .args(["--mount", "--net", "--propagation", "private", "sh", "-c"])
        .arg(&script)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut checked = 0;
    for name in NAMES {
        let report: Value = stdout
            .lines()
            .find_map(|line| line.strip_prefix(&format!("GODIAG {name} ")))
            .map(|json| serde_json::from_str(json).unwrap())
            .unwrap();
        let path = |which: &str| {
            report["dns"]["paths"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == which)
                .cloned()
                .unwrap()
        };
        let addresses = |path: &Value| -> BTreeSet<String> {
            path["addresses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned())
                .collect()
        };
        let getent: BTreeSet<String> = stdout
            .lines()
            .find_map(|line| line.strip_prefix(&format!("GETENT {name} ")))
            .unwrap()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            addresses(&path("getaddrinfo")),
            getent,
            "{name}: getaddrinfo vs getent ahosts"
        );
        let go_line = stdout
            .lines()
            .find_map(|line| line.strip_prefix(&format!("GO {name} ")))
            .unwrap();
        let go_pure = path("go_pure");
        if let Some(found) = go_line.strip_prefix("OK ") {
            let real: BTreeSet<String> = found.split_whitespace().map(str::to_owned).collect();
            assert_eq!(addresses(&go_pure), real, "{name}: go_pure vs Go");
        } else {
            let real_error = go_line.strip_prefix("ERR ").unwrap();
            assert!(
                addresses(&go_pure).is_empty(),
                "{name}: Go failed with {real_error}"
            );
            let ours = go_pure["error"].as_str().unwrap();
            // Go names the last server it asked; both must agree on the reason.
            assert_eq!(
                ours.rsplit(": ").next(),
                real_error.rsplit(": ").next(),
                "{name}: {ours} vs {real_error}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, NAMES.len());
    let refused = stdout.contains("\"server:127.0.0.2\"");
    assert!(refused, "the refusing server was probed");
}
