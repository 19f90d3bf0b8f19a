//! OTEL011: `memory_limiter` is not the first processor of a pipeline.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, Replacement};
use crate::collector::{Pipeline, Ref};
use crate::registry::Kind;

/// `memory_limiter` after other processors.
pub(crate) struct MemoryLimiterOrder;

const META: CheckMeta = CheckMeta {
    code: "OTEL011",
    slug: "memory-limiter-not-first",
    domain: Domain::Otel,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "memory_limiter is not the first processor of a pipeline",
    ok_title: "memory_limiter comes first in every pipeline that uses it",
    doc: include_str!("../../../../docs/checks/OTEL011.md"),
};

impl Check<Context> for MemoryLimiterOrder {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| {
            let used = context
                .collector
                .pipelines
                .iter()
                .any(|p| p.processors.iter().any(|r| is_memory_limiter(context, r)));
            (!used).then(|| "no pipeline uses memory_limiter".to_owned())
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for pipeline in &context.collector.pipelines {
            let processors = &pipeline.processors;
            for (index, reference) in processors.iter().enumerate().skip(1) {
                if !is_memory_limiter(context, reference) {
                    continue;
                }
                // One finding per pipeline: the first limiter that is not first.
                if processors[..index]
                    .iter()
                    .any(|r| is_memory_limiter(context, r))
                {
                    continue;
                }
                let before: Vec<&str> = processors[..index].iter().map(|r| r.id.as_str()).collect();
                findings.push(
                    context
                        .at(
                            &META,
                            reference.pos,
                            format!(
                                "pipeline `{}`: `{}` comes after {}",
                                pipeline.id,
                                reference.id,
                                before.join(", ")
                            ),
                            format!(
                                "Data reaches {} before the limiter can refuse it, so under memory pressure those \
                                 processors still take and hold it (a batch keeps up to a whole batch in memory); \
                                 the processor README puts memory_limiter first so it can shed load.",
                                before.join(", ")
                            ),
                        )
                        .subject(pipeline.id.clone())
                        .fix(fix(context, pipeline, index)),
                );
            }
        }
        findings
    }
}

fn is_memory_limiter(context: &Context, reference: &Ref) -> bool {
    context
        .collector
        .component(Kind::Processor, &reference.id)
        .map_or_else(
            || reference.id.split('/').next() == Some("memory_limiter"),
            |c| c.ty == "memory_limiter",
        )
}

/// Moves the limiter to the front by rewriting every item of the list in place.
fn fix(context: &Context, pipeline: &Pipeline, index: usize) -> Fix {
    let refs = &pipeline.processors;
    let mut order: Vec<&Ref> = refs.iter().collect();
    let limiter = order.remove(index);
    order.insert(0, limiter);
    let text = format!(
        "Move `{}` to the front of `{}`'s processors.",
        limiter.id, pipeline.id
    );
    let same_file = refs.iter().all(|r| r.pos.file == refs[0].pos.file);
    let replacements: Vec<Replacement> = refs
        .iter()
        .zip(&order)
        .map(|(slot, item)| Replacement {
            start: slot.pos,
            end: slot.end,
            text: item.id.clone(),
        })
        .collect();
    match same_file.then(|| context.edit(replacements)).flatten() {
        Some(edit) => Fix::edit(text, vec![edit]),
        None => Fix::manual(text),
    }
}
