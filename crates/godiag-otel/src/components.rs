//! Settings schemas and `Validate()` rules of the components godiag models field by field.
//!
//! Modelled from the Collector v0.135 sources: `memory_limiter` (internal/memorylimiter),
//! `batch` (processor/batchprocessor), `otlphttp` (exporter/otlphttpexporter with
//! config/confighttp, configtls, configretry and exporterhelper's queue), `filelog`
//! (receiver/filelogreceiver over pkg/stanza) and `k8spath`. Components not modelled here
//! are not checked field by field. The `memory_limiter` and `batch` rules are reported by
//! their own checks (OTEL013, OTEL014); everything else here by OTEL003.

mod filelog;
mod otlphttp;

use crate::registry::Kind;
use crate::schema::{Field, Problem, ProblemKind, Ty, f, parse_go_duration};
use crate::yaml::{Node, Pos, Value};

/// Places problems about absent keys (at [`Pos::default()`]) at `at`, the key of the
/// mapping they are about.
pub fn anchor(problems: &mut [Problem], at: Pos) {
    for problem in problems {
        if problem.pos == Pos::default() {
            problem.pos = at;
        }
    }
}

pub use filelog::filelog_rules;
pub use otlphttp::otlphttp_rules;

const MEMORY_LIMITER: &[Field] = &[
    f("check_interval", Ty::Duration),
    f("min_gc_interval_when_soft_limited", Ty::Duration),
    f("min_gc_interval_when_hard_limited", Ty::Duration),
    f("limit_mib", Ty::Uint),
    f("spike_limit_mib", Ty::Uint),
    f("limit_percentage", Ty::Uint),
    f("spike_limit_percentage", Ty::Uint),
];

const BATCH: &[Field] = &[
    f("timeout", Ty::Duration),
    f("send_batch_size", Ty::Uint),
    f("send_batch_max_size", Ty::Uint),
    f("metadata_keys", Ty::StrList),
    f("metadata_cardinality_limit", Ty::Uint),
];

const K8SPATH: &[Field] = &[f("enabled", Ty::Bool)];

/// Returns the settings schema of a component type, when godiag models it.
#[must_use]
pub fn schema(kind: Kind, ty: &str) -> Option<Ty> {
    match (kind, ty) {
        (Kind::Processor, "memory_limiter") => Some(Ty::Struct(MEMORY_LIMITER)),
        (Kind::Processor, "batch") => Some(Ty::Struct(BATCH)),
        (Kind::Processor, "k8spath") => Some(Ty::Struct(K8SPATH)),
        (Kind::Exporter, "otlphttp" | "otlp_http") => Some(Ty::Struct(otlphttp::FIELDS)),
        (Kind::Receiver, "filelog") => Some(Ty::Struct(filelog::FIELDS)),
        _ => None,
    }
}

/// Returns the `Validate()` problems of a component other than `memory_limiter` and `batch`.
#[must_use]
pub fn rules(kind: Kind, ty: &str, config: &Node) -> Vec<Problem> {
    match (kind, ty) {
        (Kind::Exporter, "otlphttp" | "otlp_http") => otlphttp_rules(config),
        (Kind::Receiver, "filelog") => filelog_rules(config),
        _ => Vec::new(),
    }
}

/// A number setting's value: `None` when absent, null, expanded at run time or not a number.
#[must_use]
pub fn number(config: &Node, key: &str) -> Option<f64> {
    match config.get(key)?.value {
        #[allow(clippy::cast_precision_loss)]
        Value::Int(value) => Some(value as f64),
        Value::Float(value) => Some(value.trunc()),
        _ => None,
    }
}

/// A duration setting's value in nanoseconds, as above.
#[must_use]
pub fn duration(config: &Node, key: &str) -> Option<i128> {
    match &config.get(key)?.value {
        Value::Int(value) => Some(i128::from(*value)),
        #[allow(clippy::cast_possible_truncation)]
        Value::Float(value) => Some(*value as i128),
        Value::Str(text) => parse_go_duration(text).ok(),
        _ => None,
    }
}

/// A bool setting's value, as above.
#[must_use]
pub fn boolean(config: &Node, key: &str) -> Option<bool> {
    match config.get(key)?.value {
        Value::Bool(value) => Some(value),
        _ => None,
    }
}

/// True when a key is present with a value only known at run time.
#[must_use]
pub fn expanded(config: &Node, key: &str) -> bool {
    config.get(key).is_some_and(crate::schema::is_expanded)
}

/// A problem at a setting's key; when the key is absent, at [`Pos::default()`], which the
/// caller replaces with the key of the mapping itself (see [`anchor`]).
#[must_use]
pub fn problem(config: &Node, key: &str, path: &str, message: impl Into<String>) -> Problem {
    Problem {
        pos: config
            .entry(key)
            .map_or(Pos::default(), |entry| entry.key_pos),
        path: path.to_owned(),
        kind: ProblemKind::BadValue {
            message: message.into(),
        },
    }
}

/// The `Validate()` problems of a `memory_limiter` (internal/memorylimiter/config.go), in
/// the Collector's order; it stops at the first.
#[must_use]
pub fn memory_limiter_rules(config: &Node) -> Option<Problem> {
    let runtime = [
        "check_interval",
        "limit_mib",
        "spike_limit_mib",
        "limit_percentage",
        "spike_limit_percentage",
        "min_gc_interval_when_soft_limited",
        "min_gc_interval_when_hard_limited",
    ]
    .iter()
    .any(|key| expanded(config, key));
    if runtime {
        return None;
    }
    let check_interval = duration(config, "check_interval").unwrap_or(0);
    let soft_gc = duration(config, "min_gc_interval_when_soft_limited").unwrap_or(10_000_000_000);
    let hard_gc = duration(config, "min_gc_interval_when_hard_limited").unwrap_or(0);
    let limit = number(config, "limit_mib").unwrap_or(0.0);
    let spike = number(config, "spike_limit_mib").unwrap_or(0.0);
    let percent = number(config, "limit_percentage").unwrap_or(0.0);
    let spike_percent = number(config, "spike_limit_percentage").unwrap_or(0.0);
    let at = |key: &str, message: &str| Some(problem(config, key, key, message));
    if check_interval <= 0 {
        return at(
            "check_interval",
            "'check_interval' must be greater than zero",
        );
    }
    if soft_gc < hard_gc {
        return at(
            "min_gc_interval_when_soft_limited",
            "'min_gc_interval_when_soft_limited' should be larger than 'min_gc_interval_when_hard_limited'",
        );
    }
    if limit == 0.0 && percent == 0.0 {
        return at(
            "limit_mib",
            "'limit_mib' or 'limit_percentage' must be greater than zero",
        );
    }
    if percent > 100.0 || spike_percent > 100.0 {
        let key = if percent > 100.0 {
            "limit_percentage"
        } else {
            "spike_limit_percentage"
        };
        return at(
            key,
            "'limit_percentage' and 'spike_limit_percentage' must be greater than zero and less than or equal to hundred",
        );
    }
    if limit > 0.0 && limit <= spike {
        return at(
            "spike_limit_mib",
            "'spike_limit_mib' must be smaller than 'limit_mib'",
        );
    }
    if percent > 0.0 && percent <= spike_percent {
        return at(
            "spike_limit_percentage",
            "'spike_limit_percentage' must be smaller than 'limit_percentage'",
        );
    }
    None
}

/// The `Validate()` problems of a `batch` processor (processor/batchprocessor/config.go).
#[must_use]
pub fn batch_rules(config: &Node) -> Option<Problem> {
    let size = number(config, "send_batch_size").unwrap_or(8192.0);
    let max = number(config, "send_batch_max_size").unwrap_or(0.0);
    if max > 0.0 && max < size && !expanded(config, "send_batch_size") {
        return Some(problem(
            config,
            "send_batch_max_size",
            "send_batch_max_size",
            "send_batch_max_size must be greater or equal to send_batch_size",
        ));
    }
    if let Some(Value::Seq(keys)) = config.get("metadata_keys").map(|node| &node.value) {
        let mut seen = Vec::new();
        for key in keys.iter().filter_map(Node::as_str) {
            let lower = key.to_lowercase();
            if seen.contains(&lower) {
                return Some(problem(
                    config,
                    "metadata_keys",
                    "metadata_keys",
                    format!("duplicate entry in metadata_keys: \"{lower}\" (case-insensitive)"),
                ));
            }
            seen.push(lower);
        }
    }
    if duration(config, "timeout").is_some_and(|timeout| timeout < 0) {
        return Some(problem(
            config,
            "timeout",
            "timeout",
            "timeout must be greater or equal to 0",
        ));
    }
    None
}
