//! PROM003: a unit that is not the base unit (`milliseconds`, `kilobytes`, `minutes`).

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, each_family, promlint_finding, rename_fix, unit_words};

/// PROM003: a unit that is not the base unit (`milliseconds`, `kilobytes`, `minutes`).
pub(crate) struct UnitNotBase;

meta!(
    UNIT,
    "PROM003",
    "metric-unit-not-base",
    Warning,
    "A metric name uses a unit that is not the base unit",
    "Metric names use base units"
);

impl Check<Context> for UnitNotBase {
    fn meta(&self) -> &'static CheckMeta {
        &UNIT
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each_family(context, |family| {
            let words = unit_words(&family.name);
            let (unit, base) = *words.iter().find(|(unit, base)| unit != base)?;
            let ambiguous = words.iter().any(|(unit, base)| unit == base);
            let renamed = family.name.replacen(unit, base, 1);
            let mut message = format!(
                "`{}` is measured in {unit}. Prometheus names carry base units ({base}), so that \
                 every duration is in seconds and every size in bytes and queries can combine \
                 them without conversion factors.",
                family.name
            );
            if ambiguous {
                message.push_str(
                    " The name also holds a base unit; promtool 2.42 picks one unit word at random \
                     per run, so it reports this only on some runs.",
                );
            }
            Some(promlint_finding(
                &UNIT,
                context,
                family,
                family.line,
                &format!("use base unit \"{base}\" instead of \"{unit}\""),
                message,
                rename_fix(&family.name, &renamed),
            ))
        })
    }
}
