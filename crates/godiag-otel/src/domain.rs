//! Runs `godiag lint`: read the files, decide each one's kind, lint the Collector config
//! (all Collector files merged as one config) under one deadline.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use godiag_core::finding::Finding;
use godiag_core::host::Host;
use godiag_core::runner;
use serde_json::{Value, json};

use crate::checks::{self, Context, FileProblem, Source, Unreadable};
use crate::collector::Collector;
use crate::read_error::ReadError;
use crate::registry::{self, Version};
use crate::yaml::YamlError;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// An OpenTelemetry Collector config (YAML).
    Collector,
    /// A Jaeger sampling strategies file (JSON).
    Sampling,
}

/// What to lint and how.
#[derive(Debug, Clone)]
pub struct LintOptions {
    /// The files, in `--config` order.
    pub files: Vec<PathBuf>,
    /// Forces the kind of every file.
    pub kind: Option<FileKind>,
    /// The Collector release the config is meant for.
    pub collector_version: Version,
    /// What to ask about sampling files (`--service`, `--operation`).
    pub sampling: crate::sampling::Query,
}

/// What the domain produced.
#[derive(Debug)]
pub struct Outcome {
    /// Every finding.
    pub findings: Vec<Finding>,
    /// The structured result (the `.lint` object).
    pub result: Value,
}

/// Top-level keys that make a JSON object a Jaeger strategies file.
const SAMPLING_KEYS: &[&str] = &[
    "default_strategy",
    "service_strategies",
    "per_operation_strategies",
];

/// Returns the kind of a file from its content: a JSON object with one of Jaeger's
/// strategy keys at the top (in any case, as Jaeger matches them) is a sampling file, and
/// so is text that starts like one but is broken JSON; anything else is a Collector config.
#[must_use]
pub fn detect(text: &str) -> FileKind {
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') {
        return FileKind::Collector;
    }
    let is_key = |key: &str| SAMPLING_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key));
    if let Ok(node) = crate::json::parse(text.as_bytes(), 0) {
        if node
            .members()
            .is_some_and(|members| members.iter().any(|m| is_key(&m.key)))
        {
            FileKind::Sampling
        } else {
            FileKind::Collector
        }
    } else {
        {
            let lower = trimmed.to_ascii_lowercase();
            if SAMPLING_KEYS
                .iter()
                .any(|key| lower.contains(&format!("\"{key}\"")))
            {
                FileKind::Sampling
            } else {
                FileKind::Collector
            }
        }
    }
}

/// Lints `options.files` on `host` within `deadline`: reading and parsing count against it
/// too, so a huge or slow input gives CORE001 for `read-lint-inputs` instead of holding the
/// report past the deadline.
#[must_use]
pub fn lint(host: Arc<dyn Host>, options: &LintOptions, deadline: Duration) -> Outcome {
    let started = Instant::now();
    let slot: Arc<Mutex<Option<Outcome>>> = Arc::default();
    let task = {
        let (slot, options) = (Arc::clone(&slot), options.clone());
        runner::Task::new("read-lint-inputs", move || {
            let outcome = lint_within(host, &options, deadline, started);
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
            runner::TaskOutput::default()
        })
    };
    // The checks inside end at the deadline themselves; the grace lets their findings, not a
    // CORE001 for the whole lint, be the report when a check is what ran late.
    let grace = (deadline / 5).min(Duration::from_millis(250));
    let late = runner::run(vec![task], deadline + grace);
    slot.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
        .unwrap_or_else(|| Outcome {
            findings: late.findings,
            result: json!({
                "files": options.files,
                "collector_version": options.collector_version.to_string(),
            }),
        })
}

/// Lints with what is left of `deadline` since `started` for the checks.
fn lint_within(
    host: Arc<dyn Host>,
    options: &LintOptions,
    deadline: Duration,
    started: Instant,
) -> Outcome {
    let mut collector_sources = Vec::new();
    let mut unreadable = Vec::new();
    let mut files = Vec::new();
    let mut findings = Vec::new();
    let mut sampling = Vec::new();
    for path in &options.files {
        let bytes = host.read(path).map_err(|error| ReadError::new(&error));
        let (text, error) = match &bytes {
            Ok(bytes) => (String::from_utf8_lossy(bytes).into_owned(), None),
            Err(error) => (String::new(), Some(error.clone())),
        };
        let kind = options.kind.unwrap_or_else(|| detect(&text));
        files.push(json!({"path": path, "kind": kind}));
        if kind == FileKind::Sampling {
            let (found, result) = crate::sampling::lint(
                Arc::clone(&host),
                path.clone(),
                bytes,
                &options.sampling,
                deadline.saturating_sub(started.elapsed()),
            );
            findings.extend(found);
            sampling.push(result);
            continue;
        }
        if kind == FileKind::Collector {
            let file = u16::try_from(collector_sources.len()).unwrap_or(u16::MAX);
            if let Some(error) = error {
                unreadable.push(Unreadable {
                    file,
                    problem: FileProblem::Read(error),
                });
            }
            collector_sources.push(Source::new(path.clone(), text));
        }
    }
    let mut result = json!({
        "files": files,
        "collector_version": options.collector_version.to_string(),
    });
    if !sampling.is_empty() {
        result["sampling"] = json!(sampling);
    }
    if !collector_sources.is_empty() {
        let context = collector_context(
            host,
            collector_sources,
            unreadable,
            options.collector_version,
        );
        result["kind"] = json!("collector");
        result["components"] = components_json(&context);
        result["pipelines"] = pipelines_json(&context.collector);
        result["extensions"] = json!(
            context
                .collector
                .service_extensions
                .iter()
                .map(|r| r.id.clone())
                .collect::<Vec<_>>()
        );
        findings.extend(runner::run_checks(
            checks::ALL,
            &Arc::new(context),
            deadline.saturating_sub(started.elapsed()),
        ));
    }
    Outcome { findings, result }
}

fn collector_context(
    host: Arc<dyn Host>,
    sources: Vec<Source>,
    mut unreadable: Vec<Unreadable>,
    version: Version,
) -> Context {
    let mut documents = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        let file = u16::try_from(index).unwrap_or(u16::MAX);
        if unreadable.iter().any(|u| u.file == file) {
            continue;
        }
        match crate::yaml::parse(&source.text, file) {
            Ok(Some(document)) => documents.push(document),
            Ok(None) => {}
            Err(YamlError::ExcessiveAliasing { pos }) => unreadable.push(Unreadable {
                file,
                problem: FileProblem::ExcessiveAliasing { pos },
            }),
            Err(error) => unreadable.push(Unreadable {
                file,
                problem: FileProblem::Syntax {
                    pos: error.pos(),
                    message: error.to_string(),
                },
            }),
        }
    }
    Context {
        host,
        sources,
        unreadable,
        collector: Collector::from_documents(documents),
        version,
    }
}

fn components_json(context: &Context) -> Value {
    context
        .collector
        .components
        .iter()
        .map(|component| {
            let known = registry::lookup_at(component.kind, &component.ty, context.version);
            let location = context.location(component.key_pos);
            json!({
                "kind": component.kind,
                "id": component.id,
                "type": component.ty,
                "known": known.is_some(),
                "stability": known.map(|k| k.stability),
                "distribution": known.map(|k| k.distribution),
                "path": location.path,
                "line": location.line,
                "column": location.column,
            })
        })
        .collect()
}

fn pipelines_json(collector: &Collector) -> Value {
    let ids =
        |refs: &[crate::collector::Ref]| refs.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    collector
        .pipelines
        .iter()
        .map(|pipeline| {
            json!({
                "id": pipeline.id,
                "signal": pipeline.signal,
                "receivers": ids(&pipeline.receivers),
                "processors": ids(&pipeline.processors),
                "exporters": ids(&pipeline.exporters),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use godiag_core::finding::Severity;
    use godiag_core::host::FixtureHost;

    use super::*;

    /// Runs the Collector checks over one file; `text` is `None` when reading it failed.
    fn findings(text: Option<&str>) -> Vec<Finding> {
        let host: Arc<dyn Host> = Arc::new(FixtureHost::new("/nonexistent", BTreeMap::new()));
        let path = PathBuf::from("/etc/otelcol/config.yaml");
        let unreadable = match text {
            Some(_) => Vec::new(),
            None => vec![Unreadable {
                file: 0,
                problem: FileProblem::Read(ReadError::new(&std::io::Error::from(
                    std::io::ErrorKind::NotFound,
                ))),
            }],
        };
        let source = Source::new(path, text.unwrap_or_default().to_owned());
        let context = collector_context(host, vec![source], unreadable, Version::new(135));
        runner::run_checks(checks::ALL, &Arc::new(context), Duration::from_secs(5))
    }

    fn skipped(findings: &[Finding]) -> Vec<(&str, &str)> {
        findings
            .iter()
            .filter_map(|f| Some((f.code.as_str(), f.skip_reason.as_deref()?)))
            .collect()
    }

    #[test]
    fn an_unusable_file_leaves_only_otel001() {
        for (text, reason) in [
            (None, "the file could not be read"),
            (Some("receivers: [\n"), "the file could not be parsed"),
            (Some(""), "the config is empty"),
        ] {
            let found = findings(text);
            let otel001 = found.iter().find(|f| f.code == "OTEL001").unwrap();
            assert_eq!(otel001.severity, Severity::Error, "{reason}");
            let skipped = skipped(&found);
            assert_eq!(
                skipped.len(),
                checks::ALL.len() - 1,
                "{reason}: {skipped:?}"
            );
            assert!(skipped.iter().all(|(_, why)| *why == reason), "{skipped:?}");
        }
        let missing = findings(None);
        let fix = &missing[0].fix.as_ref().unwrap().text;
        assert!(fix.starts_with("Check the path"), "{fix}");
    }

    #[test]
    fn checks_skip_the_sections_a_config_lacks() {
        let minimal = "receivers:\n  otlp:\n    protocols:\n      grpc:\nexporters:\n  debug:\n\
                       service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      \
                       exporters: [debug]\n";
        let found = findings(Some(minimal));
        let skipped: Vec<&str> = skipped(&found).into_iter().map(|(code, _)| code).collect();
        // No modelled component, no extension, no memory_limiter or batch, no duration, no
        // endpoint, no variable.
        let lacking = [
            "OTEL003", "OTEL006", "OTEL011", "OTEL012", "OTEL013", "OTEL014", "OTEL015", "OTEL016",
            "OTEL017", "OTEL018", "OTEL020",
        ];
        assert_eq!(skipped, lacking);
        assert!(found.iter().all(|f| !f.is_problem()), "{found:?}");
    }

    #[test]
    fn kinds_are_detected_from_content() {
        assert_eq!(detect("{\"default_strategy\": {}}"), FileKind::Sampling);
        assert_eq!(
            detect("  {\n \"service_strategies\": []}"),
            FileKind::Sampling
        );
        assert_eq!(detect("receivers:\n  otlp:\n"), FileKind::Collector);
        assert_eq!(detect("{\"receivers\": {}}"), FileKind::Collector);
        assert_eq!(detect("{\"Default_Strategy\": {}}"), FileKind::Sampling);
        assert_eq!(
            detect("{\"per_operation_strategies\": []}"),
            FileKind::Sampling
        );
        assert_eq!(
            detect("{\"service_strategies\": [,]}"),
            FileKind::Sampling,
            "broken JSON that names strategy keys is still a sampling file"
        );
        assert_eq!(
            detect("{\"x\": {\"default_strategy\": 1}}"),
            FileKind::Collector,
            "only top-level keys count"
        );
    }
}
