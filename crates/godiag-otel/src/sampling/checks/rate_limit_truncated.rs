//! SAMP006: a ratelimiting `param` that Jaeger's `int32(param)` changes.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::sampling::provider::go_int32;

/// A rate limit Jaeger truncates or overflows.
pub(crate) struct RateLimitTruncated;

const META: CheckMeta = CheckMeta {
    code: "SAMP006",
    slug: "rate-limit-truncated",
    domain: Domain::Samp,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A rate limit is not a whole number of traces per second Jaeger can serve",
    ok_title: "Every rate limit is a whole number of traces per second",
    doc: include_str!("../../../../../docs/checks/SAMP006.md"),
};

impl Check<Context> for RateLimitTruncated {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_strategy_of("ratelimiting", false)
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for entry in context.entries() {
            let strategy = &entry.entry.strategy;
            if strategy
                .ty
                .as_ref()
                .is_none_or(|t| t.value != "ratelimiting")
            {
                continue;
            }
            let Some(param) = &strategy.param else {
                continue;
            };
            let served = go_int32(param.value);
            if param.value.fract() == 0.0 && (1.0..2_147_483_648.0).contains(&param.value) {
                continue;
            }
            let label = &entry.label;
            let title = format!(
                "{label}: rate limit {} is served as {served} traces per second",
                param.raw
            );
            let (severity, message, fix) = if param.value >= 2_147_483_648.0 {
                (
                    Severity::Error,
                    format!(
                        "Jaeger converts the limit with Go's int32({}), which overflows: on amd64 it serves \
                         maxTracesPerSecond -2147483648 (arm64 saturates at 2147483647).",
                        param.raw
                    ),
                    edit(
                        context,
                        param.pos,
                        param.end,
                        "2147483647",
                        "Use at most 2147483647.",
                    ),
                )
            } else if served < 1 {
                (
                    Severity::Error,
                    format!(
                        "Jaeger converts the limit with Go's int32({}), which truncates toward zero, so it serves \
                         maxTracesPerSecond {served}: no trace-per-second budget at all.",
                        param.raw
                    ),
                    Fix::manual(
                        "Rate limits are whole traces per second, at least 1; for less, use \
                         `\"type\": \"probabilistic\"` with a small probability.",
                    ),
                )
            } else {
                (
                    Severity::Warning,
                    format!(
                        "Jaeger converts the limit with Go's int32({}), which truncates toward zero.",
                        param.raw
                    ),
                    edit(
                        context,
                        param.pos,
                        param.end,
                        &served.to_string(),
                        &format!("Write {served}, the limit Jaeger serves."),
                    ),
                )
            };
            findings.push(
                context
                    .at(&META, param.pos, title, message)
                    .severity(severity)
                    .subject(label.clone())
                    .fix(fix),
            );
        }
        findings
    }
}

fn edit(
    context: &Context,
    pos: crate::yaml::Pos,
    end: crate::yaml::Pos,
    text: &str,
    message: &str,
) -> Fix {
    match context.replace(pos, end, text) {
        Some(edit) => Fix::edit(message, vec![edit]),
        None => Fix::manual(message),
    }
}
