//! SAMP018: what SDKs do with a rate-limiting strategy.

use std::fmt::Write as _;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;

/// A served rate-limiting strategy.
pub(crate) struct RateLimitingSupport;

const META: CheckMeta = CheckMeta {
    code: "SAMP018",
    slug: "rate-limiting-client-support",
    domain: Domain::Samp,
    severity: Severity::Info,
    status: CheckStatus::Stable,
    title: "A rate limit applies per SDK process, and not every SDK applies it",
    ok_title: "No rate-limiting strategy is served",
    doc: include_str!("../../../../../docs/checks/SAMP018.md"),
};

/// From this many traces per second per process on, a limit rarely limits anything.
const EFFECTIVELY_UNLIMITED: f64 = 1000.0;

impl Check<Context> for RateLimitingSupport {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_strategy()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context
            .entries()
            .into_iter()
            .filter_map(|entry| {
                let strategy = &entry.entry.strategy;
                let ty = strategy.ty.as_ref().filter(|t| t.value == "ratelimiting")?;
                let limit = strategy.param.as_ref().map_or(0.0, |p| p.value);
                let mut message = format!(
                    "The limit is enforced by each SDK process on its own, so N replicas send up to N × {limit} \
                     traces per second. The Go and Java SDKs apply it; the JS SDK logs `Strategy RATE_LIMITING \
                     not supported.` and keeps its previous sampler; the Rust SDK cannot parse \
                     `\"RATE_LIMITING\"` and keeps its initial sampler."
                );
                if limit >= EFFECTIVELY_UNLIMITED {
                    let _ = write!(
                        message,
                        " {limit} traces per second per process is more than most services ever start, so it \
                         samples nearly everything."
                    );
                }
                Some(
                    context
                        .at(&META, ty.pos, format!("{}: rate limit of {limit} traces/s per process", entry.label), message)
                        .subject(entry.label.clone())
                        .fix(Fix::manual(
                            "Prefer probabilistic strategies when JS or Rust services read this file; size a rate \
                             limit per process, not per service.",
                        )),
                )
            })
            .collect()
    }
}
