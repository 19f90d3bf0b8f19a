//! OTEL008: a component type removed, renamed or deprecated at the target Collector release.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, FixEdit, Severity};

use super::{Context, Replacement};
use crate::collector::{Collector, Component, Role};
use crate::registry::{self, Change, ComponentType, Stability, Version};
use crate::yaml::{Pos, Value};

/// Components that stop the Collector after an upgrade, or will.
pub(crate) struct ComponentRemoved;

const META: CheckMeta = CheckMeta {
    code: "OTEL008",
    slug: "component-removed",
    domain: Domain::Otel,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A component type was removed or renamed",
    ok_title: "No component type is removed, renamed or deprecated at the target release",
    doc: include_str!("../../../../docs/checks/OTEL008.md"),
};

impl Check<Context> for ComponentRemoved {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| context.no_components())
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut seen: Vec<(registry::Kind, &str)> = Vec::new();
        for component in &context.collector.components {
            let Some(known) = registry::lookup(component.kind, &component.ty) else {
                continue;
            };
            let Some(change) = known.change else {
                continue;
            };
            let Some(severity) = severity_at(known, &change, context.version) else {
                continue;
            };
            let first_of_type = !seen.contains(&(component.kind, known.name));
            seen.push((component.kind, known.name));
            findings.push(finding(
                context,
                component,
                &change,
                severity,
                first_of_type,
            ));
        }
        findings
    }
}

/// Error once removed, warning while deprecated or an alias; `None` when fine at `version`.
fn severity_at(known: &ComponentType, change: &Change, version: Version) -> Option<Severity> {
    if change.removed.is_some_and(|removed| version >= removed) {
        return Some(Severity::Error);
    }
    let deprecated = match change.deprecated {
        Some(since) => version >= since,
        None => known.stability == Stability::Deprecated,
    };
    deprecated.then_some(Severity::Warning)
}

fn finding(
    context: &Context,
    component: &Component,
    change: &Change,
    severity: Severity,
    with_edit: bool,
) -> Finding {
    let kind = component.kind;
    let what = if severity == Severity::Error {
        format!(
            "`{}` {} was removed in v{}",
            component.ty,
            kind.singular(),
            change.removed.map(|v| v.to_string()).unwrap_or_default()
        )
    } else if change.alias {
        format!(
            "`{}` {} was renamed to `{}`",
            component.ty,
            kind.singular(),
            change.replacement
        )
    } else {
        format!("`{}` {} is deprecated", component.ty, kind.singular())
    };
    let consequence = if severity == Severity::Error {
        format!(
            "At v{} the Collector stops before starting: `'{}' unknown type: \"{}\"`{}.",
            context.version,
            kind.section(),
            component.ty,
            if component.ty == "logging" {
                " (`the logging exporter has been deprecated, use the debug exporter instead`)"
            } else {
                ""
            }
        )
    } else if let Some(removed) = change.removed {
        format!(
            "It still works at v{}, but is removed in v{removed}.",
            context.version
        )
    } else {
        format!("It still works at v{}, but will go away.", context.version)
    };
    let replacement_kind = change.replacement_kind.unwrap_or(kind);
    let advice = if change.replacement.is_empty() {
        change.note.to_owned()
    } else {
        format!(
            "Use the `{}` {} instead: {}.",
            change.replacement,
            replacement_kind.singular(),
            change.note
        )
    };
    let message = format!("{consequence} {advice} ({})", change.reference);
    let edits = if with_edit && change.replacement_kind.is_none() && !change.replacement.is_empty()
    {
        rename_everywhere(context, component, change.replacement)
    } else {
        Vec::new()
    };
    let fix = if edits.is_empty() {
        Fix::manual(advice)
    } else {
        Fix::edit(advice, edits)
    };
    context
        .at(&META, component.key_pos, what, message)
        .severity(severity)
        .subject(format!("{}::{}", kind.section(), component.id))
        .fix(fix)
}

/// Renames every definition and reference of the component's type to `new_type`, and
/// carries over what the replacement needs (the OTLP port for Jaeger, `verbosity` for
/// `loglevel`).
fn rename_everywhere(context: &Context, component: &Component, new_type: &str) -> Vec<FixEdit> {
    let collector = &context.collector;
    let kind = component.kind;
    let old_type = component.ty.as_str();
    let mut replacements = Vec::new();
    for defined in collector.of_kind(kind).filter(|c| c.ty == old_type) {
        let new_id = new_id(collector, defined, new_type);
        if let Some(r) = replace_text(context, defined.key_pos, &defined.id, &new_id) {
            replacements.push(r);
        }
        replacements.extend(carry_over(context, defined));
        for pipeline in &collector.pipelines {
            for role in Role::ALL {
                if !Collector::kinds_for(role).contains(&kind) {
                    continue;
                }
                for reference in pipeline.refs(role).iter().filter(|r| r.id == defined.id) {
                    replacements.push(Replacement {
                        start: reference.pos,
                        end: reference.end,
                        text: new_id.clone(),
                    });
                }
            }
        }
    }
    let mut files: Vec<u16> = replacements.iter().map(|r| r.start.file).collect();
    files.sort_unstable();
    files.dedup();
    files
        .into_iter()
        .filter_map(|file| {
            context.edit(
                replacements
                    .iter()
                    .filter(|r| r.start.file == file)
                    .cloned()
                    .collect(),
            )
        })
        .collect()
}

/// `new_type[/name]`, or `new_type/old_type[_name]` when that ID is taken.
fn new_id(collector: &Collector, component: &Component, new_type: &str) -> String {
    let name = component.id.split_once('/').map(|(_, name)| name);
    let simple = match name {
        Some(name) => format!("{new_type}/{name}"),
        None => new_type.to_owned(),
    };
    if collector.component(component.kind, &simple).is_none() {
        return simple;
    }
    match name {
        Some(name) => format!("{new_type}/{}_{name}", component.ty),
        None => format!("{new_type}/{}", component.ty),
    }
}

fn replace_text(context: &Context, pos: Pos, old: &str, new: &str) -> Option<Replacement> {
    let line = context.line_text(pos);
    let column = pos.col.checked_sub(1)? as usize;
    let written: String = line
        .chars()
        .skip(column)
        .take(old.chars().count())
        .collect();
    if written != old {
        return None;
    }
    let len = u32::try_from(old.chars().count()).ok()?;
    Some(Replacement {
        start: pos,
        end: Pos {
            index: pos.index + len,
            col: pos.col + len,
            ..pos
        },
        text: new.to_owned(),
    })
}

fn carry_over(context: &Context, component: &Component) -> Vec<Replacement> {
    let mut out = Vec::new();
    match component.ty.as_str() {
        "jaeger" | "jaeger_thrift" => {
            let (old_port, new_port) = if component.ty == "jaeger" {
                (":14250", ":4317")
            } else {
                (":14268", ":4318")
            };
            if let Some(endpoint) = component.config.get("endpoint") {
                if let Some(text) = endpoint.as_str().filter(|text| text.contains(old_port)) {
                    let new_text = text.replace(old_port, new_port).replace("/api/traces", "");
                    if let Some(r) = replace_text(
                        context,
                        value_start(context, endpoint.pos, text),
                        text,
                        &new_text,
                    ) {
                        out.push(r);
                    }
                }
            }
        }
        "logging" => {
            if let Some(entry) = component.config.entry("loglevel") {
                if let Some(r) = replace_text(context, entry.key_pos, "loglevel", "verbosity") {
                    out.push(r);
                }
                if let Value::Str(level) = &entry.value.value {
                    let verbosity = match level.as_str() {
                        "debug" => "detailed",
                        "info" => "normal",
                        _ => "basic",
                    };
                    if let Some(r) = replace_text(context, entry.value.pos, level, verbosity) {
                        out.push(r);
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// The position of a scalar's text, past an opening quote.
fn value_start(context: &Context, pos: Pos, text: &str) -> Pos {
    let line = context.line_text(pos);
    let column = pos.col.saturating_sub(1) as usize;
    let first = line.chars().nth(column);
    if matches!(first, Some('"' | '\'')) && !text.starts_with(['"', '\'']) {
        Pos {
            index: pos.index + 1,
            col: pos.col + 1,
            ..pos
        }
    } else {
        pos
    }
}
