//! PROM009: an `le` label outside a histogram.
//!
//! A promlint rule about label names, checked on every series. promtool prints one line per
//! offending series; godiag reports each family once and counts the series.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::{Context, each, promlint_finding, series_word};

/// PROM009: an `le` label outside a histogram.
pub(crate) struct LeLabelReserved;

meta!(
    LE,
    "PROM009",
    "le-label-reserved",
    Warning,
    "A metric that is not a histogram has an \"le\" label",
    "Only histograms have \"le\" labels"
);

impl Check<Context> for LeLabelReserved {
    fn meta(&self) -> &'static CheckMeta {
        &LE
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_label()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each(
            context,
            |stats| stats.le_label,
            |family, _, seen| {
                promlint_finding(
                    &LE,
                    context,
                    family,
                    seen.first_line,
                    "non-histogram metrics should not have \"le\" label",
                    format!(
                        "{} of `{}` (a {}) carry an `le` label, first at line {}. `le` is the bucket \
                     bound of histograms; histogram_quantile() and people reading the series \
                     take it for one.",
                        series_word(seen.count),
                        family.name,
                        family.kind().as_str(),
                        seen.first_line
                    ),
                    Fix::manual(
                        "Rename the label (for example to `limit` or `bound`), or make the metric a histogram.",
                    ),
                )
            },
        )
    }
}
