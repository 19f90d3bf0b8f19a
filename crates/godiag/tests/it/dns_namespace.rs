//! The whole story in network namespaces: a "corp" namespace runs dnsmasq serving the private
//! zone `corp.example` on 10.88.0.2, reachable from a "host" namespace over a veth pair. The
//! host's resolv.conf points at a different server (dnsmasq on 127.0.0.1, which answers
//! NXDOMAIN for corp.example) and its hosts line stops at `files [NOTFOUND=return]`. In a
//! private mount namespace with a test /etc, godiag must find both failing layers, and after
//! `godiag dns --fix --unsafe-fixes` (both edits are unsafe: they change how the
//! machine resolves names) the real `getent` must resolve the name.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::dns_probes::dnsmasq_command;
use crate::peers::{self, godiag};

/// Deletes the namespaces (and with them the veth pair and the processes' sockets) on drop.
struct Namespaces {
    names: Vec<String>,
    pids: Vec<std::path::PathBuf>,
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for pid_file in &self.pids {
            if let Ok(pid) = fs::read_to_string(pid_file) {
                let _ = Command::new("kill").arg(pid.trim()).status();
            }
        }
        for name in &self.names {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

fn ip(args: &[&str]) {
    let status = Command::new("ip").args(args).status().unwrap();
    assert!(status.success(), "ip {}", args.join(" "));
}

/// A test /etc: the files programs need to start, plus the ones under test. (Commands that
/// live behind /etc/alternatives, such as awk, are not available with it.)
fn test_etc(dir: &Path) {
    let etc = dir.join("etc");
    fs::create_dir_all(&etc).unwrap();
    for file in ["passwd", "group", "ld.so.cache", "host.conf"] {
        if Path::new("/etc").join(file).exists() {
            fs::copy(Path::new("/etc").join(file), etc.join(file)).unwrap();
        }
    }
    fs::write(
        etc.join("nsswitch.conf"),
        "passwd: files\ngroup: files\nhosts:          files [NOTFOUND=return] dns\n",
    )
    .unwrap();
    fs::write(etc.join("resolv.conf"), "nameserver 127.0.0.1\n").unwrap();
    fs::write(etc.join("hosts"), "127.0.0.1 localhost\n").unwrap();
}

#[test]
fn godiag_finds_the_failing_layers_and_its_fix_makes_getent_resolve() {
    let Some(dnsmasq) = peers::dnsmasq() else {
        return;
    };
    if Command::new("ip").args(["netns", "list"]).output().is_err() {
        let message = "ip netns is not available";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
        eprintln!("skipping: {message}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    let id = std::process::id() % 100_000;
    let (host_ns, corp_ns) = (format!("gdhost{id}"), format!("gdcorp{id}"));
    let (host_if, corp_if) = (format!("gdh{id}"), format!("gdc{id}"));
    let guard = Namespaces {
        names: vec![host_ns.clone(), corp_ns.clone()],
        pids: vec![t.join("corp.pid"), t.join("public.pid")],
    };
    ip(&["netns", "add", &host_ns]);
    ip(&["netns", "add", &corp_ns]);
    ip(&[
        "link", "add", &host_if, "type", "veth", "peer", "name", &corp_if,
    ]);
    ip(&["link", "set", &host_if, "netns", &host_ns]);
    ip(&["link", "set", &corp_if, "netns", &corp_ns]);
    for (ns, interface, address) in [
        (&host_ns, &host_if, "10.88.0.1/24"),
        (&corp_ns, &corp_if, "10.88.0.2/24"),
    ] {
        ip(&["-n", ns, "link", "set", "lo", "up"]);
        ip(&["-n", ns, "addr", "add", address, "dev", interface]);
        ip(&["-n", ns, "link", "set", interface, "up"]);
    }
    let corp = dnsmasq_command(
        &dnsmasq,
        "10.88.0.2",
        &t.join("corp.pid"),
        &[("git.corp.example", "10.8.1.5")],
    );
    let status = Command::new("ip")
        .args(["netns", "exec", &corp_ns, "sh", "-c", &corp])
        .status()
        .unwrap();
    assert!(status.success(), "corp dnsmasq");

    test_etc(t);
    let public = format!(
        "{} --no-resolv --no-hosts --bind-interfaces --listen-address=127.0.0.1 --user=root \
         --local=/corp.example/ --address=/public.example/192.0.2.1 --pid-file={} --log-facility=/dev/null",
        dnsmasq.display(),
        t.join("public.pid").display()
    );
    let godiag = godiag();
    let mut script = format!(
        "{public} || exit 90\nmount --bind {} /etc || exit 91\n",
        t.join("etc").display()
    );
    writeln!(
        script,
        "echo \"BEFORE $(getent ahosts git.corp.example | cut -d' ' -f1 | sort -u | tr '\\n' ' ')\""
    )
    .unwrap();
    let run = format!(
        "{} dns git.corp.example --cgo on --server 10.88.0.2 --format json",
        godiag.display()
    );
    writeln!(script, "printf '%s\\n' \"REPORT $({run} | tr -d '\\n')\"").unwrap();
    writeln!(
        script,
        "printf '%s\\n' \"FIXED $({run} --fix --yes --unsafe-fixes 2>/dev/null | tr -d '\\n')\""
    )
    .unwrap();
    writeln!(
        script,
        "echo \"AFTER $(getent ahosts git.corp.example | cut -d' ' -f1 | sort -u | tr '\\n' ' ')\""
    )
    .unwrap();
    writeln!(
        script,
        "echo \"PUBLIC $(getent ahosts public.example | cut -d' ' -f1 | sort -u | tr '\\n' ' ')\""
    )
    .unwrap();
    let output = Command::new("ip")
        .args([
            "netns",
            "exec",
            &host_ns,
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            &script,
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = |tag: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{tag} ")))
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    assert_eq!(line("BEFORE"), "", "getent must fail before the fix");

    let report: Value = serde_json::from_str(&line("REPORT")).unwrap();
    let codes: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error" || f["severity"] == "warning")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        codes.contains(&("DNS002".into(), "error".into())),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("DNS010".into(), "error".into())),
        "{codes:?}"
    );
    let verdict = &report["dns"]["verdict"];
    assert_eq!(verdict["layer"], "resolv_conf", "{verdict}");
    assert!(
        verdict["text"]
            .as_str()
            .unwrap()
            .contains("10.88.0.2 knows the name"),
        "{verdict}"
    );
    let corp = report["dns"]["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "server:10.88.0.2")
        .unwrap();
    assert_eq!(corp["addresses"][0], "10.8.1.5");

    let fixed: Value = serde_json::from_str(&line("FIXED")).unwrap();
    let left: Vec<&str> = fixed["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(left.is_empty(), "errors after --fix: {left:?}");
    assert_eq!(
        line("AFTER"),
        "10.8.1.5",
        "the real getent resolves the name after the fix"
    );
    // The server put first refuses names outside its zone, so glibc goes on to the next one.
    assert_eq!(line("PUBLIC"), "192.0.2.1", "other names still resolve");
    let resolv = fs::read_to_string(t.join("etc/resolv.conf")).unwrap();
    assert!(resolv.starts_with("nameserver 10.88.0.2"), "{resolv}");
    assert!(
        t.join("etc/resolv.conf.godiag.bak").exists(),
        "a backup is kept"
    );
    let nsswitch = fs::read_to_string(t.join("etc/nsswitch.conf")).unwrap();
    assert!(
        nsswitch.contains("hosts:          files dns\n"),
        "{nsswitch}"
    );
    drop(guard);
}
