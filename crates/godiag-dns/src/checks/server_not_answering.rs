//! DNS011: a configured DNS server does not answer, or answers SERVFAIL.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::Context;
use crate::probe::go_pure::worst_case;

/// A server in resolv.conf times out, refuses connections or fails.
pub(crate) struct ServerNotAnswering;

const META: CheckMeta = CheckMeta {
    code: "DNS011",
    slug: "server-not-answering",
    domain: Domain::Dns,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A configured DNS server does not answer",
    ok_title: "Every DNS server asked answered",
    doc: include_str!("../../../../docs/checks/DNS011.md"),
};

impl Check<Context> for ServerNotAnswering {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let dns = &context.prediction.go_dns;
        context
            .server_paths()
            .filter(|path| path.unreachable() || path.rcode.as_deref() == Some("SERVFAIL"))
            // A stopped resolved's stub is DNS012's finding.
            .filter(|path| {
                context.system.resolved.running
                    || !super::STUB_ADDRESSES.iter().any(|stub| path.name == format!("server:{stub}"))
            })
            .map(|path| {
                let ip = path.name.trim_start_matches("server:");
                let what = path.error.clone().unwrap_or_else(|| "SERVFAIL".into());
                let message = if what.contains("refused") {
                    format!(
                        "Nothing listens on port 53 at {ip}: every query gets an immediate error and \
                         the resolvers move on to the next server; names only {ip} would know \
                         fail, and with no other server every lookup fails."
                    )
                } else {
                    format!(
                        "Every lookup that reaches {ip} waits for it: glibc and Go try each server \
                         {} with {} s per try, so a dead server costs up to {} s per name before \
                         the others are asked (Go: up to {} s for all servers of one name).",
                        if dns.attempts == 1 { "once".to_owned() } else { format!("{} times", dns.attempts) },
                        dns.timeout_s,
                        u64::from(dns.attempts) * u64::from(dns.timeout_s),
                        worst_case(dns).as_secs()
                    )
                };
                Finding::new(&META, format!("DNS server {ip} does not answer ({what})"), message)
                .subject(format!("{}@{ip}", context.name))
                .evidence(Evidence::probe(format!("{}: {what}", path.name), path.duration_ms))
                .evidence(Evidence::command(format!("dig @{ip} {} +tries=1 +time=2", context.name)))
                .fix(Fix::manual(format!(
                    "remove {ip} from the resolver configuration, or make it reachable (firewall, VPN up); \
                     `options timeout:1 attempts:1` shortens the wait meanwhile"
                )))
            })
            .collect()
    }
}
