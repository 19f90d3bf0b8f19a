//! PROM120 and PROM121: the scrape itself — no usable response, or a `Content-Type`
//! Prometheus cannot use.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Evidence, Finding, Fix};

use super::Context;
use crate::domain::ScrapeInfo;

/// PROM120: the URL gave no response, an error status, or the body broke off.
pub(crate) struct ScrapeFailed;
/// PROM121: the response has no `Content-Type` or one Prometheus does not parse.
pub(crate) struct ContentTypeUnknown;

meta!(
    FAILED,
    "PROM120",
    "scrape-failed",
    Error,
    "The metrics endpoint could not be scraped",
    "The metrics endpoint answered"
);
meta!(
    CONTENT_TYPE,
    "PROM121",
    "scrape-content-type-unknown",
    Warning,
    "The metrics endpoint sends no usable Content-Type",
    "The metrics endpoint sends a Prometheus Content-Type"
);

fn curl(scrape: &ScrapeInfo) -> String {
    format!("curl -sv -H 'Accept: {}' {}", scrape.accept, scrape.url)
}

fn probe(scrape: &ScrapeInfo) -> Evidence {
    let status = scrape
        .status
        .map_or_else(|| "no response".to_owned(), |code| format!("HTTP {code}"));
    let content_type = scrape
        .content_type
        .as_deref()
        .map_or_else(String::new, |value| format!(", Content-Type: {value}"));
    Evidence::probe(
        format!("GET {} → {status}{content_type}", scrape.url),
        scrape.duration_ms,
    )
}

impl Check<Context> for ScrapeFailed {
    fn meta(&self) -> &'static CheckMeta {
        &FAILED
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.not_scraped()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(scrape) = &context.scrape else {
            return Vec::new();
        };
        let why = match (&scrape.error, scrape.status) {
            (Some(error), _) => error.clone(),
            (None, Some(code)) if !(200..300).contains(&code) => format!("HTTP status {code}"),
            _ => return Vec::new(),
        };
        vec![
            Finding::new(
                &FAILED,
                format!("scraping {} failed: {why}", scrape.url),
                format!(
                    "Prometheus would record `up 0` for this target and store none of its samples. \
                     The request was the one Prometheus sends (same Accept header), bounded by the \
                     deadline of {} ms.",
                    scrape.timeout_ms
                ),
            )
            .subject(&scrape.url)
            .evidence(probe(scrape))
            .evidence(Evidence::command(curl(scrape)))
            .fix(Fix::command(format!(
                "{}   # check the address, the port the service listens on (ss -ltnp) and its logs",
                curl(scrape)
            ))),
        ]
    }
}

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
