//! Jaeger sampling strategy files: parse with positions ([`crate::json`]), decode as Go's
//! `encoding/json` does ([`decode`]), load as Jaeger's file-based provider does
//! ([`provider`]), serve as its remote sampling endpoint does ([`response`]), and check
//! ([`checks`], `SAMP0xx`).
//!
//! [`lint`] runs all of that for one file under the deadline and, for `--service`, says
//! what `GET /api/sampling?service=S` would return. Nothing here prints.

pub mod checks;
pub mod decode;
pub mod provider;
pub mod response;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use godiag_core::finding::Finding;
use godiag_core::host::Host;
use godiag_core::runner;
use serde_json::{Value, json};

use crate::checks::Source;
use crate::read_error::ReadError;
use checks::Context;
use provider::{Response, StrategyType};

/// What to ask about a sampling file.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// `--service`: print what Jaeger serves this service.
    pub service: Option<String>,
    /// `--operation`: and how that service's SDK samples this span name.
    pub operation: Option<String>,
    /// Jaeger's `default_sampling_probability` (0.001 unless configured).
    pub default_probability: f64,
}

/// Lints one sampling file (`file` is its index among the sources) on `host`.
#[must_use]
pub fn lint(
    host: Arc<dyn Host>,
    path: PathBuf,
    bytes: Result<Vec<u8>, ReadError>,
    query: &Query,
    deadline: Duration,
) -> (Vec<Finding>, Value) {
    let context = Arc::new(Context::load(host, path, bytes, query.default_probability));
    let findings = runner::run_checks(checks::ALL, &context, deadline);
    let result = result(&context, query);
    (findings, result)
}

fn result(context: &Context, query: &Query) -> Value {
    let source: &Source = &context.sources[0];
    let mut result = json!({
        "path": source.path,
        "default_sampling_probability": query.default_probability,
    });
    let store = match context.store() {
        Ok(store) => store,
        Err(refused) => {
            result["served"] = json!(false);
            result["refused"] = json!(refused);
            if let Some(service) = &query.service {
                result["effective"] = json!({"service": service, "response": null, "body": null});
            }
            return result;
        }
    };
    result["served"] = json!(true);
    result["services"] = json!(
        store
            .services
            .iter()
            .map(|(name, response)| json!({"service": name, "body": response::body(response)}))
            .collect::<Vec<_>>()
    );
    result["default"] = response::to_value(&store.default);
    result["default_body"] = json!(response::body(&store.default));
    result["warnings"] = json!(
        store
            .warnings
            .iter()
            .map(|w| json!({"line": w.pos.line, "column": w.pos.col, "message": w.message}))
            .collect::<Vec<_>>()
    );
    if let Some(service) = &query.service {
        let served = store.get(service);
        let from = if store.services.iter().any(|(name, _)| name == service) {
            "service_strategies"
        } else if context
            .decoded
            .strategies
            .as_ref()
            .is_some_and(|s| s.default_strategy.is_some())
        {
            "default_strategy"
        } else {
            "built-in default"
        };
        let mut effective = json!({
            "service": service,
            "request": format!("/api/sampling?service={}", query_escape(service)),
            "from": from,
            "response": response::to_value(served),
            "body": response::body(served),
        });
        if let Some(operation) = &query.operation {
            effective["operation"] = operation_sampler(served, operation);
        }
        result["effective"] = effective;
    }
    result
}

/// How an SDK using the Jaeger remote sampler (Go `jaegerremote`, Java, JS, Rust) samples
/// spans named `operation` under `response`: the per-operation strategies first, then the
/// probabilistic, then the rate-limiting one.
#[must_use]
pub fn operation_sampler(response: &Response, operation: &str) -> Value {
    if let Some(sampling) = &response.operation_sampling {
        // The Go SDK builds a map from the list, so the last entry of a name wins.
        if let Some(op) = sampling
            .per_operation
            .iter()
            .rev()
            .find(|op| op.operation == operation)
        {
            return json!({
                "operation": operation,
                "sampler": "probabilistic",
                "sampling_rate": op.sampling_rate,
                "from": "operationSampling.perOperationStrategies",
            });
        }
        return json!({
            "operation": operation,
            "sampler": "probabilistic",
            "sampling_rate": sampling.default_sampling_probability,
            "from": "operationSampling.defaultSamplingProbability",
        });
    }
    match response.strategy_type {
        StrategyType::Probabilistic => json!({
            "operation": operation,
            "sampler": "probabilistic",
            "sampling_rate": response.probabilistic.unwrap_or_default(),
            "from": "probabilisticSampling",
        }),
        StrategyType::RateLimiting => json!({
            "operation": operation,
            "sampler": "ratelimiting",
            "max_traces_per_second": response.rate_limiting.unwrap_or_default(),
            "from": "rateLimitingSampling",
        }),
    }
}

/// Escapes a query value as Go's `url.QueryEscape` does.
fn query_escape(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}
