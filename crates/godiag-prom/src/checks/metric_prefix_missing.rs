//! PROM100: a family without the required prefix.
//!
//! A naming convention promtool does not check.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, family_finding, rename_fix};

/// PROM100: a family without the required prefix.
pub(crate) struct PrefixMissing;

meta!(
    PREFIX,
    "PROM100",
    "metric-prefix-missing",
    Warning,
    "A metric name lacks the required prefix",
    "Every metric name has the required prefix"
);

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
