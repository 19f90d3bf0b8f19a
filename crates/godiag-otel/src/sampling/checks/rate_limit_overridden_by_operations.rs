//! SAMP013: a ratelimiting strategy whose response also carries operation sampling.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::sampling::response::go_float;

/// A rate limit that SDKs never apply.
pub(crate) struct OperationsOverrideRateLimit;

const META: CheckMeta = CheckMeta {
    code: "SAMP013",
    slug: "rate-limit-overridden-by-operations",
    domain: Domain::Samp,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A rate limit is served together with operation sampling, which SDKs apply instead",
    ok_title: "No rate limit is shadowed by operation sampling",
    doc: include_str!("../../../../../docs/checks/SAMP013.md"),
};

impl Check<Context> for OperationsOverrideRateLimit {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context
            .not_served()
            .or_else(|| context.no_strategy_of("ratelimiting", false))
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Ok(store) = context.store() else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        for entry in context.entries() {
            let response = if entry.is_default {
                &store.default
            } else {
                match &entry.entry.service {
                    Some(name) if context.is_served(entry.entry) => store.get(&name.value),
                    _ => continue,
                }
            };
            let (Some(limit), Some(sampling)) =
                (response.rate_limiting, &response.operation_sampling)
            else {
                continue;
            };
            let Some(ty) = &entry.entry.strategy.ty else {
                continue;
            };
            let own = !entry.entry.operation_strategies.is_empty();
            let source = if own {
                "its own operation_strategies"
            } else {
                "the operation_strategies it inherits from default_strategy"
            };
            findings.push(
                context
                    .at(
                        &META,
                        ty.pos,
                        format!("{}: the rate limit of {limit}/s is never applied", entry.label),
                        format!(
                            "Because of {source}, Jaeger serves rateLimitingSampling and operationSampling \
                             together; the Go, JS and Rust SDKs use operationSampling first, so spans of the \
                             listed operations get their probabilities and every other operation is sampled \
                             with probability {}, not at {limit} traces per second.",
                            go_float(sampling.default_sampling_probability)
                        ),
                    )
                    .subject(entry.label.clone())
                    .fix(Fix::manual(
                        "Make the strategy probabilistic, or (for its own rules) drop its operation_strategies; \
                         rules inherited from default_strategy cannot be turned off for one service.",
                    )),
            );
        }
        findings
    }
}
