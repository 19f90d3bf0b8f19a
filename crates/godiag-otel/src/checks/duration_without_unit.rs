//! OTEL015: durations written without a unit.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, Replacement};
use crate::collector::Component;
use crate::components;
use crate::schema::{self, is_expanded};
use crate::yaml::{Node, Value};

/// A duration without a unit.
pub(crate) struct DurationUnit;

const META: CheckMeta = CheckMeta {
    code: "OTEL015",
    slug: "duration-without-unit",
    domain: Domain::Otel,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A duration is written without a unit",
    ok_title: "Every duration has a unit",
    doc: include_str!("../../../../docs/checks/OTEL015.md"),
};

impl Check<Context> for DurationUnit {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| {
            context
                .collector
                .components
                .iter()
                .all(|component| durations(component).0.is_empty())
                .then(|| "no component sets a duration".to_owned())
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for component in &context.collector.components {
            let (found, modelled) = durations(component);
            for (path, node) in found {
                findings.extend(check(context, component, &path, node, modelled));
            }
        }
        findings
    }
}

/// The durations a component sets, with their paths, and whether its schema is modelled
/// (otherwise they are found by key name).
fn durations(component: &Component) -> (Vec<(String, &Node)>, bool) {
    let mut found = Vec::new();
    let modelled = if let Some(ty) = components::schema(component.kind, &component.ty) {
        schema::durations(&component.config, &ty, "", &mut found);
        true
    } else {
        by_name(&component.config, "", &mut found);
        false
    };
    (found, modelled)
}

/// For components godiag does not model: settings named like durations.
fn by_name<'a>(node: &'a Node, path: &str, out: &mut Vec<(String, &'a Node)>) {
    let Value::Map(entries) = &node.value else {
        return;
    };
    for entry in entries {
        let here = schema::join(path, &entry.key);
        let key = entry.key.as_str();
        let duration_like = key == "timeout"
            || key == "interval"
            || key == "period"
            || key == "max_elapsed_time"
            || ["_timeout", "_interval", "_period", "_delay"]
                .iter()
                .any(|suffix| key.ends_with(suffix));
        if duration_like && !matches!(entry.value.value, Value::Map(_) | Value::Seq(_)) {
            out.push((here, &entry.value));
        } else {
            by_name(&entry.value, &here, out);
        }
    }
}

fn check(
    context: &Context,
    component: &Component,
    path: &str,
    node: &Node,
    modelled: bool,
) -> Option<Finding> {
    if is_expanded(node) {
        return None;
    }
    let subject = format!("{}::{}", component.kind.section(), component.id);
    let (number, severity, message) = match &node.value {
        Value::Int(0) => return None,
        Value::Float(value) if *value == 0.0 => return None,
        #[allow(clippy::cast_precision_loss)] // Only for the message and the fix.
        Value::Int(value) => (
            *value as f64,
            Severity::Warning,
            format!(
                "A number is read as nanoseconds: `{path}: {value}` is {value}ns. The Collector accepts it \
                 without a word (`otelcol validate` passes)."
            ),
        ),
        Value::Float(value) => (
            *value,
            Severity::Warning,
            format!(
                "A number is read as nanoseconds (truncated): `{path}: {value}` is {}ns.",
                value.trunc()
            ),
        ),
        // A unitless string in a modelled setting is OTEL003's error already.
        Value::Str(text) if !modelled => {
            let value = text.trim().parse::<f64>().ok()?;
            (
                value,
                Severity::Error,
                format!(
                    "The Collector stops before starting: `time: missing unit in duration \"{text}\"` (a duration \
                     string needs a unit such as s or ms)."
                ),
            )
        }
        _ => return None,
    };
    let (replacement, fix_text) = replacement(number)?;
    let text = format!("Write `{path}: {replacement}` ({fix_text}).");
    let fix = match context.edit(vec![Replacement {
        start: node.pos,
        end: node.end,
        text: replacement,
    }]) {
        Some(edit) => Fix::edit(text, vec![edit]),
        None => Fix::manual(text),
    };
    Some(
        context
            .at(
                &META,
                node.pos,
                format!("{subject}: `{path}` has no unit"),
                message,
            )
            .severity(severity)
            .subject(subject)
            .fix(fix),
    )
}

/// Returns the duration to write and why: the exact equivalent for whole milliseconds and
/// more, seconds for small numbers (what such a value almost always meant).
fn replacement(number: f64) -> Option<(String, &'static str)> {
    const UNITS: [(f64, &str); 4] = [(3.6e12, "h"), (6e10, "m"), (1e9, "s"), (1e6, "ms")];
    if number >= 1e6 {
        let (scale, unit) = UNITS
            .iter()
            .find(|(scale, _)| (number / scale).fract() == 0.0)?;
        return Some((
            format!("{}{unit}", number / scale),
            "the same duration, with its unit",
        ));
    }
    (number > 0.0 && number < 1000.0).then(|| {
        (
            format!("{number}s"),
            "seconds, which a value this small almost always means",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    #[test]
    fn replacements_keep_or_guess_the_duration() {
        assert_eq!(replacement(5e9).map(|r| r.0), Some("5s".to_owned()));
        assert_eq!(replacement(9e10).map(|r| r.0), Some("90s".to_owned()));
        assert_eq!(replacement(7.2e12).map(|r| r.0), Some("2h".to_owned()));
        assert_eq!(
            replacement(2.5e6).map(|r| r.0),
            None,
            "2.5ms has no whole unit of ms or more"
        );
        assert_eq!(replacement(5.0).map(|r| r.0), Some("5s".to_owned()));
        assert_eq!(
            replacement(1500.0),
            None,
            "too big to be seconds, too small to be exact"
        );
    }

    #[test]
    fn duration_named_keys_of_unmodelled_components_are_found() {
        let node = parse(
            "timeout: 5\nretry:\n  initial_interval: \"30\"\nname: 5\nlimits: {max_interval: 1s}\n",
            0,
        )
        .unwrap()
        .unwrap();
        let mut found = Vec::new();
        by_name(&node, "", &mut found);
        let paths: Vec<&str> = found.iter().map(|(path, _)| path.as_str()).collect();
        assert_eq!(
            paths,
            ["timeout", "retry.initial_interval", "limits.max_interval"]
        );
    }
}
