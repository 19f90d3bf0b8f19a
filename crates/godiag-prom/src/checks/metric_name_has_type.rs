//! PROM011: a type name inside the metric name.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, has_word, promlint_finding, rename_fix};

/// PROM011: a type name inside the metric name.
pub(crate) struct TypeInName;

meta!(
    TYPE_NAME,
    "PROM011",
    "metric-name-has-type",
    Warning,
    "A metric name contains a metric type",
    "Metric names do not contain metric types"
);

/// Type names promlint looks for (every type but untyped, whatever the family's own type).
const TYPE_NAMES: &[&str] = &[
    "counter",
    "gauge",
    "summary",
    "histogram",
    "gauge_histogram",
];

impl Check<Context> for TypeInName {
    fn meta(&self) -> &'static CheckMeta {
        &TYPE_NAME
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (family, _) in context.linted() {
            let lower = family.name.to_lowercase();
            for type_name in TYPE_NAMES.iter().filter(|t| has_word(&lower, t)) {
                let without = lower
                    .replace(&format!("_{type_name}_"), "_")
                    .trim_end_matches(&format!("_{type_name}"))
                    .to_owned();
                findings.push(promlint_finding(
                    &TYPE_NAME,
                    context,
                    family,
                    family.line,
                    &format!("metric name should not include type '{type_name}'"),
                    format!(
                        "`{}` names a metric type in its name. The type is already in the \
                         `# TYPE` line; in the name it only says something that stops being true \
                         when the metric changes type.",
                        family.name
                    ),
                    rename_fix(&family.name, &without),
                ));
            }
        }
        findings
    }
}
