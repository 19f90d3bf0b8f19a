//! The `otlphttp` exporter: confighttp.ClientConfig (squashed), `sending_queue`,
//! `retry_on_failure`, per-signal endpoints and `encoding`.

use super::{anchor, boolean, duration, expanded, number, problem};
use crate::schema::{Field, Problem, Ty, f};
use crate::yaml::{Node, Value};

const TLS: &[Field] = &[
    f("ca_file", Ty::Str),
    f("ca_pem", Ty::Str),
    f("include_system_ca_certs_pool", Ty::Bool),
    f("cert_file", Ty::Str),
    f("cert_pem", Ty::Str),
    f("key_file", Ty::Str),
    f("key_pem", Ty::Str),
    f("min_version", Ty::Str),
    f("max_version", Ty::Str),
    f("cipher_suites", Ty::StrList),
    f("reload_interval", Ty::Duration),
    f("curve_preferences", Ty::StrList),
    f("tpm", Ty::Any),
    f("insecure", Ty::Bool),
    f("insecure_skip_verify", Ty::Bool),
    f("server_name_override", Ty::Str),
];

const QUEUE_BATCH: &[Field] = &[
    f("flush_timeout", Ty::Duration),
    f("sizer", Ty::Enum(&["requests", "items", "bytes"])),
    f("min_size", Ty::Int),
    f("max_size", Ty::Int),
];

const QUEUE: &[Field] = &[
    f("enabled", Ty::Bool),
    f("wait_for_result", Ty::Bool),
    f("sizer", Ty::Enum(&["requests", "items", "bytes"])),
    f("queue_size", Ty::Int),
    f("block_on_overflow", Ty::Bool),
    f("storage", Ty::Str),
    f("num_consumers", Ty::Int),
    f("batch", Ty::Struct(QUEUE_BATCH)),
];

const RETRY: &[Field] = &[
    f("enabled", Ty::Bool),
    f("initial_interval", Ty::Duration),
    f("randomization_factor", Ty::Float),
    f("multiplier", Ty::Float),
    f("max_interval", Ty::Duration),
    f("max_elapsed_time", Ty::Duration),
];

const COMPRESSION: &[&str] = &[
    "",
    "none",
    "gzip",
    "zlib",
    "deflate",
    "snappy",
    "zstd",
    "lz4",
    "x-snappy-framed",
];

/// The settings of `otlphttp`.
pub(super) const FIELDS: &[Field] = &[
    f("endpoint", Ty::Str),
    f("proxy_url", Ty::Str),
    f("tls", Ty::Struct(TLS)),
    f("read_buffer_size", Ty::Int),
    f("write_buffer_size", Ty::Int),
    f("timeout", Ty::Duration),
    f("headers", Ty::Map(&Ty::Str)),
    f("auth", Ty::Struct(&[f("authenticator", Ty::Str)])),
    f("compression", Ty::Enum(COMPRESSION)),
    f("compression_params", Ty::Struct(&[f("level", Ty::Int)])),
    f("max_idle_conns", Ty::Int),
    f("max_idle_conns_per_host", Ty::Int),
    f("max_conns_per_host", Ty::Int),
    f("idle_conn_timeout", Ty::Duration),
    f("disable_keep_alives", Ty::Bool),
    f("http2_read_idle_timeout", Ty::Duration),
    f("http2_ping_timeout", Ty::Duration),
    f("cookies", Ty::Struct(&[f("enabled", Ty::Bool)])),
    f("force_attempt_http2", Ty::Bool),
    f("middlewares", Ty::List(&Ty::Struct(&[f("id", Ty::Str)]))),
    f("sending_queue", Ty::Struct(QUEUE)),
    f("retry_on_failure", Ty::Struct(RETRY)),
    f("traces_endpoint", Ty::Str),
    f("metrics_endpoint", Ty::Str),
    f("logs_endpoint", Ty::Str),
    f("profiles_endpoint", Ty::Str),
    f("encoding", Ty::Enum(&["proto", "json"])),
];

/// `Validate()` of the exporter, its retry settings and its queue.
#[must_use]
pub fn otlphttp_rules(config: &Node) -> Vec<Problem> {
    let mut problems = Vec::new();
    let endpoints = [
        "endpoint",
        "traces_endpoint",
        "metrics_endpoint",
        "logs_endpoint",
        "profiles_endpoint",
    ];
    let has_endpoint = endpoints.iter().any(|key| {
        config
            .get(key)
            .is_some_and(|node| node.as_str().is_some_and(|text| !text.is_empty()))
    });
    if !has_endpoint {
        problems.push(problem(
            config,
            "endpoint",
            "endpoint",
            "at least one endpoint must be specified",
        ));
    }
    if let Some(retry) = config.entry("retry_on_failure") {
        let mut found: Vec<Problem> = retry_rules(&retry.value).into_iter().collect();
        anchor(&mut found, retry.key_pos);
        problems.extend(found);
    }
    if let Some(queue) = config.entry("sending_queue") {
        let mut found = queue_rules(&queue.value);
        anchor(&mut found, queue.key_pos);
        problems.extend(found);
    }
    problems
}

fn retry_rules(retry: &Node) -> Option<Problem> {
    if boolean(retry, "enabled") == Some(false) || runtime(retry) {
        return None;
    }
    let initial = duration(retry, "initial_interval").unwrap_or(5_000_000_000);
    let max_interval = duration(retry, "max_interval").unwrap_or(30_000_000_000);
    let max_elapsed = duration(retry, "max_elapsed_time").unwrap_or(300_000_000_000);
    let randomization = number_f(retry, "randomization_factor").unwrap_or(0.5);
    let multiplier = number_f(retry, "multiplier").unwrap_or(1.5);
    let at = |key: &str, message: &str| {
        Some(problem(
            retry,
            key,
            &format!("retry_on_failure.{key}"),
            message,
        ))
    };
    if initial < 0 {
        return at(
            "initial_interval",
            "'initial_interval' must be non-negative",
        );
    }
    if !(0.0..=1.0).contains(&randomization) {
        return at(
            "randomization_factor",
            "'randomization_factor' must be within [0, 1]",
        );
    }
    if multiplier < 0.0 {
        return at("multiplier", "'multiplier' must be non-negative");
    }
    if max_interval < 0 {
        return at("max_interval", "'max_interval' must be non-negative");
    }
    if max_elapsed < 0 {
        return at(
            "max_elapsed_time",
            "'max_elapsed_time' must be non-negative",
        );
    }
    if max_elapsed > 0 && max_elapsed < initial {
        return at(
            "max_elapsed_time",
            "'max_elapsed_time' must not be less than 'initial_interval'",
        );
    }
    if max_elapsed > 0 && max_elapsed < max_interval {
        return at(
            "max_elapsed_time",
            "'max_elapsed_time' must not be less than 'max_interval'",
        );
    }
    None
}

fn queue_rules(queue: &Node) -> Vec<Problem> {
    let mut problems = Vec::new();
    if boolean(queue, "enabled") == Some(false) || runtime(queue) {
        return problems;
    }
    let at =
        |key: &str, message: &str| problem(queue, key, &format!("sending_queue.{key}"), message);
    if number(queue, "num_consumers").unwrap_or(10.0) <= 0.0 {
        problems.push(at("num_consumers", "`num_consumers` must be positive"));
    }
    let queue_size = number(queue, "queue_size").unwrap_or(1000.0);
    if queue_size <= 0.0 {
        problems.push(at("queue_size", "`queue_size` must be positive"));
    }
    let storage = queue
        .get("storage")
        .is_some_and(|node| node.as_str().is_some_and(|text| !text.is_empty()));
    if storage && boolean(queue, "wait_for_result") == Some(true) {
        problems.push(at(
            "wait_for_result",
            "`wait_for_result` is not supported with a persistent queue configured with `storage`",
        ));
    }
    let Some(batch_entry) = queue.entry("batch") else {
        return problems;
    };
    let batch = &batch_entry.value;
    if runtime(batch) {
        return problems;
    }
    let queue_sizer = sizer(queue).unwrap_or("requests");
    let batch_sizer = sizer(batch).unwrap_or(queue_sizer);
    let min = number(batch, "min_size").unwrap_or(8192.0);
    if batch_sizer == queue_sizer && min > queue_size {
        problems.push(at(
            "queue_size",
            "`min_size` must be less than or equal to `queue_size`",
        ));
    }
    let batch_at = |key: &str, message: &str| {
        let mut found = [problem(
            batch,
            key,
            &format!("sending_queue.batch.{key}"),
            message,
        )];
        anchor(&mut found, batch_entry.key_pos);
        let [found] = found;
        found
    };
    if batch_sizer != "items" && batch_sizer != "bytes" {
        problems.push(batch_at(
            "sizer",
            "`batch` supports only `items` or `bytes` sizer",
        ));
    } else if duration(batch, "flush_timeout").unwrap_or(200_000_000) <= 0 {
        problems.push(batch_at(
            "flush_timeout",
            "`flush_timeout` must be positive",
        ));
    } else if min < 0.0 {
        problems.push(batch_at("min_size", "`min_size` must be non-negative"));
    } else if number(batch, "max_size").unwrap_or(0.0) < 0.0 {
        problems.push(batch_at("max_size", "`max_size` must be non-negative"));
    } else {
        let max = number(batch, "max_size").unwrap_or(0.0);
        if max > 0.0 && max < min {
            problems.push(batch_at(
                "max_size",
                "`max_size` must be greater or equal to `min_size`",
            ));
        }
    }
    problems
}

fn sizer(node: &Node) -> Option<&str> {
    node.get("sizer").and_then(Node::as_str)
}

fn number_f(node: &Node, key: &str) -> Option<f64> {
    match node.get(key)?.value {
        #[allow(clippy::cast_precision_loss)]
        Value::Int(value) => Some(value as f64),
        Value::Float(value) => Some(value),
        _ => None,
    }
}

/// True when any setting of the mapping is only known at run time.
fn runtime(node: &Node) -> bool {
    node.entries()
        .unwrap_or_default()
        .iter()
        .any(|entry| expanded(node, &entry.key))
}
