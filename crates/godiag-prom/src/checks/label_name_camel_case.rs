//! PROM014: a camelCase label name.
//!
//! A promlint rule about label names, checked on every series. promtool prints one line per
//! offending series; godiag reports each family once and counts the series.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::{Context, each, promlint_finding, series_word};

/// PROM014: a camelCase label name.
pub(crate) struct CamelCaseLabel;

meta!(
    CAMEL,
    "PROM014",
    "label-name-camel-case",
    Warning,
    "A label name is written in camelCase",
    "Label names are snake_case"
);

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
