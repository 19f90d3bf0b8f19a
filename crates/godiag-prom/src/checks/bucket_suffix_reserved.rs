//! PROM006: `_bucket` on a non-histogram.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, reserved_suffix};
use crate::model::MetricType;

/// PROM006: `_bucket` on a non-histogram.
pub(crate) struct BucketSuffixReserved;

meta!(
    BUCKET,
    "PROM006",
    "bucket-suffix-reserved",
    Warning,
    "A metric that is not a histogram ends in _bucket",
    "Only histograms end in _bucket"
);

impl Check<Context> for BucketSuffixReserved {
    fn meta(&self) -> &'static CheckMeta {
        &BUCKET
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        reserved_suffix(
            &BUCKET,
            context,
            "_bucket",
            "non-histogram metrics should not have \"_bucket\" suffix",
            &[MetricType::Histogram],
        )
    }
}
