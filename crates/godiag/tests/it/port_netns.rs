//! godiag's firewall verdicts against what really happens, in network namespaces this test
//! creates: a server namespace (10.77.0.1/24, `fd00:77::1/64`) and a client namespace
//! (10.77.0.2, `fd00:77::2`) joined by a veth pair. Go listeners bound every way Go binds run
//! in the server namespace; for each ruleset (nftables, iptables-nft, iptables-legacy:
//! accept, drop, reject, policy drop, firewalld's layout, two tables, named sets, ...)
//! godiag runs inside the server namespace and predicts what a client sees from the LAN and
//! from loopback; the Go client then connects from the client namespace (LAN) and inside the
//! server namespace (loopback). Every prediction must match: zero disagreements.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread;

use godiag_net::firewall::NO_NFTABLES;
use serde_json::Value;

use crate::peers::{self, Running};

/// The listeners: port, Go network, Go address.
const LISTENERS: &[(u16, &str, &str)] = &[
    (8080, "tcp", "127.0.0.1:8080"),
    (8081, "tcp", "[::1]:8081"),
    (8082, "tcp4", ":8082"),
    (8083, "tcp", ":8083"),
    (8084, "tcp6", ":8084"),
    (8085, "tcp", "10.77.0.1:8085"),
];

/// Rulesets applied in the server namespace (after flushing the previous one).
const RULESETS: &[(&str, &str)] = &[
    ("no rules", ""),
    (
        "nft policy drop, ports accepted",
        "nft -f - <<'EOF'
table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    iif \"lo\" accept
    ct state established,related accept
    meta l4proto ipv6-icmp accept
    tcp dport 8080-8085 accept
  }
}
EOF",
    ),
    (
        "nft policy drop without ICMPv6 (neighbour discovery blocked)",
        "nft -f - <<'EOF'
table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    iif \"lo\" accept
    ct state established,related accept
    tcp dport 8080-8085 accept
  }
}
EOF",
    ),
    (
        "nft drop rule",
        "nft -f - <<'EOF'
table inet filter {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport { 8080, 8081, 8082, 8083, 8084, 8085 } drop
  }
}
EOF",
    ),
    (
        "nft reject with tcp reset",
        "nft -f - <<'EOF'
table inet filter {
  chain input {
    type filter hook input priority 0;
    iifname \"lan0\" tcp dport 8080-8085 reject with tcp reset
  }
}
EOF",
    ),
    (
        "nft firewalld layout",
        "nft -f - <<'EOF'
table inet firewalld {
  chain filter_INPUT {
    type filter hook input priority filter + 10; policy accept;
    ct state { established, related } accept
    ct status dnat accept
    iifname \"lo\" accept
    ct state invalid drop
    jump filter_INPUT_ZONES
    reject with icmpx admin-prohibited
  }
  chain filter_INPUT_ZONES {
    iifname \"lan0\" goto filter_IN_public
    goto filter_IN_public
  }
  chain filter_IN_public {
    jump filter_IN_public_allow
    meta l4proto { icmp, ipv6-icmp } accept
    reject with icmpx admin-prohibited
  }
  chain filter_IN_public_allow {
    tcp dport 22 accept
    ip saddr 10.77.0.0/24 tcp dport 8083 accept
    ip6 saddr fd00:77::/64 tcp dport 8084 accept
  }
}
EOF",
    ),
    (
        "nft two tables, the second drops",
        "nft -f - <<'EOF'
table inet first {
  chain input {
    type filter hook input priority 0; policy drop;
    iif lo accept
    meta l4proto ipv6-icmp accept
    tcp dport 8080-8085 accept
  }
}
table inet second {
  chain input {
    type filter hook input priority 10; policy drop;
    iif lo accept
    meta l4proto ipv6-icmp accept
    tcp dport 8083 accept
  }
}
EOF",
    ),
    (
        "nft named set, jump and return, IPv4 only",
        "nft -f - <<'EOF'
table ip filter4 {
  set web {
    type inet_service
    elements = { 8082, 8083, 8085 }
  }
  chain check {
    ip saddr 10.99.0.0/16 drop
    return
  }
  chain input {
    type filter hook input priority 0; policy drop;
    iif lo accept
    jump check
    tcp dport @web accept
  }
}
EOF",
    ),
    (
        "iptables-nft with extensions",
        "iptables -P INPUT DROP
iptables -A INPUT -i lo -j ACCEPT
iptables -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables -A INPUT -p tcp -m multiport --dports 8082,8083 -m comment --comment \"web server\" -j ACCEPT
iptables -A INPUT -p tcp --dport 8085 -j REJECT
ip6tables -A INPUT -p tcp -m multiport --dports 8083 -j REJECT --reject-with tcp-reset",
    ),
    (
        "iptables-legacy",
        "iptables-legacy -P INPUT DROP
iptables-legacy -A INPUT -i lo -j ACCEPT
iptables-legacy -A INPUT -s 10.77.0.0/24 -p tcp --dport 8082:8085 -j ACCEPT
ip6tables-legacy -A INPUT -p tcp --dport 8083 -j DROP
ip6tables-legacy -A INPUT -p tcp --dport 8084 -j REJECT --reject-with icmp6-adm-prohibited",
    ),
    (
        "nft loopback blocked",
        "nft -f - <<'EOF'
table inet filter {
  chain input {
    type filter hook input priority 0; policy accept;
    iif \"lo\" tcp dport 8080-8085 drop
  }
}
EOF",
    ),
    (
        "nft ip-family reject (ICMP port unreachable)",
        "nft -f - <<'EOF'
table ip f {
  chain input {
    type filter hook input priority 0;
    iifname \"lan0\" tcp dport 8080-8085 reject
  }
}
EOF",
    ),
];

/// The two namespaces; deleted on drop.
struct Namespaces {
    server: String,
    client: String,
    ip: PathBuf,
}

impl Namespaces {
    fn create(ip: &Path) -> Self {
        let tag = std::process::id();
        let namespaces = Self {
            server: format!("gdsrv{tag}"),
            client: format!("gdcli{tag}"),
            ip: ip.to_path_buf(),
        };
        let (s, c) = (&namespaces.server, &namespaces.client);
        let script = format!(
            "set -e
ip netns add {s}; ip netns add {c}
ip link add lan0 netns {s} type veth peer name lan0 netns {c}
ip -n {s} link set lo up; ip -n {c} link set lo up
ip -n {s} addr add 10.77.0.1/24 dev lan0; ip -n {c} addr add 10.77.0.2/24 dev lan0
ip -n {s} addr add fd00:77::1/64 dev lan0 nodad; ip -n {c} addr add fd00:77::2/64 dev lan0 nodad
ip -n {s} link set lan0 up; ip -n {c} link set lan0 up
ip -n {s} route add default via 10.77.0.2; ip -n {s} -6 route add default via fd00:77::2"
        );
        let output = Command::new("sh").args(["-c", &script]).output().unwrap();
        assert!(
            output.status.success(),
            "creating namespaces: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        namespaces
    }

    fn exec(&self, namespace: &str, program: &Path) -> Command {
        let mut command = Command::new(&self.ip);
        command.args(["netns", "exec", namespace]).arg(program);
        command
    }

    fn sh(&self, namespace: &str, script: &str) -> Output {
        let output = self
            .exec(namespace, Path::new("sh"))
            .args(["-c", script])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "in {namespace}: {script}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for namespace in [&self.server, &self.client] {
            let _ = Command::new(&self.ip)
                .args(["netns", "del", namespace])
                .output();
        }
    }
}

const FLUSH: &str = "nft flush ruleset
for t in iptables-legacy ip6tables-legacy; do
  if command -v $t >/dev/null; then $t -P INPUT ACCEPT; $t -F; $t -X; fi
done";

fn dial(namespaces: &Namespaces, namespace: &str, golisten: &Path, target: &str) -> String {
    let output = namespaces
        .exec(namespace, golisten)
        .args(["dial", target])
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn godiag_in(namespaces: &Namespaces, port: u16) -> Value {
    let output = namespaces
        .exec(&namespaces.server, &peers::godiag())
        .args([
            "port",
            &port.to_string(),
            "--format",
            "json",
            // Generous: the verdict is under test, not the speed (a loaded CI machine can
            // take seconds to start `nft`); scripts/bench measures time.
            "--deadline",
            "20s",
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "godiag port {port}: {e}: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// One listener's port, godiag's report, and each dial as (from, family, outcome).
type CellResults = (u16, Value, Vec<(&'static str, &'static str, String)>);

fn predicted<'a>(report: &'a Value, from: &str, family: &str) -> Option<&'a Value> {
    report["port"]["firewall"]["sources"]
        .as_array()?
        .iter()
        .find(|s| s["from"] == from && s["family"] == family)
}

#[test]
fn firewall_verdicts_match_real_connections_across_the_matrix() {
    let (Some(ip), Some(_nft), Some(_iptables), Some(golisten)) = (
        peers::peer("GODIAG_TEST_IP", "ip (iproute2)"),
        peers::peer("GODIAG_TEST_NFT", "nft (nftables)"),
        peers::peer("GODIAG_TEST_IPTABLES", "iptables"),
        peers::golisten(),
    ) else {
        return;
    };
    let namespaces = Namespaces::create(&ip);
    let _servers: Vec<Running> = LISTENERS
        .iter()
        .map(|(_, network, address)| {
            let mut command = namespaces.exec(&namespaces.server, &golisten);
            command.args([network, address]);
            Running::start(command)
        })
        .collect();
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for (name, script) in RULESETS {
        namespaces.sh(&namespaces.server, &format!("{FLUSH}\n{script}"));
        for namespace in [&namespaces.server, &namespaces.client] {
            namespaces.sh(namespace, "ip neigh flush all; ip -6 neigh flush all");
        }
        let results: Vec<CellResults> = thread::scope(|scope| {
            let handles: Vec<_> = LISTENERS
                .iter()
                .map(|(port, ..)| {
                    let (namespaces, golisten) = (&namespaces, &golisten);
                    scope.spawn(move || {
                        let report = godiag_in(namespaces, *port);
                        let dials = [
                            (
                                "lan",
                                "ipv4",
                                &namespaces.client,
                                format!("10.77.0.1:{port}"),
                            ),
                            (
                                "lan",
                                "ipv6",
                                &namespaces.client,
                                format!("[fd00:77::1]:{port}"),
                            ),
                            (
                                "loopback",
                                "ipv4",
                                &namespaces.server,
                                format!("127.0.0.1:{port}"),
                            ),
                            (
                                "loopback",
                                "ipv6",
                                &namespaces.server,
                                format!("[::1]:{port}"),
                            ),
                        ];
                        let seen = dials
                            .iter()
                            .map(|(from, family, namespace, target)| {
                                (
                                    *from,
                                    *family,
                                    dial(namespaces, namespace, golisten, target),
                                )
                            })
                            .collect();
                        (*port, report, seen)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (port, report, seen) in results {
            // nft runs only when the kernel holds an nftables table.
            let read_from = &report["port"]["firewall"]["read_from"];
            if script.is_empty() {
                assert_eq!(read_from[0], NO_NFTABLES, "{name}: {read_from}");
            } else if script.starts_with("nft ") {
                assert_eq!(read_from[0], "nft -j list ruleset", "{name}: {read_from}");
            }
            for (from, family, actual) in seen {
                compared += 1;
                let source = predicted(&report, from, family);
                let outcome = source
                    .and_then(|s| s["outcome"].as_str())
                    .unwrap_or("(none)");
                if std::env::var_os("GODIAG_TEST_SHOW_MATRIX").is_some() {
                    eprintln!(
                        "{name:<60} {port} {from:<8} {family}  godiag {outcome:<11} real {actual}"
                    );
                }
                if outcome != actual {
                    disagreements.push(format!(
                        "{name} | port {port} | {from} {family}: godiag {outcome} ({}), real {actual}",
                        source.map_or_else(String::new, |s| format!(
                            "{} {}",
                            s["verdict"], s["rule"]
                        ))
                    ));
                }
            }
        }
    }
    assert_eq!(compared, RULESETS.len() * LISTENERS.len() * 4);
    assert!(
        disagreements.is_empty(),
        "{} of {compared} disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
