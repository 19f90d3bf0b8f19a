//! NET012: the firewall's verdict could not be determined.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::Context;
use crate::firewall::eval::Verdict;

/// The rules could not be read, or a rule that decides could not be evaluated.
pub(crate) struct FirewallUnknown;

const META: CheckMeta = CheckMeta {
    code: "NET012",
    slug: "firewall-verdict-unknown",
    domain: Domain::Net,
    severity: Severity::Info,
    status: CheckStatus::Stable,
    title: "The firewall's verdict for the port is unknown",
    ok_title: "The firewall's verdict for the port is known",
    doc: include_str!("../../../../docs/checks/NET012.md"),
};

impl Check<Context> for FirewallUnknown {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        // Unreadable rules are this check's own finding, so only a missing read skips it.
        context
            .firewall
            .is_none()
            .then(|| "the firewall rules were not read before the deadline".to_owned())
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(state) = &context.firewall else {
            return Vec::new();
        };
        let port = context.port;
        if !state.readable {
            let why = state.problems.join("; ");
            let (message, fix) = if context.uid == 0 {
                (
                    format!(
                        "Neither nft nor iptables could be read ({why}). Rules loaded by another \
                         tool, or in a container without those programs, still apply."
                    ),
                    Fix::manual("Install nftables (nft) or iptables so the rules can be read."),
                )
            } else {
                (
                    format!(
                        "Reading firewall rules needs root (nft, iptables-save and \
                         /proc/net/ip_tables_names are root-only): {why}."
                    ),
                    Fix::command(format!("sudo godiag port {port}")),
                )
            };
            return vec![
                Finding::new(&META, "Firewall rules could not be read", message)
                    .subject(format!("port {port}"))
                    .fix(fix),
            ];
        }
        let unknown: Vec<_> = context
            .verdicts
            .iter()
            .filter(|v| v.verdict == Verdict::Unknown)
            .collect();
        let Some(first) = unknown.first() else {
            return Vec::new();
        };
        let mut finding = Finding::new(
            &META,
            format!(
                "The firewall's verdict for port {port} depends on a rule godiag does not evaluate"
            ),
            format!(
                "{}. godiag evaluates interfaces, addresses, ports, protocols, conntrack state, \
                 sets and jumps; this rule matches on something else, so whether it applies \
                 is not known.",
                first
                    .unknown_because
                    .as_deref()
                    .unwrap_or("a rule could not be evaluated")
            ),
        )
        .subject(format!("port {port}"));
        for verdict in &unknown {
            finding = finding.evidence(Evidence::command(format!(
                "{} {} from {}: unknown — {}",
                verdict.family.as_str(),
                verdict.destination_address,
                verdict.source_address,
                verdict.unknown_because.as_deref().unwrap_or_default()
            )));
        }
        vec![finding.fix(Fix::command("sudo nft list ruleset; sudo iptables-save"))]
    }
}
