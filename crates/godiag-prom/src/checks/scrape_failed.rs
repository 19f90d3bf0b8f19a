//! PROM120: the URL gave no response, an error status, or the body broke off.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Evidence, Finding, Fix};

use super::{Context, probe};
use crate::model::ScrapeInfo;

/// PROM120: the URL gave no response, an error status, or the body broke off.
pub(crate) struct ScrapeFailed;

meta!(
    FAILED,
    "PROM120",
    "scrape-failed",
    Error,
    "The metrics endpoint could not be scraped",
    "The metrics endpoint answered"
);

fn curl(scrape: &ScrapeInfo) -> String {
    format!("curl -sv -H 'Accept: {}' {}", scrape.accept, scrape.url)
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
