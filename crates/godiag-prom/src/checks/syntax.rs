//! PROM001: the exposition cannot be parsed (promtool: `error while linting: text format
//! parsing error in line N: ...`). PROM111: OpenMetrics that breaks the specification in
//! ways Prometheus's parser accepts.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Evidence, Finding, Fix, Location};

use super::Context;
use crate::model::Format;
use crate::parse::Error;

/// The input is not a valid exposition; Prometheus would reject the whole scrape.
pub(crate) struct ExpositionInvalid;
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

meta!(
    META,
    "PROM001",
    "exposition-unparsable",
    Error,
    "The exposition cannot be parsed",
    "The exposition parses"
);

impl Check<Context> for ExpositionInvalid {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        // A scrape without a complete body is PROM120's; there is no exposition to parse.
        if context.scrape.is_some() && !matches!(context.error, Some(Error::Syntax(_))) {
            return context.unreadable();
        }
        None
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(error) = &context.error else {
            return Vec::new();
        };
        let (line, column, what) = match error {
            Error::Syntax(syntax) => (syntax.line, syntax.column, syntax.message.clone()),
            Error::Read { line, source } => {
                if context.scrape.is_some() {
                    // A broken download is a scrape failure (PROM120), not bad syntax.
                    return Vec::new();
                }
                (*line, 1, format!("reading failed: {source}"))
            }
        };
        let format = match context.format {
            Format::Text => "text format",
            Format::OpenMetrics => "OpenMetrics",
        };
        vec![
            Finding::new(
                &META,
                format!("{format} parsing error in line {line}: {what}"),
                format!(
                    "Line {line}, column {column} of {} is not valid {format}. Prometheus rejects \
                     the whole scrape when one line is malformed: the target shows this error on \
                     the Targets page, `up` is 0 and no sample of it is stored. promtool stops at \
                     the same line with `error while linting: text format parsing error in line \
                     {line}`.",
                    context.source
                ),
            )
            .location(Location {
                path: context.location_path.clone().into(),
                line: Some(line),
                column: Some(column),
            })
            .evidence(Evidence::command(format!(
                "{}   # exits 1 with the parsing error",
                context.promtool_command()
            )))
            .evidence(Evidence::command(format!(
                "sed -n '{line}p' {}",
                if context.source.contains("://") {
                    "<(curl -s URL)"
                } else {
                    &context.location_path
                }
            )))
            .fix(Fix::manual(format!(
                "Correct line {line} where the exposition is produced. Hand-written exporters \
                 should use a client library's encoder (client_golang `promhttp.Handler()`), \
                 which escapes label values and help text and always ends lines with a newline.{}",
                if context.format == Format::Text && context.scrape.is_none() {
                    " If the file is OpenMetrics (it ends with `# EOF`), say so with \
                     `--input-format openmetrics`: it was read as the text format."
                } else {
                    ""
                }
            ))),
        ]
    }
}
