//! OTEL002: the config's structure is not what the Collector decodes.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::collector::id_problem;
use crate::registry::Kind;
use crate::schema::{self, Field, Problem, ProblemKind, Ty, f};
use crate::yaml::{Node, Value};

/// Unknown top-level or service keys, sections of the wrong type, invalid IDs.
pub(crate) struct StructureInvalid;

const META: CheckMeta = CheckMeta {
    code: "OTEL002",
    slug: "collector-structure-invalid",
    domain: Domain::Otel,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The Collector config has keys or types the Collector rejects",
    ok_title: "Sections, service keys, IDs and telemetry settings have the expected shape",
    doc: include_str!("../../../../docs/checks/OTEL002.md"),
};

const LOG_LEVELS: &[&str] = &[
    "debug", "info", "warn", "error", "dpanic", "panic", "fatal", "DEBUG", "INFO", "WARN", "ERROR",
    "DPANIC", "PANIC", "FATAL",
];
const METRIC_LEVELS: &[&str] = &[
    "none", "basic", "normal", "detailed", "None", "Basic", "Normal", "Detailed", "NONE", "BASIC",
    "NORMAL", "DETAILED",
];

const SAMPLING: &[Field] = &[
    f("enabled", Ty::Bool),
    f("tick", Ty::Duration),
    f("initial", Ty::Int),
    f("thereafter", Ty::Int),
];
const LOGS: &[Field] = &[
    f("level", Ty::Enum(LOG_LEVELS)),
    f("development", Ty::Bool),
    f("encoding", Ty::Str),
    f("disable_caller", Ty::Bool),
    f("disable_stacktrace", Ty::Bool),
    f("sampling", Ty::Struct(SAMPLING)),
    f("output_paths", Ty::StrList),
    f("error_output_paths", Ty::StrList),
    f("initial_fields", Ty::Map(&Ty::Any)),
    f("processors", Ty::List(&Ty::Any)),
];
const METRICS: &[Field] = &[
    f("level", Ty::Enum(METRIC_LEVELS)),
    f("readers", Ty::List(&Ty::Any)),
    f("views", Ty::List(&Ty::Any)),
];
const TELEMETRY: &[Field] = &[
    f("logs", Ty::Struct(LOGS)),
    f("metrics", Ty::Struct(METRICS)),
    f("traces", Ty::Map(&Ty::Any)),
    f("resource", Ty::Map(&Ty::Any)),
];
const PIPELINE: &[Field] = &[
    f("receivers", Ty::List(&Ty::Str)),
    f("processors", Ty::List(&Ty::Str)),
    f("exporters", Ty::List(&Ty::Str)),
];
const SERVICE: &[Field] = &[
    f("telemetry", Ty::Struct(TELEMETRY)),
    f("extensions", Ty::List(&Ty::Str)),
    f("pipelines", Ty::Map(&Ty::Struct(PIPELINE))),
];
const TOP: &[Field] = &[
    f("receivers", Ty::Map(&Ty::Any)),
    f("processors", Ty::Map(&Ty::Any)),
    f("exporters", Ty::Map(&Ty::Any)),
    f("connectors", Ty::Map(&Ty::Any)),
    f("extensions", Ty::Map(&Ty::Any)),
    f("service", Ty::Struct(SERVICE)),
];

const SIGNALS: &[&str] = &["traces", "metrics", "logs", "profiles"];

impl Check<Context> for StructureInvalid {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(root) = &context.collector.root else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        schema::validate(root, &Ty::Struct(TOP), "", &mut problems);
        id_problems(root, &mut problems);
        problems
            .iter()
            .map(|problem| finding(context, problem))
            .collect()
    }
}

fn id_problem_at(id: &str, pos: crate::yaml::Pos, path: String) -> Option<Problem> {
    id_problem(id).map(|message| Problem {
        pos,
        path,
        kind: ProblemKind::BadValue { message },
    })
}

fn id_problems(root: &Node, out: &mut Vec<Problem>) {
    for kind in Kind::ALL {
        for entry in root
            .get(kind.section())
            .and_then(Node::entries)
            .unwrap_or_default()
        {
            out.extend(id_problem_at(
                &entry.key,
                entry.key_pos,
                kind.section().to_owned(),
            ));
        }
    }
    let Some(service) = root.get("service") else {
        return;
    };
    if let Some(Value::Seq(items)) = service.get("extensions").map(|node| &node.value) {
        for item in items {
            if let Some(id) = item.as_str() {
                out.extend(id_problem_at(id, item.pos, "service.extensions".into()));
            }
        }
    }
    for entry in service
        .get("pipelines")
        .and_then(Node::entries)
        .unwrap_or_default()
    {
        let signal = entry.key.split('/').next().unwrap_or_default().trim();
        if let Some(problem) = id_problem_at(&entry.key, entry.key_pos, "service.pipelines".into())
        {
            out.push(problem);
        } else if !SIGNALS.contains(&signal) {
            out.push(Problem {
                pos: entry.key_pos,
                path: "service.pipelines".into(),
                kind: ProblemKind::BadValue {
                    message: format!(
                        "in \"{}\" id: unknown pipeline signal: \"{signal}\" (use traces, metrics or logs)",
                        entry.key
                    ),
                },
            });
        }
        for list in ["receivers", "processors", "exporters"] {
            if let Some(Value::Seq(items)) = entry.value.get(list).map(|node| &node.value) {
                for item in items {
                    if let Some(id) = item.as_str() {
                        out.extend(id_problem_at(
                            id,
                            item.pos,
                            format!("service.pipelines.{}.{list}", entry.key),
                        ));
                    }
                }
            }
        }
    }
}

fn finding(context: &Context, problem: &Problem) -> Finding {
    let metrics_address = problem.path == "service.telemetry.metrics.address";
    let (title, message, fix) = if metrics_address {
        (
            "`service.telemetry.metrics.address` was removed".to_owned(),
            "The internal metrics endpoint is configured with `readers` since v0.111.0; the old key \
             is now rejected (`'' has invalid keys: address`)."
                .to_owned(),
            Fix::manual(
                "Replace `address: HOST:PORT` with:\n  readers:\n    - pull:\n        exporter:\n          prometheus:\n            host: HOST\n            port: PORT",
            ),
        )
    } else {
        let unknown_top =
            matches!(problem.kind, ProblemKind::UnknownKey { .. }) && !problem.path.contains('.');
        let message = if unknown_top {
            "The Collector accepts only receivers, processors, exporters, connectors, extensions and \
             service at the top level and stops with `'' has invalid keys: ...`. A key indented one \
             level too little lands here."
        } else {
            "The Collector decodes this strictly and stops before starting: `cannot unmarshal the \
             configuration`."
        };
        (
            problem.describe(),
            message.to_owned(),
            Fix::manual("Correct the key or value at the position shown."),
        )
    };
    context
        .at(&META, problem.pos, title, message)
        .subject(problem.path.clone())
        .fix(fix)
}
