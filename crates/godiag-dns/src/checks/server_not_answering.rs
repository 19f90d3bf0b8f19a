//! DNS011: a configured DNS server does not answer, or answers SERVFAIL.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::Context;
use crate::probe::go_pure::worst_case;
use crate::probe::{NoReply, PathResult};

/// A server in resolv.conf times out, refuses connections, cannot be reached or fails.
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

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_server_asked()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context
            .server_paths()
            .filter(|path| path.unreachable() || path.rcode.as_deref() == Some("SERVFAIL"))
            // A stopped resolved's stub is DNS012's finding.
            .filter(|path| {
                context.system.resolved.running
                    || !super::STUB_ADDRESSES
                        .iter()
                        .any(|stub| path.name == format!("server:{stub}"))
            })
            .map(|path| finding(context, path))
            .collect()
    }
}

/// The finding for one server that gave no usable reply, in the words of what happened.
fn finding(context: &Context, path: &PathResult) -> Finding {
    let dns = &context.prediction.go_dns;
    let ip = path.name.trim_start_matches("server:");
    let what = path.error.clone().unwrap_or_else(|| "SERVFAIL".into());
    let (title, message, fix) = match path.no_reply {
        Some(NoReply::Refused) => (
            format!("DNS server {ip} does not answer ({what})"),
            format!(
                "Nothing listens on port 53 at {ip}: every query gets an immediate error and \
                 the resolvers move on to the next server; names only {ip} would know \
                 fail, and with no other server every lookup fails."
            ),
            format!("start the DNS server on {ip}, or remove {ip} from the resolver configuration"),
        ),
        Some(why) if why.no_route() => (
            format!("DNS server {ip} cannot be reached ({what})"),
            format!(
                "This machine has no route to {ip}, so no query leaves for it: the machine is \
                 offline, or the network that reaches {ip} (a VPN, a LAN) is down. Every \
                 lookup that needs {ip} fails at once; this is not an answer about the name."
            ),
            format!(
                "connect the network that reaches {ip} (VPN up, cable or Wi-Fi), then re-run; \
                 `ip route get {ip}` shows the route the kernel would use"
            ),
        ),
        _ => (
            format!("DNS server {ip} does not answer ({what})"),
            format!(
                "Every lookup that reaches {ip} waits for it: glibc and Go try each server \
                 {} with {} s per try, so a dead server costs up to {} s per name before \
                 the others are asked (Go: up to {} s for all servers of one name).",
                if dns.attempts == 1 {
                    "once".to_owned()
                } else {
                    format!("{} times", dns.attempts)
                },
                dns.timeout_s,
                u64::from(dns.attempts) * u64::from(dns.timeout_s),
                worst_case(dns).as_secs()
            ),
            format!(
                "remove {ip} from the resolver configuration, or make it reachable (firewall, \
                 VPN up); `options timeout:1 attempts:1` shortens the wait meanwhile"
            ),
        ),
    };
    Finding::new(&META, title, message)
        .subject(format!("{}@{ip}", context.name))
        .evidence(Evidence::probe(
            format!("{}: {what}", path.name),
            path.duration_ms,
        ))
        .evidence(Evidence::command(format!(
            "dig @{ip} {} +tries=1 +time=2",
            context.name
        )))
        .fix(Fix::manual(fix))
}
