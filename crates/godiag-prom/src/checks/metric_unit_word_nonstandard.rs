//! PROM101: a unit word that is not a base unit and that promtool does not know.
//!
//! A naming convention promtool does not check.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::{Context, family_finding, unit_words};

/// PROM101: a unit word that is not a base unit and that promtool does not know.
pub(crate) struct UnitWord;

meta!(
    UNIT_WORD,
    "PROM101",
    "metric-unit-word-nonstandard",
    Warning,
    "A metric name uses a unit word that is not a base unit",
    "Metric names use base unit words"
);

/// Unit words promlint does not know, and the base unit to use instead. promlint already
/// reports the plural SI forms (`milliseconds`) and the short forms (`ms`, `kb`).
const NONSTANDARD_UNITS: &[(&str, &str)] = &[
    ("millis", "seconds"),
    ("msec", "seconds"),
    ("msecs", "seconds"),
    ("usec", "seconds"),
    ("usecs", "seconds"),
    ("nsec", "seconds"),
    ("nsecs", "seconds"),
    ("micros", "seconds"),
    ("nanos", "seconds"),
    ("secs", "seconds"),
    ("second", "seconds"),
    ("millisecond", "seconds"),
    ("microsecond", "seconds"),
    ("nanosecond", "seconds"),
    ("mins", "seconds"),
    ("minute", "seconds"),
    ("hrs", "seconds"),
    ("hour", "seconds"),
    ("byte", "bytes"),
    ("kib", "bytes"),
    ("mib", "bytes"),
    ("gib", "bytes"),
    ("tib", "bytes"),
    ("kbytes", "bytes"),
    ("mbytes", "bytes"),
    ("gbytes", "bytes"),
    ("kilobyte", "bytes"),
    ("megabyte", "bytes"),
    ("gigabyte", "bytes"),
    ("percent", "ratio"),
    ("percentage", "ratio"),
    ("pct", "ratio"),
];

impl Check<Context> for UnitWord {
    fn meta(&self) -> &'static CheckMeta {
        &UNIT_WORD
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (family, _) in context.linted() {
            let lower = family.name.to_lowercase();
            let found = lower.split('_').find_map(|part| {
                NONSTANDARD_UNITS
                    .iter()
                    .find(|(word, _)| *word == part)
                    .map(|(word, base)| (*word, *base))
            });
            let Some((word, base)) = found else {
                continue;
            };
            let renamed = lower
                .split('_')
                .map(|part| if part == word { base } else { part })
                .collect::<Vec<_>>()
                .join("_");
            let scale = if base == "ratio" {
                "and export a ratio between 0 and 1 instead of a percentage"
            } else {
                "and convert the value"
            };
            let also_promlint = if unit_words(&family.name).is_empty() {
                ""
            } else {
                " promtool reports another unit word of this name (PROM003)."
            };
            findings.push(
                family_finding(
                    &UNIT_WORD,
                    context,
                    family,
                    family.line,
                    format!("`{}` uses the unit word `{word}`", family.name),
                    format!(
                        "`{word}` is not a base unit. Prometheus names use `seconds`, `bytes` and \
                         `ratio`, so that sums, rates and comparisons across metrics need no \
                         conversion; promtool does not know this spelling, so only godiag reports \
                         it.{also_promlint}"
                    ),
                )
                .fix(Fix::manual(format!(
                    "Rename `{}` to `{renamed}` {scale} where the metric is defined (client_golang: \
                     observe `time.Since(start).Seconds()`).",
                    family.name
                ))),
            );
        }
        findings
    }
}
