//! NET008: a connection the bind allows fails anyway.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, failed, probe_evidence};
use crate::model::ConnectOutcome;

/// A probe to an address a listener takes did not connect.
pub(crate) struct ConnectionFails;

const META: CheckMeta = CheckMeta {
    code: "NET008",
    slug: "connection-fails-despite-listener",
    domain: Domain::Net,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "Connections fail although a listener takes the address",
    ok_title: "Every address a listener takes accepts connections",
    doc: include_str!("../../../../docs/checks/NET008.md"),
};

impl Check<Context> for ConnectionFails {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context
            .no_listener()
            .or_else(|| context.no_probe())
            .or_else(|| {
                let tried = context.probes.iter().any(|probe| {
                    probe.outcome != ConnectOutcome::NotRun
                        && context.accepting(probe.address).is_some()
                });
                (!tried)
                    .then(|| "no connection was tried to an address the server takes".to_owned())
            })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let failing: Vec<_> = context
            .probes
            .iter()
            .filter(|probe| failed(probe))
            // A full accept queue explains a timeout by itself (NET006).
            .filter(|probe| {
                context.accepting(probe.address).is_some_and(|listener| {
                    listener
                        .backlog
                        .is_none_or(|limit| listener.accept_queue <= limit)
                })
            })
            .collect();
        let Some(first) = failing.first() else {
            return Vec::new();
        };
        let port = context.port;
        let cause = match first.outcome {
            ConnectOutcome::Timeout => {
                "The handshake got no answer: a firewall rule drops the SYN (nftables/iptables \
                 `drop`, a DROP policy), or the accept queue is full."
            }
            ConnectOutcome::Refused => {
                "The connection was reset although a socket listens: a firewall rule rejects it \
                 with a TCP reset (`reject with tcp reset`)."
            }
            ConnectOutcome::Unreachable => {
                "\"No route to host\" for a local address means an ICMP admin-prohibited reject: \
                 a firewall (firewalld rejects this way) refuses the connection."
            }
            ConnectOutcome::Denied => {
                "\"Permission denied\" on connect is an ICMPv6 admin-prohibited reject or a local \
                 policy (SELinux, a BPF cgroup program): something refuses the connection."
            }
            _ => "The connection failed for a reason the kernel reported as an error.",
        };
        let mut finding = Finding::new(
            &META,
            format!(
                "{} fails ({}) although {} listens",
                first.target,
                first.outcome,
                first.expected_listener.as_deref().unwrap_or_default()
            ),
            format!(
                "The bind takes this address, so the kernel would hand the connection to the \
                 server; something in between stops it. {cause}"
            ),
        )
        .subject(format!("port {port}"));
        for probe in &failing {
            finding = finding.evidence(probe_evidence(probe));
        }
        vec![finding.fix(Fix::command(format!(
            "sudo nft list ruleset | grep -n -e 'dport' -e 'policy' -e 'reject' -e 'drop'; curl -v http://{}/",
            first.target
        )))]
    }
}
