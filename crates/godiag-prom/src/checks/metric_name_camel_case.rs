//! PROM013: camelCase metric name.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, each_family, promlint_finding, rename_fix};

/// PROM013: camelCase metric name.
pub(crate) struct CamelCaseName;

meta!(
    CAMEL,
    "PROM013",
    "metric-name-camel-case",
    Warning,
    "A metric name is written in camelCase",
    "Metric names are snake_case"
);

fn is_camel(name: &str) -> bool {
    name.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

impl Check<Context> for CamelCaseName {
    fn meta(&self) -> &'static CheckMeta {
        &CAMEL
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each_family(context, |family| {
            is_camel(&family.name).then(|| {
                promlint_finding(
                    &CAMEL,
                    context,
                    family,
                    family.line,
                    "metric names should be written in 'snake_case' not 'camelCase'",
                    format!(
                        "`{}` mixes lower and upper case. Prometheus names are snake_case; names \
                         differing only in case are different metrics, which invites typos in \
                         queries.",
                        family.name
                    ),
                    rename_fix(&family.name, &snake_case(&family.name)),
                )
            })
        })
    }
}

/// `fooBar` → `foo_bar`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_is_detected_and_rewritten() {
        assert!(is_camel("fooBar"));
        assert!(!is_camel("FOO_bar"));
        assert_eq!(snake_case("httpRequestsTotal"), "http_requests_total");
    }
}
