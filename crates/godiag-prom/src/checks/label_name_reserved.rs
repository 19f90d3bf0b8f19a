//! PROM102: a label name Prometheus reserves (`__`) or overwrites (`job`, `instance`).
//!
//! A naming convention promtool does not check.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::{Context, family_finding};

/// PROM102: a label name Prometheus reserves (`__`) or overwrites (`job`, `instance`).
pub(crate) struct LabelNameReserved;

meta!(
    LABEL,
    "PROM102",
    "label-name-reserved",
    Warning,
    "A label name is reserved or overwritten by Prometheus",
    "No label name is reserved or overwritten by Prometheus"
);

impl Check<Context> for LabelNameReserved {
    fn meta(&self) -> &'static CheckMeta {
        &LABEL
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_label()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context
            .linted()
            .filter(|(_, stats)| stats.reserved_labels.seen())
            .map(|(family, stats)| {
                let label = stats.reserved_label_name.as_deref().unwrap_or_default();
                let why = if label.starts_with("__") {
                    format!(
                        "Label names starting with `__` are reserved for Prometheus's internal use; \
                         relabelling drops them before storage, so `{label}` never reaches a query."
                    )
                } else {
                    format!(
                        "Prometheus sets `{label}` from the scrape target. Unless the job has \
                         `honor_labels: true`, the exposed value is moved to `exported_{label}` and \
                         queries on `{label}` see the target's value instead."
                    )
                };
                family_finding(
                    &LABEL,
                    context,
                    family,
                    stats.reserved_labels.first_line,
                    format!("`{}` has the label `{label}`", family.name),
                    why,
                )
                .fix(Fix::manual(format!(
                    "Rename the label `{label}` (for example to `{}`) where the metric is defined.",
                    label.trim_start_matches('_').to_owned() + "_name"
                )))
            })
            .collect()
    }
}
