//! NET004: only IPv6 sockets listen, so 127.0.0.1 is refused.

use std::net::{IpAddr, Ipv4Addr};

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, dual_stack_fix, listener_evidence, probe_evidence};
use crate::model::Family;

/// The listeners are IPv6-only (`tcp6`, `[::1]`), so IPv4 clients are refused.
pub(crate) struct Ipv4ClientsRefused;

const META: CheckMeta = CheckMeta {
    code: "NET004",
    slug: "ipv4-clients-refused",
    domain: Domain::Net,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "IPv4 clients are refused: the server listens on IPv6 only",
    ok_title: "IPv4 clients reach the server",
    doc: include_str!("../../../../docs/checks/NET004.md"),
};

impl Check<Context> for Ipv4ClientsRefused {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_listener()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let loopback4 = IpAddr::V4(Ipv4Addr::LOCALHOST);
        if context.listeners.is_empty()
            || context.listeners.iter().any(|l| l.family == Family::Ipv4)
            || context.accepting(loopback4).is_some()
        {
            return Vec::new();
        }
        let port = context.port;
        let v6only = context
            .listeners
            .iter()
            .any(|l| l.address.is_unspecified() && l.v6only == Some(true));
        let why = if v6only {
            format!(
                "its socket [::]:{port} has IPV6_V6ONLY set (Go: `net.Listen(\"tcp6\", \
                 \":{port}\")`, or a program that sets the option), so it takes IPv6 only"
            )
        } else {
            "it is bound to an IPv6 address only".to_owned()
        };
        let mut finding = Finding::new(
            &META,
            format!("127.0.0.1:{port} is refused: the server takes IPv6 only"),
            format!(
                "The server listens on port {port}, but {why}. Clients that connect to 127.0.0.1, \
                 to an IPv4 interface address, or to a name that resolves to IPv4 only (WSL's \
                 and many containers' `localhost`) get \"connection refused\"."
            ),
        )
        .subject(format!("port {port}"));
        for listener in &context.listeners {
            finding = finding.evidence(listener_evidence(listener));
        }
        if let Some(probe) = context.probe(loopback4) {
            finding = finding.evidence(probe_evidence(probe));
        }
        vec![finding.fix(Fix::manual(dual_stack_fix(port)))]
    }
}
