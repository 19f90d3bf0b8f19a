//! PROM009, PROM010, PROM014: promlint's rules about label names, checked on every series.
//! promtool prints one line per offending series; godiag reports each family once and
//! counts the series.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::{Context, promlint_finding};
use crate::analysis::{FamilyStats, Occurrences};
use crate::model::Family;

/// PROM009: an `le` label outside a histogram.
pub(crate) struct LeLabelReserved;
/// PROM010: a `quantile` label outside a summary.
pub(crate) struct QuantileLabelReserved;
/// PROM014: a camelCase label name.
pub(crate) struct CamelCaseLabel;

meta!(
    LE,
    "PROM009",
    "le-label-reserved",
    Warning,
    "A metric that is not a histogram has an \"le\" label",
    "Only histograms have \"le\" labels"
);
meta!(
    QUANTILE,
    "PROM010",
    "quantile-label-reserved",
    Warning,
    "A metric that is not a summary has a \"quantile\" label",
    "Only summaries have \"quantile\" labels"
);
meta!(
    CAMEL,
    "PROM014",
    "label-name-camel-case",
    Warning,
    "A label name is written in camelCase",
    "Label names are snake_case"
);

fn each(
    context: &Context,
    pick: impl Fn(&FamilyStats) -> Occurrences,
    mut build: impl FnMut(&Family, &FamilyStats, Occurrences) -> Finding,
) -> Vec<Finding> {
    context
        .linted()
        .filter_map(|(family, stats)| {
            let seen = pick(stats);
            seen.seen().then(|| build(family, stats, seen))
        })
        .collect()
}

fn series_word(count: u64) -> String {
    if count == 1 {
        "1 series".to_owned()
    } else {
        format!("{count} series")
    }
}

impl Check<Context> for LeLabelReserved {
    fn meta(&self) -> &'static CheckMeta {
        &LE
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_label()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each(
            context,
            |stats| stats.le_label,
            |family, _, seen| {
                promlint_finding(
                    &LE,
                    context,
                    family,
                    seen.first_line,
                    "non-histogram metrics should not have \"le\" label",
                    format!(
                        "{} of `{}` (a {}) carry an `le` label, first at line {}. `le` is the bucket \
                     bound of histograms; histogram_quantile() and people reading the series \
                     take it for one.",
                        series_word(seen.count),
                        family.name,
                        family.kind().as_str(),
                        seen.first_line
                    ),
                    Fix::manual(
                        "Rename the label (for example to `limit` or `bound`), or make the metric a histogram.",
                    ),
                )
            },
        )
    }
}

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

impl Check<Context> for CamelCaseLabel {
    fn meta(&self) -> &'static CheckMeta {
        &CAMEL
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_label()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each(
            context,
            |stats| stats.camel_labels,
            |family, stats, seen| {
                let label = stats.camel_label_name.as_deref().unwrap_or_default();
                promlint_finding(
                    &CAMEL,
                    context,
                    family,
                    seen.first_line,
                    "label names should be written in 'snake_case' not 'camelCase'",
                    format!(
                        "`{}` has the camelCase label `{label}` ({}, first at line {}). Label names \
                     are snake_case; `statusCode` and `status_code` would be different labels.",
                        family.name,
                        series_word(seen.count),
                        seen.first_line
                    ),
                    Fix::manual(format!(
                        "Rename the label `{label}` to `{}` where the metric's label names are \
                     declared (client_golang: the label list of `New*Vec`), and in queries.",
                        label_snake(label)
                    )),
                )
            },
        )
    }
}

fn label_snake(name: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_lowercase());
    }
    out
}
