//! PROM106: `_count` differs from the `+Inf` bucket, or `_count`/`_sum` missing.
//!
//! promtool 2.42 checks none of this; `histogram_quantile()` silently returns wrong numbers
//! for it.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, HISTOGRAMS, series_findings};

/// PROM106: `_count` differs from the `+Inf` bucket, or `_count`/`_sum` missing.
pub(crate) struct CountMismatch;

meta!(
    COUNT,
    "PROM106",
    "histogram-count-mismatch",
    Error,
    "A histogram's _count does not match its +Inf bucket",
    "Histogram _count equals the +Inf bucket"
);

impl Check<Context> for CountMismatch {
    fn meta(&self) -> &'static CheckMeta {
        &COUNT
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_family_of(HISTOGRAMS, "histogram")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        series_findings(
            &COUNT,
            context,
            |stats| &stats.count_mismatch,
            |family| {
                (
                    format!(
                        "`{}` has a series whose _count and buckets disagree",
                        family.name
                    ),
                    format!(
                        "The `_count` of a histogram series equals its `+Inf` bucket, and every \
                         series has `_count` and `_sum`. For `{}` they do not, so average latency \
                         (`_sum / _count`) and quantiles disagree about the same observations.",
                        family.name
                    ),
                )
            },
            "Export `_count` and `_sum` with every histogram series, with `_count` equal to the \
             `+Inf` bucket, from one consistent snapshot of the histogram.",
        )
    }
}
