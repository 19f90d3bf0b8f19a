//! OTEL016: a receiver listens on every interface.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::endpoints::{endpoints, is_wildcard};
use crate::registry::{Kind, Version};

/// Receivers bound to 0.0.0.0, `::` or an empty host.
pub(crate) struct ReceiverExposed;

const META: CheckMeta = CheckMeta {
    code: "OTEL016",
    slug: "receiver-exposed",
    domain: Domain::Otel,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A receiver listens on every network interface",
    ok_title: "Receivers listen on specific addresses",
    doc: include_str!("../../../../docs/checks/OTEL016.md"),
};

impl Check<Context> for ReceiverExposed {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context
            .unusable()
            .or_else(|| context.without(Kind::Receiver))
            .or_else(|| {
                // Only endpoints written in the config are judged, not a receiver's default.
                context
                    .collector
                    .of_kind(Kind::Receiver)
                    .all(|r| endpoints(&r.config).is_empty())
                    .then(|| "no receiver sets an endpoint".to_owned())
            })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for receiver in context.collector.of_kind(Kind::Receiver) {
            for endpoint in endpoints(&receiver.config) {
                if endpoint.scheme.is_some() || !is_wildcard(&endpoint.host) {
                    continue;
                }
                findings.push(
                    context
                        .at(
                            &META,
                            endpoint.node.pos,
                            format!("{} listens on {} (every interface)", receiver.id, endpoint.text),
                            format!(
                                "Anyone who can reach this machine on port {} can send data to this Collector \
                                 (and, without auth, fill its memory and your backend). Since v0.104.0 the \
                                 default is localhost; {} inside a container is still needed for other \
                                 containers to reach it — then bind to the pod IP or restrict with a network \
                                 policy.",
                                endpoint.port.map_or_else(|| "?".to_owned(), |p| p.to_string()),
                                if context.version >= Version::new(104) { "0.0.0.0" } else { "listening widely" }
                            ),
                        )
                        .subject(format!("receivers::{}", receiver.id))
                        .fix(Fix::manual(format!(
                            "Bind to `localhost:{port}` when senders run on this host, or to `${{env:MY_POD_IP}}:{port}` in Kubernetes.",
                            port = endpoint.port.unwrap_or(4317)
                        ))),
                );
            }
        }
        findings
    }
}
