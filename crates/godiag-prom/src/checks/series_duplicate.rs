//! PROM103: the same series twice in one exposition.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::{Context, family_finding};

/// PROM103: the same series twice in one exposition.
pub(crate) struct DuplicateSeries;

meta!(
    DUPLICATE,
    "PROM103",
    "series-duplicate",
    Error,
    "The same series appears more than once",
    "Every series appears once"
);

impl Check<Context> for DuplicateSeries {
    fn meta(&self) -> &'static CheckMeta {
        &DUPLICATE
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context
            .linted()
            .filter(|(_, stats)| stats.duplicates.seen())
            .map(|(family, stats)| {
                let seen = stats.duplicates;
                family_finding(
                    &DUPLICATE,
                    context,
                    family,
                    seen.first_line,
                    format!(
                        "`{}` repeats a series at line {} (first at line {})",
                        family.name, seen.first_line, stats.duplicate_of
                    ),
                    format!(
                        "{} line(s) of `{}` repeat the name and label set of an earlier line. \
                         Prometheus keeps one sample per series and scrape: it counts the rest in \
                         `prometheus_target_scrapes_sample_duplicate_timestamp_total` and drops \
                         them, so which value is stored is undefined. client_golang reports this \
                         as `collected metric ... was collected before with the same name and \
                         label values`; newer promtool versions print `metric not unique`.",
                        seen.count, family.name
                    ),
                )
                .fix(Fix::manual(
                    "Give each series a distinct label set: two collectors are exporting the same \
                     metric, or a label that tells the series apart is missing (for example the \
                     device, the handler or the shard).",
                ))
            })
            .collect()
    }
}
