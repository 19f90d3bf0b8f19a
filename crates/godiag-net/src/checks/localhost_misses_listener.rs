//! NET002: `localhost` resolves first (or only) to an address no listener takes.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, dual_stack_fix, listener_evidence, probe_evidence};

/// localhost's first address is not served, so clients try it and are refused.
pub(crate) struct LocalhostMissesListener;

const META: CheckMeta = CheckMeta {
    code: "NET002",
    slug: "localhost-misses-listener",
    domain: Domain::Net,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "`localhost` resolves to an address the server does not listen on",
    ok_title: "`localhost` reaches the server on its first address",
    doc: include_str!("../../../../docs/checks/NET002.md"),
};

impl Check<Context> for LocalhostMissesListener {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_listener().or_else(|| match &context.localhost {
            Err(why) => Some(format!("`localhost` does not resolve here ({why})")),
            Ok(addresses) if addresses.is_empty() => {
                Some("`localhost` resolves to no address".to_owned())
            }
            Ok(_) => None,
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Ok(localhost) = &context.localhost else {
            return Vec::new();
        };
        if context.listeners.is_empty() || localhost.is_empty() {
            return Vec::new();
        }
        let served: Vec<bool> = localhost
            .iter()
            .map(|address| context.accepting(*address).is_some())
            .collect();
        if served[0] {
            return Vec::new();
        }
        let port = context.port;
        let names = localhost
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", then ");
        let bound = context
            .listeners
            .iter()
            .map(|l| l.ss_address.clone())
            .collect::<Vec<_>>()
            .join(" and ");
        let (severity, title, consequence) = match served.iter().position(|served| *served) {
            None => (
                Severity::Error,
                format!("localhost:{port} does not reach the server"),
                format!(
                    "No address of localhost is served, so `http://localhost:{port}` is refused \
                     while the server runs."
                ),
            ),
            Some(at) => (
                Severity::Warning,
                format!("localhost:{port} is refused on {} first", localhost[0]),
                format!(
                    "Clients try {} first and are refused; browsers, curl and Go fall back to {} \
                     after that, but clients that use only the first answer (Node.js before 20, \
                     many test harnesses and health checks) fail with ECONNREFUSED {}.",
                    localhost[0],
                    localhost[at],
                    std::net::SocketAddr::new(localhost[0], port)
                ),
            ),
        };
        let mut finding = Finding::new(
            &META,
            title,
            format!(
                "On this machine localhost is {names}, but the server listens on {bound}. \
                 {consequence}"
            ),
        )
        .severity(severity)
        .subject(format!("port {port}"))
        .evidence(Evidence::command(format!(
            "getent ahosts localhost  →  {names}"
        )));
        for listener in &context.listeners {
            finding = finding.evidence(listener_evidence(listener));
        }
        for address in localhost {
            if let Some(probe) = context.probe(*address) {
                finding = finding.evidence(probe_evidence(probe));
            }
        }
        vec![finding.fix(Fix::manual(format!(
            "{}; or point clients at the address it serves (e.g. `http://{}`).",
            dual_stack_fix(port),
            context.listeners[0].endpoint()
        )))]
    }
}
