//! PROM001: the input is not a valid exposition; Prometheus would reject the whole scrape.

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
            // A broken download is a scrape failure (PROM120), not bad syntax.
            Error::Read { .. } if context.scrape.is_some() => return Vec::new(),
            Error::Read { line, source } => return vec![unreadable(context, *line, source)],
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

/// PROM001 for an input that could not be read to the end: nothing about its syntax is known
/// past `line`, and the fix is in how it is read, not in what it says.
fn unreadable(context: &Context, line: u32, source: &std::io::Error) -> Finding {
    Finding::new(
        &META,
        format!("reading {} failed at line {line}: {source}", context.source),
        format!(
            "godiag could not read {} past line {line}, so the exposition was not checked. \
             Prometheus would fail a scrape that broke off the same way.",
            context.source
        ),
    )
    .location(context.location(line))
    .evidence(Evidence::command(format!(
        "cat {} > /dev/null   # fails the same way",
        context.location_path
    )))
    .fix(Fix::manual(format!(
        "Check that {path} is a regular file this user can read and that it holds the whole \
         exposition (`ls -l {path}`); to check a live target, save its scrape first with \
         `curl -s URL > metrics.prom` or pass the URL itself.",
        path = context.location_path
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Options;

    fn context(error: Error) -> Context {
        Context {
            source: "/srv/metrics.prom".to_owned(),
            location_path: "/srv/metrics.prom".to_owned(),
            format: Format::Text,
            families: Vec::new(),
            stats: Vec::new(),
            error: Some(error),
            options: Options::default(),
            scrape: None,
            notes: Vec::new(),
            notes_total: 0,
            lines: 2,
            bytes: 10,
        }
    }

    #[test]
    fn a_file_that_breaks_off_is_a_read_failure_not_bad_syntax() {
        let context = context(Error::Read {
            line: 3,
            source: std::io::Error::other("Input/output error"),
        });
        let findings = ExpositionInvalid.run(&context);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].title,
            "reading /srv/metrics.prom failed at line 3: Input/output error"
        );
        let fix = findings[0].fix.as_ref().unwrap();
        assert!(fix.text.contains("ls -l /srv/metrics.prom"), "{fix:?}");
        assert_eq!(
            context.nothing_to_lint().as_deref(),
            Some("the exposition could not be read")
        );
    }
}
