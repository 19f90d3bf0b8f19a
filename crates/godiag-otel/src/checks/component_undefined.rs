//! OTEL004: a pipeline or `service.extensions` names a component that is not defined.

use godiag_core::text::edit_distance;
use std::fmt::Write as _;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, Replacement};
use crate::collector::{Collector, Ref, Role};
use crate::registry::Kind;

/// References to components that are not configured.
pub(crate) struct ComponentUndefined;

const META: CheckMeta = CheckMeta {
    code: "OTEL004",
    slug: "component-undefined",
    domain: Domain::Otel,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A pipeline references a component that is not defined",
    ok_title: "Every component a pipeline or service.extensions names is defined",
    doc: include_str!("../../../../docs/checks/OTEL004.md"),
};

impl Check<Context> for ComponentUndefined {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| {
            let collector = &context.collector;
            let named = !collector.service_extensions.is_empty()
                || collector
                    .pipelines
                    .iter()
                    .any(|p| Role::ALL.iter().any(|role| !p.refs(*role).is_empty()));
            (!named).then(|| "no pipeline or service.extensions names a component".to_owned())
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let collector = &context.collector;
        let mut findings = Vec::new();
        for reference in &collector.service_extensions {
            if collector
                .component(Kind::Extension, &reference.id)
                .is_none()
            {
                findings.push(finding(
                    context,
                    reference,
                    "service::extensions",
                    "extension",
                    &[Kind::Extension],
                ));
            }
        }
        for pipeline in &collector.pipelines {
            for role in Role::ALL {
                for reference in pipeline.refs(role) {
                    if collector.resolve(role, &reference.id).is_none() {
                        findings.push(finding(
                            context,
                            reference,
                            &format!("service::pipelines::{}", pipeline.id),
                            role.noun(),
                            Collector::kinds_for(role),
                        ));
                    }
                }
            }
        }
        findings
    }
}

fn finding(context: &Context, reference: &Ref, place: &str, noun: &str, kinds: &[Kind]) -> Finding {
    let collector = &context.collector;
    let elsewhere = collector
        .components
        .iter()
        .find(|component| component.id == reference.id && !kinds.contains(&component.kind));
    let candidates: Vec<&str> = kinds
        .iter()
        .flat_map(|kind| collector.of_kind(*kind))
        .map(|component| component.id.as_str())
        .collect();
    let near = closest(&reference.id, &candidates);
    let mut message = format!(
        "The Collector stops before starting: `{place}: references {noun} \"{}\" which is not configured`.",
        reference.id
    );
    let fix = if let Some(component) = elsewhere {
        let _ = write!(
            message,
            " `{}` is defined as {} {}, which cannot be used here.",
            component.id,
            article(component.kind.singular()),
            component.kind.singular()
        );
        Fix::manual(format!(
            "Define `{}` under `{}:` or remove it from this list.",
            reference.id,
            kinds[0].section()
        ))
    } else if let Some(near) = near {
        let edit = context.edit(vec![Replacement {
            start: reference.pos,
            end: reference.end,
            text: near.to_owned(),
        }]);
        let text = format!("Did you mean `{near}`? Rename the reference.");
        match edit {
            Some(edit) => Fix::edit(text, vec![edit]),
            None => Fix::manual(text),
        }
    } else {
        Fix::manual(format!(
            "Define `{}` under `{}:` or remove it from this list.",
            reference.id,
            kinds[0].section()
        ))
    };
    context
        .at(
            &META,
            reference.pos,
            format!(
                "{place} references {noun} `{}`, which is not defined",
                reference.id
            ),
            message,
        )
        .subject(reference.id.clone())
        .fix(fix)
}

fn article(noun: &str) -> &'static str {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The defined ID closest to `id`, when it is a likely typo.
fn closest<'a>(id: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (edit_distance(id, candidate), *candidate))
        .filter(|(distance, candidate)| *distance > 0 && *distance <= 2.max(candidate.len() / 5))
        .min()
        .map(|(_, candidate)| candidate)
}
