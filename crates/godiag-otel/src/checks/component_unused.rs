//! OTEL005: a receiver, processor, exporter or connector is defined but in no pipeline.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::collector::Role;
use crate::registry::Kind;

/// Components no pipeline uses.
pub(crate) struct ComponentUnused;

const META: CheckMeta = CheckMeta {
    code: "OTEL005",
    slug: "component-unused",
    domain: Domain::Otel,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A component is defined but no pipeline uses it",
    ok_title: "Every defined receiver, processor, exporter and connector is in a pipeline",
    doc: include_str!("../../../../docs/checks/OTEL005.md"),
};

impl Check<Context> for ComponentUnused {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| {
            context
                .collector
                .components
                .iter()
                .all(|c| c.kind == Kind::Extension)
                .then(|| {
                    "the config defines no receiver, processor, exporter or connector".to_owned()
                })
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let collector = &context.collector;
        let used = |kind: Kind, id: &str| {
            collector.pipelines.iter().any(|pipeline| {
                Role::ALL.iter().any(|role| {
                    crate::collector::Collector::kinds_for(*role).contains(&kind)
                        && pipeline.refs(*role).iter().any(|r| r.id == id)
                })
            })
        };
        collector
            .components
            .iter()
            .filter(|component| component.kind != Kind::Extension)
            .filter(|component| !used(component.kind, &component.id))
            .map(|component| {
                context
                    .at(
                        &META,
                        component.key_pos,
                        format!("{} `{}` is not in any pipeline", component.kind.singular(), component.id),
                        format!(
                            "The Collector accepts this silently and never starts it, so whatever it \
                             was meant to {} is not happening. `otelcol validate` does not warn about it.",
                            match component.kind {
                                Kind::Receiver => "receive",
                                Kind::Processor => "do to the data",
                                Kind::Exporter => "export",
                                _ => "connect",
                            }
                        ),
                    )
                    .subject(format!("{}::{}", component.kind.section(), component.id))
                    .fix(Fix::manual(format!(
                        "Add `{}` to the `{}` of a pipeline under `service.pipelines`, or delete its definition.",
                        component.id,
                        match component.kind {
                            Kind::Receiver => "receivers",
                            Kind::Processor => "processors",
                            Kind::Exporter => "exporters",
                            _ => "exporters of one pipeline and the receivers",
                        }
                    )))
            })
            .collect()
    }
}
