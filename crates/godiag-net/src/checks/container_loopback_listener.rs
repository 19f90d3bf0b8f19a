//! NET019: in a container, a server on loopback cannot be reached through a published port.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, dual_stack_fix, listener_evidence, loopback_only_binds};

/// The server listens on the container's own loopback.
pub(crate) struct ContainerLoopbackListener;

const META: CheckMeta = CheckMeta {
    code: "NET019",
    slug: "container-loopback-listener",
    domain: Domain::Net,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "In a container, the server listens on the container's loopback only",
    ok_title: "The containerised server listens on the container's network",
    doc: include_str!("../../../../docs/checks/NET019.md"),
};

impl Check<Context> for ContainerLoopbackListener {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.not_container().or_else(|| context.no_listener())
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(engine) = &context.environment.container else {
            return Vec::new();
        };
        let Some(bound) = loopback_only_binds(context) else {
            return Vec::new();
        };
        let port = context.port;
        let mut finding = Finding::new(
            &META,
            format!("The server in this {engine} container listens on {bound}: published ports cannot reach it"),
            format!(
                "A container has its own loopback. `-p {port}:{port}` (or a Kubernetes Service) \
                 forwards to the container's network interface, where nothing listens, so clients \
                 on the host get `curl: (52) Empty reply from server` or `(56) Recv failure: \
                 Connection reset by peer` through docker-proxy, or \"connection refused\" through \
                 the DNAT rules. Go's `\"localhost:{port}\"` and `\"127.0.0.1:{port}\"` binds cause \
                 this; so do the defaults of many dev servers."
            ),
        )
        .subject(format!("port {port}"))
        .evidence(Evidence::file(format!("container detected: {engine}")));
        for listener in &context.listeners {
            finding = finding.evidence(listener_evidence(listener));
        }
        vec![finding.fix(Fix::manual(format!(
            "{} inside the container; keep the host side private with `-p 127.0.0.1:{port}:{port}` \
             if only this machine should connect.",
            dual_stack_fix(port)
        )))]
    }
}
