//! PROM004: a counter without `_total`.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, each_family, promlint_finding, rename_fix};
use crate::model::MetricType;

/// PROM004: a counter without `_total`.
pub(crate) struct CounterWithoutTotal;

meta!(
    COUNTER,
    "PROM004",
    "counter-total-suffix-missing",
    Warning,
    "A counter's name does not end in _total",
    "Counter names end in _total"
);

impl Check<Context> for CounterWithoutTotal {
    fn meta(&self) -> &'static CheckMeta {
        &COUNTER
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_family_of(&[MetricType::Counter], "counter")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each_family(context, |family| {
            (family.kind() == MetricType::Counter && !family.name.ends_with("_total")).then(|| {
                promlint_finding(
                    &COUNTER,
                    context,
                    family,
                    family.line,
                    "counter metrics should have \"_total\" suffix",
                    format!(
                        "`{}` is a counter. Counters end in `_total` so that a reader knows to \
                         wrap them in rate() or increase(); OpenMetrics requires the suffix and \
                         Prometheus adds it when it translates OpenTelemetry counters, so dashboards \
                         written against the bare name break.",
                        family.name
                    ),
                    rename_fix(&family.name, &format!("{}_total", family.name)),
                )
            })
        })
    }
}
