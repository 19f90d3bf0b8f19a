//! OTEL001: a file of the config cannot be read as YAML, or the config defines nothing.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};

use super::Context;
use crate::registry::Kind;

/// The config cannot be loaded at all.
pub(crate) struct ConfigUnreadable;

const META: CheckMeta = CheckMeta {
    code: "OTEL001",
    slug: "collector-config-unreadable",
    domain: Domain::Otel,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The Collector config cannot be read",
    ok_title: "The Collector config is valid YAML and defines components",
    doc: include_str!("../../../../docs/checks/OTEL001.md"),
};

impl Check<Context> for ConfigUnreadable {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings: Vec<Finding> = context
            .unreadable
            .iter()
            .map(|problem| {
                let path = context
                    .sources
                    .get(usize::from(problem.file))
                    .map(|source| source.path.clone())
                    .unwrap_or_default();
                let finding = match problem.pos {
                    Some(pos) => context
                        .at(
                            &META,
                            pos,
                            format!("Not valid YAML: {}", problem.message),
                            "The Collector stops before starting: `cannot resolve the configuration: ... \
                             not valid YAML`. Nothing in this file is used.",
                        )
                        .fix(Fix::manual("Correct the YAML at the position shown, then re-run `godiag lint`.")),
                    // No position: the file itself could not be read (missing, a permission,
                    // an I/O error), so no YAML edit helps.
                    None => Finding::new(
                        &META,
                        format!("Cannot read {}", path.display()),
                        format!("{}; the Collector stops with `cannot retrieve the configuration`.", problem.message),
                    )
                    .location(Location::file(&path))
                    .evidence(Evidence::command(format!("ls -l {}", path.display())))
                    .fix(Fix::manual(format!(
                        "Check the path: `{}` must exist and be readable by you and by the user the \
                         Collector runs as (`--config` names the same file); then re-run `godiag lint`.",
                        path.display()
                    ))),
                };
                finding.subject(path.display().to_string())
            })
            .collect();
        if context.unreadable.is_empty() && defines_nothing(context) {
            let path = context
                .sources
                .first()
                .map(|source| source.path.clone())
                .unwrap_or_default();
            findings.push(
                Finding::new(
                    &META,
                    "The config defines no component",
                    "No receiver, processor, exporter, connector or extension is defined, so the \
                     Collector stops with `empty configuration file`.",
                )
                .location(Location::file(&path))
                .evidence(Evidence::command(format!(
                    "otelcol validate --config {}",
                    path.display()
                )))
                .fix(Fix::manual(
                    "Define at least a receiver, an exporter and a pipeline that joins them.",
                )),
            );
        }
        findings
    }
}

fn defines_nothing(context: &Context) -> bool {
    Kind::ALL
        .iter()
        .all(|kind| context.collector.of_kind(*kind).next().is_none())
}
