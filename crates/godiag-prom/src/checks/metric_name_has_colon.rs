//! PROM012: `:` in the metric name.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, each_family, promlint_finding, rename_fix};

/// PROM012: `:` in the metric name.
pub(crate) struct ColonInName;

meta!(
    COLON,
    "PROM012",
    "metric-name-has-colon",
    Warning,
    "A metric name contains ':'",
    "Metric names contain no ':'"
);

impl Check<Context> for ColonInName {
    fn meta(&self) -> &'static CheckMeta {
        &COLON
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each_family(context, |family| {
            family.name.contains(':').then(|| {
                promlint_finding(
                    &COLON,
                    context,
                    family,
                    family.line,
                    "metric names should not contain ':'",
                    format!(
                        "`{}` contains ':'. Colons are reserved for recording rules \
                         (`level:metric:operations`); an exporter using them collides with that \
                         convention.",
                        family.name
                    ),
                    rename_fix(&family.name, &family.name.replace(':', "_")),
                )
            })
        })
    }
}
