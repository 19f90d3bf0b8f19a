//! OTEL010: a component in a pipeline of a signal it does not handle.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::collector::Role;
use crate::registry::{self, Kind, signal};

/// Components used for a signal they do not support; `profiles` pipelines without the gate.
pub(crate) struct SignalUnsupported;

const META: CheckMeta = CheckMeta {
    code: "OTEL010",
    slug: "signal-unsupported",
    domain: Domain::Otel,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A component is used in a pipeline of a signal it does not support",
    ok_title: "Every component supports the signals of the pipelines it is in",
    doc: include_str!("../../../../docs/checks/OTEL010.md"),
};

impl Check<Context> for SignalUnsupported {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| context.no_pipelines())
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let collector = &context.collector;
        let mut findings = Vec::new();
        for pipeline in &collector.pipelines {
            if pipeline.signal == "profiles" {
                findings.push(
                    context
                        .at(
                            &META,
                            pipeline.key_pos,
                            format!("pipeline `{}` needs the service.profilesSupport feature gate", pipeline.id),
                            format!(
                                "The Collector stops: `service::pipelines: pipeline \"{}\": profiling signal support is at alpha level, gated under the \"service.profilesSupport\" feature gate`.",
                                pipeline.id
                            ),
                        )
                        .subject(pipeline.id.clone())
                        .fix(Fix::command("otelcol-contrib --feature-gates=service.profilesSupport --config ...")),
                );
                continue;
            }
            let Some(bit) = signal::of(&pipeline.signal) else {
                continue;
            };
            for role in Role::ALL {
                for reference in pipeline.refs(role) {
                    let Some(component) = collector.resolve(role, &reference.id) else {
                        continue;
                    };
                    if component.kind == Kind::Connector {
                        continue;
                    }
                    let Some(known) = registry::lookup(component.kind, &component.ty) else {
                        continue;
                    };
                    if known.signals & bit != 0 {
                        continue;
                    }
                    findings.push(
                        context
                            .at(
                                &META,
                                reference.pos,
                                format!(
                                    "{} `{}` does not support {}",
                                    component.kind.singular(),
                                    component.id,
                                    pipeline.signal
                                ),
                                format!(
                                    "The Collector stops: `failed to build pipelines: failed to create \"{}\" {} for data type \"{}\": telemetry type is not supported`. `{}` handles {}.",
                                    component.id,
                                    component.kind.singular(),
                                    pipeline.signal,
                                    component.ty,
                                    signals_text(known.signals)
                                ),
                            )
                            .subject(format!("{}::{}", pipeline.id, component.id))
                            .fix(Fix::manual(format!(
                                "Move `{}` to a {} pipeline.",
                                component.id,
                                signals_text(known.signals)
                            ))),
                    );
                }
            }
        }
        findings
    }
}

fn signals_text(bits: u8) -> String {
    let names: Vec<&str> = [
        (signal::T, "traces"),
        (signal::M, "metrics"),
        (signal::L, "logs"),
    ]
    .iter()
    .filter(|(bit, _)| bits & bit != 0)
    .map(|(_, name)| *name)
    .collect();
    names.join(" or ")
}
