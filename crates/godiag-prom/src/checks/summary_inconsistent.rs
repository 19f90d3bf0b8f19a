//! PROM107: a summary quantile outside 0..1, or `_count`/`_sum` missing.
//!
//! promtool 2.42 checks none of this; `histogram_quantile()` silently returns wrong numbers
//! for it.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, series_findings};
use crate::model::MetricType;

/// PROM107: a summary quantile outside 0..1, or `_count`/`_sum` missing.
pub(crate) struct SummaryInconsistent;

meta!(
    SUMMARY,
    "PROM107",
    "summary-inconsistent",
    Error,
    "A summary series is inconsistent",
    "Summaries have valid quantiles, _count and _sum"
);

impl Check<Context> for SummaryInconsistent {
    fn meta(&self) -> &'static CheckMeta {
        &SUMMARY
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_family_of(&[MetricType::Summary], "summary")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        series_findings(
            &SUMMARY,
            context,
            |stats| &stats.summary_problems,
            |family| {
                (
                    format!("`{}` has an inconsistent summary series", family.name),
                    format!(
                        "Summary quantiles are between 0 and 1 and every summary series has \
                         `_count` and `_sum`. `{}` breaks this, so its quantiles or its average \
                         cannot be read correctly.",
                        family.name
                    ),
                )
            },
            "Use quantile labels between 0 and 1 (0.5, 0.9, 0.99) and export `_count` and `_sum` \
             for every summary series.",
        )
    }
}
