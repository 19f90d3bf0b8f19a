//! PROM100–PROM102: naming conventions promtool does not check — a required prefix, unit
//! words it does not know, and label names Prometheus reserves or rewrites.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::promlint_names::unit_words;
use super::{Context, family_finding, rename_fix};

/// PROM100: a family without the required prefix.
pub(crate) struct PrefixMissing;
/// PROM101: a unit word that is not a base unit and that promtool does not know.
pub(crate) struct UnitWord;
/// PROM102: a label name Prometheus reserves (`__`) or overwrites (`job`, `instance`).
pub(crate) struct LabelNameReserved;

meta!(
    PREFIX,
    "PROM100",
    "metric-prefix-missing",
    Warning,
    "A metric name lacks the required prefix",
    "Every metric name has the required prefix"
);
meta!(
    UNIT_WORD,
    "PROM101",
    "metric-unit-word-nonstandard",
    Warning,
    "A metric name uses a unit word that is not a base unit",
    "Metric names use base unit words"
);
meta!(
    LABEL,
    "PROM102",
    "label-name-reserved",
    Warning,
    "A label name is reserved or overwritten by Prometheus",
    "No label name is reserved or overwritten by Prometheus"
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

impl Check<Context> for PrefixMissing {
    fn meta(&self) -> &'static CheckMeta {
        &PREFIX
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        if context.options.require_prefix.is_none() {
            return Some("no --require-prefix was given".to_owned());
        }
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(prefix) = context.options.require_prefix.as_deref() else {
            return Vec::new();
        };
        context
            .linted()
            .filter(|(family, _)| !family.name.starts_with(prefix))
            .map(|(family, _)| {
                family_finding(
                    &PREFIX,
                    context,
                    family,
                    family.line,
                    format!("`{}` does not start with `{prefix}`", family.name),
                    format!(
                        "--require-prefix asks every family to start with `{prefix}`, so a team's \
                         metrics are found together and never collide with another exporter's. \
                         Families from client libraries (`go_`, `process_`, `promhttp_`) are \
                         reported too: filter them out of the check by leaving them out of the \
                         input, or accept them."
                    ),
                )
                .fix(rename_fix(
                    &family.name,
                    &format!("{prefix}{}", family.name),
                ))
            })
            .collect()
    }
}

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
