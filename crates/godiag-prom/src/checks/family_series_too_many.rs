//! PROM108: a family with more series than `--max-series-per-family`.
//!
//! The numbers are in `.metrics.cardinality_top` and `.metrics.label_values_top` of the
//! JSON report (promtool's `--extended`, per label too); the finding marks what crosses the
//! threshold.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::{Context, family_finding};

/// PROM108: a family with more series than `--max-series-per-family`.
pub(crate) struct TooManySeries;

meta!(
    SERIES,
    "PROM108",
    "family-series-too-many",
    Warning,
    "A metric family has more series than the threshold",
    "Every metric family is within the series threshold"
);

impl Check<Context> for TooManySeries {
    fn meta(&self) -> &'static CheckMeta {
        &SERIES
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let limit = context.options.max_series_per_family;
        context
            .linted()
            .filter(|(_, stats)| stats.series > limit)
            .map(|(family, stats)| {
                let worst = stats
                    .labels
                    .iter()
                    .max_by_key(|label| label.distinct())
                    .map(|label| {
                        format!(
                            " Its label with the most values is `{}` ({} distinct).",
                            label.name,
                            label.distinct()
                        )
                    })
                    .unwrap_or_default();
                family_finding(
                    &SERIES,
                    context,
                    family,
                    family.line,
                    format!(
                        "`{}` has {} series (threshold {limit})",
                        family.name, stats.series
                    ),
                    format!(
                        "Each series costs memory, CPU and disk in every Prometheus that scrapes \
                         this target, for every target. The Prometheus instrumentation guide asks \
                         to keep a metric's cardinality below 10 and to rethink anything above \
                         100.{worst}"
                    ),
                )
                .fix(Fix::manual(
                    "Drop or coarsen the label with the most values (route templates instead of \
                     raw paths, status classes instead of codes), or raise \
                     --max-series-per-family if this size is intended.",
                ))
            })
            .collect()
    }
}
