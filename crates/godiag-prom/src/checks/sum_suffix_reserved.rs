//! PROM008: `_sum` on neither histogram nor summary.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, reserved_suffix};
use crate::model::MetricType;

/// PROM008: `_sum` on neither histogram nor summary.
pub(crate) struct SumSuffixReserved;

meta!(
    SUM,
    "PROM008",
    "sum-suffix-reserved",
    Warning,
    "A metric that is neither histogram nor summary ends in _sum",
    "Only histograms and summaries end in _sum"
);

impl Check<Context> for SumSuffixReserved {
    fn meta(&self) -> &'static CheckMeta {
        &SUM
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        reserved_suffix(
            &SUM,
            context,
            "_sum",
            "non-histogram and non-summary metrics should not have \"_sum\" suffix",
            &[MetricType::Histogram, MetricType::Summary],
        )
    }
}
