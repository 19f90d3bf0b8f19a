//! NET009: the server speaks TLS.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, probe_evidence};
use crate::model::{ConnectOutcome, Protocol};

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

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context
            .no_listener()
            .or_else(|| context.no_probe())
            .or_else(|| {
                if !context
                    .probes
                    .iter()
                    .any(|p| p.outcome == ConnectOutcome::Open)
                {
                    Some(format!("no connection to port {} succeeded", context.port))
                } else if context.probes.iter().all(|p| p.protocol.is_none()) {
                    Some("no probe read the server's answer".to_owned())
                } else {
                    None
                }
            })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(probe) = context
            .probes
            .iter()
            .find(|probe| probe.protocol == Some(Protocol::Tls))
        else {
            return not_http(context);
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

/// The passing finding when no probe met TLS: the check's own statement when one met HTTP,
/// otherwise what was seen, since "answers plain HTTP" would claim more than was found.
fn not_http(context: &Context) -> Vec<Finding> {
    if context
        .probes
        .iter()
        .any(|probe| probe.protocol == Some(Protocol::Http))
    {
        return Vec::new();
    }
    let port = context.port;
    let mut ok = Finding::ok(&META).subject(format!("port {port}"));
    ok.title = if context
        .probes
        .iter()
        .any(|probe| probe.protocol == Some(Protocol::Other))
    {
        format!("Port {port} does not speak TLS; it answers, but not with HTTP")
    } else {
        format!("Port {port} does not speak TLS; it answers nothing to an HTTP request")
    };
    for probe in &context.probes {
        let answer = match probe.protocol {
            Some(Protocol::Other) => "an answer that is neither HTTP nor TLS",
            Some(Protocol::Silent) => "no answer",
            _ => continue,
        };
        ok = ok.evidence(Evidence::probe(
            format!("plain HTTP request to {}: {answer}", probe.target),
            probe.duration_ms,
        ));
    }
    vec![ok]
}
