//! The `filelog` receiver: fileconsumer settings, stanza operators and the receiver adapter.
//!
//! Operator settings are decoded leniently by stanza (unknown keys are ignored), so only the
//! operator `type`, duplicate `id`s and the fields an operator cannot build without are
//! checked.

use super::{number, problem};
use crate::schema::{Field, Problem, ProblemKind, Ty, f};
use crate::yaml::{Node, Value};

const RETRY: &[Field] = &[
    f("enabled", Ty::Bool),
    f("initial_interval", Ty::Duration),
    f("max_interval", Ty::Duration),
    f("max_elapsed_time", Ty::Duration),
];

const MULTILINE: &[Field] = &[
    f("line_start_pattern", Ty::Str),
    f("line_end_pattern", Ty::Str),
    f("omit_pattern", Ty::Bool),
];

/// The settings of `filelog`.
pub(super) const FIELDS: &[Field] = &[
    f("include", Ty::StrList),
    f("exclude", Ty::StrList),
    f("exclude_older_than", Ty::Duration),
    f("start_at", Ty::Str),
    f("include_file_name", Ty::Bool),
    f("include_file_path", Ty::Bool),
    f("include_file_name_resolved", Ty::Bool),
    f("include_file_path_resolved", Ty::Bool),
    f("include_file_owner_name", Ty::Bool),
    f("include_file_owner_group_name", Ty::Bool),
    f("include_file_record_number", Ty::Bool),
    f("include_file_record_offset", Ty::Bool),
    f("poll_interval", Ty::Duration),
    f("fingerprint_size", Ty::Any),
    f("max_log_size", Ty::Any),
    f("max_concurrent_files", Ty::Int),
    f("max_batches", Ty::Int),
    f("delete_after_read", Ty::Bool),
    f("encoding", Ty::Str),
    f("multiline", Ty::Struct(MULTILINE)),
    f("force_flush_period", Ty::Duration),
    f("header", Ty::Any),
    f("ordering_criteria", Ty::Any),
    f("compression", Ty::Str),
    f("acquire_fs_lock", Ty::Bool),
    f("polls_to_archive", Ty::Int),
    f("preserve_leading_whitespaces", Ty::Bool),
    f("preserve_trailing_whitespaces", Ty::Bool),
    f("storage", Ty::Str),
    f("retry_on_failure", Ty::Struct(RETRY)),
    f("operators", Ty::List(&Ty::Any)),
    f("attributes", Ty::Map(&Ty::Any)),
    f("resource", Ty::Map(&Ty::Any)),
    f("id", Ty::Str),
    f("type", Ty::Str),
    f("output", Ty::Any),
];

/// Operator types of pkg/stanza, and the settings each needs to build.
const OPERATORS: &[(&str, &[&str])] = &[
    ("add", &["field"]),
    ("assign_keys", &["keys"]),
    ("container", &[]),
    ("copy", &["from", "to"]),
    ("csv_parser", &["header"]),
    ("flatten", &["field"]),
    ("json_array_parser", &[]),
    ("json_parser", &[]),
    ("key_value_parser", &[]),
    ("move", &["from", "to"]),
    ("noop", &[]),
    ("recombine", &["combine_field"]),
    ("regex_parser", &["regex"]),
    ("regex_replace", &["regex"]),
    ("remove", &["field"]),
    ("retain", &["fields"]),
    ("router", &[]),
    ("scope_name_parser", &[]),
    ("severity_parser", &[]),
    ("syslog_parser", &["protocol"]),
    ("time_parser", &["layout"]),
    ("trace_parser", &[]),
    ("unquote", &[]),
];

const ENCODINGS: &[&str] = &[
    "",
    "nop",
    "utf-8",
    "utf8",
    "utf-8-raw",
    "utf8-raw",
    "utf-16le",
    "utf-16be",
    "ascii",
    "big5",
    "shift_jis",
    "euc-jp",
    "euc-kr",
    "gbk",
    "gb18030",
    "iso-8859-1",
    "latin1",
    "windows-1252",
];

/// The build-time checks of the receiver (`Build` of the file input and its operators).
pub fn filelog_rules(config: &Node) -> Vec<Problem> {
    let mut problems = Vec::new();
    let include_empty = match config.get("include").map(|node| &node.value) {
        None | Some(Value::Null) => true,
        Some(Value::Seq(items)) => items.is_empty(),
        Some(Value::Str(text)) => text.is_empty(),
        _ => false,
    };
    if include_empty {
        problems.push(problem(
            config,
            "include",
            "include",
            "'include' must be specified",
        ));
    }
    if let Some(node) = config.get("start_at") {
        let text = node.scalar_text().unwrap_or_default();
        if !is_runtime(node) && text != "beginning" && text != "end" {
            problems.push(problem(
                config,
                "start_at",
                "start_at",
                format!("invalid start_at location '{text}'"),
            ));
        }
    }
    if let Some(node) = config.get("encoding") {
        let text = node.scalar_text().unwrap_or_default().to_lowercase();
        if !is_runtime(node) && !ENCODINGS.contains(&text.as_str()) {
            problems.push(problem(
                config,
                "encoding",
                "encoding",
                format!("unsupported encoding '{text}'"),
            ));
        }
    }
    if config.get("fingerprint_size").is_some_and(Node::is_null)
        || number(config, "fingerprint_size").is_some_and(|size| size < 16.0)
    {
        problems.push(problem(
            config,
            "fingerprint_size",
            "fingerprint_size",
            "'fingerprint_size' must be at least 16 bytes",
        ));
    }
    for key in ["max_log_size", "max_concurrent_files"] {
        if config.get(key).is_some_and(Node::is_null)
            || number(config, key).is_some_and(|value| value <= 0.0)
        {
            problems.push(problem(
                config,
                key,
                key,
                format!("'{key}' must be positive"),
            ));
        }
    }
    if config
        .get("type")
        .is_some_and(|node| node.scalar_text().is_some_and(|text| text.is_empty()))
    {
        problems.push(problem(
            config,
            "type",
            "type",
            "missing required `type` field.",
        ));
    }
    if let Some(Value::Seq(operators)) = config.get("operators").map(|node| &node.value) {
        problems.extend(operator_rules(operators));
    }
    problems
}

fn operator_rules(operators: &[Node]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for (index, operator) in operators.iter().enumerate() {
        let path = format!("operators[{index}]");
        let Some(ty) = operator.get("type").and_then(Node::as_str) else {
            problems.push(Problem {
                pos: operator.pos,
                path,
                kind: ProblemKind::BadValue {
                    message: "missing required `type` field".into(),
                },
            });
            continue;
        };
        let Some((_, required)) = OPERATORS.iter().find(|(name, _)| *name == ty) else {
            problems.push(problem(
                operator,
                "type",
                &path,
                format!("unsupported type '{ty}'"),
            ));
            continue;
        };
        for field in *required {
            let missing = operator
                .get(field)
                .is_none_or(|node| node.scalar_text().is_some_and(|text| text.is_empty()));
            if missing {
                problems.push(problem(
                    operator,
                    "type",
                    &path,
                    format!("{ty}: missing required field '{field}'"),
                ));
            }
        }
        let id = operator
            .get("id")
            .and_then(Node::as_str)
            .map_or_else(|| ty.to_owned(), str::to_owned);
        if ids.contains(&id) {
            problems.push(problem(
                operator,
                if operator.get("id").is_some() {
                    "id"
                } else {
                    "type"
                },
                &path,
                format!("operator with id '{id}' already exists in pipeline"),
            ));
        }
        ids.push(id);
    }
    problems
}

fn is_runtime(node: &Node) -> bool {
    crate::schema::is_expanded(node)
}
