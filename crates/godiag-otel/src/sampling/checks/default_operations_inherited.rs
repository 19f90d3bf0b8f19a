//! SAMP014: `default_strategy`'s operation rules are merged into every service.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::sampling::response::go_float;

/// Operation rules a service gets from `default_strategy`.
pub(crate) struct DefaultOperationsInherited;

const META: CheckMeta = CheckMeta {
    code: "SAMP014",
    slug: "default-operations-inherited",
    domain: Domain::Samp,
    severity: Severity::Info,
    status: CheckStatus::Stable,
    title: "A service inherits operation rules from default_strategy",
    ok_title: "No service inherits operation rules it does not list",
    doc: include_str!("../../../../../docs/checks/SAMP014.md"),
};

impl Check<Context> for DefaultOperationsInherited {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.not_served().or_else(|| {
            let strategies = context.decoded.strategies.as_ref()?;
            if strategies
                .default_strategy
                .as_ref()
                .is_none_or(|default| default.operation_strategies.is_empty())
            {
                Some("default_strategy lists no operation_strategies".to_owned())
            } else if strategies
                .service_strategies
                .iter()
                .flatten()
                .next()
                .is_none()
            {
                Some("the file has no service_strategies".to_owned())
            } else {
                None
            }
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Ok(store) = context.store() else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        for entry in context.entries().into_iter().filter(|e| !e.is_default) {
            let Some(name) = &entry.entry.service else {
                continue;
            };
            if !context.is_served(entry.entry) {
                continue;
            }
            let response = store.get(&name.value);
            let Some(sampling) = &response.operation_sampling else {
                continue;
            };
            let inherited: Vec<String> = sampling
                .per_operation
                .iter()
                .filter(|op| op.inherited)
                .map(|op| format!("`{}` at {}", op.operation, go_float(op.sampling_rate)))
                .collect();
            if inherited.is_empty() {
                continue;
            }
            findings.push(
                context
                    .at(
                        &META,
                        name.pos,
                        format!("{} also gets {} operation rule(s) from default_strategy", entry.label, inherited.len()),
                        format!(
                            "Jaeger merges default_strategy's operation_strategies into every service, so {} \
                             is also served {}; its other operations are sampled with probability {}.",
                            entry.label,
                            inherited.join(", "),
                            go_float(sampling.default_sampling_probability)
                        ),
                    )
                    .subject(entry.label.clone())
                    .fix(Fix::manual(
                        "To give this service another rate for one of these operations, list the operation in \
                         its own operation_strategies; its entries win by operation name.",
                    )),
            );
        }
        findings
    }
}
