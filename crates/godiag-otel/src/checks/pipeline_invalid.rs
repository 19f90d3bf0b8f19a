//! OTEL009: the pipeline graph is one the Collector refuses to build.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::collector::{Pipeline, Role};
use crate::registry::Kind;
use crate::yaml::Pos;

/// Missing pipelines, empty pipelines, repeated processors, connectors used on one side.
pub(crate) struct PipelineInvalid;

const META: CheckMeta = CheckMeta {
    code: "OTEL009",
    slug: "pipeline-invalid",
    domain: Domain::Otel,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A pipeline is incomplete or wired in a way the Collector rejects",
    ok_title: "Every pipeline has receivers and exporters and is wired consistently",
    doc: include_str!("../../../../docs/checks/OTEL009.md"),
};

impl Check<Context> for PipelineInvalid {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| context.no_components())
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let collector = &context.collector;
        let Some(root) = &collector.root else {
            return Vec::new();
        };
        if Kind::ALL
            .iter()
            .all(|kind| collector.of_kind(*kind).next().is_none())
        {
            return Vec::new(); // OTEL001 reports an empty config.
        }
        let mut findings = Vec::new();
        let whole = |title: &str, message: &str| {
            Finding::new(&META, title, message)
                .location(context.location(root.pos))
                .fix(Fix::manual(
                    "Define what is missing and use it in a pipeline.",
                ))
        };
        if collector.of_kind(Kind::Receiver).next().is_none() {
            findings.push(whole(
                "No receiver is defined",
                "The Collector stops: `no receiver configuration specified in config`.",
            ));
        }
        if collector.of_kind(Kind::Exporter).next().is_none() {
            findings.push(whole(
                "No exporter is defined",
                "The Collector stops: `no exporter configuration specified in config`.",
            ));
        }
        if collector.pipelines.is_empty() {
            let pos = root.get("service").map_or(root.pos, |service| {
                service.get("pipelines").map_or(service.pos, |p| p.pos)
            });
            findings.push(
                context
                    .at(
                        &META,
                        pos,
                        "No pipeline is defined",
                        "The Collector stops: `service::pipelines: service must have at least one pipeline`.",
                    )
                    .fix(Fix::manual("Add a pipeline under `service.pipelines`, e.g. `traces: {receivers: [otlp], exporters: [otlp]}`.")),
            );
        }
        for pipeline in &collector.pipelines {
            findings.extend(pipeline_findings(context, pipeline));
        }
        findings.extend(connector_findings(context));
        findings
    }
}

fn pipeline_findings(context: &Context, pipeline: &Pipeline) -> Vec<Finding> {
    let mut findings = Vec::new();
    for role in [Role::Receivers, Role::Exporters] {
        if pipeline.refs(role).is_empty() {
            findings.push(
                context
                    .at(
                        &META,
                        pipeline.key_pos,
                        format!("pipeline `{}` has no {}", pipeline.id, role.key()),
                        format!(
                            "The Collector stops: `service::pipelines::{}: must have at least one {}`.",
                            pipeline.id,
                            role.noun()
                        ),
                    )
                    .subject(pipeline.id.clone())
                    .fix(Fix::manual(format!("List at least one {} in `{}`.", role.noun(), pipeline.id))),
            );
        }
        for (index, reference) in pipeline.refs(role).iter().enumerate() {
            if pipeline.refs(role)[..index]
                .iter()
                .any(|r| r.id == reference.id)
            {
                findings.push(
                    context
                        .at(
                            &META,
                            reference.pos,
                            format!("{} `{}` is listed twice in `{}`", role.noun(), reference.id, pipeline.id),
                            "The Collector accepts this, but the duplicate adds nothing: each receiver or \
                             exporter runs once per pipeline.",
                        )
                        .severity(Severity::Warning)
                        .subject(pipeline.id.clone())
                        .fix(Fix::manual("Remove the duplicate.")),
                );
            }
        }
    }
    for (index, reference) in pipeline.processors.iter().enumerate() {
        if pipeline.processors[..index]
            .iter()
            .any(|r| r.id == reference.id)
        {
            findings.push(
                context
                    .at(
                        &META,
                        reference.pos,
                        format!("processor `{}` is listed twice in `{}`", reference.id, pipeline.id),
                        format!(
                            "The Collector stops: `service::pipelines::{}: references processor \"{}\" multiple times`.",
                            pipeline.id, reference.id
                        ),
                    )
                    .subject(pipeline.id.clone())
                    .fix(Fix::manual("Remove the duplicate, or define a second instance (`batch/2`).")),
            );
        }
    }
    findings
}

fn connector_findings(context: &Context) -> Vec<Finding> {
    let collector = &context.collector;
    let mut findings = Vec::new();
    for connector in collector.of_kind(Kind::Connector) {
        for other in [Kind::Exporter, Kind::Receiver] {
            if collector.component(other, &connector.id).is_some() {
                findings.push(
                    context
                        .at(
                            &META,
                            connector.key_pos,
                            format!("`{}` is both {} and a connector", connector.id, other.singular()),
                            format!(
                                "The Collector stops: `connectors::{}: ambiguous ID: Found both \"{}\" {} and \"{}\" connector`.",
                                connector.id, connector.id, other.singular(), connector.id
                            ),
                        )
                        .subject(connector.id.clone())
                        .fix(Fix::manual(format!("Rename the connector, e.g. `{}/connector`.", connector.id))),
                );
            }
        }
        let used_as = |role: Role| -> Option<Pos> {
            collector
                .pipelines
                .iter()
                .flat_map(|p| p.refs(role))
                .find(|r| r.id == connector.id)
                .map(|r| r.pos)
        };
        let as_exporter = used_as(Role::Exporters);
        let as_receiver = used_as(Role::Receivers);
        let (pos, used, missing) = match (as_exporter, as_receiver) {
            (Some(pos), None) => (pos, "exporter", "receiver"),
            (None, Some(pos)) => (pos, "receiver", "exporter"),
            _ => continue,
        };
        findings.push(
            context
                .at(
                    &META,
                    pos,
                    format!("connector `{}` is used only as {used}", connector.id),
                    format!(
                        "A connector joins two pipelines: it must be an exporter of one and a receiver of \
                         another. The Collector stops: `connector \"{}\" used as {used} ... but not used in any \
                         supported {missing} pipeline`.",
                        connector.id
                    ),
                )
                .subject(connector.id.clone())
                .fix(Fix::manual(format!("List `{}` as the {missing} of the pipeline it feeds.", connector.id))),
        );
    }
    findings
}
