//! SAMP004: `param`, `service` or `operation` is missing, so Go's zero value is used.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, operation_name};
use crate::sampling::decode::Strategy;
use crate::yaml::Pos;

/// A field Jaeger needs is missing.
pub(crate) struct RequiredField;

const META: CheckMeta = CheckMeta {
    code: "SAMP004",
    slug: "strategy-field-missing",
    domain: Domain::Samp,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A strategy entry lacks param, service or operation",
    ok_title: "Every strategy entry has its param and name",
    doc: include_str!("../../../../../docs/checks/SAMP004.md"),
};

impl Check<Context> for RequiredField {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_strategy()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for entry in context.entries() {
            let e = entry.entry;
            if !entry.is_default && e.service.is_none() {
                findings.push(missing(
                    context,
                    e.pos,
                    &entry.label,
                    "service",
                    "The entry is stored under the empty service name, so no real service ever gets it.",
                    "Add `\"service\": \"NAME\"` with the exact service.name the SDK reports.",
                ));
            }
            findings.extend(param(context, &entry.label, &e.strategy, e.pos));
        }
        for (label, op) in context.operations() {
            let label = format!("{label}, operation \"{}\"", operation_name(op));
            if op.operation.is_none() {
                findings.push(missing(
                    context,
                    op.pos,
                    &label,
                    "operation",
                    "The rule is for spans named \"\" (the empty name), so it never applies.",
                    "Add `\"operation\": \"SPAN NAME\"` with the exact span name.",
                ));
            }
            if op
                .strategy
                .ty
                .as_ref()
                .is_some_and(|t| t.value == "probabilistic")
            {
                findings.extend(param(context, &label, &op.strategy, op.pos));
            }
        }
        findings
    }
}

fn missing(context: &Context, pos: Pos, label: &str, key: &str, why: &str, fix: &str) -> Finding {
    context
        .at(&META, pos, format!("{label}: no `{key}`"), why.to_owned())
        .subject(label.to_owned())
        .fix(Fix::manual(fix))
}

fn param(context: &Context, label: &str, strategy: &Strategy, pos: Pos) -> Option<Finding> {
    if strategy.param.is_some() {
        return None;
    }
    let meaning = match strategy.ty.as_ref().map(|t| t.value.as_str()) {
        Some("probabilistic") => "samplingRate 0: no trace is sampled",
        Some("ratelimiting") => "maxTracesPerSecond 0",
        _ => return None,
    };
    Some(missing(
        context,
        pos,
        label,
        "param",
        &format!("A missing `param` is Go's zero value, so Jaeger serves {meaning}."),
        "Add `\"param\"`: a probability in [0, 1] for probabilistic, traces per second for ratelimiting.",
    ))
}
