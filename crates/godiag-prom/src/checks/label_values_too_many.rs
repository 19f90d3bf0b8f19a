//! PROM109: a label with more distinct values than `--max-label-values`.
//!
//! The numbers are in `.metrics.cardinality_top` and `.metrics.label_values_top` of the
//! JSON report (promtool's `--extended`, per label too); the finding marks what crosses the
//! threshold.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::{Context, family_finding};

/// PROM109: a label with more distinct values than `--max-label-values`.
pub(crate) struct TooManyLabelValues;

meta!(
    VALUES,
    "PROM109",
    "label-values-too-many",
    Warning,
    "A label has more distinct values than the threshold",
    "Every label is within the distinct-value threshold"
);

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
