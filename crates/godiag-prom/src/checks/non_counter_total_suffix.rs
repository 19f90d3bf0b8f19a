//! PROM005: `_total` on a typed non-counter.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, each_family, promlint_finding, rename_fix};
use crate::model::MetricType;

/// PROM005: `_total` on a typed non-counter.
pub(crate) struct NonCounterWithTotal;

meta!(
    NON_COUNTER,
    "PROM005",
    "non-counter-total-suffix",
    Warning,
    "A metric that is not a counter ends in _total",
    "Only counters end in _total"
);

impl Check<Context> for NonCounterWithTotal {
    fn meta(&self) -> &'static CheckMeta {
        &NON_COUNTER
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each_family(context, |family| {
            let kind = family.kind();
            let applies = !matches!(kind, MetricType::Counter | MetricType::Untyped)
                && family.name.ends_with("_total")
                // An OpenMetrics info family is named `x_info`, never `_total`.
                && kind != MetricType::Info;
            applies.then(|| {
                promlint_finding(
                    &NON_COUNTER,
                    context,
                    family,
                    family.line,
                    "non-counter metrics should not have \"_total\" suffix",
                    format!(
                        "`{}` is a {} but ends in `_total`, which promises a counter: readers will \
                         apply rate() to a value that goes up and down.",
                        family.name,
                        kind.as_str()
                    ),
                    rename_fix(&family.name, family.name.trim_end_matches("_total")),
                )
            })
        })
    }
}
