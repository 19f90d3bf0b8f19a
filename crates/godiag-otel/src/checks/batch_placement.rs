//! OTEL012: where the `batch` processor sits, and batching done twice.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::collector::{Pipeline, Ref};
use crate::registry::{Kind, Version};
use crate::yaml::{Node, Value};

/// `batch` placement.
pub(crate) struct BatchPlacement;

const META: CheckMeta = CheckMeta {
    code: "OTEL012",
    slug: "batch-placement",
    domain: Domain::Otel,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "batch comes before processors that drop data or need request context, or batches twice",
    ok_title: "batch sits after the processors that drop data and batching happens once",
    doc: include_str!("../../../../docs/checks/OTEL012.md"),
};

/// Processors the processor README wants before `batch`: those that drop data (so it is
/// not batched first) and those that read the request context (which batching drops).
const BEFORE_BATCH: &[(&str, &str)] = &[
    ("filter", "drops data"),
    ("probabilistic_sampler", "drops data"),
    ("tail_sampling", "drops data"),
    (
        "k8sattributes",
        "reads the request context, which batching drops",
    ),
];

/// `sending_queue::batch: {}` has the batch processor's defaults from this release on.
const QUEUE_BATCH_DEFAULTS: Version = Version::new(138);

impl Check<Context> for BatchPlacement {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| {
            let used = context
                .collector
                .pipelines
                .iter()
                .any(|p| p.processors.iter().any(|r| type_of(context, r) == "batch"));
            (!used).then(|| "no pipeline uses the batch processor".to_owned())
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for pipeline in &context.collector.pipelines {
            let Some(index) = pipeline
                .processors
                .iter()
                .position(|r| type_of(context, r) == "batch")
            else {
                continue;
            };
            let batch = &pipeline.processors[index];
            findings.extend(order(context, pipeline, index));
            findings.extend(double_batching(context, pipeline, batch));
        }
        findings
    }
}

fn type_of<'a>(context: &'a Context, reference: &'a Ref) -> &'a str {
    context
        .collector
        .component(Kind::Processor, &reference.id)
        .map_or_else(
            || reference.id.split('/').next().unwrap_or_default(),
            |c| c.ty.as_str(),
        )
}

fn order(context: &Context, pipeline: &Pipeline, index: usize) -> Option<Finding> {
    let batch = &pipeline.processors[index];
    let after: Vec<(&Ref, &str)> = pipeline.processors[index + 1..]
        .iter()
        .filter_map(|r| {
            let ty = type_of(context, r);
            BEFORE_BATCH
                .iter()
                .find(|(t, _)| *t == ty)
                .map(|(_, why)| (r, *why))
        })
        .collect();
    let (first, _) = after.first()?;
    let listed: Vec<String> = after
        .iter()
        .map(|(r, why)| format!("`{}` ({why})", r.id))
        .collect();
    Some(
        context
            .at(
                &META,
                batch.pos,
                format!("pipeline `{}`: `{}` comes before `{}`", pipeline.id, batch.id, first.id),
                format!(
                    "The processor README orders processors memory_limiter, then sampling and filtering, then \
                     processors that need the request context, then batch: {} should run before `{}`.",
                    listed.join(", "),
                    batch.id
                ),
            )
            .subject(pipeline.id.clone())
            .fix(Fix::manual(format!(
                "Move `{}` after {} in `{}`'s processors.",
                batch.id,
                after.iter().map(|(r, _)| format!("`{}`", r.id)).collect::<Vec<_>>().join(", "),
                pipeline.id
            ))),
    )
}

/// Returns true when an exporter's `sending_queue` batches.
fn queue_batches(config: &Node) -> bool {
    let Some(queue) = config.get("sending_queue") else {
        return false;
    };
    if matches!(
        queue.get("enabled").map(|e| &e.value),
        Some(Value::Bool(false))
    ) {
        return false;
    }
    matches!(queue.get("batch").map(|b| &b.value), Some(Value::Map(_)))
}

fn double_batching(context: &Context, pipeline: &Pipeline, batch: &Ref) -> Vec<Finding> {
    let exporters: Vec<&Ref> = pipeline
        .exporters
        .iter()
        .filter(|r| {
            context
                .collector
                .component(Kind::Exporter, &r.id)
                .is_some_and(|c| queue_batches(&c.config))
        })
        .collect();
    if let Some(exporter) = exporters.first() {
        return vec![
            context
                .at(
                    &META,
                    batch.pos,
                    format!(
                        "pipeline `{}`: `{}` and exporter `{}`'s sending_queue both batch",
                        pipeline.id, batch.id, exporter.id
                    ),
                    "Data is batched twice: once by the processor and again in the exporter's queue, which adds \
                     the delays of both. The Collector's batching migration plan (docs/rfcs/batching-migration.md) \
                     moves batching into exporters and plans a start-up warning for this combination."
                        .to_owned(),
                )
                .subject(pipeline.id.clone())
                .fix(Fix::manual(format!(
                    "Keep one: remove `{}` from the pipeline, or `sending_queue::batch` from `{}`.",
                    batch.id, exporter.id
                ))),
        ];
    }
    if context.version < QUEUE_BATCH_DEFAULTS {
        return Vec::new();
    }
    vec![
        context
            .at(
                &META,
                batch.pos,
                format!("pipeline `{}` batches with the `batch` processor", pipeline.id),
                format!(
                    "The processor README recommends the exporter's own batching where available: since v0.138.0 \
                     `sending_queue: {{batch: {{}}}}` on an exporter batches with the batch processor's defaults \
                     (flush_timeout 200ms, min_size 8192, sizer items). The batch processor still works; the \
                     Collector plans to deprecate it (docs/rfcs/batching-migration.md) and v{} is the release \
                     checked against.",
                    context.version
                ),
            )
            .severity(Severity::Info)
            .subject(pipeline.id.clone())
            .fix(Fix::manual(format!(
                "Consider `sending_queue: {{batch: {{}}}}` on the exporters of `{}` and dropping `{}`.",
                pipeline.id, batch.id
            ))),
    ]
}
