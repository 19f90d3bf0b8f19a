//! SAMP005: a probabilistic `param` outside [0, 1].

use std::fmt::Write as _;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, operation_name};
use crate::sampling::decode::Strategy;

/// A sampling probability outside [0, 1].
pub(crate) struct ProbabilityRange;

const META: CheckMeta = CheckMeta {
    code: "SAMP005",
    slug: "probability-out-of-range",
    domain: Domain::Samp,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A sampling probability is outside [0, 1]",
    ok_title: "Every sampling probability is within [0, 1]",
    doc: include_str!("../../../../../docs/checks/SAMP005.md"),
};

impl Check<Context> for ProbabilityRange {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_strategy_of("probabilistic", true)
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut all: Vec<(String, &Strategy)> = Vec::new();
        for entry in context.served_entries() {
            all.push((entry.label.clone(), &entry.entry.strategy));
            all.extend(entry.entry.operation_strategies.iter().flatten().map(|op| {
                (
                    format!("{}, operation \"{}\"", entry.label, operation_name(op)),
                    &op.strategy,
                )
            }));
        }
        all.into_iter()
            .filter_map(|(label, strategy)| check(context, &label, strategy))
            .collect()
    }
}

fn check(context: &Context, label: &str, strategy: &Strategy) -> Option<Finding> {
    if strategy.ty.as_ref()?.value != "probabilistic" {
        return None;
    }
    let param = strategy.param.as_ref()?;
    let p = param.value;
    if (0.0..=1.0).contains(&p) {
        return None;
    }
    let (clamped, effect) = if p > 1.0 {
        (
            "1",
            "the Go and JS SDKs sample every trace, the Java SDK refuses it (`ratio must be in range [0.0, 1.0]`)",
        )
    } else {
        (
            "0",
            "the Go and JS SDKs sample no trace, the Java SDK refuses it (`ratio must be in range [0.0, 1.0]`)",
        )
    };
    let mut text =
        format!("Use a probability in [0, 1]; {clamped} keeps what the Go SDK does today.");
    if p > 1.0 && p <= 100.0 {
        let _ = write!(
            text,
            " If {} was meant as a percentage, write {}.",
            param.raw,
            p / 100.0
        );
    }
    let fix = match context.replace(param.pos, param.end, clamped) {
        Some(edit) => Fix::edit(text, vec![edit]),
        None => Fix::manual(text),
    };
    Some(
        context
            .at(
                &META,
                param.pos,
                format!("{label}: probability {} is outside [0, 1]", param.raw),
                format!(
                    "Jaeger checks no range and serves samplingRate {} as is; {effect}.",
                    param.raw
                ),
            )
            .subject(label.to_owned())
            .fix(fix),
    )
}
