//! PROM108 and PROM109: cardinality. The numbers are in `.metrics.cardinality_top` and
//! `.metrics.label_values_top` of the JSON report (promtool's `--extended`, per label too);
//! the findings mark what crosses the thresholds.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::{Context, family_finding};

/// PROM108: a family with more series than `--max-series-per-family`.
pub(crate) struct TooManySeries;
/// PROM109: a label with more distinct values than `--max-label-values`.
pub(crate) struct TooManyLabelValues;

meta!(
    SERIES,
    "PROM108",
    "family-series-too-many",
    Warning,
    "A metric family has more series than the threshold",
    "Every metric family is within the series threshold"
);
meta!(
    VALUES,
    "PROM109",
    "label-values-too-many",
    Warning,
    "A label has more distinct values than the threshold",
    "Every label is within the distinct-value threshold"
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

impl Check<Context> for TooManyLabelValues {
    fn meta(&self) -> &'static CheckMeta {
        &VALUES
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_label()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let limit = context.options.max_label_values;
        let mut findings = Vec::new();
        for (family, stats) in context.linted() {
            for label in stats
                .labels
                .iter()
                .filter(|label| label.distinct() as u64 > limit)
            {
                let count = if label.saturated {
                    format!("at least {}", label.distinct())
                } else {
                    label.distinct().to_string()
                };
                findings.push(
                    family_finding(
                        &VALUES,
                        context,
                        family,
                        label.first_line,
                        format!(
                            "label `{}` of `{}` has {count} distinct values (threshold {limit})",
                            label.name, family.name
                        ),
                        format!(
                            "A label whose values are user IDs, request paths, addresses or \
                             timestamps grows without bound: every new value is a new series that \
                             Prometheus keeps for hours. `{}` on `{}` already has {count}.",
                            label.name, family.name
                        ),
                    )
                    .fix(Fix::manual(format!(
                        "Replace `{}` by a bounded value (a route template, a status class, a \
                         tenant tier), or move per-request detail to logs or traces.",
                        label.name
                    ))),
                );
            }
        }
        findings
    }
}
