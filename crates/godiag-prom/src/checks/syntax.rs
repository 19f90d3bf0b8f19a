//! PROM001: the exposition cannot be parsed (promtool: `error while linting: text format
//! parsing error in line N: ...`).

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Evidence, Finding, Fix, Location};

use super::Context;
use crate::model::Format;
use crate::parse::Error;

/// The input is not a valid exposition; Prometheus would reject the whole scrape.
pub(crate) struct ExpositionInvalid;

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
                 which escapes label values and help text and always ends lines with a newline."
            ))),
        ]
    }
}
