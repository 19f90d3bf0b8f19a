//! Fetching a `/metrics` URL the way Prometheus scrapes it.
//!
//! One blocking GET under a deadline, with the `Accept` header Prometheus sends (OpenMetrics
//! preferred, text 0.0.4 accepted), gzip accepted, and the body handed back as a reader so
//! it is parsed while it downloads. This module does not interpret the body.

use std::io::Read;
use std::time::{Duration, Instant};

/// The `Accept` header of a Prometheus scrape (its default `scrape_protocols` without
/// protobuf): OpenMetrics 1.0.0, OpenMetrics 0.0.1, then text 0.0.4, then anything.
pub const ACCEPT: &str = "application/openmetrics-text;version=1.0.0;q=0.5,\
application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

/// A response whose body is still to be read.
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// Time to the response headers.
    pub elapsed: Duration,
    /// The body, decompressed.
    pub body: Box<dyn Read + Send>,
}

/// Why a scrape got no response.
#[derive(Debug, thiserror::Error)]
#[error("GET {url} failed after {} ms: {reason}", elapsed.as_millis())]
pub struct ScrapeError {
    /// The URL.
    pub url: String,
    /// What went wrong, as the HTTP client put it.
    pub reason: String,
    /// Time until the failure.
    pub elapsed: Duration,
}

/// GETs `url` with Prometheus's headers; the whole exchange, body included, must end within
/// `timeout`.
pub fn fetch(url: &str, timeout: Duration) -> Result<Response, ScrapeError> {
    let started = Instant::now();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .user_agent(concat!("godiag/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let response = agent
        .get(url)
        .header("Accept", ACCEPT)
        .header(
            "X-Prometheus-Scrape-Timeout-Seconds",
            format!("{:.3}", timeout.as_secs_f64()),
        )
        .call()
        .map_err(|error| ScrapeError {
            url: url.to_owned(),
            reason: error.to_string(),
            elapsed: started.elapsed(),
        })?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    Ok(Response {
        status,
        content_type,
        elapsed: started.elapsed(),
        body: Box::new(response.into_body().into_reader()),
    })
}

/// Returns true for inputs that name a URL rather than a file.
#[must_use]
pub fn is_url(input: &str) -> bool {
    input.starts_with("http://") || input.starts_with("https://")
}
