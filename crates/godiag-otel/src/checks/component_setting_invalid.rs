//! OTEL003: a component's settings are ones the Collector rejects.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::collector::Component;
use crate::components;
use crate::registry::Kind;
use crate::schema::{self, Problem, ProblemKind};

/// Unknown keys, wrong types and values a component's `Validate()` rejects.
pub(crate) struct ComponentSettingInvalid;

const META: CheckMeta = CheckMeta {
    code: "OTEL003",
    slug: "component-setting-invalid",
    domain: Domain::Otel,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A component has a setting the Collector rejects",
    ok_title: "Every modelled component's settings decode and validate",
    doc: include_str!("../../../../docs/checks/OTEL003.md"),
};

impl Check<Context> for ComponentSettingInvalid {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context
            .unusable()
            .or_else(|| context.no_components())
            .or_else(|| {
                let modelled = context
                    .collector
                    .components
                    .iter()
                    .any(|c| components::schema(c.kind, &c.ty).is_some());
                (!modelled)
                    .then(|| "godiag models the settings of no component in the config".to_owned())
            })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for component in &context.collector.components {
            let Some(ty) = components::schema(component.kind, &component.ty) else {
                continue;
            };
            let mut problems = Vec::new();
            schema::validate(&component.config, &ty, "", &mut problems);
            // Values are validated only once they decode.
            if problems.is_empty() {
                problems = components::rules(component.kind, &component.ty, &component.config);
                components::anchor(&mut problems, component.key_pos);
            }
            findings.extend(
                problems
                    .iter()
                    .map(|problem| finding(context, component, problem)),
            );
        }
        findings
    }
}

fn finding(context: &Context, component: &Component, problem: &Problem) -> Finding {
    let subject = format!("{}::{}", component.kind.section(), component.id);
    let key = problem.path.rsplit('.').next().unwrap_or_default();
    let hint = match (&problem.kind, component.kind, key) {
        (ProblemKind::UnknownKey { .. }, Kind::Exporter, "insecure") => Some(
            "`insecure` belongs under `tls:` (`tls: {insecure: true}`) since 2021 (collector#4092).",
        ),
        (
            ProblemKind::UnknownKey { .. },
            Kind::Processor,
            "retry_on_failure" | "max_elapsed_time",
        ) if component.ty == "batch" => {
            Some("Retries are an exporter setting: move `retry_on_failure` to the exporter.")
        }
        _ => None,
    };
    let path = if problem.path.is_empty() {
        subject.clone()
    } else {
        format!("{subject}::{}", problem.path.replace('.', "::"))
    };
    let message = format!(
        "The Collector stops before starting: `{path}: ...` ({}).{}",
        match problem.kind {
            ProblemKind::UnknownKey { .. } => "`has invalid keys`",
            ProblemKind::WrongType { .. } => "`expected type ..., got unconvertible type ...`",
            ProblemKind::BadValue { .. } => "a validation error",
        },
        hint.map(|hint| format!(" {hint}")).unwrap_or_default()
    );
    let fix = hint.map_or_else(
        || Fix::manual(format!("Correct `{}` in `{}`.", problem.path, component.id)),
        Fix::manual,
    );
    context
        .at(
            &META,
            problem.pos,
            format!("{}: {}", component.id, problem.describe()),
            message,
        )
        .subject(subject)
        .fix(fix)
}
