//! PROM110: a counter sample below zero or NaN.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::{Context, family_finding};
use crate::model::MetricType;

/// PROM110: a counter sample below zero or NaN.
pub(crate) struct CounterNegative;

meta!(
    NEGATIVE,
    "PROM110",
    "counter-negative",
    Warning,
    "A counter has a negative or NaN value",
    "Counters are non-negative"
);

impl Check<Context> for CounterNegative {
    fn meta(&self) -> &'static CheckMeta {
        &NEGATIVE
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_family_of(&[MetricType::Counter], "counter")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context
            .linted()
            .filter(|(_, stats)| stats.negative_counter.seen())
            .map(|(family, stats)| {
                let seen = stats.negative_counter;
                family_finding(
                    &NEGATIVE,
                    context,
                    family,
                    seen.first_line,
                    format!("counter `{}` is negative or NaN at line {}", family.name, seen.first_line),
                    format!(
                        "{} sample(s) of the counter `{}` are below zero or NaN. Counters only go up \
                         from zero (OpenMetrics requires it); rate() treats any decrease as a reset, \
                         so a negative counter produces wrong rates.",
                        seen.count, family.name
                    ),
                )
                .fix(Fix::manual(
                    "Export a value that can go down as a gauge; a counter must only ever be \
                     incremented by non-negative amounts (client_golang panics on Add(-1)).",
                ))
            })
            .collect()
    }
}
