//! PROM104: buckets not ascending by `le`, or counts decreasing.
//!
//! promtool 2.42 checks none of this; `histogram_quantile()` silently returns wrong numbers
//! for it.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, HISTOGRAMS, series_findings};

/// PROM104: buckets not ascending by `le`, or counts decreasing.
pub(crate) struct NotCumulative;

meta!(
    CUMULATIVE,
    "PROM104",
    "histogram-buckets-not-cumulative",
    Error,
    "Histogram buckets are not cumulative in ascending le order",
    "Histogram buckets are cumulative"
);

impl Check<Context> for NotCumulative {
    fn meta(&self) -> &'static CheckMeta {
        &CUMULATIVE
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_family_of(HISTOGRAMS, "histogram")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        series_findings(
            &CUMULATIVE,
            context,
            |stats| &stats.not_cumulative,
            |family| {
                (
                    format!("`{}` has buckets that are not cumulative", family.name),
                    format!(
                        "Each bucket of `{}` must count every observation up to its `le`, so \
                         buckets listed in ascending `le` order never decrease. Here a bucket \
                         counts less than a smaller one, or `le` goes down; histogram_quantile() \
                         then interpolates in the wrong bucket and returns wrong quantiles.",
                        family.name
                    ),
                )
            },
            "Expose cumulative buckets in ascending `le` order: a client library's histogram \
             does this; a hand-written exporter must add each bucket's count to the next.",
        )
    }
}
