//! OTEL018: an OTLP exporter aimed at the other protocol's port, or at Jaeger's legacy ports.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, Replacement};
use crate::endpoints::endpoints;
use crate::registry::Kind;

/// OTLP gRPC vs HTTP ports (4317/4318), paths on gRPC, missing schemes, Jaeger 14250/14268.
pub(crate) struct OtlpEndpointMismatch;

const META: CheckMeta = CheckMeta {
    code: "OTEL018",
    slug: "otlp-endpoint-mismatch",
    domain: Domain::Otel,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "An exporter's endpoint does not match its protocol",
    ok_title: "OTLP exporters point at the port and form of their protocol",
    doc: include_str!("../../../../docs/checks/OTEL018.md"),
};

impl Check<Context> for OtlpEndpointMismatch {
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
                    .all(|e| endpoints(&e.config).is_empty())
                    .then(|| "no exporter sets an endpoint".to_owned())
            })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for exporter in context.collector.of_kind(Kind::Exporter) {
            let http = matches!(exporter.ty.as_str(), "otlphttp" | "otlp_http");
            let grpc = matches!(exporter.ty.as_str(), "otlp" | "otlp_grpc" | "jaeger");
            for endpoint in endpoints(&exporter.config) {
                let problem = if endpoint.port == Some(14250) || endpoint.port == Some(14268) {
                    Some((
                        "Jaeger's legacy port",
                        format!(
                            "Port {} is Jaeger's legacy model.proto/Thrift collector port; OTLP sent there fails with \
                             `unknown service opentelemetry.proto.collector.trace.v1.TraceService`. Jaeger ≥ 1.35 takes \
                             OTLP on 4317 (gRPC) and 4318 (HTTP).",
                            endpoint.port.unwrap_or_default()
                        ),
                        Some((
                            if http { ":4318" } else { ":4317" },
                            endpoint.port.unwrap_or_default(),
                        )),
                    ))
                } else if http && endpoint.port == Some(4317) {
                    Some((
                        "the OTLP gRPC port",
                        "`otlphttp` speaks HTTP; 4317 is OTLP/gRPC, which answers with `malformed HTTP response` or \
                         a connection reset. OTLP/HTTP is on 4318."
                            .to_owned(),
                        Some((":4318", 4317)),
                    ))
                } else if grpc && endpoint.port == Some(4318) {
                    Some((
                        "the OTLP HTTP port",
                        "The `otlp` exporter speaks gRPC; 4318 is OTLP/HTTP. gRPC is on 4317."
                            .to_owned(),
                        Some((":4317", 4318)),
                    ))
                } else if grpc && endpoint.path.len() > 1 {
                    Some((
                        "a URL path",
                        "gRPC endpoints are `host:port`; a path such as `/v1/traces` makes the dial fail \
                         (`lookup tcp/4318/v1/traces: unknown port`)."
                            .to_owned(),
                        None,
                    ))
                } else if http && endpoint.scheme.is_none() {
                    Some((
                        "no scheme",
                        "`otlphttp` needs a URL (`http://host:4318` or `https://...`); without a scheme the request \
                         fails or goes to the wrong place."
                            .to_owned(),
                        None,
                    ))
                } else {
                    None
                };
                let Some((what, message, port_fix)) = problem else {
                    continue;
                };
                let fix = port_fix
                    .and_then(|(new, old)| {
                        let needle = format!(":{old}");
                        let (start, end) = context.find_in_line(endpoint.node.pos, &needle);
                        let edit = context.edit(vec![Replacement {
                            start,
                            end: end?,
                            text: new.to_owned(),
                        }])?;
                        Some(Fix::edit(format!("Use port {}.", &new[1..]), vec![edit]))
                    })
                    .unwrap_or_else(|| {
                        Fix::manual("Point the exporter at the endpoint form its protocol uses.")
                    });
                findings.push(
                    context
                        .at(
                            &META,
                            endpoint.node.pos,
                            format!("{} endpoint `{}` uses {what}", exporter.id, endpoint.text),
                            message,
                        )
                        .subject(format!("exporters::{}", exporter.id))
                        .fix(fix),
                );
            }
        }
        findings
    }
}
