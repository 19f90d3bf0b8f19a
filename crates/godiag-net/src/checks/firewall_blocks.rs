//! NET010 and NET011: the packet filter drops or rejects connections the bind would take.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, listener_evidence};
use crate::firewall::eval::Verdict;
use crate::firewall::{FirewallState, Origin, SourceVerdict, fix};

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

    fn skip_reason(&self, context: &Context) -> Option<String> {
        nothing_to_judge(context, &[Origin::Lan, Origin::WslHost])
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        blocked(context, &LAN, &[Origin::Lan, Origin::WslHost])
    }
}

impl Check<Context> for FirewallBlocksLoopback {
    fn meta(&self) -> &'static CheckMeta {
        &LOOPBACK
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        nothing_to_judge(context, &[Origin::Loopback])
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        blocked(context, &LOOPBACK, &[Origin::Loopback])
    }
}

/// Why the filter's verdict for these clients says nothing: the rules were not read, no
/// source of theirs exists here, every verdict is unknown (NET012), or the server listens
/// on none of the addresses they connect to, so what the filter does to them changes nothing.
/// With nothing listening the verdict is still judged: it is what a server started here meets.
fn nothing_to_judge(context: &Context, origins: &[Origin]) -> Option<String> {
    if let Some(reason) = context.no_firewall() {
        return Some(reason);
    }
    let who = if origins.contains(&Origin::Loopback) {
        "loopback"
    } else {
        "LAN"
    };
    let verdicts: Vec<&SourceVerdict> = context
        .verdicts
        .iter()
        .filter(|v| origins.contains(&v.from))
        .collect();
    if verdicts.is_empty() {
        return Some(format!("this machine has no {who} address to judge"));
    }
    if verdicts.iter().all(|v| v.verdict == Verdict::Unknown) {
        return Some(format!(
            "the firewall's verdict for {who} clients is unknown (NET012 says why)"
        ));
    }
    let served = verdicts.iter().any(|v| {
        v.verdict != Verdict::Unknown && context.accepting(v.destination_address).is_some()
    });
    (!context.listeners.is_empty() && !served)
        .then(|| format!("the server listens on no address {who} clients connect to"))
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
    if context.listeners.is_empty() {
        return latent(context, state, meta, origins);
    }
    let Some(first) = hits.first() else {
        return passed(context, meta, origins);
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

/// The passing finding, with the verdicts that let the clients in, so `-v` says which rule
/// did.
fn passed(context: &Context, meta: &CheckMeta, origins: &[Origin]) -> Vec<Finding> {
    let mut ok = Finding::ok(meta).subject(format!("port {}", context.port));
    for verdict in context
        .verdicts
        .iter()
        .filter(|v| origins.contains(&v.from) && v.verdict == Verdict::Accept)
    {
        ok = ok.evidence(verdict_evidence(verdict, context.port));
    }
    vec![ok]
}

fn verdict_evidence(verdict: &SourceVerdict, port: u16) -> Evidence {
    Evidence::command(format!(
        "{} {} from {} on {}: {}{}",
        verdict.family.as_str(),
        std::net::SocketAddr::new(verdict.destination_address, port),
        verdict.source_address,
        verdict.interface,
        verdict.verdict.as_str(),
        verdict.rule.as_deref().map_or_else(
            || " (no rule filters it)".to_owned(),
            |rule| format!(" by {rule}")
        )
    ))
}

/// Nothing listens yet, but the rules already decide what a server started on the port
/// meets: a block is a warning (it will break once the server runs), an open path a pass.
fn latent(
    context: &Context,
    state: &FirewallState,
    meta: &CheckMeta,
    origins: &[Origin],
) -> Vec<Finding> {
    let blocks: Vec<&SourceVerdict> = context
        .verdicts
        .iter()
        .filter(|v| origins.contains(&v.from))
        .filter(|v| matches!(v.verdict, Verdict::Drop | Verdict::Reject))
        .collect();
    let Some(first) = blocks.first() else {
        return passed(context, meta, origins);
    };
    let port = context.port;
    let who = match first.from {
        Origin::Loopback => "programs on this machine",
        Origin::Lan => "other machines on the LAN",
        Origin::WslHost => "the Windows host",
    };
    let mut finding = Finding::new(
        meta,
        format!(
            "The firewall {}s TCP port {port}: {}",
            first.verdict.as_str(),
            first.rule.as_deref().unwrap_or("a rule")
        ),
        format!(
            "Nothing listens on port {port} yet, but once a server does, {who} cannot reach it: \
             the rules {} these connections before any server sees them.",
            first.verdict.as_str()
        ),
    )
    .severity(Severity::Warning)
    .subject(format!("port {port}"));
    for verdict in &blocks {
        finding = finding.evidence(verdict_evidence(verdict, port));
    }
    let mut commands: Vec<String> = blocks
        .iter()
        .map(|v| fix::open_port(state, &v.decision, port))
        .filter(|command| !command.is_empty())
        .collect();
    commands.dedup();
    if commands.is_empty() {
        return vec![finding];
    }
    vec![finding.fix(Fix::command(commands.join("\n")))]
}
