//! PROM002: no HELP line.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::{Context, each_family, promlint_finding};

/// PROM002: no HELP line.
pub(crate) struct HelpMissing;

meta!(
    HELP,
    "PROM002",
    "metric-help-missing",
    Warning,
    "A metric family has no HELP text",
    "Every metric family has HELP text"
);

impl Check<Context> for HelpMissing {
    fn meta(&self) -> &'static CheckMeta {
        &HELP
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each_family(context, |family| {
            family.help.is_none().then(|| {
                promlint_finding(
                    &HELP,
                    context,
                    family,
                    family.line,
                    "no help text",
                    format!(
                        "`{}` has no `# HELP` line (or an empty one). Grafana's metric browser and \
                         the Prometheus UI show the help text; without it nobody can tell what \
                         the number means.",
                        family.name
                    ),
                    Fix::manual(format!(
                        "Give the metric a help string where it is defined (client_golang: the \
                         `Help` field of its Opts); the exposition then carries `# HELP {} ...`.",
                        family.name
                    )),
                )
            })
        })
    }
}
