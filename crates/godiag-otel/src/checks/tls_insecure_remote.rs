//! OTEL017: TLS turned off or unverified toward a host other than this one.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::components::boolean;
use crate::endpoints::{endpoints, is_loopback};
use crate::registry::Kind;

/// `tls.insecure` or `tls.insecure_skip_verify` toward non-loopback endpoints.
pub(crate) struct TlsInsecureRemote;

const META: CheckMeta = CheckMeta {
    code: "OTEL017",
    slug: "tls-insecure-remote",
    domain: Domain::Otel,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "Telemetry leaves the host without TLS or without certificate checks",
    ok_title: "Exporters to other hosts use verified TLS",
    doc: include_str!("../../../../docs/checks/OTEL017.md"),
};

impl Check<Context> for TlsInsecureRemote {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context
            .unusable()
            .or_else(|| context.without(Kind::Exporter))
            .or_else(|| {
                context
                    .collector
                    .of_kind(Kind::Exporter)
                    .all(|e| endpoints(&e.config).iter().all(|e| is_loopback(&e.host)))
                    .then(|| "no exporter names an endpoint on another host".to_owned())
            })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for exporter in context.collector.of_kind(Kind::Exporter) {
            let Some(tls) = exporter.config.entry("tls") else {
                continue;
            };
            for (key, what) in [
                ("insecure", "without TLS (plaintext)"),
                (
                    "insecure_skip_verify",
                    "without checking the server's certificate",
                ),
            ] {
                if boolean(&tls.value, key) != Some(true) {
                    continue;
                }
                let remote: Vec<String> = endpoints(&exporter.config)
                    .iter()
                    .filter(|e| !is_loopback(&e.host))
                    .map(|e| e.text.to_owned())
                    .collect();
                if remote.is_empty() {
                    continue;
                }
                let pos = tls.value.entry(key).map_or(tls.key_pos, |e| e.key_pos);
                let https = remote.iter().any(|e| e.starts_with("https://")) && key == "insecure";
                findings.push(
                    context
                        .at(
                            &META,
                            pos,
                            format!("{} sends to {} {what}", exporter.id, remote.join(", ")),
                            if https {
                                "For an `https://` endpoint `tls.insecure` is ignored (collector#4829); it \
                                 reads as if TLS were off, which hides what the connection really does."
                                    .to_owned()
                            } else {
                                "Spans, logs and metrics carry user data, tokens in headers and internal \
                                 hostnames; across a network they can be read or altered in transit."
                                    .to_owned()
                            },
                        )
                        .subject(format!("exporters::{}", exporter.id))
                        .fix(Fix::manual(format!(
                            "Remove `tls.{key}: true` and give the backend's CA with `tls.ca_file`, or keep it only for a loopback endpoint."
                        ))),
                );
            }
        }
        findings
    }
}
