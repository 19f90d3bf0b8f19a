//! SAMP007: ratelimiting operation entries, which Jaeger drops.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, operation_name};
use crate::sampling::response::go_float;

/// An operation entry of type ratelimiting.
pub(crate) struct OperationRatelimiting;

const META: CheckMeta = CheckMeta {
    code: "SAMP007",
    slug: "operation-ratelimiting-dropped",
    domain: Domain::Samp,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A ratelimiting operation strategy is dropped",
    ok_title: "Every operation strategy is probabilistic",
    doc: include_str!("../../../../../docs/checks/SAMP007.md"),
};

impl Check<Context> for OperationRatelimiting {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_operations()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        // An entry a later one replaces is SAMP008's; editing it would change nothing served.
        for entry in context.served_entries() {
            let strategy = &entry.entry.strategy;
            // The parent's defaultSamplingProbability, which the warning quotes.
            let parent = match (&strategy.ty, &strategy.param) {
                (Some(ty), param) if ty.value == "probabilistic" => {
                    param.as_ref().map_or(0.0, |p| p.value)
                }
                _ => context.default_probability,
            };
            for op in entry.entry.operation_strategies.iter().flatten() {
                let Some(ty) = op
                    .strategy
                    .ty
                    .as_ref()
                    .filter(|t| t.value == "ratelimiting")
                else {
                    continue;
                };
                let name = operation_name(op);
                let label = format!("{}, operation \"{name}\"", entry.label);
                let warning = format!(
                    "Operation strategies only supports probabilistic sampling at the moment,'{name}' \
                     defaulting to probabilistic sampling with probability {parent:.6}"
                );
                let text = format!(
                    "Remove the entry (Jaeger ignores it), or make it probabilistic with the share of \
                     `{name}` spans to keep; the operation is now sampled at {}.",
                    go_float(parent)
                );
                let fix = match context.remove(&op.slot) {
                    Some(edit) => Fix::edit(text, vec![edit]),
                    None => Fix::manual(text),
                };
                findings.push(
                    context
                        .at(
                            &META,
                            ty.pos,
                            format!("{label}: ratelimiting per operation is not supported"),
                            format!(
                                "Jaeger drops the entry and logs `{warning}`; the operation gets the \
                                 strategy's default probability."
                            ),
                        )
                        .subject(label)
                        .fix(fix),
                );
            }
        }
        findings
    }
}
