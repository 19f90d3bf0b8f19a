//! OTEL001: a file of the config cannot be read or parsed as YAML, or the config defines
//! nothing. The other checks skip in each of these cases ([`Context::unusable`]).

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};

use super::{Context, FileProblem};
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
            .map(|unreadable| {
                let path = context
                    .sources
                    .get(usize::from(unreadable.file))
                    .map(|source| source.path.clone())
                    .unwrap_or_default();
                let finding = match &unreadable.problem {
                    FileProblem::Syntax { pos, message } => context
                        .at(
                            &META,
                            *pos,
                            format!("Not valid YAML: {message}"),
                            "The Collector stops before starting: `cannot resolve the \
                             configuration: ... not valid YAML`. Nothing in this file is used.",
                        )
                        .fix(Fix::manual(
                            "Correct the YAML at the position shown, then re-run `godiag lint`.",
                        )),
                    FileProblem::ExcessiveAliasing { pos } => context
                        .at(
                            &META,
                            *pos,
                            "The Collector refuses the file: \
                             `yaml: document contains excessive aliasing`",
                            "Its aliases expand to more of the document than yaml.v3, the \
                             Collector's YAML library, allows (99% of up to 400,000 decoded \
                             nodes, falling to 10% from 4,000,000): the guard against alias \
                             bombs. godiag stopped at this alias, as the Collector does.",
                        )
                        .fix(Fix::manual(
                            "Write out the values the aliases stand for, or alias fewer nested \
                             anchors, then re-run `godiag lint`.",
                        )),
                    FileProblem::Read(error) => Finding::new(
                        &META,
                        format!("Cannot read {}", path.display()),
                        format!(
                            "{error}; the Collector stops with `cannot retrieve the \
                             configuration`."
                        ),
                    )
                    .location(Location::file(&path))
                    .evidence(Evidence::command(format!("ls -l {}", path.display())))
                    .fix(Fix::manual(error.fix(&path))),
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
