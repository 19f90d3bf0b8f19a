//! SAMP001: the file cannot be read, is not JSON, or is not a JSON object.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};

use super::Context;

/// The strategies file cannot be loaded at all.
pub(crate) struct Unreadable;

const META: CheckMeta = CheckMeta {
    code: "SAMP001",
    slug: "strategies-unreadable",
    domain: Domain::Samp,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The sampling strategies file cannot be read as JSON",
    ok_title: "The sampling strategies file is a JSON object",
    doc: include_str!("../../../../../docs/checks/SAMP001.md"),
};

impl Check<Context> for Unreadable {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let path = &context.sources[0].path;
        if let Some(error) = &context.read_error {
            return vec![
                Finding::new(
                    &META,
                    "cannot read the strategies file",
                    format!(
                        "Jaeger does not start: `failed to read strategies file {}: {error}`.",
                        path.display()
                    ),
                )
                .location(Location::file(path))
                .evidence(Evidence::command(format!("ls -l {}", path.display())))
                .fix(Fix::manual(format!(
                    "{} Jaeger reads the path given by `--sampling.strategies-file` (v1), \
                     `remote_sampling.file.path` (v2) or the `jaegerremotesampling` extension's \
                     `source.file`.",
                    error.fix(path)
                ))),
            ];
        }
        if let Some(error) = &context.syntax {
            return vec![
                context
                    .at(
                        &META,
                        error.pos,
                        format!("not JSON: {error}"),
                        format!(
                            "Jaeger does not start (on a reload it keeps the strategies it had): \
                             `failed to unmarshal strategies: {error}`."
                        ),
                    )
                    .fix(Fix::manual(format!(
                        "Fix the JSON at line {}, column {}; `jq . {}` shows the same error.",
                        error.pos.line,
                        error.pos.col,
                        path.display()
                    ))),
            ];
        }
        context
            .decoded
            .type_errors
            .iter()
            .filter(|error| error.in_struct.is_empty())
            .map(|error| {
                context
                    .at(
                        &META,
                        error.pos,
                        format!("the file holds a JSON {}, not an object", error.value),
                        format!(
                            "Jaeger does not start: `failed to unmarshal strategies: {}`.",
                            error.message()
                        ),
                    )
                    .fix(Fix::manual(
                        "Write one object with `default_strategy` and `service_strategies`, e.g. \
                         `{\"default_strategy\": {\"type\": \"probabilistic\", \"param\": 0.001}, \"service_strategies\": []}`.",
                    ))
            })
            .collect()
    }
}
