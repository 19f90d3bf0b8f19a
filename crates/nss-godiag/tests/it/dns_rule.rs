//! A `dns` rule answered by a real dnsmasq, in a network namespace the test creates (so the
//! queries stay inside it), and the same kind of rule pointed at a server that never answers:
//! the lookup must end within the map's timeout × attempts. A veth pair gives the
//! namespace non-loopback IPv4 and IPv6 addresses: getaddrinfo's `AI_ADDRCONFIG` (getent
//! ahostsv6) skips a family the machine has no address of before asking any NSS module.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::getent::multiarch_libdir;
use crate::peers::{module_in, peer};

const MAP: &str = "options timeout:1 attempts:2\n\
                   *.corp.example dns 127.0.0.1:5353\n\
                   *.dead.example dns 127.0.0.1:5354\n";

/// Deletes the namespace and stops the dnsmasq it ran, even when an assertion fails.
struct Namespace {
    name: String,
    pid_file: PathBuf,
}

impl Drop for Namespace {
    fn drop(&mut self) {
        if let Ok(pid) = fs::read_to_string(&self.pid_file) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

fn script(dir: &Path, dnsmasq: &Path, getent: &Path) -> String {
    let libdir = multiarch_libdir();
    let getent = getent.display();
    format!(
        "set -e\nip link set lo up\n\
         ip link add gd0 type veth peer name gd1\nip addr add 10.77.0.1/24 dev gd0\n\
         ip addr add fd77::1/64 dev gd0 nodad\nip link set gd1 up\nip link set gd0 up\n\
         mount --make-rprivate /\n\
         mount -t overlay overlay -o lowerdir={lib}:{libdir} {libdir}\n\
         mount --bind {nsswitch} /etc/nsswitch.conf\n\
         {dnsmasq} --no-resolv --no-hosts --bind-interfaces --listen-address=127.0.0.1 \
           --port=5353 --user=root --local=/corp.example/ --pid-file={pid} \
           --log-facility=/dev/null --host-record=git.corp.example,10.8.1.5,fd00::8:5 \
           --host-record=v4.corp.example,10.8.1.6 --cname=alias.corp.example,git.corp.example\n\
         python3 -c 'import socket, time; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); \
           s.bind((\"127.0.0.1\", 5354)); print(\"bound\", flush=True); time.sleep(60)' \
           > {dir}/silent.out &\nsilent=$!\n\
         while ! grep -q bound {dir}/silent.out; do sleep 0.05; done\n\
         set +e\n\
         for key in 'ahosts git.corp.example' 'ahostsv6 git.corp.example' \
           'ahosts alias.corp.example' 'hosts v4.corp.example' 'ahostsv6 v4.corp.example' \
           'ahosts missing.corp.example'; do\n\
           echo \"== $key\"; {getent} $key; echo \"rc=$?\"\n\
         done\n\
         start=$(date +%s%N); {getent} ahosts x.dead.example; rc=$?\n\
         echo \"== dead rc=$rc ms=$(( ($(date +%s%N) - start) / 1000000 ))\"\n\
         kill $silent\n",
        lib = dir.join("lib").display(),
        libdir = libdir.display(),
        nsswitch = dir.join("nsswitch.conf").display(),
        dnsmasq = dnsmasq.display(),
        pid = dir.join("dnsmasq.pid").display(),
        dir = dir.display(),
    )
}

#[test]
fn dnsmasq_answers_dns_rules_and_a_silent_server_costs_timeout_times_attempts() {
    let (Some(dnsmasq), Some(getent), Some(ip)) = (
        peer("GODIAG_TEST_DNSMASQ", "dnsmasq"),
        peer("GODIAG_TEST_GETENT", "getent (libc-bin)"),
        peer("GODIAG_TEST_IP", "ip (iproute2)"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    fs::create_dir(t.join("lib")).unwrap();
    module_in(&t.join("lib"));
    fs::write(t.join("nss.map"), MAP).unwrap();
    fs::write(t.join("nsswitch.conf"), "hosts: godiag\n").unwrap();
    let namespace = Namespace {
        name: format!("gdnss{}", std::process::id() % 100_000),
        pid_file: t.join("dnsmasq.pid"),
    };
    let status = Command::new(&ip)
        .args(["netns", "add", &namespace.name])
        .status()
        .unwrap();
    assert!(status.success(), "ip netns add");
    let output = Command::new(&ip)
        .args([
            "netns",
            "exec",
            &namespace.name,
            "unshare",
            "-m",
            "sh",
            "-c",
        ])
        .arg(script(t, &dnsmasq, &getent))
        .env("GODIAG_NSS_MAP", t.join("nss.map"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{out}\n{err}");

    let expected = [
        "== ahosts git.corp.example\nfd00::8:5       STREAM git.corp.example\n",
        "== ahostsv6 git.corp.example\nfd00::8:5       STREAM git.corp.example\n",
        // The canonical name is the CNAME chain's end.
        "== ahosts alias.corp.example\nfd00::8:5       STREAM git.corp.example\n",
        "== hosts v4.corp.example\n10.8.1.6        v4.corp.example\nrc=0\n",
        // AI_V4MAPPED: an A record answers an AF_INET6 lookup only as a mapped address.
        "== ahostsv6 v4.corp.example\n::ffff:10.8.1.6 STREAM v4.corp.example\n",
        "== ahosts missing.corp.example\nrc=2\n",
    ];
    for want in expected {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    assert!(out.contains("10.8.1.5        STREAM \n"), "{out}");

    // A and AAAA go out together, so 1 s × 2 attempts, with one server, is the whole bound.
    let dead = out
        .lines()
        .find_map(|line| line.strip_prefix("== dead "))
        .unwrap_or_else(|| panic!("{out}"));
    let ms: u64 = dead.rsplit("ms=").next().unwrap().parse().unwrap();
    assert!(dead.starts_with("rc=2 "), "{dead}");
    let took = Duration::from_millis(ms);
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(3),
        "the silent server's lookup took {took:?}"
    );
}
