//! Fetching a `/metrics` URL the way Prometheus scrapes it.
//!
//! One GET through the network seam under a deadline, with the `Accept` header the chosen
//! Prometheus sends (OpenMetrics preferred; Prometheus 3 also offers text 1.0.0 and asks for
//! UTF-8 names with `escaping=allow-utf-8`), gzip accepted (the seam's client
//! decompresses), and the body handed back as a reader so it is parsed while it downloads.
//! No proxy is used: a scrape job uses one only when its `proxy_url` names it. This module
//! does not interpret the body.

use std::io::Read;
use std::time::{Duration, Instant};

use godiag_core::net::{HttpRequest, Network, Trust};

use crate::model::PrometheusVersion;

/// The `Accept` header of a Prometheus 2 scrape (its default `scrape_protocols` without
/// protobuf): OpenMetrics 1.0.0, OpenMetrics 0.0.1, then text 0.0.4, then anything.
pub const ACCEPT_V2: &str = "application/openmetrics-text;version=1.0.0;q=0.5,\
application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

/// The `Accept` header of a Prometheus 3 scrape, as scrape.go's `acceptHeader` builds it
/// for the default `scrape_protocols` (OpenMetrics 1.0.0 and 0.0.1, text 1.0.0 and 0.0.4)
/// and UTF-8 name validation: the 1.0.0 formats carry `escaping=allow-utf-8`, and the
/// weights start at 0.6 (five known protocol headers, plus one).
pub const ACCEPT_V3: &str = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,\
application/openmetrics-text;version=0.0.1;q=0.5,\
text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

/// The `Accept` header the Prometheus of `version` sends.
#[must_use]
pub fn accept(version: PrometheusVersion) -> &'static str {
    match version {
        PrometheusVersion::V2 => ACCEPT_V2,
        PrometheusVersion::V3 => ACCEPT_V3,
    }
}

/// The `escaping=` parameter of a response's `Content-Type`: how the target says it wrote
/// names Prometheus 2 could not read (`allow-utf-8`, `underscores`, `dots`, `values`).
#[must_use]
pub fn escaping_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (key, value) = parameter.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("escaping")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

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
///
/// # Errors
/// When no response came.
pub fn fetch(
    network: &dyn Network,
    url: &str,
    accept: &str,
    timeout: Duration,
) -> Result<Response, ScrapeError> {
    let started = Instant::now();
    let request = HttpRequest {
        url: url.to_owned(),
        headers: vec![
            ("Accept".to_owned(), accept.to_owned()),
            (
                "X-Prometheus-Scrape-Timeout-Seconds".to_owned(),
                format!("{:.3}", timeout.as_secs_f64()),
            ),
        ],
        user_agent: concat!("godiag/", env!("CARGO_PKG_VERSION")).to_owned(),
        proxy: None,
        trust: Trust::default(),
        body_limit: u64::MAX,
        // Prometheus's scrape client follows redirects (config.DefaultHTTPClientConfig), as
        // Go's net/http does, up to 10.
        redirects: 10,
    };
    let response = network
        .http(&request, started + timeout)
        .map_err(|error| ScrapeError {
            url: url.to_owned(),
            reason: error.message,
            elapsed: error.duration,
        })?;
    Ok(Response {
        status: response.status,
        content_type: response.content_type,
        elapsed: response.duration,
        body: response.body,
    })
}

/// Returns true for inputs that name a URL rather than a file.
#[must_use]
pub fn is_url(input: &str) -> bool {
    input.starts_with("http://") || input.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_comes_from_the_content_type() {
        assert_eq!(
            escaping_of("text/plain; version=1.0.0; escaping=underscores; charset=utf-8")
                .as_deref(),
            Some("underscores")
        );
        assert_eq!(escaping_of("text/plain; version=0.0.4"), None);
    }

    #[test]
    fn each_version_sends_its_own_accept_header() {
        assert!(accept(PrometheusVersion::V3).contains("version=1.0.0;escaping=allow-utf-8;q=0.6"));
        assert!(
            accept(PrometheusVersion::V3).contains("text/plain;version=1.0.0;escaping=allow-utf-8")
        );
        assert!(!accept(PrometheusVersion::V2).contains("escaping"));
    }
}
