//! PROM010: a `quantile` label outside a summary.
//!
//! A promlint rule about label names, checked on every series. promtool prints one line per
//! offending series; godiag reports each family once and counts the series.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::{Context, each, promlint_finding, series_word};

/// PROM010: a `quantile` label outside a summary.
pub(crate) struct QuantileLabelReserved;

meta!(
    QUANTILE,
    "PROM010",
    "quantile-label-reserved",
    Warning,
    "A metric that is not a summary has a \"quantile\" label",
    "Only summaries have \"quantile\" labels"
);

impl Check<Context> for QuantileLabelReserved {
    fn meta(&self) -> &'static CheckMeta {
        &QUANTILE
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_label()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each(
            context,
            |stats| stats.quantile_label,
            |family, _, seen| {
                promlint_finding(
                    &QUANTILE,
                    context,
                    family,
                    seen.first_line,
                    "non-summary metrics should not have \"quantile\" label",
                    format!(
                        "{} of `{}` (a {}) carry a `quantile` label, first at line {}. `quantile` \
                     marks the quantile series of summaries.",
                        series_word(seen.count),
                        family.name,
                        family.kind().as_str(),
                        seen.first_line
                    ),
                    Fix::manual(
                        "Rename the label (for example to `percentile_rank`), or make the metric a summary.",
                    ),
                )
            },
        )
    }
}
