//! The VPN-down classic, for real (issue #9, "Bounded probes, partial results"): in network
//! namespaces this test creates, resolv.conf's only server drops every DNS packet, or no route
//! leads to it at all. `godiag dns` and `godiag doctor` must name the server (DNS011), fail the
//! name (DNS010), exit 1 and end within the deadline, every time, with no CORE001.
//!
//! Three namespaces: "host" (10.79.0.1/24) joined by a veth pair to "dns" (10.79.0.54/24),
//! where nftables drops UDP and TCP port 53 and TCP port 3000 (a blackholed module proxy) to
//! that address — its second address, 10.79.0.55, may run a dnsmasq that answers; and
//! "offline", with only `lo` up. godiag runs in a private mount namespace whose /etc is a
//! test directory (resolv.conf, nsswitch.conf, hosts), as the other dns namespace test does.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::peers::{self, godiag};

/// The silent server.
const SILENT: &str = "10.79.0.54";
/// A server beside it that answers (when the test starts dnsmasq there).
const ANSWERING: &str = "10.79.0.55";
/// A server no route leads to, as seen from the offline namespace.
const NO_ROUTE: &str = "10.79.9.53";
/// The name asked about.
const NAME: &str = "git.internal.company.com";
/// How late a report may come: process start and exit, the mount, rendering.
const LATE: Duration = Duration::from_millis(150);

/// The namespaces and the test /etc directories; deleted on drop.
struct Lab {
    ip: PathBuf,
    host: String,
    dns: String,
    offline: String,
    dir: tempfile::TempDir,
}

impl Lab {
    /// `test` tells the namespaces of tests running at once apart.
    fn create(ip: &Path, test: &str) -> Self {
        let tag = std::process::id() % 100_000;
        let lab = Self {
            ip: ip.to_path_buf(),
            host: format!("gdqh{test}{tag}"),
            dns: format!("gdqs{test}{tag}"),
            offline: format!("gdqo{test}{tag}"),
            dir: tempfile::tempdir().unwrap(),
        };
        let (h, d, o) = (&lab.host, &lab.dns, &lab.offline);
        let script = format!(
            "set -e
ip netns add {h}; ip netns add {d}; ip netns add {o}
ip link add gdq0 netns {h} type veth peer name gdq0 netns {d}
for ns in {h} {d} {o}; do ip -n $ns link set lo up; done
ip -n {h} addr add 10.79.0.1/24 dev gdq0; ip -n {d} addr add {SILENT}/24 dev gdq0
ip -n {d} addr add {ANSWERING}/24 dev gdq0
ip -n {h} link set gdq0 up; ip -n {d} link set gdq0 up
ip netns exec {d} nft -f - <<'EOF'
table inet blackhole {{
  chain input {{
    type filter hook input priority 0; policy accept;
    ip daddr {SILENT} udp dport 53 counter drop
    ip daddr {SILENT} tcp dport 53 counter drop
    ip daddr {SILENT} tcp dport 3000 counter drop
  }}
}}
EOF"
        );
        let output = Command::new("sh").args(["-c", &script]).output().unwrap();
        assert!(
            output.status.success(),
            "creating namespaces: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        test_etc(&lab.dir.path().join("silent"), &[SILENT]);
        test_etc(&lab.dir.path().join("offline"), &[NO_ROUTE]);
        test_etc(&lab.dir.path().join("second"), &[SILENT, ANSWERING]);
        lab
    }

    /// Runs godiag in `namespace` with the test /etc `etc`, timing godiag alone.
    fn godiag(&self, namespace: &str, etc: &str, env: &[(&str, &str)], args: &[&str]) -> Run {
        let dir = self.dir.path();
        let (report, status) = (dir.join("report.json"), dir.join("status"));
        let script = format!(
            "mount --bind {} /etc || exit 91
start=$(date +%s%N)
\"$@\" > {} 2>/dev/null
code=$?
end=$(date +%s%N)
echo \"$code $(( (end - start) / 1000000 ))\" > {}",
            dir.join(etc).display(),
            report.display(),
            status.display()
        );
        let mut command = Command::new(&self.ip);
        command
            .args(["netns", "exec", namespace, "unshare", "--mount"])
            .args(["--propagation", "private", "sh", "-c", &script, "sh"])
            .arg(godiag())
            .args(args)
            .args(["--format", "json"])
            .envs(env.iter().copied());
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "godiag {args:?} in {namespace}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let status = fs::read_to_string(&status).unwrap();
        let (code, millis) = status.trim().split_once(' ').unwrap();
        let text = fs::read_to_string(&report).unwrap();
        Run {
            code: code.parse().unwrap(),
            wall: Duration::from_millis(millis.parse().unwrap()),
            report: serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("godiag {args:?}: {e}: {text}")),
        }
    }

    /// What the silent server's firewall counted for a rule (`udp dport 53`, ...).
    fn dropped(&self, rule: &str) -> u64 {
        let output = Command::new(&self.ip)
            .args(["netns", "exec", &self.dns, "nft", "list", "ruleset"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .find(|line| line.contains(rule))
            .and_then(|line| line.split("packets ").nth(1))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|count| count.parse().ok())
            .unwrap_or_default()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let pid_file = self.dir.path().join("dnsmasq.pid");
        if let Ok(pid) = fs::read_to_string(pid_file) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
        for namespace in [&self.host, &self.dns, &self.offline] {
            let _ = Command::new(&self.ip)
                .args(["netns", "del", namespace])
                .output();
        }
    }
}

/// A test /etc whose resolv.conf lists `servers`.
fn test_etc(etc: &Path, servers: &[&str]) {
    fs::create_dir_all(etc).unwrap();
    for file in ["passwd", "group", "ld.so.cache", "host.conf"] {
        if Path::new("/etc").join(file).exists() {
            fs::copy(Path::new("/etc").join(file), etc.join(file)).unwrap();
        }
    }
    fs::write(
        etc.join("nsswitch.conf"),
        "passwd: files\ngroup: files\nhosts: files dns\n",
    )
    .unwrap();
    let resolv = servers.iter().fold(String::new(), |mut text, server| {
        writeln!(text, "nameserver {server}").unwrap();
        text
    });
    fs::write(etc.join("resolv.conf"), resolv).unwrap();
    fs::write(etc.join("hosts"), "127.0.0.1 localhost\n").unwrap();
}

/// One godiag run: exit status, JSON report, and godiag's own wall time.
struct Run {
    code: i32,
    report: Value,
    wall: Duration,
}

impl Run {
    fn findings(&self, code: &str) -> Vec<&Value> {
        self.report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code)
            .collect()
    }

    /// What every run of the silent or offline case must show about `name` and `server`.
    fn assert_names_the_server(&self, name: &str, server: &str, deadline: Duration, label: &str) {
        let late: Vec<_> = self.findings("CORE001");
        assert!(late.is_empty(), "{label}: CORE001 {late:?}");
        let dns011 = self.findings("DNS011");
        assert!(
            dns011.iter().any(|f| f["severity"] == "warning"
                && f["subject"] == format!("{name}@{server}")
                && f["title"].as_str().unwrap().contains(server)),
            "{label}: DNS011 must name {server}: {dns011:?}"
        );
        let dns010 = self.findings("DNS010");
        assert!(
            dns010
                .iter()
                .any(|f| f["severity"] == "error" && f["subject"] == name),
            "{label}: DNS010 must fail {name}: {dns010:?}"
        );
        assert_eq!(self.code, 1, "{label}: exit status");
        assert!(
            self.wall <= deadline + LATE,
            "{label}: took {:?} with --deadline {deadline:?}",
            self.wall
        );
    }
}

fn peers() -> Option<PathBuf> {
    let ip = peers::peer("GODIAG_TEST_IP", "ip (iproute2)")?;
    peers::peer("GODIAG_TEST_NFT", "nft (nftables)")?;
    peers::on_path("unshare", "unshare (util-linux)")?;
    Some(ip)
}

/// A PATH with the real go command on it when the Go toolchain peer is there (doctor then
/// asks it, as on a developer's machine), and the system directories.
fn path_with_go() -> String {
    let system = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    std::env::var_os("GODIAG_TEST_GO")
        .map(PathBuf::from)
        .and_then(|go| go.parent().map(Path::to_path_buf))
        .map_or_else(
            || system.to_owned(),
            |dir| format!("{}:{system}", dir.display()),
        )
}

#[test]
fn a_silent_dns_server_is_named_within_the_deadline_every_time() {
    let Some(ip) = peers() else { return };
    let lab = Lab::create(&ip, "d");
    let runs = [(Duration::from_secs(2), 10), (Duration::from_secs(3), 5)];
    let mut walls = Vec::new();
    for (deadline, times) in runs {
        let flag = format!("{}s", deadline.as_secs());
        for attempt in 0..times {
            let run = lab.godiag(
                &lab.host,
                "silent",
                &[],
                &["dns", NAME, "--deadline", &flag],
            );
            let label = format!("dns --deadline {flag}, run {attempt}");
            run.assert_names_the_server(NAME, SILENT, deadline, &label);
            let server = run.report["dns"]["paths"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == format!("server:{SILENT}"))
                .cloned()
                .unwrap_or_default();
            assert_eq!(server["no_reply"], "timeout", "{label}: {server}");
            walls.push(format!("{flag}: {} ms", run.wall.as_millis()));
        }
    }
    assert!(
        lab.dropped("udp dport 53") > 0,
        "the queries reached the server and were dropped"
    );
    eprintln!("godiag dns wall times: {}", walls.join(", "));
}

#[test]
fn no_route_to_the_dns_server_is_reported_as_offline() {
    let Some(ip) = peers() else { return };
    let lab = Lab::create(&ip, "o");
    let deadline = Duration::from_secs(2);
    for attempt in 0..5 {
        let run = lab.godiag(
            &lab.offline,
            "offline",
            &[],
            &["dns", NAME, "--deadline", "2s"],
        );
        let label = format!("offline dns, run {attempt}");
        run.assert_names_the_server(NAME, NO_ROUTE, deadline, &label);
        let dns011 = &run.findings("DNS011")[0];
        assert!(
            dns011["title"]
                .as_str()
                .unwrap()
                .contains("cannot be reached (connect: network is unreachable)"),
            "{label}: {dns011}"
        );
        let verdict = &run.report["dns"]["verdict"];
        assert_eq!(verdict["layer"], "network", "{label}: {verdict}");
        assert!(
            !verdict["text"].as_str().unwrap().contains("does not exist"),
            "{label}: an unreachable server said nothing about the name: {verdict}"
        );
    }
}

#[test]
fn doctor_names_the_silent_server_and_ends_on_time_beside_a_blackholed_proxy() {
    let Some(ip) = peers() else { return };
    let lab = Lab::create(&ip, "p");
    // The first proxy is reached by name (through the silent server), the second by
    // address, straight into the namespace that drops its port.
    let goproxy = format!("http://proxy.corp.example:3000|http://{SILENT}:3000");
    let path = path_with_go();
    let env = [("GOPROXY", goproxy.as_str()), ("PATH", path.as_str())];
    let mut walls = Vec::new();
    for (deadline, times) in [(Duration::from_secs(2), 5), (Duration::from_secs(3), 3)] {
        let flag = format!("{}s", deadline.as_secs());
        for attempt in 0..times {
            let run = lab.godiag(&lab.host, "silent", &env, &["doctor", "--deadline", &flag]);
            let label = format!("doctor --deadline {flag}, run {attempt}");
            run.assert_names_the_server("proxy.corp.example", SILENT, deadline, &label);
            for domain in ["go", "dns", "port"] {
                assert!(
                    !run.report["doctor"][domain].is_null(),
                    "{label}: the {domain} domain reported nothing"
                );
            }
            walls.push(format!("{flag}: {} ms", run.wall.as_millis()));
        }
    }
    for (deadline, server) in [("2s", SILENT), ("2s", NO_ROUTE)] {
        let etc = if server == SILENT {
            "silent"
        } else {
            "offline"
        };
        let namespace = if server == SILENT {
            &lab.host
        } else {
            &lab.offline
        };
        let run = lab.godiag(namespace, etc, &env, &["doctor", "--deadline", deadline]);
        run.assert_names_the_server("proxy.corp.example", server, Duration::from_secs(2), etc);
    }
    eprintln!(
        "godiag doctor wall times: {}; packets to the blackholed proxy {SILENT}:3000: {}",
        walls.join(", "),
        lab.dropped("tcp dport 3000")
    );
}

#[test]
fn a_silent_first_server_leaves_time_to_hear_the_second() {
    let Some(ip) = peers() else { return };
    let Some(dnsmasq) = peers::dnsmasq() else {
        return;
    };
    let lab = Lab::create(&ip, "s");
    let name = "git.corp.example";
    let start = crate::dns_probes::dnsmasq_command(
        &dnsmasq,
        ANSWERING,
        &lab.dir.path().join("dnsmasq.pid"),
        &[(name, "10.8.1.5")],
    );
    let status = Command::new(&ip)
        .args(["netns", "exec", &lab.dns, "sh", "-c", &start])
        .status()
        .unwrap();
    assert!(status.success(), "dnsmasq on {ANSWERING}");
    for attempt in 0..3 {
        let run = lab.godiag(&lab.host, "second", &[], &["dns", name, "--deadline", "2s"]);
        let label = format!("second server, run {attempt}");
        assert!(run.findings("CORE001").is_empty(), "{label}");
        let dns011 = run.findings("DNS011");
        assert!(
            dns011.len() == 1 && dns011[0]["subject"] == format!("{name}@{SILENT}"),
            "{label}: only the silent server is named: {dns011:?}"
        );
        let paths = run.report["dns"]["paths"].as_array().unwrap();
        let go = paths.iter().find(|p| p["name"] == "go_pure").unwrap();
        assert_eq!(
            go["addresses"][0], "10.8.1.5",
            "{label}: Go's resolver hears the second server: {go}"
        );
        // glibc waits 5 s for the first server before it asks the second: godiag stops
        // before that, and must not call it a disagreement or a name that does not resolve.
        let problems: Vec<_> = run.report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["severity"] == "error"
                    || ["DNS009", "DNS010"].contains(&f["code"].as_str().unwrap())
                        && !["ok", "skipped"].contains(&f["severity"].as_str().unwrap_or_default())
            })
            .collect();
        assert!(problems.is_empty(), "{label}: {problems:?}");
        assert_eq!(run.code, 0, "{label}: exit status");
        assert!(
            run.wall <= Duration::from_secs(2) + LATE,
            "{label}: took {:?}",
            run.wall
        );
    }
}
