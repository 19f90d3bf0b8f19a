//! NET009: the server speaks TLS.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, probe_evidence};
use crate::model::Protocol;

/// A plain HTTP request got a TLS answer.
pub(crate) struct TlsOnPort;

const META: CheckMeta = CheckMeta {
    code: "NET009",
    slug: "tls-on-port",
    domain: Domain::Net,
    severity: Severity::Info,
    status: CheckStatus::Stable,
    title: "The server speaks TLS: use https://",
    ok_title: "The server answers plain HTTP",
    doc: include_str!("../../../../docs/checks/NET009.md"),
};

impl Check<Context> for TlsOnPort {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(probe) = context
            .probes
            .iter()
            .find(|probe| probe.protocol == Some(Protocol::Tls))
        else {
            return Vec::new();
        };
        let port = context.port;
        vec![
            Finding::new(
                &META,
                format!("Port {port} speaks TLS"),
                format!(
                    "A plain HTTP request to {} got a TLS answer. `http://localhost:{port}` then \
                     fails (browsers: ERR_EMPTY_RESPONSE or \"This page isn't working\"; a Go \
                     server with TLS answers \"Client sent an HTTP request to an HTTPS server.\"). \
                     The server is fine; the URL needs https://.",
                    probe.target
                ),
            )
            .subject(format!("port {port}"))
            .evidence(probe_evidence(probe))
            .fix(Fix::command(format!("curl -vk https://localhost:{port}/"))),
        ]
    }
}
