//! NET003: the server listens on loopback only.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, dual_stack_fix, listener_evidence, loopback_only_binds};

/// Every listener on the port is a loopback address: other machines cannot connect.
pub(crate) struct LoopbackOnlyListener;

const META: CheckMeta = CheckMeta {
    code: "NET003",
    slug: "loopback-only-listener",
    domain: Domain::Net,
    severity: Severity::Info,
    status: CheckStatus::Stable,
    title: "The server listens on loopback only",
    ok_title: "The server listens beyond loopback",
    doc: include_str!("../../../../docs/checks/NET003.md"),
};

impl Check<Context> for LoopbackOnlyListener {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        // In a container a loopback-only bind is an error (NET019: no published port reaches
        // it), not the private dev server this check calls it; one verdict, not two.
        context.no_listener().or_else(|| {
            context.environment.container.as_ref().map(|engine| {
                format!("this is a {engine} container: NET019 judges a loopback-only bind here")
            })
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(bound) = loopback_only_binds(context) else {
            return Vec::new();
        };
        let port = context.port;
        let mut finding = Finding::new(
            &META,
            format!("Port {port} is reachable from this machine only ({bound})"),
            format!(
                "The server listens on {bound}, loopback only: programs on this machine (in \
                 this network namespace) can connect, but other machines on the LAN, containers, \
                 virtual machines and a Windows host reaching WSL by its IP address cannot. That \
                 is right for a development server that should stay private; it is the cause when \
                 a phone, a colleague or a container cannot connect. A Go server gets this bind \
                 from {}.",
                go_addresses(context)
            ),
        )
        .subject(format!("port {port}"));
        for listener in &context.listeners {
            finding = finding.evidence(listener_evidence(listener));
        }
        vec![finding.fix(Fix::manual(format!(
            "If other machines should connect: {}. The firewall then decides who may connect.",
            dual_stack_fix(port)
        )))]
    }
}

/// The listen addresses a Go server passes to get the loopback binds seen: `localhost`
/// listens on 127.0.0.1 only (`net.Listen` takes the first address, IPv4 first, from
/// `internetAddrList` in net/ipsock.go), so it is quoted for that bind and not for `::1`.
fn go_addresses(context: &Context) -> String {
    let port = context.port;
    let mut quoted: Vec<String> = Vec::new();
    for listener in &context.listeners {
        let forms = match listener.address {
            std::net::IpAddr::V4(v4) if v4 == std::net::Ipv4Addr::LOCALHOST => vec![
                format!("`\"127.0.0.1:{port}\"`"),
                format!("`\"localhost:{port}\"`"),
            ],
            std::net::IpAddr::V4(v4) => vec![format!("`\"{v4}:{port}\"`")],
            std::net::IpAddr::V6(v6) => vec![format!("`\"[{v6}]:{port}\"`")],
        };
        for form in forms {
            if !quoted.contains(&form) {
                quoted.push(form);
            }
        }
    }
    quoted.join(" or ")
}
