//! PROM121: the response has no `Content-Type` or one Prometheus does not parse.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::{Context, probe};

/// PROM121: the response has no `Content-Type` or one Prometheus does not parse.
pub(crate) struct ContentTypeUnknown;

meta!(
    CONTENT_TYPE,
    "PROM121",
    "scrape-content-type-unknown",
    Warning,
    "The metrics endpoint sends no usable Content-Type",
    "The metrics endpoint sends a Prometheus Content-Type"
);

impl Check<Context> for ContentTypeUnknown {
    fn meta(&self) -> &'static CheckMeta {
        &CONTENT_TYPE
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.not_scraped().or_else(|| {
            context
                .scrape
                .as_ref()
                .is_some_and(|scrape| scrape.status.is_none_or(|code| !(200..300).contains(&code)))
                .then(|| "the endpoint gave no successful response".to_owned())
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(scrape) = &context.scrape else {
            return Vec::new();
        };
        if scrape.status.is_none_or(|code| !(200..300).contains(&code)) {
            return Vec::new();
        }
        let media = scrape
            .content_type
            .as_deref()
            .and_then(|value| value.split(';').next())
            .map(|media| media.trim().to_ascii_lowercase());
        let known = matches!(
            media.as_deref(),
            Some("text/plain" | "application/openmetrics-text" | "application/vnd.google.protobuf")
        );
        if known {
            return Vec::new();
        }
        let said = scrape.content_type.as_deref().map_or_else(
            || "no Content-Type".to_owned(),
            |value| format!("Content-Type `{value}`"),
        );
        vec![
            Finding::new(
                &CONTENT_TYPE,
                format!("{} answers with {said}", scrape.url),
                "Prometheus 3 fails a scrape whose Content-Type is missing or not a metrics format \
                 (`received unsupported Content-Type`) unless the scrape config sets \
                 `fallback_scrape_protocol`; Prometheus 2 guessed the text format.",
            )
            .subject(&scrape.url)
            .evidence(probe(scrape))
            .fix(Fix::manual(
                "Serve the metrics with `Content-Type: text/plain; version=0.0.4; charset=utf-8` \
                 (client_golang's promhttp.Handler() does), or set `fallback_scrape_protocol: \
                 PrometheusText0.0.4` in the scrape config.",
            )),
        ]
    }
}
