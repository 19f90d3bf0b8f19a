//! NET010 and NET011: the packet filter drops or rejects connections the bind would take.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, listener_evidence};
use crate::firewall::eval::Verdict;
use crate::firewall::{Origin, SourceVerdict, fix};

/// LAN clients are dropped or rejected by the firewall.
pub(crate) struct FirewallBlocksLan;

/// Loopback clients are dropped or rejected by the firewall.
pub(crate) struct FirewallBlocksLoopback;

const LAN: CheckMeta = CheckMeta {
    code: "NET010",
    slug: "firewall-blocks-lan",
    domain: Domain::Net,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The firewall blocks connections from the LAN",
    ok_title: "The firewall lets LAN clients reach the port",
    doc: include_str!("../../../../docs/checks/NET010.md"),
};

const LOOPBACK: CheckMeta = CheckMeta {
    code: "NET011",
    slug: "firewall-blocks-loopback",
    domain: Domain::Net,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The firewall blocks connections from this machine",
    ok_title: "The firewall lets loopback clients reach the port",
    doc: include_str!("../../../../docs/checks/NET011.md"),
};

impl Check<Context> for FirewallBlocksLan {
    fn meta(&self) -> &'static CheckMeta {
        &LAN
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        blocked(context, &LAN, &[Origin::Lan, Origin::WslHost])
    }
}

impl Check<Context> for FirewallBlocksLoopback {
    fn meta(&self) -> &'static CheckMeta {
        &LOOPBACK
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        blocked(context, &LOOPBACK, &[Origin::Loopback])
    }
}

fn blocked(context: &Context, meta: &CheckMeta, origins: &[Origin]) -> Vec<Finding> {
    let Some(state) = &context.firewall else {
        return Vec::new();
    };
    let hits: Vec<&SourceVerdict> = context
        .verdicts
        .iter()
        .filter(|v| origins.contains(&v.from))
        .filter(|v| matches!(v.verdict, Verdict::Drop | Verdict::Reject))
        .filter(|v| context.accepting(v.destination_address).is_some())
        .collect();
    let Some(first) = hits.first() else {
        // Show the verdicts even when nothing blocks, so `-v` says which rule let it in.
        let seen: Vec<&SourceVerdict> = context
            .verdicts
            .iter()
            .filter(|v| origins.contains(&v.from) && v.verdict == Verdict::Accept)
            .collect();
        if seen.is_empty() || !state.readable {
            return Vec::new();
        }
        let mut ok = Finding::ok(meta).subject(format!("port {}", context.port));
        for verdict in seen {
            ok = ok.evidence(Evidence::command(format!(
                "{} {} from {} on {}: accept{}",
                verdict.family.as_str(),
                std::net::SocketAddr::new(verdict.destination_address, context.port),
                verdict.source_address,
                verdict.interface,
                verdict.rule.as_deref().map_or_else(
                    || " (no rule filters it)".to_owned(),
                    |rule| format!(" by {rule}")
                )
            )));
        }
        return vec![ok];
    };
    let port = context.port;
    let client_sees = |v: &SourceVerdict| match v.outcome {
        Some(outcome) => format!("{outcome}"),
        None => "an error".to_owned(),
    };
    let targets = hits
        .iter()
        .map(|v| {
            format!(
                "{} from {} ({})",
                std::net::SocketAddr::new(v.destination_address, port),
                v.source_address,
                client_sees(v)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let who = match first.from {
        Origin::Loopback => "Programs on this machine",
        Origin::Lan => "Other machines on the LAN",
        Origin::WslHost => "The Windows host",
    };
    let mut finding = Finding::new(
        meta,
        format!(
            "The firewall {}s TCP port {port}: {}",
            first.verdict.as_str(),
            first.rule.as_deref().unwrap_or("a rule")
        ),
        format!(
            "{who} cannot connect although the server listens: {targets}. A drop makes clients \
             hang until they time out; a reject makes them fail at once (\"connection refused\" \
             for a TCP reset, \"No route to host\" or \"Permission denied\" for ICMP \
             admin-prohibited). The {} backend manages these rules.",
            serde_json::to_value(state.backend)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        ),
    )
    .subject(format!("port {port}"));
    for verdict in &hits {
        finding = finding.evidence(Evidence::command(format!(
            "{}  →  {} {} from {} on {}: {}{}",
            state.sources.join(", "),
            verdict.family.as_str(),
            std::net::SocketAddr::new(verdict.destination_address, port),
            verdict.source_address,
            verdict.interface,
            verdict.verdict.as_str(),
            verdict
                .rule
                .as_deref()
                .map(|rule| format!(" by {rule}"))
                .unwrap_or_default()
        )));
    }
    if let Some(listener) = context.accepting(first.destination_address) {
        finding = finding.evidence(listener_evidence(listener));
    }
    let mut commands: Vec<String> = hits
        .iter()
        .map(|v| fix::open_port(state, &v.decision, port))
        .filter(|command| !command.is_empty())
        .collect();
    commands.dedup();
    vec![finding.fix(Fix::command(commands.join("\n")))]
}
