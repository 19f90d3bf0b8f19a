//! SAMP003: a strategy without a known `type` becomes probabilistic with the default
//! probability.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, operation_name};
use crate::sampling::decode::{Setting, Strategy};
use crate::sampling::response::go_float;
use crate::yaml::Pos;

/// `type` is missing or not `probabilistic`/`ratelimiting`.
pub(crate) struct StrategyTypeUnknown;

const META: CheckMeta = CheckMeta {
    code: "SAMP003",
    slug: "strategy-type-unknown",
    domain: Domain::Samp,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A strategy's type is missing or unknown",
    ok_title: "Every strategy is probabilistic or ratelimiting",
    doc: include_str!("../../../../../docs/checks/SAMP003.md"),
};

impl Check<Context> for StrategyTypeUnknown {
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
            let has_ops = !e.operation_strategies.is_empty();
            findings.extend(check(context, &entry.label, &e.strategy, e.pos, has_ops));
        }
        for (label, op) in context.operations() {
            let label = format!("{label}, operation \"{}\"", operation_name(op));
            findings.extend(check(context, &label, &op.strategy, op.pos, false));
        }
        findings
    }
}

fn check(
    context: &Context,
    label: &str,
    strategy: &Strategy,
    pos: Pos,
    has_ops: bool,
) -> Option<Finding> {
    let default = go_float(context.default_probability);
    let served = format!(
        "Jaeger logs `Failed to parse sampling strategy` and serves probabilistic sampling with \
         default_sampling_probability ({default}) instead"
    );
    match &strategy.ty {
        Some(ty) if matches!(ty.value.as_str(), "probabilistic" | "ratelimiting") => None,
        Some(ty) => Some(unknown(context, label, ty, &served)),
        None => {
            let (severity, detail) = if strategy.param.is_none() && has_ops {
                (
                    Severity::Warning,
                    " — for every operation not listed in its operation_strategies too, not the default_strategy's rate"
                        .to_owned(),
                )
            } else {
                (Severity::Error, String::new())
            };
            Some(
                context
                    .at(
                        &META,
                        pos,
                        format!("{label}: no `type`"),
                        format!("{served}{detail}."),
                    )
                    .severity(severity)
                    .subject(label.to_owned())
                    .fix(Fix::manual(
                        "Add `\"type\": \"probabilistic\"` (param is a probability in [0, 1]) or \
                         `\"type\": \"ratelimiting\"` (param is traces per second).",
                    )),
            )
        }
    }
}

fn unknown(context: &Context, label: &str, ty: &Setting<String>, served: &str) -> Finding {
    let meant = intended(&ty.value);
    let mut message = format!("`{}` is not a strategy type: {served}.", ty.value);
    if matches!(
        ty.value.to_ascii_lowercase().as_str(),
        "const" | "remote" | "adaptive"
    ) {
        message.push_str(
            " `const` and `remote` are client sampler kinds and adaptive sampling is configured on \
             the Jaeger collector, not in this file.",
        );
    }
    let fix = match meant {
        Some(meant) => {
            let text =
                format!("Write `\"type\": \"{meant}\"` (the match is exact and case-sensitive).");
            match context.replace(ty.pos, ty.end, format!("\"{meant}\"")) {
                Some(edit) => Fix::edit(text, vec![edit]),
                None => Fix::manual(text),
            }
        }
        None => Fix::manual("Use `probabilistic` or `ratelimiting`."),
    };
    context
        .at(
            &META,
            ty.pos,
            format!("{label}: unknown type `{}`", ty.value),
            message,
        )
        .subject(label.to_owned())
        .fix(fix)
}

/// Returns the type a misspelling means, when that is clear.
fn intended(written: &str) -> Option<&'static str> {
    let letters: String = written
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if letters.starts_with("probabilis") {
        Some("probabilistic")
    } else if letters.starts_with("ratelimit") {
        Some("ratelimiting")
    } else {
        None
    }
}
