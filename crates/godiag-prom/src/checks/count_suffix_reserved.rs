//! PROM007: `_count` on neither histogram nor summary.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, reserved_suffix};
use crate::model::MetricType;

/// PROM007: `_count` on neither histogram nor summary.
pub(crate) struct CountSuffixReserved;

meta!(
    COUNT,
    "PROM007",
    "count-suffix-reserved",
    Warning,
    "A metric that is neither histogram nor summary ends in _count",
    "Only histograms and summaries end in _count"
);

impl Check<Context> for CountSuffixReserved {
    fn meta(&self) -> &'static CheckMeta {
        &COUNT
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        reserved_suffix(
            &COUNT,
            context,
            "_count",
            "non-histogram and non-summary metrics should not have \"_count\" suffix",
            &[MetricType::Histogram, MetricType::Summary],
        )
    }
}
