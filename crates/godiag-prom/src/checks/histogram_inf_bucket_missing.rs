//! PROM105: no `le="+Inf"` bucket.
//!
//! promtool 2.42 checks none of this; `histogram_quantile()` silently returns wrong numbers
//! for it.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, HISTOGRAMS, series_findings};

/// PROM105: no `le="+Inf"` bucket.
pub(crate) struct InfBucketMissing;

meta!(
    INF,
    "PROM105",
    "histogram-inf-bucket-missing",
    Error,
    "A histogram series has no +Inf bucket",
    "Every histogram series has a +Inf bucket"
);

impl Check<Context> for InfBucketMissing {
    fn meta(&self) -> &'static CheckMeta {
        &INF
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_family_of(HISTOGRAMS, "histogram")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        series_findings(
            &INF,
            context,
            |stats| &stats.missing_inf,
            |family| {
                (
                    format!("`{}` has a series without le=\"+Inf\"", family.name),
                    format!(
                        "Every histogram series needs a `le=\"+Inf\"` bucket holding the total \
                         count. Without it histogram_quantile() over `{}_bucket` returns NaN.",
                        family.name
                    ),
                )
            },
            "Add the `+Inf` bucket (equal to `_count`) to every series of the histogram.",
        )
    }
}
