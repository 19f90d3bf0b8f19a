//! PROM111: OpenMetrics that breaks the specification where Prometheus is lenient.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Evidence, Finding, Fix, Location};

use super::Context;
use crate::model::Format;

/// OpenMetrics that breaks the specification where Prometheus is lenient.
pub(crate) struct SpecBreach;

meta!(
    BREACH,
    "PROM111",
    "openmetrics-spec-breach",
    Warning,
    "The OpenMetrics exposition breaks the specification",
    "The OpenMetrics exposition follows the specification"
);

impl Check<Context> for SpecBreach {
    fn meta(&self) -> &'static CheckMeta {
        &BREACH
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        // Breaches met before a parse error are still worth reporting.
        if !context.notes.is_empty() {
            return None;
        }
        context.unreadable().or_else(|| {
            (context.format != Format::OpenMetrics)
                .then(|| "the exposition is in the text format, not OpenMetrics".to_owned())
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(first) = context.notes.first() else {
            return Vec::new();
        };
        let mut finding = Finding::new(
            &BREACH,
            format!(
                "{} OpenMetrics breach(es), first in line {}: {}",
                context.notes_total, first.line, first.message
            ),
            "Prometheus's OpenMetrics parser accepts these lines, but the specification forbids \
             them, and stricter consumers (the OpenMetrics reference parser, OpenTelemetry's \
             Prometheus receiver, some agents) reject or misread the family: interleaved \
             families, metadata after samples, repeated HELP/TYPE/UNIT, sample names without \
             the suffix their type needs.",
        )
        .location(Location {
            path: context.location_path.clone().into(),
            line: Some(first.line),
            column: Some(first.column),
        });
        for note in &context.notes {
            finding = finding.evidence(Evidence::file(format!(
                "{}:{}:{}: {}",
                context.location_path, note.line, note.column, note.message
            )));
        }
        vec![finding.fix(Fix::manual(
            "Write each family's TYPE, UNIT and HELP once, before its samples, keep a family's \
             samples together, and give counter samples `_total`, histogram buckets `le`, \
             summary quantiles `quantile` (client libraries' OpenMetrics encoders do).",
        ))]
    }
}
