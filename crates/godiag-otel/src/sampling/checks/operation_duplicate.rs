//! SAMP009: one operation listed twice in one strategy.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, operation_name};

/// An operation listed twice.
pub(crate) struct DuplicateOperation;

const META: CheckMeta = CheckMeta {
    code: "SAMP009",
    slug: "operation-duplicate",
    domain: Domain::Samp,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "An operation is listed twice in one strategy",
    ok_title: "No operation is listed twice in one strategy",
    doc: include_str!("../../../../../docs/checks/SAMP009.md"),
};

impl Check<Context> for DuplicateOperation {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_operations()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for entry in context.entries() {
            // Ratelimiting entries are dropped before serving, so they duplicate nothing.
            let kept: Vec<_> = entry
                .entry
                .operation_strategies
                .iter()
                .flatten()
                .filter(|op| {
                    op.strategy
                        .ty
                        .as_ref()
                        .is_none_or(|t| t.value != "ratelimiting")
                })
                .collect();
            for (index, op) in kept.iter().enumerate() {
                let name = operation_name(op);
                let Some(later) = kept[index + 1..]
                    .iter()
                    .rev()
                    .find(|later| operation_name(later) == name)
                else {
                    continue;
                };
                let label = format!("{}, operation \"{name}\"", entry.label);
                let text = "Remove this entry; the later one is the one SDKs use.";
                let fix = match context.remove(&op.slot) {
                    Some(edit) => Fix::edit(text, vec![edit]),
                    None => Fix::manual(text),
                };
                findings.push(
                    context
                        .at(
                            &META,
                            op.pos,
                            format!("{label} is listed again at line {}", later.pos.line),
                            "Jaeger serves both entries; the Go SDK builds a map from the list, so the \
                             last one wins and this one has no effect."
                                .to_owned(),
                        )
                        .subject(label)
                        .fix(fix),
                );
            }
        }
        findings
    }
}
